"""render never drops an entry, never writes outside --out, deletes only its own output."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from ruamel.yaml import YAML

from cli.main import main
from contract.render import render
from contract.validate import validate_bytes

CLOUD = """\
models:
  - litellmModelName: claude-sonnet-4
    litellmModel: anthropic/claude-sonnet-4-20250514
    displayName: Claude Sonnet 4
    provider: Anthropic
    type: CHAT
    metadataType: Text Generation
    contextWindow: 200000
    maxTokens: 16384
    apiKey: ${ANTHROPIC_API_KEY}
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
"""


def _names(config: bytes) -> list[str]:
    data = YAML(typ="safe", pure=True).load(config.decode())
    return [m["model_name"] for m in data["model_list"]]


def test_an_entry_with_only_warnings_is_rendered(tmp_path: Path) -> None:
    text = CLOUD.replace(
        "    maxTokens: 16384\n    apiKey: ${OPENAI",
        "    maxTokens: 16384\n    colour: blue\n    apiKey: ${OPENAI",
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    assert [d.code for d in result.diagnostics] == ["IC005"]
    assert result.contract is not None
    files = render(result.contract, source_name="c.yaml", source_bytes=text.encode()).files
    assert _names(files["litellm/config.yaml"]) == ["claude-sonnet-4", "gpt-4o"]
    # through the CLI too: exit 0, both entries
    contract = tmp_path / "c.yaml"
    contract.write_text(text)
    run = CliRunner().invoke(main, ["render", str(contract), "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    assert _names((tmp_path / "out" / "litellm" / "config.yaml").read_bytes()) == [
        "claude-sonnet-4",
        "gpt-4o",
    ]


def test_unknown_field_in_a_vllm_block_keeps_the_entry_and_its_rules() -> None:
    text = """\
models:
  - litellmModelName: qwen3-coder-30b
    litellmModel: openai/qwen3-coder
    displayName: Qwen3 Coder
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 32768
    apiBase: http://qwen.inference.svc.cluster.local:8000/v1
    vllm: {model: Qwen/Qwen3-Coder-30B-A3B-Instruct, toolCallParser: qwen3_coder, enableAutoToolChoice: true, colour: blue}
"""
    result = validate_bytes(text.encode(), file="c.yaml")
    codes = sorted(d.code for d in result.diagnostics)
    # the rules still judge the entry (IC104 on the served name) beside the unknown field
    assert {"IC005", "IC104"} <= set(codes)


def test_a_contract_with_an_untyped_entry_is_refused_by_the_library() -> None:
    import pytest

    from contract.errors import UsageError

    text = CLOUD.replace("    contextWindow: 128000\n", "    contextWindow: many\n")
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.errors and result.contract is not None
    assert result.contract.left_out == (1,)
    with pytest.raises(UsageError, match=r"models\[1\]"):
        render(result.contract, source_name="c.yaml", source_bytes=text.encode())
