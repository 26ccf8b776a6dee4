"""`install-contract import litellm`: an existing LiteLLM config (or proxy) as a contract."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from cli._exit import FAILED, handled
from cli._help import USAGE_MEANING, Group, exit_codes
from cli._options import file_option

if TYPE_CHECKING:
    from contract.workflows.importer import Imported


@click.group(
    name="import",
    cls=Group,
    epilog=exit_codes(
        {0: "imported", 1: "refused: nothing was written", 2: USAGE_MEANING, 3: "the proxy cannot be read"}
    ),
)
def import_group() -> None:
    """Turn an existing configuration into contract entries."""


def _windows(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        name, eq, number = value.rpartition("=")
        if not eq or not name or not number.isdigit() or int(number) < 1:
            raise click.UsageError(f"--context-window {value!r}: write NAME=TOKENS (model_name=131072)")
        out[name] = int(number)
    return out


def _report(imported: Imported, to_stdout: bool) -> None:
    """What the import did, for people (contract/reporting/importer.py)."""
    from cli._report import emit
    from contract.reporting.importer import import_notes

    emit(import_notes(imported, to_stdout))


@import_group.command(
    epilog=exit_codes(
        {
            0: "imported",
            1: "--add refused, or --out FILE exists: nothing was written",
            2: f"{USAGE_MEANING} (CONFIG)",
            3: "the proxy (--url) cannot be read",
        }
    )
)
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--url", metavar="URL", help="A running LiteLLM proxy: read its /model/info (key: $LITELLM_MASTER_KEY)."
)
@file_option("--out", "out_path", help="Write a new contract to FILE.")
@file_option("--add", "add_path", help="Append to the contract FILE (names already there are skipped).")
@click.option("--force", is_flag=True, help="With --out: overwrite FILE if it exists.")
@file_option(
    "--keep-extra",
    "extra_path",
    help="Write the settings the contract does not model to FILE (render --litellm-extra FILE merges them back).",
)
@click.option(
    "--context-window",
    "windows",
    multiple=True,
    metavar="NAME=N",
    help="contextWindow of model_name NAME where neither the config nor the catalog says; repeatable.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="--url: seconds."
)
@handled
def litellm(
    config: str | None,
    url: str | None,
    out_path: str | None,
    add_path: str | None,
    force: bool,
    extra_path: str | None,
    windows: tuple[str, ...],
    timeout: float,
) -> None:
    """Import a LiteLLM proxy CONFIG (config.yaml), or a running proxy's models (--url).

    Each model_list item becomes a contract entry; literal keys become ${VAR} (the variables
    to set are listed, never their values). Without --out or --add the contract goes to
    stdout and the report to stderr. Exit 0 when imported, 1 when --add is refused, 2 for
    usage errors or an unreadable CONFIG, 3 when the proxy cannot be read.
    """
    from contract.workflows.importer import extra_text, import_litellm
    from contract.writing import write_atomic

    _refuse_options(config, url, out_path, add_path, force)
    context_windows = _windows(windows)
    document, source = _read(config, url, timeout)
    imported = import_litellm(
        document, source=source, context_windows=context_windows, from_proxy=url is not None
    )
    unknown = sorted(set(context_windows) - {e.name for e in imported.entries})
    if unknown:
        raise click.UsageError(f"--context-window names {', '.join(unknown)}, not a model_name of the config")

    if add_path:
        _add(add_path, imported)
    else:
        _contract(out_path, imported)
    if extra_path:
        write_atomic(extra_path, extra_text(imported).encode("utf-8"))
        click.echo(
            f"wrote {extra_path}: `install-contract render --litellm-extra {extra_path}` merges it back",
            err=not (out_path or add_path),
        )


def _refuse_options(
    config: str | None, url: str | None, out_path: str | None, add_path: str | None, force: bool
) -> None:
    """Usage errors, and an --out FILE that exists without --force (exit 1, nothing written)."""
    if (config is None) == (url is None):
        raise click.UsageError("give a CONFIG file or --url URL (one of them)")
    if out_path and add_path:
        raise click.UsageError("--out and --add exclude each other")
    if force and not out_path:
        raise click.UsageError("--force goes with --out FILE")
    if out_path and os.path.exists(out_path) and not force:
        click.echo(
            f"install-contract: {out_path} already exists; --force overwrites it, --add appends", err=True
        )
        sys.exit(FAILED)


def _read(config: str | None, url: str | None, timeout: float) -> tuple[Any, str]:
    """The LiteLLM config (or the proxy's /model/info) and where it came from."""
    from contract.knowledge.litellm import MASTER_KEY_ENV
    from contract.workflows.importer import fetch_model_info, read_config

    if url is not None:
        return fetch_model_info(url, os.environ.get(MASTER_KEY_ENV) or None, timeout=timeout), url
    assert config is not None
    return read_config(config), config


def _add(add_path: str, imported: Imported) -> None:
    """--add FILE: append the entries (exit 1 when refused)."""
    from contract.workflows.importer import plan_imported_add
    from contract.writing import write_atomic

    outcome = plan_imported_add(add_path, imported)
    _report(imported, to_stdout=True)
    for name in outcome.unfinished:
        click.echo(f"not added: {name}: it has a TODO (see above)", err=True)
    for name in outcome.skipped:
        click.echo(f"skipped: {name} already in {add_path}")
    if outcome.error:
        from cli._report import emit
        from contract.reporting.edits import refusal

        emit(refusal(outcome.error, outcome.diagnostics))
        sys.exit(FAILED)
    if outcome.data is not None:
        write_atomic(add_path, outcome.data)
        click.echo(f"added {', '.join(outcome.added)} to {add_path}")


def _contract(out_path: str | None, imported: Imported) -> None:
    """A new contract, to --out FILE or stdout, with what `validate` says of it."""
    from contract.pipeline.validate import validate_text
    from contract.workflows.importer import contract_text
    from contract.writing import write_atomic

    text = contract_text(imported)
    result = validate_text(text, file=out_path or "<stdout>")
    todo_lines = {i + 1 for i, line in enumerate(text.splitlines()) if line.rstrip().endswith(": TODO")}
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    at_todo = sum(1 for d in errors if d.line in todo_lines)
    summary = f"validate: {len(errors)} error(s) ({at_todo} at a TODO), {result.warnings} warning(s)"
    if out_path:
        write_atomic(out_path, text.encode("utf-8"))
        _report(imported, to_stdout=True)
        click.echo(f"wrote {out_path}; {summary}: `install-contract validate {out_path}` shows each")
    else:
        click.echo(text, nl=False)
        _report(imported, to_stdout=False)
        click.echo(summary, err=True)
