"""What `install-contract catalog` shows: one row per known model, as a table or as JSON.

`catalog_rows` picks the rows (raising UsageError for a provider that does not exist, as
`add` does); `render_table` and `render_json` are pure functions of those rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from contract.knowledge.catalog import (
    CATALOG_ENV,
    Catalog,
    ModelFacts,
    provider_for_display_name,
    provider_for_prefix,
    provider_prefixes,
)

__all__ = ["COLUMNS", "catalog_label", "catalog_rows", "no_match_message", "render_json", "render_table"]

COLUMNS = ("MODEL", "PROVIDER", "CONTEXT", "MAX OUT", "MODE", "TOOLS", "SOURCE")

Row = dict[str, Any]


def catalog_rows(catalog: Catalog, query: str | None, provider: str | None) -> list[Row]:
    """The models whose id contains `query` (ignoring case), of `provider` when given, best first.

    With a query, the order is: the exact id (`gpt-4o`, or `openai/gpt-4o`), then rows of the
    model's own vendor (`openai/…` before `azure/eu/…`), then the rest; within each, ids that
    start with the query come first, and rows without a context window come last.

    The keys are the JSON output's: id, provider, prefix, contextWindow, maxTokens, mode,
    supportsToolCalling, source. Raises UsageError, naming the closest provider, when nothing
    matches and `provider` is neither a display name nor a prefix.
    """
    found = _ranked(catalog.models(query, provider), query)
    if not found and provider is not None and _unknown_provider(provider):
        from contract.workflows.edit import resolve_provider

        resolve_provider(provider)  # raises UsageError naming the closest provider
    return [
        {
            "id": facts.id,
            "provider": _provider_name(facts.prefix, facts.provider),
            "prefix": facts.prefix,
            "contextWindow": facts.context_window,
            "maxTokens": facts.max_output_tokens,
            "mode": facts.mode,
            "supportsToolCalling": facts.supports_tool_calling,
            "source": facts.source,
        }
        for facts in found
    ]


def catalog_label(catalog_file: str | None) -> str:
    """How the table names the LiteLLM map: the user's file name, else `litellm`."""
    chosen = catalog_file or os.environ.get(CATALOG_ENV) or None
    return os.path.basename(chosen) if chosen else "litellm"


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


def _ranked(found: list[ModelFacts], query: str | None) -> list[ModelFacts]:
    """`found` (sorted by prefix/id) with the best matches for `query` first; stable otherwise."""
    if not query:
        return found
    needle = query.strip().casefold()

    def key(facts: ModelFacts) -> tuple[bool, bool, bool, bool]:
        model_id = facts.id.casefold()
        exact = needle in (model_id, facts.litellm_model.casefold())
        return (
            not exact,
            not _first_party(facts.prefix),
            not (model_id.startswith(needle) or facts.litellm_model.casefold().startswith(needle)),
            not facts.context_window,  # unknown, or 0 in some gateways' rows
        )

    return sorted(found, key=key)


def _first_party(prefix: str) -> bool:
    """The prefix is the vendor's own API (OpenAI's openai/, Anthropic's anthropic/), not a
    cloud or gateway reselling it: the provider's creator is the provider itself."""
    row = provider_for_prefix(prefix)
    return row is not None and row.creator is not None and row.creator in row.display_names


def _unknown_provider(provider: str) -> bool:
    return provider_for_display_name(provider) is None and provider not in provider_prefixes()


def _provider_name(prefix: str, label: str) -> str:
    row = provider_for_prefix(prefix)
    return row.display_names[0] if row is not None else label


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
