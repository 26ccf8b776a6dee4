"""vLLM, RamaLama and any OpenAI-compatible server: `GET /v1/models`.

vLLM reports each model's `root` (the Hugging Face id it loaded) and `max_model_len`; the
window is `max_model_len`, else the catalog's for `root` or the id, else the candidate is
refused with a hint to pass --context-window. The entry calls the server with the served id
(`openai/<id>`, litellmModelName = the id) at `<base>/v1`.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from contract.discover._http import PROBE_TIMEOUT, ProbeFailed, base_url, get_json
from contract.discover._model import Candidate, SourceReport, State

RAMALAMA_URL = "http://127.0.0.1:8080"

_KINDS = {"embedding": ("INTERNAL", "Embeddings"), "audio_transcription": ("INTERNAL", "Transcription")}


def candidate(
    source: str, base: str, model: Mapping[str, Any], *, context_window: int | None = None
) -> Candidate:
    """The entry for one `/v1/models` item (`id`, and from vLLM `root` and `max_model_len`)."""
    from contract.catalog import load_catalog
    from contract.edit import cost_tier, display_name

    served = str(model["id"])
    root = model.get("root") if isinstance(model.get("root"), str) else None
    facts = load_catalog().lookup(f"openai/{served}", vllm_model=root or served)
    window = model.get("max_model_len")
    if context_window is not None:
        window = context_window
    elif not (isinstance(window, int) and not isinstance(window, bool) and window > 0):
        window = facts.context_window if facts else None
    info = {"root": root, "ownedBy": model.get("owned_by"), "maxModelLen": model.get("max_model_len")}
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
    kind, metadata = _KINDS.get(mode, ("CHAT", "Text Generation"))
    fields: dict[str, Any] = {
        "litellmModelName": served,
        "litellmModel": f"openai/{served}",
        "displayName": display_name(root or served),
        "provider": "Self-Hosted",
        "type": kind,
        "metadataType": metadata,
        "costTier": cost_tier(root or served, mode, self_hosted=True),
        "contextWindow": window,
    }
    if kind == "CHAT":
        fields["maxTokens"] = min(window, 8192)
    fields["apiBase"] = f"{base}/v1"
    if root and facts is not None:
        # What the server loaded, so that validate judges the window by those weights' facts
        # (a self-hosted entry's served name is never looked up).
        fields["baseModel"] = root
    return Candidate(source, base, served, fields, facts=info)


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
    found = tuple(
        candidate(source, base, item, context_window=context_window)
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    )
    return SourceReport(source, base, "running", f"{len(found)} model(s)", found)
