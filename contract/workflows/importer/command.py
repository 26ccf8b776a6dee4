"""`import litellm` as one call: check the request, read, import, write.

    ImportRequest -> import_command(request) -> ImportOutcome

The checks come in the order the command has always made them: options that do not go
together (`usage`), an --out FILE that exists without --force, each --context-window
NAME=TOKENS; then the config (or the proxy's /model/info) is read and imported, and a
--context-window that names no model_name is a usage error too. Then --add appends through
the editor (`plan_imported_add`), or the new contract goes to --out FILE (or stays in the
outcome for stdout) with what `validate` says of it; --keep-extra writes the side file last.
Every file is written atomically; nothing is printed. A config that cannot be read, a URL
that is not one and a config without model_list stay exceptions (InputError, UsageError).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.errors import ExternalError
from contract.outcome import Outcome, Status
from contract.workflows.importer.litellm import ImportAdd, Imported

__all__ = ["ImportOutcome", "ImportRequest", "Summary", "import_command", "parse_windows", "refused_options"]


@dataclass(frozen=True)
class ImportRequest:
    """`import litellm [CONFIG] [--url URL] [--out FILE [--force] | --add FILE] [--keep-extra FILE]
    [--context-window NAME=TOKENS ...] [--timeout S]`; `master_key` is $LITELLM_MASTER_KEY."""

    config: str | None = None
    url: str | None = None
    out_path: str | None = None
    add_path: str | None = None
    force: bool = False
    extra_path: str | None = None
    windows: tuple[str, ...] = ()  # --context-window values, as given
    timeout: float = 10.0
    master_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Summary:
    """What `validate` says of the new contract: its errors (`at_todo` of them at a TODO) and warnings."""

    errors: int
    at_todo: int
    warnings: int


@dataclass(frozen=True)
class ImportOutcome(Outcome):
    """What the import found and did.

    Status: OK; REJECTED when --out FILE exists without --force (`exists`) or --add was
    refused (`add.error`): nothing was written; REFUSED with `usage`: the options do not go
    together (said as a usage error); UNREACHABLE: the proxy cannot be read (`error`).
    """

    out_path: str | None = None
    add_path: str | None = None
    extra_path: str | None = None
    imported: Imported | None = None
    text: str | None = None  # the new contract: written to out_path, else for stdout (None with --add)
    summary: Summary | None = None  # validate's verdict on `text`
    add: ImportAdd | None = None  # what --add did
    written: tuple[str, ...] = ()  # the files written, in order
    exists: bool = False
    usage: str | None = None
    error: str | None = None


def import_command(request: ImportRequest) -> ImportOutcome:
    """Import the request's config (or proxy) and write what it asks for."""
    outcome = ImportOutcome(
        Status.OK, out_path=request.out_path, add_path=request.add_path, extra_path=request.extra_path
    )
    usage = refused_options(request)
    if usage is not None:
        return dataclasses.replace(outcome, status=Status.REFUSED, usage=usage)
    if request.out_path and os.path.exists(request.out_path) and not request.force:
        return dataclasses.replace(outcome, status=Status.REJECTED, exists=True)
    windows, usage = parse_windows(request.windows)
    if usage is not None:
        return dataclasses.replace(outcome, status=Status.REFUSED, usage=usage)
    try:
        imported = _imported(request, windows)
    except ExternalError as exc:
        return dataclasses.replace(outcome, status=Status.UNREACHABLE, error=str(exc))
    outcome = dataclasses.replace(outcome, imported=imported)
    unknown = sorted(set(windows) - {e.name for e in imported.entries})
    if unknown:
        usage = f"--context-window names {', '.join(unknown)}, not a model_name of the config"
        return dataclasses.replace(outcome, status=Status.REFUSED, usage=usage)
    outcome = _add(outcome, request.add_path) if request.add_path else _contract(outcome, request.out_path)
    if outcome.status is Status.OK and request.extra_path:
        outcome = _write(outcome, request.extra_path, _extra(imported))
    return outcome


def refused_options(request: ImportRequest) -> str | None:
    """Why the options do not go together (a usage error), or None."""
    if (request.config is None) == (request.url is None):
        return "give a CONFIG file or --url URL (one of them)"
    if request.out_path and request.add_path:
        return "--out and --add exclude each other"
    if request.force and not request.out_path:
        return "--force goes with --out FILE"
    return None


def parse_windows(values: tuple[str, ...]) -> tuple[dict[str, int], str | None]:
    """--context-window NAME=TOKENS values by name, and the usage error of the first bad one (or None)."""
    windows: dict[str, int] = {}
    for value in values:
        name, eq, number = value.rpartition("=")
        if not eq or not name or not number.isdigit() or int(number) < 1:
            return windows, f"--context-window {value!r}: write NAME=TOKENS (model_name=131072)"
        windows[name] = int(number)
    return windows, None


def _imported(request: ImportRequest, windows: Mapping[str, int]) -> Imported:
    """The config (or the proxy's /model/info) as contract entries; ExternalError when the proxy fails."""
    from contract.workflows.importer.litellm import import_litellm
    from contract.workflows.importer.proxy import fetch_model_info

    if request.url is not None:
        document = fetch_model_info(request.url, request.master_key, timeout=request.timeout)
        source = request.url
    else:
        from contract.pipeline.render.extra import read_config

        assert request.config is not None
        document, source = read_config(request.config), request.config
    return import_litellm(
        document, source=source, context_windows=windows, from_proxy=request.url is not None
    )


def _add(outcome: ImportOutcome, path: str) -> ImportOutcome:
    """--add FILE: append the entries through the editor; REJECTED (nothing written) when refused."""
    from contract.workflows.importer.litellm import plan_imported_add

    assert outcome.imported is not None
    add = plan_imported_add(path, outcome.imported)
    outcome = dataclasses.replace(outcome, add=add, diagnostics=add.diagnostics)
    if add.error:
        return dataclasses.replace(outcome, status=Status.REJECTED)
    if add.data is not None:
        outcome = _write(outcome, path, add.data)
    return outcome


def _contract(outcome: ImportOutcome, out_path: str | None) -> ImportOutcome:
    """A new contract, written to --out FILE (else kept for stdout), with what `validate` says of it."""
    from contract.pipeline.validate import validate_text
    from contract.workflows.importer.litellm import contract_text

    assert outcome.imported is not None
    text = contract_text(outcome.imported)
    result = validate_text(text, file=out_path or "<stdout>")
    todo_lines = {i + 1 for i, line in enumerate(text.splitlines()) if line.rstrip().endswith(": TODO")}
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    at_todo = sum(1 for d in errors if d.line in todo_lines)
    summary = Summary(len(errors), at_todo, result.warnings)
    outcome = dataclasses.replace(outcome, text=text, summary=summary, diagnostics=result.diagnostics)
    return _write(outcome, out_path, text.encode("utf-8")) if out_path else outcome


def _extra(imported: Imported) -> bytes:
    from contract.workflows.importer.litellm import extra_text

    return extra_text(imported).encode("utf-8")


def _write(outcome: ImportOutcome, path: str, data: bytes) -> ImportOutcome:
    from contract.writing import write_atomic

    write_atomic(path, data)
    return dataclasses.replace(outcome, written=(*outcome.written, path))
