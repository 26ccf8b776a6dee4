"""apply_flags' writes in every `./scripts/test`, against an in-memory Unleash 8.2.0 admin API
(httpx.MockTransport) that answers as the real one does for the calls the tool makes: the flag
GET carries no variants, a taken name is a 409, a flag must exist before its variants or its
environments change, and only the admin token is accepted. The real server is proven in
tests/integration/test_unleash_flags.py; these tests kill the mutants that only it caught
(flags never enabled, no adoption on 409)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from contract.clients.http import RetryPolicy
from contract.clients.unleash import UnleashClient, UnleashError
from contract.pipeline._pydantic import parse
from contract.pipeline.model import Unleash
from contract.workflows.apply.flags import DesiredFlag, apply_flags, diff_flags, observe_flags

TOKEN = "*:*.admin-token"
ENVIRONMENTS = ("development", "production")
FAST = RetryPolicy(attempts=3, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
SETTINGS = parse(Unleash, {"url": "https://unleash.example.internal", "environments": list(ENVIRONMENTS)})
VARIANT_KEYS = {"name", "weightType", "weight", "stickiness", "payload"}


class FakeUnleash:
    """Project `default`, two environments; `taken_elsewhere` names flags archived or in another
    project (a 409 on create, a 404 on read); `on_create` runs before each create is answered."""

    def __init__(self) -> None:
        self.flags: dict[str, dict[str, dict[str, Any]]] = {}
        self.taken_elsewhere: set[str] = set()
        self.requests: list[tuple[str, str, Any]] = []
        self.on_create: Any = None

    def add(self, name: str) -> None:
        self.flags[name] = {env: {"enabled": False, "variants": []} for env in ENVIRONMENTS}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append((request.method, path, body))
        if request.headers.get("authorization") != TOKEN:
            return httpx.Response(401, json={"message": "You must log in to use Unleash."})
        base = "/api/admin/projects/default/features"
        if path == base and request.method == "POST":
            if self.on_create is not None:
                self.on_create()
            name = body["name"]
            if name in self.flags or name in self.taken_elsewhere:
                return httpx.Response(409, json={"message": f"A flag with name {name} already exists"})
            self.add(name)
            return httpx.Response(201, json={"name": name, "type": body.get("type")})
        match = re.fullmatch(re.escape(base) + r"/([^/]+)(/.*)?", path)
        if match is None:
            return httpx.Response(404, json={"message": "not found"})
        name, rest = match.group(1), match.group(2) or ""
        flag = self.flags.get(name)
        if flag is None:
            return httpx.Response(404, json={"message": f"Could not find feature flag {name}"})
        if rest == "" and request.method == "GET":
            envs = [{"name": env, "enabled": state["enabled"]} for env, state in flag.items()]
            return httpx.Response(200, json={"name": name, "environments": envs})
        if rest == "/variants-batch" and request.method == "PUT":
            for variant in body["variants"]:
                assert set(variant) == VARIANT_KEYS, variant
            for env in body["environments"]:
                flag[env]["variants"] = sorted(body["variants"], key=lambda v: v["name"])
            return httpx.Response(200, json={"variants": body["variants"]})
        env_match = re.fullmatch(r"/environments/([^/]+)/(variants|on)", rest)
        if env_match is not None and env_match.group(1) in flag:
            env, what = env_match.groups()
            if what == "variants" and request.method == "GET":
                return httpx.Response(200, json={"version": 1, "variants": flag[env]["variants"]})
            if what == "on" and request.method == "POST":
                flag[env]["enabled"] = True
                return httpx.Response(200, json={})
        return httpx.Response(404, json={"message": "not found"})

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _ in self.requests if m != "GET"]


@pytest.fixture
def unleash() -> FakeUnleash:
    return FakeUnleash()


def client(fake: FakeUnleash) -> UnleashClient:
    return UnleashClient.from_settings(
        SETTINGS, {"UNLEASH_ADMIN_TOKEN": TOKEN}, timeout=2, retry=FAST, transport=httpx.MockTransport(fake)
    )


FLAGS = (DesiredFlag("EMBEDDING_MODELS", ("embed",)), DesiredFlag("TOOL_CALLING_MODELS", ("a", "b")))
IDS = {"a": "mdl_1", "b": "mdl_2", "embed": "mdl_3"}


def converge(fake: FakeUnleash, before_apply: Any = None) -> None:
    with client(fake) as api:
        observed = observe_flags(api, FLAGS, SETTINGS)
        if before_apply is not None:
            before_apply()
        apply_flags(api, FLAGS, observed, IDS, SETTINGS)


def settled(fake: FakeUnleash) -> list[str]:
    with client(fake) as api:
        observed = observe_flags(api, FLAGS, SETTINGS)
        return [c.action for c in diff_flags(FLAGS, observed, IDS, SETTINGS)]


def test_missing_flags_are_created_pointed_at_the_ids_and_enabled_everywhere(unleash: FakeUnleash) -> None:
    converge(unleash)
    for flag in FLAGS:
        for env in ENVIRONMENTS:
            state = unleash.flags[flag.name][env]
            assert state["enabled"] is True
            assert {v["name"]: v["payload"]["value"] for v in state["variants"]} == {
                m: IDS[m] for m in flag.models
            }
    assert settled(unleash) == ["keep", "keep"]
    writes = len(unleash.writes())
    converge(unleash)
    assert len(unleash.writes()) == writes  # nothing left to write


def test_a_flag_that_is_off_is_turned_on_after_its_variants_are_set(unleash: FakeUnleash) -> None:
    converge(unleash)
    unleash.flags["TOOL_CALLING_MODELS"]["production"]["enabled"] = False
    unleash.flags["TOOL_CALLING_MODELS"]["production"]["variants"] = []
    unleash.requests.clear()
    converge(unleash)
    base = "/api/admin/projects/default/features/TOOL_CALLING_MODELS"
    assert unleash.writes() == [
        ("PUT", f"{base}/variants-batch"),
        ("POST", f"{base}/environments/production/on"),
    ]
    assert settled(unleash) == ["keep", "keep"]


def test_a_flag_created_after_the_plan_is_adopted_on_409(unleash: FakeUnleash) -> None:
    def another_run_creates_it() -> None:
        unleash.add("TOOL_CALLING_MODELS")

    converge(unleash, before_apply=another_run_creates_it)
    creates = [p for m, p in unleash.writes() if m == "POST" and p.endswith("/features")]
    assert len(creates) == 2  # one of them answered 409
    assert settled(unleash) == ["keep", "keep"]
    assert all(unleash.flags["TOOL_CALLING_MODELS"][env]["enabled"] for env in ENVIRONMENTS)


def test_a_name_taken_outside_the_project_says_how_to_free_it(unleash: FakeUnleash) -> None:
    unleash.taken_elsewhere.add("EMBEDDING_MODELS")
    with pytest.raises(
        UnleashError, match=r"already exists; the name is taken outside project default"
    ) as caught:
        converge(unleash)
    assert caught.value.status == 409
    assert str(caught.value).endswith(
        "(an archived flag, or a flag of another project): revive or move it in Unleash, then apply again"
    )


def test_flags_are_created_as_release_flags(unleash: FakeUnleash) -> None:
    converge(unleash)
    creates = [body for m, p, body in unleash.requests if m == "POST" and p.endswith("/features")]
    assert creates == [
        {"name": "EMBEDDING_MODELS", "type": "release"},
        {"name": "TOOL_CALLING_MODELS", "type": "release"},
    ]


def test_an_environment_the_project_lacks_is_named_with_those_it_has(unleash: FakeUnleash) -> None:
    unleash.add("EMBEDDING_MODELS")
    unleash.flags["EMBEDDING_MODELS"]["staging"] = unleash.flags["EMBEDDING_MODELS"].pop("production")
    with client(unleash) as api, pytest.raises(UnleashError) as caught:
        observe_flags(api, FLAGS, SETTINGS)
    assert str(caught.value) == (
        "Unleash: project default has no environment production for flag EMBEDDING_MODELS "
        "(it has: development, staging); "
        "fix platform.unleash.environments or enable the environment in the project"
    )
    unleash.flags["EMBEDDING_MODELS"] = {}
    with (
        client(unleash) as api,
        pytest.raises(
            UnleashError, match=r"development, production for flag EMBEDDING_MODELS \(it has: none\)"
        ),
    ):
        observe_flags(api, FLAGS, SETTINGS)


def test_observing_no_flags_reads_nothing(unleash: FakeUnleash) -> None:
    from contract.workflows.apply.flags import ObservedFlags

    with client(unleash) as api:
        assert observe_flags(api, (), SETTINGS) == ObservedFlags({})
    assert unleash.requests == []


def test_a_model_without_an_id_stops_before_any_write(unleash: FakeUnleash) -> None:
    from contract.errors import UsageError
    from contract.workflows.apply.changes import KNOWN_AFTER_APPLY

    with client(unleash) as api:
        observed = observe_flags(api, FLAGS, SETTINGS)
        with pytest.raises(UsageError) as caught:
            apply_flags(api, FLAGS, observed, {"a": "mdl_1", "b": KNOWN_AFTER_APPLY}, SETTINGS)
    assert str(caught.value) == "flag EMBEDDING_MODELS: no admin-API id for embed; models are written first"
    with (
        client(unleash) as api,
        pytest.raises(UsageError, match=r"TOOL_CALLING_MODELS: no admin-API id for a, b;"),
    ):
        apply_flags(api, FLAGS[1:], observe_flags(api, FLAGS[1:], SETTINGS), {}, SETTINGS)
    assert unleash.writes() == []


def test_a_created_flag_plans_its_variants_from_none() -> None:
    from contract.workflows.apply.flags import ObservedFlags

    (change,) = diff_flags(FLAGS[:1], ObservedFlags({"EMBEDDING_MODELS": None}), IDS, SETTINGS)
    assert change.to_json()["diff"] == {
        "variants": {"old": [], "new": ["embed=mdl_3"]},
        "enabled": {"old": None, "new": True},
    }


# --------------------------------------------------------------------------- through run: plan, apply, prune


def run_contract(admin_url: str, models: tuple[str, ...]) -> str:
    entries = "".join(
        f"  - litellmModelName: {name}\n"
        "    litellmModel: openai/gpt-4o-2024-08-06\n"
        f"    displayName: {name}\n"
        "    provider: OpenAI\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 128000\n"
        "    apiKey: ${OPENAI_API_KEY}\n"
        for name in models
    )
    return (
        f"platform:\n  adminApi: {{url: '{admin_url}'}}\n"
        "  unleash: {url: 'https://unleash.example.internal', environments: [development, production]}\n"
        f"featureFlags:\n  TOOL_CALLING_MODELS: [{', '.join(models)}]\n"
        f"models:\n{entries}"
    )


def plan_and_apply(
    fake: FakeUnleash, admin_url: str, models: tuple[str, ...], *, prune: bool = False, write: bool = True
) -> Any:
    from contract.pipeline.validate import validate_text
    from contract.workflows.apply import run

    text = run_contract(admin_url, models)
    env = {"ADMIN_API_TOKEN": "test-admin-token", "UNLEASH_ADMIN_TOKEN": TOKEN, "OPENAI_API_KEY": "sk-x"}
    typed = validate_text(text, file="c.yaml").contract
    assert typed is not None
    settings = run.Settings(env=env, prune=prune, timeout=2)
    session = run.connect(
        "c.yaml", typed, text.encode(), settings, unleash_transport=httpx.MockTransport(fake)
    )
    try:
        planned = run.read_and_plan(session)
        if write and not planned.plan.empty:
            run.execute(session, planned)
        return planned
    finally:
        session.close()


def test_apply_points_the_flags_at_the_rows_and_prune_unpoints_before_deleting(unleash: FakeUnleash) -> None:
    from tests.support.admin_api_server import admin_api

    with admin_api() as server:
        first = plan_and_apply(unleash, server.url, ("a", "b"))
        (flag,) = [c for c in first.plan.changes if c.system == "unleash"]
        assert (flag.name, flag.action, flag.fields) == (
            "TOOL_CALLING_MODELS",
            "create",
            ("variants", "enabled"),
        )
        ids = {name: row["id"] for name, row in server.state.by_name().items()}
        for env in ENVIRONMENTS:
            state = unleash.flags["TOOL_CALLING_MODELS"][env]
            assert state["enabled"] is True
            assert {v["name"]: v["payload"]["value"] for v in state["variants"]} == ids
        again = plan_and_apply(unleash, server.url, ("a", "b"), write=False)
        assert again.plan.empty and [c.action for c in again.plan.changes] == ["keep", "keep", "keep"]

        rows_at_put: list[list[str]] = []
        original = unleash.__call__

        def spy(request: httpx.Request) -> httpx.Response:
            if request.method == "PUT":
                rows_at_put.append(server.state.names())
            return original(request)

        pruned = plan_and_apply(spy, server.url, ("a",), prune=True)  # type: ignore[arg-type]
        assert [(c.system, c.action, c.name) for c in pruned.plan.pending] == [
            ("unleash", "update", "TOOL_CALLING_MODELS"),
            ("admin-api", "delete", "b"),
        ]
        assert rows_at_put == [["a", "b"]]  # the variants moved while b still existed
        assert server.state.names() == ["a"]
        production = unleash.flags["TOOL_CALLING_MODELS"]["production"]["variants"]
        assert [v["name"] for v in production] == ["a"]
        assert server.state.violations == []
