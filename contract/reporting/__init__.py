"""Outcomes as text: one registry of pure reporters, chosen by outcome type and format.

Every command ends the same way (CONTRIBUTING.md): its workflow returns an `Outcome`
(contract/outcome.py), `report(outcome, fmt, colour)` finds the reporter registered for the
outcome's type and the format, and the CLI prints what it returns and exits with the code of
the outcome's status (cli/_exit.py). A reporter is a pure function `(outcome, colour) -> Output`:
the text of the report, each part marked for stdout or stderr, in the order it is printed.

`REPORTERS` names each reporter as "module:function", imported only when it is used (the
plan's table needs rich; `validate` must not pay for it). A new reporter: write the function
in the module of its command here (catalog.py is the small example) and add its line below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.errors import UsageError
from contract.outcome import Outcome


@dataclass(frozen=True)
class Part:
    """A piece of a report, as printed: `text` (its newline included) on stdout, or stderr (`err`)."""

    text: str
    err: bool = False


Output = tuple[Part, ...]
Reporter = Callable[[Any, bool], Output]


def out(text: str, nl: bool = True) -> Part:
    """`text` for stdout (a line, unless `nl` is false)."""
    return Part(text + "\n" if nl else text)


def err(text: str, nl: bool = True) -> Part:
    """`text` for stderr (a line, unless `nl` is false)."""
    return Part(text + "\n" if nl else text, err=True)


# outcome type ("module.Class") -> format -> reporter ("module:function")
REPORTERS: dict[str, dict[str, str]] = {
    "contract.workflows.validation.Validated": {
        "text": "contract.reporting.diagnostics:validated_text",
        "json": "contract.reporting.diagnostics:validated_json",
        "github": "contract.reporting.diagnostics:validated_github",
        "sarif": "contract.reporting.diagnostics:validated_sarif",
    },
    "contract.workflows.bundle.command.Built": {"text": "contract.reporting.bundle:built_text"},
    "contract.workflows.bundle.command.Verified": {
        "text": "contract.reporting.bundle:verified_text",
        "json": "contract.reporting.bundle:verified_json",
    },
    "contract.workflows.checks.command.Checked": {
        "text": "contract.reporting.checks:checked_text",
        "json": "contract.reporting.checks:checked_json",
    },
    "contract.workflows.editing.Added": {"text": "contract.reporting.edits:added_text"},
    "contract.workflows.editing.Removed": {"text": "contract.reporting.edits:removed_text"},
    "contract.workflows.editing.Initialised": {"text": "contract.reporting.edits:initialised_text"},
    "contract.workflows.reference.Explained": {"text": "contract.reporting.reference:explained_text"},
    "contract.workflows.reference.SchemaWritten": {"text": "contract.reporting.reference:schema_text"},
    "contract.workflows.rendering.Rendered": {"text": "contract.reporting.rendering:rendered_text"},
    "contract.workflows.environments.Resolved": {"text": "contract.reporting.envdiff:resolved_text"},
    "contract.workflows.environments.Diffed": {
        "text": "contract.reporting.envdiff:diffed_text",
        "json": "contract.reporting.envdiff:diffed_json",
    },
    "contract.workflows.apply.workflow.ApplyOutcome": {
        "text": "contract.reporting.plan:applied_text",
        "json": "contract.reporting.plan:applied_json",
    },
    "contract.workflows.discover.run.DiscoverOutcome": {
        "table": "contract.reporting.discover:discovered_table",
        "json": "contract.reporting.discover:discovered_json",
    },
    "contract.workflows.importer.command.ImportOutcome": {
        "text": "contract.reporting.importer:imported_text"
    },
    "contract.workflows.listing.Listed": {
        "table": "contract.reporting.catalog:listed_table",
        "json": "contract.reporting.catalog:listed_json",
    },
}


def type_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def formats(kind: type[Outcome]) -> tuple[str, ...]:
    """The formats an outcome type can be reported in, in the order registered."""
    return tuple(REPORTERS.get(type_name(kind), {}))


def reporter_for(kind: type[Outcome], fmt: str) -> Reporter:
    """The reporter of outcome type `kind` in format `fmt`; UsageError when there is none."""
    known = REPORTERS.get(type_name(kind))
    if known is None:
        raise UsageError(f"no reporter for {kind.__name__}")
    if fmt not in known:
        raise UsageError(f"{fmt!r} is not a format of this report: choose from {', '.join(known)}")
    module, _, function = known[fmt].partition(":")
    reporter: Reporter = getattr(importlib.import_module(module), function)
    return reporter


def report(outcome: Outcome, fmt: str = "text", colour: bool = False) -> Output:
    """`outcome` as its registered reporter for `fmt` writes it."""
    return reporter_for(type(outcome), fmt)(outcome, colour)
