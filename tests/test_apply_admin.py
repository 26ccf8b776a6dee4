"""plan/apply against the admin API: the client speaks the OpenAPI document (every request is
validated by the test server), the diff is pure, and apply is idempotent and converges under
faults without ever duplicating a row or sending a secret."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner, Result

from cli.main import main
from contract.clients.admin_api import AdminApiClient, AdminApiError, ModelProvider, idempotency_key
from contract.clients.http import RetryPolicy, Unavailable
from contract.pipeline.rules import RULES
from contract.workflows.apply import admin, run
from contract.workflows.apply.changes import KNOWN_AFTER_APPLY, Change
from contract.workflows.apply.desired import MANAGED_BY, DesiredModel, desired_models
from tests.support.admin_api_server import FAULT_KINDS, AdminApiServer, Faults, admin_api
from tests.support.admin_contracts import CANARY, CANARY_AWS, ENV, TOKEN, cli, contract, entry
from tests.support.check_servers import interruptible

ROOT = Path(__file__).resolve().parent.parent
FAST = RetryPolicy(attempts=4, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=6)
    yield
    stamina.set_testing(False)


def apply(path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    # a generous timeout: the test server validates every request in this same process
    return cli(path, "apply", "--skip-check", "--yes", "--timeout", "5", *args, env=env)


def no_secret_anywhere(server: AdminApiServer, *results: Result) -> None:
    for seen in server.state.seen:
        blob = json.dumps(seen.headers) + seen.body.decode("utf-8", "replace") + seen.path
        assert CANARY not in blob and CANARY_AWS not in blob
        assert "apiKey" not in blob and "awsSecretAccessKey" not in blob
    for result in results:
        assert CANARY not in result.stdout and CANARY not in result.stderr
        assert CANARY_AWS not in result.stdout and CANARY_AWS not in result.stderr
        assert TOKEN not in result.stdout and TOKEN not in result.stderr


# --------------------------------------------------------------------------- the client


_OPEN: list[AdminApiClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def client(server: AdminApiServer) -> AdminApiClient:
    opened = AdminApiClient.connect(server.url, TOKEN, timeout=1.0, retry=FAST)
    _OPEN.append(opened)
    return opened


def body(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "litellmModel": "openai/x",
        "displayName": name.upper(),
        "providerId": "prv_02",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 1000,
        "managedBy": MANAGED_BY,
        **fields,
    }


def test_client_reads_every_page(server: AdminApiServer) -> None:
    server.faults.page_limit = 1
    for i in range(5):
        server.state.add_row(f"m{i}", **body(f"m{i}"))
    rows = client(server).models()
    assert [r["name"] for r in rows] == [f"m{i}" for i in range(5)]
    pages = [s for s in server.state.seen if s.path.startswith("/api/v1/models?")]
    assert len(pages) == 5 and "cursor=" in pages[-1].path
    assert server.state.violations == []


def test_client_lists_providers(server: AdminApiServer) -> None:
    assert ModelProvider("prv_02", "OpenAI") in client(server).providers()


def test_observe_reads_the_providers_while_it_reads_the_pages(server: AdminApiServer) -> None:
    # Each of the first two requests waits until the other has arrived: read one after the
    # other, the first would wait in vain and the read would fail.
    for i in range(150):
        server.state.add_row(f"m{i}", **body(f"m{i}"))
    both_in = threading.Barrier(2, timeout=5)
    original = server.state.fault
    calls = itertools.count()

    def meet() -> str | None:
        if next(calls) < 2:
            both_in.wait()
        return original()

    server.state.fault = meet  # type: ignore[method-assign]
    observed = admin.observe(client(server))
    first_two = sorted(s.path.split("?")[0] for s in server.state.seen[:2])
    assert first_two == ["/api/v1/model-providers", "/api/v1/models"]
    assert len(observed.rows) == 150 and ModelProvider("prv_02", "OpenAI") in observed.providers


def test_each_create_attempt_has_its_own_idempotency_key_and_its_retries_reuse_it(
    server: AdminApiServer,
) -> None:
    server.faults.script = ["after_commit"]
    row, adopted = client(server).create(body("a"))
    assert not adopted and row["id"].startswith("mdl_")
    first, retry = server.state.writes()
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    client(server).create(body("b"))
    client(server).create(body("a"))  # a later attempt with the same body: a new key (409, adopted)
    keys = [s.headers["Idempotency-Key"] for s in server.state.writes()]
    assert len(set(keys)) == 3 and keys[0] not in keys[2:]
    assert all(len(k) <= 128 for k in keys) and idempotency_key("model") != idempotency_key("model")
    assert server.state.violations == []


@pytest.mark.parametrize("fault", ["after_commit", "drop_after", "drop_before", "rate_limit", "slow"])
def test_a_retried_create_never_makes_a_second_row(server: AdminApiServer, fault: str) -> None:
    server.faults.script = [fault]
    row, _ = client(server).create(body("a"))
    assert server.state.names() == ["a"]
    assert server.state.by_name()["a"]["id"] == row["id"]
    assert len(server.state.writes()) == 2
    assert server.state.violations == []


def test_a_409_adopts_the_existing_row_by_name(server: AdminApiServer) -> None:
    existing = server.state.add_row("a", **body("a", managedBy=None))
    row, adopted = client(server).create(body("a", displayName="Other"))
    assert adopted and row["id"] == existing["id"]
    assert server.state.names() == ["a"]


def test_a_412_rereads_and_recomputes_the_patch(server: AdminApiServer) -> None:
    row = server.state.add_row("a", **body("a"))
    server.state.edit_before_patch["a"] = {"displayName": "edited elsewhere", "costTier": "HIGH"}
    want = {"displayName": "Wanted", "costTier": None}

    def patch_for(current: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in want.items() if current.get(k) != v}

    client(server).update(dict(row), patch_for)
    patches = [s for s in server.state.writes() if s.method == "PATCH"]
    assert len(patches) == 2
    assert json.loads(patches[0].body) == {"displayName": "Wanted"}
    assert json.loads(patches[1].body) == {"displayName": "Wanted", "costTier": None}
    assert patches[0].headers["If-Match"] != patches[1].headers["If-Match"]
    assert patches[1].headers["Content-Type"] == "application/merge-patch+json"
    final = server.state.by_name()["a"]
    assert final["displayName"] == "Wanted" and final["costTier"] is None
    assert server.state.violations == []


def test_after_a_412_a_row_already_as_wanted_gets_no_empty_patch(server: AdminApiServer) -> None:
    row = server.state.add_row("a", **body("a"))
    server.state.edit_before_patch["a"] = {"displayName": "Wanted"}  # someone made the same edit

    def patch_for(current: dict[str, Any]) -> dict[str, Any]:
        return {"displayName": "Wanted"} if current.get("displayName") != "Wanted" else {}

    final = client(server).update(dict(row), patch_for)
    patches = [s for s in server.state.writes() if s.method == "PATCH"]
    assert [json.loads(p.body) for p in patches] == [{"displayName": "Wanted"}]  # the one that met 412
    assert final["displayName"] == "Wanted"
    assert server.state.violations == []


def test_delete_sends_if_match_and_a_deleted_row_counts_as_deleted(server: AdminApiServer) -> None:
    row = server.state.add_row("a", **body("a"))
    server.faults.script = ["after_commit"]  # deleted, then 503; the retry gets 404
    client(server).delete(dict(row), lambda _fresh: True)
    assert server.state.names() == []
    assert all("If-Match" in s.headers for s in server.state.writes())


def test_a_refusal_names_the_servers_code_and_message(server: AdminApiServer) -> None:
    with pytest.raises(AdminApiError, match=r"HTTP 422 unknown_provider: providerId names no provider"):
        client(server).create(body("a", providerId="prv_99"))


def test_a_500_after_commit_fails_fast_and_a_rerun_adopts_the_row(server: AdminApiServer) -> None:
    server.faults.script = ["after_commit_500"]
    with pytest.raises(AdminApiError, match="HTTP 500"):
        client(server).create(body("a"))
    _row, adopted = client(server).create(body("a", displayName="changed"))
    assert adopted and server.state.names() == ["a"]


def test_a_server_that_stays_down_is_unavailable(server: AdminApiServer) -> None:
    server.faults.script = ["rate_limit"] * 10
    # stamina.set_testing(attempts=6) overrides FAST's 4: the message counts the tries made
    with pytest.raises(Unavailable, match=r"admin API: GET .*HTTP 429 after 6 attempts"):
        client(server).models()


# --------------------------------------------------------------------------- desired and diff (pure)

PROVIDERS = (ModelProvider("prv_02", "OpenAI"),)


def desired(name: str, **fields: Any) -> DesiredModel:
    base = {
        "litellmModel": "openai/x",
        "displayName": "X",
        "creator": None,
        "type": "CHAT",
        "metadataType": "Text Generation",
        "costTier": None,
        "contextWindow": 1000,
        "maxTokens": None,
        "description": None,
        "docLink": None,
        "apiBase": None,
        "apiVersion": None,
        "awsRegion": None,
        "managedBy": MANAGED_BY,
    }
    return DesiredModel(name, "OpenAI", 0, {**base, **fields})


def row(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"mdl_{name}",
        "name": name,
        "etag": "e",
        "litellmModel": "openai/x",
        "displayName": "X",
        "providerId": "prv_02",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 1000,
        "managedBy": MANAGED_BY,
        **fields,
    }


def test_diff_creates_updates_keeps_and_leaves_others_alone() -> None:
    observed = admin.ObservedAdmin(
        PROVIDERS,
        (
            row(
                "same", costTier=None, labels={"team": "x"}
            ),  # null and absent are equal; labels are not ours
            row("edited", displayName="Y", contextWindow=5),
            row("theirs", managedBy="ui"),
            row("stale"),
        ),
    )
    changes = admin.diff([desired("new"), desired("same"), desired("edited")], observed)
    assert changes == [
        Change(
            "admin-api",
            "model",
            "new",
            "create",
            (
                "name",
                "litellmModel",
                "displayName",
                "providerId",
                "type",
                "metadataType",
                "contextWindow",
                "managedBy",
            ),
        ),
        Change("admin-api", "model", "same", "keep"),
        Change("admin-api", "model", "edited", "update", ("contextWindow", "displayName")),
    ]
    assert admin.model_ids([desired("new"), desired("same")], observed) == {
        "new": KNOWN_AFTER_APPLY,
        "same": "mdl_same",
    }


def test_prune_deletes_only_rows_install_contract_manages() -> None:
    observed = admin.ObservedAdmin(
        PROVIDERS, (row("theirs", managedBy="ui"), row("stale"), row("plain", managedBy=None))
    )
    assert admin.diff([], observed, prune=True) == [
        Change("admin-api", "model", "stale", "delete", note="not in the contract (--prune)")
    ]
    assert admin.diff([], observed, prune=False) == []


def test_adopting_a_row_owned_elsewhere_shows_as_an_update_with_a_note() -> None:
    observed = admin.ObservedAdmin(PROVIDERS, (row("a", managedBy="ui"),))
    (change,) = admin.diff([desired("a")], observed)
    assert change.action == "update" and change.fields == ("managedBy",)
    assert "managed by ui" in change.note


def test_a_provider_the_platform_lacks_is_a_finding_with_the_nearest() -> None:
    observed = admin.ObservedAdmin(PROVIDERS, ())
    wrong = DesiredModel("a", "OpenAl", 3, desired("a").fields)
    (finding,) = admin.provider_problems([wrong, desired("b")], observed)
    assert finding.path == ("models", 3, "provider")
    assert finding.severity == "warning" and "did you mean 'OpenAI'?" in finding.message
    assert finding.hint == "write provider: OpenAI to use the existing row"


def test_desired_rows_never_hold_a_secret(tmp_path: Path) -> None:
    from contract.pipeline.validate import validate_text

    text = contract("http://x/api", 1) + (
        "  - litellmModelName: claude-b\n"
        "    litellmModel: bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0\n"
        "    displayName: Claude\n    provider: AWS Bedrock\n    type: CHAT\n"
        "    metadataType: Text Generation\n    contextWindow: 200000\n    awsRegion: us-west-2\n"
        "    awsAccessKeyId: ${AWS_ID}\n    awsSecretAccessKey: ${AWS_SECRET}\n"
    )
    result = validate_text(text, file="c.yaml")
    assert result.contract is not None
    rows = desired_models(result.contract, ENV)
    blob = json.dumps([dict(r.fields) for r in rows])
    assert CANARY not in blob and CANARY_AWS not in blob
    assert {k for r in rows for k in r.fields} <= set(admin.MANAGED_FIELDS)


# --------------------------------------------------------------------------- the CLI


def test_apply_creates_every_model_then_a_second_apply_writes_nothing(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, 3))
    first = apply(path, "-f", "json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["applied"] is True and report["file"] == str(path)
    assert [c["action"] for c in report["changes"]] == ["create"] * 3
    assert report["changes"][0] == {
        "system": "admin-api",
        "kind": "model",
        "name": "gpt-4o-0",
        "action": "create",
        "fields": [
            "name",
            "litellmModel",
            "displayName",
            "providerId",
            "creator",
            "type",
            "metadataType",
            "costTier",
            "contextWindow",
            "maxTokens",
            "managedBy",
        ],
        "diff": {
            "name": {"old": None, "new": "gpt-4o-0"},
            "litellmModel": {"old": None, "new": "openai/gpt-4o-2024-08-06"},
            "displayName": {"old": None, "new": "GPT-4o gpt-4o-0"},
            "providerId": {"old": None, "new": "prv_02"},
            "creator": {"old": None, "new": "OpenAI"},
            "type": {"old": None, "new": "CHAT"},
            "metadataType": {"old": None, "new": "Text Generation"},
            "costTier": {"old": None, "new": "MEDIUM"},
            "contextWindow": {"old": None, "new": 128000},
            "maxTokens": {"old": None, "new": 16384},
            "managedBy": {"old": None, "new": MANAGED_BY},
        },
    }
    rows = server.state.by_name()
    assert report["models"] == {n: rows[n]["id"] for n in rows}
    assert rows["gpt-4o-0"]["providerId"] == "prv_02" and rows["gpt-4o-0"]["managedBy"] == MANAGED_BY

    writes = len(server.state.writes())
    second = apply(path)
    assert second.exit_code == 0, second.stderr
    assert "No changes" in second.stdout
    assert len(server.state.writes()) == writes
    assert "unleash: skipped" in second.stdout and "kubernetes: skipped" in second.stdout
    assert server.state.violations == []
    no_secret_anywhere(server, first, second)


def test_a_row_edited_elsewhere_is_an_update_in_the_plan_and_is_corrected(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, 2))
    assert apply(path).exit_code == 0
    server.state.edit("gpt-4o-1", contextWindow=4096, description="hand-edited")
    planned = cli(path, "plan", "-f", "json", "--exit-code")
    assert planned.exit_code == 4
    changes = json.loads(planned.stdout)["changes"]
    assert changes[1] == {
        "system": "admin-api",
        "kind": "model",
        "name": "gpt-4o-1",
        "action": "update",
        "fields": ["contextWindow", "description"],
        "diff": {
            "contextWindow": {"old": 4096, "new": 128000},
            "description": {"old": "hand-edited", "new": None},
        },
    }
    assert json.loads(planned.stdout)["applied"] is False
    text = cli(path, "plan")
    assert "gpt-4o-1" in text.stdout and "contextWindow, description" in text.stdout
    assert "      contextWindow: 4096 → 128000\n" in text.stdout
    assert '      description: "hand-edited" → null\n' in text.stdout
    assert "1 to update" in text.stdout
    assert apply(path).exit_code == 0
    assert server.state.by_name()["gpt-4o-1"]["contextWindow"] == 128000
    assert server.state.by_name()["gpt-4o-1"].get("description") is None
    assert cli(path, "plan", "--exit-code").exit_code == 0


def test_plan_writes_nothing_and_says_ids_are_known_after_apply(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, 2))
    result = cli(path, "plan", "-f", "json", "--exit-code")
    assert result.exit_code == 4
    assert json.loads(result.stdout)["models"] == {
        "gpt-4o-0": KNOWN_AFTER_APPLY,
        "gpt-4o-1": KNOWN_AFTER_APPLY,
    }
    assert server.state.writes() == []


def test_prune_deletes_only_what_install_contract_made(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, 3))
    assert apply(path).exit_code == 0
    server.state.add_row("ui-made", **body("ui-made", managedBy="ui"))
    smaller = write(contract(server.url, 2), name="smaller.yaml")
    planned = cli(smaller, "plan", "--prune", "-f", "json")
    assert [c["name"] for c in json.loads(planned.stdout)["changes"] if c["action"] == "delete"] == [
        "gpt-4o-2"
    ]
    assert apply(smaller).exit_code == 0
    assert "gpt-4o-2" in server.state.names()  # without --prune rows are left alone
    assert apply(smaller, "--prune").exit_code == 0
    assert server.state.names() == ["gpt-4o-0", "gpt-4o-1", "ui-made"]


def test_a_twin_of_an_existing_provider_stops_the_plan_at_its_line(
    server: AdminApiServer, write: Any
) -> None:
    text = contract(server.url, ["good"]) + entry("bad", provider="Open AI")
    path = write(text)
    result = apply(path)
    assert result.exit_code == 1
    line = text.splitlines().index("    provider: Open AI") + 1
    assert f"{path}:{line}:15: error IC501" in result.stderr
    assert "the platform's provider 'OpenAI' written differently" in result.stderr
    assert "write provider: OpenAI" in result.stderr
    assert server.state.writes() == []
    as_json = apply(path, "-f", "json")
    assert json.loads(as_json.stdout)["diagnostics"][0]["code"] == "IC501"
    assert "IC501" in CliRunner().invoke(main, ["explain", "IC501"]).stdout


def test_an_unset_variable_stops_before_any_request(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, 1))
    result = CliRunner().invoke(
        main,
        ["apply", "--yes", "--skip-check", str(path)],
        env={"ADMIN_API_TOKEN": TOKEN, "OPENAI_API_KEY": ""},
    )
    assert result.exit_code == 1
    assert "IC304" in result.stderr and "nothing was written" in result.stderr
    assert server.state.seen == []


def test_no_terminal_and_no_yes_is_exit_2_and_nothing_written(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, 1))
    result = cli(path, "apply", "--skip-check")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert server.state.writes() == []


@pytest.mark.parametrize(("answer", "code", "rows"), [("y\n", 0, 1), ("n\n", 1, 0)])
def test_the_terminal_prompt(
    server: AdminApiServer, write: Any, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, rows: int
) -> None:
    import cli.apply as apply_command

    monkeypatch.setattr(apply_command, "_interactive", lambda: True)
    path = write(contract(server.url, 1))
    result = cli(path, "apply", "--skip-check", stdin=answer)
    assert result.exit_code == code
    assert "Apply these 1 changes?" in result.stderr
    assert len(server.state.names()) == rows


def test_check_runs_unless_skipped_and_its_failure_writes_nothing(
    server: AdminApiServer, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contract.workflows.checks import CheckReport, EntryResult, StepResult

    path = write(contract(server.url, 1))
    seen: list[Any] = []

    def report(ok: bool) -> CheckReport:
        step = StepResult("models", "pass" if ok else "fail", 3, "3 models listed" if ok else "HTTP 401")
        return CheckReport("", "local", (EntryResult("gpt-4o-0", "https://api.openai.com/v1", (step,)),))

    def failing(_contract: Any, options: Any, _env: Any) -> CheckReport:
        seen.append(options)
        return report(False)

    monkeypatch.setattr(run, "default_checker", failing)
    result = cli(path, "apply", "--yes", "--check-where", "local", "--timeout", "7", "--concurrency", "3")
    assert result.exit_code == 3, result.stderr
    assert "check step: 1 of 1 endpoint(s) failed; nothing was written" in result.stderr
    assert "--check-where local" in result.stderr and "--skip-check" in result.stderr
    # check's own table, not one long line
    assert "MODEL     STEP        RESULT" in result.stderr and "models      FAIL" in result.stderr
    assert [(o.where, o.timeout, o.concurrency) for o in seen] == [("local", 7.0, 3)]
    assert server.state.seen == []
    monkeypatch.setattr(run, "default_checker", lambda *_: report(True))
    passed = cli(path, "apply", "--yes")
    assert passed.exit_code == 0 and "check: 1 endpoint(s) passed" in passed.stderr


def test_apply_runs_the_real_check_first_and_a_refused_key_writes_nothing(
    server: AdminApiServer, write: Any
) -> None:
    """No stand-in for `check`: its local runner probes a real model server on 127.0.0.1."""
    from tests.support.check_servers import Behaviour, model_server

    with model_server(Behaviour(served=("gpt-4o-0",), key="another-key")) as (origin, behaviour):
        path = write(contract(server.url, 0, body=entry("gpt-4o-0", apiBase=f"{origin}/v1")))
        refused = cli(path, "apply", "--yes", "--check-where", "local")
        assert refused.exit_code == 3, refused.stderr
        assert "check step: 1 of 1 endpoint(s) failed; nothing was written" in refused.stderr
        assert "the key was refused" in refused.stderr  # check's table names the step and why
        assert server.state.seen == []
        behaviour.key = None  # the server now takes any key
        passed = cli(path, "apply", "--yes", "--check-where", "local")
        assert passed.exit_code == 0, passed.stderr
        assert "check: 1 endpoint(s) passed" in passed.stderr
        assert server.state.names() == ["gpt-4o-0"]
        no_secret_anywhere(server, refused, passed)


def test_missing_settings_are_usage_errors(server: AdminApiServer, write: Any) -> None:
    path = write("models:\n" + entry("a"))
    assert "--admin-url" in cli(path, "plan").stderr and cli(path, "plan").exit_code == 2
    with_url = cli(path, "plan", "--admin-url", server.url)
    assert with_url.exit_code == 0, with_url.stderr
    no_token = cli(path, "plan", "--admin-url", server.url, env={"ADMIN_API_TOKEN": ""})
    assert no_token.exit_code == 2 and "ADMIN_API_TOKEN is not set" in no_token.stderr
    custom = write(
        contract(server.url, 1).replace("    url:", "    tokenEnv: MY_TOKEN\n    url:"), name="c.yaml"
    )
    assert cli(custom, "plan", env={"ADMIN_API_TOKEN": "", "MY_TOKEN": TOKEN}).exit_code == 0


def test_a_system_down_before_any_write_is_exit_3(write: Any) -> None:
    with admin_api() as gone:
        url = gone.url
    path = write(contract(url, 1))
    result = apply(path)
    assert result.exit_code == 3 and "admin API" in result.stderr and "connection refused" in result.stderr


def test_a_system_down_mid_apply_says_what_was_done_and_what_remains(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, 4))
    # the first write lands; every later write commits and then answers 503 until retries run out
    original = server.state.fault

    def down_after_first_write() -> str | None:
        if len(server.state.writes()) > 1:
            return "after_commit"
        return original()

    server.state.fault = down_after_first_write  # type: ignore[method-assign]
    result = cli(path, "apply", "--skip-check", "--yes", "--concurrency", "1")
    assert result.exit_code == 3, result.stderr
    assert "done (1):" in result.stderr and "not done (3):" in result.stderr
    server.state.fault = original  # type: ignore[method-assign]
    assert apply(path).exit_code == 0
    assert server.state.names() == [f"gpt-4o-{i}" for i in range(4)]


def test_convergence_under_30_percent_faults(write: Any) -> None:
    with admin_api(Faults(rate=0.3, slow_seconds=1.2, seed=11)) as server:
        server.faults.page_limit = 7
        path = write(contract(server.url, 40))
        codes = []
        for _ in range(30):
            result = apply(path, "--timeout", "1")
            codes.append(result.exit_code)
            assert result.exit_code in (0, 3), result.output
            no_secret_anywhere(server, result)
            if result.exit_code == 0:
                break
        assert codes[-1] == 0, codes
        assert set(server.state.injected) == set(FAULT_KINDS)  # every kind of fault was met
        server.faults.rate = 0
        assert server.state.names() == sorted(f"gpt-4o-{i}" for i in range(40))
        writes = len(server.state.writes())
        again = apply(path)
        assert again.exit_code == 0 and "No changes" in again.stdout
        assert len(server.state.writes()) == writes
        assert server.state.violations == []


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_apply_converges_when_run_again(write: Any, how: signal.Signals) -> None:
    with admin_api(Faults(latency=0.03)) as server:
        path = write(contract(server.url, 40))
        env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
        argv = [
            sys.executable,
            "-m",
            "cli.main",
            "apply",
            "--skip-check",
            "--yes",
            "--concurrency",
            "2",
            str(path),
        ]
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=interruptible
        )
        deadline = time.monotonic() + 60
        while len(server.state.writes()) < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(how)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode != 0
        assert 0 < len(server.state.names()) < 40
        if how == signal.SIGINT:
            assert proc.returncode == 130 and b"interrupted" in err
        server.faults.latency = 0
        again = apply(path)
        assert again.exit_code == 0, again.stderr[-2000:]
        assert server.state.names() == sorted(f"gpt-4o-{i}" for i in range(40))
        assert len(server.state.by_name()) == len(server.state.rows)
        assert CANARY.encode() not in out + err


def test_the_ic5xx_rule_is_registered_for_the_platform() -> None:
    rule = RULES["IC501"]
    assert rule.scope == "platform" and rule.name == "provider-near-miss"


def test_the_table_lists_pending_changes_and_counts_the_rest() -> None:
    from contract.reporting.plan import render_table
    from contract.workflows.apply.changes import Plan

    plan = Plan(
        (
            Change("admin-api", "model", "gpt-4o", "create"),
            Change(
                "admin-api", "model", "b", "update", ("contextWindow",), "adopted: managed by ui until now"
            ),
            Change(
                "unleash",
                "flag",
                "TOOL_CALLING_MODELS",
                "update",
                ("variants",),
                "derived: no featureFlags entry",
            ),
            Change("admin-api", "model", "c", "keep"),
        ),
        ("LITELLM_MASTER_KEY is not set",),
    )
    assert render_table(plan, notes=["kubernetes: skipped"]).splitlines() == [
        "   system     kind   name                 changes",
        "+  admin-api  model  gpt-4o               create",
        "~  admin-api  model  b                    update: contextWindow (adopted: managed by ui until now)",
        "~  unleash    flag   TOOL_CALLING_MODELS  update: variants (derived: no featureFlags entry)",
        "note: kubernetes: skipped",
        "warning: LITELLM_MASTER_KEY is not set",
        "Plan: 1 to create, 2 to update, 0 to delete, 1 unchanged.",
    ]
    coloured = render_table(plan, colour=True)
    assert "\x1b[32m+  admin-api" in coloured  # creates in green
    assert render_table(Plan((Change("admin-api", "model", "c", "keep"),))).strip() == (
        "No changes: every system matches the contract."
    )


# -- execute: what happens between the plan and the write ------------------------------------


def plan_then_execute(
    server: AdminApiServer, wanted: list[DesiredModel], *, prune: bool = False, meanwhile: Any = None
) -> tuple[list[Change], admin.Progress, dict[str, str]]:
    """Observe, plan, let `meanwhile` change the server (another tool, the UI), then execute."""
    api = client(server)
    observed = admin.observe(api)
    changes = admin.diff(wanted, observed, prune=prune)
    if meanwhile is not None:
        meanwhile()
    progress = admin.Progress()
    ids = admin.execute(api, wanted, observed, changes, progress=progress)
    admin.execute_deletes(api, [m.name for m in wanted], observed, changes, progress=progress)
    return changes, progress, ids


def test_a_row_created_after_the_plan_is_adopted_and_corrected(server: AdminApiServer) -> None:
    taken: dict[str, Any] = {}

    def someone_creates_it() -> None:
        taken.update(server.state.add_row("a", **body("a", displayName="Other", managedBy=None)))

    changes, progress, ids = plan_then_execute(
        server, [desired("a", displayName="Wanted")], meanwhile=someone_creates_it
    )
    assert [c.action for c in changes] == ["create"]
    row = server.state.by_name()["a"]
    assert server.state.names() == ["a"] and row["id"] == taken["id"]
    assert row["displayName"] == "Wanted" and row["managedBy"] == MANAGED_BY
    assert ids == {"a": taken["id"]} and progress.done == changes
    assert [s.method for s in server.state.writes()] == ["POST", "PATCH"]
    assert server.state.violations == []


@pytest.mark.parametrize(
    ("edit", "deleted"),
    [
        pytest.param({"displayName": "renamed in the UI"}, True, id="still-ours"),
        pytest.param({"managedBy": "platform-ui"}, False, id="taken-over"),
    ],
)
def test_prune_rereads_a_row_edited_after_the_plan(
    server: AdminApiServer, edit: dict[str, Any], deleted: bool
) -> None:
    server.state.add_row("old", **body("old"))
    changes, progress, ids = plan_then_execute(
        server, [], prune=True, meanwhile=lambda: server.state.edit("old", **edit)
    )
    assert [(c.action, c.name) for c in changes] == [("delete", "old")]
    assert ("old" not in server.state.names()) is deleted
    assert progress.done == changes and ids == {}
    assert server.state.violations == []


def test_kept_rows_and_other_systems_changes_send_nothing_and_keep_their_ids(server: AdminApiServer) -> None:
    same = server.state.add_row("same", **body("same", displayName="X"))
    api = client(server)
    observed = admin.observe(api)
    changes = admin.diff([desired("same")], observed)
    assert [c.action for c in changes] == ["keep"]
    other = Change("unleash", "flag", "TOOL_CALLING_MODELS", "create", (), "")
    progress = admin.Progress()
    ids = admin.execute(api, [desired("same")], observed, [*changes, other], progress=progress)
    assert ids == {"same": same["id"]}
    assert server.state.writes() == [] and progress.done == []
