"""`install-contract check` as one call: validate, plan the targets, run them, return `Checked`.

The CLI keeps what belongs to the terminal: how the run's options are chosen (`run_options`,
which notes a fall-back to local), the live progress line (`progress`), and the diagnostics
shown before the run (`on_validated`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contract.outcome import Outcome, Status
from contract.workflows.checks import CheckReport, EntryResult, RunOptions

if TYPE_CHECKING:
    from contract.pipeline.validate import Result, TypedContract

OnResult = Callable[[EntryResult], None]
# progress(total) -> a context whose value is called with each finished entry (or None)
Progress = Callable[[int], AbstractContextManager[OnResult | None]]


@dataclass(frozen=True)
class CheckRequest:
    """check's FILE ("-" is read with `stdin`), its --env and --model, and the environment."""

    file: str
    env: Mapping[str, str] = field(default_factory=dict)
    env_name: str | None = None
    models: tuple[str, ...] = ()
    stdin: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class Checked(Outcome):
    """OK when every step passed, UNREACHABLE when one failed; INVALID: the contract has
    errors and nothing was checked (`report` is None)."""

    report: CheckReport | None = None


def check_contract(
    request: CheckRequest,
    run_options: Callable[[TypedContract], RunOptions],
    *,
    on_validated: Callable[[Result], None] | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Check every endpoint of the request's contract with the options `run_options` gives."""
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import read_contract, validate_bytes
    from contract.workflows.checks import plan_contract, run
    from contract.workflows.environments import only_environment

    if request.file == "-":
        raw = request.stdin() if request.stdin is not None else b""
    else:
        raw = read_contract(request.file)
    env = dict(request.env)
    result = validate_bytes(raw, file=request.file, options=Options(env=env))
    result = only_environment(result, request.env_name)
    if on_validated is not None:
        on_validated(result)
    if result.errors or result.contract is None:
        return Checked(Status.INVALID, result.diagnostics)
    targets = plan_contract(result.contract, env, request.models)
    run_with = run_options(result.contract)
    shown = progress(len(targets)) if progress is not None else contextlib.nullcontext(None)
    with shown as on_result:
        results = run(result.contract, targets, run_with, on_result)
    report = CheckReport(
        file="<stdin>" if request.file == "-" else request.file, where=run_with.where, results=tuple(results)
    )
    return Checked(Status.OK if report.ok else Status.UNREACHABLE, report=report)
