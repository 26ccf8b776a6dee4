"""Run the steps from where the tool runs: a bounded thread pool, one httpx client per endpoint.

Each request is tried once (no retry): a check reports what an endpoint does now, and a
retried timeout would only make a failing run slower. The timeout bounds every lookup and
request. TLS is always verified (`--ca-bundle`, `SSL_CERT_FILE`, else the system store).

A client per endpoint, not one for all: one client shared across 200 origins spends ~7 ms of
CPU per request scanning its connection pool. The SSL context is built once and shared
(building it loads the trust store).
"""

from __future__ import annotations

import os
import queue
import ssl
import threading
import time
from collections.abc import Callable, Sequence

from contract.workflows.checks import steps
from contract.workflows.checks.steps import EntryResult, StepResult, Target

OnResult = Callable[[EntryResult], None]


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def _dns(target: Target, timeout: float) -> StepResult:
    assert target.host is not None and target.port is not None
    if steps.is_address(target.host):
        return StepResult("dns", "pass", 0, f"{target.host} is an address: nothing to resolve")
    from contract.clients.http import resolve

    start = time.monotonic()
    try:
        addresses = resolve(target.host, target.port, timeout)
    except TimeoutError:
        return StepResult(
            "dns", "fail", _ms(start), steps.unresolvable(target.host, f"no answer within {timeout:g} s")
        )
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        return StepResult("dns", "fail", _ms(start), steps.unresolvable(target.host, reason))
    shown = ", ".join(addresses[:3]) + (" …" if len(addresses) > 3 else "")
    return StepResult("dns", "pass", _ms(start), f"{target.host} → {shown}")


def _transport_failure(target: Target, exc: Exception, timeout: float) -> str:
    import httpx

    text = str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return steps.timed_out(target, timeout)
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "TLS" in text:
            reason = text.split("] ", 1)[-1] if "] " in text else text
            return steps.tls_failed(target.mask(reason))
        if "refused" in text.lower():
            return steps.refused(target)
        return target.mask(f"cannot connect to {target.host}:{target.port}: {text}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{target.host}:{target.port} closed the connection without an answer: is it an HTTP server (http vs https)?"
    return target.mask(f"{type(exc).__name__}: {text}")


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def proxies_configured() -> bool:
    """Any proxy variable set: then each client reads the environment (and NO_PROXY) itself."""
    return any(os.environ.get(name) for name in _PROXY_VARIABLES)


def check_target(
    target: Target, timeout: float, verify: ssl.SSLContext, trust_env: bool = True
) -> EntryResult:
    """Every step of one entry, in order, stopping at the first failure."""
    import httpx

    from contract.clients.http import new_client

    done: list[StepResult] = []
    if target.problem and target.problem_step == "dns":
        return steps.finish(target, [steps.problem_result(target)])
    if "dns" in target.steps and "dns" not in target.skips:
        done.append(_dns(target, timeout))
        if done[-1].status == "fail":
            return steps.finish(target, done)
    if target.problem:
        return steps.finish(target, [*done, steps.problem_result(target)])
    http_steps = [s for s in target.steps if s != "dns" and s not in target.skips and s in target.calls]
    if not http_steps:
        return steps.finish(target, done)
    with new_client(timeout=timeout, verify=verify, trust_env=trust_env) as client:
        for step in http_steps:
            call = target.calls[step]
            start = time.monotonic()
            try:
                response = client.request(
                    call.method,
                    call.url,
                    headers=dict(call.headers + call.secret_headers),
                    json=call.body,
                )
                body = response.read()
            except httpx.TransportError as exc:
                done.append(StepResult(step, "fail", _ms(start), _transport_failure(target, exc, timeout)))
                break
            status, detail = steps.judge(target, step, response.status_code, body)
            done.append(StepResult(step, status, _ms(start), detail))
            if status == "fail":
                break
    return steps.finish(target, done)


def run_local(
    targets: Sequence[Target],
    *,
    timeout: float,
    concurrency: int,
    ca_bundle: str | None = None,
    on_result: OnResult | None = None,
) -> list[EntryResult]:
    """Check every target, at most `concurrency` at once; results in the targets' order.

    `on_result` is called in the calling thread as each entry finishes (for progress).
    The workers are daemon threads: on Ctrl-C the interrupt is re-raised at once and the
    requests in flight are abandoned, instead of holding the exit for up to `timeout`.
    """
    from contract.clients.http import ssl_context

    # Building a verifying context loads the trust store (~0.24 s of CPU here): once per run,
    # not per client. Plain-http endpoints get a strict context with no CA at all, which
    # could only fail a TLS handshake, never let one pass.
    if any(t.scheme == "https" for t in targets):
        verify = ssl_context(ca_bundle)
    else:
        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Reading the proxy variables costs each client ~1 ms of CPU: only when some are set.
    trust_env = proxies_configured()
    work: queue.SimpleQueue[tuple[int, Target]] = queue.SimpleQueue()
    for item in enumerate(targets):
        work.put(item)
    done: queue.SimpleQueue[tuple[int, EntryResult | BaseException]] = queue.SimpleQueue()

    def worker() -> None:
        while True:
            try:
                index, target = work.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((index, check_target(target, timeout, verify, trust_env)))
            except BaseException as exc:  # a bug: hand it to the caller rather than lose it
                done.put((index, exc))

    for number in range(min(max(1, concurrency), len(targets))):
        threading.Thread(target=worker, name=f"check-{number}", daemon=True).start()
    results: dict[int, EntryResult] = {}
    while len(results) < len(targets):
        try:
            index, outcome = done.get(timeout=0.25)  # a timeout keeps Ctrl-C responsive
        except queue.Empty:
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        results[index] = outcome
        if on_result is not None:
            on_result(outcome)
    return [results[i] for i in range(len(targets))]
