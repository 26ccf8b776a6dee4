"""The contract as the rows the admin API's Model table should hold (pure; never a secret).

A desired row has the document's `ModelFields` that the contract says something about, by
their API names. Secret fields (`apiKey`, the AWS key pair, `vllm.hfToken`) and fields the API
does not have (`baseModel`, `vllm`) are never read here, so they can never reach a request.
`${VAR}` in a plain field (an `apiBase` from the environment) is resolved from `env`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from contract.knowledge import envref
from contract.workflows.managed import MANAGED_BY

if TYPE_CHECKING:
    from contract.pipeline.model import FeatureFlags, ModelEntry, Platform
    from contract.pipeline.validate import TypedContract

# ModelFields the tool owns, in the order a person reads them; `providerId` is resolved from
# `provider` against the platform's providers when the plan is made. `labels` stay the
# platform's own.
MANAGED_FIELDS: tuple[str, ...] = (
    "litellmModel",
    "displayName",
    "providerId",
    "creator",
    "type",
    "metadataType",
    "costTier",
    "contextWindow",
    "maxTokens",
    "description",
    "docLink",
    "apiBase",
    "apiVersion",
    "awsRegion",
    "managedBy",
)

# contract attribute -> API field, for the plain (non-secret) fields copied as they are.
_COPIED: tuple[tuple[str, str], ...] = (
    ("litellm_model", "litellmModel"),
    ("display_name", "displayName"),
    ("creator", "creator"),
    ("type", "type"),
    ("metadata_type", "metadataType"),
    ("cost_tier", "costTier"),
    ("context_window", "contextWindow"),
    ("max_tokens", "maxTokens"),
    ("description", "description"),
    ("doc_link", "docLink"),
    ("api_base", "apiBase"),
    ("api_version", "apiVersion"),
    ("aws_region", "awsRegion"),
)


class ContractLike(Protocol):
    """What the desired states read of a contract: `contract.pipeline.model.Contract` and
    `TypedContract` both fit."""

    @property
    def models(self) -> Sequence[ModelEntry]: ...

    @property
    def feature_flags(self) -> FeatureFlags | None: ...

    @property
    def platform(self) -> Platform | None: ...


@dataclass(frozen=True)
class DesiredModel:
    """One Model row as the contract wants it. `fields` holds every managed field but
    `providerId` (None where the contract leaves an optional field out); `provider` is the
    display name the platform's provider list must know."""

    name: str
    provider: str
    index: int  # position in models:, for diagnostics at the entry's lines
    fields: Mapping[str, Any]


def desired_models(contract: TypedContract, env: Mapping[str, str]) -> tuple[DesiredModel, ...]:
    out = []
    for index, entry in enumerate(contract.models):
        fields: dict[str, Any] = {}
        for attr, api in _COPIED:
            value = getattr(entry, attr)
            # An unset variable stays `${VAR}`: the admin API shows where the value comes from.
            fields[api] = envref.expand(value, env, unset="keep") if isinstance(value, str) else value
        fields["managedBy"] = MANAGED_BY
        out.append(DesiredModel(entry.litellm_model_name, entry.provider, index, fields))
    return tuple(out)
