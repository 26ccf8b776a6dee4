"""The one registry of reporters (contract/reporting/__init__.py) and the colour decision."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import subprocess
import sys

import click
import pytest

import contract
from contract.diagnostics import Diagnostic, Severity
from contract.errors import UsageError
from contract.outcome import Outcome, Status
from contract.reporting import REPORTERS, Part, formats, report, reporter_for, type_name


def _outcome_types() -> list[type[Outcome]]:
    found: dict[str, type[Outcome]] = {}
    for info in pkgutil.walk_packages(contract.__path__, "contract."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Outcome) and value is not Outcome and value.__module__ == info.name:
                found[type_name(value)] = value
    return [found[key] for key in sorted(found)]


OUTCOMES = _outcome_types()


def test_the_walk_finds_the_commands_outcomes() -> None:
    names = {kind.__name__ for kind in OUTCOMES}
    assert {"Validated", "Listed", "Added", "Rendered", "Checked", "Built", "Verified"} <= names


@pytest.mark.parametrize("kind", OUTCOMES, ids=type_name)
def test_every_outcome_type_has_a_reporter_for_each_of_its_formats(kind: type[Outcome]) -> None:
    assert formats(kind), f"{type_name(kind)} has no reporter in contract.reporting.REPORTERS"
    for fmt in formats(kind):
        assert callable(reporter_for(kind, fmt))


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_registered_type_is_an_outcome_and_every_reporter_exists(name: str) -> None:
    assert name in {type_name(kind) for kind in OUTCOMES}, name
    for target in REPORTERS[name].values():
        module, _, function = target.partition(":")
        assert module.startswith("contract.reporting.")
        assert callable(getattr(importlib.import_module(module), function)), target


def test_an_unknown_format_is_a_usage_error() -> None:
    from cli._exit import error_code
    from contract.workflows.listing import Listed

    with pytest.raises(UsageError, match="'sarif' is not a format of this report: choose from table, json"):
        reporter_for(Listed, "sarif")
    assert error_code(UsageError) == 2


def test_an_outcome_without_reporters_is_a_usage_error() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Stray(Outcome):
        pass

    with pytest.raises(UsageError, match="no reporter for Stray"):
        report(Stray(Status.OK))


def test_the_cli_offers_exactly_the_registered_formats() -> None:
    from cli.main import FORMATS, catalog, validate
    from contract.workflows.listing import Listed
    from contract.workflows.validation import Validated

    def choices(command: object, name: str) -> tuple[str, ...]:
        option = next(p for p in command.params if p.name == name)  # type: ignore[attr-defined]
        return tuple(option.type.choices)

    assert FORMATS == formats(Validated) == choices(validate, "fmt")
    assert choices(catalog, "fmt") == formats(Listed)


def test_report_hands_the_outcome_to_its_reporter_in_order_with_streams() -> None:
    from contract.workflows.listing import Listed

    parts = report(Listed(Status.OK, query="zz-none", provider=None), "table")
    assert parts == (Part("no model in the catalog matches 'zz-none'\n"),)
    assert report(Listed(Status.OK), "json") == (Part("[]\n"),)


def test_validate_reports_unreadable_files_on_stderr_before_the_results() -> None:
    from contract.pipeline.validate import Result
    from contract.workflows.validation import Validated

    outcome = Validated(Status.REFUSED, results=(Result("a.yaml", ()),), unreadable=("b.yaml: no such file",))
    parts = report(outcome, "text")
    assert parts[0] == Part("install-contract: b.yaml: no such file\n", err=True)
    assert parts[1] == Part("1 file valid: no errors, no warnings\n")


def test_masked_diagnostics_live_on_the_result_for_reporters_and_the_editor() -> None:
    from contract.pipeline.validate import Result
    from contract.reporting.diagnostics import report_object

    secret = "sk-live-0123456789abcdef"
    said = Diagnostic("IC303", "literal-secret", Severity.ERROR, f"apiKey {secret}", 1, 1, "/", hint=secret)
    result = Result("a.yaml", (said,), secrets=frozenset({secret}))
    (masked,) = result.masked()
    assert secret not in masked.message and secret not in (masked.hint or "")
    assert report_object(result)["diagnostics"] == [masked.as_dict()]
    assert result.said(said) == (masked.message, masked.hint)


def test_the_editor_gets_masked_diagnostics_without_a_reporter() -> None:
    code = (
        "import sys; import contract.workflows.editor.analysis as a; "
        "a.analyse('models: []\\n', 'install-contract.yaml', {}); "
        "assert 'contract.reporting.diagnostics' not in sys.modules, 'reporter imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_check_report_does_not_import_click() -> None:
    code = "import sys; import contract.reporting.checks; assert 'click' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("choice", "tty", "no_color", "expected"),
    [
        (None, True, False, True),
        (None, True, True, False),
        (None, False, False, False),
        (True, False, True, True),
        (False, True, False, False),
    ],
)
def test_one_colour_decision(
    monkeypatch: pytest.MonkeyPatch, choice: bool | None, tty: bool, no_color: bool, expected: bool
) -> None:
    from cli._report import wants_colour

    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert wants_colour(choice, _Stream(tty)) is expected


def test_the_colour_decision_is_written_once() -> None:
    from pathlib import Path

    root = Path(contract.__file__).parent.parent
    sources = [*root.glob("cli/*.py"), *root.glob("contract/**/*.py")]
    writers = [p.name for p in sources if '"NO_COLOR" not in os.environ' in p.read_text(encoding="utf-8")]
    assert writers == ["_report.py"], writers


def test_stdouts_colour_is_not_forced_on_a_redirected_stderr() -> None:
    # apply's failed check step prints check's (coloured) table on stderr: `apply 2>log` with
    # stdout on a terminal must not write escape codes into the log (click strips them there).
    from click.testing import CliRunner

    from cli._report import emit
    from contract.reporting import err, out

    red = "\x1b[31mfail\x1b[0m"

    @click.command()
    def show() -> None:
        emit((out(red), err(red)), colour=True)

    result = CliRunner().invoke(show)
    assert result.stdout == red + "\n"
    assert result.stderr == "fail\n"
