"""`check`'s report as text for people (a table) and as JSON for tools (pure functions)."""

from __future__ import annotations

import json
from typing import Any

from contract.reporting import Output, err, out
from contract.workflows.checks import CheckReport
from contract.workflows.checks.command import Checked

_MARKS = {"pass": "pass", "fail": "FAIL", "skip": "skip"}
# ANSI colours as click.style wrote them: green, red, yellow; bold (1) for a failure, else normal (22).
_COLOURS = {"pass": "32", "fail": "31", "skip": "33"}


def _bold(text: str) -> str:
    return f"\x1b[1m{text}\x1b[0m"


def _mark(text: str, status: str) -> str:
    weight = "1" if status == "fail" else "22"
    return f"\x1b[{_COLOURS[status]}m\x1b[{weight}m{text}\x1b[0m"


def as_dict(report: CheckReport) -> dict[str, Any]:
    """The JSON shape tools depend on (see README)."""
    return {
        "file": report.file,
        "where": report.where,
        "ok": report.ok,
        "results": [
            {
                "model": result.model,
                "endpoint": result.endpoint,
                "ok": result.ok,
                "steps": [
                    {"name": s.name, "status": s.status, "ms": s.ms, "detail": s.detail} for s in result.steps
                ],
            }
            for result in report.results
        ],
    }


def render_json(report: CheckReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False) + "\n"


def render_text(report: CheckReport, colour: bool = False) -> str:
    """A table: one line per step, the model and endpoint on the first line of each entry."""
    where = "from inside the cluster" if report.where == "cluster" else "from here (local)"
    lines = [f"{report.file}: checked {len(report.results)} model(s) {where}", ""]
    width = max([len(r.model) for r in report.results] + [5])
    header = f"{'MODEL':<{width}}  {'STEP':<10}  {'RESULT':<6}  {'MS':>6}  DETAIL"
    lines.append(_bold(header) if colour else header)
    for result in report.results:
        lines.append(f"{result.model:<{width}}  {result.endpoint or '(no endpoint)'}")
        for step in result.steps:
            mark = f"{_MARKS[step.status]:<6}"
            if colour:
                mark = _mark(mark, step.status)
            lines.append(f"{'':<{width}}  {step.name:<10}  {mark}  {step.ms:>6}  {step.detail}")
    failed = [r.model for r in report.results if not r.ok]
    lines.append("")
    if failed:
        lines.append(f"{len(failed)} of {len(report.results)} failed: {', '.join(failed)}")
    else:
        lines.append(f"all {len(report.results)} passed")
    return "\n".join(lines) + "\n"


NOTHING_CHECKED = "install-contract: the contract has errors; nothing was checked"


def checked_text(outcome: Checked, colour: bool = False) -> Output:
    if outcome.report is None:
        return (err(NOTHING_CHECKED),)
    return (out(render_text(outcome.report, colour), nl=False),)


def checked_json(outcome: Checked, colour: bool = False) -> Output:
    if outcome.report is None:
        return (err(NOTHING_CHECKED),)
    return (out(render_json(outcome.report), nl=False),)
