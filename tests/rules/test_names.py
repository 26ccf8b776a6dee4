"""Names, prefixes and endpoints (contract/pipeline/rules/names.py, IC101-IC109).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

Base URLs are the providers' documented ones (DeepSeek: https://api.deepseek.com with or
without /v1); Azure's apiBase is the resource URL (LiteLLM adds deployment and api-version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.pipeline.rules import Options
from tests.support.corpus import EXPORTED, VALID
from tests.support.entries import Found, cloud
from tests.support.entries import findings as found_with
from tests.support.entries import served as served_model
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import ENTRY, diagnostics, family_codes, family_fixtures, fixture_codes, found
from tests.support.rules import SELF_HOSTED_ENTRY as SELF

FAMILY = "names"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- positions, hints and one fault, one diagnostic ------------------------------------------------


CLOUD_BASE = (
    "models:\n  - litellmModelName: m\n    litellmModel: {model}\n    displayName: M\n    provider: {provider}\n"
    "    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 128000\n    maxTokens: 4096\n"
    "    apiBase: {base}\n    apiKey: ${{KEY}}\n"
)


def test_unknown_prefix_is_one_diagnostic_without_mismatch_noise(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("openai/gpt-4o", "opneai/gpt-4o"))
    assert [d.code for d in found] == ["IC102"]
    assert found[0].hint == "did you mean openai/gpt-4o?"
    assert (found[0].line, found[0].column) == (3, 19)
    assert found[0].path == "/models/0/litellmModel"


def test_duplicate_name_points_at_the_repeat(write) -> None:  # type: ignore[no-untyped-def]
    second = ENTRY.split("\n", 1)[1]
    found = diagnostics(write, ENTRY + second)
    assert [(d.code, d.line, d.path) for d in found] == [("IC101", 11, "/models/1/litellmModelName")]


@pytest.mark.parametrize(
    ("api_base", "hint"),
    [
        ("http://q:8000", "write apiBase: http://q:8000/v1"),
        ("http://q:8000/", "write apiBase: http://q:8000/v1"),
        ("http://q:8000/v1/v1", "write apiBase: http://q:8000/v1"),
        ("http://q:8000/v1/chat/completions", "write apiBase: http://q:8000/v1"),
        ("q:8000/v1", "write the full URL, e.g. http://my-model.inference.svc.cluster.local:8000/v1"),
        (
            "'http://[q:8000/v1'",
            "write the full URL, e.g. http://my-model.inference.svc.cluster.local:8000/v1",
        ),
    ],
)
def test_openai_compatible_base_url_hints(write, api_base: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: q\n    litellmModel: openai/q\n    displayName: Q\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 8192\n"
        f"    apiBase: {api_base}\n"
    )
    found = diagnostics(write, text)
    assert [(d.code, d.hint) for d in found] == [("IC105", hint)]


def test_deepseek_via_openai_prefix_and_base_is_fine(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: deepseek-chat\n    litellmModel: openai/deepseek-chat\n"
        "    displayName: DeepSeek V3\n    provider: DeepSeek\n    type: CHAT\n    metadataType: Text Generation\n"
        "    contextWindow: 128000\n    maxTokens: 8192\n    apiBase: https://api.deepseek.com/v1\n"
        "    apiKey: ${DEEPSEEK_API_KEY}\n"
    )
    assert diagnostics(write, text, Options()) == ()


@pytest.mark.parametrize(
    ("model", "provider", "base", "hint"),
    [
        # documented base URLs of providers that do not end in /v1 are fine
        ("openai/deepseek-chat", "DeepSeek", "https://api.deepseek.com", None),
        ("deepseek/deepseek-chat", "DeepSeek", "https://api.deepseek.com/v1/", None),
        ("openai/sonar-pro", "Perplexity", "https://api.perplexity.ai", None),
        ("perplexity/sonar-pro", "Perplexity", "https://api.perplexity.ai/", None),
        (
            "openai/gemini-2.5-flash",
            "Google",
            "https://generativelanguage.googleapis.com/v1beta/openai/",
            None,
        ),
        ("openai/llama-3.3-70b-versatile", "Groq", "https://api.groq.com/openai/v1", None),
        # and anything else at their hosts is not
        (
            "openai/llama-3.3-70b-versatile",
            "Groq",
            "https://api.groq.com/v1",
            "write apiBase: https://api.groq.com/openai/v1",
        ),
        (
            "openai/sonar-pro",
            "Perplexity",
            "https://api.perplexity.ai/v1",
            "write apiBase: https://api.perplexity.ai",
        ),
        (
            "perplexity/sonar-pro",
            "Perplexity",
            "https://api.perplexity.ai/chat/completions",
            "write apiBase: https://api.perplexity.ai, or leave apiBase out",
        ),
        (
            "openai/deepseek-chat",
            "DeepSeek",
            "https://api.deepseek.com/v1/chat/completions",
            "write apiBase: https://api.deepseek.com/v1",
        ),
        # an unknown OpenAI-compatible endpoint keeps the /v1 convention
        (
            "openai/some-model",
            "Acme",
            "https://llm.acme.example/api",
            "write apiBase: https://llm.acme.example/api/v1",
        ),
        # a provider with its own prefix at an unknown host is not judged by /v1
        ("anthropic/claude-sonnet-4-20250514", "Anthropic", "https://proxy.acme.example/anthropic", None),
    ],
)
def test_base_url_is_checked_against_the_documented_one(
    write, model: str, provider: str, base: str, hint: str | None
) -> None:  # type: ignore[no-untyped-def]
    text = CLOUD_BASE.format(model=model, provider=provider, base=base)
    found = [d for d in diagnostics(write, text, Options()) if d.code == "IC105"]
    assert [d.hint for d in found] == ([hint] if hint else [])


def test_azure_base_with_the_deployment_path_is_ic105(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: azure-gpt-4o\n    litellmModel: azure/my-gpt4o\n    displayName: A\n"
        "    provider: Azure OpenAI\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 128000\n"
        "    baseModel: gpt-4o\n    apiVersion: '2024-10-21'\n    apiKey: ${AZURE_API_KEY}\n"
        "    apiBase: {base}\n"
    )
    for base, fires in (
        ("https://r.openai.azure.com/openai/deployments/my-gpt4o", True),
        ("https://r.openai.azure.com?api-version=2024-10-21", True),
        ("https://r.openai.azure.com", False),
    ):
        found = [d for d in diagnostics(write, text.replace("{base}", base), Options()) if d.code == "IC105"]
        assert [d.hint for d in found] == (
            ["write apiBase: https://r.openai.azure.com and put the version in apiVersion"] if fires else []
        ), base


def test_prefix_provider_mismatch_is_not_also_an_unknown_model(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("openai/gpt-4o", "openai/claude-sonnet-4-20250514").replace(
        "provider: OpenAI", "provider: Anthropic"
    )
    assert [d.code for d in diagnostics(write, text)] == ["IC103"]


def test_unknown_prefix_is_not_also_an_unknown_model(write) -> None:  # type: ignore[no-untyped-def]
    for model in ("gpt-4-o", "opneai/gpt-4-o"):
        text = ENTRY.replace("litellmModel: openai/gpt-4o", f"litellmModel: {model}")
        assert [d.code for d in diagnostics(write, text)] == ["IC102"], model


# -- the catalog: aliases and unknown models -------------------------------------------------------


def test_latest_alias_is_one_warning_not_also_unknown(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("openai/gpt-4o", "anthropic/claude-3-5-sonnet-latest").replace(
        "provider: OpenAI", "provider: Anthropic"
    )
    text = text.replace("${OPENAI_API_KEY}", "${ANTHROPIC_API_KEY}").replace(
        "contextWindow: 128000", "contextWindow: 200000"
    )
    text = text.replace("maxTokens: 16384", "maxTokens: 8192")
    found = diagnostics(write, text)
    assert [d.code for d in found] == ["IC106"]


def test_user_catalog_file_teaches_a_new_model(write, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("openai/gpt-4o", "openai/gpt-9").replace("gpt-4o", "gpt-9")
    assert [d.code for d in diagnostics(write, text)] == ["IC107"]
    newer = tmp_path / "model_prices.json"
    newer.write_text(
        '{"gpt-9": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,'
        ' "max_output_tokens": 16384, "supports_function_calling": true}}'
    )
    assert diagnostics(write, text, Options(check_env=True, env=EXPORTED, catalog_path=str(newer))) == ()


def test_validate_with_a_bad_catalog_file_is_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import main

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(bad), str(VALID[0])])
    assert result.exit_code == 2
    assert result.stderr.startswith("install-contract: ")
    missing = CliRunner().invoke(main, ["validate", "--catalog", str(tmp_path / "none.json"), str(VALID[0])])
    assert missing.exit_code == 2


# -- IC104: the served name ------------------------------------------------------------------------


def test_ic104_served_name_branch() -> None:
    text = SELF.replace("      toolCallParser", "      servedModelName: qwen3-coder\n      toolCallParser")
    assert [(p, h) for p, h, _ in found(text, "IC104")] == [
        (
            "/models/0/vllm/servedModelName",
            "write servedModelName: qwen3-coder-30b, or leave it out (it defaults to litellmModelName)",
        )
    ]
    same = SELF.replace(
        "      toolCallParser", "      servedModelName: qwen3-coder-30b\n      toolCallParser"
    )
    assert found(same, "IC104") == []


def test_ic104_suffix_branch_and_no_prefix() -> None:
    assert [p for p, _, _ in found(SELF.replace("openai/qwen3-coder-30b", "openai/qwen3"), "IC104")] == [
        "/models/0/litellmModel"
    ]
    # without a prefix IC102 speaks; IC104 has nothing to compare
    assert found(SELF.replace("openai/qwen3-coder-30b", "qwen3-coder-30b"), "IC104") == []


# -- IC102-IC108 branch by branch: the exact place, message and hint, and the quiet neighbours -----


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
# LiteLLM 1.106 appends /api/chat (ollama_chat/) or /api/generate (ollama/) to apiBase unless it
# already ends in exactly that path: /api alone gives /api/api/chat (404 from Ollama).
OLLAMA_API = "LiteLLM's {}/ appends {} to apiBase itself: {} would be requested"


QUIET = [
    pytest.param(ollama("http://gpu-box:11434"), id="IC105-ollama-native"),
    pytest.param(ollama("http://localhost:11434/", "ollama"), id="IC105-ollama-documented"),
    pytest.param(ollama("https://gw.example.com/ollama"), id="IC105-ollama-behind-a-path"),
    pytest.param(ollama("http://gpu-box:11434/api/chat"), id="IC105-ollama-chat-taken-as-it-is"),
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
        ollama("http://gpu-box:11434/api"),
        (
            "IC105",
            "error",
            BASE,
            OLLAMA_API.format("ollama_chat", "/api/chat", "/api/api/chat"),
            "write apiBase: http://gpu-box:11434",
        ),
        id="IC105-ollama-api",
    ),
    pytest.param(
        ollama("https://gw.example.com/ollama/api/chat", "ollama"),
        (
            "IC105",
            "error",
            BASE,
            OLLAMA_API.format("ollama", "/api/generate", "/ollama/api/chat/api/generate"),
            "write apiBase: https://gw.example.com/ollama",
        ),
        id="IC105-ollama-the-other-endpoint",
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


@pytest.mark.parametrize("entry", QUIET)
def test_quiet(entry: dict[str, Any]) -> None:
    assert findings({k: v for k, v in entry.items() if v is not None}) == []


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
