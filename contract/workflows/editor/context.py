"""Where the cursor is in a contract being typed: the enclosing keys, and what is being typed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from contract.workflows.editor.text import indent_of, is_blank, key_of, unquoted

ITEM = "[]"  # a list item in a path
_VALUE_HEAD = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*:\s+(?P<partial>.*)$")
_ITEM_HEAD = re.compile(r"^(?P<indent>\s*)-\s+(?P<partial>[^:]*)$")


@dataclass(frozen=True)
class Context:
    """`path`: the keys of the mappings around the cursor (`[]` for a list item). `key`: the field
    whose value is being typed, or None while a key is typed. `partial`: the word typed so far."""

    path: tuple[str, ...]
    key: str | None
    partial: str
    column: int  # where `partial` starts (0-based code points)
    item: bool = False  # the value is a list item (`- name`)
    siblings: frozenset[str] | None = None  # keys already in the flow mapping `{…}` being typed


def _open_flow(head: str) -> int | None:
    """Where the innermost `{` or `[` still open at the end of `head` stands (quotes skipped)."""
    opened: list[int] = []
    for at, ch in unquoted(head):
        if ch in "{[":
            opened.append(at)
        elif ch in "}]" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _flow_context(lines: list[str] | tuple[str, ...], line: int, column: int, bracket: int) -> Context:
    """The cursor inside `{…}` or `[…]` on one line: the element typed since the bracket or the
    last comma, owned by what stands before the bracket (`key: {`, `- {`, `key: [`)."""
    head = lines[line][:column]
    outer = context_at([*lines[:line], head[:bracket]], line, bracket)
    element_start = bracket + 1
    depth = 0
    for at in range(bracket + 1, len(head)):
        if head[at] in "{[":
            depth += 1
        elif head[at] in "}]":
            depth -= 1
        elif head[at] == "," and depth == 0:
            element_start = at + 1
    element = head[element_start:]
    if head[bracket] == "[":
        partial = element.strip().strip("\"'")
        return Context(outer.path, outer.key, partial, column - len(partial), item=True)
    path = (*outer.path, outer.key) if outer.key is not None else outer.path
    if outer.item and outer.key is not None:
        path = (*path, ITEM)  # `- {…}`: a mapping item of the list
    keys = frozenset(
        m["key"] for m in _FLOW_KEY.finditer(head[bracket + 1 : element_start]) if m["key"] is not None
    )
    key, colon, value = element.partition(":")
    if colon and (value[:1] in (" ", "\t") or not value):
        partial = value.strip().strip("\"'")
        return Context(path, key.strip().strip("\"'"), partial, column - len(partial))
    partial = element.lstrip()
    return Context(path, None, partial, column - len(partial), siblings=keys)


_FLOW_KEY = re.compile(r"(?:^|[{,])\s*[\"']?(?P<key>[A-Za-z_][\w.-]*)[\"']?\s*:")


def context_at(lines: list[str] | tuple[str, ...], line: int, column: int) -> Context:
    text = lines[line] if 0 <= line < len(lines) else ""
    head = text[:column]
    bracket = _open_flow(head)
    if bracket is not None:
        return _flow_context(lines, line, column, bracket)
    value = _VALUE_HEAD.match(head)
    if value is not None:
        key_column = value.start("key")
        parents = _parents(
            lines, line, key_column, value["dash"] is not None, value.start("indent") + len(value["indent"])
        )
        partial = value["partial"].strip("\"'")
        return Context(parents, value["key"], partial, column - len(partial))
    item = _ITEM_HEAD.match(head)
    if item is not None and _item_of_scalars(lines, line, indent_of(text)):
        parents = _parents(lines, line, indent_of(text), True, indent_of(text))
        partial = item["partial"].strip().strip("\"'")
        owner = parents[-2] if len(parents) >= 2 and parents[-1] == ITEM else None
        return Context(parents[:-2] if owner else parents, owner, partial, column - len(partial), item=True)
    stripped = head.lstrip()
    dash = stripped.startswith("- ")
    partial = stripped[2:].lstrip() if dash else stripped
    key_column = len(head) - len(partial)
    return Context(_parents(lines, line, key_column, dash, indent_of(head)), None, partial, key_column)


def _item_of_scalars(lines: list[str] | tuple[str, ...], line: int, indent: int) -> bool:
    """A `- ` item of a list of plain values: the list's key is above, with no mapping item between."""
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if is_blank(text):
            continue
        if indent_of(text) < indent or (indent_of(text) == indent and not text.lstrip().startswith("-")):
            found = key_of(text)
            return found is not None and text.rstrip().endswith(":")
        if indent_of(text) == indent and key_of(text) is not None:
            return False
    return False


def _parents(
    lines: list[str] | tuple[str, ...], line: int, key_column: int, dash: bool, dash_column: int
) -> tuple[str, ...]:
    """The keys that own the mapping whose keys stand at `key_column` on `line` (`dash`: that
    line opens a list item at `dash_column`), found by indentation on the lines above."""
    path: list[str] = []
    # Looking for the owner of a mapping: a key left of `limit`; of a list: a key at `limit` or left of it.
    if dash:
        path.append(ITEM)
        limit, of_list = dash_column, True
    else:
        limit, of_list = key_column, False
    for above in range(line - 1, -1, -1):
        text = lines[above]
        if is_blank(text):
            continue
        found = key_of(text)
        item = text.lstrip().startswith("- ")
        if item and not of_list and indent_of(text) < limit and (found is None or found[0] == limit):
            path.append(ITEM)  # the `- ` that opens the item our keys belong to
            limit, of_list = indent_of(text), True
            continue
        if found is None or item:
            continue  # a plain list value, or another item's first key
        column, key = found
        if column < limit or (of_list and column == limit):
            path.append(key)
            limit, of_list = column, False
            if column == 0:
                break
    return tuple(reversed(path))
