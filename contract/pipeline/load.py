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

import functools
import math
import re
import sys
from array import array
from collections.abc import Iterable, Iterator
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
        self.index: dict[str | int, int] | None = None
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
                index = node.index
                if index is None:
                    index = node.index = {}
                for at in range(node.indexed, len(keys)):
                    index[keys[at]] = at
                node.indexed = len(keys)
                found = index.get(part)
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
_NO_KEY = object()


class _Frame:
    """A mapping or list being composed, with the positions of what it holds so far."""

    __slots__ = (
        "anchor",
        "container",
        "first",
        "is_list",
        "key",
        "key_mark",
        "mark",
        "merges",
        "node",
        "path",
        "plain",
        "secret",
    )

    def __init__(
        self, container: Any, path: Path, mark: int, anchor: str | None, secret: bool, first: int
    ) -> None:
        self.container = container
        self.is_list = type(container) is list
        self.path = path
        self.mark = mark  # packed (see `_pack`), as every mark while composing
        self.anchor = anchor
        self.secret = secret  # the container stands under a secret key: all it holds is secret
        # A mapping outside any secret block: the composer's loop places its entries itself.
        self.plain = not self.is_list and not secret
        self.key: Any = _NO_KEY
        self.key_mark = mark
        self.merges: list[tuple[Any, int]] | None = None  # `<<:` values, once there is one
        self.node = _Node(None if self.is_list else [])
        self.first = first  # the composer's node count once this container was counted


# The frame the composer stands in before the document's root: not plain, so nothing is placed inline.
_OUTSIDE = _Frame([], (), 0, None, True, 0)


def _events(text: str) -> Iterator[Any]:
    """The parser's events: the C parser's own method as the iterator (no generator between)."""
    from ruamel.yaml import main

    parser = getattr(main, "CParser", None)  # None where the C extension is missing
    if parser is not None:
        return iter(parser(text).get_event, None)
    # No C extension on this platform: the pure-Python parser gives the same events.
    return iter(main.YAML(typ="safe", pure=True).parse(text))


def load(text: str) -> Document:
    """Compose `text` into a Document; never raises for any input text."""
    from ruamel.yaml.error import YAMLError

    doc = Document(text=text)
    try:
        _Composer(text, doc).compose(_events(text))
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
            found = _non_printable().search(text)
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


@functools.cache
def _non_printable() -> re.Pattern[str]:
    # Compiled on first use, for an error: the ranges up to U+10FFFF take ~10 ms to compile,
    # as long as the rest of the module's import.
    return re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def _end_of_text(text: str) -> int:
    """The packed mark no position may pass.

    Without a final line break the C parser puts the end of the stream on a line after the
    last one (`---` gives an empty document at 2:1): marks never go past the text.
    """
    if text and text[-1] not in "\r\n\x85\u2028\u2029":
        last = _within(text, Mark(len(text) + 2, 1))
        return _pack(last.line - 1, last.column - 1)
    return _pack(1 << 30, 0)  # beyond any line


