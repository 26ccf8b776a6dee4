"""`install-contract plan` and `install-contract apply`: options -> contract.workflows.apply.run -> report.

Exit codes: 0 done (or nothing to do), 1 the contract has errors (IC304 for apply, while
`plan` warns about an unset key; IC501 errors from the platform) or the confirmation was
declined, 2 usage (no terminal to confirm and no --yes, unset token variable, a token that
cannot go into a header), 3 a system failed or the check step did (what was done and what
remains on stderr), 4 `plan --exit-code` with changes pending.

`apply`'s check step is `check` itself: the options come from `cli.check.check_options` and
where it runs is chosen by `cli.check.run_options`, as for `check`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from cli._exit import CHANGES_PENDING, EXTERNAL, FAILED, OK, USAGE, handled
from cli._help import exit_codes
from cli.check import CA_BUNDLE, TIMEOUT, check_options, kube_options, notice, render_report, run_options

DEFAULT_FILE = "install-contract.yaml"
DEFAULT_WRITES, MAX_WRITES = 16, 64  # admin-API writes in flight


def _options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(
        [
            click.argument("file", default=DEFAULT_FILE, required=False),
            click.option(
                "-f",
                "--format",
                "fmt",
                type=click.Choice(("text", "json")),
                default="text",
                show_default=True,
                help="text (a table) for people, json for tools.",
            ),
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
            click.option(
                "--catalog",
                "catalog_path",
                metavar="FILE",
                envvar="INSTALL_CONTRACT_CATALOG",
                help="A newer LiteLLM model map.",
            ),
            click.option(
                "--env",
                "env_name",
                metavar="NAME",
                help="Use environment NAME's resolved contract (environments: in the contract).",
            ),
        ]
    ):
        fn = decorator(fn)
    return fn


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
def plan(
    file: str,
    fmt: str,
    prune: bool,
    admin_url: str | None,
    timeout: float,
    ca_bundle: str | None,
    context: str | None,
    namespace: str | None,
    kubeconfig: str | None,
    catalog_path: str | None,
    env_name: str | None,
    exit_code: bool,
) -> None:
    """Show what `apply` would change in the admin API, Unleash and LiteLLM; write nothing.

    Reads the admin token from $ADMIN_API_TOKEN (platform.adminApi.tokenEnv) and Unleash's
    from $UNLEASH_ADMIN_TOKEN (platform.unleash.tokenEnv).
    """
    _run(
        file,
        fmt,
        apply_changes=False,
        yes=False,
        prune=prune,
        skip_check=True,
        check_where=None,
        admin_url=admin_url,
        catalog_path=catalog_path,
        exit_code=exit_code,
        env_name=env_name,
        check={
            "timeout": timeout,
            "concurrency": None,
            "ca_bundle": ca_bundle,
            "context": context,
            "namespace": namespace,
            "kubeconfig": kubeconfig,
        },
    )


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
def apply(
    file: str,
    fmt: str,
    prune: bool,
    admin_url: str | None,
    catalog_path: str | None,
    env_name: str | None,
    yes: bool,
    skip_check: bool,
    check_where: str | None,
    **check: Any,
) -> None:
    """Register FILE's models with the admin API, point the Unleash flags at their IDs and
    configure LiteLLM: validate, check, read, plan, confirm, then change only what differs.

    Reads the admin token from $ADMIN_API_TOKEN (platform.adminApi.tokenEnv), Unleash's from
    $UNLEASH_ADMIN_TOKEN (platform.unleash.tokenEnv), and every ${VAR} the contract names.
    """
    _run(
        file,
        fmt,
        apply_changes=True,
        yes=yes,
        prune=prune,
        skip_check=skip_check,
        check_where=check_where,
        admin_url=admin_url,
        catalog_path=catalog_path,
        exit_code=False,
        env_name=env_name,
        check=check,
    )


def _interactive() -> bool:
    return sys.stdin.isatty()


def _run(  # noqa: C901 (issue 19: to split)
    file: str,
    fmt: str,
    *,
    apply_changes: bool,
    yes: bool,
    prune: bool,
    skip_check: bool,
    check_where: str | None,
    admin_url: str | None,
    catalog_path: str | None,
    exit_code: bool,
    check: dict[str, Any],
    env_name: str | None = None,
) -> None:
    from cli.envs import chosen
    from contract.pipeline.validate import read_contract
    from contract.reporting import plan as report
    from contract.reporting.diagnostics import REPORTERS, render_text
    from contract.workflows.apply import run
    from contract.workflows.checks import summarize

    concurrency = check["concurrency"]
    settings = run.Settings(
        env=dict(os.environ),
        admin_url=admin_url,
        prune=prune,
        timeout=check["timeout"],
        ca_bundle=check["ca_bundle"],
        # --concurrency bounds the check's entries and the admin API's writes (at most 64).
        concurrency=min(concurrency, MAX_WRITES) if concurrency else DEFAULT_WRITES,
        catalog_path=catalog_path,
        require_env=apply_changes,
        on_retry=notice,
        context=check["context"],
        kubeconfig=check["kubeconfig"],
        namespace=check["namespace"],
    )
    raw = read_contract(file)
    result = chosen(run.validated(file, raw, settings), env_name)
    if result.diagnostics:
        click.echo(render_text([result]), nl=False, err=True)
    if result.errors or result.contract is None:
        if fmt == "json":
            click.echo(REPORTERS["json"]([result], False), nl=False)
        click.echo("install-contract: the contract has errors; nothing was written", err=True)
        sys.exit(FAILED)
    contract = result.contract
    if apply_changes and not skip_check:
        options = run_options(contract, check_where, **check)
        try:
            checked = run.run_checks(contract, options, settings.env, run.default_checker)
        except run.CheckFailed as exc:
            shown = dataclasses.replace(exc.report, file=file)
            click.echo(render_report(shown, "text"), nl=False, err=True)
            raise
        click.echo(f"check: {summarize(checked.results)}", err=True)

    session = run.connect(file, contract, raw, settings)
    try:
        planned = run.read_and_plan(session, result.source)
        if planned.diagnostics:
            stopped = dataclasses.replace(result, diagnostics=planned.diagnostics)
            click.echo(render_text([stopped]), nl=False, err=True)
            if any(d.severity == "error" for d in planned.diagnostics):
                if fmt == "json":
                    click.echo(REPORTERS["json"]([stopped], False), nl=False)
                click.echo(
                    "install-contract: the platform refuses the contract; nothing was written", err=True
                )
                sys.exit(FAILED)
        the_plan = planned.plan
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        if fmt == "text":
            click.echo(
                report.render_table(the_plan, notes=session.notes, colour=colour), nl=False, color=colour
            )
        else:
            for note in session.notes:
                click.echo(f"note: {note}", err=True)
            for warning in the_plan.warnings:
                click.echo(f"warning: {warning}", err=True)
        if not apply_changes or the_plan.empty:
            if fmt == "json":
                click.echo(
                    report.render_json(file, the_plan, applied=False, models=planned.model_ids), nl=False
                )
            sys.exit(CHANGES_PENDING if exit_code and not the_plan.empty else OK)
        if not yes:
            if not _interactive():
                click.echo(
                    "install-contract: no terminal to confirm the plan; pass --yes to apply without asking "
                    "(nothing was written)",
                    err=True,
                )
                sys.exit(USAGE)
            if not click.confirm(f"Apply these {len(the_plan.pending)} changes?", err=True):
                click.echo("install-contract: not applied; nothing was written", err=True)
                sys.exit(FAILED)
        try:
            ids = run.execute(session, planned)
        except run.Incomplete as exc:
            click.echo(f"install-contract: {exc}", err=True)
            click.echo(report.render_progress(exc.done, exc.remaining), nl=False, err=True)
            if fmt == "json":
                click.echo(
                    report.render_json(file, the_plan, applied=False, models=planned.model_ids), nl=False
                )
            sys.exit(EXTERNAL)
        if fmt == "json":
            click.echo(report.render_json(file, the_plan, applied=True, models=ids), nl=False)
        else:
            click.echo(f"Applied {len(the_plan.pending)} changes.")
    finally:
        session.close()
