"""IC5xx: what only the platform can tell. `plan` and `apply` run these after reading the
admin API and before any write; `validate` cannot (it talks to nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contract.diagnostics import Severity
from contract.pipeline.rules.registry import Finding, rule

# Two names within this many edits of each other are probably one name mistyped.
NEAR_EDITS = 2


@dataclass(frozen=True)
class PlatformView:
    """The contract's entries as (index in models:, provider) and the platform's provider names."""

    entry_providers: Sequence[tuple[int, str]]
    provider_names: Sequence[str]


def folded(name: str) -> str:
    """A provider name without case, spaces or punctuation: "Azure-OpenAI" -> "azureopenai"."""
    return re.sub(r"[\W_]+", "", name.casefold())


def edits(a: str, b: str, *, limit: int = NEAR_EDITS) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def new_providers(view: PlatformView) -> list[str]:
    """The contract's provider names the platform lacks (exactly), in contract order, once each:
    `apply` creates these (unless IC501 stops the plan)."""
    have = set(view.provider_names)
    return list(dict.fromkeys(p for _, p in view.entry_providers if p not in have))


@rule("IC501", "provider-near-miss", Severity.ERROR, scope="platform")
def provider_near_miss(view: PlatformView) -> Iterator[Finding]:
    """`provider` is a near miss of a ModelProvider the platform has.

    The admin API links each model to a provider row by its exact name
    (`GET /v1/model-providers`); a name the platform lacks is created by `apply` (seed 002:
    "must match an existing ModelProvider row or a new one is created"). A new name equal to
    an existing one but for case, spaces or punctuation would create a confusing twin: that is
    an error naming the existing row. A new name within two edits of an existing one is a
    warning ("did you mean"). Any other new name is a plain `create` line in the plan.

    Fails (the platform's provider is "Anthropic"):

        provider: anthropic

    Passes (an existing row, or a provider the platform will create):

        provider: Anthropic
        provider: Ollama
    """
    known = sorted(view.provider_names)
    exact = set(known)
    twins = {folded(name): name for name in reversed(known)}
    for index, provider in view.entry_providers:
        if provider in exact:
            continue
        path = ("models", index, "provider")
        twin = twins.get(folded(provider))
        if twin is not None:
            yield Finding(
                f"provider {provider!r} is the platform's provider {twin!r} written differently; "
                "apply would create a second provider beside it",
                path,
                hint=f"write provider: {twin}",
            )
            continue
        near = [name for name in known if edits(folded(provider), folded(name)) <= NEAR_EDITS]
        if near:
            yield Finding(
                f"provider {provider!r} is not one of the platform's providers: apply creates it; "
                f"did you mean {near[0]!r}?",
                path,
                hint=f"write provider: {near[0]} to use the existing row",
                severity=Severity.WARNING,
            )
