"""`install-contract remove NAME`: the entry goes, every other byte stays, flags are kept honest.

The expected file is always the old text with exactly the entry's lines cut out (and, where
the removal would leave two blank lines in a row, one of them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from contract.pipeline.validate import validate_text
from contract.workflows.edit import plan_remove

HEAD = """\
# yaml-language-server: $schema=./schemas/install-contract.schema.json
global:   # the rest of the install contract
  domain: ai.example.internal

models:
  # --- cloud ---
  - litellmModelName: gpt-4o   # the default
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    apiKey: ${OPENAI_API_KEY}

"""
EMBED = """\
  - litellmModelName: embed-small
    litellmModel: openai/text-embedding-3-small
    displayName: Embeddings
    provider: OpenAI
    # no maxTokens: embeddings write none
    type: INTERNAL
    metadataType: Embeddings
    contextWindow: 8191
    apiKey: ${OPENAI_API_KEY}
"""
TAIL = """\

  # --- self-hosted ---
  - litellmModelName: qwen3-8b
    litellmModel: openai/qwen3-8b
    displayName: Qwen3 8B
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 131072
    apiBase: http://qwen.inference.svc.cluster.local:8000/v1
    apiKey: ${VLLM_API_KEY}
    vllm: {model: Qwen/Qwen3-8B, toolCallParser: hermes, enableAutoToolChoice: true, gpus: {count: 1, memoryGiB: 80}}
# models end here

featureFlags:
  DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o   # one CHAT model
  TOOL_CALLING_MODELS:
    - gpt-4o
    - qwen3-8b
