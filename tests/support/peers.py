"""Real peers for integration tests: LiteLLM's proxy and vLLM's `serve` parser.

Both live in git-ignored venvs under `.peers/`, installed by
`scripts/peers/install-litellm` and `scripts/peers/install-vllm`. A test asks
for one with `require_peer("litellm")`: a missing peer skips the test on a
developer's machine and fails it in CI (`CI=true`), where it must be there.

Nothing here reaches the internet: servers bind 127.0.0.1 only, peers run
with a minimal environment (`env -i` style) that holds the offline switches
and only the variables a test hands over.

Not a test module; import it as `from tests.support.peers import ...`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = REPO_ROOT / ".peers"
VLLM_PARSE_SCRIPT = REPO_ROOT / "scripts" / "peers" / "vllm_parse.py"

# Must match the markers written by scripts/peers/install-*.
PEER_VERSIONS = {"litellm": "1.106.2", "vllm": "0.33.0", "vllm-sr": "0.4.0"}
VLLM_SR_VALIDATE_SCRIPT = REPO_ROOT / "scripts" / "peers" / "vllm_sr_validate.py"

# Variables every peer gets, whatever the caller's environment holds.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}

__all__ = [
    "PEERS_DIR",
    "FakeOpenAIBackend",
    "LiteLLMProxy",
    "PeerStartError",
    "RecordedRequest",
    "free_port",
    "litellm_executable",
    "litellm_python",
    "peer_venv",
    "require_peer",
    "vllm_parse",
    "vllm_python",
    "vllm_sr_validate",
]


class PeerStartError(RuntimeError):
    """A real peer did not start or answer; the message carries its log tail."""


# ------------------------------------------------------------------ install


def peer_venv(name: str) -> Path | None:
    """The peer's venv if its install finished (marker present), else None."""
    version = PEER_VERSIONS[name]
    venv = PEERS_DIR / name
    if (venv / f".installed-{version}").is_file() and (venv / "bin" / "python").exists():
        return venv
    return None


def litellm_python() -> Path | None:
    venv = peer_venv("litellm")
    return venv / "bin" / "python" if venv else None


def litellm_executable() -> Path | None:
    venv = peer_venv("litellm")
    return venv / "bin" / "litellm" if venv else None


def vllm_python() -> Path | None:
    venv = peer_venv("vllm")
    return venv / "bin" / "python" if venv else None


