"""What `import litellm` says about an import, for people (pure functions).

`imported_text` is the command's whole report: without --out or --add the contract on stdout
and the rest on stderr; with them, the report on stdout and what went wrong on stderr.
"""

from __future__ import annotations

from contract.outcome import Status
from contract.reporting import Output, Part, err, out
from contract.workflows.importer import Imported
from contract.workflows.importer.command import ImportOutcome, Summary


def imported_text(outcome: ImportOutcome, colour: bool = False) -> Output:
    """What the import did, in the order the command prints it (`usage`: the CLI says it as
    click's usage error instead)."""
    if outcome.usage is not None:
        return (err(f"install-contract: {outcome.usage}"),)
    if outcome.exists:
        return (
            err(f"install-contract: {outcome.out_path} already exists; --force overwrites it, --add appends"),
        )
    if outcome.error is not None or outcome.imported is None:
        return (err(f"install-contract: {outcome.error}"),)
    parts = _added(outcome, outcome.imported) if outcome.add_path else _contract(outcome, outcome.imported)
    if outcome.status is Status.OK and outcome.extra_path:
        extra = outcome.extra_path
        line = f"wrote {extra}: `install-contract render --litellm-extra {extra}` merges it back\n"
        parts.append(Part(line, err=not (outcome.out_path or outcome.add_path)))
    return tuple(parts)


def summary_line(summary: Summary) -> str:
    return f"validate: {summary.errors} error(s) ({summary.at_todo} at a TODO), {summary.warnings} warning(s)"


def _added(outcome: ImportOutcome, imported: Imported) -> list[Part]:
    """--add FILE: the notes, the entries left out or skipped, then the refusal or what was added."""
    from contract.reporting.edits import refusal

    add, path = outcome.add, outcome.add_path
    assert add is not None
    parts = list(import_notes(imported, to_stdout=True))
    parts += [err(f"not added: {name}: it has a TODO (see above)") for name in add.unfinished]
    parts += [out(f"skipped: {name} already in {path}") for name in add.skipped]
    if add.error:
        return parts + list(refusal(add.error, add.diagnostics))
    if add.data is not None:
        parts.append(out(f"added {', '.join(add.added)} to {path}"))
    return parts


def _contract(outcome: ImportOutcome, imported: Imported) -> list[Part]:
    """A new contract: to --out FILE with the report on stdout, or on stdout with the report on stderr."""
    assert outcome.summary is not None and outcome.text is not None
    summary = summary_line(outcome.summary)
    if outcome.out_path:
        path = outcome.out_path
        shown = f"wrote {path}; {summary}: `install-contract validate {path}` shows each"
        return [*import_notes(imported, to_stdout=True), out(shown)]
    return [out(outcome.text, nl=False), *import_notes(imported, to_stdout=False), err(summary)]


def import_notes(imported: Imported, to_stdout: bool) -> Output:
    """What the import did, skipped and left to do; on stderr unless stdout holds nothing else."""
    lines = [f"imported {len(imported.entries)} model(s) from {imported.source}"]
    lines += [f"warning: not imported: {skipped}" for skipped in imported.skipped]
    for group in imported.groups:
        lines.append(
            f"warning: {group.name} has {len(group.deployments)} deployments (LiteLLM load-balances them); "
            f"the contract holds one per name: imported {group.imported}; not imported: {'; '.join(group.others)}"
        )
    for entry in imported.entries:
        lines += [f"note: {entry.name}: {note}" for note in entry.notes]
        lines += [
            f"TODO: {entry.name}: {todo} is neither in the config nor in the catalog; "
            f"pass --context-window {entry.name}=N or edit the TODO (validate reports it)"
            for todo in entry.todos
        ]
    lines += [f"note: {note}" for note in imported.notes]
    if imported.kept_out:
        lines.append("kept out of the contract (--keep-extra FILE keeps them for render --litellm-extra):")
        lines += [f"  {item}" for item in imported.kept_out]
    if imported.to_set:
        lines.append(
            "set these environment variables (values the import does not copy): " + ", ".join(imported.to_set)
        )
    if imported.variables:
        lines.append("the contract reads: " + ", ".join(imported.variables))
    return tuple(Part(line + "\n", err=not to_stdout) for line in lines)
