"""`install-contract plan` and `install-contract apply`: options -> ApplyRequest ->
`contract.workflows.apply.workflow.plan_or_apply` -> what it says, and its status as the exit code.

Exit codes: 0 done (or nothing to do), 1 the contract has errors (IC304 for apply, while
`plan` warns about an unset key; IC501 errors from the platform) or the confirmation was
declined, 2 usage (no terminal to confirm and no --yes, unset token variable, a token that
cannot go into a header), 3 a system failed or the check step did (what was done and what
remains on stderr), 4 `plan --exit-code` with changes pending.

`apply`'s check step is `check` itself: the options are `cli._options.check_options` and
where it runs is chosen by `contract.workflows.checks.options.run_options`, as for `check`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from cli import DEFAULT_FILE
from cli._exit import handled
from cli._help import exit_codes
from cli._options import (
    CA_BUNDLE,
    TIMEOUT,
    all_of,
    catalog_option,
    check_options,
    env_option,
    format_option,
    kube_options,
)
from cli._report import finish, wants_colour
from cli._terminal import interactive as _interactive  # tests replace cli.apply._interactive
from cli.check import notice

if TYPE_CHECKING:
    from contract.workflows.apply.changes import Plan
    from contract.workflows.apply.workflow import ApplyRequest, Event

__all__ = ["apply", "plan"]


_options = all_of(
    [
        click.argument("file", default=DEFAULT_FILE, required=False),
        format_option("text", "json", help="text (a table) for people, json for tools."),
        click.option(
            "--prune",
            is_flag=True,
            help="Also delete admin-API models that install-contract created and the contract no longer lists.",
        ),
        click.option(
            "--admin-url",
            metavar="URL",
            help="The admin API's server URL (default: platform.adminApi.url).",
        ),
        catalog_option(),
        env_option(),
    ]
)


@click.command(
    epilog=exit_codes(
        {
            0: "shown (with --exit-code: nothing pending)",
            1: "the contract has errors (IC501 errors from the platform; an unset key is a warning)",
            2: "usage error, an unreadable file, an unset token variable",
            3: "a system failed (admin API, Unleash, Kubernetes)",
            4: "--exit-code: changes are pending",
        }
    )
)
@_options
@TIMEOUT
@CA_BUNDLE
@kube_options
@click.option("--exit-code", is_flag=True, help="Exit 4 when changes are pending, 0 when there are none.")
@handled
def plan(fmt: str, **options: Any) -> None:
    """Show what `apply` would change in the admin API, Unleash and LiteLLM; write nothing.

    Reads the admin token from $ADMIN_API_TOKEN (platform.adminApi.tokenEnv) and Unleash's
    from $UNLEASH_ADMIN_TOKEN (platform.unleash.tokenEnv).
    """
    _run(_request(options, apply_changes=False, skip_check=True), fmt)


@click.command(
    epilog=exit_codes(
        {
            0: "done, or nothing to do",
            1: "the contract has errors, or the confirmation was declined",
            2: "usage error, an unreadable file, an unset token variable, no terminal and no --yes",
            3: "a check or a system failed (what was done and what remains on stderr)",
        }
    )
)
@_options
@click.option("-y", "--yes", is_flag=True, help="Apply without asking (for CI).")
@click.option("--skip-check", is_flag=True, help="Do not run `check` on the endpoints first.")
@click.option(
    "--check-where",
    type=click.Choice(("cluster", "local")),
    default=None,
    help="Where the check step probes from (check's --where): as pods in the cluster, or from here. "
    "Default: cluster when a kube context is configured, else local.",
)
@check_options
@handled
def apply(fmt: str, **options: Any) -> None:
    """Register FILE's models with the admin API, point the Unleash flags at their IDs and
    configure LiteLLM: validate, check, read, plan, confirm, then change only what differs.

    Reads the admin token from $ADMIN_API_TOKEN (platform.adminApi.tokenEnv), Unleash's from
    $UNLEASH_ADMIN_TOKEN (platform.unleash.tokenEnv), and every ${VAR} the contract names.
    """
    _run(_request(options), fmt)


def _request(options: dict[str, Any], **fixed: Any) -> ApplyRequest:
    """The request the options make: check's own options (`CheckSettings`) apart, the rest as named."""
    import dataclasses

    from contract.workflows.apply.workflow import ApplyRequest
    from contract.workflows.checks.options import CheckSettings

    own = {f.name for f in dataclasses.fields(CheckSettings)}
    check = CheckSettings(**{k: v for k, v in options.items() if k in own})
    rest = {k: v for k, v in options.items() if k not in own}
    return ApplyRequest(env=dict(os.environ), check=check, **rest, **fixed)


def _run(request: ApplyRequest, fmt: str) -> None:
    """The workflow, shown as it goes; its status as the exit code."""
    from contract.workflows.apply.workflow import plan_or_apply

    confirm = _confirm if _interactive() else None
    outcome = plan_or_apply(request, confirm=confirm, on_event=lambda event: _show(event, fmt))
    # How the run ended, as contract.reporting.plan reports it (colour as check's table).
    finish(outcome, fmt, wants_colour(None))


def _confirm(plan: Plan) -> bool:
    return click.confirm(f"Apply these {len(plan.pending)} changes?", err=True)


def _show(event: Event, fmt: str) -> None:
    from contract.reporting import plan as report
    from contract.reporting.diagnostics import render_text
    from contract.workflows.apply.workflow import Checked, Diagnosed, Notice, PlanReady
    from contract.workflows.checks import summarize

    if isinstance(event, Notice):
        notice(event.message)
    elif isinstance(event, Diagnosed):
        click.echo(render_text([event.result]), nl=False, err=True)
    elif isinstance(event, Checked):
        click.echo(f"check: {summarize(event.report.results)}", err=True)
    elif isinstance(event, PlanReady) and fmt == "text":
        colour = wants_colour(None)
        click.echo(report.render_table(event.plan, notes=event.notes, colour=colour), nl=False, color=colour)
    elif isinstance(event, PlanReady):
        for note in event.notes:
            click.echo(f"note: {note}", err=True)
        for warning in event.plan.warnings:
            click.echo(f"warning: {warning}", err=True)
