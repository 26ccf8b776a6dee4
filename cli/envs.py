"""Environments as commands: `install-contract resolve --env NAME` and `install-contract diff
--env A --env B`. The `--env` options of validate, render, plan, apply and check are defined
in cli/_options.py; render's `--all-envs` and `--target gitops` in cli/main.py."""

from __future__ import annotations

import sys

import click

from cli import DEFAULT_FILE
from cli._exit import handled
from cli._help import USAGE_MEANING, exit_codes
from cli._options import format_option
from cli._report import finish


@click.command(
    epilog=exit_codes({0: "printed", 2: f"{USAGE_MEANING}, no such environment, or a literal secret in it"})
)
@click.argument("file", default=DEFAULT_FILE, required=False)
@click.option("--env", "env_name", required=True, metavar="NAME", help="The environment to resolve.")
@handled
def resolve(file: str, env_name: str) -> None:
    """Print environment NAME's contract as a file of its own: the base models with the
    environment's only/except, overrides, platform, featureFlags and variables applied.

    `render --env NAME` renders exactly this file (its manifest.json names it).
    """
    from contract.workflows.environments import resolve_environment

    finish(resolve_environment(file, env_name, stdin=lambda: sys.stdin.buffer.read()))


@click.command(
    epilog=exit_codes(
        {
            0: "the two environments are the same",
            1: "they differ (or the contract has errors)",
            2: USAGE_MEANING,
        }
    )
)
@click.argument("file", default=DEFAULT_FILE, required=False)
@click.option(
    "--env",
    "envs",
    multiple=True,
    required=True,
    metavar="NAME",
    help="Two environments: --env staging --env prod.",
)
@format_option("text", "json")
@handled
def diff(file: str, envs: tuple[str, ...], fmt: str) -> None:
    """Show what differs between two environments' resolved contracts (models, fields, flags,
    platform), for reviewing a promotion: `diff --env staging --env prod`.

    Exit 0 when they are the same, 1 when they differ, 2 for usage errors.
    """
    from contract.workflows.environments import diff_files

    if len(envs) != 2:
        raise click.UsageError("diff takes exactly two environments: --env A --env B")
    outcome = diff_files(file, envs[0], envs[1])
    if outcome.usage is not None:
        raise click.UsageError(outcome.usage)
    finish(outcome, fmt)
