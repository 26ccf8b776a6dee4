"""Just enough YAML reading, line by line, for text that is being typed (and may not parse)."""

from __future__ import annotations

import re
from collections.abc import Iterator

_KEY = re.compile(
    r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[^\s#:'\"{}\[\],&*!|>%@`-][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)"
)


def unquoted(text: str) -> Iterator[tuple[int, str]]:
    """Each character of `text` outside '…' and "…" quotes, with its index (quote marks skipped)."""
    quote = ""
    for at, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        else:
            yield at, ch


def in_flow(line: str, column: int) -> bool:
    """Whether `column` stands inside a `{…}` or `[…]` opened earlier on the line (quotes ignored)."""
    depth = 0
    for _, ch in unquoted(line[:column]):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth > 0


def token_end(line: str, start: int) -> int:
    """Where the scalar (or key) that begins at `start` ends: past a closing quote, else before
    `: `, ` #`, and, inside a flow collection, before `,`, `}` or `]`."""
    if start >= len(line):
        return start
    if line[start] in "\"'":
        quote = line[start]
        i = start + 1
        while i < len(line):
            if line[i] == quote:
                if quote == "'" and i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                return i + 1
            if quote == '"' and line[i] == "\\":
                i += 1
            i += 1
        return len(line)
    flow = in_flow(line, start)
    end = len(line)
    for stop in (": ", " #", *((",", "}", "]") if flow else ())):
        found = line.find(stop, start)
        if found != -1:
            end = min(end, found)
    if line.endswith(":") and end == len(line):
        end -= 1
    while end > start and line[end - 1] in " \t":
        end -= 1
    return max(end, start + 1) if start < len(line) else start


def key_of(line: str) -> tuple[int, str] | None:
    """A block line's key and its column (`- ` of a list item skipped), or None."""
    m = _KEY.match(line)
    if m is None:
        return None
    key = m.group("key").strip()
    if key[:1] in "\"'":
        key = key[1:-1]
    return m.start("key"), key


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank(line: str) -> bool:
    body = line.strip()
    return not body or body.startswith("#")
