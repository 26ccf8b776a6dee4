"""plan/apply as the platform makes things: providers it lacks are created (admin API 1.1) and
IC501 guards against near misses; one Idempotency-Key per create attempt, so deletes and later
runs never meet a stale replay; --prune deletes last (Terraform's order); tokens over plain
http:// are warned about; `plan` needs no data-plane key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner, Result

from cli.main import main
from contract.clients.admin_api import AdminApiClient, AdminApiError
from contract.clients.http import RetryPolicy
from contract.pipeline.rules.platform import PlatformView, edits, folded, provider_near_miss
from contract.workflows.apply import admin, run
from contract.workflows.apply.desired import MANAGED_BY
from tests.support.admin_api_server import AdminApiServer

TOKEN = "test-admin-token"
CANARY = "sk-CANARY-platform-41c2"
ENV = {"ADMIN_API_TOKEN": TOKEN, "OPENAI_API_KEY": CANARY}
FAST = RetryPolicy(attempts=4, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=6)
    yield
    stamina.set_testing(False)


def openai(name: str, provider: str = "OpenAI") -> str:
    return (
        f"  - litellmModelName: {name}\n"
        "    litellmModel: openai/gpt-4o-2024-08-06\n"
        f"    displayName: GPT-4o {name}\n"
        f"    provider: {provider}\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 128000\n"
        "    apiKey: ${OPENAI_API_KEY}\n"
    )


def ollama(name: str = "llama3-8b", provider: str = "Ollama") -> str:
    return (
        f"  - litellmModelName: {name}\n"
        "    litellmModel: ollama/llama3:8b\n"
        "    displayName: Llama 3 8B\n"
        f"    provider: {provider}\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 8192\n"
        "    apiBase: http://ollama.local:11434\n"
    )


def contract(url: str, *entries: str) -> str:
    return f"platform:\n  adminApi:\n    url: {url}\nmodels:\n" + "".join(entries)


def cli(path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [*args, str(path)], env={**ENV, **(env or {})})


def apply(path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return cli(path, "apply", "--skip-check", "--yes", "--timeout", "5", *args, env=env)


def posts(server: AdminApiServer, route: str) -> list[Any]:
    return [s for s in server.state.writes() if s.method == "POST" and s.path == f"/api/v1/{route}"]


# --------------------------------------------------------------------------- 1. providers


def test_a_provider_the_platform_lacks_is_planned_then_created_before_its_models(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, openai("gpt-4o"), ollama()))
    planned = cli(path, "plan", "-f", "json")
    assert planned.exit_code == 0, planned.stderr
    first = json.loads(planned.stdout)["changes"][0]
    assert {k: first[k] for k in ("system", "kind", "name", "action")} == {
        "system": "admin-api",
        "kind": "provider",
        "name": "Ollama",
        "action": "create",
    }
    assert first["diff"]["managedBy"] == {"old": None, "new": MANAGED_BY}
    text = cli(path, "plan")
    assert "+  admin-api  provider  Ollama" in text.stdout
    assert "IC501" not in text.stderr  # a plain new name: a plan line, no diagnostic
    assert server.state.writes() == []

    result = apply(path)
    assert result.exit_code == 0, result.stderr
    writes = server.state.writes()
    assert (writes[0].method, writes[0].path) == ("POST", "/api/v1/model-providers")
    (created,) = posts(server, "model-providers")
    assert json.loads(created.body) == {"name": "Ollama", "managedBy": MANAGED_BY}
    assert created.headers["Idempotency-Key"].startswith("install-contract-provider-")
    provider = next(p for p in server.state.providers if p["name"] == "Ollama")
    assert provider["managedBy"] == MANAGED_BY
    assert server.state.by_name()["llama3-8b"]["providerId"] == provider["id"]
    assert server.state.by_name()["gpt-4o"]["providerId"] == "prv_02"

    count = len(server.state.writes())
    again = apply(path)
    assert again.exit_code == 0 and "No changes" in again.stdout
    assert len(server.state.writes()) == count
    assert server.state.violations == []


def test_a_provider_created_meanwhile_is_adopted_on_409(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, ollama()))
    api = AdminApiClient.connect(server.url, TOKEN, timeout=2.0, retry=FAST)
    try:
        from contract.pipeline.validate import validate_bytes
        from contract.workflows.apply.desired import desired_models

        typed = validate_bytes(path.read_bytes(), file=str(path)).contract
        assert typed is not None
        wanted = desired_models(typed, ENV)
        observed = admin.observe(api)
        changes = admin.diff(wanted, observed)
        assert [(c.kind, c.action) for c in changes] == [("provider", "create"), ("model", "create")]
        server.state.providers.append({"id": "prv_77", "name": "Ollama", "managedBy": None})
        ids = admin.execute(api, wanted, observed, changes, progress=admin.Progress())
    finally:
        api.close()
    (post,) = posts(server, "model-providers")
    assert json.loads(post.body)["name"] == "Ollama"
    assert [p["name"] for p in server.state.providers].count("Ollama") == 1
    assert server.state.rows[ids["llama3-8b"]]["providerId"] == "prv_77"
    assert server.state.violations == []


@pytest.mark.parametrize(
    ("provider", "twin"),
    [("anthropic", "Anthropic"), ("Azure-OpenAI", "Azure OpenAI"), ("aws_bedrock", "AWS Bedrock")],
)
def test_a_name_equal_but_for_case_spaces_or_punctuation_is_an_error_naming_the_row(
    provider: str, twin: str
) -> None:
    view = PlatformView([(4, provider)], ["Anthropic", "Azure OpenAI", "AWS Bedrock", "OpenAI"])
    (finding,) = provider_near_miss(view)
    assert finding.severity is None  # the rule's own: error
    assert finding.path == ("models", 4, "provider")
    assert f"the platform's provider {twin!r} written differently" in finding.message
    assert finding.hint == f"write provider: {twin}"


@pytest.mark.parametrize(
    ("provider", "near"), [("Antropic", "Anthropic"), ("OpenAl", "OpenAI"), ("Gogle", "Google")]
)
def test_a_name_within_two_edits_is_a_warning_with_did_you_mean(provider: str, near: str) -> None:
    view = PlatformView([(0, provider)], ["Anthropic", "Google", "OpenAI"])
    (finding,) = provider_near_miss(view)
    assert finding.severity == "warning"
    assert f"did you mean {near!r}?" in finding.message and "apply creates it" in finding.message


@pytest.mark.parametrize("provider", ["Ollama", "Mistral", "Together AI", "Anthropic"])
def test_a_new_name_or_an_exact_one_is_no_finding(provider: str) -> None:
    view = PlatformView([(0, provider)], ["Anthropic", "Google", "OpenAI", "Self-Hosted"])
    assert list(provider_near_miss(view)) == []


def test_edit_distance_and_folding() -> None:
    assert folded("Azure-OpenAI") == folded("azure openai") == "azureopenai"
    assert edits("antropic", "anthropic") == 1 and edits("kitten", "sitting") == 3
    assert edits("abc", "abc") == 0 and edits("", "ab") == 2 and edits("abcdef", "a") == 3


def test_a_near_miss_warns_in_the_plan_and_apply_creates_the_name_as_written(
    server: AdminApiServer, write: Any
) -> None:
    text = contract(server.url, ollama(provider="Antropic"))
    path = write(text)
    planned = cli(path, "plan", "-f", "json")
    assert planned.exit_code == 0, planned.stderr
    line = text.splitlines().index("    provider: Antropic") + 1
    assert f"{path}:{line}:15: warning IC501" in planned.stderr
    assert "did you mean 'Anthropic'?" in planned.stderr
    assert json.loads(planned.stdout)["changes"][0]["name"] == "Antropic"


def test_a_twin_writes_nothing(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, openai("a", provider="open_ai")))
    result = apply(path)
    assert result.exit_code == 1
    assert "error IC501" in result.stderr and "'OpenAI' written differently" in result.stderr
    assert server.state.writes() == []


def test_prune_never_deletes_a_provider(server: AdminApiServer, write: Any) -> None:
    both = write(contract(server.url, openai("gpt-4o"), ollama()))
    assert apply(both).exit_code == 0
    only_openai = write(contract(server.url, openai("gpt-4o")), name="smaller.yaml")
    planned = cli(only_openai, "plan", "--prune", "-f", "json")
    assert [
        (c["kind"], c["name"]) for c in json.loads(planned.stdout)["changes"] if c["action"] == "delete"
    ] == [("model", "llama3-8b")]
    assert apply(only_openai, "--prune").exit_code == 0
    assert "Ollama" in [p["name"] for p in server.state.providers]
    assert not any("model-providers" in s.path for s in server.state.writes() if s.method == "DELETE")
    assert server.state.names() == ["gpt-4o"]


def test_the_test_server_is_as_strict_as_the_document_on_providers(server: AdminApiServer) -> None:
    api = AdminApiClient.connect(server.url, TOKEN, timeout=2.0, retry=FAST)
    try:
        raw = api._send("POST", "v1/model-providers", json={"name": "X", "id": "prv_x"})
        assert raw.status_code == 422 and server.state.violations  # additionalProperties: false
        server.state.violations.clear()
        raw = api._send("POST", "v1/model-providers", json={"name": ""})
        assert raw.status_code == 422 and server.state.violations  # minLength 1
        server.state.violations.clear()
        server.state.provider_writes = False
        with pytest.raises(AdminApiError, match=r"create provider X: HTTP 403 forbidden"):
            api.create_provider("X", MANAGED_BY)
        server.state.provider_writes = True
        made, adopted = api.create_provider("X", MANAGED_BY)
        again, adopted_again = api.create_provider("X", MANAGED_BY)
        assert (adopted, adopted_again) == (False, True) and made == again
        assert made.managed_by == MANAGED_BY
    finally:
        api.close()
    assert server.state.violations == []


# --------------------------------------------------------------------------- 4. idempotency


def test_a_model_pruned_then_added_back_is_created_again(server: AdminApiServer, write: Any) -> None:
    both = write(contract(server.url, openai("a"), openai("b")))
    only_a = write(contract(server.url, openai("a")), name="a.yaml")
    assert apply(both).exit_code == 0
    assert apply(only_a, "--prune").exit_code == 0
    assert server.state.names() == ["a"]
    back = apply(both, "-f", "json")
    assert back.exit_code == 0, back.stderr
    assert server.state.model_count("b") == 1
    rows = server.state.by_name()
    assert json.loads(back.stdout)["models"]["b"] == rows["b"]["id"]
    assert cli(both, "plan", "--exit-code").exit_code == 0  # no "create b" ever after
    assert server.state.violations == []


def test_a_row_deleted_by_hand_is_created_by_the_next_apply(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, openai("a")))
    assert apply(path).exit_code == 0
    (row,) = server.state.rows.values()
    del server.state.rows[row["id"]]
    result = apply(path, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert server.state.model_count("a") == 1
    assert json.loads(result.stdout)["models"]["a"] == server.state.by_name()["a"]["id"] != row["id"]


@pytest.mark.parametrize("fault", ["after_commit", "drop_after"])
def test_a_5xx_after_commit_leaves_one_row_even_where_names_are_not_unique(
    server: AdminApiServer, write: Any, fault: str
) -> None:
    server.state.unique_names = False  # no 409 to save a retry: only the Idempotency-Key does
    server.faults.script = ["", "", fault]  # providers, models, then the POST
    path = write(contract(server.url, openai("a")))
    result = apply(path)
    assert result.exit_code == 0, result.stderr
    assert server.state.injected == [fault]
    assert server.state.model_count("a") == 1
    first, retry = posts(server, "models")
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]


def test_without_unique_names_a_second_create_does_make_a_second_row(server: AdminApiServer) -> None:
    """The mode is real: the server stores what it is sent (so the test above proves the key)."""
    server.state.unique_names = False
    api = AdminApiClient.connect(server.url, TOKEN, timeout=2.0, retry=FAST)
    try:
        body = {
            "name": "a",
            "litellmModel": "openai/x",
            "displayName": "A",
            "providerId": "prv_02",
            "type": "CHAT",
            "metadataType": "Text Generation",
            "contextWindow": 1,
        }
        api.create(body)
        api.create(body)
    finally:
        api.close()
    assert server.state.model_count("a") == 2


# --------------------------------------------------------------------------- 9. Terraform's order


def test_prune_deletes_after_everything_else_and_a_failure_before_leaves_the_row(
    server: AdminApiServer, write: Any
) -> None:
    both = write(contract(server.url, openai("a"), openai("b")))
    assert apply(both).exit_code == 0
    changed = write(contract(server.url, openai("a").replace("GPT-4o a", "GPT-4o A")), name="a.yaml")
    planned = cli(changed, "plan", "--prune", "-f", "json")
    assert [
        (c["action"], c["name"]) for c in json.loads(planned.stdout)["changes"] if c["action"] != "keep"
    ] == [
        ("update", "a"),
        ("delete", "b"),
    ]
    server.faults.script = ["", "", "after_commit_500"]  # providers, models, then the PATCH of a
    failed = apply(changed, "--prune")
    assert failed.exit_code == 3
    assert "install-contract: admin API: update model a: HTTP 500 internal: something broke" in failed.stderr
    assert "not done (2):\n  update admin-api model a\n  delete admin-api model b\n" in failed.stderr
    assert "b" in server.state.names()  # nothing deleted while the rest was unfinished
    assert apply(changed, "--prune").exit_code == 0
    assert server.state.names() == ["a"]


def test_a_failed_delete_says_what_was_done_before_it(server: AdminApiServer, write: Any) -> None:
    both = write(contract(server.url, openai("a"), openai("b")))
    assert apply(both).exit_code == 0
    changed = write(contract(server.url, openai("a").replace("GPT-4o a", "GPT-4o A")), name="a.yaml")
    server.faults.script = ["", "", "", "after_commit_500"]  # providers, models, PATCH a, then DELETE b
    failed = apply(changed, "--prune")
    assert failed.exit_code == 3
    assert "install-contract: admin API: delete model b: HTTP 500 internal" in failed.stderr
    assert (
        "done (1):\n  update admin-api model a\nnot done (1):\n  delete admin-api model b\n" in failed.stderr
    )


def test_a_model_failing_after_its_provider_was_created_reports_the_provider_done(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, ollama()))
    server.faults.script = ["", "", "", "after_commit_500"]  # providers, models, POST provider, POST model
    failed = apply(path)
    assert failed.exit_code == 3
    assert (
        "done (1):\n  create admin-api provider Ollama\nnot done (1):\n  create admin-api model llama3-8b\n"
        in (failed.stderr)
    )
    assert apply(path).exit_code == 0
    assert [p["name"] for p in server.state.providers].count("Ollama") == 1


class _Recorder:
    """A system (Unleash's place) that records when it is applied, relative to the deletes."""

    name = "unleash"

    def __init__(self, server: AdminApiServer, calls: list[str]) -> None:
        self._server = server
        self._calls = calls

    def observe(self) -> None:
        pass

    def diff(self, model_ids: Any) -> tuple[list[Any], list[str]]:
        from contract.workflows.apply.changes import Change

        return [Change("unleash", "flag", "F", "update", ("variants",))], []

    def apply(self, model_ids: Any) -> None:
        self._calls.append(
            f"flags (rows: {','.join(self._server.state.names())}; ids: {','.join(model_ids)})"
        )

    def close(self) -> None:
        pass


class _Idle:
    """A system whose objects all match: it must not be applied."""

    name = "kubernetes"

    def observe(self) -> None:
        pass

    def diff(self, model_ids: Any) -> tuple[list[Any], list[str]]:
        from contract.workflows.apply.changes import Change

        return [Change("kubernetes", "configmap", "c", "keep")], []

    def apply(self, model_ids: Any) -> None:
        raise AssertionError("nothing to apply")

    def close(self) -> None:
        pass


def test_flags_stop_pointing_before_the_rows_are_deleted(server: AdminApiServer, write: Any) -> None:
    both = write(contract(server.url, openai("a"), openai("b")))
    assert apply(both).exit_code == 0
    only_a = write(contract(server.url, openai("a")), name="a.yaml")
    from contract.pipeline.validate import validate_bytes

    raw = only_a.read_bytes()
    typed = validate_bytes(raw, file=str(only_a)).contract
    assert typed is not None
    settings = run.Settings(env=ENV, prune=True)
    session = run.connect(str(only_a), typed, raw, settings)
    calls: list[str] = []
    session.systems.append(_Recorder(server, calls))
    session.systems.append(_Idle())
    try:
        planned = run.read_and_plan(session)
        assert [c.action for c in planned.plan.pending] == ["update", "delete"]
        run.execute(session, planned)
    finally:
        session.close()
    assert calls == ["flags (rows: a,b; ids: a)"]
    assert server.state.names() == ["a"]


# --------------------------------------------------------------------------- 10. tokens in clear


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://admin.example.com/api", True),
        ("http://10.1.2.3:8080/api", True),
        ("HTTP://Admin.Example.com/api", True),
        ("https://admin.example.com/api", False),
        ("http://127.0.0.1:9000/api", False),
        ("http://[::1]:9000/api", False),
        ("http://localhost:9000/api", False),
        ("http://admin-api/api", False),
        ("http://admin-api.platform.svc/api", False),
        ("http://admin-api.platform.svc.cluster.local:8080/api", False),
    ],
)
def test_a_token_over_plain_http_off_the_host_and_cluster_is_a_warning(url: str, warned: bool) -> None:
    said = run.in_clear("admin API", url)
    assert bool(said) is warned
    if warned:
        assert "travels in clear" in said[0] and url in said[0]


