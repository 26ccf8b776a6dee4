"""What `install-contract catalog` shows: one row per known model, as a table or as JSON.

`catalog_rows` picks the rows (raising UsageError for a provider that does not exist, as
`add` does); contract/reporting/catalog.py shows them as a table or as JSON.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from contract.knowledge.catalog import (
    CATALOG_ENV,
    Catalog,
    ModelFacts,
    provider_for_display_name,
    provider_for_prefix,
    provider_prefixes,
)
from contract.outcome import Outcome, Status

__all__ = ["CatalogRequest", "Listed", "catalog_label", "catalog_rows", "list_catalog"]

Row = dict[str, Any]


@dataclass(frozen=True)
class CatalogRequest:
    """`catalog [QUERY] [--provider P] [--catalog FILE]`."""

    query: str | None = None
    provider: str | None = None
    catalog_file: str | None = None


@dataclass(frozen=True)
class Listed(Outcome):
    """The rows `catalog` shows, and how the table names the LiteLLM map."""

    rows: tuple[Row, ...] = ()
    query: str | None = None
    provider: str | None = None
    label: str = "litellm"  # `catalog_label`
    map_source: str = ""  # the catalog's own source string, to shorten each row's


def list_catalog(request: CatalogRequest) -> Listed:
    """The catalog's models matching the request (none is an answer too: status OK)."""
    from contract.knowledge.catalog import load_catalog

    known = load_catalog(request.catalog_file)
    rows = catalog_rows(known, request.query, request.provider)
    return Listed(
        status=Status.OK,
        rows=tuple(rows),
        query=request.query,
        provider=request.provider,
        label=catalog_label(request.catalog_file),
        map_source=known.source,
    )


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
