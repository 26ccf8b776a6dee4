"""Candidates, source reports, validation of candidates and the add of chosen ones."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from contract.diagnostics import Diagnostic, Severity

State = Literal["running", "stopped", "absent", "down"]


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

    @property
    def name(self) -> str:
        return str(self.fields["litellmModelName"]) if self.fields else model_name(self.discovered)

    @property
    def valid(self) -> bool:
        return self.fields is not None and not any(d.severity is Severity.ERROR for d in self.diagnostics)

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


def check_candidates(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Each candidate with the diagnostics `validate` gives its entry in a contract of its own."""
    if not any(c.fields is not None for c in candidates):
        return list(candidates)  # nothing to validate: skip loading the validator
    from contract.edit import EditError, append_entry, new_contract_text
    from contract.validate import validate_text

    out = []
    for candidate in candidates:
        if candidate.fields is None:
            out.append(candidate)
            continue
        try:
            text = append_entry(new_contract_text(), candidate.fields).text
        except EditError as exc:
            out.append(replace(candidate, refused=str(exc), hint=exc.hint))
            continue
        result = validate_text(text, file=candidate.where)
        out.append(replace(candidate, diagnostics=result.diagnostics))
    return out


@dataclass(frozen=True)
class DiscoveredAdd:
    """What `discover --add` would do: the new bytes, what is added and skipped, or why not."""

    data: bytes | None
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # names already in the file
    error: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


def plan_discovered_add(path: str, chosen: Sequence[Candidate]) -> DiscoveredAdd:
    """Append `chosen` (valid candidates) to the contract at `path`, then validate the whole.

    A name already in the file is skipped; a result with errors is refused (nothing written).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from contract.edit import EditError, append_entry, new_contract_text
    from contract.validate import read_contract, validate_text

    created = not os.path.exists(path)
    bom = b""
    if created:
        text = new_contract_text()
    else:
        raw = read_contract(path)
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
        try:
            text = raw[len(bom) :].decode("utf-8")
        except UnicodeDecodeError:
            from contract.errors import InputError

            raise InputError(f"{path}: is not UTF-8 text") from None
    try:
        document = YAML(typ="safe").load(text)
    except YAMLError:
        return DiscoveredAdd(None, error=f"{path} is not valid YAML; `install-contract validate` shows where")
    existing = document.get("models") if isinstance(document, dict) else None
    present = {m.get("litellmModelName") for m in existing or () if isinstance(m, dict)}
    added: list[str] = []
    skipped: list[str] = []
    for candidate in chosen:
        if candidate.fields is None:
            continue
        if candidate.name in present or candidate.name in added:
            skipped.append(candidate.name)
            continue
        try:
            text = append_entry(text, candidate.fields).text
        except EditError as exc:
            return DiscoveredAdd(None, error=f"{candidate.name}: {exc}")
        added.append(candidate.name)
    if not added:
        return DiscoveredAdd(None, skipped=tuple(skipped))
    result = validate_text(text, file=path)
    if result.errors:
        return DiscoveredAdd(
            None,
            skipped=tuple(skipped),
            error=f"{path} would not validate with {', '.join(added)}; nothing written",
            diagnostics=result.diagnostics,
        )
    return DiscoveredAdd(bom + text.encode("utf-8"), tuple(added), tuple(skipped))
