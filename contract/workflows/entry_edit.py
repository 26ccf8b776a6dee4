"""A new `models:` entry, built from facts and appended to a contract file: one way for every caller.

`add` (a cloud or a self-hosted model, facts from the provider table and the catalog) and
`discover` (a model a server runs, facts from the server) both

* describe the entry as `EntryFacts` and turn it into fields in the seed's order with
  `entry_fields`, its `type`/`metadataType` from the one mode table (`facts.MODE_KINDS`) and its
  `maxTokens` from `default_max_tokens`;
* read the contract with `read_for_edit` (a missing file is a new contract; the byte-order mark
  is kept as it was) and append with `append_entries`, which inserts each entry through the
  round-trip editor (`yaml_edit.append_entry`, every other byte kept) and validates the result.

Nothing is written here: the caller writes `Appending.data` (atomically) once it is accepted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.errors import InputError
from contract.knowledge.facts import MODE_KINDS

if TYPE_CHECKING:
    from contract.pipeline.validate import Result
    from contract.workflows.yaml_edit import Appended

__all__ = [
    "DISCOVERED_MAX_TOKENS",
    "MAX_TOKENS_CAP",
    "Appending",
    "ContractText",
    "EntryFacts",
    "append_entries",
    "default_max_tokens",
    "entry_fields",
    "read_for_edit",
]

# maxTokens is what LiteLLM requests, not the model's limit. Two sources, two caps, each kept:
# `add` knows the model's output limit from the catalog and caps it at what the seed writes
# (16384 for Claude Sonnet 4, which can write 64000, GPT-4o, Bedrock, Azure and its self-hosted
# models): a larger request only reserves context; `--max-tokens` sets more when wanted.
MAX_TOKENS_CAP = 16384
# `discover` knows only the window a server serves (no output limit): half the seed's cap, so
# that a request leaves room for the prompt in a small served window too.
DISCOVERED_MAX_TOKENS = 8192


@dataclass(frozen=True)
class EntryFacts:
    """What a new entry says, before it is written in the seed's field order."""

    name: str  # litellmModelName
    litellm_model: str
    display_name: str
    provider: str  # the provider's display name
    mode: str  # a key of facts.MODE_KINDS: gives type and metadataType
    cost_tier: str
    context_window: int
    max_tokens: int | None = None
    creator: str | None = None
    api_base: str | None = None
    # The fields after apiBase, in the order they are written (credentials, baseModel,
    # description, vllm).
    more: Mapping[str, Any] = field(default_factory=dict)


def entry_fields(facts: EntryFacts) -> dict[str, Any]:
    """The entry's fields in the seed's order (the names a contract uses)."""
    fields: dict[str, Any] = {
        "litellmModelName": facts.name,
        "litellmModel": facts.litellm_model,
        "displayName": facts.display_name,
        "provider": facts.provider,
    }
    if facts.creator:
        fields["creator"] = facts.creator
    fields["type"], fields["metadataType"] = MODE_KINDS[facts.mode]
    fields["costTier"] = facts.cost_tier
    fields["contextWindow"] = facts.context_window
    if facts.max_tokens is not None:
        fields["maxTokens"] = facts.max_tokens
    if facts.api_base is not None:
        fields["apiBase"] = facts.api_base
    fields.update(facts.more)
    return fields


def default_max_tokens(mode: str, context_window: int, output_limit: int | None, *, cap: int) -> int | None:
    """maxTokens when none is asked for: the output limit, capped at `cap` and the window.

    None for models that write no tokens (embedding, transcription) and when the output limit
    is unknown (LiteLLM then uses the provider's default). `cap` is MAX_TOKENS_CAP for `add`
    and DISCOVERED_MAX_TOKENS for `discover` (see there why they differ).
    """
    if MODE_KINDS[mode][0] != "CHAT" or not output_limit:
        return None
    return min(output_limit, cap, context_window)


# --------------------------------------------------------------------------- the file

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ContractText:
    """A contract file's text as an edit starts from it."""

    path: str
    text: str
    bom: bytes = b""  # the byte-order mark it had, written back as it was
    created: bool = False  # the file does not exist: `text` is a new contract


def read_for_edit(path: str, *, new_when_missing: bool = True) -> ContractText:
    """The contract at `path` to edit, or a new contract when there is no file (unless not
    `new_when_missing`: `remove` needs one).

    Raises InputError when the file cannot be read or is not UTF-8.
    """
    if new_when_missing and not os.path.exists(path):
        from contract.workflows.yaml_edit import new_contract_text

        return ContractText(path, new_contract_text(), created=True)
    from contract.pipeline.validate import read_contract

    raw = read_contract(path)
    bom = _BOM if raw.startswith(_BOM) else b""
    try:
        return ContractText(path, raw[len(bom) :].decode("utf-8"), bom)
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None


@dataclass(frozen=True)
class Appending:
    """The contract with the entries appended, and what `validate` says of the result."""

    contract: ContractText
    text: str
    appended: tuple[Appended, ...]
    result: Result | None  # None when there was nothing to append

    @property
    def data(self) -> bytes:
        """The file's new bytes."""
        return self.contract.bom + self.text.encode("utf-8")


def append_entries(
    contract: ContractText,
    entries: Sequence[Mapping[str, Any]],
    *,
    then: Callable[[str], str] | None = None,
) -> Appending:
    """`contract` with `entries` appended to `models:` in order, then edited by `then` (add's
    featureFlags), and validated; nothing is written.

    Raises EditError when an entry's name is taken or the file cannot be edited safely.
    """
    from contract.workflows.yaml_edit import append_entry

    text = contract.text
    appended = []
    for fields in entries:
        added = append_entry(text, fields)
        appended.append(added)
        text = added.text
    if not appended:
        return Appending(contract, text, (), None)
    if then is not None:
        text = then(text)
    from contract.pipeline.validate import validate_text

    return Appending(contract, text, tuple(appended), validate_text(text, file=contract.path))
