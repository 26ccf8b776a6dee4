"""`install-contract check`: the seed's verification steps for every endpoint, in parallel."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli import DEFAULT_FILE
from cli._complete import complete_model_names
from cli._exit import handled
from cli._help import INTERRUPTED_MEANING, USAGE_MEANING, exit_codes
from cli._options import check_options, env_option, format_option
from cli._report import emit, finish, wants_colour
from contract.workflows.checks.steps import EntryResult

if TYPE_CHECKING:
    from contract.pipeline.validate import TypedContract
    from contract.workflows.checks import RunOptions


def notice(message: object) -> None:
    """A line on stderr for what a run did on the side (a retry, leftovers deleted)."""
    click.echo(f"install-contract: {message}", err=True)


def run_options(contract: TypedContract, where: str | None, **options: Any) -> RunOptions:
    """The check's run from `check_options` (`contract.workflows.checks.options.run_options`):
    a note on stderr when it falls back to local."""
    from contract.workflows.checks.options import CheckSettings
    from contract.workflows.checks.options import run_options as options_for

    return options_for(contract, where, CheckSettings(**options), notice)


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[EntryResult], None] | None]:
    """A live line on stderr when it is a terminal ("checked 12/200, 1 failed"); none when piped."""
    if not enabled:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    counts = {"done": 0, "failed": 0}

    def line() -> str:
        failed = f", [red]{counts['failed']} failed[/red]" if counts["failed"] else ""
        return f"checking: {counts['done']}/{total} done{failed}"

    with console.status(line()) as status:

        def update(result: EntryResult) -> None:
            counts["done"] += 1
            counts["failed"] += not result.ok
            status.update(line())

        yield update


@click.command(
    epilog=exit_codes(
        {
            0: "every step passed",
            1: "the contract has errors: nothing was checked",
            2: USAGE_MEANING,
            3: "a step failed",
            130: INTERRUPTED_MEANING,
        }
    )
)
@click.argument("file", default=DEFAULT_FILE)
@click.option(
    "--where",
    type=click.Choice(["cluster", "local"]),
    default=None,
    help="cluster: from pods in the namespace; local: from here. "
    "Default: cluster when a kube context is configured, else local.",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_model_names,
    help="Only this entry (repeatable).",
)
@format_option("text", "json")
@check_options
@click.option(
    "--color/--no-color", "colour", default=None, help="Colour the text report (default: on a terminal)."
)
@env_option("Check")
@handled
def check(
    file: str,
    where: str | None,
    models: tuple[str, ...],
    fmt: str,
    colour: bool | None,
    env_name: str | None,
    **options: Any,
) -> None:
    """Check every endpoint of FILE: DNS, GET /v1/models, a tool call, embeddings.

    The contract is validated first (errors: exit 1, nothing runs). Exit 0 when every step
    passed, 3 when any failed, 2 for usage errors, 130 when interrupted (129 on SIGHUP,
    143 on SIGTERM: the cluster's pods and Secret are deleted first).
    """
    from contract.reporting.rendering import diagnostics_before
    from contract.workflows.checks.command import CheckRequest, check_contract

    request = CheckRequest(
        file=file,
        env=dict(os.environ),
        env_name=env_name,
        models=models,
        stdin=lambda: sys.stdin.buffer.read(),
    )
    # On stderr, so that `-f json | jq` stays clean; a transient line, gone when the run ends.
    live = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    outcome = check_contract(
        request,
        lambda contract: run_options(contract, where, **options),
        on_validated=lambda result: emit(diagnostics_before(result, quiet=False)),
        progress=lambda total: _progress(total, live),
    )
    finish(outcome, fmt, wants_colour(colour))
