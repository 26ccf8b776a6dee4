"""The diagnostics of `validate` for the text an editor holds, with LSP-ready ranges."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.workflows.editor.text import token_end


@dataclass(frozen=True)
class Problem:
    """One diagnostic as `validate -f json` reports it (secrets masked), and the span it covers.

    `line`/`column` and `end_line`/`end_column` are 0-based, in code points.
    """

    record: Mapping[str, Any]
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def code(self) -> str:
        return str(self.record["code"])

    @property
    def hint(self) -> str | None:
        hint = self.record.get("hint")
        return str(hint) if hint else None

    def covers(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True)
class Analysis:
    text: str
    lines: tuple[str, ...]
    problems: tuple[Problem, ...]


def analyse(text: str, file: str, env: Mapping[str, str] | None = None) -> Analysis:
    """Validate `text` exactly as `install-contract validate -f json` would validate the file."""
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import validate_text

    options = Options(env=dict(os.environ if env is None else env))
    result = validate_text(text, file=file, options=options)
    lines = tuple(text.splitlines())
    problems = tuple(_problem(lines, d.as_dict()) for d in result.masked())
    return Analysis(text, lines, problems)


def _problem(lines: tuple[str, ...], record: Mapping[str, Any]) -> Problem:
    line = max(int(record["line"]) - 1, 0)
    column = max(int(record["column"]) - 1, 0)
    text = lines[line] if line < len(lines) else ""
    if column >= len(text):
        return Problem(record, line, min(column, len(text)), line, len(text))
    return Problem(record, line, column, line, token_end(text, column))
