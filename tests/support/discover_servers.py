"""Local stand-ins for servers `discover` asks: Ollama's documented API and a vLLM-style /v1/models.

There is no Ollama binary here; this server speaks the endpoints Ollama documents
(docs/api.md in Ollama's repository): `GET /api/tags` (models with name, model, size, digest, details),
`POST /api/show` (details, model_info with `<architecture>.context_length`, capabilities),
and its OpenAI-compatible `GET /v1/models`. Both bind 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

OLLAMA_MODELS: dict[str, dict[str, Any]] = {
    "qwen3:8b": {
        "details": {
            "format": "gguf",
            "family": "qwen3",
            "parameter_size": "8.2B",
            "quantization_level": "Q4_K_M",
        },
        "model_info": {
            "general.architecture": "qwen3",
            "qwen3.context_length": 40960,
            "qwen3.block_count": 36,
        },
        "capabilities": ["completion", "tools", "thinking"],
    },
    "nomic-embed-text:latest": {
        "details": {
            "format": "gguf",
            "family": "nomic-bert",
            "parameter_size": "137M",
            "quantization_level": "F16",
        },
        "model_info": {"general.architecture": "nomic-bert", "nomic-bert.context_length": 2048},
        "capabilities": ["embedding"],
    },
    "llama3.2:latest": {
        "details": {
            "format": "gguf",
            "family": "llama",
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
        "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
        "capabilities": ["completion", "tools"],
    },
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.owner.requests.append(("GET", self.path))
        answer = self.server.owner.get(self.path)
        self._send(*answer)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self.server.owner.requests.append(("POST", self.path))
        self._send(*self.server.owner.post(self.path, body))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer


class LocalServer:
    """A JSON server on 127.0.0.1; subclasses answer GET and POST."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def get(self, path: str) -> tuple[int, Any]:
        return 404, {"error": f"no route for GET {path}"}

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        return 404, {"error": f"no route for POST {path}"}

    def __enter__(self) -> LocalServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"


class FakeOllama(LocalServer):
    """Ollama's /api/tags, /api/show and /v1/models for the models given."""

    def __init__(self, models: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        super().__init__()
        self.models = dict(OLLAMA_MODELS if models is None else models)

    def get(self, path: str) -> tuple[int, Any]:
        if path == "/api/tags":
            return 200, {
                "models": [
                    {
                        "name": tag,
                        "model": tag,
                        "modified_at": "2026-05-01T10:00:00Z",
                        "size": 5_000_000_000,
                        "digest": "sha256:" + "0" * 64,
                        "details": info["details"],
                    }
                    for tag, info in self.models.items()
                ]
            }
        if path == "/v1/models":
            return 200, {
                "object": "list",
                "data": [
                    {"id": t, "object": "model", "created": 0, "owned_by": "library"} for t in self.models
                ],
            }
        return super().get(path)

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/show":
            tag = body.get("model") if isinstance(body, dict) else None
            if tag not in self.models:
                return 404, {"error": f"model '{tag}' not found"}
            info = self.models[tag]
            return 200, {"modelfile": "", "parameters": "", "template": "", **info}
        return super().post(path, body)


class FakeVllm(LocalServer):
    """vLLM's GET /v1/models: id (served name), root (the HF id), max_model_len."""

    def __init__(self, models: list[dict[str, Any]]) -> None:
        super().__init__()
        self.models = models

    def get(self, path: str) -> tuple[int, Any]:
        if path == "/v1/models":
            return 200, {
                "object": "list",
                "data": [{"object": "model", "created": 0, "owned_by": "vllm", **m} for m in self.models],
            }
        return super().get(path)
