"""Load YAML into plain Python values while keeping where every key and value stood.

ruamel.yaml's (C) parser turns the text into events; this module composes them itself,
iteratively, so that it can:

* keep a 1-based line/column for every key and value, addressed by path;
* report a repeated key (IC002) and keep going instead of aborting;
* refuse what a contract never needs, in bounded time and memory: custom or Python tags
  (never constructed), alias bombs, deep nesting, several documents, huge or binary input.

Scalars are resolved with the YAML 1.2 core schema, so `2024-10-21` stays a string and `on`
is not a boolean.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contract.diagnostics import Path
from contract.knowledge import secrets as secret_rules

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 100
# Nodes after alias expansion. A 5,000-model contract has ~100k; a billion-laughs file
# has 10^9. Counting expansion (not objects) is what keeps later walks bounded.
MAX_NODES = 2_000_000

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


@dataclass(frozen=True, slots=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A problem found while reading: IC001 (cannot be read as a contract) or IC002."""

    code: str
    message: str
    mark: Mark
    path: Path = ()
    hint: str | None = None


class _Node:
    """The positions of one container's entries, in order, as packed marks (see `_pack`).

    A mapping keeps its keys as path parts and two marks per key (the key's, the value's);
    a list one mark per item. Flat arrays of integers instead of a Mark and a path tuple per
    node: a large contract's positions then cost a few bytes per node, not a few hundred.
    """

    __slots__ = ("index", "indexed", "keys", "marks", "previous")

    def __init__(self, keys: list[str | int] | None) -> None:
        self.keys = keys
        self.marks = array("q")
        # An earlier container at the same path (a repeated key): its positions stay
        # reachable, as the path-keyed maps of old kept what a later container did not set.
        self.previous: _Node | None = None
        # A mapping's key -> its place in `keys` (the last one set winning), for the keys[:indexed]
        # seen so far: made on the first look-up (only a diagnostic looks), kept up as keys come.
        self.index: dict[str | int, int] = {}
        self.indexed = 0

    def find(self, part: str | int) -> tuple[int, int] | None:
        """(key mark or -1, value mark) of the entry `part`, the last one set winning."""
        node: _Node | None = self
        while node is not None:
            keys = node.keys
            if keys is None:
                if isinstance(part, int) and 0 <= part < len(node.marks):
                    return -1, node.marks[part]
            else:
                for at in range(node.indexed, len(keys)):
                    node.index[keys[at]] = at
                node.indexed = len(keys)
                found = node.index.get(part)
                if found is not None:
                    return node.marks[2 * found], node.marks[2 * found + 1]
            node = node.previous
        return None


def _pack(line: int, column: int) -> int:
    """A 0-based line and column as one integer that orders as the pair does."""
    return (line << 32) | column


def _unpack(packed: int) -> Mark:
    return Mark((packed >> 32) + 1, (packed & 0xFFFFFFFF) + 1)


@dataclass
class SourceMap:
    """Positions by path. Paths under an alias or merge fall back to the nearest ancestor."""

    root: int | None = None  # the packed mark of the document's root node
    nodes: dict[Path, _Node] = field(default_factory=dict)  # by the path of the container

    def _find(self, path: Path) -> tuple[int, int] | None:
        node = self.nodes.get(path[:-1])
        return node.find(path[-1]) if node is not None else None

    def value(self, path: Path) -> Mark:
        while path:
            found = self._find(path)
            if found is not None:
                return _unpack(found[1])
            path = path[:-1]
        return _unpack(self.root) if self.root is not None else Mark(1, 1)

    def key(self, path: Path) -> Mark:
        found = self._find(path) if path else None
        if found is not None and found[0] >= 0:
            return _unpack(found[0])
        return self.value(path)


