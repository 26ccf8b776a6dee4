"""Flags against the real Unleash 8.2.0 on PostgreSQL 15: create, point at ids, enable, converge,
and a second apply that writes nothing. Read back through the client API as the platform does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from contract.clients.http import RetryPolicy
from contract.clients.unleash import UnleashClient, UnleashError
from contract.errors import UsageError
from contract.pipeline._pydantic import parse
from contract.pipeline.model import Contract, Unleash
from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text
from contract.workflows.apply.flags import (
    DesiredFlag,
    ObservedFlags,
    apply_flags,
    desired_flags,
    diff_flags,
    observe_flags,
)
from tests.support.corpus import EXPORTED, FIXTURES
from tests.support.unleash_peer import UnleashServer, unique_flag

pytestmark = pytest.mark.integration

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
FAST_RETRY = RetryPolicy(attempts=4, wait_initial=0.01, wait_max=0.05, wait_jitter=0.0)


class Recorder(httpx.BaseTransport):
    """Passes every request to the real server and keeps (method, path, body) of each; `fault`
    may answer instead, after or without forwarding."""

    def __init__(
        self, fault: Callable[[httpx.Request, httpx.Response | None], httpx.Response | None] | None = None
    ):
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str, bytes, dict[str, str]]] = []
        self.fault = fault

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.sent.append((request.method, request.url.path, body, dict(request.headers)))
        response = self.inner.handle_request(request)
        if self.fault is not None:
            response.read()
            replaced = self.fault(request, response)
            if replaced is not None:
                return replaced
        return response

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _, _ in self.sent if m in WRITES]

    def close(self) -> None:
        self.inner.close()


def settings(server: UnleashServer, **extra: Any) -> Unleash:
    return parse(Unleash, {"url": server.url, "environments": list(server.environments), **extra})


def client_for(server: UnleashServer, transport: httpx.BaseTransport, **extra: Any) -> UnleashClient:
    return UnleashClient.from_settings(
        settings(server, **extra),
        {"UNLEASH_ADMIN_TOKEN": server.admin_token},
        timeout=10,
        retry=FAST_RETRY,
        transport=transport,
    )


def converge(
    server: UnleashServer, flags: tuple[DesiredFlag, ...], ids: dict[str, str], **extra: Any
) -> Recorder:
    recorder = Recorder()
    with client_for(server, recorder, **extra) as client:
        observed = observe_flags(client, flags, settings(server, **extra))
        apply_flags(client, flags, observed, ids, settings(server, **extra))
    return recorder


def plan(
    server: UnleashServer, flags: tuple[DesiredFlag, ...], ids: dict[str, str]
) -> list[tuple[str, str, tuple[str, ...]]]:
    with client_for(server, Recorder()) as client:
        observed = observe_flags(client, flags, settings(server))
    return [(c.name, c.action, c.fields) for c in diff_flags(flags, observed, ids, settings(server))]


def settled(read: Callable[[], Any], expected: Any, seconds: float = 10) -> Any:
    """`read()` once it gives `expected`, or its last answer after `seconds`: Unleash's client
    API may serve its cached answer for a few seconds after a write."""
    deadline = time.monotonic() + seconds
    while True:
        got = read()
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def seen_by_platform(server: UnleashServer, name: str) -> dict[str, tuple[bool, list[tuple[str, str, str]]]]:
    """Per environment: enabled, and (variant, payload type, payload value) from the client API."""
    result = {}
    for env in server.environments:
        feature = server.client_features(env).get(name) or {"enabled": False, "variants": []}
        variants = [(v["name"], v["payload"]["type"], v["payload"]["value"]) for v in feature["variants"]]
        result[env] = (feature["enabled"], variants)
    return result


def test_apply_creates_points_and_enables_then_writes_nothing(unleash: UnleashServer) -> None:
    name = unique_flag("TOOLS")
    flags = (DesiredFlag(name, ("gpt-4o", "qwen3-coder-30b", "nemotron")),)
    ids = {"gpt-4o": "mdl_01", "qwen3-coder-30b": "mdl_02", "nemotron": "mdl_03"}
    assert plan(unleash, flags, ids) == [(name, "create", ("variants", "enabled"))]

    first = converge(unleash, flags, ids)
    assert first.writes() == [
        ("POST", "/api/admin/projects/default/features"),
        ("PUT", f"/api/admin/projects/default/features/{name}/variants-batch"),
        ("POST", f"/api/admin/projects/default/features/{name}/environments/development/on"),
        ("POST", f"/api/admin/projects/default/features/{name}/environments/production/on"),
    ]
    # Unleash's token goes as it is: no Bearer.
    assert {h["authorization"] for _, _, _, h in first.sent} == {unleash.admin_token}
    # Sorted by name, as Unleash keeps them.
    expected = [
        ("gpt-4o", "string", "mdl_01"),
        ("nemotron", "string", "mdl_03"),
        ("qwen3-coder-30b", "string", "mdl_02"),
    ]
    want = {env: (True, expected) for env in unleash.environments}
    assert settled(lambda: seen_by_platform(unleash, name), want) == want

    assert plan(unleash, flags, ids) == [(name, "keep", ())]
    again = converge(unleash, flags, ids)
    assert again.writes() == []
    assert {m for m, _, _, _ in again.sent} == {"GET"}


def test_drift_in_one_environment_is_corrected_there_only(unleash: UnleashServer) -> None:
    name = unique_flag("EMBED")
    flags = (DesiredFlag(name, ("embed-small",)),)
    converge(unleash, flags, {"embed-small": "mdl_e1"})

    # Someone edits production by hand: another variant, and turns development off.
    with client_for(unleash, Recorder()) as client:
        client.set_variants(
            name,
            [
                {
                    "name": "embed-small",
                    "weightType": "variable",
                    "weight": 500,
                    "stickiness": "default",
                    "payload": {"type": "string", "value": "mdl_e1"},
                },
                {
                    "name": "other",
                    "weightType": "variable",
                    "weight": 500,
                    "stickiness": "default",
                    "payload": {"type": "string", "value": "mdl_x"},
                },
            ],
            ["production"],
        )
        client._send("POST", f"/api/admin/projects/default/features/{name}/environments/development/off")

    assert plan(unleash, flags, {"embed-small": "mdl_e1"}) == [(name, "update", ("enabled", "variants"))]
    fix = converge(unleash, flags, {"embed-small": "mdl_e1"})
    assert fix.writes() == [
        ("PUT", f"/api/admin/projects/default/features/{name}/variants-batch"),
        ("POST", f"/api/admin/projects/default/features/{name}/environments/development/on"),
    ]
    put = next(body for m, _, body, _ in fix.sent if m == "PUT")
    assert b'"environments":["production"]' in put.replace(b" ", b"")
    one = [("embed-small", "string", "mdl_e1")]
    want = {env: (True, one) for env in unleash.environments}
    assert settled(lambda: seen_by_platform(unleash, name), want) == want

    # A new id (the model was recreated) moves the payload.
    converge(unleash, flags, {"embed-small": "mdl_e2"})
    want = (True, [("embed-small", "string", "mdl_e2")])
    assert settled(lambda: seen_by_platform(unleash, name)["production"], want) == want
    assert converge(unleash, flags, {"embed-small": "mdl_e2"}).writes() == []


def test_a_stale_plan_adopts_a_flag_created_meanwhile(unleash: UnleashServer) -> None:
    name = unique_flag("RACE")
    flags = (DesiredFlag(name, ("gpt-4o",)),)
    with client_for(unleash, Recorder()) as client:
        client.create_feature(name)
        # The plan was read before the flag existed.
        apply_flags(client, flags, ObservedFlags({name: None}), {"gpt-4o": "mdl_1"}, settings(unleash))
    want = (True, [("gpt-4o", "string", "mdl_1")])
    assert settled(lambda: seen_by_platform(unleash, name)["production"], want) == want


def test_a_create_answered_503_after_it_committed_is_not_duplicated(unleash: UnleashServer) -> None:
    name = unique_flag("FAULT")
    failed: list[str] = []

    def fail_first_create(request: httpx.Request, response: httpx.Response | None) -> httpx.Response | None:
        if request.method == "POST" and request.url.path.endswith("/features") and not failed:
            failed.append(request.url.path)
            return httpx.Response(503, json={"message": "injected after commit"})
        return None

    recorder = Recorder(fault=fail_first_create)
    flags = (DesiredFlag(name, ("gpt-4o",)),)
    with client_for(unleash, recorder) as client:
        apply_flags(client, flags, ObservedFlags({name: None}), {"gpt-4o": "mdl_1"}, settings(unleash))
    creates = [p for m, p in recorder.writes() if p.endswith("/features")]
    assert len(creates) == 2 and failed  # the retry met 409 and adopted the committed flag
    want = (True, [("gpt-4o", "string", "mdl_1")])
    assert settled(lambda: seen_by_platform(unleash, name)["development"], want) == want


def test_an_archived_flag_of_that_name_is_a_clear_error(unleash: UnleashServer) -> None:
    name = unique_flag("ARCHIVED")
    with client_for(unleash, Recorder()) as client:
        client.create_feature(name)
        # Archive only: archiving and deleting at once crashes Unleash 8.2.0.
        answer = client._send("POST", "/api/admin/projects/default/archive", json={"features": [name]})
        assert answer.status_code == 202
        observed = observe_flags(client, (DesiredFlag(name, ("gpt-4o",)),), settings(unleash))
        assert observed.get(name) is None
        with pytest.raises(UnleashError, match="archived") as caught:
            apply_flags(
                client, (DesiredFlag(name, ("gpt-4o",)),), observed, {"gpt-4o": "mdl_1"}, settings(unleash)
            )
    assert caught.value.status == 409


def test_an_environment_the_project_lacks_is_named(unleash: UnleashServer) -> None:
    name = unique_flag("ENV")
    converge(unleash, (DesiredFlag(name, ("gpt-4o",)),), {"gpt-4o": "mdl_1"})
    staging = settings(unleash, environments=["staging"])
    with (
        client_for(unleash, Recorder()) as client,
        pytest.raises(UnleashError, match="no environment staging"),
    ):
        observe_flags(client, (DesiredFlag(name, ("gpt-4o",)),), staging)


def test_a_wrong_token_is_refused_with_unleash_message(unleash: UnleashServer) -> None:
    client = UnleashClient(unleash.url, "*:*.not-a-token", timeout=10, retry=FAST_RETRY)
    with client, pytest.raises(UnleashError, match="refused the token") as caught:
        client.feature("ANY")
    assert caught.value.status == 401
    assert "not-a-token" not in str(caught.value)


def test_apply_needs_every_models_id(unleash: UnleashServer) -> None:
    name = unique_flag("IDS")
    with client_for(unleash, Recorder()) as client, pytest.raises(UsageError, match="no admin-API id for b"):
        apply_flags(
            client,
            (DesiredFlag(name, ("a", "b")),),
            ObservedFlags({name: None}),
            {"a": "mdl_a"},
            settings(unleash),
        )


CANARY = "sk-canary-5e1f0c2d9a"


def test_no_secret_reaches_unleash(unleash: UnleashServer) -> None:
    tag = unique_flag("C").lower()
    contract = parse(
        Contract,
        {
            "models": [
                {
                    "litellmModelName": f"gpt-4o-{tag}",
                    "litellmModel": "openai/gpt-4o",
                    "displayName": "GPT-4o",
                    "provider": "OpenAI",
                    "type": "CHAT",
                    "metadataType": "Text Generation",
                    "contextWindow": 128000,
                    "apiKey": CANARY,
                },
                {
                    "litellmModelName": f"embed-{tag}",
                    "litellmModel": "openai/text-embedding-3-small",
                    "displayName": "Embed",
                    "provider": "OpenAI",
                    "type": "INTERNAL",
                    "metadataType": "Embeddings",
                    "contextWindow": 8191,
                    "apiKey": "${OPENAI_API_KEY}",
                },
            ],
            "featureFlags": {f"TOOLS_{tag}": f"gpt-4o-{tag}", f"EMBED_{tag}": [f"embed-{tag}"]},
        },
    )
    flags = tuple(f for f in desired_flags(contract) if not f.derived)
    assert len(flags) == 2
    recorder = converge(unleash, flags, {f"gpt-4o-{tag}": "mdl_g", f"embed-{tag}": "mdl_e"})
    assert recorder.writes()
    for method, path, body, headers in recorder.sent:
        assert CANARY not in path and CANARY.encode() not in body, (method, path)
        assert all(CANARY not in value for value in headers.values())
    assert CANARY not in unleash.log()


def test_the_platform_reads_the_derived_flags(unleash: UnleashServer) -> None:
    """The fixture contract without TOOL_CALLING_MODELS/EMBEDDING_MODELS: both derived. The only
    test that uses the platform's own flag names (they cannot be reset between tests)."""
    text = (FIXTURES / "install-contract.yaml").read_text(encoding="utf-8")
    derivable = ("  TOOL_CALLING_MODELS", "  EMBEDDING_MODELS")
    kept = "\n".join(line for line in text.splitlines() if not line.startswith(derivable))
    result = validate_text(kept, file="install-contract.yaml", options=Options(env=EXPORTED))
    assert result.contract is not None and result.errors == 0
    contract = result.contract
    flags = {f.name: f for f in desired_flags(contract)}
    assert set(flags) == {"DEFAULT_WORKFLOW_STEP_MODEL", "EMBEDDING_MODELS", "TOOL_CALLING_MODELS"}
    assert flags["EMBEDDING_MODELS"].derived and flags["TOOL_CALLING_MODELS"].derived
    assert flags["EMBEDDING_MODELS"].models == ("text-embedding-3-small",)
    tools = set(flags["TOOL_CALLING_MODELS"].models)
    assert {"gpt-4o", "claude-sonnet-4-20250514", "qwen3-coder-30b", "deephat-v2", "nemotron"} <= tools
    assert "text-embedding-3-small" not in tools

    ids = {m.litellm_model_name: f"mdl_{i:03d}" for i, m in enumerate(contract.models)}
    chosen = tuple(flags.values())
    converge(unleash, chosen, ids)
    want = {
        flag.name: (True, "release", {m: {"type": "string", "value": ids[m]} for m in flag.models})
        for flag in chosen
    }

    def as_seen(env: str) -> dict[str, Any]:
        features = unleash.client_features(env)
        return {
            name: (f["enabled"], f["type"], {v["name"]: v["payload"] for v in f["variants"]})
            for name, f in features.items()
            if name in want
        }

    for env in unleash.environments:
        assert settled(lambda env=env: as_seen(env), want) == want
    assert converge(unleash, chosen, ids).writes() == []
