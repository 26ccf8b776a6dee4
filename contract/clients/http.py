"""The one timeout, TLS and retry policy of every HTTP client the tool uses.

- **Timeouts**: every request and connect is bounded (`DEFAULT_TIMEOUT`, `--timeout`).
- **TLS**: always verified. A private CA comes from `ca_bundle` (`--ca-bundle`) or
  `SSL_CERT_FILE`; otherwise the system's trust store.
- **Retries** (`request`, `retry_call`): connection errors, resets, timeouts, 429 and
  502/503/504, with capped exponential backoff and jitter (stamina). `Retry-After` (seconds or
  an HTTP date) replaces the backoff when it asks for at most `MAX_RETRY_AFTER` seconds; a
  server asking for longer is treated as down: the request gives up at once instead of
  waiting. Any other answer is returned to the caller at once: a 4xx (401, 403 included) is
  the caller's to explain, and a request that cannot even be sent (a header value httpx
  refuses) is a local mistake, never retried.
- **Redirects** are never followed: a 3xx is returned as it came, so credentials never travel
  to a host the user did not name.
- **DNS** lookups are bounded by the timeout too (`resolve`): `getaddrinfo` has no timeout of
  its own, and a resolver that never answers would hold a run for minutes.
- **One client per system or endpoint**: a client shared by hundreds of origins spends its time
  scanning its connection pool (measured: ~7 ms of CPU a request across 200 origins).

Nothing here prints; stamina's retry logging is switched off so that a retry never writes to
stderr from inside the library. A caller that wants to show retries passes `on_retry`, which
receives a `RetryNotice` before each wait ("admin API: connection refused; retry 2 of 6 in
1.2 s"); the CLI renders it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpcore
import httpx
import stamina
import stamina.instrumentation

from contract.errors import ExternalError

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A server asking (Retry-After) for more than this is treated as down rather than waited for.
MAX_RETRY_AFTER = 30.0
# RFC 7396 JSON merge patch: the admin API's PATCH body and Kubernetes' "merge" patch.
MERGE_PATCH = "application/merge-patch+json"

stamina.instrumentation.set_on_retry_hooks([])


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying one request: attempts, total time, and the backoff's shape."""

    attempts: int = 6
    timeout: float = 60.0
    wait_initial: float = 0.2
    wait_max: float = 5.0
    wait_jitter: float = 0.5


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class RetryNotice:
    """A failed attempt that will be tried again: what failed, which try comes next, and when."""

    system: str  # "admin API", "Unleash", "Kubernetes API"
    reason: str  # "connection refused", "HTTP 503"
    attempt: int  # the number of the attempt about to be made (2 after the first failure)
    attempts: int  # of this many at most
    wait: float  # seconds before it

    def __str__(self) -> str:
        where = f"{self.system}: " if self.system else ""
        return f"{where}{self.reason}; retry {self.attempt} of {self.attempts} in {self.wait:.1f} s"


OnRetry = Callable[[RetryNotice], None]


class Unavailable(ExternalError):
    """A system stayed unreachable or kept answering 429/5xx after every retry."""


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class _WaitTooLong(Exception):
    """Retry-After asked for more than MAX_RETRY_AFTER: the server is treated as down."""

    def __init__(self, response: httpx.Response, seconds: float) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.seconds = seconds


def ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """A verifying context: `ca_bundle`, else `$SSL_CERT_FILE`, else the system's trust store."""
    cafile = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ExternalError(f"cannot read the CA bundle {cafile}: {exc}") from None


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of `host`, bounded by `timeout` (getaddrinfo has no timeout of its own).

    The lookup runs in a daemon thread: one that never answers is abandoned, not waited for.
    Raises TimeoutError when no answer came in time, OSError/UnicodeError when there is none.
    """
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=lookup, name=f"dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    infos = outcome.get("addresses")
    assert isinstance(infos, list)
    return sorted({str(info[4][0]) for info in infos})


class _BoundedDnsBackend(httpcore.SyncBackend):
    """httpcore's socket backend with the host looked up under the connect timeout first."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bound = timeout or DEFAULT_TIMEOUT
        try:
            addresses = [host] if _is_address(host) else resolve(host, port, bound)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"DNS lookup of {host}: no answer within {bound:g} s") from None
        except (OSError, UnicodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise httpcore.ConnectError(f"cannot resolve {host}: {reason}") from None
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # the next address may answer
                last = exc
        assert last is not None
        raise last


def _is_address(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def new_client(
    base_url: str = "",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    ca_bundle: str | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    verify: ssl.SSLContext | None = None,
    trust_env: bool = True,
) -> httpx.Client:
    """An httpx client for one system or endpoint, with the policy's timeout, DNS bound and TLS.

    `verify`: an `ssl_context()` made once and shared by many clients (building one loads the
    trust store, a few ms of CPU each: too much for one client per endpoint across hundreds).
    `trust_env=False` skips reading proxy variables (and .netrc) for each client, for a caller
    that has seen none are set.
    """
    context = verify if verify is not None else ssl_context(ca_bundle)
    client = httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        verify=context,
        headers=dict(headers or {}),
        transport=transport,
        # Proxies come from the environment only when the user set them; never follow
        # redirects silently to another host with our credentials.
        follow_redirects=False,
        trust_env=trust_env,
    )
    if transport is None:
        # httpx takes no network backend of its own; its pool is httpcore's, which does.
        client._transport._pool._network_backend = _BoundedDnsBackend()  # type: ignore[attr-defined]
    return client


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429/503 asks us to wait (`Retry-After`: seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _backoff(exc: Exception) -> bool | float:
    if isinstance(exc, _RetryableStatus):
        wait = retry_after(exc.response)
        if wait is not None:
            if wait > MAX_RETRY_AFTER:
                raise _WaitTooLong(exc.response, wait)
            return wait
        return True
    if isinstance(exc, httpx.LocalProtocolError):
        return False  # the request itself is malformed: sending it again changes nothing
    return isinstance(exc, httpx.TransportError)


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    system: str = "",
    on_retry: OnRetry | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request under the retry policy and return the server's answer.

    Retries transport failures and 429/502/503/504; returns any other response as it came
    (a 3xx included: redirects are not followed). When every attempt failed, raises
    `Unavailable` naming the method, URL and last failure (never a header or body, which may
    hold a key). `on_retry` hears of each retry before its wait.
    """
    tries = 0

    def attempt() -> httpx.Response:
        nonlocal tries
        tries += 1
        response = client.request(method, url, **kwargs)
        if response.status_code in RETRY_STATUSES:
            response.read()
            raise _RetryableStatus(response)
        return response

    where = f"{method} {_display(client, url)}"
    try:
        return retry_call(attempt, on=_backoff, retry=retry, system=system, on_retry=on_retry)
    except _WaitTooLong as exc:
        raise Unavailable(
            f"{where}: HTTP {exc.response.status_code} asking to retry in {exc.seconds:g} s, "
            f"more than the {MAX_RETRY_AFTER:g} s this tool waits: try again later"
        ) from None
    except _RetryableStatus as exc:
        raise Unavailable(f"{where}: HTTP {exc.response.status_code} after {tries} attempts") from None
    except httpx.LocalProtocolError:
        raise Unavailable(
            f"{where}: the request cannot be sent (a header value HTTP does not allow)"
        ) from None
    except httpx.TransportError as exc:
        raise Unavailable(f"{where}: {describe_transport_error(exc)} after {tries} attempts") from None


def describe_failure(exc: BaseException) -> str:
    """A few words for a failed attempt: `HTTP 503`, `connection refused`, …"""
    if isinstance(exc, _RetryableStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.TransportError):
        return describe_transport_error(exc)
    return str(exc) or type(exc).__name__


def _wait_for(attempt: int, retry: RetryPolicy) -> float:
    """The backoff before attempt `attempt + 1`: exponential from wait_initial, capped, jittered."""
    jitter = random.uniform(0, retry.wait_jitter) if retry.wait_jitter else 0.0
    try:
        return min(retry.wait_max, retry.wait_initial * 2.0 ** (attempt - 1) + jitter)
    except OverflowError:
        return retry.wait_max


def retry_call(
    fn: Callable[[], T],
    *,
    on: Callable[[Exception], bool | float],
    retry: RetryPolicy = DEFAULT_RETRY,
    system: str = "",
    on_retry: OnRetry | None = None,
    describe: Callable[[BaseException], str] = describe_failure,
) -> T:
    """Call `fn` until it succeeds or the policy gives up; `on` says which failures to retry
    (True) and may return seconds to wait instead of the backoff (Retry-After). `on_retry`
    hears of every retry before its wait (never of the last failure, which is raised; in
    stamina's test mode, which stops sooner, the notices follow the policy's count)."""
    made = 0
    started = time.monotonic()

    def decide(exc: Exception) -> bool | float:
        decision = on(exc)
        if decision is False:
            return False
        wait = _wait_for(made, retry) if decision is True else float(decision)
        # stamina asks this before its stop conditions: announce only a retry that will happen.
        if on_retry is not None and made < retry.attempts and time.monotonic() - started < retry.timeout:
            on_retry(RetryNotice(system, describe(exc), made + 1, retry.attempts, wait))
        return wait

    for attempt in stamina.retry_context(
        on=decide,
        attempts=retry.attempts,
        timeout=retry.timeout,
        wait_initial=retry.wait_initial,
        wait_max=retry.wait_max,
        wait_jitter=retry.wait_jitter,
    ):
        made = attempt.num
        with attempt:
            return fn()
    raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A short reason for a failed connection, without anything the request carried."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer before the timeout"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return f"TLS failure: {text}"
        if "refused" in text.lower():
            return "connection refused"
        if text.startswith("cannot resolve "):
            return text
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection"
    return type(exc).__name__


def _display(client: httpx.Client, url: str) -> str:
    full = client.base_url.join(url) if client.base_url else httpx.URL(url)
    return str(full.copy_with(query=None, userinfo=b""))