def require_peer(name: str) -> Path:
    """The peer's venv; skip the test if it is missing, fail it in CI."""
    import pytest

    venv = peer_venv(name)
    if venv is not None:
        return venv
    message = (
        f"real peer {name}=={PEER_VERSIONS[name]} is not installed in .peers/{name}: "
        f"run scripts/peers/install-{name}"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def minimal_env(venv: Path, home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env -i` style: the venv first on PATH, a private HOME, offline switches."""
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.defpath.lstrip(os.pathsep)}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **OFFLINE_ENV,
    }
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


# ------------------------------------------------------- fake OpenAI backend


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake backend saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: Any  # parsed JSON, or None
    raw_body: bytes = field(repr=False, default=b"")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Handler(BaseHTTPRequestHandler):
    server: _FakeServer
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection must not hold a handler thread for ever.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self, body: bytes) -> RecordedRequest:
        parts = urlsplit(self.path)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=parsed,
            raw_body=body,
        )
        self.server.backend._add(request)
        return request

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self, request: RecordedRequest) -> None:
        self._send_json(
            404,
            {
                "error": {
                    "message": f"fake backend: no route for {request.method} {request.path}",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "not_found",
                }
            },
        )

    def do_GET(self) -> None:
        request = self._record(b"")
        if request.path.rstrip("/").endswith("/models"):
            self._send_json(200, self.server.backend.models_payload())
        else:
            self._not_found(request)

    def do_POST(self) -> None:
        request = self._record(self._read_body())
        if not request.path.rstrip("/").endswith("/chat/completions"):
            self._not_found(request)
            return
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_json(
                400,
                {
                    "error": {
                        "message": "body must be a JSON object with messages",
                        "type": "invalid_request_error",
                        "param": "messages",
                        "code": None,
                    }
                },
            )
            return
        if body.get("stream"):
            self._send_json(
                400,
                {
                    "error": {
                        "message": "fake backend: stream=true is not supported",
                        "type": "invalid_request_error",
                        "param": "stream",
                        "code": None,
                    }
                },
            )
            return
        self._send_json(200, self.server.backend.completion(request))

    def do_DELETE(self) -> None:
        self._not_found(self._record(self._read_body()))

    do_PUT = do_PATCH = do_DELETE


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    backend: FakeOpenAIBackend


class FakeOpenAIBackend:
    """An OpenAI-compatible HTTP server on 127.0.0.1 that records every request.

    Answers `GET …/models` under any base path (LiteLLM calls `{api_base}/models`
    at start), `POST …/chat/completions` (also Azure's
    `/openai/deployments/<dep>/chat/completions?api-version=…`) with a
    non-streaming `chat.completion` whose `model` echoes the request's, and a
    404 JSON error for anything else.

        with FakeOpenAIBackend(models=["served-x"]) as fake:
            ... fake.url ...            # http://127.0.0.1:<port>
            fake.requests_to("/v1/chat/completions")
    """

    def __init__(self, models: list[str] | None = None, reply: str = "hello from the fake backend") -> None:
        self.models = list(models or [])
        self.reply = reply
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _FakeServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # -- lifecycle
    def __enter__(self) -> FakeOpenAIBackend:
        server = _FakeServer(("127.0.0.1", 0), _Handler)
        server.backend = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAIBackend is not running")
        port: int = self._server.server_address[1]
        return port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- records
    def _add(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- answers
    def models_payload(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"} for m in self.models
            ],
        }

    def completion(self, request: RecordedRequest) -> dict[str, Any]:
        body = request.body
        model = body.get("model")
        if not model and "/deployments/" in request.path:
            model = request.path.split("/deployments/", 1)[1].split("/", 1)[0]
        with self._lock:
            self._counter += 1
            number = self._counter
        messages = [m for m in body["messages"] if isinstance(m, dict)]
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        completion_tokens = len(self.reply.split())
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": None,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.reply, "tool_calls": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


# ---------------------------------------------------------------- LiteLLM


class LiteLLMProxy:
    """The real LiteLLM proxy on 127.0.0.1, started from `.peers/litellm`.

        with LiteLLMProxy(config_path, {"LITELLM_MASTER_KEY": "sk-test"}) as proxy:
            httpx.get(proxy.base_url + "/v1/models", headers=...)

    Its environment is minimal: PATH, a private HOME, the local cost map,
    offline switches, NO_PROXY for loopback, and `env`. Waits for
    `GET /health/readiness` 200; stops with SIGTERM, then SIGKILL.
    """

    def __init__(
        self,
        config_path: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        *,
        ready_timeout: float = 180.0,
        stop_grace: float = 10.0,
    ) -> None:
        self.config_path = Path(config_path)
        self.env = dict(env or {})
        self.ready_timeout = ready_timeout
        self.stop_grace = stop_grace
        self.port = 0
        self.startup_seconds: float | None = None
        self._tmp: Path | None = None
        self._log_path: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> LiteLLMProxy:
        executable = litellm_executable()
        venv = peer_venv("litellm")
        if executable is None or venv is None:
            raise PeerStartError("litellm is not installed: run scripts/peers/install-litellm")
        self._tmp = Path(tempfile.mkdtemp(prefix="litellm-proxy-"))
        self._log_path = self._tmp / "proxy.log"
        self.port = free_port()
        env = minimal_env(venv, self._tmp, {"LITELLM_LOCAL_MODEL_COST_MAP": "True", **self.env})
        command = [
            str(executable),
            "--config",
            str(self.config_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        started = time.monotonic()
        with open(self._log_path, "wb") as log_file:
            # Its own session, so that stopping it reaches any worker it forks.
            self._process = subprocess.Popen(
                command,
                cwd=self._tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready(started)
        except BaseException:
            self._stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _fail(self, why: str) -> NoReturn:
        raise PeerStartError(f"{why}\n--- litellm log (tail) ---\n{_tail(self.log())}")

    def _wait_ready(self, started: float) -> None:
        assert self._process is not None
        url = self.base_url + "/health/readiness"
        deadline = started + self.ready_timeout
        while True:
            if self._process.poll() is not None:
                self._fail(f"litellm exited with code {self._process.returncode} before it was ready")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(url, timeout=2) as response,
            ):
                if response.status == 200:
                    return
            if time.monotonic() > deadline:
                self._fail(f"litellm not ready at {url} after {self.ready_timeout:.0f} s")
            time.sleep(0.2)

    def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=self.stop_grace)
        # Workers left in its session after the leader exited.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


# ------------------------------------------------------------------- vLLM


def vllm_parse(argvs: list[list[str]], *, timeout: float = 300.0) -> list[dict[str, Any]]:
    """Parse `vllm serve` argvs with vLLM's real parser (scripts/peers/vllm_parse.py).

    One result per argv: {"ok", "error", "start_error", "warnings", "args"}.
    The parser is built once per call (≈5 s), so batch the argvs.
    """
    venv = peer_venv("vllm")
    if venv is None:
        raise PeerStartError("vllm is not installed: run scripts/peers/install-vllm")
    with tempfile.TemporaryDirectory(prefix="vllm-parse-") as home:
        env = minimal_env(
            venv, Path(home), {"VLLM_TARGET_DEVICE": "cpu", "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
        )
        completed = subprocess.run(
            [str(venv / "bin" / "python"), str(VLLM_PARSE_SCRIPT)],
            input=json.dumps(argvs).encode(),
            capture_output=True,
            env=env,
            cwd=home,
            timeout=timeout,
            check=False,
        )
    stderr = completed.stderr.decode("utf-8", errors="replace")
    if completed.returncode != 0:
        raise PeerStartError(f"vllm_parse.py exited with {completed.returncode}\n{_tail(stderr)}")
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    if len(results) != len(argvs):
        raise PeerStartError(f"vllm_parse.py returned {len(results)} results for {len(argvs)} argvs")
    return results


# ------------------------------------------------------------- vllm-sr


def vllm_sr_validate(paths: list[Path], *, timeout: float = 600.0) -> list[dict[str, Any]]:
    """`vllm-sr config validate` on each config, in one process (scripts/peers/vllm_sr_validate.py).

    One result per path: {"path", "ok", "output"}. Runs from a private directory: vllm-sr's
    package is also called `cli` and must not meet this project's.
    """
    venv = peer_venv("vllm-sr")
    if venv is None:
        raise PeerStartError("vllm-sr is not installed: run scripts/peers/install-vllm-sr")
    with tempfile.TemporaryDirectory(prefix="vllm-sr-") as home:
        completed = subprocess.run(
            [str(venv / "bin" / "python"), str(VLLM_SR_VALIDATE_SCRIPT)],
            input=json.dumps([str(p) for p in paths]).encode(),
            capture_output=True,
            env=minimal_env(venv, Path(home)),
            cwd=home,
            timeout=timeout,
            check=False,
        )
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", errors="replace")
        raise PeerStartError(f"vllm_sr_validate.py exited with {completed.returncode}\n{_tail(stderr)}")
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results
