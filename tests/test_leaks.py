"""Keys that cannot leak: generated keys × every failure a step can report, in every output.

A hostile server echoes the key it was sent back in its answers, in the forms a message can
carry it (as it is, escaped as `repr` writes it, URL-encoded, base64 alone and inside a Basic
credential, a bytes literal), for every failure `check`'s steps and the admin API can report.
Nothing of it may reach stdout, stderr or the JSON report. A key, admin token or Unleash token
that cannot go into an HTTP header is refused before any request, by its variable's name
(exit 2), never by its value.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import stamina
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from contract.knowledge import secrets
from tests.support.check_entries import embedding_entry, entry

SAFE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8, max_size=32)
KEYS = SAFE.map(lambda tail: "sk-" + tail)
# Characters a header cannot carry as they are: line breaks, other controls, anything not ASCII
# (NUL cannot be in an environment variable at all: `header_problem` is tested with it below).
UNSAFE = st.sampled_from(["\n", "\r", "\r\n", "\t", "\x01", "\x1b", "\x7f", "é", "€", "\u2028", "🔑"])


def echoed_forms(key: str) -> dict[str, str]:
    """How the hostile server writes the key it received back (computed here, not by the tool)."""
    raw = key.encode()
    return {
        "raw": key,
        "repr": repr(key)[1:-1],
        "bytes": repr(b"Bearer " + raw),
        "url": quote(key, safe=""),
        "url-plus": quote_plus(key),
        "base64": base64.b64encode(raw).decode(),
        "basic": "Basic " + base64.b64encode(b"user:" + raw).decode(),
    }


def leaked(key: str, text: str) -> list[str]:
    """The forms of `key` found in `text`: the echoed ones, and the whole base64 of it inside
    a Basic credential (which a fragment-blind mask would miss)."""
    found = [name for name, form in echoed_forms(key).items() if form in text and name != "basic"]
    basic = base64.b64encode(b"user:" + key.encode()).decode()
    if basic in text or basic.rstrip("=") in text:
        found.append("basic")
    if json.dumps(key)[1:-1] in text:
        found.append("json")
    return found


# ---------------------------------------------------------------- the hostile server


@dataclass
class Scenario:
    path: str  # the request that fails: models | chat | embeddings | admin
    status: int
    shape: str  # error | text | listing | tool | noted
    form: str = "raw"


@dataclass
class State:
    scenario: Scenario | None = None
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _key_of(headers: Any) -> str:
    for name in ("authorization", "x-api-key", "api-key", "x-goog-api-key"):
        value = headers.get(name)
        if value:
            return str(value).removeprefix("Bearer ")
    return ""


class _Echo(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._answer(status, json.dumps(payload).encode())

    def _handle(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        scenario = state.scenario
        path = self.path.split("?", 1)[0]
        kind = (
            "admin"  # the admin API lives under /api (its /api/v1/models is not a model server's)
            if path.startswith("/api/")
            else "models"
            if path.endswith("/v1/models")
            else "chat"
            if path.endswith("/chat/completions")
            else "embeddings"
            if path.endswith("/embeddings")
            else "admin"
        )
        if scenario is not None and scenario.path == kind:
            echo = echoed_forms(_key_of(self.headers))[scenario.form]
            said = f"invalid credentials {echo} for this request"
            if scenario.shape == "text":
                self._answer(scenario.status, f"upstream error: {said}\n".encode(), "text/plain")
            elif scenario.shape == "listing":
                self._json(200, {"object": "list", "data": [{"id": echo}, {"id": "other"}]})
            elif scenario.shape == "tool":
                call = {"id": "c1", "type": "function", "function": {"name": echo, "arguments": "{}"}}
                message = {"role": "assistant", "content": None, "tool_calls": [call]}
                self._json(200, {"choices": [{"index": 0, "message": message}]})
            elif kind == "admin":
                self._json(scenario.status, {"error": {"code": "denied", "message": said}})
            else:
                self._json(scenario.status, {"error": {"message": said, "type": "invalid_request_error"}})
            return
        if kind == "models":
            self._json(200, {"object": "list", "data": [{"id": "qwen3"}, {"id": "nomic"}]})
        elif kind == "chat":
            call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            self._json(
                200, {"choices": [{"index": 0, "message": {"role": "assistant", "tool_calls": [call]}}]}
            )
        elif kind == "embeddings":
            self._json(200, {"data": [{"embedding": [0.5] * 4}]})
        else:
            self._json(404, {"error": {"code": "not_found", "message": "no such route"}})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: State


@pytest.fixture(scope="module")
def echo() -> Iterator[tuple[str, State]]:
    server = _Server(("127.0.0.1", 0), _Echo)
    server.state = State()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def contract_file(echo: tuple[str, State], tmp_path_factory: pytest.TempPathFactory) -> Path:
    origin, _ = echo
    path = tmp_path_factory.mktemp("leaks") / "install-contract.yaml"
    document = {
        "platform": {"adminApi": {"url": origin + "/api"}},
        "models": [entry("qwen3", origin + "/v1"), embedding_entry("nomic", origin + "/v1")],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture(autouse=True, scope="module")
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=2)
    yield
    stamina.set_testing(False)


def _run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, args, env={"HOME": "/nonexistent", "KUBECONFIG": "", **env})


# Every failure each HTTP step of `check` can report with the server's words (or its listing).
CHECK_FAILURES = [
    *(Scenario("models", status, "error") for status in (400, 401, 403, 404, 429, 500, 502, 503)),
    Scenario("models", 500, "text"),
    Scenario("models", 200, "listing"),
    *(Scenario("chat", status, "error") for status in (400, 401, 404, 422, 500)),
    Scenario("chat", 500, "text"),
    Scenario("chat", 200, "tool"),
    *(Scenario("embeddings", status, "error") for status in (400, 401, 404, 500)),
    Scenario("embeddings", 503, "text"),
]
FORMS = list(echoed_forms("x"))
HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(
    key=KEYS,
    scenario=st.sampled_from(CHECK_FAILURES),
    form=st.sampled_from(FORMS),
    fmt=st.sampled_from(["json", "text"]),
)
def test_no_check_failure_shows_the_key(
    echo: tuple[str, State], contract_file: Path, key: str, scenario: Scenario, form: str, fmt: str
) -> None:
    _, state = echo
    state.scenario = Scenario(scenario.path, scenario.status, scenario.shape, form)
    result = _run(
        ["check", str(contract_file), "--where", "local", "--timeout", "5", "-f", fmt], {"VLLM_API_KEY": key}
    )
    assert result.exit_code == 3, result.stdout + result.stderr
    for stream in (result.stdout, result.stderr):
        assert leaked(key, stream) == [], stream
    assert secrets.MASK in result.stdout  # the server's echo was shown, masked
    if fmt == "json":
        report = json.loads(result.stdout)
        assert leaked(key, json.dumps(report, ensure_ascii=False)) == []


ADMIN_FAILURES = [Scenario("admin", status, "error") for status in (400, 401, 403, 404, 409, 422, 500)]


@HYPOTHESIS
@given(token=KEYS, scenario=st.sampled_from(ADMIN_FAILURES), form=st.sampled_from(FORMS))
def test_no_admin_api_failure_shows_the_token(
    echo: tuple[str, State], contract_file: Path, token: str, scenario: Scenario, form: str
) -> None:
    _, state = echo
    state.scenario = Scenario(scenario.path, scenario.status, scenario.shape, form)
    result = _run(
        ["plan", str(contract_file), "-f", "json"],
        {"ADMIN_API_TOKEN": token, "VLLM_API_KEY": "sk-vllm-12345678"},
    )
    assert result.exit_code == 3, result.stdout + result.stderr
    for stream in (result.stdout, result.stderr):
        assert leaked(token, stream) == [], stream
    assert "admin API" in result.stderr and secrets.MASK in result.stderr


def _with_unsafe(data: st.DataObject) -> str:
    key = data.draw(KEYS)
    at = data.draw(st.integers(min_value=0, max_value=len(key)))
    return key[:at] + data.draw(UNSAFE) + key[at:]


@HYPOTHESIS
@given(data=st.data())
def test_a_key_that_cannot_go_into_a_header_is_refused_by_name(
    echo: tuple[str, State], contract_file: Path, data: st.DataObject
) -> None:
    _, state = echo
    state.scenario = None
    key = _with_unsafe(data)
    before = state.requests
    result = _run(["check", str(contract_file), "--where", "local", "-f", "json"], {"VLLM_API_KEY": key})
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "$VLLM_API_KEY (the apiKey of qwen3) holds " in result.stderr
    assert "cannot go into an HTTP header" in result.stderr and result.stdout == ""
    assert state.requests == before  # refused before any request
    assert leaked(key, result.stderr) == [] and leaked(key.strip(), result.stderr) == []


@HYPOTHESIS
@given(data=st.data(), variable=st.sampled_from(["ADMIN_API_TOKEN", "UNLEASH_ADMIN_TOKEN"]))
def test_a_token_that_cannot_go_into_a_header_is_refused_by_name(
    echo: tuple[str, State], contract_file: Path, data: st.DataObject, variable: str, tmp_path_factory: Any
) -> None:
    origin, state = echo
    state.scenario = None
    token = _with_unsafe(data)
    path = contract_file
    if variable == "UNLEASH_ADMIN_TOKEN":
        document = json.loads(contract_file.read_text(encoding="utf-8"))
        document["platform"]["unleash"] = {"url": origin}
        path = contract_file.with_name("with-unleash.yaml")
        path.write_text(json.dumps(document), encoding="utf-8")
    env = {"ADMIN_API_TOKEN": "admin-token-123456", "VLLM_API_KEY": "sk-vllm-12345678", variable: token}
    before = state.requests
    result = _run(["plan", str(path)], env)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"${variable} (the " in result.stderr and "cannot go into an HTTP header" in result.stderr
    assert state.requests == before
    assert leaked(token, result.stdout + result.stderr) == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sk-abc\n", "a newline"),
        ("sk-\rabc", "a carriage return"),
        ("sk-a\tbc", "a control character"),
        ("sk-a\x00bc", "a control character"),
        ("sk-abc\x7f", "a control character"),
        ("sk-abcé", "a character outside ASCII"),
        (" sk-abc", "spaces at its start or end"),
        ("sk-abc ", "spaces at its start or end"),
        ("sk-a b~c!", None),
    ],
)
def test_header_problem_names_the_kind_never_the_value(value: str, problem: str | None) -> None:
    assert secrets.header_problem(value) == problem


@given(key=st.text(min_size=4, max_size=40), before=st.binary(max_size=5), after=st.binary(max_size=5))
def test_mask_hides_every_form_of_a_value(key: str, before: bytes, after: bytes) -> None:
    raw = key.encode("utf-8", errors="surrogatepass")
    texts = [
        f"said {key}!",
        f"said {key!r}",
        f"said {raw!r}",
        f"said {json.dumps(key)}",
        f"said {quote(key, safe='')}",
        f"said {quote_plus(key)}",
        "said " + base64.b64encode(raw).decode(),
        "said " + base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]
    for text in texts:
        masked = secrets.mask(text, [key])
        assert secrets.MASK in masked, (text, masked)
    # inside a longer base64 value, at any byte alignment: the key's own characters are masked
    embedded = base64.b64encode(before + raw + after).decode()
    whole = base64.b64encode(raw).decode().rstrip("=")
    masked = secrets.mask(embedded, [key])
    if len(raw) >= 6:
        assert secrets.MASK in masked
    assert len(whole) < 8 or whole not in masked
