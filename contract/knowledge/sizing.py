"""GPU sizing: how much memory the weights need, and the seed's sizing table.

Weights = parameters × bits a stored parameter takes. How a checkpoint stores its weights is
read, in this order, from vLLM's --quantization, from the Hugging Face id (`-FP8`, `-AWQ`,
`-bnb-4bit`, ...), from the catalog's row for the model (its native format: gpt-oss ships
MXFP4, DeepSeek-V3 FP8), and only then from --dtype, which is the activation type. The formats,
id markers and their sources are data: `contract/data/weight_formats.json`. Mixture-of-experts
models hold every expert in memory, so the parameter count is the total (Mixtral 8x7B: 46.7B),
not the active one. The table is seed 002's "GPU sizing" table: GPUs for a model size,
quantization and context length. The KV cache grows with the context, so the same model needs
more memory at 128k than at 4k.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

GIB = 1024**3

# Parameter counts as model ids write them: "Llama-3.3-70B", "Nemotron-3-Super-120B-A12B" (the
# total, not the active "A12B"), "Qwen3-Coder-30B-A3B". An "8x7B" id is not multiplied out:
# experts share their attention weights, so only the catalog's total (46.7B) is right.
_PARAMS = re.compile(r"(?<![A-Za-z0-9.])(\d+x)?(\d+(?:\.\d+)?)[Bb](?![A-Za-z0-9])")


@dataclass(frozen=True)
class WeightFormat:
    name: str
    bits: float
    source: str

    @property
    def bytes_each(self) -> float:
        return self.bits / 8


@functools.cache
def _formats() -> dict[str, Any]:
    from contract.resources import read_data

    data: dict[str, Any] = read_data("weight_formats.json")
    return data


def weight_format(name: str) -> WeightFormat | None:
    row = _formats()["formats"].get(name)
    return WeightFormat(name, float(row["bits"]), str(row["source"])) if row else None


def params_from_id(model_id: str) -> float | None:
    """Billions of parameters named in a model id, or None (and None for `8x7B` ids)."""
    for match in _PARAMS.finditer(model_id.rsplit("/", 1)[-1]):
        experts, size = match.groups()
        return None if experts else float(size)
    return None


def format_from_id(model_id: str) -> str | None:
    """The storage format an id names (`-FP8`, `-AWQ`, `-bnb-4bit`), or None."""
    name = "-" + model_id.rsplit("/", 1)[-1].casefold() + "-"
    for marker, fmt in _formats()["suffixes"]:
        if f"-{marker}-" in name:
            return str(fmt)
    return None


def storage_format(
    model_id: str, dtype: str | None, quantization: str | None, native: str | None = None
) -> WeightFormat:
    """How the served checkpoint's weights are stored: --quantization, the id, the catalog
    row's native format, --dtype; BF16 when nothing says."""
    tables = _formats()
    chosen = (
        (tables["quantization"].get(quantization.casefold()) if quantization else None)
        or format_from_id(model_id)
        or native
        or (tables["dtype"].get(dtype) if dtype else None)
        or "bf16"
    )
    return weight_format(chosen) or weight_format("bf16")  # type: ignore[return-value]


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
    """The seed's sizing for this model and context, or None where the table has no row.

    The table's columns are FP16/BF16 (2 bytes), FP8 (1) and AWQ/GPTQ (4-bit, with scales).
    """
    if bytes_each > 2.0:
        return None
    bytes_each = 2.0 if bytes_each > 1.0 else 1.0 if bytes_each > 0.6 else 0.5
    size = next((key for low, high, key in _CLASSES if low <= params_b <= high), None)
    if size is None:
        return None
    row = _TABLE.get((size, bytes_each))
    if row is None:
        return None
    column = 0 if context <= 4096 else 1 if context <= 32768 else 2
    return row[column]


# vLLM takes 90 % of each GPU by default (--gpu-memory-utilization 0.9); the weights must fit
# in that share with room left for the KV cache.
GPU_MEMORY_UTILIZATION = 0.9
# What `add` and the hints assume a GPU holds when nobody says: an H100/A100 80GB.
DEFAULT_GPU_MEMORY_GIB = 80.0


@dataclass(frozen=True)
class Suggestion:
    """GPUs for a model: what its weights need and the count that holds them."""

    params_b: float
    stored: WeightFormat
    weights_gib: float
    count: int
    memory_gib: float

    @property
    def gpus(self) -> str:
        """The `gpus:` block to write, as YAML flow text."""
        return f"gpus: {{count: {self.count}, memoryGiB: {self.memory_gib:g}}}"

    def __str__(self) -> str:
        return (
            f"{self.params_b:g}B parameters as {self.stored.name.upper()} need about "
            f"{self.weights_gib:.0f} GiB of weights"
        )


def _power_of_two(n: int) -> int:
    """The smallest power of two ≥ n: tensor parallelism splits attention heads, whose count
    is a power of two (times a small factor) in every family the catalog knows."""
    return 1 << max(0, n - 1).bit_length()


def suggest(
    model_id: str,
    *,
    params_b: float | None,
    dtype: str | None,
    quantization: str | None,
    native: str | None,
    context: int,
    memory_gib: float = DEFAULT_GPU_MEMORY_GIB,
    at_least: int = 1,
) -> Suggestion | None:
    """The GPUs of `memory_gib` that serve the model, or None when its size is unknown.

    `params_b` is the parameter count as vllm.paramsBillions or the catalog says (else the
    id's number). The count holds the weights in vLLM's share of each GPU, meets seed 002's
    sizing table for the context, and is rounded up to a power of two, since it is also the
    tensor-parallel size.
    """
    params = params_b or params_from_id(model_id)
    if not params:
        return None
    stored = storage_format(model_id, dtype, quantization, native)
    weights = weights_gib(params, stored.bytes_each)
    count = max(at_least, math.ceil(weights / (memory_gib * GPU_MEMORY_UTILIZATION)))
    need = table_need(params, stored.bytes_each, context)
    if need is not None:
        count = max(count, math.ceil(need.total / memory_gib))
    return Suggestion(params, stored, weights, _power_of_two(count), memory_gib)
