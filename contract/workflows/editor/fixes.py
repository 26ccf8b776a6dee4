"""Quick fixes read from the hints that say exactly what to write.

A hint is written for people (`write apiBase: http://…/v1`, `did you mean maxTokens?`,
`add toolCallParser: qwen3_coder and enableAutoToolChoice: true`, `… or set provider:
Anthropic`). Where it names a field and a value, that is the edit: the value replaced where it
stands, or the field added to the mapping the diagnostic points into. A hint with a placeholder
(`<parser for the model family>`, `openai/…`) says what to decide, not what to write: no fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contract.workflows.editor.analysis import Problem
from contract.workflows.editor.text import in_flow, indent_of, is_blank, token_end

# `write key: value`, `set key: value`, `add key: value`, and `and key: value` after one of them.
# The value runs on over words (`Text Generation`, `AWS Bedrock`) up to a comma, a `(` or a
# word that goes on with the sentence (`16384 or less`, `qwen3_coder and enableAutoToolChoice`).
_ASSIGN = re.compile(
    r"\b(?P<verb>write|set|add|and) (?P<key>[A-Za-z_][A-Za-z0-9_]*): "
    r"(?P<value>[^\s,;]+(?: (?!(?:and|or|for|to|with|if|in|instead|under|e\.g\.)(?:\s|$))[^\s,;(]+)*)"
)
_DID_YOU_MEAN = re.compile(r"\bdid you mean (?P<value>[^\s?]+)\?")
_NOT_A_VALUE = re.compile(r"[<>…]|\.\.\.")


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column), 0-based code points."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]


def fixes_for(text: str, problem: Problem) -> list[Fix]:
    """The quick fixes of one diagnostic (none when its hint says no exact value)."""
    hint = problem.hint
    if not hint:
        return []
    from contract.pipeline.load import load

    document = load(text)
    if not document.ok:
        return []
    lines = text.splitlines()
    path = _path(str(problem.record["path"]))
    found: list[Fix] = []
    guess = _DID_YOU_MEAN.search(hint)
    if guess and _plain(guess["value"]):
        value = guess["value"]
        if _at_key(lines, document, path, problem):
            renamed = _replace_at(lines, problem.line, problem.column, value)
            found.append(Fix(f"Rename {path[-1]} to {value}", (renamed,)))
        else:
            replaced = _replace_value(lines, document, path, value)
            if replaced is not None:
                found.append(Fix(f"Write {value}", (replaced,)))
    assignments = _assignments(hint)
    if assignments:
        edits = [_assign(lines, document, path, key, value) for key, value in assignments]
        if all(edit is not None for edit in edits):
            said = " and ".join(f"{key}: {value}" for key, value in assignments)
            verb = "Add" if all(_is_insert(e) for e in edits if e) else "Write"
            found.append(Fix(f"{verb} {said}", tuple(_merged([e for e in edits if e is not None]))))
    return [Fix(fix.title, tuple(_fitted(text, lines, e) for e in fix.edits)) for fix in found]


def _fitted(text: str, lines: list[str], edit: Edit) -> Edit:
    """An edit written with `\n` in the text's own line endings; an insert after a last line
    that has no line break starts with one (else it would join that line)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    written = edit.text.replace("\n", newline)
    if _is_insert(edit) and edit.line >= len(lines) and lines and not text.endswith(("\n", "\r")):
        last = len(lines) - 1
        return Edit(last, len(lines[last]), last, len(lines[last]), newline + written[: -len(newline)])
    return Edit(edit.line, edit.column, edit.end_line, edit.end_column, written)


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """`text` with `edits` made (as an editor makes them: later ones first)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        if line >= len(lines):
            return len(text)
        return starts[line] + column

    out = text
    for edit in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        out = (
            out[: offset(edit.line, edit.column)] + edit.text + out[offset(edit.end_line, edit.end_column) :]
        )
    return out


def _path(pointer: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _at_key(lines: list[str], document: Any, path: tuple[str | int, ...], problem: Problem) -> bool:
    """Whether the diagnostic points at a key (an unknown field, a misspelt flag), not a value."""
    if not path or not isinstance(path[-1], str):
        return False
    mark = document.source_map.key(path)
    if (mark.line - 1, mark.column - 1) != (problem.line, problem.column) or problem.line >= len(lines):
        return False
    text = lines[problem.line]
    token = text[problem.column : token_end(text, problem.column)]
    return path[-1] in (token, token.strip("\"'"))  # `"key"`, or a key with a stray quote


def _plain(value: str) -> bool:
    return not _NOT_A_VALUE.search(value)


def _assignments(hint: str) -> list[tuple[str, str]]:
    """The (field, value) pairs a hint asks to write, in order; none if any value is a placeholder."""
    pairs: list[tuple[str, str]] = []
    previous_end = -1
    for m in _ASSIGN.finditer(hint):
        if m["verb"] == "and" and m.start() != previous_end + 1:
            continue
        value = m["value"].split(". ", 1)[0].rstrip(".,;)")  # a sentence ends the value
        if not _plain(value) or value.endswith("/") or value[:1] in "{[":
            return []  # a placeholder, a prefix to complete, or a flow collection cut at its first space
        pairs.append((m["key"], value))
        previous_end = m.end()
    return pairs


def _data_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _replace_at(lines: list[str], line: int, column: int, value: str) -> Edit:
    text = lines[line] if line < len(lines) else ""
    return Edit(line, column, line, token_end(text, column), value)


def _replace_value(lines: list[str], document: Any, path: tuple[str | int, ...], value: str) -> Edit | None:
    """Replace the scalar at `path` where it is written (not where an alias or merge put it)."""
    current = _data_at(document.data, path)
    if current is None and not _holds(document.data, path):
        return None
    if isinstance(current, (dict, list)):
        return None
    mark = document.source_map.value(path)
    text = lines[mark.line - 1] if 0 < mark.line <= len(lines) else ""
    start = mark.column - 1
    if text[start : start + 1] == "&":  # an anchor's name stands before the value
        start = (
            len(text) - len(text[start:].split(" ", 1)[-1].lstrip(" ")) if " " in text[start:] else len(text)
        )
    if start >= len(text) or text[start] in "|>*&!":
        return None  # an empty, block, aliased or tagged scalar: not one plain token here
    if text[start : token_end(text, start)].strip("\"'") != _shown(current):
        return None  # the position is an ancestor's (the value came through an alias or merge)
    return _replace_at(lines, mark.line - 1, start, _as_written(text, start, value))


def _as_written(text: str, start: int, value: str) -> str:
    """`value` in the quotes of the scalar it replaces; plain where that was plain, unless it
    stands in a flow collection and holds what would end a plain scalar there (`: `, `,`, …)."""
    quote = text[start : start + 1]
    if quote == "'" or (quote != '"' and in_flow(text, start) and re.search(r"[:,\[\]{}#]", value)):
        return "'" + value.replace("'", "''") + "'"
    if quote == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _holds(data: Any, path: tuple[str | int, ...]) -> bool:
    parent = _data_at(data, path[:-1]) if path else None
    if isinstance(parent, dict):
        return path[-1] in parent
    return isinstance(parent, list) and isinstance(path[-1], int) and 0 <= path[-1] < len(parent)


def _shown(value: Any) -> str:
    """A scalar as YAML shows it plainly (enough to recognise it at its position)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _assign(
    lines: list[str], document: Any, path: tuple[str | int, ...], key: str, value: str
) -> Edit | None:
    if path and path[-1] == key:
        return _replace_value(lines, document, path, value)
    holder = path if isinstance(_data_at(document.data, path), dict) else path[:-1]
    mapping = _data_at(document.data, holder)
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return _replace_value(lines, document, (*holder, key), value)
    return _insert(lines, document, holder, mapping, f"{key}: {value}")


