"""What the tool knows about providers and models: facts, not code.

Three packaged tables under `contract/data/`:

* `litellm_providers.json`: the prefixes LiteLLM routes by (its `LlmProviders` enum and its
  declared OpenAI-compatible providers). `validate` reads it on every run, so it is small.
* `litellm_models.json`: context window, max output, mode and tool support of every model in
  LiteLLM's own map, cut down to those fields (`scripts/refresh-catalog` regenerates both from
  the pinned LiteLLM wheel).
* `providers.json` and `seed_models.json`: hand-reviewed from the seeds: display names, base
  URLs and auth per provider, and the models the seeds use that LiteLLM's map lacks.
* `open_weights.json`: open-weight checkpoints served with vLLM, from their model cards:
  context window, total parameters and how the weights are stored (for GPU sizing).

An air-gapped site refreshes the model facts by pointing `INSTALL_CONTRACT_CATALOG` (or
`load_catalog(path)`) at a newer `model_prices_and_context_window.json`; the seed rows are
merged on top of whichever map is loaded. Nothing is read at import time.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contract.errors import InputError
from contract.knowledge.entries import prefix as prefix_of
from contract.knowledge.entries import suffix as suffix_of
from contract.knowledge.facts import BEDROCK_PROFILES, KEPT_MODES, OLLAMA_PREFIXES, OPENAI_SERVER_PREFIXES
from contract.resources import read_data

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CATALOG_ENV",
    "Catalog",
    "ModelFacts",
    "Provider",
    "load_catalog",
    "nearest",
    "provider_for_display_name",
    "provider_for_prefix",
    "provider_prefixes",
    "providers",
]

CATALOG_ENV = "INSTALL_CONTRACT_CATALOG"

# LiteLLM modes a contract entry can stand for, and Bedrock's cross-region profiles.
_KEPT_MODES = KEPT_MODES
_BEDROCK_REGIONS = BEDROCK_PROFILES
_BEDROCK_ROUTES = ("converse/", "invoke/")

# Where else the same id is documented when a prefix's own namespace lacks it. Facts found
# there keep their own prefix and source.
_FALLBACK_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "gemini": ("vertex_ai",),
    "vertex_ai": ("gemini",),
    "azure": ("openai",),
    "azure_ai": ("azure", "openai"),
    "text-completion-openai": ("openai",),
    "ollama": ("ollama_chat",),
    "ollama_chat": ("ollama",),
    # openai/<id> with an apiBase is how OpenAI-compatible clouds are often reached (seed 001).
    "openai": ("deepseek", "xai", "zai", "mistral", "groq"),
}

# OpenRouter's vendor part -> the LiteLLM prefix serving that vendor's own models.
_OPENROUTER_VENDORS: Mapping[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "mistralai": "mistral",
    "deepseek": "deepseek",
    "x-ai": "xai",
    "z-ai": "zai",
}


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What the catalog knows about one model id.

    `id` is the model id after the prefix (what LiteLLM sends upstream; a Hugging Face id for
    self-hosted rows), `prefix` the LiteLLM prefix that reaches it, `provider` LiteLLM's
    `litellm_provider` label (not always a prefix: `bedrock_converse`). None means unknown.
    """

    id: str
    provider: str
    prefix: str
    context_window: int | None
    max_output_tokens: int | None
    mode: str | None  # chat | completion | responses | embedding | audio_transcription
    supports_tool_calling: bool | None
    source: str
    params_b: float | None = None  # total parameters in billions (all experts of an MoE model)
    weights: str | None = None  # how the checkpoint stores them: bf16, fp8, mxfp4 (weight_formats.json)
    # The window without rope scaling (YaRN), where the card's longest one needs it.
    native_context_window: int | None = None

    @property
    def litellm_model(self) -> str:
        """The id as a contract writes it: `prefix/id`."""
        return f"{self.prefix}/{self.id}"


# One row of a LiteLLM map as the catalog indexes it: key, litellm_provider, prefix, id, record.
_Row = tuple[str, str, str, str, "Mapping[str, Any]"]


