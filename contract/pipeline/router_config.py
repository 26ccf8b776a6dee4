"""How a vLLM Semantic Router reaches the contract's models, and the router config as data.

A router sends the OpenAI chat-completions protocol to each model's own server: `host:port`
from the entry's `apiBase` (or the provider's default base URL), the model id the server
expects (vLLM's served name, Ollama's tag, the cloud model id) and the key's variable.
Entries reached over another protocol (Anthropic, Bedrock, Azure deployments, Vertex) are not
routable here; IC606 says so before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contract.knowledge import catalog, envref
from contract.knowledge.entries import is_self_hosted, prefix, suffix
from contract.knowledge.facts import OLLAMA_PREFIXES
from contract.pipeline.model import DEFAULT_ROUTER_PORT, ModelEntry

if TYPE_CHECKING:
    from contract.pipeline.routers import Router

# Ollama answers the OpenAI protocol under /v1 of its own base URL (no /v1 in apiBase).
_OPENAI_UNDER_V1 = OLLAMA_PREFIXES
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    """Where a router sends one model's requests."""

    host: str
    port: int
    protocol: str  # http | https
    chat_path: str | None  # None: the router's default, /v1/chat/completions

    @property
    def address(self) -> str:
        # An IPv6 host keeps its brackets, as in the URL: `fd00::5:8000` would be ambiguous.
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def endpoint(model: ModelEntry) -> tuple[Endpoint | None, str | None]:
    """The model's endpoint, or None and why a router cannot reach it."""
    head = prefix(model.litellm_model)
    provider = catalog.provider_for_prefix(head) if head is not None else None
    over_v1 = head in _OPENAI_UNDER_V1
    if not over_v1 and (provider is None or not provider.openai_compatible):
        return None, f"{model.litellm_model} is not reached over the OpenAI protocol"
    base = model.api_base or (provider.base_url if provider else None)
    if base is None:
        return None, "it has no apiBase"
    if envref.refs(base):
        return None, "its apiBase is an environment reference, unknown until run time"
    try:
        parts = urlsplit(base)
        port = parts.port
    except ValueError:
        return None, f"its apiBase {base!r} is not a URL"
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None, f"its apiBase {base!r} is not an http(s) URL"
    path = parts.path.rstrip("/")
    if over_v1:
        path += "/v1"
    chat_path = None if path == "/v1" else f"{path}/chat/completions"
    return Endpoint(parts.hostname, port or _DEFAULT_PORTS[parts.scheme], parts.scheme, chat_path), None


def provider_model_id(model: ModelEntry) -> str:
    """The id the model's server expects in `"model"`: what LiteLLM would send upstream."""
    if model.vllm is not None and model.vllm.served_model_name:
        return model.vllm.served_model_name
    return suffix(model.litellm_model)


def routed_models(router: Router) -> list[str]:
    """Every model name the router sends requests to, default first, each once."""
    names = [router.default, *(ref.model for d in router.decisions for ref in d.model_refs)]
    return list(dict.fromkeys(names))


def listener(router: Router, name: str) -> dict[str, Any]:
    return {"name": f"{name}-{router.port}", "address": "0.0.0.0", "port": router.port, "timeout": "300s"}


def backend_provider(model: ModelEntry) -> str:
    """vLLM Semantic Router's built-in provider id for the server behind an entry."""
    head = prefix(model.litellm_model)
    if head in _OPENAI_UNDER_V1:
        return "ollama"
    if is_self_hosted(model):
        return "vllm"
    if head == "openai" and model.api_base is None:
        return "openai"
    return "openai-compatible"


__all__ = [
    "DEFAULT_ROUTER_PORT",
    "Endpoint",
    "backend_provider",
    "endpoint",
    "listener",
    "provider_model_id",
    "routed_models",
]
