"""The shared HTTP policy: which answers are retried, Retry-After, and what an error says."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import stamina

from contract.clients.http import RetryPolicy, Unavailable, new_client, request, retry_after

FAST = RetryPolicy(attempts=4, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=4)
    yield
    stamina.set_testing(False)


def _client(answers: list[httpx.Response | Exception], seen: list[httpx.Request]) -> httpx.Client:
    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return new_client("http://api.test", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_status_then_success(status: int) -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.Response(status), httpx.Response(200, json={"ok": True})], seen)
    assert request(client, "GET", "/v1/models", retry=FAST).json() == {"ok": True}
    assert len(seen) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 500])
def test_other_status_is_returned_at_once(status: int) -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.Response(status), httpx.Response(200)], seen)
    assert request(client, "POST", "/v1/models", retry=FAST).status_code == status
    assert len(seen) == 1


def test_transport_errors_are_retried() -> None:
    seen: list[httpx.Request] = []
    answers: list[httpx.Response | Exception] = [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("reset"),
        httpx.Response(200),
    ]
    assert request(_client(answers, seen), "GET", "/x", retry=FAST).status_code == 200
    assert len(seen) == 4


def test_gives_up_with_a_reason_and_no_secret() -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.Response(503)] * 4, seen)
    with pytest.raises(Unavailable) as info:
        request(
            client, "GET", "/v1/models?token=CANARY-SECRET", retry=FAST, headers={"Authorization": "CANARY"}
        )
    assert "HTTP 503 after 4 attempts" in str(info.value)
    assert "CANARY" not in str(info.value)
    assert len(seen) == 4


def test_gives_up_on_a_dead_server() -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.ConnectError("refused")] * 4, seen)
    with pytest.raises(Unavailable, match="connection refused after 4 attempts"):
        request(client, "GET", "/", retry=FAST)


def test_retry_after_seconds_and_date() -> None:
    assert retry_after(httpx.Response(429, headers={"Retry-After": "3"})) == 3.0
    assert retry_after(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after(httpx.Response(429)) is None
