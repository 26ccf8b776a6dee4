"""End to end: after `apply_litellm` (real kubernetes client, kmock), the real LiteLLM 1.106.2
proxy started on the ConfigMap's `config.yaml` with the Secret's data as its environment routes
chat requests to a fake OpenAI-compatible backend, each with its own key."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import httpx
import pytest

from contract.clients.http import RetryPolicy
from contract.clients.kube import Kube
from contract.pipeline.model import Litellm
from contract.pipeline.render import render
from contract.pipeline.validate import validate_text
from contract.workflows.apply.litellm import apply_litellm, desired_litellm, diff_litellm, observe_litellm
from tests.support.kube_mock import KubeCluster
from tests.support.litellm_kube import CONFIG_MAPS, DEPLOYMENT, DEPLOYMENTS, NS, SECRETS, stored
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, require_peer

pytestmark = pytest.mark.integration

LITERAL = "sk-literal-canary-e2e-41b7"
OPENAI_KEY = "sk-openai-canary-e2e-93c0"
MASTER_KEY = "sk-master-canary-e2e-5d21"


def contract_text(backend: str) -> str:
    return f"""
platform:
  kubernetes: {{namespace: {NS}}}
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    apiBase: ${{OPENAI_BASE_URL}}
    apiKey: ${{OPENAI_API_KEY}}
  - litellmModelName: local-llm
    litellmModel: openai/local-llm
    displayName: Local
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 8192
    apiBase: {backend}/v1
    apiKey: {LITERAL}
"""


def test_the_real_proxy_routes_with_what_apply_wrote(kube_cluster: KubeCluster, tmp_path: Path) -> None:
    require_peer("litellm")
    with FakeOpenAIBackend(models=["gpt-4o", "local-llm"]) as backend:
        text = contract_text(backend.url)
        result = validate_text(text, file="install-contract.yaml")
        assert result.contract is not None and result.errors == 0
        rendering = render(
            result.contract,
            source_name="install-contract.yaml",
            source_bytes=text.encode(),
            targets=["litellm"],
        )
        env = {
            "OPENAI_API_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": f"{backend.url}/v1",
            "LITELLM_MASTER_KEY": MASTER_KEY,
        }
        desired = desired_litellm(
            result.contract, rendering.files["litellm/config.yaml"].decode(), env, Litellm()
        )
        kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
        retry = RetryPolicy(attempts=2, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
        with Kube(kube_cluster.target(), timeout=5, retry=retry) as kube:
            apply_litellm(kube, desired, observe_litellm(kube, NS, Litellm()))
            changes, _ = diff_litellm(desired, observe_litellm(kube, NS, Litellm()))
            assert [c.action for c in changes] == ["keep", "keep", "keep"]

        # What a pod would get: the ConfigMap mounted as a file, the Secret as its environment.
        config = stored(kube_cluster, CONFIG_MAPS, "litellm-config")["data"]["config.yaml"]
        assert all(secret not in config for secret in (LITERAL, OPENAI_KEY, MASTER_KEY))
        config_path = tmp_path / "config.yaml"
        config_path.write_text(config, encoding="utf-8")
        secret = stored(kube_cluster, SECRETS, "litellm-credentials")["data"]
        pod_env = {k: base64.b64decode(v).decode() for k, v in secret.items()}

        # A loaded machine (CI runners) can take minutes to start the proxy.
        with LiteLLMProxy(config_path, pod_env, ready_timeout=180) as proxy:
            headers = {"Authorization": f"Bearer {MASTER_KEY}"}
            for model, key in (("local-llm", LITERAL), ("gpt-4o", OPENAI_KEY)):
                backend.clear()
                answer = httpx.post(
                    f"{proxy.base_url}/v1/chat/completions",
                    headers=headers,
                    json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
                    timeout=60,
                )
                assert answer.status_code == 200, answer.text
                assert answer.json()["choices"][0]["message"]["content"] == backend.reply
                sent = backend.requests_to("/v1/chat/completions", "POST")
                assert len(sent) == 1
                assert sent[0].body["model"] == model
                assert sent[0].header("authorization") == f"Bearer {key}"
            # Without the master key from the Secret, the proxy refuses.
            refused = httpx.post(
                f"{proxy.base_url}/v1/chat/completions",
                headers={"Authorization": "Bearer sk-wrong"},
                json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
                timeout=60,
            )
            assert refused.status_code in (400, 401, 403)
