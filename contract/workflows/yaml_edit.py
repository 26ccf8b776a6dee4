"""Text surgery on a contract: append an entry to `models:` and keep every other byte.

Where the entry goes: at the end of `models:`, and nothing else changes. The file is read with
ruamel.yaml's round-trip loader (`YAML(typ="rt")`, quotes preserved) to find the `models:` list,
the names already in it and the file's indentation (`mapping`, `sequence` and `offset`, measured on
the list's first item and on a nested block mapping; the seed's `models:\\n  - key: v\\n    key: v`
when there is nothing to measure). The entry is emitted by ruamel.yaml with that indentation and
inserted, as text, right after the last line of the last item, so every other byte of the file
(comments, blank lines, flow mappings, quoting, key order, keys after `models:` such as
`featureFlags:`) is kept as it was; comment lines that follow the last item stay below the new one,
since they usually introduce what follows. A blank line separates the new item from the previous
one when the file separates its last items that way. The result is loaded again and must equal the
old document plus the entry (should a block scalar hold a line that looks like a comment, the
insertion point moves down until it does). Only an empty `models:` written as `models: []` or
`models: null` has its one line rewritten, to `models:`.

See `contract/workflows/entry_edit.py` for what `add` and `discover` do around it (building the
entry from facts, appending it, validating the result).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from contract.errors import RefusedError
from contract.workflows.starter import SCHEMA_MODELINE


class EditError(RefusedError):
    """The edit was refused: a duplicate name, a model the catalog does not know, a file that
    cannot be edited safely. The contract is left as it was; `hint` says what to do instead."""


@dataclass(frozen=True)
class Appended:
    """The contract text with the entry added, and the entry's YAML exactly as inserted."""

    text: str
    entry_yaml: str
    index: int  # the entry's position in models:


def new_contract_text() -> str:
    """What `add` starts from when the contract file does not exist yet."""
    return f"{SCHEMA_MODELINE}\n\nmodels:\n"


@dataclass(frozen=True)
class _Layout:
    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    blank_between: bool = False


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value onto a second line
    return yaml


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _layout(lines: list[str], root: CommentedMap | None, models: Any) -> _Layout:
    """The indentation the file already uses, measured where it shows."""
    mapping = _mapping_indent(root, models)
    if not isinstance(models, CommentedSeq) or not models or root is None or models.fa.flow_style():
        return _Layout(mapping=mapping)
    key_column = root.lc.key("models")[1]
    dash_column = models.lc.col
    first_line, first_column = models.lc.data[0]
    offset, sequence = dash_column - key_column, first_column - key_column
    head = lines[first_line][:first_column] if first_line < len(lines) else ""
    if offset < 0 or sequence < offset + 2 or head.strip() != "-":
        return _Layout(mapping=mapping)
    blank = False
    if len(models) > 1:
        # Look above the last item: blank lines (comments aside) between it and the one before.
        line = models.lc.data[len(models) - 1][0] - 1
        while line >= 0 and (_is_blank(lines[line]) or _is_comment(lines[line])):
            blank = blank or _is_blank(lines[line])
            line -= 1
    return _Layout(mapping, sequence, offset, blank)


def _mapping_indent(root: CommentedMap | None, models: Any) -> int:
    """Indent of a nested block mapping (an entry's `vllm:`, else a top-level section's)."""
    parents: list[CommentedMap] = []
    if isinstance(models, CommentedSeq):
        parents.extend(item for item in models if isinstance(item, CommentedMap))
    if root is not None:
        parents.append(root)
    for parent in parents:
        for key, value in parent.items():
            if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
                key_line, key_column = parent.lc.key(key)
                if value.lc.line > key_line and value.lc.col > key_column:
                    return int(value.lc.col - key_column)
    return 2


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _commented(item)
        if isinstance(value, CommentedMap) and value.fa.flow_style():  # `gpus: {count: 1, ...}`
            out.fa.set_flow_style()
        return out
    return value


