"""Windows, limits and GPUs (contract/pipeline/rules/limits.py, IC201-IC206, IC209).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

The figures are the model cards' (through the catalog): gpt-4o 128,000 tokens in and 16,384
out; Qwen3-8B 32,768 native and 131,072 with YaRN; Llama 3.3 70B 70.6B parameters in BF16.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.pipeline.rules import Options
from tests.support.entries import Found, cloud, findings, served
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import diagnostics, family_codes, family_fixtures, fixture_codes

FAMILY = "limits"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- windows and sizing; facts only from what a self-hosted entry serves ---------------------------


SELF_HOSTED = """\
models:
  - litellmModelName: {name}
    litellmModel: openai/{name}
    displayName: Served
    provider: {provider}
    type: CHAT
    metadataType: Text Generation
    contextWindow: {window}
    maxTokens: {max_tokens}
    apiBase: http://served.inference.svc.cluster.local:8000/v1
    apiKey: ${{VLLM_API_KEY}}
"""


def test_seed_rounding_of_gemini_window_is_not_low(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: gemini-2.5-pro\n    litellmModel: gemini/gemini-2.5-pro\n"
        "    displayName: Gemini 2.5 Pro\n    provider: Google\n    type: CHAT\n    metadataType: Text Generation\n"
        "    contextWindow: 1000000\n    maxTokens: 65536\n    apiKey: ${GEMINI_API_KEY}\n"
    )
    assert diagnostics(write, text) == ()
    low = diagnostics(write, text.replace("1000000", "128000"))
    assert [(d.code, d.hint) for d in low] == [("IC201", "write contextWindow: 1048576")]


@pytest.mark.parametrize(
    ("model", "count", "memory", "code"),
    [
        ("meta-llama/Llama-3.3-70B-Instruct", 1, 80, "error"),
        ("meta-llama/Llama-3.3-70B-Instruct", 2, 80, "warning"),
        ("meta-llama/Llama-3.3-70B-Instruct-FP8", 2, 80, None),
        ("Qwen/Qwen2.5-72B-Instruct-AWQ", 1, 80, "warning"),
        ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16", 2, 80, "error"),
        ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16", 4, 80, None),
        # native formats from the catalog: gpt-oss ships MXFP4, DeepSeek-V3 FP8
        ("openai/gpt-oss-120b", 1, 80, None),
        ("openai/gpt-oss-20b", 1, 16, None),
        ("openai/gpt-oss-120b", 1, 48, "error"),
        ("deepseek-ai/DeepSeek-V3", 8, 80, None),
        ("deepseek-ai/DeepSeek-V3", 4, 80, "error"),
        # mixture of experts: the total parameters, from the catalog (8x7B is 46.7B, not 56B)
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 1, 80, "error"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 2, 48, None),
        # id markers
        ("Qwen/Qwen3-30B-A3B-FP8", 1, 80, None),
        ("Qwen/Qwen3-30B-A3B", 1, 48, "error"),
        ("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", 1, 48, "warning"),
        ("unsloth/Llama-3.3-70B-Instruct-bnb-4bit", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-W4A16", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-MXFP4", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-Int4", 1, 48, "warning"),
        ("someone/Llama-3.3-70B-Instruct-GPTQ", 1, 32, "error"),
    ],
)
def test_gpu_sizing(write, model: str, count: int, memory: int, code: str | None) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 131072\n"
        f"    apiBase: http://m:8000/v1\n    vllm:\n      model: {model}\n      tensorParallelSize: {count}\n"
        f"      gpus: {{count: {count}, memoryGiB: {memory}}}\n"
    )
    found = [d for d in diagnostics(write, text) if d.code == "IC205"]
    assert [d.severity.value for d in found] == ([code] if code else [])


@pytest.mark.parametrize("provider", ["Self-Hosted", "Mistral"])
@pytest.mark.parametrize(
    ("name", "window", "max_tokens"),
    [
        ("mistral-large-2411", 131072, 100000),  # Mistral's API: 128000 / 4096 under this id
        ("gpt-4o", 131072, 32768),  # OpenAI's: 128000 / 16384
        ("text-embedding-3-small", 8192, 4096),  # OpenAI's embeddings model (mode mismatch)
    ],
)
def test_a_served_name_equal_to_a_cloud_id_is_not_judged_by_that_api(  # type: ignore[no-untyped-def]
    write, provider: str, name: str, window: int, max_tokens: int
) -> None:
    text = SELF_HOSTED.format(name=name, provider=provider, window=window, max_tokens=max_tokens)
    assert diagnostics(write, text) == ()


def test_self_hosted_facts_come_from_the_served_weights(write) -> None:  # type: ignore[no-untyped-def]
    text = SELF_HOSTED.format(name="gpt-4o", provider="Self-Hosted", window=500000, max_tokens=16384)
    text += "    vllm:\n      model: openai/gpt-oss-20b\n      gpus: {count: 1, memoryGiB: 80}\n      toolCallParser: openai\n"
    text += "      enableAutoToolChoice: true\n      reasoningParser: openai_gptoss\n"
    found = [(d.code, d.hint) for d in diagnostics(write, text)]
    assert found == [("IC202", "write contextWindow: 131072")]
    based = SELF_HOSTED.format(name="gpt-4o", provider="Self-Hosted", window=500000, max_tokens=16384)
    based += "    baseModel: openai/gpt-oss-20b\n"
    assert [d.code for d in diagnostics(write, based)] == ["IC202"]


def test_quantization_field_says_how_weights_are_stored(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 4096\n"
        "    apiBase: http://m:8000/v1\n    vllm:\n      model: meta-llama/Llama-3.3-70B-Instruct\n"
        "      gpus: {count: 1, memoryGiB: 80}\n"
    )
    assert [d.severity.value for d in diagnostics(write, text) if d.code == "IC205"] == ["error"]
    fp8 = text.replace("      gpus:", "      quantization: fp8\n      gpus:")
    assert [d.code for d in diagnostics(write, fp8) if d.code == "IC205"] == []
    # dtype is the activation type: it does not make a BF16 checkpoint smaller
    fp16 = text.replace("      gpus:", "      dtype: float16\n      gpus:")
    assert [d.severity.value for d in diagnostics(write, fp16) if d.code == "IC205"] == ["error"]


def test_sizing_message_names_the_storage_format(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: m\n    litellmModel: openai/m\n    displayName: M\n"
        "    provider: Self-Hosted\n    type: INTERNAL\n    metadataType: Embeddings\n    contextWindow: 131072\n"
        "    apiBase: http://m:8000/v1\n    vllm:\n      model: openai/gpt-oss-120b\n"
        "      gpus: {count: 1, memoryGiB: 40}\n"
    )
    (found,) = [d for d in diagnostics(write, text) if d.code == "IC205"]
    assert "MXFP4 (4.25 bits each)" in found.message and "116.8B" in found.message


@pytest.mark.parametrize(("window", "fires"), [(32768, False), (131072, False), (16384, True)])
def test_a_yarn_model_at_its_native_window_is_not_low(write, window: int, fires: bool) -> None:  # type: ignore[no-untyped-def]
    text = (
        "models:\n  - litellmModelName: qwen3-8b\n    litellmModel: hosted_vllm/qwen3-8b\n    displayName: Q\n"
        "    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n"
        f"    contextWindow: {window}\n    apiBase: http://vllm-qwen3-8b.ai.svc:8000/v1\n"
        "    vllm:\n      model: Qwen/Qwen3-8B\n      toolCallParser: hermes\n      enableAutoToolChoice: true\n"
    )
    found = [d.code for d in diagnostics(write, text, Options()) if d.code == "IC201"]
    assert found == (["IC201"] if fires else [])


# -- IC201-IC206 and IC209 branch by branch: each boundary, and the exact place, message and hint ---


def sizing_findings(entry: dict[str, Any]) -> list[Found]:
    return findings(entry, ("IC201", "IC202", "IC203", "IC204", "IC205", "IC206"))


def gpus(count: int, gib: int, **vllm: Any) -> dict[str, Any]:
    return {"gpus": {"count": count, "memoryGiB": gib}, **vllm}


LLAMA = "meta-llama/Llama-3.3-70B-Instruct"


def ollama(tag: str, **fields: Any) -> dict[str, Any]:
    entry = cloud(litellmModelName="local", litellmModel=f"ollama_chat/{tag}", provider="Ollama", **fields)
    entry.pop("apiKey")
    return {**entry, "apiBase": "http://gpu-box:11434"}


NUM_CTX = "OLLAMA_CONTEXT_LENGTH, or PARAMETER num_ctx in the model's Modelfile"


QUIET = [
    # LiteLLM's map says 8192 for ollama/llama3.1; the model's window is 131072.
    pytest.param(ollama("llama3.1", contextWindow=131072), id="IC202-ollama-the-familys-window"),
    pytest.param(ollama("llama3.1:latest", contextWindow=131072), id="IC202-ollama-latest"),
    pytest.param(
        ollama("llama3.1:8b-instruct-q4_K_M", contextWindow=131072), id="IC202-ollama-a-quantized-tag"
    ),
    # No family facts for Mistral 7B: LiteLLM's 8192 is a server default, not its 32768.
    pytest.param(ollama("mistral", contextWindow=32768, maxTokens=16384), id="IC202-IC203-ollama-no-family"),
    pytest.param(served("acme/x-8b", contextWindow=8192, maxTokens=8192), id="IC203-max-equals-window"),
    pytest.param(cloud(maxTokens=16384), id="IC203-at-the-output-limit"),
    pytest.param(cloud(), id="IC203-no-maxTokens"),
    pytest.param(served("acme/x-8b", {"maxModelLen": 32768}), id="IC204-equal"),
    pytest.param(served("acme/x-8b", gpus(4, 80, tensorParallelSize=2)), id="IC206-a-multiple"),
    pytest.param(served("acme/x-8b", gpus(2, 80, tensorParallelSize=2)), id="IC206-equal"),
    pytest.param(cloud(contextWindow=115200), id="IC201-at-90-percent"),
    pytest.param(served("Qwen/Qwen3-8B", contextWindow=32768), id="IC201-native-window-of-a-yarn-model"),
    pytest.param(cloud(contextWindow=128000), id="IC202-at-the-maximum"),
    pytest.param(served(LLAMA, gpus(4, 80, tensorParallelSize=4), contextWindow=131072), id="IC205-enough"),
    pytest.param(served("acme/mystery", gpus(1, 80)), id="IC205-no-size-known"),
]


OUTPUT_ONLY = "maxTokens is the output limit only; check both numbers against the model card"


MAX_MODEL_LEN = (
    "leave maxModelLen out (it defaults to contextWindow); if vLLM reports less fits, "
    "lower contextWindow to that number"
)


QUANTIZE = "or serve a quantized (FP8, AWQ) build"


FOUND = [
    pytest.param(
        served("acme/x-8b", contextWindow=8192, maxTokens=8193),
        (
            "IC203",
            "error",
            "/models/0/maxTokens",
            "maxTokens 8193 is larger than contextWindow 8192",
            OUTPUT_ONLY,
        ),
        id="IC203-above-the-window",
    ),
    pytest.param(
        cloud(maxTokens=16385),
        (
            "IC203",
            "error",
            "/models/0/maxTokens",
            "maxTokens 16385 is above gpt-4o's output limit of 16384",
            "write maxTokens: 16384 or less",
        ),
        id="IC203-above-the-output-limit",
    ),
    pytest.param(
        served("acme/x-8b", {"maxModelLen": 16384}),
        (
            "IC204",
            "error",
            "/models/0/vllm/maxModelLen",
            "vllm.maxModelLen 16384 differs from contextWindow 32768",
            MAX_MODEL_LEN,
        ),
        id="IC204",
    ),
    pytest.param(
        served("acme/x-8b", gpus(2, 80, tensorParallelSize=4)),
        (
            "IC206",
            "error",
            "/models/0/vllm/tensorParallelSize",
            "tensorParallelSize 4 needs 4 GPUs but gpus.count is 2",
            "set tensorParallelSize: 2, or give the deployment 4 GPUs",
        ),
        id="IC206-more-shards-than-gpus",
    ),
    pytest.param(
        served("acme/x-8b", gpus(6, 80, tensorParallelSize=4)),
        (
            "IC206",
            "error",
            "/models/0/vllm/tensorParallelSize",
            "gpus.count 6 is not a multiple of tensorParallelSize 4",
            "set tensorParallelSize: 6",
        ),
        id="IC206-not-a-multiple",
    ),
    pytest.param(
        cloud(contextWindow=115199),
        (
            "IC201",
            "warning",
            "/models/0/contextWindow",
            "contextWindow 115199 is well below gpt-4o's advertised 128000",
            "write contextWindow: 128000",
        ),
        id="IC201-under-90-percent",
    ),
    pytest.param(
        served("Qwen/Qwen3-8B", contextWindow=29000),
        (
            "IC201",
            "warning",
            "/models/0/contextWindow",
            "contextWindow 29000 is well below Qwen/Qwen3-8B's advertised 131072",
            "write contextWindow: 131072",
        ),
        id="IC201-under-the-native-window",
    ),
    pytest.param(
        ollama("llama3.3:70b", contextWindow=200000),
        (
            "IC202",
            "error",
            "/models/0/contextWindow",
            "contextWindow 200000 is above meta-llama/Llama-3.3-70B-Instruct's maximum of 131072",
            f"write contextWindow: 131072, and raise the Ollama server's num_ctx to match it ({NUM_CTX})",
        ),
        id="IC202-ollama",
    ),
    pytest.param(
        ollama("qwen3", contextWindow=8192),
        (
            "IC201",
            "warning",
            "/models/0/contextWindow",
            "contextWindow 8192 is well below Qwen/Qwen3-8B's advertised 131072",
            f"write contextWindow: 131072 and raise the Ollama server's num_ctx to match it ({NUM_CTX}); "
            "if that does not fit its memory, keep contextWindow equal to num_ctx",
        ),
        id="IC201-ollama",
    ),
    pytest.param(
        {
            **{k: v for k, v in served("x").items() if k != "vllm"},
            "baseModel": "Qwen/Qwen3-8B",
            "contextWindow": 4096,
        },
        (
            "IC201",
            "warning",
            "/models/0/contextWindow",
            "contextWindow 4096 is well below Qwen/Qwen3-8B's advertised 131072",
            "contextWindow must not exceed what the server serves; to use more, restart it with "
            "--max-model-len up to 131072 first, then write that number here",
        ),
        id="IC201-a-server-the-contract-does-not-deploy",
    ),
    pytest.param(
        cloud(contextWindow=128001),
        (
            "IC202",
            "error",
            "/models/0/contextWindow",
            "contextWindow 128001 is above gpt-4o's maximum of 128000",
            "write contextWindow: 128000",
        ),
        id="IC202",
    ),
    pytest.param(
        served(LLAMA, gpus(1, 80, dtype="bfloat16"), contextWindow=131072),
        (
            "IC205",
            "error",
            "/models/0/vllm/gpus",
            "70.6B parameters stored as BF16 (16 bits each) need 132 GiB for the weights alone; "
            "the deployment has 1× 80 GiB",
            f"give it at least 2× 80 GiB, {QUANTIZE}",
        ),
        id="IC205-weights-from-the-catalogs-count",
    ),
    pytest.param(
        served("acme/mystery", gpus(1, 80, paramsBillions=100)),
        (
            "IC205",
            "error",
            "/models/0/vllm/gpus",
            "100B parameters stored as BF16 (16 bits each) need 186 GiB for the weights alone; "
            "the deployment has 1× 80 GiB",
            f"give it at least 3× 80 GiB, {QUANTIZE}",  # 186 / 80 = 2.3: two are not enough
        ),
        id="IC205-paramsBillions-and-rounding-up",
    ),
    pytest.param(
        served("acme/mystery-8b", gpus(1, 24, dtype="float32")),
        (
            "IC205",
            "error",
            "/models/0/vllm/gpus",
            "8B parameters stored as FP32 (32 bits each) need 30 GiB for the weights alone; "
            "the deployment has 1× 24 GiB",
            f"give it at least 2× 24 GiB, {QUANTIZE}",
        ),
        id="IC205-dtype-when-nothing-else-says",
    ),
    pytest.param(
        served(LLAMA, gpus(2, 80, tensorParallelSize=2), contextWindow=131072),
        (
            "IC205",
            "warning",
            "/models/0/vllm/gpus",
            "the sizing table asks for 4× 80GB for a 70.6B model at 131072 tokens of context; "
            "the deployment has 2× 80 GiB",
            "give it 4× 80GB, or expect vLLM to report a smaller maximum context",
        ),
        id="IC205-the-sizing-table",
    ),
]


def gpu_findings(entry: dict[str, Any]) -> list[Found]:
    return findings(entry, ("IC205", "IC206", "IC209"))


GPT_OSS = "openai/gpt-oss-120b"


@pytest.mark.parametrize("entry", QUIET)
def test_quiet_at_the_boundary(entry: dict[str, Any]) -> None:
    assert sizing_findings(entry) == []


@pytest.mark.parametrize(("entry", "finding"), FOUND)
def test_each_branch_says_where_what_and_how_to_fix(
    entry: dict[str, Any], finding: tuple[str, str, str, str, str]
) -> None:
    assert finding in sizing_findings(entry)
    assert [f[0] for f in sizing_findings(entry)].count(finding[0]) == 1


@pytest.mark.parametrize(
    ("entry", "finding"),
    [
        pytest.param(
            served(GPT_OSS, contextWindow=131072),
            (
                "IC209",
                "error",
                "/models/0/vllm",
                "m has a vllm: block without gpus:, so its Helm values request no GPU and vLLM fails at "
                "start on the CPU node it lands on",
                "m: 116.8B parameters as MXFP4 need about 58 GiB of weights: gpus: {count: 1, memoryGiB: 80}",
            ),
            id="IC209-sized-from-the-catalog",
        ),
        pytest.param(
            served(LLAMA, {"dtype": "bfloat16"}, contextWindow=131072),
            (
                "IC209",
                "error",
                "/models/0/vllm",
                "m has a vllm: block without gpus:, so its Helm values request no GPU and vLLM fails at "
                "start on the CPU node it lands on",
                # 132 GiB of weights fit in two GPUs' 90 %; the seed's table asks 4× 80GB at 128k
                "m: 70.6B parameters as BF16 need about 132 GiB of weights: gpus: {count: 4, memoryGiB: 80}",
            ),
            id="IC209-the-sizing-table-and-a-power-of-two",
        ),
        pytest.param(
            served("acme/mystery", {"paramsBillions": 100}, contextWindow=8192),
            (
                "IC209",
                "error",
                "/models/0/vllm",
                "m has a vllm: block without gpus:, so its Helm values request no GPU and vLLM fails at "
                "start on the CPU node it lands on",
                # 186 GiB over 72 GiB usable per GPU = 2.6 -> 3 -> a power of two: 4
                "m: 100B parameters as BF16 need about 186 GiB of weights: gpus: {count: 4, memoryGiB: 80}",
            ),
            id="IC209-paramsBillions-rounded-to-a-tensor-parallel-size",
        ),
        pytest.param(
            served("acme/mystery"),
            (
                "IC209",
                "error",
                "/models/0/vllm",
                "m has a vllm: block without gpus:, so its Helm values request no GPU and vLLM fails at "
                "start on the CPU node it lands on",
                "write gpus: {count: N, memoryGiB: 80} for the GPUs the server gets (vllm.paramsBillions "
                "lets the tool size them), or gpus: {count: 0} to serve on CPUs",
            ),
            id="IC209-size-unknown",
        ),
        pytest.param(
            served(GPT_OSS, gpus(0, 80), contextWindow=131072),
            (
                "IC209",
                "warning",
                "/models/0/vllm/gpus/count",
                "gpus.count is 0: the deployment requests no GPU and vLLM serves on CPUs",
                "keep it only for CPU serving (a vLLM CPU image); else m: 116.8B parameters as MXFP4 need "
                "about 58 GiB of weights: gpus: {count: 1, memoryGiB: 80}",
            ),
            id="IC209-cpu-serving-on-purpose",
        ),
    ],
)
def test_gpu_missing_says_where_what_and_how_many(entry: dict[str, Any], finding: Found) -> None:
    assert gpu_findings(entry) == [finding]


def test_zero_gpus_is_only_ic209() -> None:
    """CPU serving on purpose is not also undersized (IC205) nor a tensor-parallel mismatch (IC206)."""
    entry = served(GPT_OSS, gpus(0, 80, tensorParallelSize=2), contextWindow=131072)
    assert [f[0] for f in gpu_findings(entry)] == ["IC209"]


def test_cpu_serving_needs_no_gpu_memory() -> None:
    """`gpus: {count: 0}`, as the README and IC209's hint write it, is the warning alone."""
    entry = served(GPT_OSS, {"gpus": {"count": 0}}, contextWindow=131072)
    assert [f[:3] for f in findings(entry, ("IC003", "IC205", "IC206", "IC209"))] == [
        ("IC209", "warning", "/models/0/vllm/gpus/count")
    ]


def test_gpus_without_their_memory_is_an_error_that_says_what_to_write() -> None:
    entry = served(GPT_OSS, {"gpus": {"count": 2}}, contextWindow=131072)
    assert findings(entry, ("IC003", "IC205", "IC206", "IC209")) == [
        (
            "IC209",
            "error",
            "/models/0/vllm/gpus",
            "gpus: {count: 2} does not say the memory of each GPU, so nobody can tell whether the weights fit",
            "write gpus: {count: 2, memoryGiB: 80} (80 for an H100 80GB, 192 for a B200); only "
            "gpus: {count: 0} (CPU serving) leaves it out",
        )
    ]


def test_gpus_given_is_quiet() -> None:
    assert gpu_findings(served(GPT_OSS, gpus(1, 80), contextWindow=131072)) == []
