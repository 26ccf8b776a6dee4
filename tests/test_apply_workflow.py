"""`plan` and `apply` driven as a library call, without click: ApplyRequest -> plan_or_apply() ->
ApplyOutcome, against the admin API test server; and IC501 at the entry's own `provider` line."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from cli.main import main
from contract.outcome import Status
from contract.pipeline.validate import validate_text
from contract.workflows.apply import run
from contract.workflows.apply.changes import Plan
from contract.workflows.apply.workflow import (
    ApplyOutcome,
    ApplyRequest,
    Diagnosed,
    PlanReady,
    plan_or_apply,
)
from tests.support.admin_api_server import AdminApiServer
from tests.support.entries import cloud

TOKEN = "test-admin-token"
ENV = {"ADMIN_API_TOKEN": TOKEN, "OPENAI_API_KEY": "sk-workflow-test"}


def entry(name: str, provider: str = "OpenAI") -> str:
    """One `models:` item in block style: gpt-4o on OpenAI (tests/support/entries.py), named `name`."""
    fields = cloud(litellmModelName=name, provider=provider)
    return "".join(
        f"{'  - ' if i == 0 else '    '}{k}: {json.dumps(v)}\n" for i, (k, v) in enumerate(fields.items())
    )


def contract(url: str, *entries: str, tail: str = "") -> str:
    return f"platform:\n  adminApi:\n    url: {url}\nmodels:\n" + "".join(entries) + tail


def provider_line(text: str, provider: str) -> int:
    return text.splitlines().index(f"    provider: {json.dumps(provider)}") + 1


def test_apply_asks_after_showing_the_plan_and_writes_only_when_confirmed(
    server: AdminApiServer, write: Any
) -> None:
    path = write(contract(server.url, entry("a"), entry("b")))
    events: list[Any] = []

    def decline(plan: Plan) -> bool:
        events.append(("asked", len(plan.pending)))
        return False

    request = ApplyRequest(str(path), ENV, skip_check=True)
    declined = plan_or_apply(request, confirm=decline, on_event=events.append)
    assert isinstance(declined, ApplyOutcome)
    assert (declined.status, declined.stopped, declined.applied) == (Status.INVALID, "declined", False)
    assert isinstance(events[-2], PlanReady) and events[-1] == ("asked", 2)
    assert server.state.writes() == []

    nobody = plan_or_apply(request)  # no one to ask, no `yes`
    assert (nobody.status, nobody.stopped) == (Status.REFUSED, "no-terminal")
    assert server.state.writes() == []

    applied = plan_or_apply(request, confirm=lambda _plan: True)
    assert (applied.status, applied.applied) == (Status.OK, True)
    assert sorted(applied.model_ids) == ["a", "b"] and server.state.names() == ["a", "b"]

    again = plan_or_apply(ApplyRequest(str(path), ENV, apply_changes=False, exit_code=True))
    assert again.status is Status.OK and again.plan is not None and again.plan.empty


def test_plan_with_exit_code_reports_pending_changes(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, entry("a")))
    outcome = plan_or_apply(ApplyRequest(str(path), ENV, apply_changes=False, exit_code=True))
    assert outcome.status is Status.CHANGES_PENDING and not outcome.applied
    assert outcome.plan is not None and [c.name for c in outcome.plan.pending] == ["a"]
    assert server.state.writes() == []


def test_an_invalid_contract_stops_before_any_request(server: AdminApiServer, write: Any) -> None:
    path = write(contract(server.url, entry("a")))
    events: list[Any] = []
    outcome = plan_or_apply(
        ApplyRequest(str(path), {"ADMIN_API_TOKEN": TOKEN}, yes=True), on_event=events.append
    )
    assert (outcome.status, outcome.stopped) == (Status.INVALID, "contract")
    assert "IC304" in {d.code for d in outcome.diagnostics}  # apply: an unset ${VAR} is an error
    assert isinstance(events[0], Diagnosed) and events[0].result is outcome.result
    assert server.state.seen == []


def test_a_twin_provider_is_invalid_at_its_provider_line(server: AdminApiServer, write: Any) -> None:
    text = contract(server.url, entry("good"), entry("bad", provider="Open AI"))
    outcome = plan_or_apply(ApplyRequest(str(write(text)), ENV, yes=True, skip_check=True))
    assert (outcome.status, outcome.stopped) == (Status.INVALID, "platform")
    (ic501,) = [d for d in outcome.diagnostics if d.code == "IC501"]
    assert (ic501.line, ic501.column) == (provider_line(text, "Open AI"), 15)
    assert server.state.writes() == []


def test_ic501_points_at_the_provider_line_without_the_files_text(server: AdminApiServer) -> None:
    """The validated contract carries its positions: read_and_plan needs no text to re-parse."""
    text = contract(server.url, entry("good"), entry("bad", provider="open-ai"))
    typed = validate_text(text, file="c.yaml").contract
    assert typed is not None
    session = run.connect("c.yaml", typed, text.encode(), run.Settings(env=ENV))
    try:
        planned = run.read_and_plan(session)
    finally:
        session.close()
    assert [(d.code, d.line, d.column, d.path) for d in planned.diagnostics] == [
        ("IC501", provider_line(text, "open-ai"), 15, "/models/1/provider")
    ]


def test_ic501_of_an_environment_points_at_the_entry_it_took(server: AdminApiServer, write: Any) -> None:
    """`only: [bad]` makes `bad` the environment's first entry: the diagnostic still stands
    at bad's own `provider` line, not at the file's first entry."""
    text = contract(
        server.url,
        entry("good"),
        entry("bad", provider="Open AI"),
        tail="environments:\n  prod:\n    only: [bad]\n",
    )
    path = write(text)
    result = CliRunner().invoke(main, ["plan", "--env", "prod", str(path)], env=ENV)
    assert result.exit_code == 1, result.stderr
    assert f"{path}:{provider_line(text, 'Open AI')}:15: error IC501" in result.stderr
    assert "the platform refuses the contract; nothing was written" in result.stderr
