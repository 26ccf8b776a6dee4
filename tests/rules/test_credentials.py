"""Credentials (contract/pipeline/rules/credentials.py, IC301-IC307).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text
from tests.support.corpus import INVALID, expected_code
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import SELF_HOSTED_ENTRY as SELF
from tests.support.rules import codes, diagnostics, family_codes, family_fixtures, fixture_codes, found

FAMILY = "credentials"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- missing fields and unset variables ------------------------------------------------------------


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


def test_unset_env_only_with_check_env() -> None:
    path = next(p for p in INVALID if expected_code(p) == "IC304")
    assert codes(path, Options(check_env=False)) == set()


# -- a failing case for each branch (and the passing twin), then the exact words -------------------


AZURE = """\
models:
  - litellmModelName: azure-gpt-4o
    litellmModel: azure/my-gpt4o
    displayName: GPT-4o (Azure)
    provider: Azure OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    baseModel: gpt-4o
    apiBase: https://r.openai.azure.com
    apiKey: ${AZURE_API_KEY}
    apiVersion: VERSION
"""


BEDROCK = """\
models:
  - litellmModelName: claude-bedrock
    litellmModel: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
    displayName: Claude Sonnet 4 (Bedrock)
    provider: AWS Bedrock
    type: CHAT
    metadataType: Text Generation
    contextWindow: 200000
    awsRegion: us-west-2
"""


CLOUD = """\
models:
  - litellmModelName: claude-sonnet-4
    litellmModel: anthropic/claude-sonnet-4-20250514
    displayName: Claude Sonnet 4
    provider: Anthropic
    type: CHAT
    metadataType: Text Generation
    contextWindow: 200000
    apiKey: KEY
