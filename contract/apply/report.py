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


def render_table(plan: Plan, *, notes: Sequence[str] = (), colour: bool = False) -> str:
    """Pending changes as a table (unchanged objects are counted, not listed), then notes,
    warnings and a one-line summary.

    The columns are laid out here and rich only colours the lines: rich's own Table lays out
    every cell and takes seconds for a plan of a few hundred models.
    """
    from rich.console import Console
    from rich.text import Text

    out = io.StringIO()
    console = Console(file=out, force_terminal=colour, no_color=not colour, highlight=False, width=10_000)
    text = Text()
    if plan.pending:
        rows = [("", "system", "kind", "name", "changes")]
        rows += [(_SIGN[c.action], c.system, c.kind, c.name, _what(c)) for c in plan.pending]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for index, cells in enumerate(rows):
            line = (
                "  ".join(cell.ljust(width) for cell, width in zip(cells[:4], widths, strict=True))
                + "  "
                + cells[4]
            )
            style = "bold" if index == 0 else _STYLE[plan.pending[index - 1].action]
            text.append(line.rstrip() + "\n", style=style)
    for note in notes:
        text.append(f"note: {note}\n")
    for warning in plan.warnings:
        text.append(f"warning: {warning}\n", style="yellow")
    text.append(summary(plan))
    console.print(text, soft_wrap=True)
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
