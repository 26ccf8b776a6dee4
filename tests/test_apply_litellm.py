"""LiteLLM on Kubernetes: the desired Secret/ConfigMap/annotation from a contract, and the pure
diff against plain observed data."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from contract.errors import UsageError
from contract.pipeline.render import render
from contract.pipeline.validate import TypedContract, validate_text
from contract.workflows.apply.changes import Change
from contract.workflows.apply.litellm import (
    CONFIG_SHA_ANNOTATION,
    SECRET_KEYS_ANNOTATION,
    SECRET_VERSION_ANNOTATION,
    DesiredLitellm,
    ObservedLitellm,
    config_variables,
    desired_litellm,
    diff_litellm,
)

CANARY = "sk-literal-canary-3f9a1c"

CONTRACT = f"""
platform:
  litellm: {{configMap: proxy-config, secret: proxy-keys, deployment: proxy}}
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    apiKey: ${{OPENAI_API_KEY}}
  - litellmModelName: claude-sonnet-4-bedrock
    litellmModel: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
    displayName: Claude Sonnet 4 (Bedrock)
    provider: AWS Bedrock
    type: CHAT
    metadataType: Text Generation
    contextWindow: 200000
    awsRegion: us-west-2
    awsAccessKeyId: ${{AWS_ACCESS_KEY_ID}}
    awsSecretAccessKey: ${{AWS_SECRET_ACCESS_KEY}}
  - litellmModelName: local-llm
    litellmModel: openai/local-llm
    displayName: Local
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 8192
    apiBase: ${{LOCAL_LLM_URL}}
    apiKey: {CANARY}
