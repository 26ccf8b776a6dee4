"""What `import litellm` says about an import, for people (pure functions)."""

from __future__ import annotations

from contract.reporting import Output, Part
from contract.workflows.importer import Imported


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
