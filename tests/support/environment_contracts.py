"""Contracts with `environments:`: the three-environment example, and small contracts of real models.

Not a test module: `from tests.support.environment_contracts import ...`.
"""

from __future__ import annotations

from pathlib import Path

THREE = Path(__file__).resolve().parents[1] / "contracts" / "valid" / "three-environments.yaml"


ENTRY = """\
  - litellmModelName: {name}
    litellmModel: openai/{model}
    displayName: {name}
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${{OPENAI_API_KEY}}
"""


# Short names for real models (the catalog knows them, so the base is silent).
REAL = {"a": "gpt-4o", "b": "gpt-4o-mini", "c": "gpt-4o-2024-08-06"}


def contract(*names: str, tail: str = "") -> str:
    return "models:\n" + "".join(ENTRY.format(name=n, model=REAL[n]) for n in names) + tail