"""

ENV = {
    "OPENAI_API_KEY": "sk-openai-value",
    "AWS_ACCESS_KEY_ID": "AKIAVALUE",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
    "LOCAL_LLM_URL": "http://local:8000/v1",
    "LITELLM_MASTER_KEY": "sk-master-value",
    "UNRELATED": "not-read-by-the-config",
}


def typed(text: str = CONTRACT) -> tuple[TypedContract, str]:
    result = validate_text(text, file="install-contract.yaml")
    assert result.contract is not None
    files = render(
        result.contract, source_name="install-contract.yaml", source_bytes=text.encode(), targets=["litellm"]
    )
    return result.contract, files.files["litellm/config.yaml"].decode()


def test_the_secret_holds_every_variable_the_config_reads() -> None:
    contract, config = typed()
    desired = desired_litellm(contract, config, ENV)
    assert dict(desired.secret_data) == {
        "AWS_ACCESS_KEY_ID": "AKIAVALUE",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
        "LITELLM_MASTER_KEY": "sk-master-value",
        "LOCAL_LLM_API_KEY": CANARY,  # the literal, under the variable render named for it
        "LOCAL_LLM_URL": "http://local:8000/v1",
        "OPENAI_API_KEY": "sk-openai-value",
    }
    assert set(desired.secret_data) == set(config_variables(config))
    assert (desired.secret_name, desired.config_map_name, desired.deployment_name) == (
        "proxy-keys",
        "proxy-config",
        "proxy",
    )
    assert desired.config_yaml == config
    assert desired.config_sha256 == hashlib.sha256(config.encode()).hexdigest()
    assert desired.warnings == ()
    # The rendered config names the configured Secret, and never a value.
    assert "proxy-keys" in config
    for value in desired.secret_data.values():
        if value != "http://local:8000/v1":
            assert value not in config
    assert CANARY not in repr(desired)


def test_defaults_without_platform_litellm() -> None:
    contract, config = typed(
        CONTRACT.replace(
            "  litellm: {configMap: proxy-config, secret: proxy-keys, deployment: proxy}\n",
            "  kubernetes: {namespace: x}\n",
        )
    )
    desired = desired_litellm(contract, config, ENV)
    assert (desired.secret_name, desired.config_map_name, desired.deployment_name) == (
        "litellm-credentials",
        "litellm-config",
        "litellm",
    )
    assert "litellm-credentials" in config


def test_without_a_master_key_the_plan_warns_and_leaves_it_alone() -> None:
    contract, config = typed()
    env = {k: v for k, v in ENV.items() if k != "LITELLM_MASTER_KEY"}
    desired = desired_litellm(contract, config, env)
    assert "LITELLM_MASTER_KEY" not in desired.secret_data
    assert desired.untouched_keys == {"LITELLM_MASTER_KEY"}
    assert len(desired.warnings) == 1 and "LITELLM_MASTER_KEY is not set" in desired.warnings[0]


@pytest.mark.parametrize(
    "value", ["sk-from-a-file-0123\n", "sk-with\rreturn", " sk-edge-space", "sk-nön-ascii"]
)
def test_a_key_that_cannot_go_into_a_header_never_reaches_the_secret(value: str) -> None:
    # `apply --skip-check` runs no check step: the Secret is where such a key would land.
    from contract.errors import InputError

    contract, config = typed()
    with pytest.raises(
        InputError, match=r"\$OPENAI_API_KEY \(a key of the LiteLLM Secret .*\) holds"
    ) as caught:
        desired_litellm(contract, config, {**ENV, "OPENAI_API_KEY": value})
    assert value.strip() not in str(caught.value)


def test_an_unset_variable_is_named() -> None:
    contract, config = typed()
    env = {k: v for k, v in ENV.items() if k not in ("OPENAI_API_KEY", "LOCAL_LLM_URL")}
    with pytest.raises(UsageError, match="reads LOCAL_LLM_URL, OPENAI_API_KEY, which are not set") as caught:
        desired_litellm(contract, config, env)
    assert all(v not in str(caught.value) for v in ENV.values())


# -- diff ---------------------------------------------------------------------------------------

DESIRED = DesiredLitellm(
    secret_name="litellm-credentials",
    config_map_name="litellm-config",
    deployment_name="litellm",
    config_yaml="model_list: []\n",
    config_sha256="abc",
    secret_data={"A_KEY": "a", "B_KEY": "b"},
)
SAME = ObservedLitellm(
    namespace="platform",
    secret_data={"A_KEY": "a", "B_KEY": "b", "OTHER": "theirs"},
    secret_keys=frozenset({"A_KEY", "B_KEY"}),
    secret_version="7",
    config_map_data={"config.yaml": "model_list: []\n", "extra": "theirs"},
    deployment_found=True,
    pod_annotations={CONFIG_SHA_ANNOTATION: "abc", SECRET_VERSION_ANNOTATION: "7", "other": "x"},
)


def kinds(changes: list[Change]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.kind: (c.action, c.fields) for c in changes}


def test_nothing_differs_everything_is_kept() -> None:
    changes, warnings = diff_litellm(DESIRED, SAME)
    assert kinds(changes) == {"secret": ("keep", ()), "configmap": ("keep", ()), "deployment": ("keep", ())}
    assert [c.name for c in changes] == ["litellm-credentials", "litellm-config", "litellm"]
    assert warnings == []


def test_an_empty_namespace_creates_and_warns_about_the_deployment() -> None:
    changes, warnings = diff_litellm(DESIRED, ObservedLitellm(namespace="platform"))
    assert kinds(changes) == {
        "secret": ("create", ("A_KEY", "B_KEY")),
        "configmap": ("create", ("config.yaml",)),
    }
    assert len(warnings) == 1 and "Deployment litellm not found in namespace platform" in warnings[0]


def test_a_changed_config_rolls_the_deployment() -> None:
    observed = replace(SAME, config_map_data={"config.yaml": "old\n"})
    changed = replace(DESIRED, config_sha256="new")
    changes, _ = diff_litellm(changed, observed)
    assert kinds(changes) == {
        "secret": ("keep", ()),
        "configmap": ("update", ("config.yaml",)),
        "deployment": ("update", (CONFIG_SHA_ANNOTATION,)),
    }


@pytest.mark.parametrize(
    ("secret_data", "secret_keys", "fields"),
    [
        ({"A_KEY": "a", "B_KEY": "rotated"}, {"A_KEY", "B_KEY"}, ("B_KEY",)),
        ({"A_KEY": "a"}, {"A_KEY", "B_KEY"}, ("B_KEY",)),
        # A key this tool wrote that the config no longer reads goes; one written by others stays.
        ({"A_KEY": "a", "B_KEY": "b", "GONE": "x"}, {"A_KEY", "B_KEY", "GONE"}, ("GONE",)),
        ({"A_KEY": "a", "B_KEY": "b", "GONE": "x"}, {"A_KEY", "B_KEY"}, ()),
        # Keys present but not recorded as ours: only the record is written.
        ({"A_KEY": "a", "B_KEY": "b"}, {"A_KEY"}, (SECRET_KEYS_ANNOTATION,)),
    ],
)
def test_secret_fields_name_keys_never_values(
    secret_data: dict[str, str], secret_keys: set[str], fields: tuple[str, ...]
) -> None:
    observed = replace(SAME, secret_data=secret_data, secret_keys=frozenset(secret_keys))
    changes, _ = diff_litellm(DESIRED, observed)
    by_kind = kinds(changes)
    assert by_kind["secret"] == (("update", fields) if fields else ("keep", ()))
    # A written Secret gets a new resourceVersion, which the pods must pick up.
    assert by_kind["deployment"] == (("update", (SECRET_VERSION_ANNOTATION,)) if fields else ("keep", ()))


def test_a_master_key_left_alone_is_not_removed() -> None:
    desired = replace(DESIRED, untouched_keys=frozenset({"LITELLM_MASTER_KEY"}))
    observed = replace(
        SAME,
        secret_data={"A_KEY": "a", "B_KEY": "b", "LITELLM_MASTER_KEY": "m"},
        secret_keys=frozenset({"A_KEY", "B_KEY", "LITELLM_MASTER_KEY"}),
    )
    changes, _ = diff_litellm(desired, observed)
    assert kinds(changes)["secret"] == ("update", (SECRET_KEYS_ANNOTATION,))


def test_a_secret_edited_elsewhere_rolls_the_pods() -> None:
    observed = replace(SAME, secret_version="8")
    changes, _ = diff_litellm(DESIRED, observed)
    assert kinds(changes)["deployment"] == ("update", (SECRET_VERSION_ANNOTATION,))
    assert next(c for c in changes if c.kind == "deployment").note == "rolls the LiteLLM pods"


# -- the values a plan shows --------------------------------------------------------------------


def test_an_empty_namespace_plans_every_value_but_the_keys() -> None:
    changes, _ = diff_litellm(DESIRED, ObservedLitellm(namespace="platform"))
    assert [c.to_json() for c in changes] == [
        {
            "system": "kubernetes",
            "kind": "secret",
            "name": "litellm-credentials",
            "action": "create",
            "fields": ["A_KEY", "B_KEY"],
            "diff": {"A_KEY": {"changed": True}, "B_KEY": {"changed": True}},
        },
        {
            "system": "kubernetes",
            "kind": "configmap",
            "name": "litellm-config",
            "action": "create",
            "fields": ["config.yaml"],
            "diff": {"config.yaml": {"old": None, "new": "model_list: []\n"}},
        },
    ]
    assert [d.how for d in changes[0].diff] == ["added", "added"]


def test_an_update_shows_old_and_new_and_only_key_names() -> None:
    from contract.reporting.plan import values

    observed = replace(
        SAME,
        secret_data={"A_KEY": "old-value", "GONE": "x", "OTHER": "theirs"},
        secret_keys=frozenset({"A_KEY", "GONE"}),
        config_map_data={"config.yaml": "model_list: [old]\n"},
        pod_annotations={CONFIG_SHA_ANNOTATION: "old-sha", SECRET_VERSION_ANNOTATION: "7"},
    )
    changes, _ = diff_litellm(DESIRED, observed)
    secret, config_map, deployment = changes
    assert secret.to_json() == {
        "system": "kubernetes",
        "kind": "secret",
        "name": "litellm-credentials",
        "action": "update",
        "fields": ["A_KEY", "B_KEY", "GONE"],
        "diff": {"A_KEY": {"changed": True}, "B_KEY": {"changed": True}, "GONE": {"changed": True}},
    }
    assert values(secret) == ["keys added: B_KEY", "keys changed: A_KEY", "keys removed: GONE"]
    assert config_map.to_json() == {
        "system": "kubernetes",
        "kind": "configmap",
        "name": "litellm-config",
        "action": "update",
        "fields": ["config.yaml"],
        "diff": {"config.yaml": {"old": "model_list: [old]\n", "new": "model_list: []\n"}},
    }
    assert values(config_map) == [
        "--- config.yaml",
        "+++ config.yaml",
        "@@ -1 +1 @@",
        "-model_list: [old]",
        "+model_list: []",
    ]
    assert deployment.to_json() == {
        "system": "kubernetes",
        "kind": "deployment",
        "name": "litellm",
        "action": "update",
        "fields": [CONFIG_SHA_ANNOTATION, SECRET_VERSION_ANNOTATION],
        "diff": {
            CONFIG_SHA_ANNOTATION: {"old": "old-sha", "new": "abc"},
            SECRET_VERSION_ANNOTATION: {"old": "7", "new": "(known after apply)"},
        },
    }
    assert deployment.note == "rolls the LiteLLM pods"
    for value in ("old-value", "theirs"):
        assert value not in repr(changes) and value not in str([c.to_json() for c in changes[:1]])


def test_a_kept_deployment_has_no_note_and_a_secret_version_that_stays() -> None:
    changes, _ = diff_litellm(
        DESIRED, replace(SAME, pod_annotations={CONFIG_SHA_ANNOTATION: "x", SECRET_VERSION_ANNOTATION: "7"})
    )
    deployment = changes[2]
    assert deployment.to_json()["diff"] == {CONFIG_SHA_ANNOTATION: {"old": "x", "new": "abc"}}
    assert [c.system for c in changes] == ["kubernetes"] * 3
    kept, _ = diff_litellm(DESIRED, SAME)
    assert [(c.system, c.note, c.diff) for c in kept] == [("kubernetes", "", ())] * 3


def test_the_config_diff_is_unified_with_one_line_of_context() -> None:
    from contract.workflows.apply.litellm import config_diff

    assert config_diff("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n") == (
        "--- config.yaml\n+++ config.yaml\n@@ -2,3 +2,3 @@\n b\n-c\n+X\n d\n"
    )
    assert config_diff("a", "b") == "--- config.yaml\n+++ config.yaml\n@@ -1 +1 @@\n-a\n+b\n"


def test_plan_mode_warns_about_an_unset_key_and_leaves_it_alone() -> None:
    contract, config = typed()
    env = {k: v for k, v in ENV.items() if k != "OPENAI_API_KEY"}
    desired = desired_litellm(contract, config, env, allow_unset=True)
    assert "OPENAI_API_KEY" not in desired.secret_data
    assert desired.untouched_keys == frozenset({"OPENAI_API_KEY"})
    assert desired.warnings == ("Secret key OPENAI_API_KEY: unset; apply will refuse",)
    with pytest.raises(UsageError, match=r"reads OPENAI_API_KEY, which is not set: export"):
        desired_litellm(contract, config, env)
    without_master = {k: v for k, v in ENV.items() if k != "LITELLM_MASTER_KEY"}
    desired = desired_litellm(contract, config, without_master, allow_unset=True)
    assert desired.untouched_keys == frozenset({"LITELLM_MASTER_KEY"})
    assert desired.warnings == (
        "LITELLM_MASTER_KEY is not set: the Secret proxy-keys gets no master key, so the LiteLLM deployment "
        "must provide it (what the Secret holds for it is left as it is)",
    )


class _Namespace:
    """`Kube.get` over a dict of paths (observe_litellm reads three objects, nothing else)."""

    def __init__(self, objects: dict[str, dict[str, object]]) -> None:
        self.objects = objects

    def get(self, path: str) -> dict[str, object] | None:
        return self.objects.get(path)


def test_observe_reads_the_three_objects() -> None:
    from typing import Any, cast

    from contract.workflows.apply.litellm import observe_litellm

    base = "/api/v1/namespaces/ns"
    empty = observe_litellm(cast(Any, _Namespace({})), "ns")
    assert empty == ObservedLitellm(namespace="ns")
    assert empty.secret_keys == frozenset() and empty.secret_version is None
    found = observe_litellm(
        cast(
            Any,
            _Namespace(
                {
                    f"{base}/secrets/litellm-credentials": {
                        "metadata": {"resourceVersion": "5"},
                        "data": {"K": "dg==", "BAD": "%%%"},
                    },
                    f"{base}/configmaps/litellm-config": {"data": {"config.yaml": "x"}},
                    "/apis/apps/v1/namespaces/ns/deployments/litellm": {
                        "spec": {"template": {"metadata": {"annotations": {"a": "b"}}}}
                    },
                }
            ),
        ),
        "ns",
    )
    assert found.secret_data == {"K": "v", "BAD": "\0undecodable"}
    assert found.secret_keys == frozenset() and found.secret_version == "5"
    assert found.config_map_data == {"config.yaml": "x"}
    assert found.deployment_found and found.pod_annotations == {"a": "b"}


def test_literal_keys_are_found_under_the_variable_render_names() -> None:
    from contract.workflows.apply.litellm import literal_secrets

    contract, _ = typed()
    assert literal_secrets(contract.models) == {"LOCAL_LLM_API_KEY": CANARY}


class _Recording:
    """`Kube` as apply_litellm uses it: records every create and patch, answers like a server."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, object]]] = []

    def create(self, path: str, body: dict[str, object]) -> dict[str, object]:
        self.calls.append(("create", path, body))
        return {"metadata": {"resourceVersion": "11"}}

    def patch(self, path: str, body: dict[str, object]) -> dict[str, object]:
        self.calls.append(("patch", path, body))
        return {"metadata": {"resourceVersion": "12"}}


