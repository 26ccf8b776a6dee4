"""What the tool tells about itself: `explain` (the rules) and `schema` (the JSON Schema)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contract.outcome import Outcome, Status

if TYPE_CHECKING:
    from contract.pipeline.rules import Rule


@dataclass(frozen=True)
class Explained(Outcome):
    """`explain`: the rule asked for, or every rule (`listed`); `problem` when no rule has the code."""

    rules: tuple[Rule, ...] = ()
    listed: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class SchemaWritten(Outcome):
    """`schema`: the JSON Schema's text, and the file it was written to (None: for stdout)."""

    text: str = ""
    output: str | None = None


def explain(code: str | None) -> Explained:
    """Rule `code` (any case), every rule when None; REFUSED naming the nearest code when unknown."""
    from contract.knowledge.catalog import nearest
    from contract.pipeline.rules import RULES

    if code is None:
        return Explained(Status.OK, rules=tuple(sorted(RULES.values(), key=lambda r: r.code)), listed=True)
    found = RULES.get(code.upper())
    if found is None:
        guess = nearest(code.upper(), RULES) or nearest(code.lower(), {r.name: c for c, r in RULES.items()})
        hint = f"; did you mean {guess}?" if guess else ""
        return Explained(
            Status.REFUSED, problem=f"no rule {code!r}{hint} (`install-contract explain` lists them)"
        )
    return Explained(Status.OK, rules=(found,))


def write_schema(output: str | None) -> SchemaWritten:
    """The JSON Schema of install-contract.yaml, written atomically to `output` when given."""
    from contract.pipeline.schema import schema_text
    from contract.writing import write_atomic

    text = schema_text()
    if output:
        write_atomic(output, text.encode("utf-8"))
    return SchemaWritten(Status.OK, text=text, output=output)
