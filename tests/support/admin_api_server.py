"""A test server for the platform's admin API: schemas/admin-api.openapi.yaml, on 127.0.0.1.

It keeps the Model and ModelProvider tables in memory and implements the document's conventions
(bearer token, pagination by opaque cursor, Idempotency-Key replay for 24 h — also after the row
was deleted, as the document allows —, 409 with existingId, If-Match/etag with 412 and 428,
merge-patch, the error shape, `POST /v1/model-providers` with its `providers:write` scope).
`unique_names=False` is a server that does not refuse a second model of the same name (no
409): only the Idempotency-Key then stands between a retried create and a duplicate row. Every request it receives is validated against
the document with openapi-core, and so is every regular answer it gives: a request the
document does not allow is recorded in `violations` (tests assert there are none) and refused.

Faults, for the retry and convergence tests (`Faults`):

    after_commit   do the write, then answer 503 (Retry-After: 0)    -> the client retries
    after_commit_500  do the write, then answer 500                  -> the client fails fast
    drop_before    close the connection without an answer, no write
    drop_after     do the write, then close the connection without an answer
    rate_limit     429 with Retry-After
    slow           answer after `slow_seconds` (longer than the client's timeout)

`page_limit` forces pages of that many items; `edit_before_patch[name]` edits a row just
before the next PATCH of it arrives (a concurrent edit: the client's etag is stale -> 412).

Not a test module. Run on its own (scripts/sandbox does) it serves until Ctrl-C or SIGTERM:

    python tests/support/admin_api_server.py [--port 0] [--token T]     # prints "admin API: <url>"
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from ruamel.yaml import YAML
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

DOCUMENT = Path(__file__).resolve().parents[2] / "schemas" / "admin-api.openapi.yaml"
PROVIDERS = ("Anthropic", "OpenAI", "Azure OpenAI", "AWS Bedrock", "Google", "Self-Hosted")
FAULT_KINDS = ("after_commit", "after_commit_500", "drop_before", "drop_after", "rate_limit", "slow")
WRITES = ("POST", "PATCH", "DELETE")


@dataclass
class Faults:
    rate: float = 0.0  # chance of a fault on any request
    kinds: tuple[str, ...] = FAULT_KINDS
    script: list[str] = field(default_factory=list)  # forced faults for the next requests, in order
    slow_seconds: float = 1.5
    retry_after: str = "0"
    latency: float = 0.0  # every answer waits this long (the bench: 20 ms)
    page_limit: int | None = None
    seed: int = 7


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class AdminState:
    def __init__(self, token: str, faults: Faults) -> None:
        self.token = token
        self.faults = faults
        self.providers: list[dict[str, Any]] = [
            {"id": f"prv_{i:02d}", "name": n, "managedBy": None} for i, n in enumerate(PROVIDERS, 1)
        ]
        self.rows: dict[str, dict[str, Any]] = {}
        self.keys: dict[tuple[str, str], tuple[str, int, dict[str, Any]]] = {}
        self.unique_names = True  # False: a second model of the same name is stored (no 409)
        self.provider_writes = True  # False: the token lacks the providers:write scope (403)
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.edit_before_patch: dict[str, dict[str, Any]] = {}
        self.injected: list[str] = []  # every fault given, in order
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._etags = itertools.count(1)
        self._rng = random.Random(faults.seed)

    # -- what tests read ----------------------------------------------------------------------
    def writes(self) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method in WRITES]

    def by_name(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {r["name"]: r for r in self.rows.values()}

    def names(self) -> list[str]:
        with self.lock:
            return sorted(r["name"] for r in self.rows.values())

    def add_row(self, name: str, /, **fields: Any) -> dict[str, Any]:
        """A row put there by someone else (the platform's UI, another tool)."""
        with self.lock:
            return self._insert({**fields, "name": name})

    def edit(self, name: str, **fields: Any) -> None:
        with self.lock:
            row = self.by_name()[name]
            row.update(fields)
            row["etag"] = self._etag()

    # -- fault choice -------------------------------------------------------------------------
    def fault(self) -> str | None:
        with self.lock:
            chosen: str | None = None
            if self.faults.script:
                chosen = self.faults.script.pop(0)
            elif self.faults.rate and self._rng.random() < self.faults.rate:
                chosen = self._rng.choice(self.faults.kinds)
            if chosen:
                self.injected.append(chosen)
            return chosen

    # -- the table ----------------------------------------------------------------------------
    def _etag(self) -> str:
        return f'"e{next(self._etags)}"'

    def _insert(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = _now()
        row = {
            **fields,
            "id": f"mdl_{next(self._ids):06d}",
            "etag": self._etag(),
            "createdAt": now,
            "updatedAt": now,
        }
        self.rows[row["id"]] = row
        return row

    def _replay(self, key: str | None, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """The first answer to this key (kept 24 h, whatever happened to the row since), or None."""
        if key is None or (route, key) not in self.keys:
            return None
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        first_digest, status, answer = self.keys[(route, key)]
        if first_digest != digest:
            return 422, _error("idempotency_key_reused", "this Idempotency-Key came with another body")
        return status, answer

    def _remember(self, key: str | None, route: str, body: dict[str, Any], answer: dict[str, Any]) -> None:
        if key is not None:
            digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            self.keys[(route, key)] = (digest, 201, answer)

    def model_count(self, name: str) -> int:
        with self.lock:
            return sum(1 for r in self.rows.values() if r["name"] == name)

    def create_provider(self, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        if not self.provider_writes:
            return 403, _error("forbidden", "this token lacks the providers:write scope")
        replayed = self._replay(key, "providers", body)
        if replayed is not None:
            return replayed
        for provider in self.providers:
            if provider["name"] == body["name"]:  # names compare exactly
                answer = _error("name_taken", f"a provider named {body['name']} exists")
                answer["error"]["existingId"] = provider["id"]
                return 409, answer
        provider = {
            "id": f"prv_{len(self.providers) + 1:02d}",
            "name": body["name"],
            "managedBy": body.get("managedBy"),
        }
        self.providers.append(provider)
        self._remember(key, "providers", body, dict(provider))
        return 201, dict(provider)

    def create(self, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        replayed = self._replay(key, "models", body)
        if replayed is not None:
            return replayed
        if body["providerId"] not in {p["id"] for p in self.providers}:
            return 422, _error("unknown_provider", "providerId names no provider")
        existing = self.by_name().get(body["name"]) if self.unique_names else None
        if existing is not None:
            answer = _error("name_taken", f"a model named {body['name']} exists")
            answer["error"]["existingId"] = existing["id"]
            return 409, answer
        row = dict(self._insert(dict(body)))
        self._remember(key, "models", body, row)
        return 201, row

    def patch(self, model_id: str, etag: str, patch: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        row = self.rows.get(model_id)
        if row is None:
            return 404, _error("not_found", "no such model")
        edit = self.edit_before_patch.pop(row["name"], None)
        if edit is not None:
            row.update(edit)
            row["etag"] = self._etag()
        if etag != row["etag"]:
            return 412, _error("etag_mismatch", "the model changed since it was read")
        for key, value in patch.items():
            if key == "labels" and isinstance(value, dict):
                labels = dict(row.get("labels") or {})
                for label, text in value.items():
                    if text is None:
                        labels.pop(label, None)
                    else:
                        labels[label] = text
                row["labels"] = labels
            else:
                row[key] = value
        row["etag"] = self._etag()
        row["updatedAt"] = _now()
        return 200, dict(row)

    def delete(self, model_id: str, etag: str) -> tuple[int, dict[str, Any] | None]:
        row = self.rows.get(model_id)
        if row is None:
            return 404, _error("not_found", "no such model")
        if etag != row["etag"]:
            return 412, _error("etag_mismatch", "the model changed since it was read")
        del self.rows[model_id]
        return 204, None

    def page(self, limit: int, cursor: str | None) -> dict[str, Any]:
        if self.faults.page_limit is not None:
            limit = min(limit, self.faults.page_limit)
        after = base64.urlsafe_b64decode(cursor.encode()).decode() if cursor else ""
        ordered = sorted((r for r in self.rows.values() if r["id"] > after), key=lambda r: r["id"])
        items = [dict(r) for r in ordered[:limit]]
        more = len(ordered) > limit
        next_cursor = base64.urlsafe_b64encode(items[-1]["id"].encode()).decode() if more else None
        return {"items": items, "nextCursor": next_cursor}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class _Drop(Exception):
    """Close the connection without an answer."""


@functools.cache
def _document() -> OpenAPI:
    """The document, with its server URL made relative (`/api`) so that one parsed copy
    serves every test server whatever its port."""
    spec = YAML(typ="safe").load(DOCUMENT.read_text(encoding="utf-8"))
    spec["servers"] = [{"url": "/api"}]
    config = Config(extra_media_type_deserializers={"application/merge-patch+json": json.loads})
    return OpenAPI.from_dict(spec, config=config)


class AdminApiServer:
    """`with AdminApiServer() as server:` — `server.url` is the document's server URL (…/api)."""

    def __init__(
        self,
        token: str = "test-admin-token",
        faults: Faults | None = None,
        *,
        validate: bool = True,
        port: int = 0,
    ) -> None:
        # validate=False only for scripts/bench: openapi-core's checks cost more CPU than the
        # tool being measured, on the same cores.
        self.validate = validate
        self.state = AdminState(token, faults or Faults())
        self._httpd = _QuietServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.origin = f"http://{host}:{port}"
        self.url = f"{self.origin}/api"
        self.document = _document()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> AdminApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # The state's record and faults, reached from the server for brevity in tests.
    @property
    def faults(self) -> Faults:
        return self.state.faults

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        state = self.state
        with state.lock:
            state.seen.append(Seen(method, target, headers, body))
        if state.faults.latency:
            time.sleep(state.faults.latency)
        split = urlsplit(target)
        builder = EnvironBuilder(
            path=split.path,
            base_url=self.origin,
            method=method,
            query_string=split.query,
            headers=headers,
            data=body,
        )
        request = builder.get_request()
        lowered = {k.lower(): v for k, v in headers.items()}
        if method in ("PATCH", "DELETE") and "if-match" not in lowered:
            state.violations.append(f"{method} {split.path}: no If-Match")
            return _json(428, _error("if_match_required", "send If-Match: <etag>"))
        try:
            if self.validate:
                self.document.validate_request(WerkzeugOpenAPIRequest(request))
        except Exception as exc:  # any openapi-core validation error
            state.violations.append(f"{method} {target}: {exc}")
            status = 401 if "security" in type(exc).__name__.lower() else 422
            return _json(status, _error("invalid_request", str(exc)[:200]))
        if lowered.get("authorization") != f"Bearer {state.token}":
            return _json(401, _error("unauthorized", "wrong token"))
        fault = state.fault()
        if fault == "rate_limit":
            return (
                429,
                {"Retry-After": state.faults.retry_after, "Content-Type": "application/json"},
                json.dumps(_error("rate_limited", "slow down")).encode(),
            )
        if fault == "drop_before":
            raise _Drop
        if fault == "slow":
            time.sleep(state.faults.slow_seconds)
        status, answer = self._route(method, split.path, parse_qs(split.query), lowered, body)
        if fault == "drop_after":
            raise _Drop
        if fault == "after_commit" and method in WRITES:
            return (
                503,
                {"Retry-After": "0", "Content-Type": "application/json"},
                json.dumps(_error("unavailable", "try again")).encode(),
            )
        if fault == "after_commit_500" and method in WRITES:
            return _json(500, _error("internal", "something broke after the write"))
        out = _json(status, answer)
        self._check_answer(request, out)
        return out

    def _check_answer(self, request: Any, out: tuple[int, dict[str, str], bytes]) -> None:
        if not self.validate:
            return
        status, headers, data = out
        response = Response(data, status=status, headers=headers)
        try:
            self.document.validate_response(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
        except Exception as exc:
            self.state.violations.append(f"answer {status}: {exc}")

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        state = self.state
        rest = path.removeprefix("/api")
        with state.lock:
            if rest == "/v1/model-providers" and method == "GET":
                return 200, {"items": [dict(p) for p in state.providers]}
            if rest == "/v1/model-providers" and method == "POST":
                return state.create_provider(json.loads(body), headers.get("idempotency-key"))
            if rest == "/v1/models" and method == "GET":
                limit = int(query.get("limit", ["50"])[0])
                return 200, state.page(limit, query.get("cursor", [None])[0])
            if rest == "/v1/models" and method == "POST":
                return state.create(json.loads(body), headers.get("idempotency-key"))
            if rest.startswith("/v1/models/"):
                model_id = unquote(rest.removeprefix("/v1/models/"))
                if method == "GET":
                    row = state.rows.get(model_id)
                    return (200, dict(row)) if row else (404, _error("not_found", "no such model"))
                if method == "PATCH":
                    return state.patch(model_id, headers["if-match"], json.loads(body))
                if method == "DELETE":
                    return state.delete(model_id, headers["if-match"])
        return 404, _error("not_found", "no such route")


class _QuietServer(ThreadingHTTPServer):
    """A client that went away mid-answer (a killed apply) is not the server's error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _json(status: int, answer: Any) -> tuple[int, dict[str, str], bytes]:
    if answer is None:
        return status, {}, b""
    return status, {"Content-Type": "application/json"}, json.dumps(answer).encode()


def _handler(server: AdminApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment, without waiting for the client's delayed ACK
        # (Nagle's algorithm would add ~40 ms to every answer).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, data = server.handle(
                    self.command, self.path, dict(self.headers.items()), body
                )
            except _Drop:
                self.close_connection = True
                return
            lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
            lines += [f"{key}: {value}" for key, value in headers.items()]
            lines.append(f"Content-Length: {len(data)}")
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def admin_api(faults: Faults | None = None, token: str = "test-admin-token") -> Iterator[AdminApiServer]:
    with AdminApiServer(token, faults) as server:
        yield server


def main(argv: list[str] | None = None) -> int:
    """Serve on 127.0.0.1 until SIGINT or SIGTERM; the first line on stdout is the URL."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(prog="admin_api_server", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--token", default="test-admin-token", help="the bearer token it accepts")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with AdminApiServer(args.token, port=args.port) as server:
        print(f"admin API: {server.url}", flush=True)
        stop.wait()
        print(f"admin API: stopped ({len(server.state.rows)} models held)", flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
