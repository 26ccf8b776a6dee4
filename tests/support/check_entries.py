"""The self-hosted entries `check` runs on in its tests, and the key they carry (a canary).

Not a test module: `from tests.support.check_entries import ...`.
"""

from __future__ import annotations

from typing import Any

KEY = "sk-canary-check-7f3a9e"  # planted: must never appear in any output
ENV = {"VLLM_API_KEY": KEY}


def entry(name: str = "qwen3", api_base: str = "http://127.0.0.1:1/v1", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "litellmModelName": name,
        "litellmModel": f"openai/{name}",
        "displayName": name,
        "provider": "Self-Hosted",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 32768,
        "maxTokens": 4096,
        "apiBase": api_base,
        "apiKey": "${VLLM_API_KEY}",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def embedding_entry(name: str, api_base: str) -> dict[str, Any]:
    return entry(
        name, api_base, type="INTERNAL", metadataType="Embeddings", maxTokens=None, contextWindow=8192
    )
