"""Ollama: `GET /api/tags` for the models, `POST /api/show` for each one's window and capabilities.

An entry keeps the exact Ollama tag (`ollama_chat/qwen3:8b` for chat, `ollama/<tag>` for
embeddings) and Ollama's base URL as `apiBase` (LiteLLM's ollama provider adds the paths, so
no `/v1`). The context window is `model_info["<architecture>.context_length"]`; only when
Ollama does not say is it the `--context-window` given.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from contract.workflows.discover._http import PROBE_TIMEOUT, ProbeFailed, base_url, get_json
from contract.workflows.discover._model import Candidate, SourceReport, State, discovered_entry, model_name
from contract.workflows.entry_edit import entry_fields

DEFAULT_URL = "http://127.0.0.1:11434"
SOURCE = "ollama"


def context_length(show: Mapping[str, Any]) -> int | None:
    info = show.get("model_info")
    if not isinstance(info, Mapping):
        return None
    arch = info.get("general.architecture")
    value = info.get(f"{arch}.context_length") if isinstance(arch, str) else None
    if value is None:  # an architecture key Ollama did not name: any *.context_length
        value = next((v for k, v in info.items() if str(k).endswith(".context_length")), None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def candidate(
    base: str, tag: str, show: Mapping[str, Any], *, context_window: int | None = None
) -> Candidate:
    """The entry for one Ollama model, from its tag and its `/api/show` answer."""
    capabilities = [c for c in show.get("capabilities") or () if isinstance(c, str)]
    details = show.get("details")
    if not isinstance(details, Mapping):
        details = {}
    embedding = "embedding" in capabilities and "completion" not in capabilities
    facts = {
        "capabilities": capabilities,
        "parameterSize": details.get("parameter_size"),
        "quantization": details.get("quantization_level"),
    }
    window = context_length(show)
    facts["contextWindowFrom"] = "server" if window is not None else None
    if window is None and context_window is not None:
        window, facts["contextWindowFrom"] = context_window, "--context-window"
    if window is None:
        return Candidate(
            SOURCE,
            base,
            tag,
            None,
            refused="Ollama reports no context length for it",
            hint="pass --context-window",
            facts=facts,
        )
    entry = discovered_entry(
        served=model_name(tag),
        litellm_model=f"{'ollama' if embedding else 'ollama_chat'}/{tag}",
        display=tag.removesuffix(":latest").replace(":", " "),
        provider="Ollama",
        mode="embedding" if embedding else "chat",
        window=window,
        cost_of=tag,
        api_base=base,
    )
    return Candidate(SOURCE, base, tag, entry_fields(entry), facts=facts)


def probe(url: str | None = None, *, context_window: int | None = None) -> SourceReport:
    """Ask the Ollama server at `url` (default 127.0.0.1:11434) what it serves."""
    from contract.clients.http import new_client

    base = base_url(url or DEFAULT_URL)
    with new_client(base, timeout=PROBE_TIMEOUT) as client:
        try:
            tags = get_json(client, "GET", "/api/tags")
        except ProbeFailed as exc:
            if exc.reachable:
                return SourceReport(SOURCE, base, "down", f"not an Ollama server: {exc}")
            installed = shutil.which("ollama") is not None
            state: State = "stopped" if installed else "absent"
            why = "installed but not running" if installed else "not running"
            return SourceReport(SOURCE, base, state, f"{why} ({exc})")
        models = tags.get("models") if isinstance(tags, Mapping) else None
        if not isinstance(models, list):
            return SourceReport(SOURCE, base, "down", "GET /api/tags: no models list in the answer")
        found = []
        for item in models:
            tag = item.get("name") or item.get("model") if isinstance(item, Mapping) else None
            if not isinstance(tag, str):
                continue
            try:
                show = get_json(client, "POST", "/api/show", json={"model": tag})
            except ProbeFailed as exc:
                found.append(Candidate(SOURCE, base, tag, None, refused=str(exc)))
                continue
            if not isinstance(show, Mapping):
                show = {}
            found.append(candidate(base, tag, show, context_window=context_window))
    return SourceReport(SOURCE, base, "running", f"{len(found)} model(s)", tuple(found))
