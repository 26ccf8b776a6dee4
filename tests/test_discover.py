"""`discover`: Ollama and vLLM-style servers on 127.0.0.1, candidates validated, --add round-trip."""

from __future__ import annotations

import difflib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discover_servers import FakeOllama, FakeVllm

from cli.main import main as cli
from contract.discover import Candidate, check_candidates, model_name, ollama, openai_compatible
from contract.validate import validate_file
from tests.conftest import FIXTURES

VLLM_MODELS = [
    {"id": "qwen3-8b", "root": "Qwen/Qwen3-8B", "max_model_len": 32768},
    {"id": "mystery", "root": "acme/mystery-model"},  # no max_model_len, unknown to the catalog
    {"id": "gpt-4o", "root": "gpt-4o", "max_model_len": 1048576},  # above the catalog's window: IC202
]


@pytest.fixture
def ollama_server() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server


@pytest.fixture
def vllm_server() -> Iterator[FakeVllm]:
    with FakeVllm(VLLM_MODELS) as server:
        yield server


@pytest.fixture
def closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["discover", *args], input=input)


def by_name(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for s in payload["sources"] for c in s["candidates"]}


# -- pure steps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discovered", "name"),
    [("qwen3:8b", "qwen3-8b"), ("llama3.2:latest", "llama3.2"), ("hf.co/org/m:Q4_K_M", "hf.co-org-m-Q4_K_M")],
)
def test_model_name(discovered: str, name: str) -> None:
    assert model_name(discovered) == name


def test_ollama_candidate_needs_a_context_length() -> None:
    found = ollama.candidate("http://h:11434", "x:1b", {"model_info": {"general.architecture": "x"}})
    assert found.fields is None and found.hint == "pass --context-window"
    other = ollama.candidate("http://h:11434", "x:1b", {"model_info": {"y.context_length": 4096}})
    assert other.fields is not None and other.fields["contextWindow"] == 4096


def test_ollama_embedding_model_is_internal_without_max_tokens() -> None:
    show = {
        "model_info": {"general.architecture": "bert", "bert.context_length": 512},
        "capabilities": ["embedding"],
    }
    found = ollama.candidate("http://h:11434", "all-minilm:latest", show)
    assert found.fields is not None
    assert found.fields["litellmModel"] == "ollama/all-minilm:latest"
    assert (found.fields["type"], found.fields["metadataType"]) == ("INTERNAL", "Embeddings")
    assert "maxTokens" not in found.fields


# -- Ollama ----------------------------------------------------------------------------------


