"""Unleash: point each feature flag at the admin-API ids of its models.

    desired_flags   contract -> the flags and their models (pure)
    observe_flags   read each flag and its variants per environment
    diff_flags      desired + observed + model ids -> changes (pure)
    apply_flags     create, set variants, enable: only what differs

A flag's variants, in every configured environment, are exactly one per model: `name` = the
model's litellmModelName, a string payload holding the model's admin-API id, weight type
`variable`, stickiness `default`. Flags the contract leaves out of `featureFlags` are derived:
EMBEDDING_MODELS (Embeddings entries), AUDIO_TRANSCRIPTION (Transcription entries) and
TOOL_CALLING_MODELS (CHAT entries that can call tools); a derived flag with no model is not
created. Flags in Unleash that the contract does not name are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.errors import UsageError
from contract.pipeline.model import FeatureFlags, ModelEntry, Unleash
from contract.workflows.apply.changes import KNOWN_AFTER_APPLY, Action, Change, FieldDiff
from contract.workflows.apply.desired import ContractLike

if TYPE_CHECKING:
    from contract.clients.unleash import UnleashClient
    from contract.knowledge.catalog import Catalog

__all__ = [
    "DERIVED_NOTE",
    "DesiredFlag",
    "ObservedEnvironment",
    "ObservedFlag",
    "ObservedFlags",
    "Variant",
    "apply_flags",
    "desired_flags",
    "diff_flags",
    "observe_flags",
]

FLAG_TYPE = "release"
DERIVED_NOTE = "derived: no featureFlags entry"
# Unleash spreads 1000 over the variable-weight variants of a flag.
TOTAL_WEIGHT = 1000
# Reads of several flags at once; Unleash answers each in milliseconds.
READ_WORKERS = 8


@dataclass(frozen=True)
class DesiredFlag:
    """A flag and the litellmModelNames its variants name, in contract order."""

    name: str
    models: tuple[str, ...]
    derived: bool = False


@dataclass(frozen=True)
class Variant:
    """One variant as far as `apply` cares. `weight` counts only for fixed weights: Unleash
    recomputes variable ones itself. `overrides` is True when the variant carries any."""

    name: str
    value: str
    payload_type: str = "string"
    weight_type: str = "variable"
    stickiness: str = "default"
    weight: int | None = None
    overrides: bool = False

    @classmethod
    def from_unleash(cls, raw: Mapping[str, Any]) -> Variant:
        payload = raw.get("payload")
        payload = payload if isinstance(payload, Mapping) else {}
        weight_type = str(raw.get("weightType") or "variable")
        weight = raw.get("weight")
        return cls(
            name=str(raw.get("name", "")),
            value=str(payload.get("value", "")),
            payload_type=str(payload.get("type", "")) if payload else "",
            weight_type=weight_type,
            stickiness=str(raw.get("stickiness") or "default"),
            weight=weight if weight_type != "variable" and isinstance(weight, int) else None,
            overrides=bool(raw.get("overrides")),
        )


@dataclass(frozen=True)
class ObservedEnvironment:
    enabled: bool = False
    variants: tuple[Variant, ...] = ()  # by name (`by_name`), as Unleash serves them


@dataclass(frozen=True)
class ObservedFlag:
    """A flag as Unleash holds it, per configured environment."""

    name: str
    environments: Mapping[str, ObservedEnvironment] = field(default_factory=dict)

    def environment(self, name: str) -> ObservedEnvironment:
        return self.environments.get(name, ObservedEnvironment())


@dataclass(frozen=True)
class ObservedFlags:
    """Each desired flag's state; None for a flag the project does not have."""

    flags: Mapping[str, ObservedFlag | None] = field(default_factory=dict)

    def get(self, name: str) -> ObservedFlag | None:
        return self.flags.get(name)


# -- desired ------------------------------------------------------------------------------------


