"""The one diagnostic record every rule produces and every reporter reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


Path = tuple[str | int, ...]


def json_pointer(path: Path) -> str:
    """RFC 6901 pointer for a path of keys and indexes ('' is the document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one file: where it is, what it is and how to fix it.

    `line` and `column` are 1-based and point at the offending value (at the key for an
    unknown field, at the entry's first line for a missing field).
    """

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.line, self.column, self.code, self.message)
