"""`install-contract lsp`: the rules of `validate` where the engineer types (see cli/lsp_server.py)."""

from __future__ import annotations

import click

from cli._exit import handled
from cli._help import exit_codes
from contract.errors import UsageError

DEFAULT_DEBOUNCE = 0.02  # seconds of quiet after a change before validating


@click.command(
    "lsp",
    epilog=exit_codes({0: "the editor ended the session", 2: "the lsp extra (pygls) is not installed"}),
)
@click.option(
    "--debounce",
    type=click.FloatRange(0, 5),
    default=DEFAULT_DEBOUNCE,
    show_default=True,
    help="Seconds of quiet after a change before the contract is validated again.",
)
@handled
def lsp_command(debounce: float) -> None:
    """Run the language server on stdio: validate's diagnostics, quick fixes, completion, hover.

    Serves install-contract*.yaml and any YAML file whose first line is the schema modeline.
    Needs the `lsp` extra: pip install 'install-contract[lsp]'.
    """
    try:
        from cli.lsp_server import build_server
    except ImportError as exc:
        raise UsageError(
            f"the language server needs {exc.name or 'pygls'}: pip install 'install-contract[lsp]'"
        ) from None
    build_server(debounce).start_io()