def test_apply_writes_well_formed_objects_with_their_field_manager() -> None:
    from typing import Any, cast

    from contract.workflows.apply.litellm import apply_litellm

    kube = _Recording()
    apply_litellm(cast(Any, kube), DESIRED, ObservedLitellm(namespace="ns", deployment_found=True))
    labels = {"app.kubernetes.io/managed-by": "install-contract"}
    assert kube.calls == [
        (
            "create",
            "/api/v1/namespaces/ns/secrets?fieldManager=install-contract",
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "name": "litellm-credentials",
                    "labels": labels,
                    "annotations": {SECRET_KEYS_ANNOTATION: "A_KEY,B_KEY"},
                },
                "data": {"A_KEY": "YQ==", "B_KEY": "Yg=="},
            },
        ),
        (
            "create",
            "/api/v1/namespaces/ns/configmaps?fieldManager=install-contract",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "litellm-config", "labels": labels},
                "data": {"config.yaml": "model_list: []\n"},
            },
        ),
        (
            "patch",
            "/apis/apps/v1/namespaces/ns/deployments/litellm?fieldManager=install-contract",
            {
                "spec": {
                    "template": {
                        "metadata": {
                            "annotations": {CONFIG_SHA_ANNOTATION: "abc", SECRET_VERSION_ANNOTATION: "11"}
                        }
                    }
                }
            },
        ),
    ]