def _render(entry: Mapping[str, Any], layout: _Layout) -> str:
    yaml = _yaml()
    yaml.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    stream = io.StringIO()
    yaml.dump(CommentedMap([("models", CommentedSeq([_commented(entry)]))]), stream)
    return stream.getvalue().split("\n", 1)[1]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _load(text: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise EditError(
            f"the contract is not valid YAML ({problem})",
            hint="`install-contract validate` shows where; fix it, then add the model",
        ) from None


def entry_names(text: str) -> set[Any]:
    """The litellmModelName of every entry in `models:` (none when there is no such list), read
    with the loader `append_entry` uses. Raises EditError when `text` is not YAML."""
    root = _load(text)
    models = root.get("models") if isinstance(root, Mapping) else None
    return {m.get("litellmModelName") for m in models or () if isinstance(m, Mapping)}


def append_entry(text: str, entry: Mapping[str, Any]) -> Appended:
    """`text` with `entry` added as the last item of `models:` (see the module docstring).

    Raises EditError when the name is already taken, or when the file cannot be edited safely
    (not YAML, no mapping at the top, `models:` not a list or written in flow style).
    """
    root = _load(text)
    if root is not None and not isinstance(root, CommentedMap):
        raise EditError("the contract's top level is not a mapping of keys such as models:")
    models = root.get("models") if root is not None else None
    if models is not None and not isinstance(models, CommentedSeq):
        raise EditError(
            "models: is not a list", hint="write models: as a list of entries (- litellmModelName: …)"
        )
    name = entry["litellmModelName"]
    for item in models or ():
        if isinstance(item, Mapping) and item.get("litellmModelName") == name:
            raise EditError(
                f"{name!r} is already in models: (litellmModelName must be unique)",
                hint="pass --name to add the model under another name",
            )
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    layout = _layout(lines, root, models)
    chunk = _render(entry, layout)
    if newline != "\n":
        chunk = chunk.replace("\n", newline)

    expected = _plain(root) if root is not None else {}
    expected["models"] = [*(expected.get("models") or ()), _plain(entry)]
    index = len(expected["models"]) - 1

    if root is None or "models" not in root:
        head = text if not text or text.endswith("\n") else text + newline
        candidates = [f"{head}models:{newline}{chunk}"]
    elif not models:  # `models:`, `models: []` or `models: null`
        key_line = root.lc.key("models")[0]
        lines[key_line] = _empty_models_line(lines[key_line], newline)
        candidates = ["".join(lines[: key_line + 1]) + chunk + "".join(lines[key_line + 1 :])]
    elif models.fa.flow_style():
        raise EditError(
            "models: is written in flow style ([...]); add cannot insert into it without rewriting it",
            hint="write models: as a block list (one `- litellmModelName: …` item per entry)",
        )
    else:
        end, bound = _models_span(lines, root, models)
        if not lines[-1].endswith("\n"):
            lines[-1] += newline
        separator = newline if layout.blank_between else ""
        # Right after the last item's last line; should that line have been a comment-looking
        # line of a block scalar (`|`), the next places down to the following key.
        candidates = [
            "".join(lines[: after + 1]) + separator + chunk + "".join(lines[after + 1 :])
            for after in range(end, max(bound, end + 1))
        ]
    for candidate in candidates:
        if _plain(_load(candidate)) == expected:
            return Appended(candidate, chunk, index)
    raise RuntimeError("the edited contract does not read back as the old one plus the new entry")


def _empty_models_line(line: str, newline: str) -> str:
    """`models:`, `models: []` or `models: null` (and a comment) -> `models:` (and the comment)."""
    match = re.match(r"^(\s*models\s*:)\s*(\[\s*\]|null|Null|NULL|~)?(\s*#.*)?\s*$", line.rstrip("\r\n"))
    if match is None:
        raise EditError(
            "cannot find where models: starts; add the entry by hand",
            hint="write `models:` on a line of its own",
        )
    if match[2] is None:  # already a bare `models:`: the line stays as it is
        return line if line.endswith("\n") else line + newline
    return match[1] + (match[3] or "") + newline


def _models_span(lines: list[str], root: CommentedMap, models: CommentedSeq) -> tuple[int, int]:
    """The last line of the last item (the last line before the next top-level key, or the end,
    that is neither blank nor a comment), and the line of that next key (or the line count)."""
    keys = list(root.keys())
    after = keys.index("models") + 1
    bound = min(int(root.lc.key(keys[after])[0]) if after < len(keys) else len(lines), len(lines))
    floor = int(models.lc.data[len(models) - 1][0])
    for line in range(bound - 1, floor - 1, -1):
        text = lines[line].strip()
        if text and not text.startswith("#") and text != "...":
            return line, bound
    return floor, bound


# --------------------------------------------------------------------------- featureFlags and remove


FlagValue = str | list[str] | None  # one model, a list of models, or None: the flag is removed


def _scalar(name: str) -> str:
    """A model name as YAML writes it: plain when it reads back as itself, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:/@+-]*", name) and ": " not in name:
        try:
            if _yaml().load(f"k: {name}\n")["k"] == name:
                return name
        except YAMLError:
            pass
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(value: str | list[str]) -> str:
    if isinstance(value, str):
        return _scalar(value)
    return "[" + ", ".join(_scalar(v) for v in value) + "]"


def _comment_start(line: str, start: int) -> int:
    """Where a ` #` comment begins on a line (at or after `start`), else the end of its text."""
    body = line.rstrip("\r\n")
    found = body.find(" #", start)
    return found if found >= 0 else len(body)


def _block_end(lines: list[str], first: int, bound: int) -> int:
    """The last line from `first` on, before `bound`, that is neither blank nor a comment."""
    for line in range(bound - 1, first - 1, -1):
        text = lines[line].strip()
        if text and not text.startswith("#"):
            return line
    return first


def _key_bound(mapping: CommentedMap, key: Any, default: int) -> int:
    """The line of the key after `key` in a block mapping, or `default` after its last key."""
    keys = list(mapping.keys())
    after = keys.index(key) + 1
    return int(mapping.lc.key(keys[after])[0]) if after < len(keys) else default


def _top_bound(root: CommentedMap, key: str, lines: list[str]) -> int:
    return min(_key_bound(root, key, len(lines)), len(lines))


def _readback(candidate: str, expected: Any, what: str) -> str:
    if _plain(_load(candidate)) != expected:
        raise EditError(
            f"cannot {what} without rewriting more of the file than that",
            hint="make the change by hand, then run `install-contract validate`",
        )
    return candidate


def set_flag(text: str, flag: str, value: FlagValue) -> str:
    """`text` with featureFlags.`flag` set to `value` (None removes the flag); every other byte kept.

    A block list gains or loses item lines; a value on the flag's own line is rewritten in flow
    style (`[a, b]`), keeping a comment after it; a flag or featureFlags: not there yet is added
    at the end of the block (or of the file). Raises EditError for a featureFlags: written in
    flow style, or an edit that would not read back as intended.
    """
    root = _load(text)
    if root is not None and not isinstance(root, CommentedMap):
        raise EditError("the contract's top level is not a mapping of keys such as models:")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    expected = _plain(root) if root is not None else {}
    flags_now = expected.get("featureFlags")
    wanted = dict(flags_now) if isinstance(flags_now, dict) else {}
    if value is None:
        if flag not in wanted:
            return text
        wanted.pop(flag)
    else:
        wanted[flag] = value
    expected["featureFlags"] = wanted or None
    what = f"set featureFlags.{flag}"
    if root is None or "featureFlags" not in root:
        chunk = f"featureFlags:{newline}  {flag}: {_flow(value)}{newline}" if value is not None else ""
        return _readback("".join(lines) + chunk, expected, what)
    edited = _edit_flags(lines, root, flag, value, newline)
    return text if edited is None else _readback(edited, expected, what)


def _edit_flags(
    lines: list[str], root: CommentedMap, flag: str, value: FlagValue, newline: str
) -> str | None:
    """The text with the flag set inside an existing featureFlags:; None when nothing changes."""
    flags = root.get("featureFlags")
    key_line, key_column = root.lc.key("featureFlags")
    if flags is None or (isinstance(flags, CommentedMap) and not flags):
        if value is None:
            return None
        match = re.match(
            r"^(\s*featureFlags\s*:)\s*(\{\s*\}|null|Null|NULL|~)?(\s*#.*)?\s*$",
            lines[key_line].rstrip("\r\n"),
        )
        if match is None:
            raise EditError(
                "cannot find where featureFlags: starts", hint="write `featureFlags:` on a line of its own"
            )
        lines[key_line] = match[1] + (match[3] or "") + newline
        item = f"{' ' * (key_column + 2)}{flag}: {_flow(value)}{newline}"
        return "".join([*lines[: key_line + 1], item, *lines[key_line + 1 :]])
    if not isinstance(flags, CommentedMap) or flags.fa.flow_style():
        raise EditError(
            "featureFlags: is written in flow style ({...}); it cannot be edited without rewriting it",
            hint="write featureFlags: as a block mapping (one `FLAG: models` line per flag)",
        )
    section_end = _block_end(lines, key_line, _top_bound(root, "featureFlags", lines))
    indent = " " * int(flags.lc.key(next(iter(flags)))[1])
    if flag not in flags:
        if value is None:
            return None
        item = f"{indent}{flag}: {_flow(value)}{newline}"
        return "".join([*lines[: section_end + 1], item, *lines[section_end + 1 :]])
    return _replace_flag(lines, flags, flag, value, indent, section_end, newline)


def _replace_flag(
    lines: list[str],
    flags: CommentedMap,
    flag: str,
    value: FlagValue,
    indent: str,
    section_end: int,
    newline: str,
) -> str:
    """The text with a flag that is there removed (None) or given `value`."""
    line, _ = flags.lc.key(flag)
    value_line, value_column = flags.lc.value(flag)
    end = _block_end(lines, line, _key_bound(flags, flag, section_end + 1))
    current = flags[flag]
    if value is None:
        return "".join([*lines[:line], *lines[end + 1 :]])
    block = isinstance(current, CommentedSeq) and current and not current.fa.flow_style()
    if block and isinstance(value, list) and value:
        return _edit_block_list(lines, current, value, newline)
    if value_line == line and end == line:
        body = lines[line]
        stop = _comment_start(body, value_column)
        if isinstance(current, CommentedSeq):  # a flow list: up to its closing bracket
            stop = body.find("]", value_column) + 1 or stop
        new = body[:value_column] + _flow(value) + body[stop:].rstrip("\r\n") + newline
        return "".join([*lines[:line], new, *lines[line + 1 :]])
    rewritten = f"{indent}{flag}: {_flow(value)}{newline}"
    return "".join([*lines[:line], rewritten, *lines[end + 1 :]])


def _edit_block_list(lines: list[str], current: CommentedSeq, value: list[str], newline: str) -> str:
    """A block list's item lines: the items no longer wanted removed, new ones added below."""
    old = [str(item) for item in current]
    if any(not _single_line(lines, current, i) for i in range(len(current))):
        raise EditError("the list's items span several lines", hint="make the change by hand")
    first_line, first_column = current.lc.data[0]
    dash = lines[first_line].rfind("-", 0, first_column)
    drop = {int(current.lc.data[i][0]) for i, name in enumerate(old) if name not in value}
    last = max(int(current.lc.data[i][0]) for i in range(len(current)))
    added = [f"{' ' * dash}- {_scalar(name)}{newline}" for name in value if name not in old]
    out: list[str] = []
    for number, line in enumerate(lines):
        if number not in drop:
            out.append(line)
        if number == last:
            out.extend(added)
    return "".join(out)


def _single_line(lines: list[str], seq: CommentedSeq, index: int) -> bool:
    line = int(seq.lc.data[index][0])
    return isinstance(seq[index], str) and lines[line].lstrip().startswith("-")


def remove_entry(text: str, name: str) -> tuple[str, int]:
    """`text` without the `models:` entry named `name`, and the entry's index.

    The lines from the entry's `-` to its last field go (comments between its fields with
    them); comments and blank lines around it stay, except one blank line of a pair the removal
    would leave. Raises EditError when no entry has that name, or `models:` cannot be edited.
    """
    root = _load(text)
    models = root.get("models") if isinstance(root, CommentedMap) else None
    if not isinstance(models, CommentedSeq) or models.fa.flow_style():
        raise EditError("models: is not a block list of entries; remove the entry by hand")
    names = [item.get("litellmModelName") if isinstance(item, Mapping) else None for item in models]
    if name not in names:
        from contract.knowledge.catalog import nearest

        guess = nearest(name, [n for n in names if isinstance(n, str)])
        raise EditError(
            f"no entry named {name!r} in models:",
            hint=f"did you mean {guess}?" if guess else "the names are the entries' litellmModelName",
        )
    index = names.index(name)
    if len(models) == 1:
        raise EditError(
            f"{name!r} is the only entry in models:, and a contract needs at least one",
            hint="add the model that replaces it first (`install-contract add`)",
        )
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    start = int(models.lc.data[index][0])
    while start > 0 and not lines[start].lstrip().startswith("-"):
        start -= 1  # `-` alone on its line, the entry's fields below it
    if index + 1 < len(models):
        bound = int(models.lc.data[index + 1][0])
        while bound > start and not lines[bound].lstrip().startswith("-"):
            bound -= 1
    else:
        bound = _top_bound(root, "models", lines)
    end = _block_end(lines, start, bound)
    before = start > 0 and not lines[start - 1].strip()
    after = end + 1 < len(lines) and not lines[end + 1].strip()
    if after and (before or start - 1 == int(root.lc.key("models")[0])):
        end += 1  # one blank line of the two around it (or the one below `models:`) goes too
    elif before and end + 1 >= len(lines):
        start -= 1  # the file ends with the entry: the blank line above it goes
    expected = _plain(root)
    del expected["models"][index]
    candidate = "".join([*lines[:start], *lines[end + 1 :]])
    return _readback(candidate, expected, f"remove {name!r}"), index
