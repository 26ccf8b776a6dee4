"""`install-contract catalog`'s rows as a table for people or as JSON for tools (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from contract.reporting import Output, out
from contract.workflows.listing import Listed

COLUMNS = ("MODEL", "PROVIDER", "CONTEXT", "MAX OUT", "MODE", "TOOLS", "SOURCE")

Row = dict[str, Any]


def no_match_message(query: str | None, provider: str | None) -> str:
    where = f" from provider {provider!r}" if provider else ""
    what = f" matches {query!r}" if query else ""
    return f"no model in the catalog{where}{what}"


def render_json(rows: Sequence[Row]) -> str:
    return json.dumps(list(rows), indent=2)


def render_table(rows: Sequence[Row], source_label: str, map_source: str) -> str:
    """Aligned columns under a header, two spaces apart; no trailing blanks or newline."""
    table = [COLUMNS] + [_table_row(row, source_label, map_source) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def _table_row(row: Row, source_label: str, map_source: str) -> tuple[str, ...]:
    return (
        f"{row['prefix']}/{row['id']}",
        _cell(row["provider"]),
        _cell(row["contextWindow"]),
        _cell(row["maxTokens"]),
        _cell(row["mode"]),
        _cell(row["supportsToolCalling"]),
        _short_source(str(row["source"]), source_label, map_source),
    )


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _short_source(source: str, map_label: str, map_source: str) -> str:
    """`litellm`, `seed`, `model card` (open_weights.json), or `litellm+seed` (LiteLLM's facts
    with gaps filled from a seed)."""
    if source.startswith(map_source):
        return f"{map_label}+seed" if " from seed" in source else map_label
    if source.startswith("seed"):
        return "seed"
    head = source.split(":", 1)[0]
    return "model card" if "model card" in head else head


def listed_table(outcome: Listed, colour: bool = False) -> Output:
    """The rows as a table, or the sentence saying nothing matched."""
    if outcome.rows:
        return (out(render_table(outcome.rows, outcome.label, outcome.map_source)),)
    return (out(no_match_message(outcome.query, outcome.provider)),)


def listed_json(outcome: Listed, colour: bool = False) -> Output:
    return (out(render_json(outcome.rows)),)
