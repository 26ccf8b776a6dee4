"""A router of the contract as vLLM Semantic Router's v0.3 config (`router/<name>.yaml`).

`providers.models[]` holds the models the router routes to, each with one backend: its own
server (`host:port` from `apiBase`), the id that server expects and the variable holding its
key; `routing.modelCards[]` what the router knows of each (context window, parameter size,
tool calling); signals and decisions are copied as written. Keys are never written: a
`${VAR}` becomes `api_key_env: VAR`, a literal key the variable `render` names for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contract.errors import UsageError
from contract.knowledge import envref, sizing
from contract.knowledge.catalog import Catalog
from contract.pipeline.model import ModelEntry
from contract.pipeline.router_config import (
    backend_provider,
    endpoint,
    listener,
    provider_model_id,
    routed_models,
)

if TYPE_CHECKING:
    from contract.pipeline.routers import Router


def _param_size(entry: ModelEntry, catalog: Catalog) -> str | None:
    vllm = entry.vllm
    params = vllm.params_billions if vllm else None
    if params is None:
        facts = catalog.lookup(
            entry.litellm_model, base_model=entry.base_model, vllm_model=vllm.model if vllm else None
        )
        params = facts.params_b if facts else None
    if params is None:
        params = sizing.params_from_id(vllm.model if vllm else entry.litellm_model)
    return f"{params:g}B" if params else None


def _key_env(entry: ModelEntry) -> str | None:
    if entry.api_key is None or not entry.api_key.get_secret_value().strip():
        return None
    return envref.whole_ref(entry.api_key.get_secret_value()) or envref.literal_var(
        entry.litellm_model_name, "apiKey"
    )


def _provider_model(entry: ModelEntry) -> dict[str, Any]:
    found, why = endpoint(entry)
    if found is None:  # IC606 refuses such a contract before rendering
        raise UsageError(f"{entry.litellm_model_name}: a router cannot reach it: {why}")
    backend: dict[str, Any] = {
        "name": entry.litellm_model_name,
        "provider": backend_provider(entry),
        "endpoint": found.address,
        "protocol": found.protocol,
        "weight": 100,
    }
    if found.chat_path:
        backend["chat_path"] = found.chat_path
    key = _key_env(entry)
    if key:
        backend["api_key_env"] = key
    return {
        "name": entry.litellm_model_name,
        "provider_model_id": provider_model_id(entry),
        "api_format": "openai",
        "backend_refs": [backend],
    }


def _model_card(entry: ModelEntry, catalog: Catalog, tools: bool) -> dict[str, Any]:
    card: dict[str, Any] = {"name": entry.litellm_model_name}
    size = _param_size(entry, catalog)
    if size:
        card["param_size"] = size
    card["context_window_size"] = entry.context_window
    if entry.max_tokens:
        card["max_output_tokens"] = entry.max_tokens
    if entry.description:
        card["description"] = entry.description
    reasoning = entry.vllm is not None and entry.vllm.reasoning_parser is not None
    card["capabilities"] = ["chat", *(["reasoning"] if reasoning else []), *(["tools"] if tools else [])]
    return card


def router_config(
    name: str,
    router: Router,
    models: Mapping[str, ModelEntry],
    catalog: Catalog,
    tools: Mapping[str, bool],
) -> dict[str, Any]:
    """The router's whole vLLM Semantic Router config, as plain data in the file's key order."""
    routed = [models[m] for m in routed_models(router)]
    routing: dict[str, Any] = {
        "strategy": "priority",
        "modelCards": [_model_card(e, catalog, tools[e.litellm_model_name]) for e in routed],
    }
    if router.signals is not None:
        routing["signals"] = router.signals.model_dump(mode="json", by_alias=True, exclude_none=True)
    routing["decisions"] = [
        d.model_dump(mode="json", by_alias=True, exclude_none=True) for d in router.decisions
    ]
    return {
        "version": "v0.3",
        "listeners": [listener(router, name)],
        "providers": {"defaults": {"model": router.default}, "models": [_provider_model(e) for e in routed]},
        "routing": routing,
    }


def key_vars(config: Mapping[str, Any]) -> list[str]:
    """The variables the rendered router reads its upstream keys from."""
    return sorted(
        {
            ref["api_key_env"]
            for m in config["providers"]["models"]
            for ref in m["backend_refs"]
            if "api_key_env" in ref
        }
    )
