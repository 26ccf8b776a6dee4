"""The plan for people (a table, via rich) and for tools (JSON). Pure: `render_*(…) -> str`.

JSON, which tools depend on:

    {"file": "install-contract.yaml",
     "changes": [{"system", "kind", "name", "action", "fields": [names],
                  "diff": {field: {"old": …, "new": …}}}],     # a secret field: {"changed": true}
     "orphans": ["admin-api model old-x"], "applied": true, "models": {"gpt-4o": "mdl_…"}}

The table shows each pending change's values under its line: `old → new` for an update (long
strings cut in the middle), the fields a create writes, the variants a flag gains (+) and
loses (-), a unified diff of the LiteLLM config.yaml, and only the names of the Secret's keys.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from contract.workflows.apply.changes import Change, FieldDiff, Plan

if TYPE_CHECKING:
    from contract.reporting import Output
    from contract.workflows.apply.workflow import ApplyOutcome

_STYLE = {"create": "green", "update": "yellow", "delete": "red", "keep": "dim"}
_SIGN = {"create": "+", "update": "~", "delete": "-", "keep": " "}
# A value longer than this is cut in the middle: both ends are what tells two values apart.
MAX_VALUE = 60
ORPHAN_NOTE = "kept; `--prune` deletes"
_INDENT = " " * 6


def render_json(file: str, plan: Plan, *, applied: bool, models: Mapping[str, str]) -> str:
    report = {
        "file": file,
        "changes": [c.to_json() for c in plan.changes],
        "orphans": list(plan.orphans),
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
            if index:
                for detail in values(plan.pending[index - 1]):
                    text.append(f"{_INDENT}{detail}\n", style=_detail_style(detail))
    for orphan in plan.orphans:
        text.append(f"orphan: {orphan} (managed by install-contract, not in the contract): {ORPHAN_NOTE}\n")
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


def cut(value: str, limit: int = MAX_VALUE) -> str:
    """`value` in at most `limit` characters, cut in the middle."""
    if len(value) <= limit:
        return value
    keep = limit - 1
    return value[: keep - keep // 2] + "…" + value[len(value) - keep // 2 :]


def shown(value: object) -> str:
    """One value as the plan shows it: JSON (strings quoted), cut in the middle."""
    return cut(json.dumps(value, ensure_ascii=False))


def values(change: Change) -> list[str]:
    """The lines under a change: what each field was and will be (never a secret's value)."""
    lines: list[str] = []
    secrets = [d for d in change.diff if d.secret]
    if secrets:
        for how in ("added", "changed", "removed"):
            keys = [d.name for d in secrets if d.how == how]
            if keys:
                lines.append(f"keys {how}: {', '.join(keys)}")
    for d in change.diff:
        if d.secret:
            continue
        if isinstance(d.new, list) or isinstance(d.old, list):
            lines.extend(_listed(d))
        elif isinstance(d.new, str) and "\n" in d.new:
            lines.extend(_text(d))
        elif change.action == "create":
            lines.append(f"+ {d.name}: {shown(d.new)}")
        else:
            lines.append(f"{d.name}: {shown(d.old)} → {shown(d.new)}")
    return lines


def _listed(d: FieldDiff) -> list[str]:
    old = [str(v) for v in d.old or []]
    new = [str(v) for v in d.new or []]
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    if not added and not removed:
        return [f"{d.name}: same names and ids, other settings differ"]
    return [f"{d.name}: + {v}" for v in added] + [f"{d.name}: - {v}" for v in removed]


def _text(d: FieldDiff) -> list[str]:
    from contract.workflows.apply.litellm import config_diff

    if d.old is None:
        return [f"+ {d.name}: {len(str(d.new).splitlines())} lines"]
    return config_diff(str(d.old), str(d.new)).splitlines()


def _detail_style(line: str) -> str:
    if line.startswith(("+", "keys added")) or ": + " in line:
        return "green"
    if line.startswith(("-", "keys removed")) or ": - " in line:
        return "red"
    return ""


def _what(change: Change) -> str:
    text: str = change.action
    if change.fields and change.action == "update":
        text += ": " + ", ".join(change.fields)
    if change.note:
        text += f" ({change.note})"
    return text


# Why nothing (more) was written, by where the run stopped.
STOPPED = {
    "contract": "the contract has errors; nothing was written",
    "platform": "the platform refuses the contract; nothing was written",
    "no-terminal": "no terminal to confirm the plan; pass --yes to apply without asking (nothing was written)",
    "declined": "not applied; nothing was written",
}


def applied_text(outcome: ApplyOutcome, colour: bool = False) -> Output:
    """How `plan`/`apply` ended, after the table shown as the run went (stderr but `Applied N`)."""
    return _ended(outcome, colour, as_json=False)


def applied_json(outcome: ApplyOutcome, colour: bool = False) -> Output:
    """How `plan`/`apply -f json` ended: the plan document on stdout (or validate's when the
    contract stopped the run), the reasons on stderr."""
    return _ended(outcome, colour, as_json=True)


def _ended(outcome: ApplyOutcome, colour: bool, *, as_json: bool) -> Output:
    from contract.reporting import err, out
    from contract.reporting.checks import render_text as check_text
    from contract.reporting.diagnostics import REPORTERS

    parts = []
    if outcome.stopped in ("contract", "platform") and as_json and outcome.result is not None:
        parts.append(out(REPORTERS["json"]([outcome.result], False), nl=False))
    if outcome.stopped == "check" and outcome.check_report is not None:
        parts.append(err(check_text(outcome.check_report, colour), nl=False))
    if outcome.stopped in ("check", "incomplete"):
        parts.append(err(f"install-contract: {outcome.error}"))
    if outcome.stopped == "incomplete":
        parts.append(err(render_progress(outcome.done, outcome.remaining), nl=False))
    if outcome.stopped in STOPPED:
        parts.append(err(f"install-contract: {STOPPED[outcome.stopped]}"))
    elif as_json and outcome.plan is not None:
        models = outcome.model_ids
        parts.append(
            out(render_json(outcome.file, outcome.plan, applied=outcome.applied, models=models), nl=False)
        )
    elif outcome.applied and outcome.plan is not None:
        parts.append(out(f"Applied {len(outcome.plan.pending)} changes."))
    return tuple(parts)
