"""The routers: block: typing, rendering and where a router sends requests (the IC6xx rules:
tests/rules/test_routers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.pipeline._pydantic import parse
from contract.pipeline.model import ModelEntry
from contract.pipeline.router_config import endpoint, provider_model_id
from contract.pipeline.validate import validate_file
from tests.support.corpus import CONTRACTS
from tests.support.router_contracts import OPTIONS, ROUTERS, VALID_ROUTER, found, run


def test_the_example_router_validates_and_is_typed(write) -> None:  # type: ignore[no-untyped-def]
    result = run(write, ROUTERS)
    assert result.diagnostics == ()
    assert result.contract is not None
    router = result.contract.routers["coding"]
    assert router.port == 8899
    assert [d.name for d in router.decisions] == ["code_route", "math_route"]


def test_routers_must_be_a_mapping(write) -> None:  # type: ignore[no-untyped-def]
    assert found(write, "  - coding\n") == [("IC004", "/routers")]


def test_router_name_must_be_a_dns_label(write) -> None:  # type: ignore[no-untyped-def]
    assert found(write, "  Coding_Router:\n    default: qwen3-8b\n") == [("IC004", "/routers/Coding_Router")]


def test_router_typing_errors_are_located(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "  coding:\n    port: '8899'\n    defualt: qwen3-8b\n"
        "    decisions:\n      - {name: d, priority: 1, rules: {operator: XOR}, modelRefs: []}\n"
    )
    diagnostics = run(write, text).diagnostics
    assert {(d.code, d.path) for d in diagnostics} == {
        ("IC004", "/routers/coding/port"),
        ("IC005", "/routers/coding/defualt"),
        ("IC003", "/routers/coding/default"),
        ("IC004", "/routers/coding/decisions/0/rules/operator"),
        ("IC004", "/routers/coding/decisions/0/modelRefs"),
    }
    unknown = next(d for d in diagnostics if d.code == "IC005")
    assert unknown.hint == "did you mean default?"


def test_a_broken_router_hides_no_other(write) -> None:  # type: ignore[no-untyped-def]
    text = "  broken:\n    default: qwen3-8b\n    port: 0\n  other:\n    default: nope\n"
    assert found(write, text) == [("IC004", "/routers/broken/port"), ("IC601", "/routers/other/default")]


def test_a_decision_needs_a_priority_and_may_omit_rules(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "  coding:\n    default: qwen3-8b\n    decisions:\n"
        "      - {name: a, modelRefs: [{model: qwen3-8b}]}\n"
        "      - {name: b, priority: 1, modelRefs: [{model: qwen3-8b}]}\n"
    )
    assert found(write, text) == [("IC003", "/routers/coding/decisions/0/priority")]


def entry(**fields: object) -> ModelEntry:
    base: dict[str, object] = {
        "litellmModelName": "m",
        "litellmModel": "openai/m",
        "displayName": "M",
        "provider": "Self-Hosted",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 8192,
    }
    return parse(ModelEntry, {**base, **fields})


@pytest.mark.parametrize(
    ("fields", "address", "protocol", "chat_path"),
    [
        (
            {"apiBase": "http://qwen.llm.svc.cluster.local:8000/v1"},
            "qwen.llm.svc.cluster.local:8000",
            "http",
            None,
        ),
        ({"apiBase": "https://gw.example.com/v1"}, "gw.example.com:443", "https", None),
        ({"apiBase": "http://[fd00::5]:8000/v1"}, "[fd00::5]:8000", "http", None),
        ({"apiBase": "https://[2001:db8::1]/v1"}, "[2001:db8::1]:443", "https", None),
        ({"apiBase": "http://10.0.0.5/openai/v1/"}, "10.0.0.5:80", "http", "/openai/v1/chat/completions"),
        (
            {
                "litellmModel": "ollama_chat/qwen3:8b",
                "provider": "Ollama",
                "apiBase": "http://127.0.0.1:11434",
            },
            "127.0.0.1:11434",
            "http",
            None,
        ),
        ({"litellmModel": "openai/gpt-4o", "provider": "OpenAI"}, "api.openai.com:443", "https", None),
        (
            {"litellmModel": "groq/llama-3.3-70b-versatile", "provider": "Groq"},
            "api.groq.com:443",
            "https",
            "/openai/v1/chat/completions",
        ),
    ],
)
def test_endpoint_of_reachable_models(
    fields: dict[str, object], address: str, protocol: str, chat_path: str | None
) -> None:
    found_endpoint, why = endpoint(entry(**fields))
    assert why is None and found_endpoint is not None
    assert (found_endpoint.address, found_endpoint.protocol, found_endpoint.chat_path) == (
        address,
        protocol,
        chat_path,
    )


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"litellmModel": "anthropic/claude-sonnet-4-20250514", "provider": "Anthropic"}, "OpenAI protocol"),
        ({"litellmModel": "hosted_vllm/m"}, "no apiBase"),
        ({"apiBase": "${QWEN_BASE}"}, "environment reference"),
        ({"apiBase": "ftp://host/v1"}, "not an http(s) URL"),
        ({"apiBase": "http://host:99999/v1"}, "not a URL"),
    ],
)
def test_endpoint_of_unreachable_models(fields: dict[str, object], why: str) -> None:
    found_endpoint, reason = endpoint(entry(**fields))
    assert found_endpoint is None and reason is not None and why in reason


def test_provider_model_id_is_what_the_server_expects() -> None:
    assert provider_model_id(entry(litellmModel="ollama_chat/qwen3:8b", provider="Ollama")) == "qwen3:8b"
    assert provider_model_id(entry(vllm={"model": "Qwen/Qwen3-8B", "servedModelName": "m"})) == "m"
    assert provider_model_id(entry()) == "m"


# -- render --target router -------------------------------------------------------------------


def _render(path: Path, targets: list[str] | None = None):  # type: ignore[no-untyped-def]
    from contract.pipeline.render import render

    result = validate_file(str(path), OPTIONS)
    assert result.contract is not None and result.valid
    return render(result.contract, source_name=path.name, source_bytes=path.read_bytes(), targets=targets)


def test_routers_render_by_default_only_when_the_contract_has_them() -> None:
    from tests.support.corpus import FIXTURES

    with_routers = _render(CONTRACTS / "valid" / "router-coding.yaml")
    assert "router" in with_routers.targets and "router/coding.yaml" in with_routers.files
    without = _render(FIXTURES / "install-contract.yaml")
    assert "router" not in without.targets
    assert not [p for p in without.files if p.startswith("router/")]
    assert _render(FIXTURES / "install-contract.yaml", ["router"]).files.keys() == {"manifest.json"}


def test_router_config_is_deterministic_and_names_its_key_variables() -> None:
    first = _render(CONTRACTS / "valid" / "router-coding.yaml", ["router"])
    second = _render(CONTRACTS / "valid" / "router-coding.yaml", ["router"])
    assert first.files == second.files
    text = first.files["router/coding.yaml"].decode()
    assert "#   VLLM_API_KEY\n" in text
    assert "api_key_env: VLLM_API_KEY" in text
    assert '"model": "auto"' in text


def test_a_literal_key_is_never_rendered_into_a_router(write) -> None:  # type: ignore[no-untyped-def]
    canary = "sk-canary-router-4242"
    text = VALID_ROUTER.replace("apiKey: ${VLLM_API_KEY}", f"apiKey: {canary}")
    rendering = _render(write(text), ["router"])
    body = rendering.files["router/coding.yaml"].decode()
    assert canary not in body
    assert "api_key_env: QWEN3_8B_API_KEY" in body


def test_an_ipv6_api_base_keeps_its_brackets_in_the_router_config(write) -> None:  # type: ignore[no-untyped-def]
    import yaml

    text = VALID_ROUTER.replace(
        "apiBase: http://qwen3-8b.llm.svc.cluster.local:8000/v1", "apiBase: http://[fd00::5]:8000/v1"
    )
    assert text != VALID_ROUTER
    rendering = _render(write(text), ["router"])
    config = yaml.safe_load(rendering.files["router/coding.yaml"])
    endpoints = {
        ref["name"]: ref["endpoint"]
        for model in config["providers"]["models"]
        for ref in model["backend_refs"]
    }
    assert endpoints["qwen3-8b"] == "[fd00::5]:8000"


# Three kinds of model behind one router, each with values no other field shares: a cloud model
# whose server id differs from its name, a self-hosted one behind a path and TLS, one with a key.
WHOLE = """\
models:
  - litellmModelName: qwen3-8b
    litellmModel: openai/qwen3-8b
    displayName: Qwen3 8B
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 32768
    maxTokens: 8192
    description: Small and quick
    apiBase: http://qwen3-8b.llm.svc.cluster.local:8000/v1
    apiKey: ${VLLM_API_KEY}
    vllm:
      model: Qwen/Qwen3-8B
      gpus: {count: 1, memoryGiB: 80}
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
      reasoningParser: qwen3
  - litellmModelName: fast-chat
    litellmModel: openai/gpt-4o-mini
    displayName: GPT-4o mini
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
  - litellmModelName: llama-3.3-70b
    litellmModel: openai/llama-3.3-70b
    displayName: Llama 3.3 70B
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 131072
    maxTokens: 4096
    apiBase: https://llama.inference.svc.cluster.local:8443/serving/v1
    vllm:
      model: meta-llama/Llama-3.3-70B-Instruct
      dtype: bfloat16
      tensorParallelSize: 4
      gpus: {count: 4, memoryGiB: 80}
      toolCallParser: llama3_json
      enableAutoToolChoice: true
