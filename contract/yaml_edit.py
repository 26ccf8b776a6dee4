"""Text surgery on a contract: append an entry to `models:` and keep every other byte.

See `contract/edit.py` for what `add` does around it (building the entry, validating the result).
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

from contract.errors import InstallContractError
from contract.starter import SCHEMA_MODELINE


class EditError(InstallContractError):
    """The edit was refused: a duplicate name, a model the catalog does not know, a file that
    cannot be edited safely. The contract is left as it was; `hint` says what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


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
