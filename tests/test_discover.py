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

from cli.main import main as cli
from contract.pipeline.validate import validate_file
from contract.workflows.discover import Candidate, check_candidates, model_name, ollama, openai_compatible
from tests.support.corpus import FIXTURES
from tests.support.discover_servers import OLLAMA_MODELS, FakeOllama, FakeVllm

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


# -- what the source says wins; --context-window fills the rest ------------------------------


def test_context_window_never_overrides_what_the_server_says(vllm_server: FakeVllm, tmp_path: Path) -> None:
    found = by_name(
        json.loads(
            run("--openai-compatible", vllm_server.url, "--context-window", "16384", "-f", "json").output
        )
    )
    assert found["qwen3-8b"]["entry"]["contextWindow"] == 32768
    assert found["qwen3-8b"]["facts"]["contextWindowFrom"] == "server"
    assert found["mystery"]["entry"]["contextWindow"] == 16384
    assert found["mystery"]["facts"]["contextWindowFrom"] == "--context-window"
    contract = tmp_path / "c.yaml"
    added = run(
        "--openai-compatible", vllm_server.url, "--context-window", "16384", "--add", str(contract), "--yes"
    )
    assert added.exit_code == 0, added.output
    text = contract.read_text()
    assert "contextWindow: 32768" in text and "contextWindow: 16384" in text


def test_context_window_never_overrides_what_ollama_says(ollama_server: FakeOllama, tmp_path: Path) -> None:
    found = by_name(
        json.loads(run("--ollama", ollama_server.url, "--context-window", "4096", "-f", "json").output)
    )
    assert {name: c["entry"]["contextWindow"] for name, c in found.items()} == {
        "qwen3-8b": 40960,
        "nomic-embed-text": 2048,
        "llama3.2": 131072,
    }
    silent = ollama.candidate("http://h:11434", "x:1b", {"model_info": {}}, context_window=4096)
    assert silent.fields is not None and silent.fields["contextWindow"] == 4096


# -- a window below the native one, LoRA adapters, one name on two servers --------------------

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def test_a_server_serving_less_than_the_native_window_is_recorded_as_served() -> None:
    with FakeVllm([{"id": "llama-8b", "root": LLAMA, "max_model_len": 4096}]) as server:
        result = run("--openai-compatible", server.url, "-f", "json")
    (llama,) = by_name(json.loads(result.output)).values()
    assert llama["entry"]["contextWindow"] == 4096
    assert llama["entry"]["baseModel"] == LLAMA
    (ic201,) = [d for d in llama["diagnostics"] if d["code"] == "IC201"]
    assert "131072" in ic201["message"]
    # Never "write contextWindow: 131072": LiteLLM would accept requests this server refuses.
    assert ic201["hint"] == (
        "contextWindow must not exceed what the server serves; to use more, restart it with "
        "--max-model-len up to 131072 first, then write that number here"
    )


def test_lora_adapters_take_their_parents_window_and_are_marked(tmp_path: Path) -> None:
    models = [
        {"id": "llama-8b", "root": LLAMA, "max_model_len": 32768, "parent": None},
        {"id": "sql-lora", "root": "/adapters/sql-lora", "parent": "llama-8b", "max_model_len": None},
    ]
    with FakeVllm(models) as server:
        result = run("--openai-compatible", server.url, "-f", "json")
        table = run("--openai-compatible", server.url)
        contract = tmp_path / "c.yaml"
        added = run("--openai-compatible", server.url, "--add", str(contract), "--select", "sql-lora")
    found = by_name(json.loads(result.output))
    adapter = found["sql-lora"]
    assert adapter["valid"], adapter
    assert adapter["facts"]["adapterOf"] == "llama-8b"
    assert adapter["entry"]["contextWindow"] == 32768
    assert adapter["entry"]["baseModel"] == LLAMA
    assert adapter["entry"]["description"] == "LoRA adapter sql-lora on llama-8b"
    assert "adapterOf" not in found["llama-8b"]["facts"]
    assert "ok (LoRA adapter of llama-8b)" in table.output
    assert added.exit_code == 0, added.output
    assert validate_file(str(contract)).errors == 0


def test_one_served_name_on_two_servers_is_a_conflict_naming_both(tmp_path: Path) -> None:
    qwen = [{"id": "qwen3-8b", "root": "Qwen/Qwen3-8B", "max_model_len": 32768}]
    with FakeVllm(qwen) as one, FakeVllm(qwen) as two:
        urls = ("--openai-compatible", one.url, "--openai-compatible", two.url)
        payload = json.loads(run(*urls, "-f", "json").output)
        contract = tmp_path / "new.yaml"
        added = run(*urls, "--add", str(contract), "--yes")
    conflicts = [c["conflict"] for s in payload["sources"] for c in s["candidates"]]
    assert conflicts == [
        f"qwen3-8b is served at {one.url} and at {two.url}: one litellmModelName routes to one server; "
        "add one of them with `install-contract add` under a name of its own",
        f"qwen3-8b is served at {two.url} and at {one.url}: one litellmModelName routes to one server; "
        "add one of them with `install-contract add` under a name of its own",
    ]
    assert not any(c["valid"] for s in payload["sources"] for c in s["candidates"])
    assert "already in" not in added.output
    assert f"not added: qwen3-8b is served at {one.url} and at {two.url}" in added.stderr
    assert not contract.exists()


# -- small things ----------------------------------------------------------------------------


def test_the_reason_a_source_is_down_is_printed_once(closed_port_url: str) -> None:
    result = run("--openai-compatible", closed_port_url)
    assert result.exit_code == 3
    assert result.output.count("connection refused") == 1
    assert "connection refused" in result.stdout
    assert result.stderr == f"install-contract: openai-compatible at {closed_port_url} is down\n"


def test_the_table_has_a_header_and_keeps_its_columns_for_long_tags() -> None:
    long_tag = "hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M-with-a-very-long-quantization-name"
    models = {**OLLAMA_MODELS, long_tag: OLLAMA_MODELS["llama3.2:latest"]}
    with FakeOllama(models) as server:
        result = run("--ollama", server.url)
    assert result.exit_code == 0, result.output
    lines = [
        line for line in result.stdout.splitlines() if line.startswith("  ") and not line.startswith("      ")
    ]
    header, *rows = lines
    assert header.split() == ["NAME", "DISCOVERED", "WINDOW", "STATUS"]
    assert len(rows) == 4
    status_at = header.index("STATUS")
    window_end = header.index("WINDOW") + len("WINDOW")
    for row in rows:
        assert row[status_at:].split()[0] in ("ok", "invalid", "refused"), row
        assert row[window_end - 1] != " " and row[window_end] == " ", row
    assert any(long_tag in row for row in rows)


def test_one_endpoint_named_twice_adds_each_model_once(vllm_server: FakeVllm, tmp_path: Path) -> None:
    contract = tmp_path / "new.yaml"
    urls = ("--openai-compatible", vllm_server.url, "--openai-compatible", vllm_server.url + "/v1")
    added = run(*urls, "--add", str(contract), "--yes")
    assert added.exit_code == 0, added.output
    assert "already in" not in added.output
    assert "skipped: qwen3-8b was discovered twice at one endpoint; added once" in added.output
    assert contract.read_text().count("litellmModelName: qwen3-8b") == 1
