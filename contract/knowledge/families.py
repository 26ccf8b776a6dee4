"""Model families and the vLLM flags they need (seed 002, tool-call parser reference).

Matched against the served model (vllm.model, else litellmModel / litellmModelName), case-
insensitively, in this order (DeepSeek-R1-Distill-Llama is DeepSeek's). `also_ok` holds parsers
vLLM ships for the family that work too; the seed marks DeepSeek's row "verify against latest
vLLM release". Llama 3.x is not in the seed's table: its row is vLLM's tool-calling
documentation (Llama 3.1/3.2/3.3 with `llama3_json`; `pythonic` for Llama 3.2's own format).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    pattern: re.Pattern[str]
    tool_call_parser: str
    reasoning_parser: str | None = None
    trust_remote_code: bool = False
    also_ok: tuple[str, ...] = ()


FAMILIES: tuple[Family, ...] = (
    Family("NVIDIA Nemotron 3 Super", re.compile(r"nemotron[-_ ]?3"), "qwen3_coder", "nemotron_v3", True),
    Family("Mistral / Mixtral", re.compile(r"mistral|mixtral|devstral|codestral"), "mistral"),
    Family(
        "DeepSeek-V3 / R1",
        re.compile(r"deepseek[-_]?(v3|r1)"),
        "hermes",
        also_ok=("deepseek_v3", "deepseek_v31"),
    ),
    # Qwen's own docs serve the Qwen3 chat models with hermes; the seed names qwen3_coder.
    Family("Qwen 3 / Qwen 3 Coder", re.compile(r"qwen[-_]?3"), "qwen3_coder", also_ok=("hermes",)),
    Family("DeepHat V2", re.compile(r"deephat"), "qwen3_coder"),
    Family("GPT OSS", re.compile(r"gpt[-_]?oss"), "openai", "openai_gptoss"),
    Family("Llama 3", re.compile(r"llama[-_ ]?3"), "llama3_json", also_ok=("pythonic",)),
)


def family_of(*names: str | None) -> Family | None:
    for name in names:
        if not name:
            continue
        lowered = name.lower()
        for family in FAMILIES:
            if family.pattern.search(lowered):
                return family
    return None
