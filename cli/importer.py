"""`install-contract import litellm`: an existing LiteLLM config (or proxy) as a contract."""

from __future__ import annotations

import os

import click

from cli._exit import handled
from cli._help import USAGE_MEANING, Group, exit_codes
from cli._options import file_option
from cli._report import finish


@click.group(
    name="import",
    cls=Group,
    epilog=exit_codes(
        {0: "imported", 1: "refused: nothing was written", 2: USAGE_MEANING, 3: "the proxy cannot be read"}
    ),
)
def import_group() -> None:
    """Turn an existing configuration into contract entries."""


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
    from contract.knowledge.litellm import MASTER_KEY_ENV
    from contract.workflows.importer.command import ImportRequest, import_command

    request = ImportRequest(
        config=config,
        url=url,
        out_path=out_path,
        add_path=add_path,
        force=force,
        extra_path=extra_path,
        windows=windows,
        timeout=timeout,
        master_key=os.environ.get(MASTER_KEY_ENV) or None,
    )
    outcome = import_command(request)
    if outcome.usage is not None:
        raise click.UsageError(outcome.usage)
    finish(outcome)
