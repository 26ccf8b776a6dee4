"""A small, deterministic YAML emitter for rendered artifacts.

Readers of the output include PyYAML (YAML 1.1: `2024-10-21` is a date, `on` is true), so a
string is left plain only when every reader agrees it is a string; everything else is
double-quoted (JSON string syntax, which is valid YAML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
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


# A string's scalar by the string: keys and many values repeat across thousands of entries.
# Cleared when full (a plain dict's look-up is cheaper than an LRU's bookkeeping).
_SCALARS: dict[str, str] = {}
_SCALARS_MAX = 16384


def _string(text: str) -> str:
    """A string as a scalar."""
    found = _SCALARS.get(text)
    if found is None:
        if len(_SCALARS) >= _SCALARS_MAX:
            _SCALARS.clear()
        found = _SCALARS[text] = _quoted(text)
    return found


def _quoted(text: str) -> str:
    if _PLAIN.match(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def block(value: Any, indent: int = 0) -> str:
    """`value` as block YAML, every line indented by `indent` spaces (no trailing newline)."""
    out: list[str] = []
    _write(value, " " * indent, out)
    return "\n".join(out)


# Exact types tested before the (slower) abstract ones: rendered values are plain data.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _write(value: Any, pad: str, out: list[str]) -> None:
    """Append `value`'s lines to `out` (one list for the whole block: no copies per level)."""
    if type(value) is dict or isinstance(value, Mapping):
        _mapping(value, pad, out)
    elif type(value) is list or (isinstance(value, Sequence) and not isinstance(value, str)):
        _sequence(value, pad, out)
    else:
        out.append(pad + scalar(value))


def _mapping(value: Mapping[Any, Any], pad: str, out: list[str]) -> None:
    if not value:
        out.append(pad + "{}")
        return
    inner = pad + "  "
    scalars = _SCALARS
    for key, item in value.items():
        head = f"{pad}{(scalars.get(key) or _string(key)) if type(key) is str else scalar(key)}:"
        kind = type(item)
        if kind is str:  # most values: no further tests
            out.append(f"{head} {scalars.get(item) or _string(item)}")
        elif kind is int or kind is float:
            out.append(f"{head} {item!r}")
        elif kind in _LEAVES or not _nested(item):
            out.append(f"{head} {_inline(item)}")
        else:
            out.append(head)
            _write(item, inner, out)


def _sequence(value: Sequence[Any], pad: str, out: list[str]) -> None:
    if not value:
        out.append(pad + "[]")
        return
    inner = pad + "  "
    for item in value:
        if type(item) in _LEAVES or not _nested(item):
            out.append(f"{pad}- {_inline(item)}")
        else:
            first = len(out)
            _write(item, inner, out)
            # the item's first line carries the dash: `- key: value`
            out[first] = pad + "- " + out[first][len(inner) :]


def _nested(item: Any) -> bool:
    """A non-empty mapping or list: written on lines of its own."""
    return isinstance(item, (Mapping, list, tuple)) and bool(item)


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
