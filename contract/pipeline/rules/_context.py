"""What a rule sees: one typed entry with derived facts, or the whole contract."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from contract.diagnostics import Path
from contract.knowledge import catalog
from contract.knowledge import entries as entry_facts
from contract.knowledge.facts import OPENAI_SERVER_PREFIXES
from contract.pipeline.model import ModelEntry

if TYPE_CHECKING:
    from contract.knowledge.catalog import Catalog, ModelFacts, Provider
    from contract.pipeline.routers import Router


@dataclass
class Options:
    """What a validation run should check, beyond the contract itself."""

    check_env: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    catalog_path: str | None = None
    # The environments whose resolved contracts are validated (None: every one declared).
    environments: tuple[str, ...] | None = None


_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """functools.cached_property without its lock: Python 3.11 takes one on every first read,
    seven times per entry, which a 10,000-model contract feels. Entries are not shared
    between threads while rules run."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> _T | cached_property[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Entry:
    """One `models:` entry that passed typing, with the facts rules keep asking for."""

    def __init__(
        self,
        index: int,
        model: ModelEntry,
        raw: dict[str, Any],
        options: Options,
        broken: frozenset[str] = frozenset(),
    ) -> None:
        self.index = index
        self.model = model
        self.raw = raw
        self.options = options
        self.path: Path = ("models", index)
        # Top-level fields already reported as missing or invalid: `model` holds a placeholder
        # or nothing there, and rules that read them do not run.
        self.broken = broken

    @cached_property
    def prefix(self) -> str | None:
        """The provider prefix of litellmModel (`openai` in `openai/gpt-4o`), None without a `/`."""
        return entry_facts.prefix(self.model.litellm_model)

    @cached_property
    def suffix(self) -> str:
        """litellmModel without its prefix: what LiteLLM sends as `model` upstream."""
        return entry_facts.suffix(self.model.litellm_model)

    @cached_property
    def prefix_known(self) -> bool:
        return self.prefix is not None and self.prefix in catalog.provider_prefixes()

    @cached_property
    def provider(self) -> Provider | None:
        """The provider row for the `provider:` display name, if it is one the catalog knows."""
        return catalog.provider_for_display_name(self.model.provider)

    @cached_property
    def self_hosted(self) -> bool:
        return entry_facts.is_self_hosted(self.model)

    @cached_property
    def openai_compatible(self) -> bool:
        """Reached over the OpenAI protocol at an apiBase: /v1 rules apply."""
        return self.prefix in OPENAI_SERVER_PREFIXES and (self.self_hosted or self.model.api_base is not None)

    def catalog(self) -> Catalog:
        """The model catalog (loaded on first use, once per run)."""
        return _catalog(self.options)

    @cached_property
    def facts(self) -> ModelFacts | None:
        """Catalog facts for this model, or None when the catalog does not know it."""
        vllm_model = self.model.vllm.model if self.model.vllm else None
        return self.catalog().lookup(
            self.model.litellm_model,
            base_model=self.model.base_model,
            vllm_model=vllm_model,
            self_hosted=self.self_hosted,
        )


_CATALOGS: dict[str | None, Catalog] = {}


def _catalog(options: Options) -> Catalog:
    if options.catalog_path not in _CATALOGS:
        _CATALOGS[options.catalog_path] = catalog.load_catalog(options.catalog_path)
    return _CATALOGS[options.catalog_path]


@dataclass
class Named:
    """An entry's litellmModelName wherever it could be read, typed or not."""

    index: int
    name: str
    entry: Entry | None


@dataclass
class ContractView:
    """The whole contract for rules that compare entries or follow references."""

    names: list[Named]
    entries: list[Entry]
    raw_flags: Mapping[str, Any] | None
    options: Options
    # The routers that passed typing, by name.
    routers: Mapping[str, Router] = field(default_factory=dict)
    # Flags the platform defines beyond seed 002's four (platform.unleash.knownFlags).
    known_flags: tuple[str, ...] = ()