def _names(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    listed = [value] if isinstance(value, str) else value
    return tuple(dict.fromkeys(listed))


def _explicit(flags: FeatureFlags | None) -> dict[str, tuple[str, ...]]:
    if flags is None:
        return {}
    return {name: _names(value) for name, value in flags.by_name().items()}


def can_call_tools(entry: ModelEntry, catalog: Catalog) -> bool:
    """A CHAT entry that calls tools: its `vllm:` block names a tool-call parser, or (without
    one) the catalog marks the model as supporting function calling."""
    from contract.pipeline.render._views import tool_calling

    if entry.type != "CHAT":
        return False
    facts = None if entry.vllm else catalog.lookup(entry.litellm_model, base_model=entry.base_model)
    return tool_calling(entry, None, facts.supports_tool_calling if facts else None)


def desired_flags(contract: ContractLike, *, catalog_path: str | None = None) -> tuple[DesiredFlag, ...]:
    """Every flag in `featureFlags`, plus the derivable ones the contract leaves out, by name."""
    from contract.knowledge.catalog import load_catalog

    explicit = _explicit(contract.feature_flags)
    flags = [DesiredFlag(name, models) for name, models in explicit.items()]
    models = list(contract.models)
    derived: dict[str, list[str]] = {
        "EMBEDDING_MODELS": [m.litellm_model_name for m in models if m.metadata_type == "Embeddings"],
        "AUDIO_TRANSCRIPTION": [m.litellm_model_name for m in models if m.metadata_type == "Transcription"],
    }
    if "TOOL_CALLING_MODELS" not in explicit:
        catalog = load_catalog(catalog_path)
        derived["TOOL_CALLING_MODELS"] = [m.litellm_model_name for m in models if can_call_tools(m, catalog)]
    for name, names in derived.items():
        if name not in explicit and names:
            flags.append(DesiredFlag(name, tuple(dict.fromkeys(names)), derived=True))
    return tuple(sorted(flags, key=lambda f: f.name))


def by_name(variants: Iterable[Variant]) -> tuple[Variant, ...]:
    """Variants in Unleash's order: it stores and serves them sorted by name."""
    return tuple(sorted(variants, key=lambda v: v.name))


def desired_variants(flag: DesiredFlag, model_ids: Mapping[str, str]) -> tuple[Variant, ...]:
    """The variants the flag must have, by name; an id not yet assigned reads as KNOWN_AFTER_APPLY."""
    return by_name(Variant(name, model_ids.get(name, KNOWN_AFTER_APPLY)) for name in flag.models)


def unleash_variants(variants: Sequence[Variant]) -> list[dict[str, Any]]:
    """The variants as Unleash's API takes them, weights spread the way Unleash spreads them."""
    if not variants:
        return []
    share, rest = divmod(TOTAL_WEIGHT, len(variants))
    return [
        {
            "name": v.name,
            "weightType": v.weight_type,
            "weight": share + (rest if i == 0 else 0),
            "stickiness": v.stickiness,
            "payload": {"type": v.payload_type, "value": v.value},
        }
        for i, v in enumerate(variants)
    ]


def environments(settings: Unleash) -> tuple[str, ...]:
    return tuple(dict.fromkeys(settings.environments))


# -- observe ------------------------------------------------------------------------------------


def _observe_one(client: UnleashClient, name: str, wanted: Sequence[str]) -> ObservedFlag | None:
    from contract.clients.unleash import UnleashError

    feature = client.feature(name)
    if feature is None:
        return None
    enabled: dict[str, bool] = {}
    for env in feature.get("environments") or []:
        if isinstance(env, Mapping) and isinstance(env.get("name"), str):
            enabled[env["name"]] = bool(env.get("enabled"))
    missing = [env for env in wanted if env not in enabled]
    if missing:
        have = ", ".join(sorted(enabled)) or "none"
        raise UnleashError(
            f"Unleash: project {client.project} has no environment {', '.join(missing)} for flag {name} "
            f"(it has: {have}); fix platform.unleash.environments or enable the environment in the project"
        )
    return ObservedFlag(
        name,
        {
            env: ObservedEnvironment(
                enabled[env],
                by_name(Variant.from_unleash(v) for v in client.environment_variants(name, env)),
            )
            for env in wanted
        },
    )


def observe_flags(client: UnleashClient, desired: Iterable[DesiredFlag], settings: Unleash) -> ObservedFlags:
    """Read every desired flag: whether it exists, and per environment its state and variants."""
    names = [f.name for f in desired]
    wanted = environments(settings)
    if not names:
        return ObservedFlags({})
    with ThreadPoolExecutor(max_workers=min(READ_WORKERS, len(names))) as pool:
        found = list(pool.map(lambda name: _observe_one(client, name, wanted), names))
    return ObservedFlags(dict(zip(names, found, strict=True)))


# -- diff ---------------------------------------------------------------------------------------


def diff_flags(
    desired: Iterable[DesiredFlag],
    observed: ObservedFlags,
    model_ids: Mapping[str, str],
    settings: Unleash,
) -> list[Change]:
    """One change per desired flag: create, update (`enabled`, `variants`) or keep. Pure."""
    wanted = environments(settings)
    changes: list[Change] = []
    for flag in desired:
        notes = [DERIVED_NOTE] if flag.derived else []
        current = observed.get(flag.name)
        variants = desired_variants(flag, model_ids)
        if current is None:
            values = (FieldDiff("variants", [], _shown(variants)), FieldDiff("enabled", None, True))
            changes.append(
                Change(
                    "unleash", "flag", flag.name, "create", ("variants", "enabled"), "; ".join(notes), values
                )
            )
            continue
        fields: set[str] = set()
        stale: list[str] = []
        old_variants: set[str] = set()
        for env in wanted:
            state = current.environment(env)
            differs = [
                *(["variants"] if state.variants != variants else []),
                *(["enabled"] if not state.enabled else []),
            ]
            if differs:
                fields.update(differs)
                stale.append(env)
            if state.variants != variants:
                old_variants.update(_shown(state.variants))
        if stale:
            notes.append(f"environments: {', '.join(stale)}")
        action: Action = "update" if fields else "keep"
        diff: list[FieldDiff] = []
        if "enabled" in fields:
            diff.append(FieldDiff("enabled", False, True))
        if "variants" in fields:
            diff.append(FieldDiff("variants", sorted(old_variants), _shown(variants)))
        changes.append(
            Change("unleash", "flag", flag.name, action, tuple(sorted(fields)), "; ".join(notes), tuple(diff))
        )
    return changes


def _shown(variants: Iterable[Variant]) -> list[str]:
    """Variants as a plan shows them: `name=admin-API id`."""
    return [f"{v.name}={v.value}" for v in variants]


# -- apply --------------------------------------------------------------------------------------


def _create(client: UnleashClient, name: str, wanted: Sequence[str]) -> ObservedFlag:
    from contract.clients.unleash import UnleashConflict, UnleashError

    try:
        client.create_feature(name, flag_type=FLAG_TYPE)
    except UnleashConflict as exc:
        # Created meanwhile (by a retry whose first attempt committed, or another run): adopt it.
        adopted = _observe_one(client, name, wanted)
        if adopted is None:
            raise UnleashError(
                f"{exc}; the name is taken outside project {client.project} (an archived flag, or a flag "
                "of another project): revive or move it in Unleash, then apply again",
                exc.status,
            ) from None
        return adopted
    # A new flag is off everywhere and has no variants.
    return ObservedFlag(name, {env: ObservedEnvironment() for env in wanted})


def apply_flags(
    client: UnleashClient,
    desired: Iterable[DesiredFlag],
    observed: ObservedFlags,
    model_ids: Mapping[str, str],
    settings: Unleash,
) -> None:
    """Make Unleash match `desired`: create missing flags (type release), set variants where they
    differ (one request for all such environments), then enable the flag where it is off.

    Variants are written before the flag is enabled, so a flag never goes on pointing at
    nothing. Every model must have its admin-API id by now.
    """
    wanted = environments(settings)
    for flag in desired:
        unassigned = [n for n in flag.models if model_ids.get(n, KNOWN_AFTER_APPLY) == KNOWN_AFTER_APPLY]
        if unassigned:
            raise UsageError(
                f"flag {flag.name}: no admin-API id for {', '.join(unassigned)}; models are written first"
            )
        variants = desired_variants(flag, model_ids)
        current = observed.get(flag.name)
        if current is None:
            current = _create(client, flag.name, wanted)
        stale = [env for env in wanted if current.environment(env).variants != variants]
        if stale:
            client.set_variants(flag.name, unleash_variants(variants), stale)
        for env in wanted:
            if not current.environment(env).enabled:
                client.enable(flag.name, env)