def test_apply_patches_only_what_differs() -> None:
    from typing import Any, cast

    from contract.workflows.apply.litellm import apply_litellm

    kube = _Recording()
    observed = replace(
        SAME,
        namespace="ns",
        secret_data={"A_KEY": "a", "GONE": "x"},
        secret_keys=frozenset({"A_KEY", "GONE"}),
        config_map_data={"config.yaml": "old"},
    )
    apply_litellm(cast(Any, kube), DESIRED, observed)
    (secret, config_map, deployment) = kube.calls
    assert secret == (
        "patch",
        "/api/v1/namespaces/ns/secrets/litellm-credentials?fieldManager=install-contract",
        {
            "metadata": {"annotations": {SECRET_KEYS_ANNOTATION: "A_KEY,B_KEY"}},
            "data": {"GONE": None, "A_KEY": "YQ==", "B_KEY": "Yg=="},
        },
    )
    assert config_map == (
        "patch",
        "/api/v1/namespaces/ns/configmaps/litellm-config?fieldManager=install-contract",
        {"data": {"config.yaml": "model_list: []\n"}},
    )
    assert deployment[2] == {
        "spec": {
            "template": {
                "metadata": {"annotations": {CONFIG_SHA_ANNOTATION: "abc", SECRET_VERSION_ANNOTATION: "12"}}
            }
        }
    }