@dataclass(frozen=True)
class Provider:
    """A provider as contracts name it, and how LiteLLM reaches it."""

    display_names: tuple[str, ...]
    prefixes: tuple[str, ...]  # the usual one first
    base_url: str | None
    auth: str  # api_key | aws | azure | adc | none
    env_var: str | None
    creator: str | None
    openai_compatible: bool
    source: str = ""
    # Other base URLs the provider documents (its OpenAI-compatible path, a spelling without /v1).
    base_urls: tuple[str, ...] = ()

    @property
    def self_hosted(self) -> bool:
        """The platform's own vLLM servers (the Self-Hosted row), not a cloud API."""
        return "hosted_vllm" in self.prefixes

    @property
    def documented_base_urls(self) -> tuple[str, ...]:
        return tuple(u for u in (self.base_url, *self.base_urls) if u)


# --------------------------------------------------------------------------- package data


@functools.cache
def provider_prefixes() -> frozenset[str]:
    """Every prefix LiteLLM 1.106.2 routes by (`openai`, `bedrock`, `hosted_vllm`, ...)."""
    return frozenset(read_data("litellm_providers.json")["providers"])


def nearest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to `word` (ignoring case), or None when nothing is close."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    folded = word.casefold()
    if not folded or not by_folded:
        return None
    if folded in by_folded:
        return by_folded[folded]
    import difflib  # only needed for hints

    match = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=cutoff)
    return by_folded[match[0]] if match else None


@functools.cache
def providers() -> tuple[Provider, ...]:
    """The reviewed provider table, in the order of `providers.json`."""
    rows = read_data("providers.json")["providers"]
    return tuple(
        Provider(
            display_names=tuple(row["display_names"]),
            prefixes=tuple(row["prefixes"]),
            base_url=row.get("base_url"),
            auth=row["auth"],
            env_var=row.get("env_var"),
            creator=row.get("creator"),
            openai_compatible=bool(row.get("openai_compatible")),
            source=row.get("source", ""),
            base_urls=tuple(row.get("base_urls", ())),
        )
        for row in rows
    )


@functools.lru_cache(maxsize=1024)
def _display_key(name: str) -> str:
    # "Self-Hosted", "self hosted" and "SelfHosted" are one provider; so are "Z.ai" and "ZAI".
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@functools.cache
def _providers_by_display_name() -> dict[str, Provider]:
    table: dict[str, Provider] = {}
    for provider in providers():
        for name in provider.display_names:
            table.setdefault(_display_key(name), provider)
    return table


def provider_for_display_name(name: str) -> Provider | None:
    """The provider a contract's `provider:` names, ignoring case, spaces and punctuation."""
    return _providers_by_display_name().get(_display_key(name))


@functools.lru_cache(maxsize=1024)
def provider_for_prefix(prefix: str) -> Provider | None:
    """The provider a LiteLLM prefix belongs to: the one whose usual prefix it is, else any."""
    rows = providers()
    for provider in rows:
        if provider.prefixes and provider.prefixes[0] == prefix:
            return provider
    for provider in rows:
        if prefix in provider.prefixes:
            return provider
    return None


# --------------------------------------------------------------------------- dates and aliases

# Patterns stay strings: `re` compiles (and caches) them on first use, not at import.
_FULL_DATE = r"(?:^|[-@])(20\d{2})-?(\d{2})-?(\d{2})(?=$|[-@:.])"
_MONTH_YEAR = r"-(\d{2})-(20\d{2})(?=$|-)"
_SHORT_DATE = r"-(\d{2})(\d{2})(?=$|-)"
_DATED_SUFFIX = (
    r"^(?P<base>.+?)(?:[-@](?P<ymd>20\d{2}-?\d{2}-?\d{2})|-(?P<my>\d{2}-20\d{2})|-(?P<short>\d{4}))$"
)


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _short_date(text: str) -> tuple[int, int, int] | None:
    """A 4-digit date: MMDD (OpenAI, xAI: gpt-4-0613) or else YYMM (Mistral: mistral-large-2512)."""
    first, second = int(text[:2]), int(text[2:])
    if _valid(first, second):
        return (0, first, second)  # the year is unknown; such families never mix with full dates
    if 23 <= first <= 39 and 1 <= second <= 12:
        return (2000 + first, second, 0)
    return None


