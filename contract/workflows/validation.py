"""`install-contract validate`: files (or stdin) in, one `Result` per file out, as a `Validated`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contract.errors import InputError, UsageError
from contract.outcome import Outcome, Status

if TYPE_CHECKING:
    from contract.pipeline.validate import Result


@dataclass(frozen=True)
class ValidateRequest:
    """validate's options: the files ("-" is stdin, read by `stdin`), and the rules to run."""

    files: tuple[str, ...]
    strict: bool = False
    check_env: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    catalog_path: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    environments: tuple[str, ...] = ()  # --env NAME (none: every environment)
    all_envs: bool = False
    stdin: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class Validated(Outcome):
    """Each readable file's result; why each other file could not be read; `problem`: why the
    request was refused after the files were read (an environment a file does not declare)."""

    results: tuple[Result, ...] = ()
    unreadable: tuple[str, ...] = ()
    problem: str | None = None


def validation_status(results: Sequence[Result], strict: bool) -> Status:
    """INVALID when a result has errors (or warnings under `strict`), else OK."""
    if any(r.errors for r in results):
        return Status.INVALID
    if strict and any(r.warnings for r in results):
        return Status.INVALID
    return Status.OK


def validate_files(request: ValidateRequest) -> Validated:
    """Validate every file of the request; an unreadable one is named, and the rest go on.

    Raises InputError or UsageError for a --catalog file that cannot be used (before any file
    is read)."""
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import Selection, validate_bytes, validate_file

    if request.catalog_path:
        from contract.knowledge.catalog import load_catalog

        load_catalog(request.catalog_path)  # a bad file fails here, once
    selection = Selection(request.select, request.ignore)
    options = Options(
        check_env=request.check_env,
        env=dict(request.env),
        catalog_path=request.catalog_path,
        environments=request.environments or None,
    )
    results: list[Result] = []
    unreadable: list[str] = []
    for path in request.files:
        try:
            if path == "-":
                raw = request.stdin() if request.stdin is not None else b""
                results.append(validate_bytes(raw, file="<stdin>", options=options, selection=selection))
            else:
                results.append(validate_file(path, options, selection))
        except InputError as exc:
            unreadable.append(str(exc))
    problem = _environments_problem(results, request)
    if problem is not None:
        return Validated(
            Status.REFUSED, results=tuple(results), unreadable=tuple(unreadable), problem=problem
        )
    status = Status.REFUSED if unreadable else validation_status(results, request.strict)
    return Validated(status, results=tuple(results), unreadable=tuple(unreadable))


def _environments_problem(results: Sequence[Result], request: ValidateRequest) -> str | None:
    """--env/--all-envs: each file declares the environments named (else why not)."""
    if not (request.environments or request.all_envs):
        return None
    from contract.pipeline.render.environments import choose

    try:
        for result in results:
            if result.contract is not None:  # a file that could not be read is reported as such
                choose(result.declared_environments, request.environments, request.all_envs)
    except UsageError as exc:
        return str(exc)
    return None
