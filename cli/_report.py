"""The CLI's end of every command: print an outcome's report, exit with its status's code."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, NoReturn

import click

from cli._exit import status_code

if TYPE_CHECKING:
    from contract.outcome import Outcome
    from contract.reporting import Output


def wants_colour(choice: bool | None, stream: IO[str] | None = None) -> bool:
    """--color/--no-color, else colour when the stream (stdout) is a terminal and NO_COLOR is unset."""
    if choice is not None:
        return choice
    return (stream or sys.stdout).isatty() and "NO_COLOR" not in os.environ


def emit(output: Output, colour: bool | None = None) -> None:
    """Print each part of a report where it goes, in order. `colour` is stdout's: on stderr
    click keeps colour only when stderr is a terminal (`apply 2>log` gets no escape codes)."""
    for part in output:
        click.echo(part.text, nl=False, err=part.err, color=None if part.err else colour)


def show(outcome: Outcome, fmt: str = "text", colour: bool | None = None) -> None:
    """Print `outcome` as its reporter for `fmt` writes it (contract/reporting/)."""
    from contract.reporting import report

    emit(report(outcome, fmt, bool(colour)), colour)


def finish(outcome: Outcome, fmt: str = "text", colour: bool | None = None) -> NoReturn:
    """Print `outcome`'s report, then exit with the code of its status (cli/_exit.py)."""
    show(outcome, fmt, colour)
    sys.exit(status_code(outcome.status))