routers:
  coding:
    default: fast-chat
    port: 8801
    signals:
      keywords:
        - {name: code_keywords, operator: OR, keywords: [code, debug]}
    decisions:
      - name: code_route
        priority: 200
        rules: {operator: OR, conditions: [{type: keyword, name: code_keywords}]}
        modelRefs: [{model: llama-3.3-70b}, {model: qwen3-8b, use_reasoning: true}]
"""


def test_the_whole_router_config_is_what_the_contract_says(write) -> None:  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    body = _render(write(WHOLE), ["router"]).files["router/coding.yaml"].decode()
    assert body.splitlines()[6:9] == [
        "# Environment variables it reads (the upstream keys):",
        "#   OPENAI_API_KEY",
        "#   VLLM_API_KEY",
    ]
    assert YAML(typ="safe", pure=True).load(body) == {
        "version": "v0.3",
        "listeners": [{"name": "coding-8801", "address": "0.0.0.0", "port": 8801, "timeout": "300s"}],
        "providers": {
            "defaults": {"model": "fast-chat"},
            "models": [
                {
                    "name": "fast-chat",
                    "provider_model_id": "gpt-4o-mini",  # what OpenAI expects, not the entry's name
                    "api_format": "openai",
                    "backend_refs": [
                        {
                            "name": "fast-chat",
                            "provider": "openai",
                            "endpoint": "api.openai.com:443",
                            "protocol": "https",
                            "weight": 100,
                            "api_key_env": "OPENAI_API_KEY",
                        }
                    ],
                },
                {
                    "name": "llama-3.3-70b",
                    "provider_model_id": "llama-3.3-70b",
                    "api_format": "openai",
                    "backend_refs": [
                        {
                            "name": "llama-3.3-70b",
                            "provider": "vllm",
                            "endpoint": "llama.inference.svc.cluster.local:8443",
                            "protocol": "https",
                            "weight": 100,
                            "chat_path": "/serving/v1/chat/completions",
                        }
                    ],
                },
                {
                    "name": "qwen3-8b",
                    "provider_model_id": "qwen3-8b",
                    "api_format": "openai",
                    "backend_refs": [
                        {
                            "name": "qwen3-8b",
                            "provider": "vllm",
                            "endpoint": "qwen3-8b.llm.svc.cluster.local:8000",
                            "protocol": "http",
                            "weight": 100,
                            "api_key_env": "VLLM_API_KEY",
                        }
                    ],
                },
            ],
        },
        "routing": {
            "strategy": "priority",
            "modelCards": [
                {
                    "name": "fast-chat",
                    "context_window_size": 128000,
                    "max_output_tokens": 16384,
                    "capabilities": ["chat", "tools"],
                },
                {
                    "name": "llama-3.3-70b",
                    "param_size": "70.6B",
                    "context_window_size": 131072,
                    "max_output_tokens": 4096,
                    "capabilities": ["chat", "tools"],
                },
                {
                    "name": "qwen3-8b",
                    "param_size": "8.2B",
                    "context_window_size": 32768,
                    "max_output_tokens": 8192,
                    "description": "Small and quick",
                    "capabilities": ["chat", "reasoning", "tools"],
                },
            ],
            "signals": {
                "keywords": [{"name": "code_keywords", "operator": "OR", "keywords": ["code", "debug"]}]
            },
            "decisions": [
                {
                    "name": "code_route",
                    "priority": 200,
                    "rules": {"operator": "OR", "conditions": [{"type": "keyword", "name": "code_keywords"}]},
                    "modelRefs": [{"model": "llama-3.3-70b"}, {"model": "qwen3-8b", "use_reasoning": True}],
                }
            ],
        },
    }
