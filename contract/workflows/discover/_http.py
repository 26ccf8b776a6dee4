"""The HTTP side of probing a server: the shared policy with a short retry, JSON or a reason."""

from __future__ import annotations

from typing import Any

from contract.clients.http import RetryPolicy
from contract.errors import ExternalError

# An absent default port must answer fast: two quick tries, then "not running".
PROBE_RETRY = RetryPolicy(attempts=2, timeout=5.0, wait_initial=0.1, wait_max=0.5, wait_jitter=0.1)
PROBE_TIMEOUT = 5.0


class ProbeFailed(ExternalError):
    """The server did not answer as the protocol says; `reachable` tells down from odd."""

    def __init__(self, message: str, reachable: bool) -> None:
        super().__init__(message)
        self.reachable = reachable


def get_json(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    """`method path` under the probe policy, the parsed JSON answer, or ProbeFailed."""
    from contract.clients.http import Unavailable, request

    try:
        response = request(client, method, path, retry=PROBE_RETRY, **kwargs)
    except Unavailable as exc:
        raise ProbeFailed(str(exc), reachable=False) from None
    if response.status_code != 200:
        raise ProbeFailed(f"{method} {path}: HTTP {response.status_code}", reachable=True)
    try:
        return response.json()
    except ValueError:
        raise ProbeFailed(f"{method} {path}: the answer is not JSON", reachable=True) from None


def base_url(url: str) -> str:
    """The server's base URL without a trailing `/` or `/v1`."""
    url = url.strip().rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url