def _date_key(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match["ymd"]:
        digits = match["ymd"].replace("-", "")
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        return (year, month, day) if _valid(month, day) else None
    if match["my"]:
        month, year = int(match["my"][:2]), int(match["my"][3:])
        return (year, month, 0) if _valid(month, 1) else None
    return _short_date(match["short"])


def _is_dated(model_id: str) -> bool:
    """True when the id pins a snapshot: a date anywhere in it (2025-05-14, 20250514, 0613, 08-2024)."""
    for match in re.finditer(_FULL_DATE, model_id):
        if _valid(int(match[2]), int(match[3])):
            return True
    if any(_valid(int(m[1]), 1) for m in re.finditer(_MONTH_YEAR, model_id)):
        return True
    return any(_short_date(m[1] + m[2]) is not None for m in re.finditer(_SHORT_DATE, model_id))


# --------------------------------------------------------------------------- the catalog


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _label_prefix(label: str, prefixes: frozenset[str]) -> str:
    """The prefix for a map's `litellm_provider` label (`vertex_ai-language-models` -> vertex_ai)."""
    if label in prefixes:
        return label
    if label == "bedrock_converse":
        return "bedrock"
    head = label.split("-", 1)[0]
    return head if head in prefixes else label


def _bedrock_route_stripped(model_id: str) -> str:
    for route in _BEDROCK_ROUTES:
        if model_id.startswith(route):
            return model_id[len(route) :]
    return model_id


class Catalog:
    """Model facts from one LiteLLM map with the seed rows merged in. Build with `load_catalog`."""

    def __init__(
        self, model_map: Mapping[str, Any], *, source: str, seed_rows: Iterable[Mapping[str, Any]] = ()
    ) -> None:
        self.source = source
        prefixes = provider_prefixes()
        # The map's rows are indexed as they are read, and turned into ModelFacts only when a
        # lookup asks for one: a validate run asks for a handful of the map's thousands.
        # (prefix, id) -> the map row LiteLLM would pick for it, and each key's own row.
        self._rows: dict[tuple[str, str], _Row] = {}
        self._rank: dict[tuple[str, str], int] = {}
        self._raw_rows: dict[str, _Row] = {}
        # (prefix, id) -> facts: the seed rows, and map rows once asked for.
        self._facts: dict[tuple[str, str], ModelFacts] = {}
        self._hf: dict[str, ModelFacts] = {}  # casefolded Hugging Face id -> self-hosted facts
        self._served: dict[str, ModelFacts] = {}  # seed --served-model-name -> facts
        self._aliases: dict[tuple[str, str], ModelFacts] = {}
        self._ollama: dict[str, ModelFacts] = {}  # Ollama library name (llama3.1, qwen3:32b) -> facts
        self._families: dict[str, dict[str, list[tuple[tuple[int, int, int], str]]]] | None = None
        for key, record in model_map.items():
            if isinstance(record, dict) and record.get("mode") in _KEPT_MODES:
                self._add_map_entry(key, record, prefixes)
        for row in seed_rows:
            self._add_seed_row(row)

    # ----------------------------------------------------------------- building

    def _add_map_entry(self, key: str, record: Mapping[str, Any], prefixes: frozenset[str]) -> None:
        label = record.get("litellm_provider")
        if not isinstance(label, str):
            return
        head = prefix_of(key)
        if head is not None and head in prefixes:
            # An explicit prefix that is the entry's own provider is LiteLLM's first choice.
            prefix, model_id, rank = head, suffix_of(key), 0 if head == label else 1
        else:
            prefix, model_id, rank = _label_prefix(label, prefixes), key, 1
        if prefix == "bedrock":
            stripped = _bedrock_route_stripped(model_id)
            rank, model_id = (2, stripped) if stripped != model_id else (rank, model_id)
        row = (key, label, prefix, model_id, record)
        self._raw_rows.setdefault(key, row)
        slot = (prefix, model_id)
        if slot not in self._rank or rank < self._rank[slot]:
            self._rows[slot] = row
            self._rank[slot] = rank

    def _map_facts(self, row: _Row) -> ModelFacts:
        key, label, prefix, model_id, record = row
        slot = (prefix, model_id)
        if self._rows.get(slot) is row and slot in self._facts:
            return self._facts[slot]
        tools = record.get("supports_function_calling")
        mode = record.get("mode")
        facts = ModelFacts(
            id=model_id,
            provider=label,
            prefix=prefix,
            context_window=_as_int(record.get("max_input_tokens")),
            max_output_tokens=_as_int(record.get("max_output_tokens")),
            mode=mode if isinstance(mode, str) else None,
            supports_tool_calling=tools if isinstance(tools, bool) else None,
            source=f"{self.source}: {key}",
        )
        if self._rows.get(slot) is row:
            self._facts[slot] = facts
        return facts

    def _at(self, slot: tuple[str, str]) -> ModelFacts | None:
        facts = self._facts.get(slot)
        if facts is None:
            row = self._rows.get(slot)
            if row is not None:
                facts = self._map_facts(row)
        return facts

    def _raw(self, key: str) -> ModelFacts | None:
        """Facts for a key exactly as the map spells it (`gpt-4o`, `azure/eu/gpt-4o`)."""
        row = self._raw_rows.get(key)
        return self._map_facts(row) if row is not None else None

    def _slots(self) -> Iterator[tuple[str, str]]:
        """Every (prefix, id) the catalog knows, map rows first."""
        yield from self._rows
        yield from (slot for slot in self._facts if slot not in self._rows)

    def _add_seed_row(self, row: Mapping[str, Any]) -> None:
        prefix, model_id = str(row["prefix"]), str(row["id"])
        params = row.get("params_b")
        seed = ModelFacts(
            id=model_id,
            provider=prefix,
            prefix=prefix,
            context_window=_as_int(row.get("context_window")),
            max_output_tokens=_as_int(row.get("max_output_tokens")),
            mode=row.get("mode"),
            supports_tool_calling=row.get("supports_tool_calling"),
            source=str(row["source"]),
            params_b=float(params) if isinstance(params, (int, float)) else None,
            weights=row.get("weights"),
            native_context_window=_as_int(row.get("native_context_window")),
        )
        slot = (prefix, model_id)
        known = self._at(slot)
        facts = seed if known is None else _fill_gaps(known, seed)
        self._facts[slot] = facts
        self._rank[slot] = -1
        for alias in row.get("aliases", ()):
            self._aliases[(prefix, alias)] = facts
        for tag in row.get("ollama_tags", ()):
            self._ollama[tag] = facts
        if prefix in OPENAI_SERVER_PREFIXES:  # an open-weight model, by its Hugging Face id
            for hf_id in (model_id, *row.get("aliases", ())):
                self._hf[hf_id.casefold()] = facts
            for served in row.get("served_names", ()):
                self._served[served] = facts

    # ----------------------------------------------------------------- lookups

    @staticmethod
    def _split(litellm_model: str) -> tuple[str | None, str]:
        head = prefix_of(litellm_model)
        if head in provider_prefixes():
            return head, suffix_of(litellm_model)
        return None, litellm_model

    def _get(self, prefix: str, model_id: str) -> ModelFacts | None:
        return self._at((prefix, model_id)) or self._aliases.get((prefix, model_id))

    def lookup(
        self,
        litellm_model: str,
        *,
        base_model: str | None = None,
        vllm_model: str | None = None,
        self_hosted: bool = False,
    ) -> ModelFacts | None:
        """Facts for a contract's `litellmModel`, or None when the catalog does not know it.

        Understands the forms contracts use: `gemini/gemini-2.5-pro` (the prefixed key, then the
        bare id), Bedrock cross-region profiles (`us.`, `eu.`, `apac.`, `global.`, ...) and
        `bedrock/converse/…`, Azure deployments through `base_model`, OpenRouter's
        `openrouter/vendor/model`, `openai/<id>` for OpenAI-compatible clouds, and self-hosted
        models through `vllm_model` (the Hugging Face id, any case) or a seed's served name.

        `self_hosted=True` is for an entry served by the platform's own server: its facts come
        only from what it serves, `vllm_model` or else `base_model` (a Hugging Face id or a
        catalog id), never from litellmModel, whose suffix is only a served name and may equal
        some cloud API's model id by chance (`openai/mistral-large-2411` on a vLLM server).
        """
        if self_hosted:
            return self._lookup_served_weights(vllm_model, base_model)
        if vllm_model:
            found = self._hf.get(vllm_model.strip().casefold())
            if found is not None:
                return found
        prefix, model_id = self._split(litellm_model.strip())
        if prefix in ("azure", "azure_ai") and base_model:
            found = self._lookup_base_model(base_model.strip(), prefix)
            if found is not None:
                return found
        return self._lookup(prefix, model_id, litellm_model.strip())

    def _lookup_served_weights(self, vllm_model: str | None, base_model: str | None) -> ModelFacts | None:
        if vllm_model and vllm_model.strip():
            return self._hf.get(vllm_model.strip().casefold())
        if base_model and base_model.strip():
            wanted = base_model.strip()
            found = self._hf.get(wanted.casefold())
            if found is not None:
                return found
            prefix, model_id = self._split(wanted)
            return self._lookup(prefix, model_id, wanted) if prefix is not None else self._raw(wanted)
        return None

    def _lookup_base_model(self, base_model: str, deployment_prefix: str) -> ModelFacts | None:
        prefix, model_id = self._split(base_model)
        if prefix is not None:
            return self._lookup(prefix, model_id, base_model)
        for candidate in (deployment_prefix, "azure", "openai"):
            found = self._get(candidate, model_id)
            if found is not None:
                return found
        return self._raw(base_model)

    def _lookup(self, prefix: str | None, model_id: str, whole: str) -> ModelFacts | None:
        if prefix is None:
            return self._raw(whole) or self._self_hosted(model_id)
        if prefix in OLLAMA_PREFIXES:
            return self._ollama_lookup(prefix, model_id, whole)
        return self._map_lookup(prefix, model_id, whole)

    def _ollama_lookup(self, prefix: str, model_id: str, whole: str) -> ModelFacts | None:
        """The family's facts; else LiteLLM's mode and tool support without its limits, which
        for Ollama are guesses at a server's default (8,192 for llama3.1 and mistral), not the
        model's window nor what a given server serves (its num_ctx)."""
        family = self.ollama_family(model_id)
        if family is not None:
            return family
        found = self._map_lookup(prefix, model_id, whole)
        if found is None or (found.context_window is None and found.max_output_tokens is None):
            return found
        return replace(found, context_window=None, max_output_tokens=None)

    def _map_lookup(self, prefix: str, model_id: str, whole: str) -> ModelFacts | None:
        candidates = list(self._id_variants(prefix, model_id))
        for namespace in (prefix, *_FALLBACK_PREFIXES.get(prefix, ())):
            if namespace == "openai" and prefix == "openai":
                # An OpenAI id first, then a self-hosted model, then an OpenAI-compatible cloud.
                found = self._first(namespace, candidates) or self._self_hosted(model_id)
            else:
                found = self._first(namespace, candidates)
            if found is not None:
                return found
        if prefix == "openrouter":
            return self._openrouter_native(model_id)
        if prefix in OPENAI_SERVER_PREFIXES:  # an open-weight model, by its Hugging Face id
            return self._self_hosted(model_id)
        return self._raw(whole)

    def ollama_family(self, tag: str) -> ModelFacts | None:
        """The open-weight facts of the model an Ollama tag names, or None when it is not known.

        The family's window is the model's (llama3.1: 131,072), which an Ollama server serves
        only when its num_ctx is raised to it; LiteLLM's map gives the server's old default.
        `name` is `name:latest` (Ollama's rule); a tag the table lacks (a quantization such as
        `llama3.1:8b-instruct-q4_K_M`) is judged by its name.
        """
        wanted = tag.strip().casefold().removeprefix("library/")
        wanted = wanted.removesuffix(":latest")
        return self._ollama.get(wanted) or self._ollama.get(wanted.split(":", 1)[0])

    def _first(self, namespace: str, candidates: Iterable[str]) -> ModelFacts | None:
        for candidate in candidates:
            found = self._get(namespace, candidate)
            if found is not None:
                return found
        return None

    @staticmethod
    def _id_variants(prefix: str, model_id: str) -> Iterator[str]:
        yield model_id
        if prefix == "bedrock":
            routed = _bedrock_route_stripped(model_id)
            if routed != model_id:
                yield routed
            for region in _BEDROCK_REGIONS:
                if routed.startswith(region):
                    yield routed[len(region) :]
                    break
        elif prefix in ("ollama", "ollama_chat") and model_id.endswith(":latest"):
            yield model_id[: -len(":latest")]
        elif prefix == "openrouter" and ":" in model_id:
            yield model_id.split(":", 1)[0]  # variants such as :free, :nitro share the model's facts

    def _openrouter_native(self, model_id: str) -> ModelFacts | None:
        vendor, slash, name = model_id.split(":", 1)[0].partition("/")
        native = _OPENROUTER_VENDORS.get(vendor)
        if not slash or native is None:
            return None
        # OpenRouter spells Claude versions with dots (claude-3.5-sonnet), Anthropic with dashes.
        return self._get(native, name) or self._get(native, name.replace(".", "-"))

    def _self_hosted(self, model_id: str) -> ModelFacts | None:
        return self._hf.get(model_id.casefold()) or self._served.get(model_id)

    # ----------------------------------------------------------------- listings and hints

    def models(self, query: str | None = None, provider: str | None = None) -> list[ModelFacts]:
        """Known models sorted by `prefix/id`.

        `provider` is a prefix (`anthropic`), a LiteLLM label (`bedrock_converse`) or a display
        name (`AWS Bedrock`); `query` keeps ids containing it, ignoring case.
        """
        wanted: frozenset[str] | None = None
        if provider is not None:
            row = provider_for_display_name(provider)
            if row is None:
                wanted = frozenset({provider})
            else:
                # A display name lists its own prefixes: Self-Hosted is hosted_vllm/, not OpenAI's ids.
                wanted = frozenset(p for p in row.prefixes if provider_for_prefix(p) == row)
        needle = query.casefold() if query else None
        found = [
            facts
            for facts in map(self._at, self._slots())
            if facts is not None
            if (wanted is None or facts.prefix in wanted or facts.provider in wanted)
            and (needle is None or needle in facts.litellm_model.casefold())
        ]
        return sorted(found, key=lambda facts: (facts.prefix, facts.id))

    def _ids(self, prefix: str) -> list[str]:
        return [model_id for (namespace, model_id) in self._slots() if namespace == prefix]

    def nearest_id(self, litellm_model: str) -> str | None:
        """The known `prefix/id` closest to an unknown one; its own provider's ids first."""
        prefix, model_id = self._split(litellm_model.strip())
        if prefix is not None:
            match = nearest(model_id, self._ids(prefix))
            if match is not None:
                return f"{prefix}/{match}"
        return nearest(litellm_model, (f"{p}/{i}" for (p, i) in self._slots()))

    def _family_index(self) -> dict[str, dict[str, list[tuple[tuple[int, int, int], str]]]]:
        if self._families is None:
            families: dict[str, dict[str, list[tuple[tuple[int, int, int], str]]]] = {}
            for prefix, model_id in self._slots():
                match = re.match(_DATED_SUFFIX, model_id)
                if match is None:
                    continue
                key = _date_key(match)
                if key is not None:
                    families.setdefault(prefix, {}).setdefault(match["base"], []).append((key, model_id))
            self._families = families
        return self._families

    def dated_alias(self, model_id: str) -> str | None:
        """For an undated alias, the newest dated id of the same family the catalog knows.

        `gpt-4o` -> `gpt-4o-2024-11-20`, `anthropic/claude-sonnet-4` ->
        `anthropic/claude-sonnet-4-20250514`, `mistral/mistral-large-latest` ->
        `mistral/mistral-large-2512`. The family of X is X followed by one date (`-20250514`,
        `-2024-11-20`, `@20240620`, `-0613`, `-2512`, `-08-2024`) and nothing else, so
        `gpt-4o-mini-2024-07-18` is not a `gpt-4o`. None for ids that carry a date already, and
        for ids with no dated sibling (`gemini-2.5-pro`), which includes some `-latest` ids:
        those are still aliases, only without a snapshot to point at.
        """
        prefix, bare = self._split(model_id.strip())
        if _is_dated(bare):
            return None
        base = bare[: -len("-latest")] if bare.endswith("-latest") else bare
        families = self._family_index()
        if prefix is not None:
            namespaces = [prefix]
        elif model_id in self._raw_rows:
            namespaces = [self._raw_rows[model_id][2]]
        else:
            namespaces = sorted(families)
        best: tuple[tuple[int, int, int], str] | None = None
        for namespace in namespaces:
            for candidate in families.get(namespace, {}).get(base, ()):
                if best is None or candidate > best:
                    best = candidate
        if best is None:
            return None
        return f"{prefix}/{best[1]}" if prefix is not None else best[1]


def _fill_gaps(known: ModelFacts, seed: ModelFacts) -> ModelFacts:
    """LiteLLM's facts, with the seed's where LiteLLM has none."""
    filled = {
        name: getattr(seed, name)
        for name in (
            "context_window",
            "max_output_tokens",
            "mode",
            "supports_tool_calling",
            "params_b",
            "weights",
            "native_context_window",
        )
        if getattr(known, name) is None and getattr(seed, name) is not None
    }
    if not filled:
        return known
    return replace(known, **filled, source=f"{known.source}; {', '.join(sorted(filled))} from {seed.source}")


# --------------------------------------------------------------------------- loading


@functools.cache
def _seed_rows() -> tuple[Mapping[str, Any], ...]:
    return (*read_data("seed_models.json")["models"], *read_data("open_weights.json")["models"])


@functools.cache
def _default_catalog() -> Catalog:
    packaged = read_data("litellm_models.json")
    return Catalog(packaged["models"], source=packaged["source"], seed_rows=_seed_rows())


@functools.lru_cache(maxsize=4)
def _file_catalog(path: str, _mtime_ns: int, _size: int) -> Catalog:
    try:
        with open(path, "rb") as stream:
            data = json.load(stream)
    except OSError as error:
        raise InputError(f"cannot read the model catalog {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise InputError(f"the model catalog {path} is not JSON: {error}") from error
    name = os.path.basename(path)
    if (
        isinstance(data, dict)
        and isinstance(data.get("models"), dict)
        and isinstance(data.get("source"), str)
    ):
        model_map, source = data["models"], f"{data['source']} ({name})"  # the packaged compact form
    elif isinstance(data, dict):
        model_map, source = data, f"LiteLLM map {name}"
    else:
        raise InputError(f"the model catalog {path} is not a JSON object of model ids")
    catalog = Catalog(model_map, source=source, seed_rows=_seed_rows())
    if not catalog._raw_rows:
        raise InputError(
            f"the model catalog {path} has no chat, embedding or transcription models; "
            "expected LiteLLM's model_prices_and_context_window.json"
        )
    return catalog


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """The model catalog: packaged LiteLLM facts, or a LiteLLM map file, with the seed rows merged.

    `path`, else the `INSTALL_CONTRACT_CATALOG` environment variable, names a full
    `model_prices_and_context_window.json` (or a packaged-format file) to use instead of the
    packaged snapshot. Loads are cached (a file again only when it has changed).
    Raises InputError when the file cannot be read or is no LiteLLM map.
    """
    chosen = os.fspath(path) if path is not None else os.environ.get(CATALOG_ENV) or None
    if chosen is None:
        return _default_catalog()
    try:
        status = os.stat(chosen)
    except OSError as error:
        raise InputError(f"cannot read the model catalog {chosen}: {error.strerror or error}") from error
    return _file_catalog(os.path.abspath(chosen), status.st_mtime_ns, status.st_size)
