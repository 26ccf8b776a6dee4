"""vLLM's extra arguments (contract/pipeline/rules/vllm_args.py, IC207, IC208, IC210).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

IC207 and IC208 branch by branch: how an extraArgs flag is read, and each generated field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.pipeline.rules import Options
from contract.pipeline.rules.vllm_args import _options
from contract.pipeline.validate import validate_text
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import family_codes, family_fixtures, fixture_codes

FAMILY = "vllm_args"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- IC207 and IC208 branch by branch --------------------------------------------------------------


HEAD = """\
models:
  - litellmModelName: deephat-v2
    litellmModel: openai/deephat-v2
    displayName: DeepHat V2
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 250000
    apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
    vllm:
      model: DeepHat/DeepHat-V2-ext
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
"""


def found(extra: str, code: str, vllm: str = "") -> list[tuple[str, str, str | None]]:
    text = HEAD + vllm + f"      extraArgs: {extra}\n"
    result = validate_text(text, file="c.yaml", options=Options())
    return [(d.path, d.message, d.hint) for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--max-model-len", "8"], [(0, "--max-model-len")]),
        (["--max_model_len=8"], [(0, "--max-model-len")]),
        (["--compilation-config.level", "3"], [(0, "--compilation-config")]),
        (["-O3"], [(0, "--optimization-level")]),
        (["-O", "3"], [(0, "--optimization-level")]),
        (["-Ox"], [(0, "-Ox")]),
        (["-1", "-2.5", "value"], []),
        (["--seed", "-1"], [(0, "--seed")]),
        (["-q"], [(0, "-q")]),
        (["value", "--port", "1"], [(1, "--port")]),
    ],
)
def test_options(args: list[str], expected: list[tuple[int, str]]) -> None:
    assert list(_options(args)) == expected


def test_ic207_unknown_flag_with_the_nearest() -> None:
    assert found("[--gpu-memory-utilisation, '0.9']", "IC207") == [
        (
            "/models/0/vllm/extraArgs/0",
            "vLLM 0.33.0 has no flag --gpu-memory-utilisation",
            "did you mean --gpu-memory-utilization?",
        )
    ]
    assert found("[--enforce-eager, --zzzzqqqq-xxxx]", "IC207") == [
        (
            "/models/0/vllm/extraArgs/1",
            "vLLM 0.33.0 has no flag --zzzzqqqq-xxxx",
            "see `vllm serve --help=all`",
        )
    ]
    assert found("[--enforce-eager, -O3, --seed, '-1']", "IC207") == []


@pytest.mark.parametrize(
    ("flag", "field", "vllm"),
    [
        ("--served-model-name", "litellmModelName", ""),
        ("--port", "vllm.port", ""),
        ("--max-model-len", "vllm.maxModelLen", ""),
        ("--model", "vllm.model", ""),
        ("--dtype", "vllm.dtype", "      dtype: bfloat16\n"),
        ("--quantization", "vllm.quantization", "      quantization: fp8\n"),
        ("--kv-cache-dtype", "vllm.kvCacheDtype", "      kvCacheDtype: fp8\n"),
        ("--tensor-parallel-size", "vllm.tensorParallelSize", "      tensorParallelSize: 2\n"),
        ("--tensor-parallel-size", "vllm.tensorParallelSize", "      gpus: {count: 2, memoryGiB: 80}\n"),
        ("--trust-remote-code", "vllm.trustRemoteCode", "      trustRemoteCode: true\n"),
        ("--tool-call-parser", "vllm.toolCallParser", ""),
        ("--enable-auto-tool-choice", "vllm.enableAutoToolChoice", ""),
        ("--reasoning-parser", "vllm.reasoningParser", "      reasoningParser: deepseek_r1\n"),
        ("--enable-prefix-caching", "vllm.enablePrefixCaching", "      enablePrefixCaching: true\n"),
        ("--no-enable-chunked-prefill", "vllm.enableChunkedPrefill", "      enableChunkedPrefill: true\n"),
    ],
)
def test_ic208_each_generated_flag(flag: str, field: str, vllm: str) -> None:
    assert found(f"[{flag}]", "IC208", vllm) == [
        (
            "/models/0/vllm/extraArgs/0",
            f"{flag} is generated from the contract; a second copy in extraArgs overrides it",
            f"remove it and set {field} instead",
        )
    ]


@pytest.mark.parametrize(
    "flag",
    [
        "--dtype",
        "--quantization",
        "--kv-cache-dtype",
        "--tensor-parallel-size",
        "--trust-remote-code",
        "--reasoning-parser",
        "--enable-prefix-caching",
        "--enable-chunked-prefill",
        "--enforce-eager",
    ],
)
def test_ic208_a_flag_whose_field_is_unset_is_the_users(flag: str) -> None:
    assert found(f"[{flag}]", "IC208") == []


def test_ic208_a_field_set_to_false_generates_nothing() -> None:
    assert found("[--trust-remote-code]", "IC208", "      trustRemoteCode: false\n") == []


@pytest.mark.parametrize(
    ("args", "field", "variable"),
    [("[--api-key, k]", "apiKey", "VLLM_API_KEY"), ("[--hf-token=t]", "vllm.hfToken", "HF_TOKEN")],
)
def test_ic208_secret_flags(args: str, field: str, variable: str) -> None:
    flag = args[1:].split(",")[0].split("=")[0]
    assert found(args, "IC208") == [
        (
            "/models/0/vllm/extraArgs/0",
            f"{flag} puts a secret on the command line (and in every rendered file)",
            f"remove it and set {field}: ${{{variable}}}; vLLM reads {variable}, which the deployment sets from a Secret",
        )
    ]


def test_no_vllm_block_no_findings() -> None:
    text = HEAD.split("    vllm:\n")[0]
    result = validate_text(text, file="c.yaml", options=Options())
    assert not [d for d in result.diagnostics if d.code in ("IC207", "IC208")]