def _insert(
    lines: list[str], document: Any, holder: tuple[str | int, ...], mapping: dict[str, Any], item: str
) -> Edit | None:
    """`item` as a new last key of the block mapping at `holder`, indented as its keys are."""
    marks = []
    for key in mapping:
        mark = document.source_map.key((*holder, key))
        text = lines[mark.line - 1] if 0 < mark.line <= len(lines) else ""
        if not text[mark.column - 1 :].lstrip("\"'").startswith(str(key)):
            return None  # keys that came through a merge: no one place to add to
        marks.append(mark)
    if not marks:
        return None
    first, last = min(marks, key=lambda m: (m.line, m.column)), max(marks, key=lambda m: (m.line, m.column))
    if in_flow(lines[first.line - 1], first.column - 1):
        return None
    column = first.column - 1
    end = last.line  # 0-based index of the line after the last key's line
    scan = end
    while scan < len(lines) and (is_blank(lines[scan]) or indent_of(lines[scan]) > column):
        if not is_blank(lines[scan]):
            end = scan + 1
        scan += 1
    return Edit(end, 0, end, 0, " " * column + item + "\n")


def _is_insert(edit: Edit) -> bool:
    return edit.column == 0 and edit.end_column == 0 and edit.text.endswith("\n")


def _merged(edits: list[Edit]) -> list[Edit]:
    """Inserts at one place become one edit, in the hint's order."""
    out: list[Edit] = []
    for edit in edits:
        if (
            out
            and _is_insert(edit)
            and _is_insert(out[-1])
            and (out[-1].line, edit.line) == (edit.line, edit.line)
        ):
            out[-1] = Edit(edit.line, 0, edit.line, 0, out[-1].text + edit.text)
        else:
            out.append(edit)
    return out
