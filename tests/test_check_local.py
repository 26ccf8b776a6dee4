"""`check --where local` against real HTTP servers on 127.0.0.1 that reproduce each failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from contract.pipeline._pydantic import parse
from contract.pipeline.model import ModelEntry
from contract.workflows.checks.steps import plan
from tests.support.check_entries import ENV, KEY, embedding_entry, entry
from tests.support.check_servers import (
    Behaviour,
    closed_port,
    interruptible,
    model_server,
    silent_port,
    tls_context,
)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # No kube context anywhere: the default is local.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)

    def _run(models: list[dict[str, Any]], *args: str, env: dict[str, str] | None = None) -> Result:
        path = tmp_path / "install-contract.yaml"
        path.write_text(json.dumps({"models": models}), encoding="utf-8")
        runner = CliRunner()
        result = runner.invoke(
            main,
            ["check", str(path), "--where", "local", "--timeout", "2", *args],
            env={**ENV, **(env or {})},
            catch_exceptions=False,
        )
        assert KEY not in result.stdout and KEY not in result.stderr
        return result

    yield _run


def report(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def steps(result: Result, model: int = 0) -> list[tuple[str, str, str]]:
    return [(s["name"], s["status"], s["detail"]) for s in report(result)["results"][model]["steps"]]


def test_from_here_64_entries_run_at_once_by_default_and_concurrency_bounds_them(run: Any) -> None:
    for count, args, low, high in ((80, (), 17, 64), (12, ("--concurrency", "4"), 1, 4)):
        names = tuple(f"m{i}" for i in range(count))
        with model_server(Behaviour(served=names, max_model_len=32768, key=KEY, delay=0.2)) as (origin, seen):
            result = run([entry(n, origin + "/v1") for n in names], "-f", "json", *args)
        assert result.exit_code == 0, result.output
        assert low <= seen.peak <= high, (args, seen.peak)


def test_every_step_passes(run: Any) -> None:
    with model_server(Behaviour(served=("qwen3", "nomic-embed"), max_model_len=32768, key=KEY)) as (
        origin,
        seen,
    ):
        result = run(
            [entry("qwen3", origin + "/v1"), embedding_entry("nomic-embed", origin + "/v1")], "-f", "json"
        )
    assert result.exit_code == 0, result.output
    data = report(result)
    assert set(data) == {"file", "where", "ok", "results"}
    assert data["where"] == "local" and data["ok"] is True
    first = data["results"][0]
    assert set(first) == {"model", "endpoint", "ok", "steps"}
    assert first["endpoint"] == origin + "/v1"
    assert [set(s) for s in first["steps"]] == [{"name", "status", "ms", "detail"}] * 3
    assert all(isinstance(s["ms"], int) for s in first["steps"])
    assert steps(result) == [
        ("dns", "pass", "127.0.0.1 is an address: nothing to resolve"),
        ("models", "pass", "qwen3 served, max_model_len 32768"),
        ("tool-call", "pass", "tool_calls names get_weather"),
    ]
    assert steps(result, 1) == [
        ("dns", "pass", "127.0.0.1 is an address: nothing to resolve"),
        ("models", "pass", "nomic-embed served, max_model_len 32768"),
        ("embeddings", "pass", "a vector of 8 dimensions"),
    ]
    # the seed's request, with the key in the header
    tool = next(s for s in seen.seen if s.path == "/v1/chat/completions")
    assert tool.headers["authorization"] == f"Bearer {KEY}"
    assert tool.body["tools"][0]["function"]["name"] == "get_weather"
    assert tool.body["tool_choice"] == "auto" and tool.body["model"] == "qwen3"


def test_unresolvable_host(run: Any) -> None:
    result = run([entry("qwen3", "http://vllm-qwen.inference.invalid:8000/v1")], "-f", "json")
    assert result.exit_code == 3
    (dns, models, tool) = steps(result)
    assert dns[:2] == ("dns", "fail") and "cannot resolve vllm-qwen.inference.invalid" in dns[2]
    assert models == ("models", "skip", "not run: dns failed")
    assert tool == ("tool-call", "skip", "not run: dns failed")


def test_refused_port(run: Any) -> None:
    port = closed_port()
    result = run([entry("qwen3", f"http://127.0.0.1:{port}/v1")], "-f", "json")
    assert result.exit_code == 3
    assert steps(result)[1] == (
        "models",
        "fail",
        f"connection refused at 127.0.0.1:{port}: is the server running and listening on that port?",
    )


def test_server_that_never_answers(run: Any) -> None:
    with silent_port() as port:
        result = run([entry("qwen3", f"http://127.0.0.1:{port}/v1")], "-f", "json", "--timeout", "0.5")
    assert result.exit_code == 3
    name, status, detail = steps(result)[1]
    assert (name, status) == ("models", "fail")
    assert detail.startswith(f"no answer from 127.0.0.1:{port} within 0.5 s")


def test_key_refused(run: Any) -> None:
    with model_server(Behaviour(key="the-right-key")) as (origin, _):
        result = run([entry("qwen3", origin + "/v1")], "-f", "json")
    assert result.exit_code == 3
    name, status, detail = steps(result)[1]
    assert (name, status) == ("models", "fail")
    assert detail.startswith("HTTP 401 at GET /v1/models: the key was refused: check ${VLLM_API_KEY}")


def test_wrong_path_404(run: Any) -> None:
    # The server is mounted under /qwen/v1 (an ingress path); the entry says /v1.
    with model_server(Behaviour(prefix="/qwen/v1")) as (origin, _):
        result = run([entry("qwen3", origin + "/v1")], "-f", "json")
    assert result.exit_code == 3
    assert steps(result)[1][2].startswith(
        "HTTP 404 at GET /v1/models: wrong path: check that apiBase ends in /v1"
    )


def test_missing_v1_is_a_contract_error_and_nothing_runs(run: Any) -> None:
    with model_server() as (origin, seen):
        result = run([entry("qwen3", origin)], "-f", "json")
    assert result.exit_code == 1
    assert "IC105" in result.stderr and "nothing was checked" in result.stderr
    assert result.stdout == "" and seen.seen == []


def test_served_name_missing(run: Any) -> None:
    with model_server(Behaviour(served=("qwen3-coder", "other"))) as (origin, seen):
        result = run([entry("qwen3-coder-30b", origin + "/v1")], "-f", "json")
    assert result.exit_code == 3
    assert steps(result)[1:] == [
        (
            "models",
            "fail",
            "served names: qwen3-coder, other; expected qwen3-coder-30b: "
            "make --served-model-name (vllm.servedModelName) match the entry's model",
        ),
        ("tool-call", "skip", "not run: models failed"),
    ]
    assert [s.path for s in seen.seen] == ["/v1/models"]  # the tool request was not sent


def ollama_entry(tag: str, api_base: str) -> dict[str, Any]:
    return entry(
        tag.replace(":", "-"),
        api_base,
        litellmModel=f"ollama_chat/{tag}",
        provider="Ollama",
        apiKey=None,
        contextWindow=8192,
        maxTokens=None,
    )


def test_an_ollama_model_must_be_pulled_by_ollamas_latest_rule(run: Any) -> None:
    from tests.support.discover_servers import FakeOllama

    # The server has llama3.2:latest, qwen3:8b and nomic-embed-text:latest.
    with FakeOllama() as server:
        models = [
            ollama_entry("llama3.2", server.url),  # = llama3.2:latest
            ollama_entry("qwen3:8b", server.url),
            ollama_entry("mistral", server.url),  # mistral:latest is not there
            ollama_entry("qwen3", server.url),  # qwen3:latest is not qwen3:8b
        ]
        result = run(models, "-f", "json")
    assert result.exit_code == 3
    assert [steps(result, i)[1] for i in range(4)] == [
        ("models", "pass", "llama3.2:latest pulled"),
        ("models", "pass", "qwen3:8b pulled"),
        (
            "models",
            "fail",
            "pulled: qwen3:8b, nomic-embed-text:latest, llama3.2:latest; mistral:latest is not: "
            "run `ollama pull mistral` on the server",
        ),
        (
            "models",
            "fail",
            "pulled: qwen3:8b, nomic-embed-text:latest, llama3.2:latest; qwen3:latest is not: "
            "run `ollama pull qwen3` on the server",
        ),
    ]
    assert ("GET", "/api/tags") in server.requests


def test_an_ollama_api_base_written_with_its_chat_path_is_checked_at_the_server(run: Any) -> None:
    # LiteLLM takes `…/api/chat` whole for ollama_chat/ (IC105 lets it pass); check asks the
    # server itself for /api/tags, as LiteLLM's own model listing does.
    from tests.support.discover_servers import FakeOllama

    with FakeOllama() as server:
        result = run([ollama_entry("qwen3:8b", server.url + "/api/chat/")], "-f", "json")
    assert result.exit_code == 0, result.output
    assert steps(result)[1] == ("models", "pass", "qwen3:8b pulled")
    assert ("GET", "/api/tags") in server.requests
    assert not [path for _, path in server.requests if path.startswith("/api/chat/")]


def test_max_model_len_below_context_window(run: Any) -> None:
    with model_server(Behaviour(max_model_len=32768)) as (origin, _):
        result = run([entry("qwen3", origin + "/v1", contextWindow=131072)], "-f", "json")
    assert result.exit_code == 3
    assert steps(result)[1][2] == (
        "qwen3: the server's max_model_len 32768 is below contextWindow 131072: "
        "raise --max-model-len or lower contextWindow"
    )


def test_plain_text_answer_to_the_tool_request(run: Any) -> None:
    with model_server(Behaviour(tool_reply="text")) as (origin, _):
        result = run([entry("qwen3", origin + "/v1")], "-f", "json")
    assert result.exit_code == 3
    name, status, detail = steps(result)[2]
    assert (name, status) == ("tool-call", "fail")
    assert detail.startswith("tool-call parser missing or wrong")


def test_private_ca_without_and_with_ca_bundle(run: Any, private_ca: Any) -> None:
    _, cert, bundle = private_ca
    with model_server(Behaviour(), tls=tls_context(cert)) as (origin, _):
        untrusted = run([entry("qwen3", origin + "/v1")], "-f", "json")
        trusted = run([entry("qwen3", origin + "/v1")], "-f", "json", "--ca-bundle", bundle)
        from_env = run([entry("qwen3", origin + "/v1")], "-f", "json", env={"SSL_CERT_FILE": bundle})
    assert untrusted.exit_code == 3
    name, status, detail = steps(untrusted)[1]
    assert (name, status) == ("models", "fail")
    assert detail.startswith("TLS failure:") and "certificate verify failed" in detail
    assert detail.endswith("for a private CA pass --ca-bundle FILE (or set SSL_CERT_FILE)")
    assert trusted.exit_code == 0, trusted.stdout
    assert from_env.exit_code == 0, from_env.stdout


def test_unset_key_variable(run: Any) -> None:
    with model_server() as (origin, seen):
        result = run([entry("qwen3", origin + "/v1", apiKey="${QWEN_KEY_NOT_SET}")], "-f", "json")
    assert result.exit_code == 3
    assert steps(result) == [
        ("dns", "pass", "127.0.0.1 is an address: nothing to resolve"),
        (
            "models",
            "fail",
            "apiKey names ${QWEN_KEY_NOT_SET}, which is not set here: export it and run again",
        ),
        ("tool-call", "skip", "not run: models failed"),
    ]
    assert seen.seen == []


def test_model_selection(run: Any) -> None:
    with model_server(Behaviour(served=("a", "b"))) as (origin, seen):
        result = run([entry("a", origin + "/v1"), entry("b", origin + "/v1")], "-f", "json", "--model", "b")
        unknown = run([entry("a", origin + "/v1")], "--model", "zz")
    assert [r["model"] for r in report(result)["results"]] == ["b"]
    assert [s.body["model"] for s in seen.seen if s.body] == ["b"]  # only b's tool request
    assert unknown.exit_code == 2
    assert "no entry named zz" in unknown.stderr


def test_text_report_and_no_progress_when_piped(run: Any) -> None:
    with model_server(Behaviour(served=("other",))) as (origin, _):
        result = run([entry("qwen3", origin + "/v1")])
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].endswith("checked 1 model(s) from here (local)")
    assert lines[2].split() == ["MODEL", "STEP", "RESULT", "MS", "DETAIL"]
    assert lines[3].split() == ["qwen3", origin + "/v1"]
    assert lines[5].split()[:2] == ["models", "FAIL"]
    assert lines[-1] == "1 of 1 failed: qwen3"
    assert "\x1b[" not in result.stdout  # no colour and no progress line when piped
    assert result.stderr == ""


def test_default_is_local_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    with model_server() as (origin, _):
        path = tmp_path / "c.yaml"
        path.write_text(json.dumps({"models": [entry("qwen3", origin + "/v1")]}), encoding="utf-8")
        result = CliRunner().invoke(main, ["check", str(path), "-f", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    assert report(result)["where"] == "local"
    assert "split DNS" in result.stderr and "not being tested" in result.stderr


# ------------------------------------------------------------ provider protocols


def test_provider_headers_and_paths(run: Any) -> None:
    env = {"ANTHROPIC_API_KEY": KEY, "AZURE_API_KEY": KEY, "GEMINI_API_KEY": KEY}
    with model_server(Behaviour(key=KEY, served=("claude", "gemini-embedding-001"))) as (origin, seen):
        models = [
            {
                "litellmModelName": "claude-sonnet-4-20250514",
                "litellmModel": "anthropic/claude-sonnet-4-20250514",
                "displayName": "Claude",
                "provider": "Anthropic",
                "type": "CHAT",
                "metadataType": "Text Generation",
                "contextWindow": 200000,
                "apiBase": origin,
                "apiKey": "${ANTHROPIC_API_KEY}",
            },
            {
                "litellmModelName": "azure-embed",
                "litellmModel": "azure/embed-deployment",
                "displayName": "Azure embeddings",
                "provider": "Azure OpenAI",
                "type": "INTERNAL",
                "metadataType": "Embeddings",
                "contextWindow": 8191,
                "apiBase": origin,
                "apiVersion": "2024-10-21",
                "apiKey": "${AZURE_API_KEY}",
                "baseModel": "text-embedding-3-small",
            },
            {
                "litellmModelName": "gemini-embedding",
                "litellmModel": "gemini/gemini-embedding-001",
                "displayName": "Gemini embeddings",
                "provider": "Google",
                "type": "INTERNAL",
                "metadataType": "Embeddings",
                "contextWindow": 2048,
                "apiBase": origin + "/v1beta",
                "apiKey": "${GEMINI_API_KEY}",
            },
        ]
        result = run(models, "-f", "json", env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    by_path = {(s.method, s.path): s for s in seen.seen}
    anthropic = by_path[("GET", "/v1/models")]
    assert anthropic.headers["x-api-key"] == KEY and anthropic.headers["anthropic-version"] == "2023-06-01"
    azure = by_path[("GET", "/openai/models")]
    assert azure.headers["api-key"] == KEY and azure.query["api-version"] == ["2024-10-21"]
    azure_embed = by_path[("POST", "/openai/deployments/embed-deployment/embeddings")]
    assert azure_embed.query["api-version"] == ["2024-10-21"]
    gemini = by_path[("POST", "/v1beta/models/gemini-embedding-001:embedContent")]
    assert gemini.headers["x-goog-api-key"] == KEY and not gemini.query  # never ?key=
    assert all("authorization" not in s.headers for s in seen.seen)


def _model(**fields: Any) -> ModelEntry:
    return parse(ModelEntry, fields)


def test_bedrock_is_skipped_with_the_reason() -> None:
    bedrock = _model(
        litellmModelName="claude-bedrock",
        litellmModel="bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0",
        displayName="Claude (Bedrock)",
        provider="AWS Bedrock",
        type="CHAT",
        metadataType="Text Generation",
        contextWindow=200000,
        awsRegion="us-west-2",
    )
    target = plan(bedrock, {}, self_hosted=False)
    assert target.host == "bedrock-runtime.us-west-2.amazonaws.com"
    assert target.steps == ("dns", "models")
    assert target.skips == {
        "models": "Bedrock needs AWS SigV4 request signing, which check does not do; not checked"
    }


def test_cloud_default_base_url_and_no_tool_step() -> None:
    gpt = _model(
        litellmModelName="gpt-4o",
        litellmModel="openai/gpt-4o",
        displayName="GPT-4o",
        provider="OpenAI",
        type="CHAT",
        metadataType="Text Generation",
        contextWindow=128000,
        apiKey="${OPENAI_API_KEY}",
    )
    target = plan(gpt, {"OPENAI_API_KEY": KEY}, self_hosted=False)
    assert target.endpoint == "https://api.openai.com/v1"
    assert target.steps == ("dns", "models")  # the tool-call smoke test is for self-hosted models
    assert target.calls["models"].url == "https://api.openai.com/v1/models"
    assert KEY not in repr(target)


def test_ctrl_c_exits_130_at_once(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import threading

    accepted = threading.Event()
    held: list[socket.socket] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]

        def accept() -> None:
            connection, _ = listener.accept()  # and never answer
            held.append(connection)
            accepted.set()

        threading.Thread(target=accept, daemon=True).start()
        path = tmp_path / "install-contract.yaml"
        path.write_text(
            json.dumps({"models": [entry("qwen3", f"http://127.0.0.1:{port}/v1")]}), encoding="utf-8"
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "check", str(path), "--where", "local", "--timeout", "120"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **ENV},
            cwd=Path(__file__).resolve().parent.parent,
            preexec_fn=interruptible,
        )
        try:
            assert accepted.wait(60), "the check never connected"
            process.send_signal(signal.SIGINT)
            # not held for the 120 s request timeout (communicate would time out first)
            stdout, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            for connection in held:
                connection.close()
    assert process.returncode == 130, stderr
    assert b"interrupted" in stderr and stdout == b""


def test_mask_hides_keys_but_not_words() -> None:
    from contract.workflows.checks.steps import mask

    assert mask(f"server said: bad key {KEY}", frozenset({KEY, "x"})) == "server said: bad key ****"
    assert mask("max_model_len", frozenset({"x"})) == "max_model_len"
    # the one masking of contract.knowledge.secrets: escaped and encoded forms too
    assert mask(f"b'Bearer {KEY}\\n'", frozenset({KEY + "\n"})) == "b'Bearer ****'"


def test_progress_line_counts_results(capsys: pytest.CaptureFixture[str]) -> None:
    from cli.check import _progress
    from contract.workflows.checks.steps import EntryResult, StepResult

    passed = EntryResult("a", "http://a/v1", (StepResult("dns", "pass", 1, "ok"),))
    failed = EntryResult("b", "http://b/v1", (StepResult("dns", "fail", 1, "no"),))
    with _progress(2, enabled=False) as none:
        assert none is None
    with _progress(2, enabled=True) as update:
        assert update is not None
        update(passed)
        update(failed)
    assert capsys.readouterr().out == ""  # the progress line never goes to stdout


def test_proxy_variables_are_honoured(run: Any) -> None:
    # The model server stands in for a forward proxy: it answers the absolute-URI requests itself.
    with model_server() as (proxy, seen):
        target = f"http://127.0.0.2:{closed_port()}/v1"  # nothing listens there
        result = run(
            [entry("qwen3", target)], "-f", "json", env={"HTTP_PROXY": proxy, "NO_PROXY": "", "no_proxy": ""}
        )
    assert result.exit_code == 0, result.stdout
    assert [s.path for s in seen.seen] == ["/v1/models", "/v1/chat/completions"]
