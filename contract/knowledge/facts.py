"""Small fixed tables several modules share: each fact in one place.

| table | used by |
|---|---|
| MODE_KINDS: LiteLLM mode -> (type, metadataType) | catalog (kept modes), IC402, add, render |
| BEDROCK_PROFILES: cross-region inference profile prefixes | catalog lookups, add's names |
| OPENAI_SERVER_PREFIXES: prefixes an OpenAI-compatible server at an apiBase is reached with | rules, catalog |
| OLLAMA_PREFIXES, LOCAL_RUNTIME_PREFIXES: Ollama's native API; runtimes on one's own machine | IC105, IC2xx, catalog, add |
| OLLAMA_ENDPOINTS, ollama_server: the path LiteLLM appends per prefix; the server under an apiBase | IC105, check |
"""

from __future__ import annotations

from collections.abc import Mapping

# LiteLLM's model modes a contract entry can stand for, and the entry's type and metadataType.
MODE_KINDS: Mapping[str, tuple[str, str]] = {
    "chat": ("CHAT", "Text Generation"),
    "completion": ("CHAT", "Text Generation"),
    "responses": ("CHAT", "Text Generation"),
    "embedding": ("INTERNAL", "Embeddings"),
    "audio_transcription": ("INTERNAL", "Transcription"),
}
KEPT_MODES = frozenset(MODE_KINDS)
# metadataType -> the mode render writes into LiteLLM's model_info (the first in MODE_KINDS).
RENDERED_MODE: dict[str, str] = {}
for _mode, (_, _metadata) in MODE_KINDS.items():
    RENDERED_MODE.setdefault(_metadata, _mode)

# Cross-region inference profiles LiteLLM accepts in front of a Bedrock model id.
BEDROCK_PROFILES = ("global.", "us-gov.", "us.", "eu.", "apac.", "jp.", "au.")

# The prefixes LiteLLM reaches an OpenAI-compatible server at an apiBase with: `openai/` (any
# such server, OpenAI's own API included) and `hosted_vllm/`. The Self-Hosted provider row lists
# both, since a self-hosted vLLM is reached with either; the prefix alone does not make an entry
# self-hosted (`contract.knowledge.entries.is_self_hosted` decides that).
OPENAI_SERVER_PREFIXES = frozenset({"openai", "hosted_vllm"})

# LiteLLM's prefixes for Ollama's native API (/api/chat, /api/generate; never /v1).
OLLAMA_PREFIXES = frozenset({"ollama", "ollama_chat"})
# The path LiteLLM (1.106) appends to an Ollama apiBase, unless apiBase already ends in it.
OLLAMA_ENDPOINTS: Mapping[str, str] = {"ollama": "/api/generate", "ollama_chat": "/api/chat"}
# Ollama API paths an apiBase may have been written with; LiteLLM's own model listing strips
# them to find the server (`OllamaConfig.get_server_api_base`), and so does `check`.
OLLAMA_API_PATHS = ("/api/generate", "/api/chat", "/api/embed", "/api/embeddings", "/api/show", "/api/tags")


def ollama_server(api_base: str) -> str:
    """The Ollama server an apiBase points at: without a trailing slash or an /api/... path."""
    base = api_base.rstrip("/")
    for path in OLLAMA_API_PATHS:
        if base.endswith(path):
            return base[: -len(path)]
    return base


# Runtimes on one's own hardware (no per-token price): add writes costTier LOW for them.
LOCAL_RUNTIME_PREFIXES = frozenset({*OLLAMA_PREFIXES, "lm_studio", "llamafile", "hosted_vllm"})