"""


def _two(first_name: str, first_key: str, second_name: str, second_key: str, field: str = "apiKey") -> str:
    entry = CLOUD.split("models:\n", 1)[1].replace("    apiKey: KEY\n", "")
    return (
        "models:\n"
        + entry.replace("claude-sonnet-4\n", f"{first_name}\n", 1)
        + f"    {field}: {first_key}\n"
        + entry.replace("claude-sonnet-4\n", f"{second_name}\n", 1)
        + f"    {field}: {second_key}\n"
    )


@pytest.mark.parametrize(
    ("version", "fires"),
    [
        ("'2024-10-21'", False),
        ("'2025-04-01-preview'", False),
        ("${AZURE_API_VERSION}", False),
        ("'2024-10'", True),
        ("v1", True),
        ("'2024-10-21-beta'", True),
        ("'24-10-21'", True),
    ],
)
def test_ic301_version_format(version: str, fires: bool) -> None:
    hits = found(AZURE.replace("VERSION", version), "IC301")
    assert [p for p, _, _ in hits] == (["/models/0/apiVersion"] if fires else [])
    if fires:
        assert hits[0][1] == "write e.g. apiVersion: '2024-10-21', quoted"


def test_ic301_each_missing_field() -> None:
    for line, name in (
        ("    apiBase: https://r.openai.azure.com\n", "apiBase"),
        ("    apiKey: ${AZURE_API_KEY}\n", "apiKey"),
        ("    apiVersion: VERSION\n", "apiVersion"),
    ):
        text = AZURE.replace("VERSION", "'2024-10-21'").replace(line.replace("VERSION", "'2024-10-21'"), "")
        messages = [m for _, _, m in found(text, "IC301")]
        assert messages == [f"an azure/ entry needs {name}; Azure will not route without it"], name


@pytest.mark.parametrize(
    ("keys", "path", "hint"),
    [
        (
            "    awsAccessKeyId: ${AWS_ACCESS_KEY_ID}\n",
            "/models/0/awsAccessKeyId",
            "add awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}, or remove both to use the cluster's IRSA role",
        ),
        (
            "    awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}\n",
            "/models/0/awsSecretAccessKey",
            "add awsAccessKeyId: ${AWS_ACCESS_KEY_ID}, or remove both to use the cluster's IRSA role",
        ),
    ],
)
def test_ic302_half_key_pair(keys: str, path: str, hint: str) -> None:
    assert [(p, h) for p, h, _ in found(BEDROCK + keys, "IC302")] == [(path, hint)]


def test_ic302_both_keys_or_none_and_the_region() -> None:
    both = "    awsAccessKeyId: ${AWS_ACCESS_KEY_ID}\n    awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}\n"
    assert found(BEDROCK + both, "IC302") == []
    assert found(BEDROCK, "IC302") == []  # IRSA
    assert [h for _, h, _ in found(BEDROCK.replace("    awsRegion: us-west-2\n", ""), "IC302")] == [
        "add awsRegion: <the model's region>, e.g. us-west-2"
    ]
    # an empty key counts as absent (the seed's IRSA fallback)
    assert found(BEDROCK + '    awsAccessKeyId: ""\n    awsSecretAccessKey: ""\n', "IC302") == []


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (
            "$ANTHROPIC_API_KEY",
            "write ${ANTHROPIC_API_KEY}: a reference is a dollar sign and the name in braces",
        ),
        (
            "${ANTHROPIC_API_KEY",
            "write ${ANTHROPIC_API_KEY}: a reference is a dollar sign and the name in braces",
        ),
        (
            "$ANTHROPIC_API_KEY}",
            "write ${ANTHROPIC_API_KEY}: a reference is a dollar sign and the name in braces",
        ),
        (
            "sk-ant-literal",
            "move the value into the environment and write apiKey: ${CLAUDE_SONNET_4_API_KEY}",
        ),
    ],
)
def test_ic303_near_miss_and_literal_hints(value: str, hint: str) -> None:
    assert [h for _, h, _ in found(CLOUD.replace("KEY", f'"{value}"'), "IC303")] == [hint]


def test_ic303_reference_and_empty_are_silent() -> None:
    assert found(CLOUD.replace("KEY", "${ANTHROPIC_API_KEY}"), "IC303") == []
    assert found(CLOUD.replace("KEY", '""'), "IC303") == []


def test_ic303_hf_token_literal() -> None:
    text = SELF + "      hfToken: hf_literal_token\n"
    assert [(p, h) for p, h, _ in found(text, "IC303")] == [
        (
            "/models/0/vllm/hfToken",
            "move the value into the environment and write hfToken: ${QWEN3_CODER_30B_HF_TOKEN}",
        )
    ]


@pytest.mark.parametrize(
    ("field", "value", "fires"),
    [
        ("apiBase", "http://${HOST}:8000/v1", True),
        ("apiBase", "${BASE_URL}", False),
        ("apiBase", "http://h:8000/v1", False),
        ("apiVersion", "'${Y}-10-21'", True),
        ("apiVersion", "${AZURE_API_VERSION}", False),
        ("awsRegion", "us-${REGION}", True),
    ],
)
def test_ic306_each_field(field: str, value: str, fires: bool) -> None:
    text = CLOUD.replace("    apiKey: KEY\n", f"    apiKey: ${{ANTHROPIC_API_KEY}}\n    {field}: {value}\n")
    hits = found(text, "IC306")
    assert [p for p, _, _ in hits] == ([f"/models/0/{field}"] if fires else [])
    if fires:
        var = value.split("${", 1)[1].split("}", 1)[0]
        assert (
            hits[0][2]
            == f"{field} uses ${{{var}}} inside a longer value; LiteLLM reads only a whole variable"
        )
        snake = {"apiBase": "API_BASE", "apiVersion": "API_VERSION", "awsRegion": "AWS_REGION"}[field]
        assert hits[0][1] is not None and hits[0][1].startswith(
            f"write {field}: ${{CLAUDE_SONNET_4_{snake}}}"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_two("m-1", "sk-aaaa", "m_1", "sk-bbbb"), ["/models/1/apiKey"]),
        (_two("m-1", "${M_1_API_KEY}", "m_1", "sk-bbbb"), ["/models/1/apiKey"]),
        (_two("m-1", "sk-aaaa", "m_1", "${M_1_API_KEY}"), ["/models/0/apiKey"]),
        (_two("m-1", "sk-aaaa", "m-2", "sk-bbbb"), []),
        (_two("m-1", "${K}", "m_1", "${K}"), []),
        (_two("m-1", '""', "m_1", "sk-bbbb"), []),
        (_two("m-1", "sk-aaaa", "m_1", "sk-bbbb", "awsSecretAccessKey"), ["/models/1/awsSecretAccessKey"]),
    ],
)
def test_ic307_branches(text: str, expected: list[str]) -> None:
    hits = found(text, "IC307")
    assert [p for p, _, _ in hits] == expected
    for _, hint, message in hits:
        assert "M_1_" in message and hint


def test_ic307_ignores_hf_tokens_and_broken_entries() -> None:
    hf = SELF + "      hfToken: hf_aaaa\n"
    second = hf.split("models:\n", 1)[1].replace("qwen3-coder-30b", "qwen3_coder_30b")
    assert found(hf + second, "IC307") == []
    broken = _two("m-1", "sk-aaaa", "m_1", "sk-bbbb").replace(
        "contextWindow: 200000", "contextWindow: many", 1
    )
    assert found(broken, "IC307") == []


def test_ic301_whitespace_key_is_absent_and_version_message() -> None:
    text = AZURE.replace("VERSION", "v1").replace("${AZURE_API_KEY}", '"   "')
    assert [m for _, _, m in found(text, "IC301")] == [
        "an azure/ entry needs apiKey; Azure will not route without it",
        "apiVersion 'v1' is not an Azure API version (YYYY-MM-DD, optionally -preview)",
    ]


def test_ic302_messages_and_bedrock_converse() -> None:
    text = BEDROCK.replace("bedrock/us.", "bedrock_converse/us.").replace("    awsRegion: us-west-2\n", "")
    half = text + "    awsAccessKeyId: ${AWS_ACCESS_KEY_ID}\n"
    assert [(p, m) for p, _, m in found(half, "IC302")] == [
        ("/models/0", "a bedrock/ entry needs awsRegion"),
        ("/models/0/awsAccessKeyId", "awsAccessKeyId is set but awsSecretAccessKey is not"),
    ]


def test_ic303_every_secret_field_and_the_url_password() -> None:
    text = (
        CLOUD.replace("KEY", "sk-one")
        + "    awsAccessKeyId: AKIAEXAMPLE\n    apiBase: https://u:pw-secret@api.example.com/v1\n"
    )
    result = validate_text(text, file="c.yaml", options=Options())
    hits = [(d.path, d.severity.value, d.message, d.hint) for d in result.diagnostics if d.code == "IC303"]
    assert hits == [
        (
            "/models/0/apiKey",
            "warning",
            "apiKey holds a literal secret",
            "move the value into the environment and write apiKey: ${CLAUDE_SONNET_4_API_KEY}",
        ),
        (
            "/models/0/awsAccessKeyId",
            "warning",
            "awsAccessKeyId holds a literal secret",
            "move the value into the environment and write awsAccessKeyId: ${CLAUDE_SONNET_4_AWS_ACCESS_KEY_ID}",
        ),
        (
            "/models/0/apiBase",
            "error",
            "apiBase holds a password (user:password@): it would be written into the rendered config",
            "remove the user:password@ part; put the credential in apiKey: ${VAR}",
        ),
    ]
    nested = SELF + "      hfToken: hf_literal_token\n"
    assert [m for _, _, m in found(nested, "IC303")] == ["vllm.hfToken holds a literal secret"]


def test_ic304_message_path_and_every_reference() -> None:
    text = (
        CLOUD.replace("KEY", "${A_KEY}")
        + '    apiBase: ${A_BASE}\n    vllm: {model: x, extraArgs: ["${A_ARG}"]}\n'
    )
    result = validate_text(text, file="c.yaml", options=Options(check_env=True, env={"A_BASE": "set"}))
    hits = [(d.path, d.message, d.hint) for d in result.diagnostics if d.code == "IC304"]
    assert hits == [
        (
            "/models/0/apiKey",
            "environment variable A_KEY is not set (referenced by apiKey)",
            "export A_KEY=… in the shell or CI job that runs the tool",
        ),
        (
            "/models/0/vllm/extraArgs/0",
            "environment variable A_ARG is not set (referenced by vllm.extraArgs.0)",
            "export A_ARG=… in the shell or CI job that runs the tool",
        ),
    ]


def test_ic304_one_diagnostic_per_variable_naming_every_entry_that_uses_it() -> None:
    entry = SELF.split("\n", 1)[1].replace("/v1\n", "/v1\n    apiKey: ${VLLM_API_KEY}\n")
    entries = [
        entry.replace("qwen3-coder-30b", name).replace("qwen.inference", f"{name}.inference")
        for name in ("qwen-a", "qwen-b", "qwen-c", "qwen-d")
    ]
    entries[2] = entries[2].replace(
        "apiBase: http://qwen-c.inference.svc.cluster.local:8000/v1", "apiBase: ${C_BASE}"
    )
    text = "models:\n" + "".join(entries)
    result = validate_text(text, file="c.yaml", options=Options(check_env=True, env={}))
    hits = [(d.path, d.line, d.message) for d in result.diagnostics if d.code == "IC304"]
    line = text.splitlines().index("    apiKey: ${VLLM_API_KEY}") + 1
    assert hits == [
        (
            "/models/0/apiKey",
            line,
            "environment variable VLLM_API_KEY is not set (referenced by 4 entries: qwen-a (apiKey), "
            "qwen-b (apiKey), qwen-c (apiKey), qwen-d (apiKey))",
        ),
        (
            "/models/2/apiBase",
            text.splitlines().index("    apiBase: ${C_BASE}") + 1,
            "environment variable C_BASE is not set (referenced by apiBase)",
        ),
    ]


@pytest.mark.parametrize(
    ("model", "provider", "extra", "expected"),
    [
        (
            "anthropic/claude-sonnet-4-20250514",
            "Anthropic",
            "",
            ("Anthropic needs an API key and this entry has no apiKey", "add apiKey: ${ANTHROPIC_API_KEY}"),
        ),
        (
            "openai/gpt-4o",
            "OpenAI",
            "",
            ("OpenAI needs an API key and this entry has no apiKey", "add apiKey: ${OPENAI_API_KEY}"),
        ),
        # an unknown OpenAI-compatible endpoint may not need a key; a known provider does
        ("openai/some-model", "Acme", "    apiBase: https://llm.acme.example/v1\n", None),
        (
            "openai/deepseek-chat",
            "DeepSeek",
            "    apiBase: https://api.deepseek.com\n",
            ("DeepSeek needs an API key and this entry has no apiKey", "add apiKey: ${OPENAI_API_KEY}"),
        ),
        ("azure/my-gpt4o", "Azure OpenAI", "", None),  # IC301 speaks
        (
            "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0",
            "AWS Bedrock",
            "    awsRegion: us-west-2\n",
            None,
        ),
        ("hosted_vllm/m", "Self-Hosted", "    apiBase: http://m:8000/v1\n", None),
    ],
)
def test_ic305_branches(model: str, provider: str, extra: str, expected: tuple[str, str] | None) -> None:
    text = (
        CLOUD.replace("    apiKey: KEY\n", extra)
        .replace("anthropic/claude-sonnet-4-20250514", model)
        .replace("provider: Anthropic", f"provider: {provider}")
    )
    hits = [(m, h) for _, h, m in found(text, "IC305")]
    assert hits == ([expected] if expected else [])


def test_ic305_without_a_provider_variable_names_one_after_the_entry() -> None:
    text = CLOUD.replace("    apiKey: KEY\n", "").replace(
        "anthropic/claude-sonnet-4-20250514", "cohere/command-r"
    )
    text = text.replace("provider: Anthropic", "provider: Cohere")
    hints = [h for _, h, _ in found(text, "IC305")]
    assert hints in ([], ["add apiKey: ${CLAUDE_SONNET_4_API_KEY}"], ["add apiKey: ${COHERE_API_KEY}"])


def test_ic306_every_field_is_checked_after_a_whole_reference() -> None:
    text = CLOUD.replace(
        "    apiKey: KEY\n", "    apiKey: ${K}\n    apiBase: ${BASE}\n    awsRegion: us-${R}\n"
    )
    hits = found(text, "IC306")
    assert [p for p, _, _ in hits] == ["/models/0/awsRegion"]
    assert hits[0][1] == (
        "write awsRegion: ${CLAUDE_SONNET_4_AWS_REGION} and put the whole value in that variable, "
        "or write the value out"
    )


def test_ic307_words() -> None:
    hits = found(_two("m-1", "sk-aaaa", "m_1", "sk-bbbb"), "IC307")
    assert [(m, h) for _, h, m in hits] == [
        (
            "this literal apiKey and the apiKey of models[0] would both move to M_1_API_KEY",
            "reference each secret as ${VAR} with a name of its own",
        )
    ]
    onto = found(_two("m-1", "${M_1_API_KEY}", "m_1", "sk-bbbb"), "IC307")
    assert [(m, h) for _, h, m in onto] == [
        (
            "this literal apiKey would move to M_1_API_KEY, which another entry references",
            "reference it as ${M_1_API_KEY} if it is the same secret, or rename the entry",
        )
    ]
    # a third entry sharing the variable is reported too, against the first
    three = _two("m-1", "sk-aaaa", "m_1", "sk-bbbb") + _two("M-1", "x", "M-1", "sk-cccc").split(
        "models:\n", 1
    )[1].split("  - ", 2)[2].join(["  - ", ""])
    assert [p for p, _, _ in found(three, "IC307")] == ["/models/1/apiKey", "/models/2/apiKey"]


def test_ic303_a_missing_key_does_not_hide_a_later_literal() -> None:
    text = CLOUD.replace("    apiKey: KEY\n", "    awsAccessKeyId: AKIAEXAMPLE\n")
    assert [p for p, _, _ in found(text, "IC303")] == ["/models/0/awsAccessKeyId"]


def test_ic307_a_reference_after_a_missing_key_still_counts() -> None:
    # the first entry has no apiKey but references a variable in a later secret field
    first = CLOUD.split("models:\n", 1)[1].replace(
        "    apiKey: KEY\n", "    awsSecretAccessKey: ${M_1_API_KEY}\n"
    )
    second = (
        CLOUD.split("models:\n", 1)[1].replace("claude-sonnet-4\n", "m-1\n", 1).replace("KEY", "sk-literal")
    )
    hits = found("models:\n" + first + second, "IC307")
    assert [p for p, _, _ in hits] == ["/models/1/apiKey"]


def test_ic307_a_broken_entry_does_not_stop_the_others() -> None:
    broken = CLOUD.split("models:\n", 1)[1].replace("contextWindow: 200000", "contextWindow: many")
    text = _two("m-1", "sk-aaaa", "m_1", "sk-bbbb").replace("models:\n", "models:\n" + broken, 1)
    assert [p for p, _, _ in found(text, "IC307")] == ["/models/2/apiKey"]
