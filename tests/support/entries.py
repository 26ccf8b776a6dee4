"""Entries for rule tests, as plain data, and what the rules find in them.

Not a test module. `cloud()` is gpt-4o on OpenAI, `served()` a self-hosted vLLM entry reached
in the cluster; keyword arguments replace or add fields (camelCase, as in YAML).
"""

from __future__ import annotations

import json
from typing import Any

from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text

Found = tuple[str, str, str, str, str | None]  # code, severity, path, message, hint


def cloud(**fields: Any) -> dict[str, Any]:
    return {
        "litellmModelName": "gpt-4o",
        "litellmModel": "openai/gpt-4o",
        "displayName": "GPT-4o",
        "provider": "OpenAI",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 128000,
        "apiKey": "${OPENAI_API_KEY}",
        **fields,
    }


def served(model: str, vllm: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "litellmModelName": "m",
        "litellmModel": "openai/m",
        "displayName": "M",
        "provider": "Self-Hosted",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 32768,
        "apiBase": "http://m.inference.svc.cluster.local:8000/v1",
        "vllm": {"model": model, **(vllm or {})},
        **fields,
    }


def findings(entry: dict[str, Any], codes: tuple[str, ...]) -> list[Found]:
    """What `validate` reports with these codes for a contract of this one entry."""
    result = validate_text(json.dumps({"models": [entry]}), file="c.yaml", options=Options())
    return [
        (d.code, d.severity.value, d.path, d.message, d.hint) for d in result.diagnostics if d.code in codes
    ]
