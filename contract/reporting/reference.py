"""What `explain` and `schema` print (pure functions)."""

from __future__ import annotations

from contract.reporting import Output, out
from contract.workflows.reference import Explained, SchemaWritten


def explained_text(outcome: Explained, colour: bool = False) -> Output:
    """One line per rule when listing; else the rule's heading and its documentation."""
    if outcome.listed:
        return tuple(
            out(f"{rule.code}  {rule.name:<28} {rule.severity.value:<8} {rule.summary}")
            for rule in outcome.rules
        )
    (rule,) = outcome.rules
    return (out(f"{rule.code} {rule.name} (default severity: {rule.severity.value})\n"), out(rule.doc))


def schema_text(outcome: SchemaWritten, colour: bool = False) -> Output:
    """The schema on stdout, unless it was written to a file."""
    return () if outcome.output else (out(outcome.text, nl=False),)
