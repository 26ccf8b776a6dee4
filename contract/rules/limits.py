"""IC2xx: context windows, output limits and GPU sizing."""

from __future__ import annotations

from collections.abc import Iterator

from contract.diagnostics import Severity
from contract.rules._context import Entry
from contract.rules._registry import Finding, rule


@rule("IC203", "max-tokens-too-large", Severity.ERROR, uses=("maxTokens", "contextWindow"))
def max_tokens_too_large(entry: Entry) -> Iterator[Finding]:
    """maxTokens is larger than the context window (or than the model's output limit).

    LiteLLM requests up to maxTokens of output; a request that cannot fit in the window is
    refused by the provider or the vLLM server.

    Fails:

        contextWindow: 8192
        maxTokens: 16384

    Passes:

        contextWindow: 200000
        maxTokens: 16384
    """
    model = entry.model
    if model.max_tokens is not None and model.max_tokens > model.context_window:
        yield Finding(
            f"maxTokens {model.max_tokens} is larger than contextWindow {model.context_window}",
            ("maxTokens",),
            hint="maxTokens is the output limit only; check both numbers against the model card",
        )


@rule("IC204", "max-model-len-mismatch", Severity.ERROR, uses=("vllm", "contextWindow"))
def max_model_len_mismatch(entry: Entry) -> Iterator[Finding]:
    """vllm.maxModelLen differs from contextWindow.

    The platform budgets conversations by contextWindow; vLLM refuses anything longer than
    --max-model-len. Two numbers for one window means truncation or rejected requests.

    Fails:

        contextWindow: 250000
        vllm: {model: DeepHat/DeepHat-V2-ext, maxModelLen: 32768}

    Passes:

        contextWindow: 250000
        vllm: {model: DeepHat/DeepHat-V2-ext}     # maxModelLen defaults to contextWindow
    """
    vllm = entry.model.vllm
    if vllm is None or vllm.max_model_len is None or vllm.max_model_len == entry.model.context_window:
        return
    yield Finding(
        f"vllm.maxModelLen {vllm.max_model_len} differs from contextWindow {entry.model.context_window}",
        ("vllm", "maxModelLen"),
        hint="leave maxModelLen out (it defaults to contextWindow); if vLLM reports less fits, "
        "lower contextWindow to that number",
    )


@rule("IC206", "tensor-parallel-mismatch", Severity.ERROR, uses=("vllm",))
def tensor_parallel_mismatch(entry: Entry) -> Iterator[Finding]:
    """tensorParallelSize does not fit gpus.count.

    vLLM shards the model over tensorParallelSize GPUs; the pod gets gpus.count. More shards
    than GPUs never starts; a count that is not a multiple leaves GPUs idle.

    Fails:

        vllm: {model: DeepHat/DeepHat-V2-ext, tensorParallelSize: 4, gpus: {count: 2, memoryGiB: 80}}

    Passes:

        vllm: {model: DeepHat/DeepHat-V2-ext, tensorParallelSize: 2, gpus: {count: 2, memoryGiB: 80}}
    """
    vllm = entry.model.vllm
    if vllm is None or vllm.gpus is None or vllm.tensor_parallel_size is None:
        return
    tp, count = vllm.tensor_parallel_size, vllm.gpus.count
    if tp > count:
        yield Finding(
            f"tensorParallelSize {tp} needs {tp} GPUs but gpus.count is {count}",
            ("vllm", "tensorParallelSize"),
            hint=f"set tensorParallelSize: {count}, or give the deployment {tp} GPUs",
        )
    elif count % tp:
        yield Finding(
            f"gpus.count {count} is not a multiple of tensorParallelSize {tp}",
            ("vllm", "tensorParallelSize"),
            hint=f"set tensorParallelSize: {count}",
        )
