"""The platform's admin API, as `schemas/admin-api.openapi.yaml` describes it.

- `Authorization: Bearer <token>`; JSON in and out; errors `{"error": {"code", "message"}}`.
- `GET /v1/models` is paginated (`limit`, `cursor`, `nextCursor`): `models()` reads every page.
- `POST /v1/models` and `POST /v1/model-providers` carry an `Idempotency-Key` that names one
  create attempt of one run: its retries (after a 5xx that committed, a dropped answer) send the
  same key and get the first answer back instead of a second row; a later run sends a new key,
  so a key the server remembers for 24 h never answers for a row deleted since. A 409 names the
  existing row (`error.existingId`), which is adopted.
- `PATCH` (merge-patch) and `DELETE` send `If-Match: <etag>`; a 412 means the row changed since
  it was read: it is read again, the patch recomputed from the fresh row, and sent again.

Every request goes through `contract.clients.http` (timeouts, TLS, retries). Nothing here
prints; failures are `AdminApiError` (the server refused) or `http.Unavailable` (it is down).
A request body never holds a secret: callers build it from `contract.workflows.apply.desired`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from contract.clients import http
from contract.errors import ExternalError
from contract.knowledge.secrets import mask

PAGE_SIZE = 100  # the document's maximum
MAX_PAGES = 10_000  # a server whose cursor never ends is a broken server, not a long list
MAX_CONFLICT_RETRIES = 5

Row = dict[str, Any]


class AdminApiError(ExternalError):
    """The admin API answered with an error it will repeat: a 4xx (or a 500) with its message."""

    def __init__(self, what: str, status: int, code: str, message: str) -> None:
        super().__init__(f"admin API: {what}: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ModelProvider:
    id: str
    name: str
    managed_by: str | None = None


def idempotency_key(what: str) -> str:
    """A new key for one create attempt (`what`: "model", "provider"). The retries of that
    attempt reuse it (they resend the same request); nothing else ever does, so a key the server
    still remembers can only answer the attempt that sent it, never a later run's create of a
    row deleted meanwhile. 26 random bytes: no two attempts share a key."""
    return f"install-contract-{what}-{secrets.token_hex(26)}"


class AdminApiClient:
    """One admin API. Thread-safe: `apply` sends its writes from a bounded pool of threads."""

    def __init__(
        self,
        client: httpx.Client,
        retry: http.RetryPolicy = http.DEFAULT_RETRY,
        *,
        token: str = "",
        token_name: str = "the admin API token",
        on_retry: http.OnRetry | None = None,
    ) -> None:
        self._client = client
        self._retry = retry
        self._token = token
        self._token_name = token_name
        self._on_retry = on_retry

    @classmethod
    def connect(
        cls,
        url: str,
        token: str,
        *,
        timeout: float = http.DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: http.RetryPolicy = http.DEFAULT_RETRY,
        token_name: str = "the admin API token",
        on_retry: http.OnRetry | None = None,
    ) -> AdminApiClient:
        """A client for the server URL `url` (the document's `servers[].url`, e.g. …/api).

        `token_name` says where the token came from (`$ADMIN_API_TOKEN`) when it is refused;
        `on_retry` hears of every retry (the CLI shows a line)."""
        base = url.rstrip("/") + "/"
        client = http.new_client(
            base,
            timeout=timeout,
            ca_bundle=ca_bundle,
            transport=transport,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        return cls(client, retry, token=token, token_name=token_name, on_retry=on_retry)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AdminApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------
    def providers(self) -> list[ModelProvider]:
        body = self._json("GET", "v1/model-providers", expect=(200,))
        return [
            ModelProvider(str(p["id"]), str(p["name"]), p.get("managedBy") if p.get("managedBy") else None)
            for p in _items(body, "list providers")
        ]

    def models(self, page_size: int = PAGE_SIZE) -> list[Row]:
        """Every row of the Model table, following `nextCursor` to the last page."""
        rows: list[Row] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": page_size}
            if cursor is not None:
                params["cursor"] = cursor
            body = self._json("GET", "v1/models", expect=(200,), params=params)
            rows.extend(_items(body, "list models"))
            cursor = body.get("nextCursor") if isinstance(body, dict) else None
            if not cursor:
                return rows
        raise ExternalError(f"admin API: list models: more than {MAX_PAGES} pages; the cursor never ends")

    def get(self, model_id: str) -> Row | None:
        """The row, or None when it does not exist (any more)."""
        response = self._send("GET", _model_path(model_id))
        if response.status_code == 404:
            return None
        return _row(self._check(response, f"GET model {model_id}", (200,)), "get model")

    # -- writing ------------------------------------------------------------------------------
    def create_provider(self, name: str, managed_by: str) -> tuple[ModelProvider, bool]:
        """Create a ModelProvider; returns it and whether it already existed (409: adopted)."""
        what = f"create provider {name}"
        response = self._send(
            "POST",
            "v1/model-providers",
            json={"name": name, "managedBy": managed_by},
            headers={"Idempotency-Key": idempotency_key("provider")},
        )
        if response.status_code == 409:
            existing = _error(response).get("existingId")
            if isinstance(existing, str) and existing:
                found = {p.id: p for p in self.providers()}.get(existing)
                if found is not None:
                    return found, True
            raise AdminApiError(
                what, 409, "conflict", "a provider of this name exists but the server did not say which"
            )
        answer = self._check(response, what, (200, 201))
        if not isinstance(answer, dict) or not {"id", "name"} <= answer.keys():
            raise AdminApiError(
                what, response.status_code, "bad_response", "the answer is not a ModelProvider"
            )
        return ModelProvider(str(answer["id"]), str(answer["name"]), answer.get("managedBy") or None), False

    def create(self, body: Mapping[str, Any]) -> tuple[Row, bool]:
        """Create a model; returns the row and whether it already existed (409: adopted by name)."""
        response = self._send(
            "POST", "v1/models", json=dict(body), headers={"Idempotency-Key": idempotency_key("model")}
        )
        if response.status_code == 409:
            existing = _error(response).get("existingId")
            if isinstance(existing, str) and existing:
                row = self.get(existing)
                if row is not None:
                    return row, True
            raise AdminApiError(
                f"create model {body.get('name')}",
                409,
                "conflict",
                "a model of this name exists but the server did not say which (no error.existingId)",
            )
        row = _row(self._check(response, f"create model {body.get('name')}", (200, 201)), "create model")
        return row, False

    def update(self, row: Row, patch_for: Callable[[Row], dict[str, Any]]) -> Row:
        """Merge-patch `row` with `patch_for(row)`, guarded by its etag.

        On a 412 (the row changed since it was read) the row is read again and the patch
        recomputed from it, so an edit made elsewhere meanwhile is corrected, not overwritten
        blindly; an empty patch means nothing is left to do.
        """
        for _ in range(MAX_CONFLICT_RETRIES):
            patch = patch_for(row)
            if not patch:
                return row
            response = self._send(
                "PATCH",
                _model_path(row["id"]),
                content=json.dumps(patch).encode("utf-8"),
                headers={"If-Match": str(row["etag"]), "Content-Type": http.MERGE_PATCH},
            )
            if response.status_code == 412:
                fresh = self.get(row["id"])
                if fresh is None:
                    raise AdminApiError(
                        f"update model {row.get('name')}", 404, "not_found", "deleted meanwhile"
                    )
                row = fresh
                continue
            return _row(self._check(response, f"update model {row.get('name')}", (200,)), "update model")
        raise AdminApiError(
            f"update model {row.get('name')}",
            412,
            "etag_mismatch",
            f"the row kept changing under {MAX_CONFLICT_RETRIES} attempts",
        )

    def delete(self, row: Row, still_ours: Callable[[Row], bool]) -> None:
        """Delete `row` (If-Match its etag). On a 412 the fresh row is deleted only if
        `still_ours(fresh)`; a row already gone (404) counts as deleted."""
        for _ in range(MAX_CONFLICT_RETRIES):
            response = self._send("DELETE", _model_path(row["id"]), headers={"If-Match": str(row["etag"])})
            if response.status_code in (204, 404):
                return
            if response.status_code == 412:
                fresh = self.get(row["id"])
                if fresh is None or not still_ours(fresh):
                    return
                row = fresh
                continue
            self._check(response, f"delete model {row.get('name')}", (204,))
        raise AdminApiError(
            f"delete model {row.get('name')}",
            412,
            "etag_mismatch",
            f"the row kept changing under {MAX_CONFLICT_RETRIES} attempts",
        )

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return http.request(
                self._client,
                method,
                url,
                retry=self._retry,
                system="admin API",
                on_retry=self._on_retry,
                **kwargs,
            )
        except http.Unavailable as exc:
            raise http.Unavailable(f"admin API: {exc}") from None

    def _json(self, method: str, url: str, *, expect: tuple[int, ...], **kwargs: Any) -> Any:
        return self._check(self._send(method, url, **kwargs), f"{method} {url}", expect)

    def _check(self, response: httpx.Response, what: str, expect: tuple[int, ...]) -> Any:
        status = response.status_code
        if status in expect:
            if status == 204:
                return None
            try:
                return response.json()
            except ValueError:
                raise AdminApiError(what, status, "bad_response", "not JSON") from None
        error = _error(response)
        # The server's own words may quote what it was sent (the token among it).
        message = mask(str(error.get("message") or response.reason_phrase or "no message"), [self._token])
        code = mask(str(error.get("code") or "error"), [self._token])
        if status in (401, 403):
            message = f"the admin API refused the token in {self._token_name} ({message}): " + (
                "it is not valid" if status == 401 else "it may not change models"
            )
        elif 300 <= status < 400:
            where = response.headers.get("location", "")
            message = f"redirected to {mask(where, [self._token]) or 'another address'}, which is not followed: set the admin API URL to where it points"
        raise AdminApiError(what, status, code, message)


def _model_path(model_id: str) -> str:
    from urllib.parse import quote

    return "v1/models/" + quote(str(model_id), safe="")


def _error(response: httpx.Response) -> dict[str, Any]:
    """The document's error object, or {} when the body is something else."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _items(body: Any, what: str) -> list[Row]:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise AdminApiError(what, 200, "bad_response", "no items list in the answer")
    return items


def _row(body: Any, what: str) -> Row:
    if not isinstance(body, dict) or not {"id", "name", "etag"} <= body.keys():
        raise AdminApiError(what, 200, "bad_response", "the answer is not a Model (id, name, etag)")
    return body