def test_ollama_models_become_valid_entries(ollama_server: FakeOllama) -> None:
    result = run("--ollama", ollama_server.url, "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["sources"][0]["state"] == "running"
    found = by_name(payload)
    assert set(found) == {"qwen3-8b", "nomic-embed-text", "llama3.2"}
    qwen = found["qwen3-8b"]
    assert qwen["valid"]
    assert qwen["entry"] | {} == {
        "litellmModelName": "qwen3-8b",
        "litellmModel": "ollama_chat/qwen3:8b",
        "displayName": "Qwen3 8B",
        "provider": "Ollama",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "costTier": "LOW",
        "contextWindow": 40960,
        "maxTokens": 8192,
        "apiBase": ollama_server.url,
    }
    assert "tools" in qwen["facts"]["capabilities"]
    embed = found["nomic-embed-text"]
    assert embed["entry"]["litellmModel"] == "ollama/nomic-embed-text:latest"
    assert embed["entry"]["contextWindow"] == 2048
    assert all(c["valid"] for c in found.values())
    assert ("POST", "/api/show") in ollama_server.requests


def test_add_keeps_the_rest_of_the_file_byte_identical(ollama_server: FakeOllama, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    shutil.copy(FIXTURES / "install-contract.yaml", contract)
    before = contract.read_text(encoding="utf-8")
    result = run("--ollama", ollama_server.url, "--add", str(contract), "--yes")
    assert result.exit_code == 0, result.output
    assert "added qwen3-8b, nomic-embed-text, llama3.2" in result.output
    after = contract.read_text(encoding="utf-8")
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    assert {op for op, *_ in matcher.get_opcodes()} == {"equal", "insert"}
    assert validate_file(str(contract)).errors == 0

    again = run("--ollama", ollama_server.url, "--add", str(contract), "--yes")
    assert again.exit_code == 0, again.output
    assert f"skipped: qwen3-8b already in {contract}" in again.output
    assert contract.read_text(encoding="utf-8") == after


def test_add_select_takes_the_discovered_or_the_contract_name(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    contract = tmp_path / "new.yaml"
    result = run(
        "--ollama", ollama_server.url, "--add", str(contract), "--select", "qwen3:8b", "--select", "llama3.2"
    )
    assert result.exit_code == 0, result.output
    names = [line for line in contract.read_text().splitlines() if "litellmModelName" in line]
    assert len(names) == 2 and "qwen3-8b" in names[0] and "llama3.2" in names[1]
    assert validate_file(str(contract)).errors == 0


def test_add_without_a_terminal_needs_select_or_yes(ollama_server: FakeOllama, tmp_path: Path) -> None:
    result = run("--ollama", ollama_server.url, "--add", str(tmp_path / "c.yaml"))
    assert result.exit_code == 2
    assert "--select" in result.output and "--yes" in result.output
    assert not (tmp_path / "c.yaml").exists()


def test_add_asks_per_candidate_on_a_terminal(
    ollama_server: FakeOllama, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli.discover

    monkeypatch.setattr(cli.discover, "_interactive", lambda: True)
    contract = tmp_path / "c.yaml"
    result = run("--ollama", ollama_server.url, "--add", str(contract), input="y\nn\nn\n")
    assert result.exit_code == 0, result.output
    assert "add qwen3-8b (qwen3:8b)?" in result.output
    assert "added qwen3-8b to" in result.output


def test_select_of_an_unknown_name_is_a_usage_error(ollama_server: FakeOllama, tmp_path: Path) -> None:
    result = run("--ollama", ollama_server.url, "--add", str(tmp_path / "c.yaml"), "--select", "nope")
    assert result.exit_code == 2
    assert "--select nope: no such candidate" in result.output


# -- vLLM / OpenAI-compatible ----------------------------------------------------------------


def test_vllm_models_take_max_model_len_and_refuse_what_cannot_be_known(
    vllm_server: FakeVllm, tmp_path: Path
) -> None:
    result = run("--openai-compatible", vllm_server.url + "/v1", "-f", "json")
    assert result.exit_code == 0, result.output
    found = by_name(json.loads(result.output))
    qwen = found["qwen3-8b"]
    assert qwen["valid"] and qwen["entry"]["contextWindow"] == 32768
    assert qwen["entry"]["apiBase"] == vllm_server.url + "/v1"
    assert qwen["entry"]["litellmModel"] == "openai/qwen3-8b"
    assert qwen["facts"]["root"] == "Qwen/Qwen3-8B"
    assert found["mystery"]["entry"] is None and found["mystery"]["hint"] == "pass --context-window"
    too_big = found["gpt-4o"]
    assert not too_big["valid"]
    assert "IC202" in {d["code"] for d in too_big["diagnostics"]}

    contract = tmp_path / "c.yaml"
    added = run("--openai-compatible", vllm_server.url, "--add", str(contract), "--yes")
    assert added.exit_code == 0, added.output
    text = contract.read_text()
    assert "litellmModelName: qwen3-8b" in text
    assert "gpt-4o" not in text and "mystery" not in text


def test_context_window_option_fills_what_the_server_does_not_say(vllm_server: FakeVllm) -> None:
    result = run("--openai-compatible", vllm_server.url, "--context-window", "16384", "-f", "json")
    found = by_name(json.loads(result.output))
    assert found["mystery"]["entry"]["contextWindow"] == 16384


def test_a_named_source_that_is_down_exits_3(closed_port_url: str) -> None:
    result = run("--openai-compatible", closed_port_url)
    assert result.exit_code == 3
    assert "connection refused" in result.output
    result = run("--ollama", closed_port_url)
    assert result.exit_code == 3


def test_a_server_that_is_not_ollama_is_down(vllm_server: FakeVllm) -> None:
    report = ollama.probe(vllm_server.url)
    assert report.state == "down" and "not an Ollama server" in report.message


def test_the_default_probe_finding_nothing_is_an_answer(
    closed_port_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ollama, "DEFAULT_URL", closed_port_url)
    monkeypatch.setattr(openai_compatible, "RAMALAMA_URL", closed_port_url)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/ollama" if name == "ollama" else None)
    result = run()
    assert result.exit_code == 0, result.output
    assert "ollama at" in result.output and "stopped (installed but not running" in result.output
    assert "ramalama at" in result.output and ": absent (not running" in result.output


def test_the_default_probe_finds_ollama(
    ollama_server: FakeOllama, closed_port_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ollama, "DEFAULT_URL", ollama_server.url)
    monkeypatch.setattr(openai_compatible, "RAMALAMA_URL", closed_port_url)
    result = run()
    assert result.exit_code == 0, result.output
    assert "ollama at" in result.output and ": running" in result.output
    assert "qwen3-8b" in result.output


def test_options_that_go_together(tmp_path: Path) -> None:
    assert run("--namespace", "x").exit_code == 2
    assert run("--kserve", "--namespace", "a", "--all-namespaces").exit_code == 2
    assert run("--yes").exit_code == 2


def test_an_entry_the_editor_refuses_is_shown_not_raised() -> None:
    bad = Candidate("ollama", "http://h", "x", {"litellmModelName": "x"})
    (checked,) = check_candidates([bad])
    assert not checked.valid
    assert {d.code for d in checked.diagnostics} == {"IC003"}


def test_add_refuses_a_result_that_would_not_validate(ollama_server: FakeOllama, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    broken = (
        (FIXTURES / "install-contract.yaml")
        .read_text(encoding="utf-8")
        .replace("contextWindow: 200000", "contextWindow: -1", 1)
    )
    assert broken != (FIXTURES / "install-contract.yaml").read_text(encoding="utf-8")
    contract.write_text(broken, encoding="utf-8")
    result = run("--ollama", ollama_server.url, "--add", str(contract), "--yes")
    assert result.exit_code == 1
    assert "would not validate" in result.output and "nothing written" in result.output
    assert contract.read_text(encoding="utf-8") == broken
