"""What `discover` shows: each source and its candidates as a table, or as JSON (pure functions).

The discover workflow (contract/workflows/discover/) returns the source reports; these
functions only lay them out (an `--add` the file would not take: reporting.edits.refusal).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract.reporting import Output
    from contract.workflows.discover import Candidate, SourceReport
    from contract.workflows.discover.run import DiscoverOutcome

HEADER = ("NAME", "DISCOVERED", "WINDOW", "STATUS")


def status(c: Candidate) -> str:
    if c.valid:
        return "ok"
    if c.fields is None or c.refused:
        return "refused"
    return "conflict" if c.conflict else "invalid"


def render_json(reports: Sequence[SourceReport]) -> str:
    """`{"sources": [...]}`, each report's own dictionary; no trailing newline."""
    return json.dumps({"sources": [r.as_dict() for r in reports]}, indent=2)


def render_table(reports: Sequence[SourceReport], show_labels: bool) -> str:
    """Each source with its state, then its candidates under a header row; no trailing newline.

    Columns are as wide as their longest cell (a long Ollama tag widens its column instead
    of pushing the rest of its row out of line).
    """
    rows = [
        (
            c.name,
            c.discovered,
            str((c.fields or {}).get("contextWindow") or "-"),
            status(c) + (f" (LoRA adapter of {c.facts['adapterOf']})" if c.facts.get("adapterOf") else ""),
        )
        for r in reports
        for c in r.candidates
    ]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(HEADER)]

    def line(cells: tuple[str, str, str, str]) -> str:
        name, discovered, window, state = cells
        return (f"  {name:<{widths[0]}}  {discovered:<{widths[1]}}  {window:>{widths[2]}}  {state}").rstrip()

    lines = []
    for report in reports:
        lines.append(
            f"{report.source} at {report.where}: {report.state}"
            + (f" ({report.message})" if report.message else "")
        )
        if report.candidates:
            lines.append(line(HEADER))
        for c in report.candidates:
            row = line(rows.pop(0))
            if show_labels and c.labels:
                row += "  " + " ".join(f"{k}={v}" for k, v in sorted(c.labels.items()))
            lines.append(row)
            lines.extend(_candidate_notes(c))
    return "\n".join(lines)


def _candidate_notes(c: Candidate) -> list[str]:
    lines = []
    if c.refused:
        lines.append(f"      {c.refused}" + (f" (hint: {c.hint})" if c.hint else ""))
    if c.conflict:
        lines.append(f"      conflict: {c.conflict}")
    for d in c.diagnostics:
        lines.append(
            f"      {d.severity.value} {d.code} {d.message}" + (f" (hint: {d.hint})" if d.hint else "")
        )
    return lines


def discovered_table(outcome: DiscoverOutcome, colour: bool = False) -> Output:
    """How `discover` ended, after the table shown as the run went: an `--add` refused (with
    its diagnostics), what was added, the sources named that are down."""
    return _ended(outcome, to_stderr=False)


def discovered_json(outcome: DiscoverOutcome, colour: bool = False) -> Output:
    """As `discovered_table`, with stdout left to the JSON document shown as the run went."""
    return _ended(outcome, to_stderr=True)


def _ended(outcome: DiscoverOutcome, *, to_stderr: bool) -> Output:
    from contract.outcome import Status
    from contract.reporting import Part, err
    from contract.reporting.edits import refusal

    parts: list[Part] = []
    add = outcome.add
    if add is not None and add.error:
        parts.extend(refusal(add.error, outcome.diagnostics))
    if add is not None and outcome.written:
        parts.append(Part(f"added {', '.join(add.added)} to {outcome.written}\n", err=to_stderr))
    if outcome.status is Status.UNREACHABLE:
        # The reason is in the report above (the table or the JSON): said once.
        parts.extend(err(f"install-contract: {r.source} at {r.where} is {r.state}") for r in outcome.down)
    return tuple(parts)
