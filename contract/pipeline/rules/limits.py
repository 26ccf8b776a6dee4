"""IC2xx: context windows, output limits and GPU sizing."""

from __future__ import annotations

import math
from collections.abc import Iterator

from contract.diagnostics import Severity
from contract.knowledge import sizing
from contract.knowledge.facts import OLLAMA_PREFIXES
from contract.pipeline.rules._context import Entry
from contract.pipeline.rules.registry import Finding, rule


@rule(
    "IC203",
    "max-tokens-too-large",
    Severity.ERROR,
    uses=("maxTokens", "contextWindow", "litellmModel", "baseModel", "vllm"),
)
def max_tokens_too_large(entry: Entry) -> Iterator[Finding]:
    """maxTokens is larger than the context window (or than the model's output limit).

    LiteLLM requests up to maxTokens of output; a request that cannot fit in the window is
    refused by the provider or the vLLM server.

    Fails:

        contextWindow: 8192
        maxTokens: 16384

        litellmModel: openai/gpt-4o
        maxTokens: 32768          # gpt-4o writes at most 16384

    Passes:

        contextWindow: 200000
        maxTokens: 16384        # Claude Sonnet 4 writes up to 64000
    """
    model = entry.model
    if model.max_tokens is None:
        return
    if model.max_tokens > model.context_window:
        yield Finding(
            f"maxTokens {model.max_tokens} is larger than contextWindow {model.context_window}",
            ("maxTokens",),
            hint="maxTokens is the output limit only; check both numbers against the model card",
        )
        return
    facts = entry.facts
    if facts is not None and facts.max_output_tokens and model.max_tokens > facts.max_output_tokens:
        yield Finding(
            f"maxTokens {model.max_tokens} is above {facts.id}'s output limit of {facts.max_output_tokens}",
            ("maxTokens",),
            hint=f"write maxTokens: {facts.max_output_tokens} or less",
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
    if vllm is None or vllm.gpus is None or vllm.tensor_parallel_size is None or vllm.gpus.count == 0:
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


# Where an Ollama server takes its context length (the default is far below most windows).
_NUM_CTX = "OLLAMA_CONTEXT_LENGTH, or PARAMETER num_ctx in the model's Modelfile"

# "Well below": under this share of the advertised window. The seed writes Gemini 2.5 Pro's
# 1,048,576 as 1,000,000 (95%), which is the advertised window rounded, not a low-ball.
LOW_SHARE = 0.9


@rule(
    "IC201",
    "context-window-low",
    Severity.WARNING,
    uses=("contextWindow", "litellmModel", "baseModel", "vllm"),
)
def context_window_low(entry: Entry) -> Iterator[Finding]:
    """contextWindow is well below the model's advertised window (under 90% of it).

    A low-balled window truncates conversations and makes agents lose context. Set the full
    advertised window; for a self-hosted model that does not fit, vLLM reports the maximum your
    GPUs hold: use that number. An Ollama entry is judged by its model family's window (the
    open-weight facts), which its server serves only with num_ctx raised to match.

    Fails:

        litellmModel: openai/gpt-4o
        contextWindow: 8192

    Passes:

        litellmModel: openai/gpt-4o
        contextWindow: 128000
    """
    facts = entry.facts
    window = entry.model.context_window
    if facts is None or not facts.context_window:
        return
    # Serving a model at its native window is not low-balling it: the longer one needs YaRN.
    floor = facts.native_context_window or facts.context_window
    if window >= LOW_SHARE * floor:
        return
    hint = f"write contextWindow: {facts.context_window}"
    if entry.prefix in OLLAMA_PREFIXES:
        hint += (
            f" and raise the Ollama server's num_ctx to match it ({_NUM_CTX}); if that does not "
            "fit its memory, keep contextWindow equal to num_ctx"
        )
    elif entry.self_hosted and entry.model.vllm is None:
        # A server the contract does not deploy serves at most its own --max-model-len: a
        # bigger contextWindow would let LiteLLM accept requests that server refuses.
        hint = (
            f"contextWindow must not exceed what the server serves; to use more, restart it with "
            f"--max-model-len up to {facts.context_window} first, then write that number here"
        )
    yield Finding(
        f"contextWindow {window} is well below {facts.id}'s advertised {facts.context_window}",
        ("contextWindow",),
        hint=hint,
    )


@rule(
    "IC202",
    "context-window-high",
    Severity.ERROR,
    uses=("contextWindow", "litellmModel", "baseModel", "vllm"),
)
def context_window_high(entry: Entry) -> Iterator[Finding]:
    """contextWindow is above what the model supports.

    The platform would send prompts the model cannot take: the provider rejects them, or vLLM
    refuses to start with a --max-model-len beyond the model's limit. An Ollama entry is judged
    by its model family's window (`ollama_chat/llama3.1`: Llama 3.1's 131072, not LiteLLM's
    8192, a server default); the server's num_ctx must be raised to match.

    Fails:

        litellmModel: openai/gpt-4o
        contextWindow: 200000

    Passes:

        litellmModel: openai/gpt-4o
        contextWindow: 128000

        litellmModel: ollama_chat/llama3.1
        contextWindow: 131072
    """
    facts = entry.facts
    window = entry.model.context_window
    if facts is None or not facts.context_window or window <= facts.context_window:
        return
    hint = f"write contextWindow: {facts.context_window}"
    if entry.prefix in OLLAMA_PREFIXES:
        hint += f", and raise the Ollama server's num_ctx to match it ({_NUM_CTX})"
    yield Finding(
        f"contextWindow {window} is above {facts.id}'s maximum of {facts.context_window}",
        ("contextWindow",),
        hint=hint,
    )


@rule(
    "IC205",
    "gpu-undersized",
    Severity.ERROR,
    uses=("vllm", "contextWindow", "litellmModel"),
)
def gpu_undersized(entry: Entry) -> Iterator[Finding]:
    """The declared GPUs cannot hold the weights (error), or are below the seed's sizing table
    for the configured context (warning).

    Weights are the parameter count (vllm.paramsBillions, the catalog's total for the model,
    or the number in its id) times the bits a stored parameter takes: from --quantization, the
    id (`-FP8`, `-AWQ`, `-GPTQ`, `-Int4`, `-W4A16`, `-bnb-4bit`, `-MXFP4`), the checkpoint's
    native format in the catalog (gpt-oss: MXFP4, 4.25 bits; DeepSeek-V3: FP8), and only then
    dtype, which is the activation type (BF16 2 bytes). Mixture-of-experts models count every
    expert. The KV cache for the context comes on top, which the sizing table accounts for.

    Fails:

        vllm: {model: meta-llama/Llama-3.3-70B-Instruct, dtype: bfloat16,
               gpus: {count: 1, memoryGiB: 80}}          # 140 GB of weights

    Passes:

        vllm: {model: meta-llama/Llama-3.3-70B-Instruct, dtype: bfloat16,
               tensorParallelSize: 4, gpus: {count: 4, memoryGiB: 80}}

        vllm: {model: openai/gpt-oss-120b, gpus: {count: 1, memoryGiB: 80}}   # MXFP4: 58 GiB
    """
    vllm = entry.model.vllm
    if vllm is None or vllm.gpus is None or vllm.gpus.count == 0:  # CPU serving is IC209's
        return
    memory_gib = vllm.gpus.memory_gib
    if memory_gib is None:  # IC209 asks for it
        return
    facts = entry.facts
    # The catalog's total beats the id's number: "8x7B" is 46.7B, "30B-A3B" is 30.5B.
    params = vllm.params_billions or (facts.params_b if facts else None) or sizing.params_from_id(vllm.model)
    if not params:
        return
    stored = sizing.storage_format(
        vllm.model, vllm.dtype, vllm.quantization, facts.weights if facts else None
    )
    each = stored.bytes_each
    weights = sizing.weights_gib(params, each)
    total = vllm.gpus.count * memory_gib
    gpus = f"{vllm.gpus.count}× {memory_gib:g} GiB"
    if weights > total:
        yield Finding(
            f"{params:g}B parameters stored as {stored.name.upper()} ({stored.bits:g} bits each) need "
            f"{weights:.0f} GiB for the weights alone; "
            f"the deployment has {gpus}",
            ("vllm", "gpus"),
            hint=f"give it at least {math.ceil(weights / memory_gib)}× {memory_gib:g} GiB, "
            "or serve a quantized (FP8, AWQ) build",
        )
        return
    need = sizing.table_need(params, each, entry.model.context_window)
    if need is not None and total < need.total:
        yield Finding(
            f"the sizing table asks for {need} for a {params:g}B model at {entry.model.context_window} "
            f"tokens of context; the deployment has {gpus}",
            ("vllm", "gpus"),
            hint=f"give it {need}, or expect vLLM to report a smaller maximum context",
            severity=Severity.WARNING,
        )


@rule("IC209", "gpu-missing", Severity.ERROR, uses=("vllm", "contextWindow", "litellmModel"))
def gpu_missing(entry: Entry) -> Iterator[Finding]:
    """A `vllm:` entry asks for no GPU (error), or for none on purpose (warning).

    Render writes the entry's Helm values; without `gpus:` they request no `nvidia.com/gpu`
    and no tensor parallelism, the pod schedules on a CPU node and vLLM fails at start. The
    hint sizes the GPUs as IC205 does (weights in 90 % of each GPU, the seed's sizing table,
    a power of two). `gpus: {count: 0}` serves on CPUs on purpose: a warning. GPUs without
    `memoryGiB` (the memory of each) are an error: nobody can tell whether the weights fit.

    Fails:

        vllm: {model: openai/gpt-oss-120b}        # 116.8B as MXFP4: gpus: {count: 1, memoryGiB: 80}

        vllm: {model: openai/gpt-oss-120b, gpus: {count: 1}}             # memoryGiB: 80

        vllm: {model: Qwen/Qwen3-8B, gpus: {count: 0}}   # CPU serving: a warning

    Passes:

        vllm: {model: openai/gpt-oss-120b, gpus: {count: 1, memoryGiB: 80}}
    """
    vllm = entry.model.vllm
    if vllm is None:
        return
    if vllm.gpus is not None:
        if vllm.gpus.count == 0:
            yield Finding(
                "gpus.count is 0: the deployment requests no GPU and vLLM serves on CPUs",
                ("vllm", "gpus", "count"),
                hint="keep it only for CPU serving (a vLLM CPU image); else " + _gpu_hint(entry),
                severity=Severity.WARNING,
            )
        elif vllm.gpus.memory_gib is None:
            yield Finding(
                f"gpus: {{count: {vllm.gpus.count}}} does not say the memory of each GPU, so nobody can "
                "tell whether the weights fit",
                ("vllm", "gpus"),
                hint=f"write gpus: {{count: {vllm.gpus.count}, memoryGiB: {sizing.DEFAULT_GPU_MEMORY_GIB:g}}} "
                "(80 for an H100 80GB, 192 for a B200); only gpus: {count: 0} (CPU serving) leaves it out",
            )
        return
    yield Finding(
        f"{entry.model.litellm_model_name} has a vllm: block without gpus:, so its Helm values "
        "request no GPU and vLLM fails at start on the CPU node it lands on",
        ("vllm",),
        hint=_gpu_hint(entry),
        at_key=True,
    )


def _gpu_hint(entry: Entry) -> str:
    vllm = entry.model.vllm
    assert vllm is not None
    facts = entry.facts
    found = sizing.suggest(
        vllm.model,
        params_b=vllm.params_billions or (facts.params_b if facts else None),
        dtype=vllm.dtype,
        quantization=vllm.quantization,
        native=facts.weights if facts else None,
        context=entry.model.context_window,
        at_least=vllm.tensor_parallel_size or 1,
    )
    if found is None:
        return (
            f"write gpus: {{count: N, memoryGiB: {sizing.DEFAULT_GPU_MEMORY_GIB:g}}} for the GPUs the server "
            "gets (vllm.paramsBillions lets the tool size them), or gpus: {count: 0} to serve on CPUs"
        )
    return f"{entry.model.litellm_model_name}: {found}: {found.gpus}"
