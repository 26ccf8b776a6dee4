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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contract import secrets as secret_rules
from contract.diagnostics import Path

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


@dataclass
class SourceMap:
    """Positions by path. Paths under an alias or merge fall back to the nearest ancestor."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

    def value(self, path: Path) -> Mark:
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Mark(1, 1))

    def key(self, path: Path) -> Mark:
        if path in self.keys:
            return self.keys[path]
        return self.value(path)


@dataclass
class Document:
    text: str
    data: Any = None
    source_map: SourceMap = field(default_factory=SourceMap)
    problems: list[LoadProblem] = field(default_factory=list)
    ok: bool = False  # composed completely (data is meaningful)
    # Literal secret values (see contract/secrets.py): reporters mask them wherever they stand.
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


def _resolve_plain(value: str) -> Any:
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
    __slots__ = ("anchor", "container", "key", "key_mark", "mark", "merges", "path", "secret")

    def __init__(self, container: Any, path: Path, mark: Mark, anchor: str | None, secret: bool) -> None:
        self.container = container
        self.path = path
        self.mark = mark
        self.anchor = anchor
        self.secret = secret  # the container stands under a secret key: all it holds is secret
        self.key: Any = _NO_KEY
        self.key_mark = mark
        self.merges: list[tuple[Any, Mark]] = []


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


def _compose(text: str, doc: Document) -> None:
    values = doc.source_map.values
    keys = doc.source_map.keys
    anchors: dict[str, tuple[Any, int]] = {}
    # expanded node count under each open container, and for finished anchored nodes
    sizes: list[int] = []
    stack: list[_Frame] = []
    total = 0
    documents = 0
    root: Any = None
    have_root = False
    # Without a final line break the C parser puts the end of the stream on a line after
    # the last one (`---` gives an empty document at 2:1): marks never go past the text.
    end = _within(text, Mark(len(text) + 2, 1)) if text and text[-1] not in "\r\n\x85\u2028\u2029" else None

    def at(m: Any) -> Mark:
        mark = _mark(m)
        if end is not None and (mark.line, mark.column) > (end.line, end.column):
            return end
        return mark

    source_lines: list[str] = []

    def keep_secret(value: Any, lines: tuple[int, int] | None) -> None:
        if isinstance(value, (dict, list)) or value is None:
            return
        shown = value if isinstance(value, str) else str(value)
        if not shown or secret_rules.is_reference(shown):
            return
        doc.secrets.add(shown)
        if lines is not None and lines[1] > lines[0]:
            # Several source lines: each continuation line is masked whole, and what each line
            # says is a secret of its own (a folded scalar joins them into one value).
            doc.secret_lines.update(range(lines[0] + 1, lines[1] + 1))
            if not source_lines:
                source_lines.extend(_BREAK.split(text))
            for number in range(lines[0] + 1, min(lines[1], len(source_lines)) + 1):
                part = source_lines[number - 1].strip().strip("\"'")
                if part:
                    doc.secrets.add(part)
            doc.secrets.update(part.strip() for part in shown.splitlines() if part.strip())

    def place(value: Any, mark: Mark, size: int, lines: tuple[int, int] | None = None) -> None:
        nonlocal root, have_root, total
        total += size
        if total > MAX_NODES:
            raise _Refused(
                f"the document expands to more than {MAX_NODES:,} nodes (an alias bomb?)",
                mark,
                "a contract does not need deeply repeated aliases; write the values out",
            )
        if not stack:
            root, have_root = value, True
            values[()] = mark
            return
        sizes[-1] += size
        frame = stack[-1]
        if frame.secret and (isinstance(frame.container, list) or frame.key is not _NO_KEY):
            keep_secret(value, lines)
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
            values[path] = mark
            return
        if frame.key is _NO_KEY:
            if not isinstance(value, _HASHABLE):
                raise _Refused(
                    "a mapping or list cannot be used as a key",
                    mark,
                    "keys in a contract are plain strings",
                )
            frame.key, frame.key_mark = value, mark
            return
        key, key_mark = frame.key, frame.key_mark
        frame.key = _NO_KEY
        if key == "<<" and isinstance(value, (dict, list)):
            frame.merges.append((value, mark))
            return
        path_key = key if isinstance(key, str) else str(key)
        path = (*frame.path, path_key)
        if key in frame.container:
            shown = key if isinstance(key, str) else repr(key)
            doc.problems.append(
                LoadProblem(
                    "IC002",
                    f"duplicate key {shown!r}: it is already set at line {keys[path].line}",
                    key_mark,
                    path=path,
                    hint="remove one of the two; YAML readers disagree on which one wins",
                )
            )
            return
        frame.container[key] = value
        keys[path] = key_mark
        values[path] = mark
        if not frame.secret and secret_rules.is_secret_key(key):
            keep_secret(value, lines)

    for event in _events(text):
        kind = type(event).__name__
        if kind == "ScalarEvent":
            mark = at(event.start_mark)
            tag = event.tag
            if tag is not None and tag != "!":
                value = _resolve_tagged(tag, event.value, mark)
            elif not event.style and tag is None and event.implicit[0]:
                value = _resolve_plain(event.value)
            else:
                value = event.value
            if isinstance(value, str) and "@" in value:
                password = secret_rules.url_password(value)
                if password:
                    doc.secrets.add(password)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            # The lines the scalar spans (a block scalar ends at column 0 of the next line).
            last = event.end_mark.line + (0 if event.end_mark.column else -1)
            place(value, mark, 1, (mark.line, max(last + 1, mark.line)))
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            mark = at(event.start_mark)
            tag = event.tag
            is_map = kind == "MappingStartEvent"
            if tag is not None and tag != "!" and tag != _CORE + ("map" if is_map else "seq"):
                raise _Refused(*_tag_refusal(tag, mark))
            if len(stack) >= MAX_DEPTH:
                raise _Refused(
                    f"the document nests more than {MAX_DEPTH} levels deep",
                    mark,
                    "a contract is a few levels deep; check for runaway brackets or indentation",
                )
            secret = False
            if stack:
                parent = stack[-1]
                secret = parent.secret
                if isinstance(parent.container, list):
                    path = (*parent.path, len(parent.container))
                elif parent.key is _NO_KEY:
                    raise _Refused(
                        "a mapping or list cannot be used as a key",
                        mark,
                        "keys in a contract are plain strings",
                    )
                else:
                    k = parent.key
                    path = (*parent.path, k if isinstance(k, str) else str(k))
                    secret = secret or secret_rules.is_secret_key(k)
            else:
                path = ()
            stack.append(_Frame({} if is_map else [], path, mark, event.anchor, secret))
            sizes.append(1)
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            frame = stack.pop()
            size = sizes.pop()
            if isinstance(frame.container, list):
                # a command line (vllm.extraArgs) with `--hf-token x`: x is a secret
                doc.secrets.update(value for _, value in secret_rules.flag_values(frame.container))
            if frame.merges:
                _merge(frame, doc.source_map)
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, size)
            place(frame.container, frame.mark, size)
        elif kind == "AliasEvent":
            mark = at(event.start_mark)
            if event.anchor not in anchors:
                raise _Refused(f"the alias *{event.anchor} names no anchor defined before it", mark)
            value, size = anchors[event.anchor]
            place(value, mark, size)
        elif kind == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                raise _Refused(
                    "the file holds more than one YAML document (a second '---')",
                    at(event.start_mark),
                    "a contract is one document: remove the '---' separator or split the file",
                )
    doc.data = root if have_root else None
    doc.ok = True


def _merge(frame: _Frame, source_map: SourceMap) -> None:
    """Apply `<<:` merge keys: explicit keys win, earlier merges win over later ones."""
    target = frame.container
    for value, mark in frame.merges:
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise _Refused("a merge key (<<) takes a mapping or a list of mappings", mark)
            for key, item in source.items():
                if key not in target:
                    target[key] = item
                    path = (*frame.path, key if isinstance(key, str) else str(key))
                    source_map.values[path] = mark
                    source_map.keys[path] = mark
