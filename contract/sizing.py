"""GPU sizing: how much memory the weights need, and the seed's sizing table.

Weights = parameters × bytes per parameter (BF16/FP16 2, FP8 1, 4-bit AWQ/GPTQ 0.5). The table
is seed 002's "GPU sizing" table: GPUs for a model size, quantization and context length. The
KV cache grows with the context, so the same model needs more memory at 128k than at 4k.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GIB = 1024**3

# Parameter counts as model ids write them: "Llama-3.3-70B", "Nemotron-3-Super-120B-A12B" (the
# total, not the active "A12B"), "Qwen3-Coder-30B-A3B", "8x7B" (Mixtral: 56B in total).
_PARAMS = re.compile(r"(?<![A-Za-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)[Bb](?![A-Za-z0-9])")
_FOUR_BIT = re.compile(r"awq|gptq|int4|4bit|w4a16|nf4|bnb", re.IGNORECASE)
_EIGHT_BIT = re.compile(r"fp8|int8|w8a8|8bit", re.IGNORECASE)


def params_from_id(model_id: str) -> float | None:
    """Billions of parameters named in a model id, or None."""
    for match in _PARAMS.finditer(model_id.rsplit("/", 1)[-1]):
        experts, size = match.groups()
        return float(size) * (int(experts) if experts else 1)
    return None


def bytes_per_param(model_id: str, dtype: str | None, quantization: str | None) -> float:
    """Bytes one weight takes, from --quantization, else the id's naming, else --dtype."""
    hints = " ".join(filter(None, [quantization, model_id.rsplit("/", 1)[-1]]))
    if _FOUR_BIT.search(hints):
        return 0.5
    if _EIGHT_BIT.search(hints):
        return 1.0
    if dtype in ("float", "float32"):
        return 4.0
    return 2.0


def weights_gib(params_b: float, bytes_each: float) -> float:
    return params_b * 1e9 * bytes_each / GIB


@dataclass(frozen=True)
class Need:
    gpus: int
    gib: int

    @property
    def total(self) -> int:
        return self.gpus * self.gib

    def __str__(self) -> str:
        return f"{self.gpus}× {self.gib}GB"


# (largest size in the class in B, bytes per param) -> needs for short (≤4k), medium (≤32k),
# full (>32k) context: the smallest configuration of each cell of seed 002's table.
_TABLE: dict[tuple[float, float], tuple[Need, Need, Need]] = {
    (8, 2.0): (Need(1, 24), Need(1, 24), Need(1, 48)),
    (8, 1.0): (Need(1, 24), Need(1, 24), Need(1, 24)),
    (13, 2.0): (Need(1, 48), Need(1, 80), Need(1, 80)),
    (13, 1.0): (Need(1, 24), Need(1, 48), Need(1, 80)),
    (34, 2.0): (Need(1, 80), Need(2, 80), Need(2, 80)),
    (34, 1.0): (Need(1, 48), Need(1, 80), Need(1, 80)),
    (70, 2.0): (Need(2, 80), Need(4, 80), Need(4, 80)),
    (70, 1.0): (Need(1, 80), Need(2, 80), Need(2, 80)),
    (70, 0.5): (Need(1, 80), Need(2, 80), Need(4, 80)),
}
# The table's size classes (7–8B, 13B, 30–34B, 70B): (smallest, largest, key in _TABLE).
_CLASSES = ((6.5, 8.5, 8), (12, 14, 13), (28, 35, 34), (65, 72, 70))


def table_need(params_b: float, bytes_each: float, context: int) -> Need | None:
    """The seed's sizing for this model and context, or None where the table has no row."""
    size = next((key for low, high, key in _CLASSES if low <= params_b <= high), None)
    if size is None:
        return None
    row = _TABLE.get((size, bytes_each))
    if row is None:
        return None
    column = 0 if context <= 4096 else 1 if context <= 32768 else 2
    return row[column]
