"""vLLM, RamaLama and any OpenAI-compatible server: `GET /v1/models`.

vLLM reports each model's `root` (the Hugging Face id it loaded) and `max_model_len`. The
window is what the server serves, `max_model_len`, even below the model's native window
(IC201 then says how to raise it on the server first); when the server does not say, the
`--context-window` given, else the catalog's for `root` or the id, else the candidate is
refused with a hint to pass --context-window. A LoRA adapter (`parent` set, `max_model_len`
null) is served at its parent's window and judged by its parent's weights; it is marked
(`adapterOf`). The entry calls the server with the served id (`openai/<id>`,
litellmModelName = the id) at `<base>/v1`.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from contract.workflows.discover._http import PROBE_TIMEOUT, ProbeFailed, base_url, get_json
from contract.workflows.discover._model import (
    Candidate,
    SourceReport,
    State,
    discovered_entry,
    kind_for_mode,
    refused_mode,
    served_window,
)
from contract.workflows.entry_edit import entry_fields

if TYPE_CHECKING:
    from contract.knowledge.catalog import ModelFacts

RAMALAMA_URL = "http://127.0.0.1:8080"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def candidate(
    source: str,
    base: str,
    model: Mapping[str, Any],
    *,
    context_window: int | None = None,
    parent: Mapping[str, Any] | None = None,
) -> Candidate:
    """The entry for one `/v1/models` item (`id`, and from vLLM `root`, `max_model_len`, `parent`).

    `parent` is the item the adapter's `parent` names, when the same list has it.
    """
    from contract.knowledge.catalog import load_catalog

    served = str(model["id"])
    root = _text(model.get("root"))
    adapter_of = _text(model.get("parent"))
    # An adapter runs on its parent's weights, at its parent's window.
    weights = (_text(parent.get("root")) if parent else None) or adapter_of if adapter_of else root
    facts = load_catalog().lookup(f"openai/{served}", vllm_model=weights or served)
    window, told = _window(model, parent, context_window, facts)
    info: dict[str, Any] = {
        "root": root,
        "ownedBy": model.get("owned_by"),
        "maxModelLen": model.get("max_model_len"),
        "contextWindowFrom": told,
    }
    if adapter_of:
        info["adapterOf"] = adapter_of
    if window is None:
        return Candidate(
            source,
            base,
            served,
            None,
            refused="the server reports no max_model_len and the catalog does not know the model",
            hint="pass --context-window",
            facts=info,
        )
    mode = facts.mode if facts and facts.mode else "chat"
    if kind_for_mode(mode) is None:
        return Candidate(source, base, served, None, refused=refused_mode(mode), facts=info)
    entry = discovered_entry(
        served=served,
        litellm_model=f"openai/{served}",
        display=root if root and not adapter_of else served,
        provider="Self-Hosted",
        mode=mode,
        window=window,
        cost_of=weights or served,
        api_base=f"{base}/v1",
        more=_after_api_base(served, weights if facts is not None else None, adapter_of),
    )
    return Candidate(source, base, served, entry_fields(entry), facts=info)


def _after_api_base(served: str, weights: str | None, adapter_of: str | None) -> dict[str, Any]:
    """baseModel: what the server loaded (when the catalog knows it), so that validate judges
    the window by those weights' facts (a self-hosted entry's served name is never looked up);
    an adapter's description."""
    more: dict[str, Any] = {}
    if weights:
        more["baseModel"] = weights
    if adapter_of:
        more["description"] = f"LoRA adapter {served} on {adapter_of}"
    return more


def _window(
    model: Mapping[str, Any],
    parent: Mapping[str, Any] | None,
    context_window: int | None,
    facts: ModelFacts | None,
) -> tuple[int | None, str | None]:
    """The window the entry gets and who told it: the server, --context-window or the catalog."""
    window = served_window(model.get("max_model_len"))
    if window is None and parent is not None:
        window = served_window(parent.get("max_model_len"))
    if window is not None:
        return window, "server"
    if context_window is not None:
        return context_window, "--context-window"
    if facts is not None and facts.context_window:
        return facts.context_window, "catalog"
    return None, None


def probe(
    url: str, *, source: str = "openai-compatible", default: bool = False, context_window: int | None = None
) -> SourceReport:
    """Ask the server at `url` (with or without /v1) what it serves."""
    from contract.clients.http import new_client

    base = base_url(url)
    with new_client(base, timeout=PROBE_TIMEOUT) as client:
        try:
            answer = get_json(client, "GET", "/v1/models")
        except ProbeFailed as exc:
            if exc.reachable or not default:
                return SourceReport(source, base, "down", str(exc))
            installed = shutil.which(source) is not None
            state: State = "stopped" if installed else "absent"
            return SourceReport(
                source, base, state, f"{'installed but ' if installed else ''}not running ({exc})"
            )
    items = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(items, list):
        return SourceReport(source, base, "down", "GET /v1/models: no data list in the answer")
    models = [item for item in items if isinstance(item, Mapping) and isinstance(item.get("id"), str)]
    by_id = {str(item["id"]): item for item in models}
    found = tuple(
        candidate(
            source,
            base,
            item,
            context_window=context_window,
            parent=by_id.get(item["parent"]) if isinstance(item.get("parent"), str) else None,
        )
        for item in models
    )
    return SourceReport(source, base, "running", f"{len(found)} model(s)", found)
