"""Every rule: its registry entry, a fixture that triggers it alone, silence on valid contracts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract.diagnostics import Severity
from contract.pipeline.rules import RULES, Options
from contract.pipeline.validate import Selection, validate_file
from tests.conftest import EXPORTED, INVALID, VALID, expected_code

OPTIONS = Options(check_env=True, env=EXPORTED)


def codes(path: Path, options: Options = OPTIONS) -> set[str]:
    return {d.code for d in validate_file(str(path), options).diagnostics}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    # `# also: IC303` in a fixture's header names a code its fault cannot come without
    also = {
        c for line in path.read_text().splitlines() if line.startswith("# also:") for c in line[7:].split()
    }
    assert codes(path) == {expected_code(path), *also}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_contracts_are_silent(path: Path) -> None:
    result = validate_file(str(path), OPTIONS)
    assert result.diagnostics == ()
    assert result.valid


def test_registry_codes_are_unique_well_formed_and_named() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"IC\d{3}", code)
        assert rule.code == code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_documented_with_examples(code: str) -> None:
    doc = RULES[code].doc
    assert "Fails" in doc and "Passes" in doc, f"{code} needs a failing and a passing example"
    assert len(doc.splitlines()[0]) > 20


# IC5xx need the platform's answers: tests/test_apply_admin.py triggers them through `plan`.
@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.scope != "platform"))
def test_every_rule_has_a_triggering_fixture(code: str) -> None:
    assert any(expected_code(p) == code for p in INVALID), f"no tests/contracts/invalid/{code}-*.yaml"


def test_design_codes_of_this_stage_are_all_registered() -> None:
    wanted = {
        "IC001",
        "IC002",
        "IC003",
        "IC004",
        "IC005",
        "IC006",
        "IC101",
        "IC102",
        "IC103",
        "IC104",
        "IC105",
        "IC108",
        "IC203",
        "IC204",
        "IC206",
        "IC301",
        "IC302",
        "IC303",
        "IC304",
        "IC305",
        "IC401",
        "IC403",
        "IC404",
        "IC405",
    }
    assert wanted <= set(RULES)


def test_entry_rules_declare_the_fields_they_read() -> None:
    for rule in RULES.values():
        if rule.scope == "entry":
            assert rule.uses is not None, f"{rule.code} must declare uses=(...)"


def test_unset_env_only_with_check_env() -> None:
    path = next(p for p in INVALID if expected_code(p) == "IC304")
    assert codes(path, Options(check_env=False)) == set()


def test_select_and_ignore_by_code_and_prefix() -> None:
    path = next(p for p in INVALID if expected_code(p) == "IC303")
    assert not validate_file(str(path), OPTIONS, Selection(ignore=("IC3",))).diagnostics
    assert not validate_file(str(path), OPTIONS, Selection(select=("IC1",))).diagnostics
    assert validate_file(str(path), OPTIONS, Selection(select=("IC303",))).diagnostics


# -- root causes and positions ---------------------------------------------------------------


def diagnostics(write, text: str, options: Options = OPTIONS):  # type: ignore[no-untyped-def]
    return validate_file(str(write(text)), options).diagnostics


ENTRY = """\
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
"""


def test_unknown_prefix_is_one_diagnostic_without_mismatch_noise(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("openai/gpt-4o", "opneai/gpt-4o"))
    assert [d.code for d in found] == ["IC102"]
    assert found[0].hint == "did you mean openai/gpt-4o?"
    assert (found[0].line, found[0].column) == (3, 19)
    assert found[0].path == "/models/0/litellmModel"


def test_missing_field_points_at_the_entry_first_line(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("    displayName: GPT-4o\n", ""))
    assert [(d.code, d.line, d.column, d.path) for d in found] == [("IC003", 2, 5, "/models/0/displayName")]


def test_unknown_field_points_at_the_key_with_closest_name(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("maxTokens", "max_tokens"))
    assert [(d.code, d.line, d.column, d.hint) for d in found] == [("IC005", 9, 5, "did you mean maxTokens?")]
    assert found[0].severity is Severity.WARNING


def test_broken_required_field_still_gets_unrelated_rules(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("type: CHAT", "type: chat").replace("${OPENAI_API_KEY}", "sk-proj-literal")
    assert {d.code for d in diagnostics(write, text)} == {"IC004", "IC303"}


def test_broken_optional_value_is_one_report_not_two(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("maxTokens: 16384", "maxTokens: lots")
    assert [d.code for d in diagnostics(write, text)] == ["IC004"]


def test_misspelt_tool_parser_key_is_judged_as_what_render_would_write(write) -> None:  # type: ignore[no-untyped-def]
    # The unknown key is set aside and the entry judged as render would compile it: without a
    # tool parser (an error), with the warning that names the key that was meant.
    text = (
        "models:\n  - litellmModelName: deephat-v2\n    litellmModel: openai/deephat-v2\n"
        "    displayName: D\n    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n"
        "    contextWindow: 250000\n    apiBase: http://d:8000/v1\n    vllm:\n      model: DeepHat/DeepHat-V2-ext\n"
        "      gpus: {count: 2, memoryGiB: 80}\n"
        "      toolCallParserr: qwen3_coder\n      enableAutoToolChoice: true\n"
    )
    found = diagnostics(write, text)
    assert [(d.code, d.severity.value) for d in found] == [("IC403", "error"), ("IC005", "warning")]
    assert found[1].hint == "did you mean toolCallParser?"


def test_azure_reports_each_missing_field_with_an_example(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: azure-gpt-4o\n    litellmModel: azure/dep\n    displayName: A\n"
        "    provider: Azure OpenAI\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 128000\n"
    )
    found = diagnostics(write, text)
    assert [d.code for d in found] == ["IC301"] * 3
    assert {d.hint for d in found} == {
        "add apiBase: https://<resource>.openai.azure.com",
        "add apiVersion: '2024-10-21'",
        "add apiKey: ${AZURE_API_KEY}",
    }
    assert {(d.line, d.column, d.path) for d in found} == {(2, 5, "/models/0")}


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


def test_nemotron_needs_reasoning_parser_and_remote_code(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: nemotron\n    litellmModel: openai/nemotron\n    displayName: N\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 1000000\n"
        "    apiBase: http://n:8000/v1\n    vllm:\n      model: nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16\n"
        "      gpus: {count: 4, memoryGiB: 80}\n      toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n"
    )
    found = diagnostics(write, text)
    assert [(d.code, d.hint) for d in found] == [
        ("IC404", "add trustRemoteCode: true"),
        ("IC404", "add reasoningParser: nemotron_v3"),
    ]


def test_unknown_parser_is_an_error_with_the_nearest_name(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        Path(VALID[0])
        .read_text()
        .replace(
            "toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n      enablePrefixCaching",
            "toolCallParser: qwen3-coder\n      enableAutoToolChoice: true\n      enablePrefixCaching",
            1,
        )
    )
    found = [d for d in diagnostics(write, text) if d.code == "IC404"]
    assert [(d.severity, d.hint) for d in found] == [(Severity.ERROR, "did you mean qwen3_coder?")]


def test_flag_pointing_at_the_wrong_kind_of_model(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY + "featureFlags:\n  EMBEDDING_MODELS: [gpt-4o]\n")
    assert [(d.code, d.line, d.column, d.path) for d in found] == [
        ("IC405", 12, 22, "/featureFlags/EMBEDDING_MODELS/0")
    ]


def test_duplicate_name_points_at_the_repeat(write) -> None:  # type: ignore[no-untyped-def]
    second = ENTRY.split("\n", 1)[1]
    found = diagnostics(write, ENTRY + second)
    assert [(d.code, d.line, d.path) for d in found] == [("IC101", 11, "/models/1/litellmModelName")]


def test_secret_values_never_appear_in_diagnostics(write) -> None:  # type: ignore[no-untyped-def]
    canary = "sk-CANARY-9f8e7d6c"
    text = (
        ENTRY.replace("${OPENAI_API_KEY}", canary)
        + "    awsAccessKeyId: "
        + canary
        + "\n    bogusKey: "
        + canary
        + "\n"
    )
    for d in diagnostics(write, text):
        assert canary not in repr(d)


# -- the catalog ----------------------------------------------------------------------------


def test_catalog_is_not_loaded_when_no_catalog_rule_runs(write) -> None:  # type: ignore[no-untyped-def]
    from contract.pipeline.rules import _context

    _context._CATALOGS.clear()
    validate_file(str(write(ENTRY)), OPTIONS, Selection(select=("IC3",)))
    assert _context._CATALOGS == {}
    validate_file(str(write(ENTRY)), OPTIONS, Selection(select=("IC202",)))
    assert list(_context._CATALOGS) == [None]


def test_seed_rounding_of_gemini_window_is_not_low(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: gemini-2.5-pro\n    litellmModel: gemini/gemini-2.5-pro\n"
        "    displayName: Gemini 2.5 Pro\n    provider: Google\n    type: CHAT\n    metadataType: Text Generation\n"
        "    contextWindow: 1000000\n    maxTokens: 65536\n    apiKey: ${GEMINI_API_KEY}\n"
    )
    assert diagnostics(write, text) == ()
    low = diagnostics(write, text.replace("1000000", "128000"))
    assert [(d.code, d.hint) for d in low] == [("IC201", "write contextWindow: 1048576")]


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


@pytest.mark.parametrize(
    ("model", "count", "memory", "code"),
    [
        ("meta-llama/Llama-3.3-70B-Instruct", 1, 80, "error"),
        ("meta-llama/Llama-3.3-70B-Instruct", 2, 80, "warning"),
        ("meta-llama/Llama-3.3-70B-Instruct-FP8", 2, 80, None),
        ("Qwen/Qwen2.5-72B-Instruct-AWQ", 1, 80, "warning"),
        ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16", 2, 80, "error"),
        ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16", 4, 80, None),
        # native formats from the catalog: gpt-oss ships MXFP4, DeepSeek-V3 FP8
        ("openai/gpt-oss-120b", 1, 80, None),
        ("openai/gpt-oss-20b", 1, 16, None),
        ("openai/gpt-oss-120b", 1, 48, "error"),
        ("deepseek-ai/DeepSeek-V3", 8, 80, None),
        ("deepseek-ai/DeepSeek-V3", 4, 80, "error"),
        # mixture of experts: the total parameters, from the catalog (8x7B is 46.7B, not 56B)
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 1, 80, "error"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 2, 48, None),
        # id markers
        ("Qwen/Qwen3-30B-A3B-FP8", 1, 80, None),
        ("Qwen/Qwen3-30B-A3B", 1, 48, "error"),
        ("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", 1, 48, "warning"),
        ("unsloth/Llama-3.3-70B-Instruct-bnb-4bit", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-W4A16", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-MXFP4", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-Int4", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-GPTQ", 1, 32, "error"),
    ],
)
def test_gpu_sizing(write, model: str, count: int, memory: int, code: str | None) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 131072\n"
        f"    apiBase: http://m:8000/v1\n    vllm:\n      model: {model}\n      tensorParallelSize: {count}\n"
        f"      gpus: {{count: {count}, memoryGiB: {memory}}}\n"
    )
    found = [d for d in diagnostics(write, text) if d.code == "IC205"]
    assert [d.severity.value for d in found] == ([code] if code else [])


CLOUD_BASE = (
    "models:\n  - litellmModelName: m\n    litellmModel: {model}\n    displayName: M\n    provider: {provider}\n"
    "    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 128000\n    maxTokens: 4096\n"
    "    apiBase: {base}\n    apiKey: ${{KEY}}\n"
)


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


# -- one fault, one diagnostic; facts only from what a self-hosted entry serves -------------


def test_prefix_provider_mismatch_is_not_also_an_unknown_model(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("openai/gpt-4o", "openai/claude-sonnet-4-20250514").replace(
        "provider: OpenAI", "provider: Anthropic"
    )
    assert [d.code for d in diagnostics(write, text)] == ["IC103"]


def test_unknown_prefix_is_not_also_an_unknown_model(write) -> None:  # type: ignore[no-untyped-def]
    for model in ("gpt-4-o", "opneai/gpt-4-o"):
        text = ENTRY.replace("litellmModel: openai/gpt-4o", f"litellmModel: {model}")
        assert [d.code for d in diagnostics(write, text)] == ["IC102"], model


def test_tool_calling_flag_without_parser_is_reported_once(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: qwen3-8b\n    litellmModel: openai/qwen3-8b\n    displayName: Qwen3 8B\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n    contextWindow: 131072\n"
        "    apiBase: http://qwen3-8b.inference.svc.cluster.local:8000/v1\n    apiKey: ${VLLM_API_KEY}\n"
        "    vllm:\n      model: Qwen/Qwen3-8B\n      gpus: {count: 1, memoryGiB: 80}\n"
        "featureFlags:\n  TOOL_CALLING_MODELS: [qwen3-8b]\n"
    )
    assert [d.code for d in diagnostics(write, text)] == ["IC403"]


SELF_HOSTED = """\
models:
  - litellmModelName: {name}
    litellmModel: openai/{name}
    displayName: Served
    provider: {provider}
    type: CHAT
    metadataType: Text Generation
    contextWindow: {window}
    maxTokens: {max_tokens}
    apiBase: http://served.inference.svc.cluster.local:8000/v1
    apiKey: ${{VLLM_API_KEY}}
