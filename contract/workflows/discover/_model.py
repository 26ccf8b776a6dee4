"""Candidates, source reports, validation of candidates and the add of chosen ones."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from contract.diagnostics import Diagnostic, Severity
from contract.knowledge.facts import MODE_KINDS
from contract.workflows.entry_edit import DISCOVERED_MAX_TOKENS, EntryFacts, default_max_tokens

State = Literal["running", "stopped", "absent", "down"]

# One table for every source, the one `add` uses: the catalog's (LiteLLM's) mode of a model ->
# the entry's `type` and `metadataType`. A mode the platform has no metadataType for is refused.
MODES: Mapping[str, tuple[str, str]] = MODE_KINDS


def kind_for_mode(mode: str | None) -> tuple[str, str] | None:
    """(type, metadataType) for a mode (None: chat, what an unknown model most likely is)."""
    return MODES.get(mode or "chat")


def refused_mode(mode: str) -> str:
    """Why a candidate of a mode the platform has no metadataType for is refused."""
    return f"a {mode} model: the platform takes chat, embedding and transcription models"


def discovered_entry(
    *,
    served: str,
    litellm_model: str,
    display: str,
    provider: str,
    mode: str,
    window: int,
    cost_of: str,
    api_base: str,
    more: Mapping[str, Any] | None = None,
) -> EntryFacts:
    """The facts of a discovered model's entry: named after what the server serves, judged as a
    model on the platform's own hardware (costTier LOW), asking for at most
    DISCOVERED_MAX_TOKENS (a server reports its window, never the model's output limit)."""
    from contract.knowledge.naming import cost_tier, display_name

    return EntryFacts(
        name=served,
        litellm_model=litellm_model,
        display_name=display_name(display),
        provider=provider,
        mode=mode,
        cost_tier=cost_tier(cost_of, mode, self_hosted=True),
        context_window=window,
        max_tokens=default_max_tokens(mode, window, window, cap=DISCOVERED_MAX_TOKENS),
        api_base=api_base,
        more=more or {},
    )


def served_window(value: Any) -> int | None:
    """A window a server reports (vLLM's max_model_len): a positive int, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class Candidate:
    """One discovered model and the contract entry it would become.

    `fields` is None when no entry can be made (`refused` says why, `hint` what to pass);
    `diagnostics` are what `validate` says about the entry on its own.
    """

    source: str  # ollama | ramalama | openai-compatible | kserve
    where: str  # the server's base URL, or namespace/name in a cluster
    discovered: str  # the name the source uses (Ollama tag, served model id, InferenceService)
    fields: Mapping[str, Any] | None
    refused: str | None = None
    hint: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # OpenShift AI dashboard/registry
    facts: Mapping[str, Any] = field(default_factory=dict)  # what the source said (tools, size)
    diagnostics: tuple[Diagnostic, ...] = ()
    conflict: str | None = None  # the same name served elsewhere too (see `mark_conflicts`)

    @property
    def name(self) -> str:
        return str(self.fields["litellmModelName"]) if self.fields else model_name(self.discovered)

    @property
    def valid(self) -> bool:
        return (
            self.fields is not None
            and self.conflict is None
            and not any(d.severity is Severity.ERROR for d in self.diagnostics)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "where": self.where,
            "discovered": self.discovered,
            "name": self.name,
            "valid": self.valid,
            "entry": dict(self.fields) if self.fields else None,
            "refused": self.refused,
            "hint": self.hint,
            "conflict": self.conflict,
            "labels": dict(self.labels),
            "facts": dict(self.facts),
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


@dataclass(frozen=True)
class SourceReport:
    """What one probed source said: running (with candidates), stopped, absent or down."""

    source: str
    where: str
    state: State
    message: str = ""
    candidates: tuple[Candidate, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "where": self.where,
            "state": self.state,
            "message": self.message,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def model_name(discovered: str) -> str:
    """A litellmModelName from a discovered name: `qwen3:8b` -> qwen3-8b, `llama3:latest` -> llama3."""
    name = re.sub(r":latest$", "", discovered.strip())
    return re.sub(r"[:/\s]+", "-", name).strip("-") or "model"


def mark_conflicts(reports: Sequence[SourceReport]) -> list[SourceReport]:
    """The reports with every candidate whose name another server also serves marked.

    One litellmModelName routes to one server: the same served name at two endpoints is a
    conflict naming both, for the engineer to settle (neither is added).
    """
    where: dict[str, list[str]] = {}
    for report in reports:
        for c in report.candidates:
            if c.fields is not None and c.where not in where.setdefault(c.name, []):
                where[c.name].append(c.where)

    def marked(c: Candidate) -> Candidate:
        others = [w for w in where.get(c.name, ()) if w != c.where]
        if c.fields is None or not others:
            return c
        return replace(
            c,
            conflict=f"{c.name} is served at {c.where} and at {', '.join(others)}: one "
            "litellmModelName routes to one server; add one of them with `install-contract add` "
            "under a name of its own",
        )

    return [replace(r, candidates=tuple(marked(c) for c in r.candidates)) for r in reports]


def check_candidates(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Each candidate with the diagnostics `validate` gives its entry in a contract of its own."""
    if not any(c.fields is not None for c in candidates):
        return list(candidates)  # nothing to validate: skip loading the validator
    from contract.workflows.entry_edit import ContractText, append_entries
    from contract.workflows.yaml_edit import EditError, new_contract_text

    out = []
    for candidate in candidates:
        if candidate.fields is None:
            out.append(candidate)
            continue
        alone = ContractText(candidate.where, new_contract_text(), created=True)
        try:
            result = append_entries(alone, [candidate.fields]).result
        except EditError as exc:
            out.append(replace(candidate, refused=str(exc), hint=exc.hint))
            continue
        out.append(replace(candidate, diagnostics=result.diagnostics if result else ()))
    return out


@dataclass(frozen=True)
class DiscoveredAdd:
    """What `discover --add` would do: the new bytes, what is added and skipped, or why not."""

    data: bytes | None
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # names already in the file
    repeated: tuple[str, ...] = ()  # names chosen twice in this run (the first is added)
    error: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


def plan_discovered_add(path: str, chosen: Sequence[Candidate]) -> DiscoveredAdd:
    """Append `chosen` (valid candidates) to the contract at `path`, then validate the whole.

    A name already in the file is skipped; a result with errors is refused (nothing written).
    """
    from contract.workflows.entry_edit import append_entries, read_for_edit
    from contract.workflows.yaml_edit import EditError, entry_names

    contract = read_for_edit(path)
    try:
        present = entry_names(contract.text)
    except EditError:
        return DiscoveredAdd(None, error=f"{path} is not valid YAML; `install-contract validate` shows where")
    added: list[str] = []
    skipped: list[str] = []
    repeated: list[str] = []
    entries = []
    for candidate in chosen:
        if candidate.fields is None:
            continue
        if candidate.name in present:
            skipped.append(candidate.name)
        elif candidate.name in added:
            repeated.append(candidate.name)
        else:
            added.append(candidate.name)
            entries.append(candidate.fields)
    try:
        appending = append_entries(contract, entries)
    except EditError as exc:
        # Only the first entry can meet a file that cannot be edited: after it, models: is a
        # block list that holds none of the other names.
        return DiscoveredAdd(None, error=f"{added[0]}: {exc}")
    result = appending.result
    if result is None:
        return DiscoveredAdd(None, skipped=tuple(skipped), repeated=tuple(repeated))
    if result.errors:
        return DiscoveredAdd(
            None,
            skipped=tuple(skipped),
            repeated=tuple(repeated),
            error=f"{path} would not validate with {', '.join(added)}; nothing written",
            diagnostics=result.diagnostics,
        )
    return DiscoveredAdd(appending.data, tuple(added), tuple(skipped), tuple(repeated))
