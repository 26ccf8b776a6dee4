"""A small, deterministic YAML emitter for rendered artifacts.

Readers of the output include PyYAML (YAML 1.1: `2024-10-21` is a date, `on` is true), so a
string is left plain only when every reader agrees it is a string; everything else is
double-quoted (JSON string syntax, which is valid YAML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./@+-]*(?::[A-Za-z0-9_./@+-]+)*$")
# YAML 1.1 words that are booleans or null to some reader.
_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def scalar(value: Any) -> str:
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _string(str(value))


@lru_cache(maxsize=4096)
def _string(text: str) -> str:
    """A string as a scalar (cached: keys and many values repeat across thousands of entries)."""
    if _PLAIN.match(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def block(value: Any, indent: int = 0) -> str:
    """`value` as block YAML, every line indented by `indent` spaces (no trailing newline)."""
    return "\n".join(_lines(value, " " * indent))


# Exact types tested before the (slower) abstract ones: rendered values are plain data.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _nested(item: Any) -> bool:
    """A non-empty mapping or list: written on lines of its own."""
    if type(item) in _LEAVES:
        return False
    return isinstance(item, (Mapping, list, tuple)) and bool(item)


def _lines(value: Any, pad: str) -> list[str]:
    out: list[str] = []
    if type(value) is dict or isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        for key, item in value.items():
            head = f"{pad}{_string(key) if type(key) is str else scalar(key)}:"
            if type(item) is str:  # most values: no further tests
                out.append(f"{head} {_string(item)}")
            elif _nested(item):
                out.append(head)
                nested = _lines(item, pad + "  ")
                out.extend(nested)
            else:
                out.append(f"{head} {_inline(item)}")
        return out
    if type(value) is list or (isinstance(value, Sequence) and not isinstance(value, str)):
        if not value:
            return [pad + "[]"]
        for item in value:
            if _nested(item):
                nested = _lines(item, pad + "  ")
                out.append(pad + "- " + nested[0][len(pad) + 2 :])
                out.extend(nested[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")
        return out
    return [pad + scalar(value)]


def _inline(value: Any) -> str:
    if type(value) is str:
        return _string(value)
    if type(value) in _LEAVES:
        return scalar(value)
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return scalar(value)
