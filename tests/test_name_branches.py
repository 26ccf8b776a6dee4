"""IC102-IC108 branch by branch: the exact place, message and hint, and the quiet neighbours.

Base URLs are the providers' documented ones (DeepSeek: https://api.deepseek.com with or
without /v1); Azure's apiBase is the resource URL (LiteLLM adds deployment and api-version).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.entries import Found, cloud
from tests.support.entries import findings as found_with
from tests.support.entries import served as served_model

CODES = ("IC102", "IC103", "IC104", "IC105", "IC106", "IC107", "IC108")
IN_CLUSTER = "http://m.inference.svc.cluster.local:8000"


def served(api_base: str, **fields: Any) -> dict[str, Any]:
    tools = {"toolCallParser": "hermes", "enableAutoToolChoice": True}
    return served_model("acme/x-8b", tools, apiBase=api_base, **fields)


def findings(entry: dict[str, Any]) -> list[Found]:
    return found_with(entry, CODES)


def azure(**fields: Any) -> dict[str, Any]:
    entry = {
        "litellmModelName": "az",
        "litellmModel": "azure/my",
        "provider": "Azure OpenAI",
        "baseModel": "gpt-4o",
        "apiVersion": "2024-10-21",
        "apiBase": "https://r.openai.azure.com",
        **fields,
    }
    return cloud(**entry)


def deepseek(api_base: str) -> dict[str, Any]:
    return cloud(
        litellmModelName="ds",
        litellmModel="deepseek/deepseek-chat",
        provider="DeepSeek",
        apiBase=api_base,
        contextWindow=65536,
        apiKey="${DEEPSEEK_API_KEY}",
    )


def ollama(api_base: str, prefix: str = "ollama_chat") -> dict[str, Any]:
    fields = {"litellmModelName": "llama3.1", "provider": "Ollama", "contextWindow": 131072}
    return {**cloud(litellmModel=f"{prefix}/llama3.1", apiBase=api_base, **fields), "apiKey": None}


OLLAMA_V1 = (
    "LiteLLM's {}/ calls Ollama's native API (/api/chat, /api/generate), not its OpenAI-compatible /v1"
)

QUIET = [
    pytest.param(ollama("http://gpu-box:11434"), id="IC105-ollama-native"),
    pytest.param(ollama("http://localhost:11434/", "ollama"), id="IC105-ollama-documented"),
    pytest.param(served("${M_URL}"), id="IC105-a-whole-variable"),
    pytest.param(served(f"{IN_CLUSTER}/v1/"), id="IC105-a-trailing-slash"),
    pytest.param(azure(), id="IC105-azure-resource-url"),
    pytest.param(deepseek("https://api.deepseek.com"), id="IC105-documented-url"),
    pytest.param(deepseek("https://api.deepseek.com/v1/"), id="IC105-documented-url-with-v1"),
    pytest.param(
        cloud(
            litellmModelName="c",
            litellmModel="anthropic/claude-sonnet-4-20250514",
            provider="Anthropic",
            contextWindow=200000,
            apiBase="https://proxy.example.com/anthropic",
        ),
        id="IC105-not-openai-compatible",
    ),
    pytest.param(azure(baseModel=None), id="IC107-azure-without-baseModel"),
    pytest.param(cloud(litellmModel="openai/gpt-4o-2024-08-06"), id="IC106-a-dated-id"),
]


@pytest.mark.parametrize("entry", QUIET)
def test_quiet(entry: dict[str, Any]) -> None:
    assert findings({k: v for k, v in entry.items() if v is not None}) == []


NOT_URL = "write the full URL, e.g. http://my-model.inference.svc.cluster.local:8000/v1"
FIXED = f"write apiBase: {IN_CLUSTER}/v1"
APPENDS = "apiBase is a base URL: LiteLLM appends /chat/completions itself"
NO_V1 = "an OpenAI-compatible apiBase must end in /v1 (requests would miss /v1/chat/completions)"
AZURE = "an Azure apiBase is the resource URL only; LiteLLM adds the deployment and api-version"
AZURE_FIX = "write apiBase: https://r.openai.azure.com and put the version in apiVersion"
BASE = "/models/0/apiBase"
FOUND = [
    pytest.param(
        served("ftp://m:8000/v1"),
        ("IC105", "error", BASE, "apiBase 'ftp://m:8000/v1' is not an http(s) URL", NOT_URL),
        id="IC105-scheme",
    ),
    pytest.param(
        served("http:///v1"),
        ("IC105", "error", BASE, "apiBase 'http:///v1' is not an http(s) URL", NOT_URL),
        id="IC105-host",
    ),
    pytest.param(
        served(f"{IN_CLUSTER}/v1/chat/completions"), ("IC105", "error", BASE, APPENDS, FIXED), id="IC105-chat"
    ),
    pytest.param(
        served(f"{IN_CLUSTER}/v1/completions"),
        ("IC105", "error", BASE, APPENDS, FIXED),
        id="IC105-completions",
    ),
    pytest.param(
        served(f"{IN_CLUSTER}/v1/v1"),
        (
            "IC105",
            "error",
            BASE,
            "apiBase ends in /v1/v1: requests would go to /v1/v1/chat/completions",
            FIXED,
        ),
        id="IC105-v1-twice",
    ),
    pytest.param(served(IN_CLUSTER), ("IC105", "error", BASE, NO_V1, FIXED), id="IC105-no-v1"),
    pytest.param(
        ollama("http://gpu-box:11434/v1"),
        ("IC105", "error", BASE, OLLAMA_V1.format("ollama_chat"), "write apiBase: http://gpu-box:11434"),
        id="IC105-ollama-chat-v1",
    ),
    pytest.param(
        ollama("http://localhost:11434/v1/", "ollama"),
        ("IC105", "error", BASE, OLLAMA_V1.format("ollama"), "write apiBase: http://localhost:11434"),
        id="IC105-ollama-v1-at-the-documented-host",
    ),
    pytest.param(
        cloud(apiBase="https://gateway.example.com/openai"),
        ("IC105", "error", BASE, NO_V1, "write apiBase: https://gateway.example.com/openai/v1"),
        id="IC105-openai-gateway-no-v1",
    ),
    pytest.param(
        azure(apiBase="https://r.openai.azure.com/openai/deployments/my"),
        ("IC105", "error", BASE, AZURE, AZURE_FIX),
        id="IC105-azure-deployment-path",
    ),
    pytest.param(
        azure(apiBase="https://r.openai.azure.com?api-version=2024-10-21"),
        ("IC105", "error", BASE, AZURE, AZURE_FIX),
        id="IC105-azure-version-in-url",
    ),
    pytest.param(
        deepseek("https://api.deepseek.com/v2"),
        (
            "IC105",
            "error",
            BASE,
            "apiBase is not a base URL DeepSeek documents (https://api.deepseek.com/v1 or https://api.deepseek.com)",
            "write apiBase: https://api.deepseek.com/v1, or leave apiBase out",
        ),
        id="IC105-undocumented-url",
    ),
    pytest.param(
        cloud(litellmModel="gpt-4o"),
        (
            "IC102",
            "error",
            "/models/0/litellmModel",
            "litellmModel 'gpt-4o' has no provider prefix",
            "write openai/gpt-4o",
        ),
        id="IC102-no-prefix",
    ),
    pytest.param(
        cloud(litellmModel="foo/gpt-4o"),
        (
            "IC102",
            "error",
            "/models/0/litellmModel",
            "'foo' in 'foo/gpt-4o' is not a LiteLLM provider prefix",
            "see `install-contract catalog` for prefixes",
        ),
        id="IC102-unknown-prefix",
    ),
    pytest.param(
        cloud(provider="Anthropic"),
        (
            "IC103",
            "error",
            "/models/0/litellmModel",
            "prefix 'openai' does not route to provider 'Anthropic'",
            "use anthropic/… for provider 'Anthropic', or set provider: OpenAI",
        ),
        id="IC103",
    ),
    pytest.param(
        served(f"{IN_CLUSTER}/v1", litellmModel="vllm/m"),
        (
            "IC108",
            "error",
            "/models/0/litellmModel",
            "the vllm/ prefix runs vLLM inside the LiteLLM proxy instead of calling your server",
            "write litellmModel: openai/m (or hosted_vllm/m) with an apiBase",
        ),
        id="IC108",
    ),
    pytest.param(
        cloud(
            litellmModelName="c",
            litellmModel="anthropic/claude-sonnet-4",
            provider="Anthropic",
            contextWindow=200000,
        ),
        (
            "IC106",
            "warning",
            "/models/0/litellmModel",
            "'claude-sonnet-4' is an alias that can move to another model",
            "pin the dated id: anthropic/claude-sonnet-4-20250514",
        ),
        id="IC106-undated-claude",
    ),
    pytest.param(
        cloud(
            litellmModelName="m",
            litellmModel="mistral/mistral-large-latest",
            provider="Mistral AI",
            apiKey="${MISTRAL_API_KEY}",
        ),
        (
            "IC106",
            "warning",
            "/models/0/litellmModel",
            "'mistral-large-latest' is an alias that can move to another model",
            "pin the dated id: mistral/mistral-large-2512",
        ),
        id="IC106-latest",
    ),
    pytest.param(
        cloud(litellmModel="openai/gpt-9"),
        (
            "IC107",
            "warning",
            "/models/0/litellmModel",
            "'openai/gpt-9' is not a model the catalog knows",
            "did you mean openai/gpt-5?",
        ),
        id="IC107-unknown-id",
    ),
    pytest.param(
        azure(baseModel="gpt-9"),
        (
            "IC107",
            "warning",
            "/models/0/baseModel",
            "baseModel 'gpt-9' is not a model the catalog knows",
            "did you mean gpt-5?",
        ),
        id="IC107-unknown-azure-base-model",
    ),
]


@pytest.mark.parametrize(("entry", "finding"), FOUND)
def test_each_branch_says_where_what_and_how_to_fix(
    entry: dict[str, Any], finding: tuple[str, str, str, str, str]
) -> None:
    assert findings(entry) == [finding]


def test_an_azure_ai_model_without_base_model_is_judged_by_its_id() -> None:
    (code, _, path, message, _) = findings(
        cloud(litellmModelName="x", litellmModel="azure_ai/nope-model", provider="Azure AI Foundry")
    )[0]
    assert (code, path, message) == (
        "IC107",
        "/models/0/litellmModel",
        "'azure_ai/nope-model' is not a model the catalog knows",
    )


def test_an_alias_is_pinned_to_its_own_providers_dated_id() -> None:
    vertex = cloud(
        litellmModelName="v", litellmModel="vertex_ai/claude-3-5-sonnet", provider="Google Vertex AI"
    )
    assert findings(vertex)[0][4] == "pin the dated id: vertex_ai/claude-3-5-sonnet@20240620"
    anthropic = cloud(
        litellmModelName="c",
        litellmModel="anthropic/claude-3-5-sonnet-latest",
        provider="Anthropic",
        contextWindow=200000,
    )
    assert findings(anthropic)[0][4] == "pin a dated model id"  # not Vertex AI's `@` id