def test_the_plan_carries_the_clear_text_warning_for_the_admin_api_and_unleash(tmp_path: Path) -> None:
    from contract.pipeline.validate import validate_bytes

    text = (
        "platform:\n  adminApi:\n    url: http://admin.example.com/api\n"
        "  unleash:\n    url: http://unleash.example.com\n    environments: [production]\nmodels:\n"
        + openai("a")
    ).encode()
    typed = validate_bytes(text, file="c.yaml").contract
    assert typed is not None
    session = run.connect("c.yaml", typed, text, run.Settings(env={**ENV, "UNLEASH_ADMIN_TOKEN": "u"}))
    try:
        assert [w.split(":")[0] for w in session.warnings] == [
            "admin API at http",
            "Unleash at http",
        ]
    finally:
        session.close()


# --------------------------------------------------------------------------- 3. no keys for plan


def test_plan_needs_no_data_plane_key_and_apply_still_refuses(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, openai("a")))
    env = {"OPENAI_API_KEY": ""}
    planned = cli(path, "plan", "-f", "json", env=env)
    assert planned.exit_code == 0, planned.stderr
    assert [c["action"] for c in json.loads(planned.stdout)["changes"]] == ["create"]
    refused = apply(path, env=env)
    assert refused.exit_code == 1
    assert "IC304" in refused.stderr and "OPENAI_API_KEY" in refused.stderr
    assert server.state.writes() == []


