"""Environments on the command line: `--env NAME` for validate/render/plan/apply/check,
`render --all-envs`, `render --target gitops`, and the `resolve` and `diff` commands."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from cli import DEFAULT_FILE
from cli._exit import FAILED, handled
from cli._help import USAGE_MEANING, exit_codes
from cli._report import echo_diagnostics


def check_choice(results: Any, wanted: tuple[str, ...], every: bool) -> None:
    """validate --env/--all-envs: each file declares the environments named."""
    from contract.pipeline.render.environments import choose

    for result in results:
        if result.contract is not None:  # a file that could not be read is reported as such
            choose(result.declared_environments, wanted, every)


def render_environments(
    file: str,
    out_dir: str,
    wanted: tuple[str, ...],
    every: bool,
    targets: tuple[str, ...],
    check: bool,
    catalog_path: str | None,
    quiet: bool = False,
    **options: Any,
) -> None:
    """render --env/--all-envs/--target gitops: validate every environment, then write the tree.

    As for one contract: `check` prints a diff of each changed file, `quiet` nothing but errors."""
    from contract.pipeline.render import check_out_dir, write_tree

    if not check:
        check_out_dir(out_dir, file)
    raw, result = _validated(file, wanted, catalog_path, quiet)
    warnings: list[str] = []
    files = _rendered(
        result, raw, file, wanted, every, targets, warnings, catalog_path=catalog_path, **options
    )
    if check:
        _check_tree(out_dir, files, result, quiet)
    write_tree(out_dir, files)
    if quiet:
        return
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in files:
        click.echo(f"wrote {os.path.join(out_dir, path)}")


def _validated(
    file: str, wanted: tuple[str, ...], catalog_path: str | None, quiet: bool
) -> tuple[bytes, Any]:
    """The file's bytes and its validation (the base and the environments `wanted`, else all);
    exits 1 after the diagnostics when the contract has errors."""
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import read_contract, validate_bytes

    raw = sys.stdin.buffer.read() if file == "-" else read_contract(file)
    # Only the environments rendered are validated (the base always is).
    checks = Options(env=dict(os.environ), catalog_path=catalog_path, environments=wanted or None)
    result = validate_bytes(raw, file=file, options=checks)
    echo_diagnostics(result, quiet)
    if result.errors or result.contract is None or result.source is None:
        click.echo("install-contract: the contract has errors; nothing was rendered", err=True)
        sys.exit(FAILED)
    return raw, result


def _rendered(
    result: Any,
    raw: bytes,
    file: str,
    wanted: tuple[str, ...],
    every: bool,
    targets: tuple[str, ...],
    warnings: list[str],
    **options: Any,
) -> dict[str, bytes]:
    """The files of the environments chosen: the GitOps tree, or each environment's targets."""
    from contract.pipeline.render.environments import choose, render_environments

    gitops = "gitops" in targets
    if gitops and not result.declared_environments:
        from contract.errors import UsageError

        raise UsageError(
            "--target gitops writes one overlay per environment, and the contract declares no "
            "environments: (see README, Environments and GitOps)"
        )
    envs = choose(result.declared_environments, wanted, every or (gitops and not wanted))
    name = os.path.basename(file) if file != "-" else "<stdin>"
    if not gitops:
        return render_environments(
            result, result.source, name, envs, raw, warnings=warnings, targets=targets, **options
        )
    from contract.pipeline.render.gitops import render_gitops

    others = tuple(t for t in targets if t != "gitops")
    if others:
        raise click.UsageError(f"--target gitops is rendered on its own, not with {', '.join(others)}")
    return render_gitops(result, result.source, name, envs, raw, **options)


def _check_tree(out_dir: str, files: dict[str, bytes], result: Any, quiet: bool) -> None:
    """render --check: print how `out_dir` differs from `files`, exit 0 (up to date) or 1 (stale)."""
    from contract.pipeline.render import differences

    # The contract's literal secrets, should a file on disk have been edited to hold one.
    stale = differences(out_dir, files, masked=sorted(result.secrets))
    if not quiet:
        for found in stale:
            click.echo(str(found))
            click.echo(found.diff, nl=False)
        click.echo(f"{out_dir}: {'stale, render again' if stale else 'up to date'}")
    sys.exit(1 if stale else 0)


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
    from contract.errors import InputError
    from contract.pipeline.load import decode
    from contract.pipeline.render.environments import resolved_text
    from contract.pipeline.validate import read_contract

    raw = sys.stdin.buffer.read() if file == "-" else read_contract(file)
    text, problem = decode(raw)
    if text is None:
        raise InputError(f"{file}: {problem.message if problem else 'cannot be read'}")
    from contract.errors import UsageError
    from contract.knowledge.secrets import mask
    from contract.pipeline.load import load

    resolved = resolved_text(text, env_name, file)
    if mask(resolved, load(text).secrets) != resolved:
        from contract.knowledge.secrets import literal_places

        places = [
            "/" + "/".join(str(part) for part in path) for path, _ in literal_places(load(resolved).data)
        ]
        raise UsageError(
            f"{file}: environment {env_name} holds a literal secret"
            f" ({', '.join(places) or 'IC303'}); nothing was printed: "
            "write it as ${VAR} and keep the value in the environment"
        )
    click.echo(resolved, nl=False)


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
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@handled
def diff(file: str, envs: tuple[str, ...], fmt: str) -> None:
    """Show what differs between two environments' resolved contracts (models, fields, flags,
    platform), for reviewing a promotion: `diff --env staging --env prod`.

    Exit 0 when they are the same, 1 when they differ, 2 for usage errors.
    """
    import json

    from contract.pipeline.load import load
    from contract.pipeline.render.environments import choose
    from contract.pipeline.validate import read_contract
    from contract.workflows.envdiff import diff_environments, render_diff

    if len(envs) != 2:
        raise click.UsageError("diff takes exactly two environments: --env A --env B")
    raw = read_contract(file)
    try:
        doc = load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise click.UsageError(f"{file}: is not UTF-8 text") from None
    if not doc.ok or not isinstance(doc.data, dict):
        click.echo(f"install-contract: {file} cannot be read as a contract; run validate", err=True)
        sys.exit(FAILED)
    from contract.pipeline.environments import environment_names

    choose(environment_names(doc.data), envs, False)
    from contract.knowledge.secrets import mask

    changes = diff_environments(doc.data, envs[0], envs[1])
    # Secret fields are masked by the diff; a literal secret anywhere else (a URL's password) here.
    if fmt == "json":
        click.echo(mask(json.dumps([c.as_dict() for c in changes], indent=2), doc.secrets))
    else:
        click.echo(mask(render_diff(changes, envs[0], envs[1]), doc.secrets), nl=False)
    sys.exit(1 if changes else 0)