class _Composer:
    """Parser events to a Document: one frame per open mapping or list, and what it holds.

    `compose` is the loop. A contract is mostly string keys and their values in mappings that
    hold no secret: the loop places those itself; everything else goes through `_place`. The
    node count (aliases expanded: what a later walk of the data visits) stops an alias bomb.
    """

    def __init__(self, text: str, doc: Document) -> None:
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentStartEvent,
            MappingEndEvent,
            MappingStartEvent,
            SequenceEndEvent,
            SequenceStartEvent,
        )

        self.text = text
        self.doc = doc
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0  # nodes composed, each alias counted as the nodes it repeats
        self.documents = 0
        self.root: Any = None
        self.end = _end_of_text(text)
        self.secret_keys: dict[Any, bool] = {}  # is_secret_key by key: keys repeat thousands of times
        self.plain: dict[str, Any] = {}  # a plain scalar's text -> its value (core schema)
        self.source_lines: list[str] = []  # the text's lines, split once a secret spans several
        self.handlers: dict[type, Any] = {
            MappingStartEvent: self._start,
            SequenceStartEvent: self._start,
            MappingEndEvent: self._end,
            SequenceEndEvent: self._end,
            AliasEvent: self._alias,
            DocumentStartEvent: self._document,
        }
        self.mapping_start = MappingStartEvent

    def compose(self, events: Iterable[Any]) -> None:
        from ruamel.yaml.events import ScalarEvent

        handlers, end, secret_keys, intern = self.handlers, self.end, self.secret_keys, sys.intern
        # The node count, the innermost frame's parts and its pending key, in locals: only
        # other events (and `_place`) read or change them there.
        total = 0
        frame, plain, container, keys, marks = self._innermost()
        key, key_mark = frame.key, frame.key_mark
        for event in events:
            if type(event) is not ScalarEvent:
                handler = handlers.get(type(event))
                if handler is not None:
                    frame.key, frame.key_mark, self.total = key, key_mark, total
                    handler(event)
                    total = self.total
                    frame, plain, container, keys, marks = self._innermost()
                    key, key_mark = frame.key, frame.key_mark
                continue
            start = event.start_mark
            mark = (start.line << 32) | start.column
            if mark > end:
                mark = end
            value = event.value
            if len(value) <= 64:
                value = intern(value)  # one object per distinct short value: entries repeat theirs
            if (
                event.ctag is not None  # (`tag` is a property that builds a string)
                or event.anchor
                or "@" in value
                or (not event.style and event.implicit[0] and (not value or value[0] in _NOT_ALWAYS_STR))
            ):
                value = self._scalar_value(event, value, mark)
            if plain and total < MAX_NODES:
                if key is _NO_KEY:
                    if type(value) is str:  # a key (interned above when short)
                        total += 1
                        key, key_mark = value, mark
                        continue
                elif type(key) is str and key != "<<" and key not in container:
                    total += 1
                    container[key] = value
                    keys(key)
                    marks(key_mark)
                    marks(mark)
                    secret = secret_keys.get(key)
                    if secret is None:
                        secret = self._is_secret_key(key)
                    if secret:
                        self._keep_secret(value, event, mark)
                    key = _NO_KEY
                    continue
            frame.key, frame.key_mark, self.total = key, key_mark, total
            self._place(value, mark, 1, event)
            key, key_mark, total = frame.key, frame.key_mark, self.total
        self.doc.data = self.root
        self.doc.ok = True

    def _innermost(self) -> tuple[_Frame, bool, Any, Any, Any]:
        """The innermost frame, whether it is plain, and for a plain one its mapping and how to
        add a key and a mark."""
        frame = self.stack[-1] if self.stack else _OUTSIDE
        if not frame.plain:
            return frame, False, None, None, None
        node = frame.node
        return frame, True, frame.container, node.keys.append, node.marks.append  # type: ignore[union-attr]

    # -- scalars ---------------------------------------------------------------------------

    def _scalar_value(self, event: Any, value: str, mark: int) -> Any:
        """A scalar that is tagged, anchored, may resolve to other than a string or hold a URL."""
        if event.ctag is None and not event.anchor and "@" not in value:
            # Only a plain scalar to resolve: entries repeat their numbers and booleans.
            resolved = self.plain.get(value, _NO_KEY)
            if resolved is _NO_KEY:
                resolved = self.plain[value] = _resolve_plain(value)
            return resolved
        resolved = value
        if event.ctag is not None:
            tag = event.tag
            if tag != "!":
                resolved = _resolve_tagged(tag, value, _unpack(mark))
        elif not event.style and event.implicit[0] and (not value or value[0] in _NOT_ALWAYS_STR):
            resolved = _resolve_plain(value)
        if isinstance(resolved, str) and "@" in resolved:
            password = secret_rules.url_password(resolved)
            if password:
                self.doc.secrets.add(password)
        if event.anchor:
            self.anchors[event.anchor] = (resolved, 1)
        return resolved

    def _is_secret_key(self, key: Any) -> bool:
        secret = self.secret_keys.get(key)
        if secret is None:
            secret = self.secret_keys[key] = secret_rules.is_secret_key(key)
        return secret

    def _keep_secret(self, value: Any, event: Any, mark: int) -> None:
        """Remember a secret value; `event` is a scalar's own (for the lines it spans)."""
        if isinstance(value, (dict, list)) or value is None:
            return
        shown = value if isinstance(value, str) else str(value)
        if not shown or secret_rules.is_reference(shown):
            return
        doc = self.doc
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
            if not self.source_lines:
                self.source_lines.extend(_BREAK.split(self.text))
            for number in range(first + 1, min(last, len(self.source_lines)) + 1):
                part = self.source_lines[number - 1].strip().strip("\"'")
                if part:
                    doc.secrets.add(part)
            doc.secrets.update(part.strip() for part in shown.splitlines() if part.strip())

    # -- placing a node in its container ---------------------------------------------------

    def _count(self, size: int, mark: int) -> None:
        self.total += size
        if self.total > MAX_NODES:
            raise _Refused(
                f"the document expands to more than {MAX_NODES:,} nodes (an alias bomb?)",
                _unpack(mark),
                "a contract does not need deeply repeated aliases; write the values out",
            )

    def _place(self, value: Any, mark: int, size: int, event: Any = None) -> None:
        """Put a composed node where it belongs, counting `size` more nodes (0 for a container:
        counted when it began)."""
        self._count(size, mark)
        if not self.stack:
            self.root = value
            self.doc.source_map.root = mark
            return
        frame = self.stack[-1]
        if frame.is_list:
            if frame.secret:
                self._keep_secret(value, event, mark)
            frame.container.append(value)
            frame.node.marks.append(mark)
        elif frame.key is _NO_KEY:
            if not isinstance(value, _HASHABLE):
                raise _Refused(
                    "a mapping or list cannot be used as a key",
                    _unpack(mark),
                    "keys in a contract are plain strings",
                )
            # One string object per distinct key: ten thousand entries share their keys.
            frame.key, frame.key_mark = (sys.intern(value) if type(value) is str else value), mark
        else:
            self._set_value(frame, value, mark, event)

    def _set_value(self, frame: _Frame, value: Any, mark: int, event: Any) -> None:
        key = frame.key
        frame.key = _NO_KEY
        if frame.secret:
            self._keep_secret(value, event, mark)
        if key == "<<" and isinstance(value, (dict, list)):
            if frame.merges is None:
                frame.merges = []
            frame.merges.append((value, mark))
            return
        path_key = key if isinstance(key, str) else str(key)
        if key in frame.container:
            self._duplicate(frame, key, path_key)
            return
        frame.container[key] = value
        node = frame.node
        node.keys.append(path_key)  # type: ignore[union-attr]  # a mapping's node has keys
        node.marks.append(frame.key_mark)
        node.marks.append(mark)
        if not frame.secret and self._is_secret_key(key):
            self._keep_secret(value, event, mark)

    def _duplicate(self, frame: _Frame, key: Any, path_key: str) -> None:
        """IC002 at the repeated key; the first value stays."""
        shown = key if isinstance(key, str) else repr(key)
        node = frame.node
        found = node.find(path_key)
        if found is None:  # an equal key spelled otherwise (1 and true are one key)
            found = (node.marks[2 * list(frame.container).index(key)], 0)
        first = _unpack(found[0])
        self.doc.problems.append(
            LoadProblem(
                "IC002",
                f"duplicate key {shown!r}: it is already set at line {first.line}",
                _unpack(frame.key_mark),
                path=(*frame.path, path_key),
                hint="remove one of the two; YAML readers disagree on which one wins",
            )
        )

    # -- the other events ------------------------------------------------------------------

    def _at(self, m: Any) -> int:
        if m is None:
            return 0
        mark: int = (m.line << 32) | m.column
        return min(mark, self.end)

    def _start(self, event: Any) -> None:
        """A mapping or a list begins: check its tag and depth, and open a frame for it."""
        mark = self._at(event.start_mark)
        is_map = type(event) is self.mapping_start
        if event.ctag is not None:  # (`tag` is a property that builds a string)
            tag = event.tag
            if tag != "!" and tag != _CORE + ("map" if is_map else "seq"):
                raise _Refused(*_tag_refusal(tag, _unpack(mark)))
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(
                f"the document nests more than {MAX_DEPTH} levels deep",
                _unpack(mark),
                "a contract is a few levels deep; check for runaway brackets or indentation",
            )
        path, secret = self._child(mark)
        self._count(1, mark)
        self.stack.append(_Frame({} if is_map else [], path, mark, event.anchor, secret, self.total))

    def _child(self, mark: int) -> tuple[Path, bool]:
        """The path of a container about to open, and whether it stands under a secret key."""
        if not self.stack:
            return (), False
        parent = self.stack[-1]
        if parent.is_list:
            return (*parent.path, len(parent.container)), parent.secret
        key = parent.key
        if key is _NO_KEY:
            raise _Refused(
                "a mapping or list cannot be used as a key",
                _unpack(mark),
                "keys in a contract are plain strings",
            )
        path_key = key if isinstance(key, str) else str(key)
        return (*parent.path, path_key), parent.secret or self._is_secret_key(key)

    def _end(self, _event: Any) -> None:
        frame = self.stack.pop()
        if frame.is_list:
            # a command line (vllm.extraArgs) with `--hf-token x`: x is a secret
            self.doc.secrets.update(value for _, value in secret_rules.flag_values(frame.container))
        if frame.merges:
            _merge(frame)
        nodes = self.doc.source_map.nodes
        frame.node.previous = nodes.get(frame.path)
        nodes[frame.path] = frame.node
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, self.total - frame.first + 1)
        self._place(frame.container, frame.mark, 0)

    def _alias(self, event: Any) -> None:
        mark = self._at(event.start_mark)
        if event.anchor not in self.anchors:
            raise _Refused(f"the alias *{event.anchor} names no anchor defined before it", _unpack(mark))
        value, size = self.anchors[event.anchor]
        self._place(value, mark, size)

    def _document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _Refused(
                "the file holds more than one YAML document (a second '---')",
                _unpack(self._at(event.start_mark)),
                "a contract is one document: remove the '---' separator or split the file",
            )


def _merge(frame: _Frame) -> None:
    """Apply `<<:` merge keys: explicit keys win, earlier merges win over later ones."""
    target = frame.container
    node = frame.node
    for value, mark in frame.merges or ():
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise _Refused("a merge key (<<) takes a mapping or a list of mappings", _unpack(mark))
            for key, item in source.items():
                if key not in target:
                    target[key] = item
                    node.keys.append(key if isinstance(key, str) else str(key))  # type: ignore[union-attr]
                    node.marks.append(mark)
                    node.marks.append(mark)
