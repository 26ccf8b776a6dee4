"""LiteLLM's Secret, ConfigMap and Deployment roll through the real kubernetes client against
kmock (tests/support/kube_mock.py): created, corrected, other fields kept, and a re-apply that writes
nothing."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator, Mapping

import pytest

from contract.clients.http import RetryPolicy
from contract.clients.kube import Kube, KubeError
from contract.pipeline.model import Litellm
from contract.pipeline.render import render
from contract.pipeline.validate import validate_text
from contract.workflows.apply.litellm import (
    CONFIG_SHA_ANNOTATION,
    SECRET_KEYS_ANNOTATION,
    SECRET_VERSION_ANNOTATION,
    DesiredLitellm,
    apply_litellm,
    desired_litellm,
    diff_litellm,
    observe_litellm,
)
from tests.support.kube_mock import KubeCluster
from tests.support.litellm_kube import CONFIG_MAPS, DEPLOYMENT, DEPLOYMENTS, NS, SECRETS, stored

FAST = RetryPolicy(attempts=3, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
CANARY = "sk-literal-canary-77d2e0"

CONTRACT = f"""
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    apiKey: ${{OPENAI_API_KEY}}
  - litellmModelName: local-llm
    litellmModel: openai/local-llm
    displayName: Local
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 8192
    apiBase: http://local.inference.svc.cluster.local:8000/v1
    apiKey: {CANARY}
