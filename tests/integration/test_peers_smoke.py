"""The real-peer harness works: LiteLLM's proxy in front of the fake OpenAI
backend with a hand-written config, and vLLM's real `serve` parser.

These prove tests/support/peers.py itself, so that later integration tests can trust
it to prove rendered artifacts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# tests/ holds the harness module; pytest puts only this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import peers
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, require_peer, vllm_parse

pytestmark = pytest.mark.integration

MASTER_KEY = "sk-master-smoke"
VLLM_API_KEY = "vllm-key-smoke"
AZURE_API_KEY = "azure-key-smoke"
AZURE_API_VERSION = "2024-10-21"


def litellm_config(fake_url: str) -> dict[str, Any]:
    return {
        "model_list": [
            {
                "model_name": "served-x",
                "litellm_params": {
                    "model": "openai/served-x",
                    "api_base": f"{fake_url}/v1",
                    "api_key": "os.environ/VLLM_API_KEY",
                },
                "model_info": {"id": "served-x"},
            },
            {
                "model_name": "my-dep",
                "litellm_params": {
                    "model": "azure/my-dep",
                    "api_base": fake_url,
                    "api_version": AZURE_API_VERSION,
                    "api_key": "os.environ/AZURE_API_KEY",
                },
            },
        ],
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAIBackend]:
    with FakeOpenAIBackend(models=["served-x"]) as backend:
        yield backend


@pytest.fixture(scope="module")
def proxy(fake: FakeOpenAIBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteLLMProxy]:
    require_peer("litellm")
    config = tmp_path_factory.mktemp("litellm") / "config.yaml"
    # JSON is YAML, and needs no YAML library here.
    config.write_text(json.dumps(litellm_config(fake.url), indent=2), encoding="utf-8")
    env = {"LITELLM_MASTER_KEY": MASTER_KEY, "VLLM_API_KEY": VLLM_API_KEY, "AZURE_API_KEY": AZURE_API_KEY}
    with LiteLLMProxy(config, env) as running:
        yield running


def chat(proxy: LiteLLMProxy, model: str) -> httpx.Response:
    return httpx.post(
        f"{proxy.base_url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {MASTER_KEY}"},
        json={"model": model, "messages": [{"role": "user", "content": "say hi"}], "stream": False},
        timeout=30,
    )


def test_fake_backend_speaks_openai(fake: FakeOpenAIBackend) -> None:
    models = httpx.get(f"{fake.url}/some/base/models", timeout=5)
    assert models.status_code == 200
    assert [m["id"] for m in models.json()["data"]] == ["served-x"]

    reply = httpx.post(
        f"{fake.url}/openai/deployments/dep-a/chat/completions",
        params={"api-version": AZURE_API_VERSION},
        json={"messages": [{"role": "user", "content": "hi"}]},
        headers={"api-key": "k"},
        timeout=5,
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "dep-a"
    assert body["choices"][0]["message"]["role"] == "assistant"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

    seen = fake.requests_to("/openai/deployments/dep-a/chat/completions", "POST")[-1]
    assert seen.query == {"api-version": [AZURE_API_VERSION]}
    assert seen.header("API-Key") == "k"

    missing = httpx.get(f"{fake.url}/v1/nothing", timeout=5)
    assert missing.status_code == 404
    assert "error" in missing.json()


def test_proxy_lists_both_served_names(proxy: LiteLLMProxy) -> None:
    response = httpx.get(
        f"{proxy.base_url}/v1/models", headers={"Authorization": f"Bearer {MASTER_KEY}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert {m["id"] for m in response.json()["data"]} == {"served-x", "my-dep"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sk-not-the-master-key"}])
def test_proxy_refuses_without_master_key(proxy: LiteLLMProxy, headers: dict[str, str]) -> None:
    # LiteLLM 1.106.2 without a database answers 500 with no key and
    # 400 "No connected db." with a wrong one, not 401: assert only the refusal.
    response = httpx.get(f"{proxy.base_url}/v1/models", headers=headers, timeout=10)
    assert response.status_code >= 400, response.text
    assert "served-x" not in response.text


def test_openai_entry_reaches_backend_with_served_name_and_key(
    proxy: LiteLLMProxy, fake: FakeOpenAIBackend
) -> None:
    response = chat(proxy, "served-x")
    assert response.status_code == 200, f"{response.text}\n{proxy.log()[-3000:]}"
    assert response.json()["choices"][0]["message"]["content"] == fake.reply

    sent = fake.requests_to("/v1/chat/completions", "POST")
    assert sent, [r.path for r in fake.requests]
    assert sent[-1].body["model"] == "served-x"
    assert sent[-1].header("authorization") == f"Bearer {VLLM_API_KEY}"


def test_azure_entry_reaches_deployment_path_with_api_key_header(
    proxy: LiteLLMProxy, fake: FakeOpenAIBackend
) -> None:
    response = chat(proxy, "my-dep")
    assert response.status_code == 200, f"{response.text}\n{proxy.log()[-3000:]}"

    sent = fake.requests_to("/openai/deployments/my-dep/chat/completions", "POST")
    assert sent, [r.path for r in fake.requests]
    assert sent[-1].query.get("api-version") == [AZURE_API_VERSION]
    assert sent[-1].header("api-key") == AZURE_API_KEY


DEEPHAT_ARGV = [
    "vllm", "serve", "DeepHat/DeepHat-V2-ext",
    "--served-model-name", "deephat-v2",
    "--port", "8000",
    "--max-model-len", "250000",
    "--dtype", "bfloat16",
    "--tensor-parallel-size", "2",
    "--tool-call-parser", "qwen3_coder",
    "--enable-prefix-caching",
    "--enable-chunked-prefill",
    "--enable-auto-tool-choice",
]  # fmt: skip


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, Any]]:
    require_peer("vllm")
    argvs = {
        "deephat": DEEPHAT_ARGV,
        "unknown_flag": ["vllm", "serve", "m", "--no-such-flag"],
        "bad_dtype": ["vllm", "serve", "m", "--dtype", "nonsense"],
        "auto_tool_without_parser": ["vllm", "serve", "m", "--enable-auto-tool-choice"],
        "unknown_reasoning_parser": ["vllm", "serve", "m", "--reasoning-parser", "no_such_parser"],
    }
    results = vllm_parse(list(argvs.values()))
    return dict(zip(argvs, results, strict=True))


def test_vllm_parses_the_deephat_seed(parsed: dict[str, dict[str, Any]]) -> None:
    result = parsed["deephat"]
    assert result["ok"], result["error"]
    assert result["error"] is None
    assert result["start_error"] is None
    args = result["args"]
    assert args["model_tag"] == "DeepHat/DeepHat-V2-ext"
    assert args["model"] == "DeepHat/DeepHat-V2-ext"
    assert args["served_model_name"] == ["deephat-v2"]
    assert args["max_model_len"] == 250000
    assert args["dtype"] == "bfloat16"
    assert args["tensor_parallel_size"] == 2
    assert args["tool_call_parser"] == "qwen3_coder"
    assert args["enable_auto_tool_choice"] is True
    assert args["enable_prefix_caching"] is True
    assert args["enable_chunked_prefill"] is True
    assert args["port"] == 8000


def test_vllm_rejects_unknown_flag(parsed: dict[str, dict[str, Any]]) -> None:
    result = parsed["unknown_flag"]
    assert not result["ok"]
    assert "unrecognized arguments: --no-such-flag" in result["error"]


def test_vllm_rejects_bad_dtype(parsed: dict[str, dict[str, Any]]) -> None:
    result = parsed["bad_dtype"]
    assert not result["ok"]
    assert "--dtype" in result["error"] and "nonsense" in result["error"]


def test_vllm_validator_runs(parsed: dict[str, dict[str, Any]]) -> None:
    result = parsed["auto_tool_without_parser"]
    assert not result["ok"]
    assert "--enable-auto-tool-choice requires --tool-call-parser" in result["error"]


def test_unknown_reasoning_parser_passes_parse_but_not_server_start(
    parsed: dict[str, dict[str, Any]],
) -> None:
    result = parsed["unknown_reasoning_parser"]
    assert result["ok"], result["error"]
    assert result["start_error"] is not None and "no_such_parser" in result["start_error"]


def test_missing_peer_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(peers, "PEERS_DIR", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="scripts/peers/install-vllm"):
        require_peer("vllm")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="scripts/peers/install-litellm"):
        require_peer("litellm")
