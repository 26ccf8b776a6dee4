"""What `render` says after its diagnostics: what it wrote, or what is stale (pure functions)."""

from __future__ import annotations

import os

from contract.outcome import Status
from contract.pipeline.validate import Result
from contract.reporting import Output, Part, err, out
from contract.workflows.rendering import Rendered

NOTHING_RENDERED = "install-contract: the contract has errors; nothing was rendered"


def rendered_text(outcome: Rendered, colour: bool = False) -> Output:
    if outcome.status is Status.INVALID:
        return (err(NOTHING_RENDERED),)
    if outcome.checked:
        return () if outcome.quiet else _compared(outcome)
    if outcome.quiet:
        return ()
    parts = [err(f"warning: {warning}") for warning in outcome.warnings]
    if outcome.files:  # one part, so one write (not ten thousand at scale)
        parts.append(out("\n".join(f"wrote {os.path.join(outcome.out_dir, path)}" for path in outcome.files)))
    if not outcome.per_environment:
        parts += _variables(outcome)
    return tuple(parts)


def _compared(outcome: Rendered) -> Output:
    parts: list[Part] = []
    for found in outcome.stale:
        parts.append(out(str(found)))
        parts.append(out(found.diff, nl=False))
    parts.append(out(f"{outcome.out_dir}: {'stale, render again' if outcome.stale else 'up to date'}"))
    return tuple(parts)


def _variables(outcome: Rendered) -> list[Part]:
    """The variables LiteLLM reads, and each literal value that should be one."""
    parts = [out("LiteLLM reads these environment variables: " + ", ".join(outcome.variables))]
    for var, (entry, what) in outcome.literals:
        parts.append(
            out(
                f"  {var}: the literal {what} of {entry}; put it in the "
                "environment and write ${" + var + "} in the contract"
            )
        )
    return parts


def diagnostics_before(result: Result, quiet: bool) -> Output:
    """The diagnostics of a contract about to be compiled (render, check), on stderr as
    validate's text report; with `quiet`, errors only."""
    import dataclasses

    from contract.diagnostics import Severity
    from contract.reporting.diagnostics import render_text

    shown = result
    if quiet:
        shown = dataclasses.replace(
            result, diagnostics=tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
        )
    return (err(render_text([shown]), nl=False),) if shown.diagnostics else ()
