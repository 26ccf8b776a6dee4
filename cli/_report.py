"""Reporting a validation result before a command goes on (render, render --env)."""

from __future__ import annotations

import dataclasses

import click

from contract.diagnostics import Severity
from contract.pipeline.validate import Result


def echo_diagnostics(result: Result, quiet: bool) -> None:
    """The diagnostics of `result` on stderr as validate's text report; with `quiet`, errors only."""
    from contract.reporting.diagnostics import render_text

    shown = result
    if quiet:
        shown = dataclasses.replace(
            result, diagnostics=tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
        )
    if shown.diagnostics:
        click.echo(render_text([shown]), nl=False, err=True)