"""
ENV = {"OPENAI_API_KEY": "sk-openai-canary-1", "LITELLM_MASTER_KEY": "sk-master-canary-2"}


def desired_for(text: str = CONTRACT, env: Mapping[str, str] = ENV) -> DesiredLitellm:
    result = validate_text(text, file="install-contract.yaml")
    assert result.contract is not None
    rendering = render(
        result.contract, source_name="install-contract.yaml", source_bytes=text.encode(), targets=["litellm"]
    )
    return desired_litellm(result.contract, rendering.files["litellm/config.yaml"].decode(), env, Litellm())


@pytest.fixture
def kube(kube_cluster: KubeCluster) -> Iterator[Kube]:
    with Kube(kube_cluster.target(), timeout=5, retry=FAST) as client:
        yield client


def run(kube: Kube, desired: DesiredLitellm) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]:
    """Plan, then apply; the plan as (kind, action, fields)."""
    observed = observe_litellm(kube, NS, Litellm())
    changes, warnings = diff_litellm(desired, observed)
    apply_litellm(kube, desired, observed)
    return [(c.kind, c.action, c.fields) for c in changes], warnings


def secret_values(cluster: KubeCluster) -> dict[str, str]:
    data = stored(cluster, SECRETS, "litellm-credentials")["data"]
    return {k: base64.b64decode(v).decode() for k, v in data.items()}


def test_first_apply_creates_the_secret_and_config_then_nothing(
    kube: Kube, kube_cluster: KubeCluster
) -> None:
    desired = desired_for()
    plan, warnings = run(kube, desired)
    assert plan == [
        ("secret", "create", ("LITELLM_MASTER_KEY", "LOCAL_LLM_API_KEY", "OPENAI_API_KEY")),
        ("configmap", "create", ("config.yaml",)),
    ]
    assert len(warnings) == 1 and "Deployment litellm not found in namespace platform" in warnings[0]
    assert kube_cluster.writes() == [("POST", SECRETS), ("POST", CONFIG_MAPS)]

    assert secret_values(kube_cluster) == {
        "LITELLM_MASTER_KEY": "sk-master-canary-2",
        "LOCAL_LLM_API_KEY": CANARY,
        "OPENAI_API_KEY": "sk-openai-canary-1",
    }
    config_map = stored(kube_cluster, CONFIG_MAPS, "litellm-config")
    assert config_map["data"] == {"config.yaml": desired.config_yaml}
    assert config_map["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "install-contract"}

    before = len(kube_cluster.requests)
    plan, _ = run(kube, desired)
    assert plan == [("secret", "keep", ()), ("configmap", "keep", ())]
    assert kube_cluster.writes() == [("POST", SECRETS), ("POST", CONFIG_MAPS)]
    assert {m for m, _ in kube_cluster.requests[before:]} == {"GET"}


def test_the_deployment_rolls_and_keeps_its_other_fields(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
    desired = desired_for()
    plan, warnings = run(kube, desired)
    assert warnings == []
    assert plan[2] == ("deployment", "update", (CONFIG_SHA_ANNOTATION, SECRET_VERSION_ANNOTATION))

    deployment = stored(kube_cluster, DEPLOYMENTS, "litellm")
    secret = stored(kube_cluster, SECRETS, "litellm-credentials")
    expected = copy.deepcopy(DEPLOYMENT)
    expected["spec"]["template"]["metadata"]["annotations"].update(
        {
            CONFIG_SHA_ANNOTATION: desired.config_sha256,
            SECRET_VERSION_ANNOTATION: secret["metadata"]["resourceVersion"],
        }
    )
    assert deployment["spec"] == expected["spec"]
    assert deployment["metadata"]["labels"] == {"app": "litellm"}
    assert deployment["metadata"]["annotations"] == {"team": "platform"}

    writes = len(kube_cluster.writes())
    plan, _ = run(kube, desired)
    assert [action for _, action, _ in plan] == ["keep", "keep", "keep"]
    assert len(kube_cluster.writes()) == writes


def test_changes_are_corrected_field_by_field(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
    run(kube, desired_for())
    # Someone adds a key of their own and edits the config by hand.
    secret = stored(kube_cluster, SECRETS, "litellm-credentials")
    secret["data"]["THEIRS"] = base64.b64encode(b"kept").decode()
    kube_cluster.put(SECRETS, secret)
    config_map = stored(kube_cluster, CONFIG_MAPS, "litellm-config")
    config_map["data"]["config.yaml"] = "model_list: []\n"
    config_map["data"]["notes"] = "theirs"
    kube_cluster.put(CONFIG_MAPS, config_map)

    # The contract drops the literal-key model and the OpenAI key is rotated.
    text = CONTRACT.split("  - litellmModelName: local-llm")[0]
    desired = desired_for(text, {**ENV, "OPENAI_API_KEY": "sk-rotated-canary-3"})
    plan, _ = run(kube, desired)
    assert plan == [
        ("secret", "update", ("LOCAL_LLM_API_KEY", "OPENAI_API_KEY")),
        ("configmap", "update", ("config.yaml",)),
        ("deployment", "update", (CONFIG_SHA_ANNOTATION, SECRET_VERSION_ANNOTATION)),
    ]
    assert secret_values(kube_cluster) == {
        "LITELLM_MASTER_KEY": "sk-master-canary-2",
        "OPENAI_API_KEY": "sk-rotated-canary-3",
        "THEIRS": "kept",
    }
    annotations = stored(kube_cluster, SECRETS, "litellm-credentials")["metadata"]["annotations"]
    assert annotations[SECRET_KEYS_ANNOTATION] == "LITELLM_MASTER_KEY,OPENAI_API_KEY"
    assert stored(kube_cluster, CONFIG_MAPS, "litellm-config")["data"] == {
        "config.yaml": desired.config_yaml,
        "notes": "theirs",
    }
    writes = len(kube_cluster.writes())
    assert [a for _, a, _ in run(kube, desired)[0]] == ["keep", "keep", "keep"]
    assert len(kube_cluster.writes()) == writes


def test_without_the_master_key_the_secret_keeps_the_one_it_has(
    kube: Kube, kube_cluster: KubeCluster
) -> None:
    run(kube, desired_for())
    without = desired_for(env={"OPENAI_API_KEY": ENV["OPENAI_API_KEY"]})
    assert any("LITELLM_MASTER_KEY is not set" in w for w in without.warnings)
    run(kube, without)
    assert secret_values(kube_cluster)["LITELLM_MASTER_KEY"] == "sk-master-canary-2"
    writes = len(kube_cluster.writes())
    assert [a for _, a, _ in run(kube, without)[0]] == ["keep", "keep"]
    assert len(kube_cluster.writes()) == writes


def test_objects_created_since_the_plan_are_patched(kube: Kube, kube_cluster: KubeCluster) -> None:
    desired = desired_for()
    observed = observe_litellm(kube, NS, Litellm())
    kube_cluster.put(CONFIG_MAPS, {"metadata": {"name": "litellm-config"}, "data": {"config.yaml": "old"}})
    kube_cluster.put(SECRETS, {"metadata": {"name": "litellm-credentials"}, "data": {}})
    apply_litellm(kube, desired, observed)
    assert stored(kube_cluster, CONFIG_MAPS, "litellm-config")["data"]["config.yaml"] == desired.config_yaml
    assert secret_values(kube_cluster)["LOCAL_LLM_API_KEY"] == CANARY


def test_a_missing_namespace_is_the_api_message(kube_cluster: KubeCluster) -> None:
    desired = desired_for()
    with Kube(kube_cluster.target("nowhere"), timeout=5, retry=FAST) as kube:
        observed = observe_litellm(kube, "nowhere", Litellm())
        with pytest.raises(KubeError, match='namespaces "nowhere" not found') as caught:
            apply_litellm(kube, desired, observed)
    assert CANARY not in str(caught.value)


def test_keys_only_in_the_secret(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
    desired = desired_for()
    plan, warnings = run(kube, desired)
    values = ["sk-openai-canary-1", "sk-master-canary-2", CANARY]
    shown = repr(plan) + repr(warnings) + repr(desired) + repr(observe_litellm(kube, NS, Litellm()))
    for collection in (CONFIG_MAPS, DEPLOYMENTS):
        shown += repr(kube_cluster.objects(collection))
    shown += repr(stored(kube_cluster, SECRETS, "litellm-credentials")["metadata"])
    assert all(value not in shown for value in values)
    assert set(secret_values(kube_cluster).values()) == set(values)
