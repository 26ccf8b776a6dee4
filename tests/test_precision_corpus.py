"""Precision: contracts written from real model cards and provider docs raise nothing.

tests/contracts/real/ holds entries as an engineer would write them: every seed 002 example,
cloud APIs of every provider in the prefix table (Azure and Bedrock included), embeddings and
transcription models, and self-hosted vLLM deployments (gpt-oss, Qwen3 and Qwen3-Coder dense,
MoE and FP8, Llama 3.1/3.3 in BF16, FP8 and AWQ, DeepSeek-V3/R1 and distills, Mistral and
Mixtral, Nemotron, Gemma 3), each with a GPU count that really serves it. A wrong error
teaches people to ignore the tool, so any diagnostic here is a bug in a rule or a fact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.pipeline.load import load
from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_file
from tests.support.corpus import CONTRACTS

REAL = sorted((CONTRACTS / "real").glob("*.yaml"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_contract_validates_without_errors_or_warnings(path: Path) -> None:
    result = validate_file(str(path), Options())
    found = [
        f"{path.name}:{d.line}:{d.column}: {d.severity.value} {d.code} {d.message}"
        for d in result.diagnostics
    ]
    assert not found, "false alarms on a real contract:\n" + "\n".join(found)


def _entries() -> list[dict[str, object]]:
    return [entry for path in REAL for entry in load(path.read_text(encoding="utf-8")).data["models"]]


def test_corpus_covers_what_the_issue_lists() -> None:
    entries = _entries()
    assert len(entries) >= 40
    served = " ".join(
        str((e.get("vllm") or {}).get("model", "")) for e in entries if isinstance(e.get("vllm"), dict)
    )
    for model in (
        "gpt-oss-20b",
        "gpt-oss-120b",
        "Qwen3-8B",
        "Qwen3-30B-A3B",
        "Qwen3-Coder-30B-A3B-Instruct-FP8",
        "Llama-3.1-8B",
        "Llama-3.3-70B",
        "-FP8",
        "AWQ",
        "DeepSeek-V3",
        "DeepSeek-R1",
        "Distill",
        "Mistral-Small",
        "Mistral-Large",
        "Mixtral",
        "Nemotron",
        "gemma-3",
    ):
        assert model in served, model
    prefixes = {str(e["litellmModel"]).split("/", 1)[0] for e in entries}
    assert {"openai", "anthropic", "gemini", "azure", "bedrock"} <= prefixes
    kinds = {e["metadataType"] for e in entries}
    assert kinds == {"Text Generation", "Embeddings", "Transcription"}
    for entry in entries:
        vllm = entry.get("vllm")
        if isinstance(vllm, dict):
            assert "gpus" in vllm, entry["litellmModelName"]  # every deployment says what serves it
