"""The real LiteLLM proxy (1.106.2) runs on the config that `kubectl kustomize` builds for one
environment of `render --target gitops`, and routes a request to that environment's backend.

The contract's base points the self-hosted model at an in-cluster service; its `prod`
environment points it at a fake OpenAI backend through a variable. The ConfigMap built for
prod is what the proxy reads: a model dev leaves out is not listed, and prod's request
reaches prod's backend with the served name and the vLLM key.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.main import main as cli
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, require_peer

pytestmark = pytest.mark.integration

CONTRACT = """\
models:
  - litellmModelName: qwen3-coder-30b
    litellmModel: openai/qwen3-coder-30b
    displayName: Qwen3 Coder 30B
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 262144
    maxTokens: 16384
    apiBase: http://vllm-qwen.inference.svc.cluster.local:8000/v1
    apiKey: ${{VLLM_API_KEY}}
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${{OPENAI_API_KEY}}
gitops:
  repoURL: https://git.example.internal/platform/ai-models.git
environments:
  dev:
    only: [gpt-4o]
  prod:
    variables:
      BACKEND: {backend}
    overrides:
      qwen3-coder-30b:
        apiBase: http://${{BACKEND}}/v1
    platform:
      kubernetes: {{namespace: ai-prod}}
"""


def test_litellm_runs_on_the_configmap_kustomize_builds_for_prod(tmp_path: Path) -> None:
    require_peer("litellm")
    kubectl = shutil.which("kubectl")
    assert kubectl is not None, "kubectl 1.32 is part of this project's machines"
    with FakeOpenAIBackend(models=["qwen3-coder-30b"]) as fake:
        source = tmp_path / "install-contract.yaml"
        source.write_text(CONTRACT.format(backend=fake.url.removeprefix("http://")), encoding="utf-8")
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["render", str(source), "-t", "gitops", "-o", str(out)], env={})
        assert result.exit_code == 0, result.output
        built = subprocess.run(
            [kubectl, "kustomize", str(out / "overlays" / "prod")],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        (config_map,) = [d for d in YAML(typ="safe").load_all(built) if d and d["kind"] == "ConfigMap"]
        assert config_map["metadata"]["namespace"] == "ai-prod"
        config = tmp_path / "config.yaml"
        config.write_text(config_map["data"]["config.yaml"], encoding="utf-8")
        env = {
            "LITELLM_MASTER_KEY": f"sk-master-{secrets.token_hex(6)}",
            "VLLM_API_KEY": f"vllm-{secrets.token_hex(6)}",
            "OPENAI_API_KEY": f"openai-{secrets.token_hex(6)}",
        }
        with LiteLLMProxy(config, env) as proxy:
            auth = {"Authorization": f"Bearer {env['LITELLM_MASTER_KEY']}"}
            listed = httpx.get(f"{proxy.base_url}/v1/models", headers=auth, timeout=30).json()
            assert {m["id"] for m in listed["data"]} == {"qwen3-coder-30b", "gpt-4o"}
            response = httpx.post(
                f"{proxy.base_url}/v1/chat/completions",
                headers=auth,
                json={"model": "qwen3-coder-30b", "messages": [{"role": "user", "content": "hi"}]},
                timeout=60,
            )
            assert response.status_code == 200, f"{response.text}\n{proxy.log()[-3000:]}"
            assert response.json()["choices"][0]["message"]["content"] == fake.reply
        (sent,) = fake.requests_to("/v1/chat/completions", "POST")
        assert sent.body["model"] == "qwen3-coder-30b"
        assert sent.header("authorization") == f"Bearer {env['VLLM_API_KEY']}"
        dev = (out / "overlays" / "dev" / "config.yaml").read_text()
        assert "qwen3-coder-30b" not in dev and fake.url not in dev
