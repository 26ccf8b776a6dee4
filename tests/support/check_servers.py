"""Real HTTP servers on 127.0.0.1 that behave like a model server, or fail like one.

Not a test module. `ModelServer` speaks the OpenAI protocol the way vLLM does (`/v1/models`
with `max_model_len`, `/v1/chat/completions`, `/v1/embeddings`) and the list endpoints of
Anthropic, Azure OpenAI and Gemini, with switches for each failure `check` must explain:
a key refused (401), a path mounted elsewhere (404), a served name missing, a short
`max_model_len`, a plain-text answer to the tool request, TLS with a private CA.
`silent_port()` accepts connections and never answers; `closed_port()` refuses them.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Behaviour:
    served: tuple[str, ...] = ("qwen3",)
    max_model_len: int | None = None
    key: str | None = None  # the key the server wants, in the protocol's header
    prefix: str = "/v1"  # where the OpenAI routes are mounted
    tool_reply: str = "tool"  # tool | text
    dimensions: int = 8
    delay: float = 0.0
    seen: list[Seen] = field(default_factory=list)
    # Requests being answered right now, and the most at once (with `delay`, what a client's
    # concurrency really is).
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": status}})

    def _authorised(self, behaviour: Behaviour) -> bool:
        if behaviour.key is None:
            return True
        offered = {
            self.headers.get("Authorization"),
            "Bearer " + (self.headers.get("x-api-key") or ""),
            "Bearer " + (self.headers.get("api-key") or ""),
            "Bearer " + (self.headers.get("x-goog-api-key") or ""),
        }
        return f"Bearer {behaviour.key}" in offered

    def _handle(self) -> None:
        behaviour = self.server.behaviour
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        behaviour.seen.append(
            Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
        )
        if behaviour.delay:
            with behaviour.lock:
                behaviour.in_flight += 1
                behaviour.peak = max(behaviour.peak, behaviour.in_flight)
            threading.Event().wait(behaviour.delay)
            with behaviour.lock:
                behaviour.in_flight -= 1
        if not self._authorised(behaviour):
            self._error(401, "Incorrect API key provided")
            return
        path = parts.path
        prefix = behaviour.prefix.rstrip("/")
        if self.command == "GET" and path in (f"{prefix}/models", "/openai/models", "/v1beta/models"):
            data = []
            for name in behaviour.served:
                item: dict[str, Any] = {"id": name, "object": "model", "owned_by": "vllm"}
                if behaviour.max_model_len is not None:
                    item["max_model_len"] = behaviour.max_model_len
                data.append(item)
            if path == "/v1beta/models":  # Gemini
                self._send(200, {"models": [{"name": f"models/{n}"} for n in behaviour.served]})
            else:
                self._send(200, {"object": "list", "data": data})
        elif self.command == "POST" and path == f"{prefix}/chat/completions":
            message: dict[str, Any] = {"role": "assistant", "content": "It is sunny in San Francisco."}
            if behaviour.tool_reply == "tool" and isinstance(body, dict) and body.get("tools"):
                message = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"location": "San Francisco"}'},
                        }
                    ],
                }
            self._send(
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": (body or {}).get("model"),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                },
            )
        elif self.command == "POST" and (
            path == f"{prefix}/embeddings"
            or (path.startswith("/openai/deployments/") and path.endswith("/embeddings"))
        ):
            vector = [0.125] * behaviour.dimensions
            self._send(
                200, {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": vector}]}
            )
        elif self.command == "POST" and path.endswith(":embedContent"):
            self._send(200, {"embedding": {"values": [0.5] * behaviour.dimensions}})
        else:
            self._error(404, f"no route for {self.command} {path}")

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour


@contextmanager
def model_server(
    behaviour: Behaviour | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[str, Behaviour]]:
    """(origin, behaviour) of a running server: http://127.0.0.1:PORT (https with `tls`)."""
    behaviour = behaviour or Behaviour()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.behaviour = behaviour
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


def interruptible() -> None:
    """`preexec_fn` of a CLI subprocess a test interrupts: SIGINT, SIGTERM and SIGHUP at their
    defaults, as a terminal's session has them.

    A parent that ignores one passes that on to its children (mutmut's workers ignore SIGINT,
    `nohup` SIGHUP); a Python started with SIGINT ignored never raises KeyboardInterrupt, and
    the CLI leaves an ignored SIGHUP ignored on purpose.
    """
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def tls_context(cert: Any) -> Any:
    """A server-side TLS context presenting `cert` (a trustme certificate; the `private_ca` fixture)."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context
