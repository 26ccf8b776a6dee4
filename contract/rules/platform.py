"""IC5xx: what only the platform can tell. `plan` and `apply` run these after reading the
admin API and before any write; `validate` cannot (it talks to nothing)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contract import catalog
from contract.diagnostics import Severity
from contract.rules._registry import Finding, rule


@dataclass(frozen=True)
class PlatformView:
    """The contract's entries as (index in models:, provider) and the platform's provider names."""

    entry_providers: Sequence[tuple[int, str]]
    provider_names: Sequence[str]


@rule("IC501", "unknown-provider", Severity.ERROR, scope="platform")
def unknown_provider(view: PlatformView) -> Iterator[Finding]:
    """`provider` names no ModelProvider the platform has.

    The admin API links each model to a provider row by its exact display name
    (`GET /v1/model-providers`); the platform seeds those rows and `apply` does not create
    them. Found by `plan`/`apply` before anything is written; the hint lists the platform's
    providers and the nearest one.

    Fails (the platform's provider is "Anthropic"):

        provider: anthropic

    Passes:

        provider: Anthropic
    """
    known = sorted(view.provider_names)
    exact = set(known)
    for index, provider in view.entry_providers:
        if provider in exact:
            continue
        near = catalog.nearest(provider, known)
        listed = ", ".join(known) if known else "none"
        hint = f"did you mean {near}? " if near else ""
        yield Finding(
            f"provider {provider!r} is not one of the platform's model providers",
            ("models", index, "provider"),
            hint=f"{hint}the platform has: {listed}",
        )
