"""The command line through click's runner: exit codes, stdout and stderr kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from tests.support.corpus import EXPORTED, FIXTURES, INVALID, expected_code

FIXTURE = str(FIXTURES / "install-contract.yaml")


def invalid(code: str) -> str:
    return str(next(p for p in INVALID if expected_code(p) == code))


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_valid_fixture_exits_0_with_a_summary() -> None:
    result = run("validate", FIXTURE)
    assert result.exit_code == 0
    assert result.stdout == "1 file valid: no errors, no warnings\n"
    assert result.stderr == ""


def test_errors_exit_1_with_position_caret_and_hint() -> None:
    path = invalid("IC301")
    result = run("validate", path)
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"{path}:4:5: error IC301 an azure/ entry needs apiVersion; Azure will not route without it"
    )
    assert lines[1] == "    - litellmModelName: azure-gpt-4o"
    assert lines[2] == "      ^"
    assert lines[3] == "  hint: add apiVersion: '2024-10-21'"
    assert lines[-1] == "1 error, 0 warnings in 1 of 1 file"


def test_warnings_pass_unless_strict() -> None:
    path = invalid("IC303")
    assert run("validate", path).exit_code == 0
    assert run("validate", "--strict", path).exit_code == 1


def test_missing_file_is_one_line_on_stderr_and_exit_2(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"install-contract: {tmp_path / 'nope.yaml'}: no such file\n"


def test_directory_is_exit_2(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_default_file_is_install_contract_yaml_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("install-contract.yaml").write_text(Path(FIXTURE).read_text())
    assert run("validate").exit_code == 0
    Path("install-contract.yaml").unlink()
    missing = run("validate")
    assert missing.exit_code == 2
    assert "install-contract.yaml: no such file" in missing.stderr


def test_stdin() -> None:
    result = run("validate", "-", "--format", "json", input=Path(invalid("IC102")).read_bytes())
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["file"] == "<stdin>"
    assert [d["code"] for d in report["diagnostics"]] == ["IC102"]


def test_several_files_exit_with_the_worst() -> None:
    result = run("validate", "--format", "json", FIXTURE, invalid("IC101"))
    assert result.exit_code == 1
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["file"], r["valid"]) for r in reports] == [(FIXTURE, True), (invalid("IC101"), False)]


def test_unreadable_file_among_several_is_exit_2_but_others_are_reported(tmp_path: Path) -> None:
    result = run("validate", FIXTURE, str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert "1 file valid" in result.stdout
    assert "missing.yaml: no such file" in result.stderr


def test_json_report_shape() -> None:
    result = run("validate", "--format", "json", invalid("IC301"))
    report = json.loads(result.stdout)
    assert list(report) == ["file", "valid", "errors", "warnings", "diagnostics"]
    assert report["valid"] is False and report["errors"] == 1 and report["warnings"] == 0
    assert list(report["diagnostics"][0]) == [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "hint",
    ]
    assert report["diagnostics"][0]["path"] == "/models/0"


def test_check_env_reports_unset_variables() -> None:
    path = invalid("IC304")
    assert run("validate", path, env=EXPORTED).exit_code == 0
    result = run("validate", "--check-env", "--format", "json", path, env=EXPORTED)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["diagnostics"][0]["code"] == "IC304"


@pytest.mark.parametrize(
    ("option", "value", "exit_code"),
    [("--ignore", "IC3", 0), ("--select", "IC301", 1), ("--select", "ic1,IC2", 0)],
)
def test_select_and_ignore(option: str, value: str, exit_code: int) -> None:
    assert run("validate", option, value, invalid("IC301")).exit_code == exit_code


def test_unknown_rule_code_in_select_is_a_usage_error() -> None:
    result = run("validate", "--select", "IC999", FIXTURE)
    assert result.exit_code == 2
    assert "no rule code matches IC999" in result.stderr


def test_bad_format_is_a_usage_error() -> None:
    result = run("validate", "--format", "xml", FIXTURE)
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    plain = run("validate", invalid("IC301"))
    assert "\x1b[" not in plain.stdout
    coloured = run("validate", "--color", invalid("IC301"))
    assert "\x1b[1;31merror\x1b[0m" in coloured.stdout


def test_explain_prints_the_rule_documentation() -> None:
    result = run("explain", "ic301")
    assert result.exit_code == 0
    assert result.stdout.startswith("IC301 azure-incomplete (default severity: error)\n")
    assert "Fails:" in result.stdout and "Passes:" in result.stdout


def test_explain_lists_all_rules() -> None:
    result = run("explain")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) >= 24
    assert result.stdout.splitlines()[0].startswith("IC001  yaml-syntax")


def test_explain_unknown_code_suggests_the_nearest() -> None:
    result = run("explain", "IC310")
    assert result.exit_code == 2
    assert "no rule 'IC310'; did you mean IC3" in result.stderr


def test_schema_command_prints_the_checked_in_schema(tmp_path: Path) -> None:
    checked_in = (FIXTURES.parent / "schemas" / "install-contract.schema.json").read_text()
    assert run("schema").stdout == checked_in
    out = tmp_path / "s.json"
    assert run("schema", "-o", str(out)).exit_code == 0
    assert out.read_text() == checked_in


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("install-contract, version ")
