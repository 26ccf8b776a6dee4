"""Unleash's admin API (8.2.0), the few calls `apply` needs to point feature flags at models.

    GET  /api/admin/projects/{project}/features/{flag}                       the flag, or 404
    POST /api/admin/projects/{project}/features                              create (409: it exists)
    GET  /api/admin/projects/{project}/features/{flag}/environments/{env}/variants
    PUT  /api/admin/projects/{project}/features/{flag}/variants-batch        variants of several environments
    POST /api/admin/projects/{project}/features/{flag}/environments/{env}/on

The token goes in `Authorization` as it is (Unleash takes no `Bearer`). Unleash has no
`If-Match`, so callers read, compare and write only what differs. Facts of 8.2.0 this relies on:
the flag GET omits environment variants (hence the per-environment read), and the legacy
per-environment variants PUT is refused on new flags, while `variants-batch` is not.

Every request goes through `contract.clients.http` (timeouts, TLS, retries on 429/5xx and
dropped connections). Errors raise `UnleashError` with the server's own message; no request
body or header ever appears in one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from contract.clients.http import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    OnRetry,
    RetryPolicy,
    new_client,
    request,
)
from contract.errors import ExternalError, UsageError
from contract.knowledge.secrets import mask, refuse_header_value
from contract.pipeline.model import Unleash

DEFAULT_TOKEN_ENV = "UNLEASH_ADMIN_TOKEN"

__all__ = ["DEFAULT_TOKEN_ENV", "UnleashClient", "UnleashConflict", "UnleashError"]


class UnleashError(ExternalError):
    """Unleash refused a request; `status` is its HTTP status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UnleashConflict(UnleashError):
    """409: the name is taken (Unleash's message says whether by an archived flag)."""


def _segment(value: str) -> str:
    return quote(value, safe="")


class UnleashClient:
    """One Unleash server and project. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        project: str = "default",
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        ca_bundle: str | None = None,
        transport: httpx.BaseTransport | None = None,
        token_name: str = "the Unleash token",
        on_retry: OnRetry | None = None,
    ) -> None:
        base = url.rstrip("/")
        # `platform.unleash.url` is the server's address; accept one written with the /api suffix.
        if base.endswith("/api"):
            base = base[: -len("/api")]
        self.url = base
        self.project = project
        self._retry = retry
        self._token = token
        self._token_name = token_name
        self._on_retry = on_retry
        self._http = new_client(
            base,
            timeout=timeout,
            ca_bundle=ca_bundle,
            headers={"Authorization": token, "Accept": "application/json"},
            transport=transport,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Unleash,
        env: Mapping[str, str],
        *,
        timeout: float,
        retry: RetryPolicy = DEFAULT_RETRY,
        ca_bundle: str | None = None,
        transport: httpx.BaseTransport | None = None,
        on_retry: OnRetry | None = None,
    ) -> UnleashClient:
        """The client `platform.unleash` describes; its token is read from `settings.token_env`
        (default UNLEASH_ADMIN_TOKEN) in `env`."""
        if not settings.url:
            raise UsageError(
                "platform.unleash.url is not set: the address of Unleash is needed to apply flags"
            )
        token_env = settings.token_env or DEFAULT_TOKEN_ENV
        token = env.get(token_env, "")
        if not token.strip():
            raise UsageError(f"{token_env} is not set: export an Unleash admin API token in it")
        refuse_header_value(token, f"${token_env} (the Unleash admin API token)")
        return cls(
            settings.url,
            token,
            project=settings.project,
            timeout=timeout,
            retry=retry,
            ca_bundle=ca_bundle,
            transport=transport,
            token_name=f"${token_env}",
            on_retry=on_retry,
        )

    # -- lifecycle

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> UnleashClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads

    def _features(self) -> str:
        return f"/api/admin/projects/{_segment(self.project)}/features"

    def _feature(self, name: str) -> str:
        return f"{self._features()}/{_segment(name)}"

    def feature(self, name: str) -> dict[str, Any] | None:
        """The flag (with `environments[].enabled`), or None when the project has no such flag."""
        response = self._send("GET", self._feature(name))
        if response.status_code == 404:
            return None
        self._raise_for(response, f"read flag {name}")
        return self._json(response, f"read flag {name}")

    def environment_variants(self, name: str, environment: str) -> list[dict[str, Any]]:
        """The flag's variants in one environment (the flag GET does not carry them)."""
        what = f"read the variants of {name} in {environment}"
        response = self._send("GET", f"{self._feature(name)}/environments/{_segment(environment)}/variants")
        self._raise_for(response, what)
        body = self._json(response, what)
        variants = body.get("variants")
        if not isinstance(variants, list):
            raise UnleashError(f"Unleash: {what}: the answer has no variants list", response.status_code)
        return [v for v in variants if isinstance(v, dict)]

    # -- writes

    def create_feature(self, name: str, *, flag_type: str = "release") -> None:
        """Create the flag. Raises `UnleashConflict` when the name is taken (409): in this project
        (a retried create whose first attempt committed ends here too), in another one, or by an
        archived flag; the caller tells these apart by reading the flag."""
        response = self._send("POST", self._features(), json={"name": name, "type": flag_type})
        self._raise_for(response, f"create flag {name}")

    def set_variants(
        self, name: str, variants: Sequence[Mapping[str, Any]], environments: Sequence[str]
    ) -> None:
        """Replace the flag's variants in `environments` with exactly `variants`."""
        response = self._send(
            "PUT",
            f"{self._feature(name)}/variants-batch",
            json={"variants": [dict(v) for v in variants], "environments": list(environments)},
        )
        self._raise_for(response, f"set the variants of {name} in {', '.join(environments)}")

    def enable(self, name: str, environment: str) -> None:
        """Turn the flag on in one environment (Unleash adds its default strategy when there is none)."""
        response = self._send("POST", f"{self._feature(name)}/environments/{_segment(environment)}/on")
        self._raise_for(response, f"enable {name} in {environment}")

    # -- plumbing

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return request(
            self._http, method, path, retry=self._retry, system="Unleash", on_retry=self._on_retry, **kwargs
        )

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        if response.is_success:
            return
        status = response.status_code
        # The server's own words may quote what it was sent (the token among it).
        message = mask(_server_message(response), [self._token])
        if status == 409:
            raise UnleashConflict(f"Unleash: {what}: {message}", status)
        if status in (401, 403):
            raise UnleashError(
                f"Unleash refused the token in {self._token_name} ({what}: HTTP {status}): {message}; "
                "it needs an admin API token for this project",
                status,
            )
        if 300 <= status < 400:
            raise UnleashError(
                f"Unleash: {what}: HTTP {status}: redirected, which is not followed: "
                "set platform.unleash.url to the server's own address",
                status,
            )
        raise UnleashError(f"Unleash: {what}: HTTP {status}: {message}", status)

    @staticmethod
    def _json(response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise UnleashError(f"Unleash: {what}: the answer is not a JSON object", response.status_code)
        return body


def _server_message(response: httpx.Response) -> str:
    """Unleash's own explanation (`message`, else its first `details[].message`), one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = ""
    if isinstance(body, dict):
        if isinstance(body.get("message"), str):
            message = body["message"]
        elif isinstance(body.get("details"), list) and body["details"]:
            first = body["details"][0]
            if isinstance(first, dict) and isinstance(first.get("message"), str):
                message = first["message"]
    if not message:
        message = response.reason_phrase or "no explanation"
    return " ".join(message.split())[:500]
