"""`discover` driven as a library call, without click: request -> discover() -> outcome, against
the local Ollama and vLLM-style servers of tests/support/discover_servers.py."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract.outcome import Status
from contract.pipeline.validate import validate_file
from contract.workflows.discover import Candidate
from contract.workflows.discover.run import (
    AddPlanned,
    Discovered,
    DiscoverOutcome,
    DiscoverRequest,
    NotAdded,
    UnknownSelection,
    discover,
)
from tests.support.discover_servers import FakeOllama, FakeVllm


@pytest.fixture
def ollama_server() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_the_reports_come_before_any_question_and_only_confirmed_candidates_are_written(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    contract = tmp_path / "c.yaml"
    seen: list[Any] = []

    def confirm(candidate: Candidate) -> bool:
        seen.append(("asked", candidate.name))
        return candidate.name == "llama3.2"

    request = DiscoverRequest(ollama_urls=(ollama_server.url,), add_path=str(contract))
    outcome = discover(request, confirm=confirm, on_event=seen.append)

    assert isinstance(outcome, DiscoverOutcome) and outcome.status is Status.OK
    assert isinstance(seen[0], Discovered) and seen[0].reports == outcome.reports
    asked = [e[1] for e in seen if isinstance(e, tuple)]
    assert asked == [c.name for c in outcome.candidates] == ["qwen3-8b", "nomic-embed-text", "llama3.2"]
    assert isinstance(seen[-1], AddPlanned) and seen[-1].path == str(contract)
    assert outcome.add is not None and outcome.add.added == ("llama3.2",)
    assert outcome.written == str(contract)
    assert "litellmModelName: llama3.2" in contract.read_text() and "qwen3" not in contract.read_text()
    assert validate_file(str(contract)).errors == 0


def test_without_someone_to_ask_nothing_is_taken(ollama_server: FakeOllama, tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    outcome = discover(DiscoverRequest(ollama_urls=(ollama_server.url,), add_path=str(contract)))
    assert outcome.status is Status.OK and outcome.written is None and not contract.exists()


def test_yes_takes_every_valid_candidate_without_asking(ollama_server: FakeOllama, tmp_path: Path) -> None:
    def confirm(_candidate: Candidate) -> bool:
        raise AssertionError("--yes asks nothing")

    request = DiscoverRequest(ollama_urls=(ollama_server.url,), add_path=str(tmp_path / "c.yaml"), yes=True)
    outcome = discover(request, confirm=confirm)
    assert outcome.add is not None and outcome.add.added == ("qwen3-8b", "nomic-embed-text", "llama3.2")


def test_a_selected_invalid_candidate_and_an_unknown_name_are_said_and_refused(tmp_path: Path) -> None:
    models = [{"id": "gpt-4o", "root": "gpt-4o", "max_model_len": 1048576}]  # IC202: above the window
    events: list[Any] = []
    with FakeVllm(models) as server:
        request = DiscoverRequest(
            openai_urls=(server.url,), add_path=str(tmp_path / "c.yaml"), selected=("gpt-4o", "nope")
        )
        outcome = discover(request, on_event=events.append)
    assert outcome.status is Status.REFUSED and outcome.unknown == ("nope",)
    (not_added,) = [e for e in events if isinstance(e, NotAdded)]
    assert not_added.candidate.name == "gpt-4o" and not not_added.candidate.valid
    assert [e.name for e in events if isinstance(e, UnknownSelection)] == ["nope"]
    assert outcome.written is None and not (tmp_path / "c.yaml").exists()


def test_a_named_source_that_is_down_is_unreachable_and_a_default_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = closed_port_url()
    down = discover(DiscoverRequest(openai_urls=(url,)))
    assert down.status is Status.UNREACHABLE
    assert [(r.source, r.state) for r in down.down] == [("openai-compatible", "down")]

    from contract.workflows.discover import ollama, openai_compatible

    monkeypatch.setattr(ollama, "DEFAULT_URL", url)
    monkeypatch.setattr(openai_compatible, "RAMALAMA_URL", url)
    defaults = discover(DiscoverRequest())
    assert defaults.status is Status.OK and defaults.down == ()
    assert [r.source for r in defaults.reports] == ["ollama", "ramalama"]


def test_an_add_that_would_not_validate_is_invalid_and_writes_nothing(
    ollama_server: FakeOllama, tmp_path: Path
) -> None:
    contract = tmp_path / "c.yaml"
    broken = "models:\n  - litellmModelName: x\n"  # missing fields: the whole file has errors
    contract.write_text(broken)
    request = DiscoverRequest(ollama_urls=(ollama_server.url,), add_path=str(contract), yes=True)
    outcome = discover(request)
    assert outcome.status is Status.INVALID
    assert outcome.add is not None and outcome.add.error and outcome.diagnostics
    assert outcome.diagnostics == outcome.add.diagnostics
    assert contract.read_text() == broken
