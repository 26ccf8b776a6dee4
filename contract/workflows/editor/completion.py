"""Completion: the words that may stand at the cursor, from the schema, the catalog and the file."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from contract.workflows.editor.context import ITEM, Context, context_at
from contract.workflows.editor.schema import enum_of, fields_at, node_at
from contract.workflows.editor.text import indent_of, is_blank, key_of

_MODEL_NAME = re.compile(r"^\s*(?:-\s+)?litellmModelName:\s*[\"']?(?P<name>[^\"'#\s]+)")
MAX_ITEMS = 200


@dataclass(frozen=True)
class Candidate:
    label: str
    kind: str  # field | value | prefix | model | flag
    insert: str
    detail: str = ""
    documentation: str = ""


@dataclass(frozen=True)
class Completion:
    """Candidates for the word that stands from (line, column) to `end_column`: what was typed
    before the cursor and the rest of the word after it (completing `CH|AT` replaces `CHAT`)."""

    line: int
    column: int
    candidates: tuple[Candidate, ...]
    complete: bool = True  # False: more matched than were listed (the editor should ask again)
    end_column: int | None = None  # None: the cursor


_WORD_END = re.compile(r"[^\s:,{}\[\]#\"']*")


def complete(lines: list[str] | tuple[str, ...], line: int, column: int) -> Completion:
    where = context_at(lines, line, column)
    found = _fields(lines, line, where) if where.key is None else _values(lines, where)
    wanted = [c for c in found if c.label.casefold().startswith(where.partial.casefold())]
    text = lines[line] if 0 <= line < len(lines) else ""
    match = _WORD_END.match(text, column)
    end = match.end() if match else column
    if where.key is None and text[end:].lstrip(" ").startswith(":"):
        # the key's colon is written already: complete the name alone
        wanted = [dataclasses.replace(c, insert=c.label) for c in wanted]
    return Completion(line, where.column, tuple(wanted[:MAX_ITEMS]), len(wanted) <= MAX_ITEMS, end)


def _fields(lines: list[str] | tuple[str, ...], line: int, where: Context) -> list[Candidate]:
    present = _sibling_keys(lines, line, where.column) if where.siblings is None else set(where.siblings)
    if len(where.path) == 3 and where.path[0] == "environments" and where.path[2] == "overrides":
        return [  # an override is keyed by the litellmModelName it changes
            Candidate(name, "model", f"{name}:", "litellmModelName")
            for name in model_names(lines)
            if name not in present
        ]
    fields = fields_at(where.path)
    out = [
        Candidate(name, "field", f"{name}: ", _type(schema), str(schema.get("description", "")))
        for name, schema in fields.items()
        if name not in present
    ]
    if _flags(where.path):
        out += [
            Candidate(name, "flag", f"{name}: ", "feature flag (platform.unleash.knownFlags)")
            for name in _known_flags([text if at != line else "" for at, text in enumerate(lines)])
            if name not in fields and name not in present
        ]
    return out


def _values(lines: list[str] | tuple[str, ...], where: Context) -> list[Candidate]:
    if _flags(where.path) or (
        len(where.path) == 2 and where.path[0] == "environments" and where.key in _LISTS
    ):
        return [Candidate(name, "model", name, "litellmModelName") for name in model_names(lines)]
    if where.key == "litellmModel":
        return _litellm_models(where.partial)
    if where.key == "provider":
        from contract.knowledge.catalog import providers

        return [Candidate(p.display_names[0], "value", p.display_names[0], "provider") for p in providers()]
    schema = fields_at(where.path).get(where.key or "")
    if schema is None and node_at(where.path) is None:
        return []
    values = enum_of(schema or {})
    if (schema or {}).get("type") == "boolean":
        values = ["true", "false"]
    return [Candidate(v, "value", _quoted(v), where.key or "") for v in values]


_LISTS = ("only", "except")


def _flags(path: tuple[str, ...]) -> bool:
    """The path of a featureFlags mapping: the contract's or an environment's."""
    return path == ("featureFlags",) or (
        len(path) == 3 and path[0] == "environments" and path[2] == "featureFlags"
    )


def _litellm_models(partial: str) -> list[Candidate]:
    from contract.knowledge import entries
    from contract.knowledge.catalog import load_catalog, provider_prefixes

    prefix = entries.prefix(partial)
    if prefix is None:
        return [
            Candidate(f"{p}/", "prefix", f"{p}/", "LiteLLM provider prefix")
            for p in sorted(provider_prefixes())
        ]
    rows = load_catalog().models(provider=prefix)
    return [
        Candidate(
            facts.litellm_model,
            "model",
            facts.litellm_model,
            f"{facts.mode or '?'} · window {facts.context_window or '?'} · max output {facts.max_output_tokens or '?'}",
        )
        for facts in rows
        if facts.prefix == prefix
    ]


def model_names(lines: list[str] | tuple[str, ...]) -> list[str]:
    """The litellmModelName values of the text, in order (read line by line: it may not parse)."""
    names = []
    for text in lines:
        m = _MODEL_NAME.match(text)
        if m is not None and m["name"] not in names:
            names.append(m["name"])
    return names


def _known_flags(lines: list[str] | tuple[str, ...]) -> list[str]:
    """The flags the contract says its platform defines beyond seed 002's (when the text parses)."""
    from contract.pipeline.load import load

    document = load("\n".join(lines))
    platform = document.data.get("platform") if document.ok and isinstance(document.data, dict) else None
    unleash = platform.get("unleash") if isinstance(platform, dict) else None
    known = unleash.get("knownFlags") if isinstance(unleash, dict) else None
    return [name for name in known if isinstance(name, str)] if isinstance(known, list) else []


def _sibling_keys(lines: list[str] | tuple[str, ...], line: int, column: int) -> set[str]:
    """Keys already written in the mapping whose keys stand at `column` around `line`."""
    present: set[str] = set()
    for step in (-1, 1):
        index = line + step
        while 0 <= index < len(lines):
            text = lines[index]
            index += step
            if is_blank(text):
                continue
            found = key_of(text)
            item = text.lstrip().startswith("- ")
            if found is not None and found[0] == column:
                if item and step == 1:
                    break  # the next list item
                present.add(found[1])
                if item:
                    break  # the first key of this list item
            elif indent_of(text) < column:
                break  # the mapping's owner
    return present


def _type(schema: dict[str, object]) -> str:
    kind = schema.get("type")
    return str(kind) if kind else ""


def _quoted(value: str) -> str:
    return f"'{value}'" if " " in value or value[:1].isdigit() else value


__all__ = ["ITEM", "Candidate", "Completion", "complete", "model_names"]