"""
TEXT = HEAD + EMBED + TAIL


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "install-contract.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return path


def clean(text: str) -> None:
    assert [d.code for d in validate_text(text, file="c.yaml").diagnostics] == []


def test_the_contract_is_clean_to_begin_with() -> None:
    clean(TEXT)


def test_remove_keeps_every_other_byte_comments_included(contract: Path) -> None:
    result = run("remove", "embed-small")
    assert (result.exit_code, result.stdout) == (0, "removed embed-small from install-contract.yaml\n")
    # The entry's own lines go (the comment between its fields with them); the blank line
    # that separated it from the next entry goes too, so no two blank lines are left.
    assert contract.read_text(encoding="utf-8") == HEAD + TAIL[1:]
    clean(contract.read_text(encoding="utf-8"))


def test_remove_refuses_while_a_flag_names_the_entry(contract: Path) -> None:
    result = run("remove", "gpt-4o")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "install-contract: featureFlags DEFAULT_WORKFLOW_STEP_MODEL, TOOL_CALLING_MODELS name 'gpt-4o'; "
        "nothing written\n"
        "  hint: pass --from-flags to remove it there too, or point the flags at another model first\n"
    )
    assert contract.read_text(encoding="utf-8") == TEXT


def test_from_flags_takes_the_name_out_of_the_flags_too(contract: Path) -> None:
    result = run("remove", "gpt-4o", "--from-flags")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "removed gpt-4o from featureFlags.DEFAULT_WORKFLOW_STEP_MODEL\n"
        "removed gpt-4o from featureFlags.TOOL_CALLING_MODELS\n"
        "removed gpt-4o from install-contract.yaml\n"
    )
    # the entry's lines only: the comment above it and the blank line below it stay
    entry = HEAD.split("  # --- cloud ---\n", 1)[1].rstrip("\n") + "\n"
    expected = (
        TEXT.replace(entry, "")
        .replace("  DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o   # one CHAT model\n", "")
        .replace("    - gpt-4o\n", "")
    )
    assert contract.read_text(encoding="utf-8") == expected
    clean(expected)


def test_a_flow_list_flag_keeps_its_other_models(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    flow = TEXT.replace(
        "  TOOL_CALLING_MODELS:\n    - gpt-4o\n    - qwen3-8b\n",
        "  TOOL_CALLING_MODELS: [qwen3-8b, gpt-4o]  # agents\n",
    )
    path.write_text(flow, encoding="utf-8")
    outcome = plan_remove(str(path), "qwen3-8b", from_flags=True)
    assert outcome.data is not None, outcome.error
    text = outcome.data.decode()
    assert "  TOOL_CALLING_MODELS: [gpt-4o]  # agents\n" in text
    assert "qwen3-8b" not in text
    assert path.read_text(encoding="utf-8") == flow  # plan_remove writes nothing


@pytest.mark.parametrize(
    ("name", "error", "diagnostic"),
    [
        pytest.param(
            "qwen3-8b",
            "would not validate without 'qwen3-8b'",
            "  error IC601 routers.coding.default: ",
            id="a-router-still-routes-to-it",
        ),
    ],
)
def test_remove_validates_the_result_before_writing(
    contract: Path, name: str, error: str, diagnostic: str
) -> None:
    text = TEXT.replace("    - qwen3-8b\n", "") + (
        "routers:\n  coding:\n    default: qwen3-8b\n    decisions:\n"
        "      - {name: code, priority: 100, rules: {operator: OR, conditions: [{type: keyword, name: code}]},\n"
        "         modelRefs: [{model: qwen3-8b}]}\n"
        "    signals:\n      keywords: [{name: code, operator: OR, keywords: [python]}]\n"
    )
    contract.write_text(text, encoding="utf-8")
    clean(text)
    result = run("remove", name)
    assert result.exit_code == 1
    assert error in result.stderr and diagnostic in result.stderr, result.stderr
    assert contract.read_text(encoding="utf-8") == text


def test_removing_the_last_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    only = HEAD.rstrip("\n") + "\n"
    Path("install-contract.yaml").write_text(only, encoding="utf-8")
    result = run("remove", "gpt-4o")
    assert result.exit_code == 1
    assert result.stderr == (
        "install-contract: 'gpt-4o' is the only entry in models:, and a contract needs at least one\n"
        "  hint: add the model that replaces it first (`install-contract add`)\n"
    )
    assert Path("install-contract.yaml").read_text(encoding="utf-8") == only


def test_an_unknown_name_is_refused_with_the_nearest(contract: Path) -> None:
    result = run("remove", "gpt4o")
    assert result.exit_code == 1
    assert (
        result.stderr == "install-contract: no entry named 'gpt4o' in models:\n  hint: did you mean gpt-4o?\n"
    )


def test_the_last_entry_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    crlf = (HEAD + EMBED).replace("\n", "\r\n")
    path.write_bytes(crlf.encode())
    outcome = plan_remove(str(path), "embed-small")
    assert outcome.data is not None, outcome.error
    # the blank line above the last entry goes with it: the file ends as the entry before did
    assert outcome.data.decode() == HEAD.rstrip("\n").replace("\n", "\r\n") + "\r\n"


def test_remove_writes_through_a_symlink_atomically(contract: Path) -> None:
    link = contract.with_name("link.yaml")
    link.symlink_to(contract.name)
    result = run("remove", "embed-small", "--file", str(link))
    assert result.exit_code == 0, result.stderr
    assert os.path.islink(link)
    assert contract.read_text(encoding="utf-8") == HEAD + TAIL[1:]
    assert [p.name for p in contract.parent.iterdir() if p.name.startswith(".tmp-")] == []


REAL = sorted(Path(__file__).parent.joinpath("contracts", "real").glob("*.yaml"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_every_entry_of_the_real_contracts_can_be_removed_alone(path: Path) -> None:
    from ruamel.yaml import YAML

    from contract.workflows.yaml_edit import remove_entry

    text = path.read_text(encoding="utf-8")
    names = [m["litellmModelName"] for m in YAML(typ="safe", pure=True).load(text)["models"]]
    for name in names:
        edited, index = remove_entry(text, name)  # reads back as the document without it
        assert names[index] == name
        kept = text.splitlines(keepends=True)
        # only whole lines go, and the rest keep their order
        it = iter(kept)
        assert all(line in it for line in edited.splitlines(keepends=True))
        assert "\n\n\n" not in edited or "\n\n\n" in text
