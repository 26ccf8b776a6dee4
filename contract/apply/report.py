"""The plan for people (a table, via rich) and for tools (JSON). Pure: `render_*(…) -> str`.

JSON, which tools depend on:

    {"file": "install-contract.yaml", "changes": [{"system", "kind", "name", "action", "fields"}],
     "applied": true, "models": {"gpt-4o": "mdl_…"}}
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence

from contract.apply.changes import Change, Plan

_STYLE = {"create": "green", "update": "yellow", "delete": "red", "keep": "dim"}
_SIGN = {"create": "+", "update": "~", "delete": "-", "keep": " "}


def render_json(file: str, plan: Plan, *, applied: bool, models: Mapping[str, str]) -> str:
    report = {
        "file": file,
        "changes": [c.to_json() for c in plan.changes],
        "applied": applied,
        "models": dict(models),
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def summary(plan: Plan) -> str:
    if plan.empty:
        return "No changes: every system matches the contract."
    counts = Counter(c.action for c in plan.changes)
    return (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['keep']} unchanged."
    )


def render_table(plan: Plan, *, notes: Sequence[str] = (), colour: bool = False, width: int = 100) -> str:
    """Pending changes as a table (unchanged objects are counted, not listed), then notes,
    warnings and a one-line summary."""
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=colour, no_color=not colour, highlight=False)
    if plan.pending:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        for column in ("", "system", "kind", "name", "changes"):
            table.add_column(column, overflow="fold")
        for change in plan.pending:
            table.add_row(
                _SIGN[change.action],
                change.system,
                change.kind,
                change.name,
                _what(change),
                style=_STYLE[change.action],
            )
        console.print(table)
    for note in notes:
        console.print(f"note: {note}", markup=False)
    for warning in plan.warnings:
        console.print(f"warning: {warning}", markup=False)
    console.print(summary(plan), markup=False)
    return out.getvalue()


def render_progress(done: Sequence[Change], remaining: Sequence[Change]) -> str:
    """After a failure: what was applied and what was not (re-running `apply` does the rest)."""
    lines = [f"done ({len(done)}):"]
    lines += [f"  {c.action} {c.system} {c.kind} {c.name}" for c in done] or ["  nothing"]
    lines.append(f"not done ({len(remaining)}):")
    lines += [f"  {c.action} {c.system} {c.kind} {c.name}" for c in remaining] or ["  nothing"]
    lines.append("run `install-contract apply` again once the system is back: it converges")
    return "\n".join(lines) + "\n"


def _what(change: Change) -> str:
    text: str = change.action
    if change.fields:
        text += ": " + ", ".join(change.fields)
    if change.note:
        text += f" ({change.note})"
    return text
