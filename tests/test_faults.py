"""Faults told apart: what is retried and what is not, how long a retry waits, and what is said.

- A local mistake (a request that cannot be sent, a 401, a 403) is never retried, and a refused
  token is named by its variable.
- `Retry-After` is waited for (a real, short wait here, not stamina's zero-wait test mode) up
  to `MAX_RETRY_AFTER`; a server asking for longer is treated as down at once.
- Redirects are not followed: a 3xx comes back as it is, and the clients say so.
- DNS lookups are bounded by the timeout, in `check`'s DNS step and in every client's connect.
- While retrying, each retry is announced through `on_retry`, which the CLI prints as one line.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina
from click.testing import CliRunner

from cli.main import main
from contract.clients.admin_api import AdminApiClient, AdminApiError
from contract.clients.http import (
    MAX_RETRY_AFTER,
    RetryNotice,
    RetryPolicy,
    Unavailable,
    new_client,
    request,
)
from contract.clients.unleash import UnleashClient, UnleashError
from tests.support.admin_api_server import AdminApiServer
from tests.support.check_servers import closed_port

NO_BACKOFF = RetryPolicy(attempts=4, timeout=30.0, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
TOKEN = "test-admin-token"


def _transport(answers: list[httpx.Response | Exception], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler)


# ------------------------------------------------------------------ Retry-After


def test_retry_after_is_waited_for_for_real() -> None:
    """Not stamina's test mode: the policy's own backoff is zero, so only Retry-After waits."""
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json={"ok": True}),
    ]
    client = new_client("http://api.test", transport=_transport(answers, seen))
    notices: list[RetryNotice] = []
    start = time.monotonic()
    response = request(
        client, "GET", "/v1/models", retry=NO_BACKOFF, system="admin API", on_retry=notices.append
    )
    waited = time.monotonic() - start
    assert response.status_code == 200 and len(seen) == 2
    assert 0.95 <= waited < 5, waited
    assert [str(n) for n in notices] == ["admin API: HTTP 429; retry 2 of 4 in 1.0 s"]


def test_retry_after_above_the_cap_gives_up_at_once() -> None:
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [
        httpx.Response(503, headers={"Retry-After": str(int(MAX_RETRY_AFTER) + 90)})
    ]
    client = new_client("http://api.test", transport=_transport(answers, seen))
    start = time.monotonic()
    with pytest.raises(Unavailable) as info:
        request(client, "GET", "/v1/models", retry=NO_BACKOFF)
    assert time.monotonic() - start < 2 and len(seen) == 1
    assert "HTTP 503 asking to retry in 120 s, more than the 30 s this tool waits" in str(info.value)


def test_retry_after_at_the_cap_is_waited_for() -> None:
    from contract.clients.http import _backoff, _RetryableStatus

    at_cap = _RetryableStatus(httpx.Response(429, headers={"Retry-After": str(MAX_RETRY_AFTER)}))
    assert _backoff(at_cap) == MAX_RETRY_AFTER
    assert _backoff(_RetryableStatus(httpx.Response(429, headers={"Retry-After": "0"}))) == 0.0
    assert _backoff(_RetryableStatus(httpx.Response(503))) is True


# ------------------------------------------------------------------ local mistakes


@pytest.fixture
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=4)
    yield
    stamina.set_testing(False)


@pytest.mark.usefixtures("_no_waiting")
def test_a_request_that_cannot_be_sent_is_never_retried() -> None:
    seen: list[httpx.Request] = []
    client = new_client(
        "http://api.test", transport=_transport([httpx.LocalProtocolError("bad header")], seen)
    )
    with pytest.raises(Unavailable, match="cannot be sent"):
        request(client, "GET", "/v1/models", retry=NO_BACKOFF)
    assert len(seen) == 1


@pytest.mark.usefixtures("_no_waiting")
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_admin_token_is_named_and_not_retried(status: int) -> None:
    seen: list[httpx.Request] = []
    body = {"error": {"code": "unauthorized", "message": f"token {TOKEN} is not valid"}}
    client = AdminApiClient(
        new_client("http://api.test/api/", transport=_transport([httpx.Response(status, json=body)], seen)),
        NO_BACKOFF,
        token=TOKEN,
        token_name="$ADMIN_API_TOKEN",
    )
    with pytest.raises(AdminApiError) as info:
        client.models()
    assert len(seen) == 1
    assert "the admin API refused the token in $ADMIN_API_TOKEN" in str(info.value)
    assert TOKEN not in str(info.value) and "token **** is not valid" in str(info.value)


@pytest.mark.usefixtures("_no_waiting")
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_unleash_token_is_named_and_not_retried(status: int) -> None:
    from contract.pipeline.model import Unleash

    seen: list[httpx.Request] = []
    token = "*:*.unleash-admin-token-1234"
    transport = _transport([httpx.Response(status, json={"message": f"{token} is not allowed"})], seen)
    client = UnleashClient.from_settings(
        Unleash(url="http://unleash.test", token_env="FLAGS_TOKEN"),
        {"FLAGS_TOKEN": token},
        timeout=1.0,
        retry=NO_BACKOFF,
        transport=transport,
    )
    with pytest.raises(UnleashError) as info:
        client.feature("DEFAULT_WORKFLOW_STEP_MODEL")
    assert len(seen) == 1
    assert "Unleash refused the token in $FLAGS_TOKEN" in str(info.value)
    assert token not in str(info.value)


def test_a_wrong_admin_token_through_plan_is_one_request_and_named(tmp_path: Path) -> None:
    with AdminApiServer(TOKEN) as server:
        path = tmp_path / "install-contract.yaml"
        path.write_text(
            f"platform:\n  adminApi:\n    url: {server.url}\nmodels:\n{_entry()}", encoding="utf-8"
        )
        result = CliRunner().invoke(
            main,
            ["plan", str(path)],
            env={"ADMIN_API_TOKEN": "wrong-token-abcdef", "OPENAI_API_KEY": "sk-x1234567"},
        )
        assert result.exit_code == 3, result.output
        assert "refused the token in $ADMIN_API_TOKEN" in result.stderr
        # the providers and the first model page go out together; neither is tried again
        paths = [seen.path for seen in server.state.seen]
        assert 1 <= len(paths) <= 2 and len(set(paths)) == len(paths)
        assert "wrong-token-abcdef" not in result.stderr + result.stdout


def _entry() -> str:
    return (
        "  - litellmModelName: gpt-4o\n"
        "    litellmModel: openai/gpt-4o-2024-08-06\n"
        "    displayName: GPT-4o\n"
        "    provider: OpenAI\n"
        "    creator: OpenAI\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    costTier: MEDIUM\n"
        "    contextWindow: 128000\n"
        "    maxTokens: 16384\n"
        "    apiKey: ${OPENAI_API_KEY}\n"
    )


# ------------------------------------------------------------------ redirects


def test_redirects_are_not_followed() -> None:
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [
        httpx.Response(302, headers={"Location": "http://elsewhere.test/steal"}),
        httpx.Response(200, json={"items": []}),
    ]
    client = new_client("http://api.test", transport=_transport(answers, seen))
    assert request(client, "GET", "/v1/models").status_code == 302
    assert [r.url.host for r in seen] == ["api.test"]


def test_the_admin_api_says_a_redirect_is_not_followed() -> None:
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [
        httpx.Response(308, headers={"Location": "https://admin.example.com/api/v1/model-providers"}),
        httpx.Response(200, json={"items": []}),
    ]
    client = AdminApiClient(
        new_client("http://api.test/api/", transport=_transport(answers, seen)), NO_BACKOFF
    )
    with pytest.raises(
        AdminApiError, match=r"redirected to https://admin\.example\.com/api/v1/model-providers"
    ):
        client.providers()
    assert len(seen) == 1


# ------------------------------------------------------------------ DNS bounded


@pytest.fixture
def slow_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """`*.slow-dns.test` never resolves within the test (a resolver that does not answer)."""
    real = socket.getaddrinfo
    release = threading.Event()

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith("slow-dns.test"):
            release.wait(10)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield release
    release.set()


def test_a_client_connect_bounds_the_dns_lookup(slow_dns: threading.Event) -> None:
    client = new_client(timeout=0.3)
    start = time.monotonic()
    with pytest.raises(httpx.ConnectTimeout, match=r"DNS lookup of api\.slow-dns\.test"):
        client.get("http://api.slow-dns.test:8000/v1/models")
    assert time.monotonic() - start < 3


def test_checks_dns_step_is_bounded_by_the_timeout(slow_dns: threading.Event) -> None:
    from contract.pipeline._pydantic import parse
    from contract.pipeline.model import ModelEntry
    from contract.workflows.checks.local import check_target
    from contract.workflows.checks.steps import plan
    from tests.support.check_entries import entry

    target = plan(
        parse(ModelEntry, {**entry("qwen3", "http://vllm.slow-dns.test:8000/v1"), "apiKey": None}),
        {},
        self_hosted=True,
    )
    import ssl

    start = time.monotonic()
    result = check_target(target, 0.3, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    assert time.monotonic() - start < 3
    assert result.steps[0].status == "fail" and "no answer within 0.3 s" in result.steps[0].detail


# ------------------------------------------------------------------ retry notices


@pytest.mark.usefixtures("_no_waiting")
def test_each_retry_is_announced_and_the_last_failure_is_not() -> None:
    seen: list[httpx.Request] = []
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    client = AdminApiClient(
        new_client("http://api.test/api/", transport=_transport([refused], seen)),
        RetryPolicy(attempts=4),
        on_retry=(notices := []).append,
    )
    with pytest.raises(Unavailable, match="connection refused after 4 attempts"):
        client.providers()
    assert [(n.system, n.reason, n.attempt, n.attempts) for n in notices] == [
        ("admin API", "connection refused", 2, 4),
        ("admin API", "connection refused", 3, 4),
        ("admin API", "connection refused", 4, 4),
    ]
    assert all(0 <= n.wait <= 5.0 for n in notices)
    assert str(RetryNotice("admin API", "connection refused", 2, 6, 1.234)) == (
        "admin API: connection refused; retry 2 of 6 in 1.2 s"
    )


def test_backoff_grows_and_is_capped() -> None:
    from contract.clients.http import _wait_for

    policy = RetryPolicy(wait_initial=0.2, wait_max=5.0, wait_jitter=0.0)
    assert [_wait_for(n, policy) for n in (1, 2, 3, 6, 40)] == [0.2, 0.4, 0.8, 5.0, 5.0]
    jittered = RetryPolicy(wait_initial=0.2, wait_max=5.0, wait_jitter=0.5)
    assert all(0.2 <= _wait_for(1, jittered) <= 0.7 for _ in range(50))


@pytest.mark.usefixtures("_no_waiting")
def test_plan_prints_a_line_for_each_retry(tmp_path: Path) -> None:
    port = closed_port()
    path = tmp_path / "install-contract.yaml"
    path.write_text(
        f"platform:\n  adminApi:\n    url: http://127.0.0.1:{port}/api\nmodels:\n{_entry()}", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["plan", str(path)], env={"ADMIN_API_TOKEN": TOKEN, "OPENAI_API_KEY": "sk-x1234567"}
    )
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if "; retry " in line]
    assert lines[0].startswith("install-contract: admin API: connection refused; retry 2 of 6 in ")
    # the providers and the first model page are read at once: each request counts its own tries
    tries = sorted({int(line.split("; retry ")[1].split(" of ")[0]) for line in lines})
    assert tries[:2] == [2, 3]


def test_a_signal_the_caller_ignores_stays_ignored() -> None:
    """`nohup install-contract check` must survive a hang-up: SIGHUP ignored stays ignored,
    while SIGTERM (at its default) is taken over for the command's run and given back after."""
    import signal

    import click

    from cli._exit import handled

    seen: dict[str, Any] = {}

    @click.command()
    @handled
    def probe() -> None:
        seen["hup"] = signal.getsignal(signal.SIGHUP)
        seen["term"] = signal.getsignal(signal.SIGTERM)

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        result = CliRunner().invoke(probe, [])
    finally:
        signal.signal(signal.SIGHUP, before)
    assert result.exit_code == 0, result.output
    assert seen["hup"] is signal.SIG_IGN
    assert seen["term"] not in (signal.SIG_DFL, signal.SIG_IGN)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_the_kubernetes_api_servers_lookup_is_bounded(slow_dns: threading.Event, tmp_path: Path) -> None:
    import json as _json

    from contract.clients.kube import Kube, KubeError, KubeTarget

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        _json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://api.slow-dns.test:6443"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        ),
        encoding="utf-8",
    )
    start = time.monotonic()
    with pytest.raises(
        KubeError, match=r"cannot resolve the API server api\.slow-dns\.test: no answer within 0\.3 s"
    ):
        Kube(KubeTarget("x", "default", str(kubeconfig)), timeout=0.3)
    assert time.monotonic() - start < 3