"""


@pytest.mark.parametrize("provider", ["Self-Hosted", "Mistral"])
@pytest.mark.parametrize(
    ("name", "window", "max_tokens"),
    [
        ("mistral-large-2411", 131072, 100000),  # Mistral's API: 128000 / 4096 under this id
        ("gpt-4o", 131072, 32768),  # OpenAI's: 128000 / 16384
        ("text-embedding-3-small", 8192, 4096),  # OpenAI's embeddings model (mode mismatch)
    ],
)
def test_a_served_name_equal_to_a_cloud_id_is_not_judged_by_that_api(  # type: ignore[no-untyped-def]
    write, provider: str, name: str, window: int, max_tokens: int
) -> None:
    text = SELF_HOSTED.format(name=name, provider=provider, window=window, max_tokens=max_tokens)
    assert diagnostics(write, text) == ()


def test_self_hosted_facts_come_from_the_served_weights(write) -> None:  # type: ignore[no-untyped-def]
    text = SELF_HOSTED.format(name="gpt-4o", provider="Self-Hosted", window=500000, max_tokens=16384)
    text += "    vllm:\n      model: openai/gpt-oss-20b\n      gpus: {count: 1, memoryGiB: 80}\n      toolCallParser: openai\n"
    text += "      enableAutoToolChoice: true\n      reasoningParser: openai_gptoss\n"
    found = [(d.code, d.hint) for d in diagnostics(write, text)]
    assert found == [("IC202", "write contextWindow: 131072")]
    based = SELF_HOSTED.format(name="gpt-4o", provider="Self-Hosted", window=500000, max_tokens=16384)
    based += "    baseModel: openai/gpt-oss-20b\n"
    assert [d.code for d in diagnostics(write, based)] == ["IC202"]


def test_quantization_field_says_how_weights_are_stored(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 4096\n"
        "    apiBase: http://m:8000/v1\n    vllm:\n      model: meta-llama/Llama-3.3-70B-Instruct\n"
        "      gpus: {count: 1, memoryGiB: 80}\n"
    )
    assert [d.severity.value for d in diagnostics(write, text) if d.code == "IC205"] == ["error"]
    fp8 = text.replace("      gpus:", "      quantization: fp8\n      gpus:")
    assert [d.code for d in diagnostics(write, fp8) if d.code == "IC205"] == []
    # dtype is the activation type: it does not make a BF16 checkpoint smaller
    fp16 = text.replace("      gpus:", "      dtype: float16\n      gpus:")
    assert [d.severity.value for d in diagnostics(write, fp16) if d.code == "IC205"] == ["error"]


def test_sizing_message_names_the_storage_format(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 131072\n"
        "    apiBase: http://m:8000/v1\n    vllm:\n      model: openai/gpt-oss-120b\n"
        "      gpus: {count: 1, memoryGiB: 40}\n"
    )
    (found,) = [d for d in diagnostics(write, text) if d.code == "IC205"]
    assert "MXFP4 (4.25 bits each)" in found.message and "116.8B" in found.message


@pytest.mark.parametrize(("window", "fires"), [(32768, False), (131072, False), (16384, True)])
def test_a_yarn_model_at_its_native_window_is_not_low(write, window: int, fires: bool) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: qwen3-8b\n    litellmModel: hosted_vllm/qwen3-8b\n    displayName: Q\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n"
        f"    contextWindow: {window}\n    apiBase: http://vllm-qwen3-8b.ai.svc:8000/v1\n"
        "    vllm:\n      model: Qwen/Qwen3-8B\n      toolCallParser: hermes\n      enableAutoToolChoice: true\n"
    )
    found = [d.code for d in diagnostics(write, text, Options()) if d.code == "IC201"]
    assert found == (["IC201"] if fires else [])
