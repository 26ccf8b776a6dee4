"""`check` against the real LiteLLM proxy as the endpoint, tools routed to fake backends.

The proxy (.peers/litellm) routes `qwen3-coder` to a backend whose model calls tools and
`plain-chat` to one that answers in plain text, as a vLLM without --tool-call-parser does.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.main import main
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, RecordedRequest, require_peer

pytestmark = pytest.mark.integration

MASTER_KEY = "sk-canary-litellm-master-51c2"
VLLM_API_KEY = "sk-canary-vllm-9d04"


class ToolCallingBackend(FakeOpenAIBackend):
    """A model that answers a request offering tools with a call to the first tool."""

    def completion(self, request: RecordedRequest) -> dict[str, Any]:
        reply = super().completion(request)
        tools = request.body.get("tools") or []
        if tools:
            name = tools[0]["function"]["name"]
            reply["choices"][0]["message"] = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_fake_1",
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps({"location": "San Francisco"})},
                    }
                ],
            }
            reply["choices"][0]["finish_reason"] = "tool_calls"
        return reply


@pytest.fixture(scope="module")
def backends() -> Iterator[tuple[FakeOpenAIBackend, FakeOpenAIBackend]]:
    with (
        ToolCallingBackend(models=["qwen3-coder"]) as tools,
        FakeOpenAIBackend(models=["plain-chat"]) as plain,
    ):
        yield tools, plain


@pytest.fixture(scope="module")
def proxy(
    backends: tuple[FakeOpenAIBackend, FakeOpenAIBackend], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiteLLMProxy]:
    require_peer("litellm")
    tools, plain = backends
    config = {
        "model_list": [
            {
                "model_name": name,
                "litellm_params": {
                    "model": f"openai/{name}",
                    "api_base": f"{backend.url}/v1",
                    "api_key": "os.environ/VLLM_API_KEY",
                },
                "model_info": {"id": name},
            }
            for name, backend in (("qwen3-coder", tools), ("plain-chat", plain))
        ],
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
    }
    path = tmp_path_factory.mktemp("litellm") / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")
    with LiteLLMProxy(path, {"LITELLM_MASTER_KEY": MASTER_KEY, "VLLM_API_KEY": VLLM_API_KEY}) as running:
        yield running


def _entry(name: str, api_base: str, key_var: str = "LITELLM_KEY") -> dict[str, Any]:
    return {
        "litellmModelName": name,
        "litellmModel": f"openai/{name}",
        "displayName": name,
        "provider": "Self-Hosted",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 32768,
        "maxTokens": 4096,
        "apiBase": api_base,
        "apiKey": "${" + key_var + "}",
    }


def test_check_through_the_litellm_proxy(
    proxy: LiteLLMProxy, backends: tuple[FakeOpenAIBackend, FakeOpenAIBackend], tmp_path: Path
) -> None:
    tools, plain = backends
    base = f"{proxy.base_url}/v1"
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(
        json.dumps(
            {
                "models": [
                    _entry("qwen3-coder", base),
                    _entry("plain-chat", base),
                    _entry("qwen3-coder-30b", base),
                    _entry("wrong-key", base, "WRONG_KEY"),
                ]
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["check", str(contract), "--where", "local", "-f", "json", "--timeout", "30"],
        env={"LITELLM_KEY": MASTER_KEY, "WRONG_KEY": "sk-not-the-master-key"},
        catch_exceptions=False,
    )
    output = result.stdout + result.stderr
    for secret in (MASTER_KEY, VLLM_API_KEY):
        assert secret not in output
    assert result.exit_code == 3, output
    results = {r["model"]: r for r in json.loads(result.stdout)["results"]}

    def steps(model: str) -> list[tuple[str, str, str]]:
        return [(s["name"], s["status"], s["detail"]) for s in results[model]["steps"]]

    assert steps("qwen3-coder")[1:] == [
        ("models", "pass", "qwen3-coder served"),
        ("tool-call", "pass", "tool_calls names get_weather"),
    ]
    assert results["qwen3-coder"]["ok"] is True
    plain_tool = steps("plain-chat")[2]
    assert plain_tool[:2] == ("tool-call", "fail") and plain_tool[2].startswith(
        "tool-call parser missing or wrong"
    )
    missing = steps("qwen3-coder-30b")[1]
    assert missing[:2] == ("models", "fail")
    assert (
        missing[2].startswith("served names: ") and "qwen3-coder" in missing[2] and "plain-chat" in missing[2]
    )
    assert missing[2].split(";")[1].strip().startswith("expected qwen3-coder-30b")
    # Without a database LiteLLM 1.106.2 answers a wrong key with 400 "No connected db.", not 401:
    # the report passes the server's own words on.
    refused = steps("wrong-key")[1]
    assert refused == ("models", "fail", "HTTP 400 at GET /v1/models (No connected db.)")

    # LiteLLM routed the seed's tool request to the backend with the served name and the vLLM key.
    sent = tools.requests_to("/v1/chat/completions", "POST")[-1]
    assert sent.body["model"] == "qwen3-coder"
    assert sent.body["tools"][0]["function"]["name"] == "get_weather"
    assert sent.header("Authorization") == f"Bearer {VLLM_API_KEY}"
    assert plain.requests_to("/v1/chat/completions", "POST")