@dataclass
class Document:
    text: str
    data: Any = None
    source_map: SourceMap = field(default_factory=SourceMap)
    problems: list[LoadProblem] = field(default_factory=list)
    ok: bool = False  # composed completely (data is meaningful)
    # Literal secret values (see contract/knowledge/secrets.py): reporters mask them wherever they stand.
    secrets: set[str] = field(default_factory=set, repr=False)
    # 1-based lines that continue a secret value begun on an earlier line (a block scalar, a
    # multi-line quoted or plain scalar): reporters mask them whole.
    secret_lines: set[int] = field(default_factory=set, repr=False)


class _Refused(Exception):
    def __init__(self, message: str, mark: Mark, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.hint = hint


def _mark(m: Any) -> Mark:
    if m is None:
        return Mark(1, 1)
    return Mark(int(m.line) + 1, int(m.column) + 1)


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Bytes to text, refusing binary and non-UTF-8 input with a positioned problem."""
    if len(raw) > MAX_BYTES:
        return None, LoadProblem(
            "IC001",
            f"the file is {len(raw) // (1024 * 1024)} MiB; a contract is at most {MAX_BYTES // (1024 * 1024)} MiB",
            Mark(1, 1),
            hint="split the file, or check that this is the contract and not a bundle or log",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        return None, LoadProblem(
            "IC001",
            "this is a binary file (it contains a NUL byte), not YAML text",
            _offset_mark(raw, nul),
            hint="point the tool at install-contract.yaml",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, LoadProblem(
            "IC001",
            f"the file is not UTF-8: byte 0x{raw[exc.start]:02X} cannot be decoded",
            _offset_mark(raw, exc.start),
            hint="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        )


def _offset_mark(raw: bytes, offset: int) -> Mark:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return Mark(raw.count(b"\n", 0, offset) + 1, offset - line_start + 1)


# The first characters of every plain scalar that resolves to something other than a string.
_NOT_ALWAYS_STR = frozenset("~nNtTfF0123456789+-.")


def _resolve_plain(value: str) -> Any:
    if value and value[0] not in _NOT_ALWAYS_STR:
        return value  # most keys and values: no pattern below can match
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return int(value, 10)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _resolve_tagged(tag: str, value: str, mark: Mark) -> Any:
    name = tag[len(_CORE) :] if tag.startswith(_CORE) else None
    if tag == "!" or name == "str":
        return value
    try:
        if name == "int":
            return int(value, 0) if value[:2] in ("0x", "0o") else int(value, 10)
        if name == "float":
            return float(value)
    except ValueError:
        # The value is never quoted: a tagged secret (`apiKey: !!int sk-…`) ends up here.
        raise _Refused(f"the value is not a valid !!{name}", mark) from None
    if name == "bool" and value in _BOOL:
        return _BOOL[value]
    if name == "null" and _NULL.match(value):
        return None
    raise _Refused(*_tag_refusal(tag, mark))


def _tag_refusal(tag: str, mark: Mark) -> tuple[str, Mark, str]:
    shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
    return (
        f"the tag {shown} is not allowed in a contract (tags are never constructed)",
        mark,
        "remove the tag; a contract holds plain strings, numbers, booleans, lists and mappings",
    )


_HASHABLE = (str, int, float, bool, type(None))


class _Frame:
    __slots__ = (
        "anchor",
        "container",
        "is_list",
        "key",
        "key_mark",
        "mark",
        "merges",
        "node",
        "path",
        "secret",
        "size",
    )

    def __init__(self, container: Any, path: Path, mark: int, anchor: str | None, secret: bool) -> None:
        self.container = container
        self.is_list = isinstance(container, list)
        self.path = path
        self.mark = mark  # packed (see `_pack`), as every mark while composing
        self.anchor = anchor
        self.secret = secret  # the container stands under a secret key: all it holds is secret
        self.key: Any = _NO_KEY
        self.key_mark = mark
        self.merges: list[tuple[Any, int]] = []
        self.node = _Node(None if self.is_list else [])
        self.size = 1  # expanded node count, this container included


_NO_KEY = object()


def _events(text: str) -> Iterator[Any]:
    from ruamel.yaml import YAML

    try:
        yaml = YAML(typ="safe")
    except Exception:  # pragma: no cover - no C extension: the pure parser is the fallback
        yaml = YAML(typ="safe", pure=True)
    return iter(yaml.parse(text))


def load(text: str) -> Document:
    """Compose `text` into a Document; never raises for any input text."""
    from ruamel.yaml.error import YAMLError

    doc = Document(text=text)
    try:
        _compose(text, doc)
    except _Refused as refusal:
        doc.problems.append(LoadProblem("IC001", refusal.message, refusal.mark, hint=refusal.hint))
        doc.ok = False
    except (YAMLError, UnicodeError) as exc:
        # UnicodeError: text that cannot be encoded for the parser (lone surrogates).
        doc.problems.append(_syntax_problem(exc, text))
        doc.ok = False
    return doc


def _syntax_problem(exc: Exception, text: str) -> LoadProblem:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context", None)
    if problem is None:
        # ReaderError (non-printable character) carries a character offset instead of a mark.
        position = getattr(exc, "position", None)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(position, int):
            # The C reader's position counts UTF-8 bytes, not characters: find the character.
            found = _NON_PRINTABLE.search(text)
            if found is not None:
                position = found.start()
                reason = f"{reason} (U+{ord(found.group()):04X})"
            position = min(position, len(text))
            # count lines as the parser does (\r, \r\n, NEL, LS and PS break lines too)
            line, start = 1, 0
            for match in _BREAK.finditer(text, 0, position):
                line, start = line + 1, match.end()
            return LoadProblem("IC001", f"YAML cannot be read: {reason}", Mark(line, position - start + 1))
        return LoadProblem("IC001", f"YAML cannot be read: {reason}", Mark(1, 1))
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    hint = None
    # The C parser's message for a tab never names it ("found character that cannot start
    # any token"): look at the character the mark points at.
    if "\t" in problem or "'\\t'" in problem or "tab" in problem.lower() or _char_at(text, mark) == "\t":
        hint = "YAML indents with spaces only: replace the tab characters with spaces"
    elif "mapping values are not allowed" in problem:
        hint = "quote a value that contains ': ', or check the indentation of this line"
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "check the indentation: keys of one mapping must line up"
    return LoadProblem("IC001", message, _within(text, _mark(mark)), hint=hint)


_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _within(text: str, mark: Mark) -> Mark:
    """`mark`, or the end of the text when it lies beyond it.

    At the end of a text without a final line break the C parser reports the line after
    the last one (it forces a line break there): `{` fails at 2:1, which does not exist.
    """
    if mark.line == 1:
        return mark
    breaks = 0
    last = 0
    for match in _BREAK.finditer(text):
        breaks += 1
        last = match.end()
        if breaks >= mark.line - 1:
            return mark
    return Mark(breaks + 1, len(text) - last + 1)


def _char_at(text: str, mark: Any) -> str:
    """The character at a parser mark (0-based line and column), or '' when there is none."""
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if not isinstance(line, int) or not isinstance(column, int):
        return ""
    start = 0
    if line > 0:
        for count, match in enumerate(_BREAK.finditer(text), 1):
            if count == line:
                start = match.end()
                break
        else:
            return ""
    index = start + column
    return text[index] if 0 <= index < len(text) else ""


def _compose(text: str, doc: Document) -> None:  # noqa: C901 (issue 19: to split)
    from ruamel.yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    nodes = doc.source_map.nodes
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    total = 0
    documents = 0
    root: Any = None
    have_root = False
    # Without a final line break the C parser puts the end of the stream on a line after
    # the last one (`---` gives an empty document at 2:1): marks never go past the text.
    end: int | None = None
    if text and text[-1] not in "\r\n\x85\u2028\u2029":
        last = _within(text, Mark(len(text) + 2, 1))
        end = _pack(last.line - 1, last.column - 1)
    # is_secret_key by key: a contract repeats a few dozen keys thousands of times.
    secret_keys: dict[Any, bool] = {}
    intern = sys.intern

    def at(m: Any) -> int:
        if m is None:
            return 0
        mark = (m.line << 32) | m.column
        return end if end is not None and mark > end else mark

    source_lines: list[str] = []

    def keep_secret(value: Any, event: Any, mark: int) -> None:
        if isinstance(value, (dict, list)) or value is None:
            return
        shown = value if isinstance(value, str) else str(value)
        if not shown or secret_rules.is_reference(shown):
            return
        doc.secrets.add(shown)
        if event is None:
            return
        # The lines the scalar spans (a block scalar ends at column 0 of the next line).
        first = (mark >> 32) + 1
        last = max(event.end_mark.line + (1 if event.end_mark.column else 0), first)
        if last > first:
            # Several source lines: each continuation line is masked whole, and what each line
            # says is a secret of its own (a folded scalar joins them into one value).
            doc.secret_lines.update(range(first + 1, last + 1))
            if not source_lines:
                source_lines.extend(_BREAK.split(text))
            for number in range(first + 1, min(last, len(source_lines)) + 1):
                part = source_lines[number - 1].strip().strip("\"'")
                if part:
                    doc.secrets.add(part)
            doc.secrets.update(part.strip() for part in shown.splitlines() if part.strip())

    def place(value: Any, mark: int, size: int, event: Any = None) -> None:
        """Put a composed node where it belongs; `event` is a scalar's own (for its lines)."""
        nonlocal root, have_root, total
        total += size
        if total > MAX_NODES:
            raise _Refused(
                f"the document expands to more than {MAX_NODES:,} nodes (an alias bomb?)",
                _unpack(mark),
                "a contract does not need deeply repeated aliases; write the values out",
            )
        if not stack:
            root, have_root = value, True
            doc.source_map.root = mark
            return
        frame = stack[-1]
        frame.size += size
        if frame.is_list:
            if frame.secret:
                keep_secret(value, event, mark)
            frame.container.append(value)
            frame.node.marks.append(mark)
            return
        key = frame.key
        if key is _NO_KEY:
            if not isinstance(value, _HASHABLE):
                raise _Refused(
                    "a mapping or list cannot be used as a key",
                    _unpack(mark),
                    "keys in a contract are plain strings",
                )
            # One string object per distinct key: ten thousand entries share their keys.
            frame.key, frame.key_mark = (intern(value) if type(value) is str else value), mark
            return
        frame.key = _NO_KEY
        if frame.secret:
            keep_secret(value, event, mark)
        if key == "<<" and isinstance(value, (dict, list)):
            frame.merges.append((value, mark))
            return
        path_key = key if isinstance(key, str) else str(key)
        node = frame.node
        if key in frame.container:
            shown = key if isinstance(key, str) else repr(key)
            found = node.find(path_key)
            if found is None:  # an equal key spelled otherwise (1 and true are one key)
                found = (node.marks[2 * list(frame.container).index(key)], 0)
            first = _unpack(found[0])
            doc.problems.append(
                LoadProblem(
                    "IC002",
                    f"duplicate key {shown!r}: it is already set at line {first.line}",
                    _unpack(frame.key_mark),
                    path=(*frame.path, path_key),
                    hint="remove one of the two; YAML readers disagree on which one wins",
                )
            )
            return
        frame.container[key] = value
        node.keys.append(path_key)  # type: ignore[union-attr]  # a mapping's node has keys
        node.marks.append(frame.key_mark)
        node.marks.append(mark)
        if not frame.secret:
            secret = secret_keys.get(key)
            if secret is None:
                secret = secret_keys[key] = secret_rules.is_secret_key(key)
            if secret:
                keep_secret(value, event, mark)

    for event in _events(text):
        kind = type(event)
        if kind is ScalarEvent:
            start = event.start_mark
            mark = (start.line << 32) | start.column
            if end is not None and mark > end:
                mark = end
            value = event.value
            if len(value) <= 64:
                # One object per distinct short value: thousands of entries repeat theirs.
                value = intern(value)
            if event.ctag is not None:  # (`tag` is a property that builds a string)
                tag = event.tag
                if tag != "!":
                    value = _resolve_tagged(tag, value, _unpack(mark))
            elif not event.style and event.implicit[0] and (not value or value[0] in _NOT_ALWAYS_STR):
                value = _resolve_plain(value)
            if isinstance(value, str) and "@" in value:
                password = secret_rules.url_password(value)
                if password:
                    doc.secrets.add(password)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            # The common cases inline (what `place` does for them): a string key, and a
            # value under a new string key outside any secret block.
            frame = stack[-1] if stack else None
            if frame is not None and not frame.is_list and total < MAX_NODES:
                key = frame.key
                if key is _NO_KEY:
                    if type(value) is str:
                        total += 1
                        frame.size += 1
                        frame.key, frame.key_mark = value, mark  # (interned above when short)
                        continue
                elif type(key) is str and not frame.secret and key != "<<" and key not in frame.container:
                    total += 1
                    frame.size += 1
                    frame.key = _NO_KEY
                    frame.container[key] = value
                    node = frame.node
                    node.keys.append(key)  # type: ignore[union-attr]  # a mapping's node has keys
                    node.marks.append(frame.key_mark)
                    node.marks.append(mark)
                    secret = secret_keys.get(key)
                    if secret is None:
                        secret = secret_keys[key] = secret_rules.is_secret_key(key)
                    if secret:
                        keep_secret(value, event, mark)
                    continue
            place(value, mark, 1, event)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            mark = at(event.start_mark)
            tag = event.tag
            is_map = kind is MappingStartEvent
            if tag is not None and tag != "!" and tag != _CORE + ("map" if is_map else "seq"):
                raise _Refused(*_tag_refusal(tag, _unpack(mark)))
            if len(stack) >= MAX_DEPTH:
                raise _Refused(
                    f"the document nests more than {MAX_DEPTH} levels deep",
                    _unpack(mark),
                    "a contract is a few levels deep; check for runaway brackets or indentation",
                )
            secret = False
            if stack:
                parent = stack[-1]
                secret = parent.secret
                if parent.is_list:
                    path = (*parent.path, len(parent.container))
                elif parent.key is _NO_KEY:
                    raise _Refused(
                        "a mapping or list cannot be used as a key",
                        _unpack(mark),
                        "keys in a contract are plain strings",
                    )
                else:
                    k = parent.key
                    path = (*parent.path, k if isinstance(k, str) else str(k))
                    secret = secret or secret_rules.is_secret_key(k)
            else:
                path = ()
            stack.append(_Frame({} if is_map else [], path, mark, event.anchor, secret))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = stack.pop()
            if frame.is_list:
                # a command line (vllm.extraArgs) with `--hf-token x`: x is a secret
                doc.secrets.update(value for _, value in secret_rules.flag_values(frame.container))
            if frame.merges:
                _merge(frame)
            frame.node.previous = nodes.get(frame.path)
            nodes[frame.path] = frame.node
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, frame.size)
            place(frame.container, frame.mark, frame.size)
        elif kind is AliasEvent:
            mark = at(event.start_mark)
            if event.anchor not in anchors:
                raise _Refused(f"the alias *{event.anchor} names no anchor defined before it", _unpack(mark))
            value, size = anchors[event.anchor]
            place(value, mark, size)
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(
                    "the file holds more than one YAML document (a second '---')",
                    _unpack(at(event.start_mark)),
                    "a contract is one document: remove the '---' separator or split the file",
                )
    doc.data = root if have_root else None
    doc.ok = True


def _merge(frame: _Frame) -> None:
    """Apply `<<:` merge keys: explicit keys win, earlier merges win over later ones."""
    target = frame.container
    node = frame.node
    for value, mark in frame.merges:
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise _Refused("a merge key (<<) takes a mapping or a list of mappings", _unpack(mark))
            for key, item in source.items():
                if key not in target:
                    target[key] = item
                    node.keys.append(key if isinstance(key, str) else str(key))  # type: ignore[union-attr]
                    node.marks.append(mark)
                    node.marks.append(mark)
