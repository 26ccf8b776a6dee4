"""UnleashClient's settings, headers and errors, over httpx.MockTransport (the real server's
behaviour is proven in tests/integration/test_unleash_flags.py)."""

from __future__ import annotations

import httpx
import pytest

from contract.clients.http import RetryPolicy, Unavailable
from contract.clients.unleash import UnleashClient, UnleashConflict, UnleashError
from contract.errors import UsageError
from contract.pipeline._pydantic import parse
from contract.pipeline.model import Unleash

FAST = RetryPolicy(attempts=3, wait_initial=0.001, wait_max=0.002, wait_jitter=0.0)


def make(handler: httpx.MockTransport, **settings: object) -> UnleashClient:
    config = parse(Unleash, {"url": "https://unleash.example.internal/", **settings})
    env = {"UNLEASH_ADMIN_TOKEN": "*:*.token-a", "MY_TOKEN": "*:*.token-b"}
    return UnleashClient.from_settings(config, env, timeout=5, retry=FAST, transport=handler)


def test_settings_name_the_url_the_token_variable_and_the_project() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"message": "no such flag"})

    with make(httpx.MockTransport(handler), project="platform") as client:
        assert client.feature("A B") is None
    with make(httpx.MockTransport(handler), url="https://u.example/api", tokenEnv="MY_TOKEN") as client:
        assert client.feature("X") is None
    assert str(seen[0].url) == "https://unleash.example.internal/api/admin/projects/platform/features/A%20B"
    assert seen[0].headers["authorization"] == "*:*.token-a"  # as it is: Unleash takes no Bearer
    assert str(seen[1].url) == "https://u.example/api/admin/projects/default/features/X"
    assert seen[1].headers["authorization"] == "*:*.token-b"


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [
        ({}, {"UNLEASH_ADMIN_TOKEN": "t"}, "platform.unleash.url is not set"),
        ({"url": "http://u"}, {}, "UNLEASH_ADMIN_TOKEN is not set"),
        ({"url": "http://u", "tokenEnv": "OTHER"}, {"UNLEASH_ADMIN_TOKEN": "t"}, "OTHER is not set"),
        ({"url": "http://u"}, {"UNLEASH_ADMIN_TOKEN": "  "}, "UNLEASH_ADMIN_TOKEN is not set"),
    ],
)
def test_missing_settings_are_usage_errors(
    settings: dict[str, str], env: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        UnleashClient.from_settings(parse(Unleash, settings), env, timeout=5)


def test_errors_carry_unleash_message_and_never_the_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(
                400, json={"name": "BadDataError", "details": [{"message": "bad  weight\n"}]}
            )
        if request.method == "POST":
            return httpx.Response(409, json={"message": "An archived flag with that name already exists"})
        return httpx.Response(403, json={"message": "You need permission"})

    with make(httpx.MockTransport(handler)) as client:
        with pytest.raises(UnleashError, match=r"HTTP 400: bad weight$") as bad:
            client.set_variants("F", [{"name": "secret-looking-value"}], ["production"])
        assert "secret-looking-value" not in str(bad.value) and bad.value.status == 400
        with pytest.raises(UnleashConflict, match="archived flag"):
            client.create_feature("F")
        with pytest.raises(UnleashError, match=r"refused the token .*HTTP 403.*permission") as refused:
            client.environment_variants("F", "production")
        assert "token-a" not in str(refused.value)


def test_a_server_that_stays_down_is_unavailable() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503)

    with make(httpx.MockTransport(handler)) as client, pytest.raises(Unavailable, match="HTTP 503 after 3"):
        client.enable("F", "production")
    assert calls == ["POST"] * 3


def test_an_answer_that_is_not_json_is_an_error() -> None:
    with (
        make(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>"))) as client,
        pytest.raises(UnleashError, match="not a JSON object"),
    ):
        client.feature("F")
    answer = httpx.Response(200, json={"version": 1})
    with (
        make(httpx.MockTransport(lambda r: answer)) as client,
        pytest.raises(UnleashError, match="no variants list"),
    ):
        client.environment_variants("F", "production")
