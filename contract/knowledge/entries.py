"""What an entry's own fields say about it, in one place: every layer asks here.

* `prefix(litellm_model)`: the LiteLLM provider prefix (`openai` in `openai/gpt-4o`), None
  when there is no `/` (IC101 reports that); `suffix(litellm_model)`: the rest, what LiteLLM
  sends upstream as `model` (the whole value when there is no `/`).
* `is_self_hosted(entry)`: served by the platform's own vLLM.
* `in_cluster(url)`: a URL whose host is a Kubernetes service.
* `protocol(entry)`: the API `check` speaks to the entry's endpoint, derived from the provider
  table (`providers.json`: `auth`, `openai_compatible`).
* `tool_calling(entry, flags, catalog_says)`: whether the entry calls tools, as render's
  LiteLLM config and apply's TOOL_CALLING_MODELS variant both say it.

An entry is anything with the typed entry's four attributes (`EntryFields`): the typed
`ModelEntry` of the pipeline, or a test's stand-in. Nothing here imports the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = [
    "NATIVE_PROTOCOLS",
    "EntryFields",
    "in_cluster",
    "is_self_hosted",
    "prefix",
    "protocol",
    "suffix",
    "tool_calling",
]


class EntryFields(Protocol):
    """The fields of a `models:` entry these facts are read from."""

    @property
    def litellm_model(self) -> str: ...

    @property
    def provider(self) -> str: ...

    @property
    def api_base(self) -> str | None: ...

    @property
    def vllm(self) -> object | None: ...


def prefix(litellm_model: str) -> str | None:
    """The provider prefix (`openai` in `openai/gpt-4o`); None without a `/`."""
    head, sep, _ = litellm_model.partition("/")
    return head if sep else None


def suffix(litellm_model: str) -> str:
    """litellmModel without its prefix: what LiteLLM sends as `model` upstream (all of it
    without a `/`)."""
    _, sep, rest = litellm_model.partition("/")
    return rest if sep else litellm_model


def is_self_hosted(entry: EntryFields) -> bool:
    """Served by the platform's own vLLM: a `vllm:` block, provider Self-Hosted, hosted_vllm/,
    or an `openai/` entry whose apiBase is a service inside the cluster."""
    from contract.knowledge import catalog

    head = prefix(entry.litellm_model)
    if entry.vllm is not None or head == "hosted_vllm":
        return True
    provider = catalog.provider_for_display_name(entry.provider)
    if provider is not None and provider.self_hosted:
        return True
    return head == "openai" and entry.api_base is not None and in_cluster(entry.api_base)


# Kubernetes service names: `svc.namespace.svc.cluster.local`, `svc.namespace.svc`, `svc`.
_CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local")


def in_cluster(url: str) -> bool:
    """True for a URL whose host is a Kubernetes service (or a one-word in-cluster name)."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").casefold()
    except ValueError:
        return False
    if not host or "${" in url:
        return False
    return host.endswith(_CLUSTER_SUFFIXES) or ("." not in host and ":" not in host and host != "localhost")


# ------------------------------------------------------------------------------- protocol

# The auth kinds of the provider table that fix the whole request (a signature or a token of
# their own, a URL per account): the protocol is named after them.
_AUTH_PROTOCOLS = frozenset({"aws", "azure", "adc"})
# Providers whose usual prefix makes LiteLLM speak the provider's own API, not OpenAI's, though
# Gemini also answers the OpenAI protocol at another path (`openai_compatible` in the table):
# the protocol is named after that prefix.
NATIVE_PROTOCOLS = frozenset({"anthropic", "gemini", "ollama"})
# LiteLLM prefixes outside the table that reach a row's API under another name (a prefix
# starting with `bedrock` or `vertex_ai` reaches those rows too): the row answers for them.
# SageMaker is not a row: it is another AWS service, signed the same way as Bedrock.
_SAME_API_AS: Mapping[str, str] = {"text-completion-openai": "openai", "sagemaker": "bedrock"}
_FAMILIES = ("bedrock", "vertex_ai")


def _row_prefix(head: str) -> str:
    for family in _FAMILIES:
        if head.startswith(family):
            return family
    return _SAME_API_AS.get(head, head)


def protocol(entry: EntryFields, *, self_hosted: bool | None = None) -> str:
    """The API `check` speaks to the entry: openai | azure | anthropic | gemini | ollama | aws
    | adc | unknown.

    A self-hosted entry speaks OpenAI's (vLLM). Otherwise the provider row of the prefix says:
    its `auth` when that is aws, azure or adc; its own API for the providers in
    NATIVE_PROTOCOLS; OpenAI's when it is `openai_compatible`. A prefix the table does not know
    speaks OpenAI's when the entry has an apiBase (an OpenAI-compatible server), else unknown.
    `self_hosted` is `is_self_hosted(entry)` when not given.
    """
    from contract.knowledge import catalog

    if self_hosted if self_hosted is not None else is_self_hosted(entry):
        return "openai"
    head = prefix(entry.litellm_model)
    row = catalog.provider_for_prefix(_row_prefix(head)) if head else None
    if row is not None:
        if row.auth in _AUTH_PROTOCOLS:
            return row.auth
        usual = row.prefixes[0] if row.prefixes else ""
        if usual in NATIVE_PROTOCOLS:
            return usual
        if row.openai_compatible:
            return "openai"
    return "openai" if entry.api_base else "unknown"


def tool_calling(entry: Any, flags: Any, catalog_says: bool | None) -> bool:
    """Whether a typed entry calls tools: a vLLM entry when it names a tool-call parser; else
    when `featureFlags.TOOL_CALLING_MODELS` lists it, or the catalog says its model does and
    it generates text. `flags`: the typed `featureFlags:` (None when absent)."""
    if entry.vllm is not None:
        return bool(entry.vllm.tool_call_parser is not None)
    listed = flags.TOOL_CALLING_MODELS if flags else None
    if listed is not None and entry.litellm_model_name in ([listed] if isinstance(listed, str) else listed):
        return True
    return bool(catalog_says) and entry.metadata_type == "Text Generation"