def test_incomplete_keeps_its_cause() -> None:
    from contract.errors import ExternalError
    from contract.workflows.apply.changes import Change

    cause = ExternalError("admin API: down")
    done = [Change("admin-api", "model", "a", "create")]
    failure = run.Incomplete(cause, done, [])
    assert failure.cause is cause and str(failure) == "admin API: down"
    assert failure.done == tuple(done) and failure.remaining == ()


def test_the_planned_provider_in_full(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, ollama()))
    first = json.loads(cli(path, "plan", "-f", "json").stdout)["changes"][0]
    assert first == {
        "system": "admin-api",
        "kind": "provider",
        "name": "Ollama",
        "action": "create",
        "fields": ["name", "managedBy"],
        "diff": {"name": {"old": None, "new": "Ollama"}, "managedBy": {"old": None, "new": MANAGED_BY}},
    }
    assert "  create (the platform has no provider of this name)\n" in cli(path, "plan").stdout


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://admin.example.com./api", "admin.example.com"),
        ("http://Admin.Example.COM/api", "admin.example.com"),
        ("http://localhost.example.com/api", "localhost.example.com"),
    ],
)
def test_the_warning_names_the_host_as_dns_sees_it(url: str, host: str) -> None:
    (said,) = run.in_clear("Unleash", url)
    assert said == f"Unleash at {url}: plain http:// to {host}, so its token travels in clear; use https://"


