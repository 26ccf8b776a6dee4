"""What `add`, `remove` and `init` say: what was written, or why nothing was (pure functions)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from contract.diagnostics import Diagnostic, Severity
from contract.knowledge.secrets import mask
from contract.outcome import Status
from contract.pipeline.validate import Result
from contract.reporting import Output, Part, err, out
from contract.workflows.editing import Added, Initialised, Removed


def added_text(outcome: Added, colour: bool = False) -> Output:
    """The entry as written (stdout), the defaults it took and its warnings (stderr), then a line."""
    from contract.reporting.diagnostics import render_text

    plan = outcome.plan
    assert plan is not None
    if plan.data is None:
        return refused(plan.error, plan.hint, plan.result)
    parts = [out(plan.entry_yaml, nl=False)]
    parts += [err(f"note: {note}") for note in plan.notes]
    if plan.warnings and plan.result is not None:
        own = dataclasses.replace(plan.result, diagnostics=plan.warnings)
        parts.append(err(render_text([own]), nl=False))
    action = "created" if plan.created else "updated"
    parts.append(out(f"added {plan.name} ({plan.litellm_model}) to {outcome.path} ({action})"))
    return tuple(parts)


def removed_text(outcome: Removed, colour: bool = False) -> Output:
    plan = outcome.plan
    assert plan is not None
    if plan.data is None:
        return refused(plan.error, plan.hint, plan.result)
    parts = [out(f"removed {outcome.name} from featureFlags.{flag}") for flag in plan.flags]
    parts.append(out(f"removed {outcome.name} from {outcome.path}"))
    return tuple(parts)


def initialised_text(outcome: Initialised, colour: bool = False) -> Output:
    if outcome.status is not Status.OK:
        return (err(f"install-contract: {outcome.path} already exists; --force overwrites it"),)
    return (out(f"wrote {outcome.path}: edit it, then run `install-contract validate {outcome.path}`"),)


def refused(error: str | None, hint: str | None, result: Result | None) -> Output:
    """Why an edit was refused. The errors of the would-be file are named by where they are in
    the contract (`models[3].vllm`), never by a line of a file that was not written."""
    parts: list[Part] = [err(f"install-contract: {error}")]
    if hint:
        parts.append(err(f"  hint: {hint}"))
    if result is None:
        return tuple(parts)
    for d in result.diagnostics:
        if d.severity is not Severity.ERROR:
            continue
        where = pointer_words(d.path)
        parts.append(err(f"  error {d.code} {where}: {mask(d.message, result.secrets)}"))
        if d.hint:
            parts.append(err(f"    hint: {mask(d.hint, result.secrets)}"))
    return tuple(parts)


def refusal(error: str, diagnostics: Iterable[Diagnostic]) -> Output:
    """Why an `--add` of entries (discover, import litellm) was refused (stderr): the error, then each diagnostic by place."""
    return (
        err(f"install-contract: {error}"),
        *(err(f"  {d.line}:{d.column}: {d.severity.value} {d.code} {d.message}") for d in diagnostics),
    )


def pointer_words(pointer: str) -> str:
    """`/models/3/vllm` -> models[3].vllm."""
    words = ""
    for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        words += f"[{part}]" if part.isdigit() else (f".{part}" if words else part)
    return words or "the contract"
