"""One definition of a secret, and no secret in any output whatever its YAML form.

Each case plants a canary and greps every output format, the rendered files and the CLI's
streams for it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from contract.diagnostics import Diagnostic, Severity
from contract.knowledge import secrets, vllm_flags
from contract.pipeline.validate import validate_bytes
from contract.reporting.diagnostics import REPORTERS

CANARY = "sk-CANARY-7c4d2e9a"
HF_CANARY = "hf_CANARYtoken5566"

HEAD = """\
models:
  - litellmModelName: deephat-v2
    litellmModel: openai/deephat-v2
    displayName: DeepHat V2
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 250000
    apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
"""
VLLM = """\
    vllm:
      model: DeepHat/DeepHat-V2-ext
      gpus: {count: 2, memoryGiB: 80}
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
"""


def every_output(tmp_path: Path, text: str, *args: str) -> tuple[str, int]:
    """stdout+stderr of validate in every format, and of render; the exit code of `validate --strict`."""
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(text)
    runner = CliRunner()
    seen = []
    strict = 0
    for fmt in REPORTERS:
        run = runner.invoke(main, ["validate", "--strict", "--format", fmt, str(contract), *args])
        assert run.exception is None or isinstance(run.exception, SystemExit), run.output
        seen += [run.stdout, run.stderr]
        strict = run.exit_code
    out = tmp_path / "out"
    rendered = runner.invoke(main, ["render", str(contract), "--out", str(out)])
    seen += [rendered.stdout, rendered.stderr]
    for path in out.rglob("*") if out.exists() else []:
        if path.is_file():
            seen.append(path.read_text())
    return "\n".join(seen), strict


def test_a_tagged_secret_is_not_quoted_in_the_syntax_message(tmp_path: Path) -> None:
    output, code = every_output(tmp_path, HEAD + f"    apiKey: !!int {CANARY}\n")
    assert code == 1
    assert "IC001" in output and "is not a valid !!int" in output
    assert CANARY not in output


def test_a_secret_written_as_a_block_list_is_masked(tmp_path: Path) -> None:
    output, code = every_output(tmp_path, HEAD + f"    apiKey:\n      - {CANARY}\n")
    assert code == 1 and "IC004" in output
    assert CANARY not in output


def test_a_secret_in_a_mapping_under_a_secret_key_is_masked(tmp_path: Path) -> None:
    output, code = every_output(tmp_path, HEAD + f"    apiKey:\n      value: {CANARY}\n")
    assert code == 1 and "IC004" in output
    assert CANARY not in output


@pytest.mark.parametrize(
    "args",
    [
        f"[--hf-token={HF_CANARY}]",
        f"[--hf-token, {HF_CANARY}]",
        f"[--hf_token, {HF_CANARY}]",
        f"[--api-key, {HF_CANARY}, other-key-1]",
    ],
)
def test_a_token_in_extra_args_is_an_error_and_never_rendered(tmp_path: Path, args: str) -> None:
    output, code = every_output(tmp_path, HEAD + VLLM + f"      extraArgs: {args}\n")
    assert code == 1
    assert "IC208" in output and "puts a secret on the command line" in output
    assert ("vllm.hfToken: ${HF_TOKEN}" in output) or ("apiKey: ${VLLM_API_KEY}" in output)
    assert "nothing was rendered" in output
    assert HF_CANARY not in output
    assert "other-key-1" not in output


def test_hf_token_in_extra_args_points_at_the_flag(tmp_path: Path) -> None:
    text = (
        HEAD
        + VLLM
        + "      extraArgs:\n        - --enforce-eager\n        - --hf-token\n        - "
        + HF_CANARY
        + "\n"
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    found = [d for d in result.diagnostics if d.code == "IC208"]
    assert [(d.path, d.line, d.severity) for d in found] == [
        ("/models/0/vllm/extraArgs/1", 17, Severity.ERROR)
    ]
    assert found[0].hint is not None and "vllm.hfToken: ${HF_TOKEN}" in found[0].hint
    assert HF_CANARY in result.secrets


@pytest.mark.parametrize("style", ["|", "|-", ">", ">+"])
def test_every_line_of_a_block_scalar_secret_is_masked_where_quoted(style: str) -> None:
    lines = [f"{CANARY}-line{i}" for i in range(3)]
    text = (
        HEAD
        + f"    apiKey: {style}\n"
        + "".join(f"      {line}\n" for line in lines)
        + "    maxTokens: 8192\n"
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    assert any(d.code == "IC303" for d in result.diagnostics)
    assert result.secret_lines == {11, 12, 13}
    # a diagnostic on each line of the block (as a syntax or position error could point there),
    # and one whose message and hint quote a line of the secret
    planted = [
        Diagnostic(
            "IC004", "invalid-value", Severity.ERROR, f"near {lines[1]}", "/models/0/apiKey", n, 7, lines[2]
        )
        for n in (10, 11, 12, 13)
    ]
    quoted = dataclasses.replace(result, diagnostics=result.diagnostics + tuple(planted))
    for fmt, reporter in REPORTERS.items():
        report = reporter([quoted], False)
        assert "line0" not in report and "line1" not in report and "line2" not in report, fmt
    text_report = REPORTERS["text"]([quoted], False)
    assert "      ****\n" in text_report


def test_a_multi_line_quoted_secret_is_masked_too() -> None:
    text = HEAD + f'    apiKey: "{CANARY}-a\n      {CANARY}-b"\n'
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.secret_lines == {11}
    planted = Diagnostic("IC004", "invalid-value", Severity.ERROR, "x", "/models/0/apiKey", 11, 7)
    report = REPORTERS["text"]([dataclasses.replace(result, diagnostics=(planted,))], False)
    assert CANARY not in report


def test_a_password_in_a_url_is_a_secret() -> None:
    text = HEAD.replace("http://deephat", f"http://user:{CANARY}@deephat") + VLLM
    result = validate_bytes(text.encode(), file="c.yaml")
    assert CANARY in result.secrets
    for reporter in REPORTERS.values():
        assert CANARY not in reporter([result], False)


def test_a_reference_is_never_a_secret() -> None:
    text = HEAD + "    apiKey: ${VLLM_API_KEY}\n" + VLLM + "      hfToken: ${HF_TOKEN}\n"
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.secrets == frozenset() and result.secret_lines == frozenset()
    assert secrets.is_reference(" ${X} ") and not secrets.is_reference("${X}-suffix")


def test_secret_flags_are_the_ones_vllm_has() -> None:
    flags = vllm_flags.load()
    spelled = {
        option for option, record in flags.options.items() if record["dest"] in secrets.SECRET_FLAG_DESTS
    }
    assert spelled == secrets.SECRET_FLAGS
    assert {flags.dest(o) for o in secrets.SECRET_FLAGS} == set(secrets.SECRET_FLAG_DESTS)


@pytest.mark.parametrize(
    ("args", "values"),
    [
        (["--hf-token=abc"], [(0, "abc")]),
        (["--hf-token", "abc", "--port", "80"], [(1, "abc")]),
        (["--hf-token", "--port", "80"], []),
        (["--hf-token="], []),
        (["--api-key", "k1", "k2", "--port", "80"], [(1, "k1"), (2, "k2")]),
        (["--api_key.x", "k1"], [(1, "k1")]),
        (["--port", "80", "x"], []),
        (["-O3", "x"], []),
        (["--hf-token", 3, "x"], []),
        (["--hf-token", 3, "--hf-token", "y"], [(3, "y")]),
        (["x", "--hf-token=a=b"], [(1, "a=b")]),
        (["--hf-token=", "x"], []),
    ],
)
def test_flag_values(args: list[object], values: list[tuple[int, str]]) -> None:
    assert list(secrets.flag_values(args)) == values


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("apiKey", True),
        ("awsAccessKeyId", True),
        ("hfToken", True),
        ("db_password", True),
        ("credentials", True),
        ("apiBase", False),
        ("tokenizer", False),
        ("keyboard", False),
        # a count of tokens is no token
        ("maxToken", False),
        ("maxTokens", False),
        ("tokensPerMinute", False),
        ("max_token", False),
        ("maxOutputToken", False),
        ("refreshToken", True),
        (3, False),
    ],
)
def test_secret_keys(key: object, secret: bool) -> None:
    assert secrets.is_secret_key(key) is secret


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("https://u:p4ss@h/v1", "p4ss"),
        ("https://u@h/v1", None),
        ("https://h/v1", None),
        ("u:p@h", None),
        ("http://u:p@[::1/", None),
    ],
)
def test_url_password(url: str, password: str | None) -> None:
    assert secrets.url_password(url) == password


@pytest.mark.parametrize("key", ["maxToken", "maxTokens", "tokensPerMinute"])
def test_a_count_of_tokens_is_shown_in_every_output(tmp_path: Path, key: str) -> None:
    # `maxToken: 16384` (a typo of maxTokens) is IC005, and its number is no secret to hide.
    text = HEAD.replace("    contextWindow: 250000\n", f"    contextWindow: 250000\n    {key}: 16384\n")
    out, _ = every_output(tmp_path, text + VLLM)
    assert f"{key}: 16384" in out
    assert secrets.MASK not in out


def test_mask_longest_first_and_not_short_values() -> None:
    assert secrets.mask("abcdef and abcd and ab", {"abcd", "abcdef", "ab"}) == "**** and **** and ab"
    # longest first even where a shorter secret sorts after it: no half of one left showing
    assert secrets.mask("azzzzz", {"zzzz", "azzzzz"}) == "****"
    assert secrets.mask("abcd", {"abcd"}) == "****"  # MIN_MASKED itself is masked


def test_option_name() -> None:
    assert secrets.option_name("--hf-token=a=b") == "--hf-token"
    assert secrets.option_name("--hf_token.x=1") == "--hf-token"
    assert secrets.option_name("--compilation_config.level.x") == "--compilation-config"
    assert secrets.option_name("-O3") == "-O3"


def test_literal_values_of_an_entry() -> None:
    from contract.pipeline._pydantic import parse
    from contract.pipeline.model import ModelEntry

    base = {
        "litellmModelName": "m",
        "litellmModel": "openai/m",
        "displayName": "M",
        "provider": "Self-Hosted",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 8192,
    }
    assert secrets.literal_values(parse(ModelEntry, base)) == set()
    entry = parse(
        ModelEntry,
        {
            **base,
            "apiKey": "key1",
            "awsSecretAccessKey": "${AWS}",
            "apiBase": "http://u:pass@h/v1",
            "vllm": {"model": "o/m", "hfToken": "hf_tok", "extraArgs": ["--api-key=argkey"]},
        },
    )
    assert secrets.literal_values(entry) == {"key1", "pass", "hf_tok", "argkey"}
    short = parse(ModelEntry, {**base, "apiKey": "abc"})
    assert secrets.literal_values(short) == set()


def test_render_refuses_a_literal_secret_that_would_reach_a_file() -> None:
    from contract.errors import UsageError
    from contract.pipeline.render import render

    text = HEAD.replace("http://deephat", f"http://user:{CANARY}@deephat") + VLLM
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.contract is not None
    with pytest.raises(UsageError, match="would hold a literal secret") as raised:
        render(result.contract, source_name="c.yaml", source_bytes=text.encode())
    assert CANARY not in str(raised.value)


def test_json_report_masks_message_and_hint() -> None:
    text = HEAD + f"    apiKey: !!int {CANARY}\n"
    result = validate_bytes(text.encode(), file="c.yaml")
    planted = Diagnostic("IC004", "invalid-value", Severity.ERROR, f"m {CANARY}", "", 1, 1, f"h {CANARY}")
    report = json.loads(
        REPORTERS["json"](
            [dataclasses.replace(result, secrets=frozenset({CANARY}), diagnostics=(planted,))], False
        )
    )
    assert report["diagnostics"][0]["message"] == "m ****" and report["diagnostics"][0]["hint"] == "h ****"


def test_literal_places_finds_every_literal_secret_at_any_depth() -> None:
    from contract.knowledge.secrets import literal_places

    document = {
        "global": {
            "postgresPassword": "hunter2",
            "enableApiKey": True,  # says whether, not what
            "redisToken": "${REDIS_TOKEN}",
            "deep": {"items": [{"clientSecret": ["a-secret", None, ""]}]},
            "args": ["--api-key", "${KEY}", "--hf-token=hf_literal"],
            "url": "https://user:pass@db.internal/x",
        },
        "models": [{"apiKey": "sk-literal", "apiBase": "http://h/v1"}],
    }
    assert list(literal_places(document)) == [
        (("global", "postgresPassword"), "a literal value under a secret-looking key"),
        (("global", "deep", "items", 0, "clientSecret", 0), "a literal value under a secret-looking key"),
        (("global", "args", 2), "the value of a secret flag"),
        (("global", "url"), "a password in a URL"),
        (("models", 0, "apiKey"), "a literal value under a secret-looking key"),
    ]