@pytest.mark.parametrize(
    "url", ["http://api.localhost:8080/api", "http://LOCALHOST/api", "http:///api", "ftp://x.example/"]
)
def test_no_warning_for_local_names_or_no_host(url: str) -> None:
    assert run.in_clear("admin API", url) == []


def _session(server: AdminApiServer, text: str, **settings: Any) -> Any:
    from contract.pipeline.validate import validate_text

    typed = validate_text(text, file="c.yaml").contract
    assert typed is not None
    return run.connect("c.yaml", typed, text.encode(), run.Settings(env=ENV, **settings))


def test_a_twin_stops_the_library_plan_too(server: AdminApiServer) -> None:
    text = contract(server.url, openai("a", provider="open-ai"))
    session = _session(server, text)
    try:
        planned = run.read_and_plan(session)
    finally:
        session.close()
    assert planned.plan.changes == () and planned.model_ids == {}
    assert [(d.code, d.severity.value, d.line) for d in planned.diagnostics] == [("IC501", "error", 8)]
    assert [d.name for d in planned.desired] == ["a"] and planned.observed.providers


def test_skipped_systems_are_noted_and_prune_lists_no_orphans(server: AdminApiServer, write: Any) -> None:
    server.state.add_row("old", **{**_row_fields(), "name": "old"})
    text = contract(server.url, openai("a"))
    session = _session(server, text, prune=True)
    try:
        assert session.notes == [
            "unleash: skipped (no platform.unleash.url in the contract)",
            "kubernetes: skipped (no platform.kubernetes.namespace in the contract, no --namespace)",
        ]
        planned = run.read_and_plan(session)
    finally:
        session.close()
    assert planned.plan.orphans == ()
    assert [(c.action, c.name) for c in planned.plan.changes] == [("create", "a"), ("delete", "old")]
    kept = _session(server, text)
    try:
        assert run.read_and_plan(kept).plan.orphans == ("admin-api model old",)
    finally:
        kept.close()


def _row_fields() -> dict[str, Any]:
    return {
        "litellmModel": "openai/x",
        "displayName": "X",
        "providerId": "prv_02",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 1,
        "managedBy": MANAGED_BY,
    }


def test_an_api_base_from_the_environment_is_resolved_in_the_row() -> None:
    from contract.pipeline.validate import validate_text
    from contract.workflows.apply.desired import desired_models

    text = contract(
        "https://admin.example/api", openai("a") + "    apiBase: ${BASE}/v1\n    description: ${DESC}\n"
    )
    typed = validate_text(text, file="c.yaml").contract
    assert typed is not None
    (model,) = desired_models(typed, {"BASE": "https://gw.example"})
    assert model.fields["apiBase"] == "https://gw.example/v1"
    assert model.fields["description"] == "${DESC}"  # unset: left as written
