"""Hover: what a field means, what a rule says, what the catalog knows of a model."""

from __future__ import annotations

import re
from collections.abc import Iterable

from contract.workflows.editor.analysis import Problem
from contract.workflows.editor.context import context_at
from contract.workflows.editor.schema import enum_of, fields_at
from contract.workflows.editor.text import in_flow, key_of, token_end

_RULE_CODE = re.compile(r"\bIC\d{3}\b")


def hover(
    lines: list[str] | tuple[str, ...], line: int, column: int, problems: Iterable[Problem] = ()
) -> str | None:
    """Markdown for the place at (line, column), or None when there is nothing to say."""
    text = lines[line] if 0 <= line < len(lines) else ""
    parts = [explain(p.code) for p in problems if p.covers(line, column)]
    code = _word(text, column, _RULE_CODE)
    if code is not None:
        parts.append(explain(code))
    found = _key_at(text, column)
    if found is not None:
        key_column, key = found
        if key_column <= column <= key_column + len(key):
            parts.insert(0, _field(lines, line, key_column, key))
        elif column > key_column + len(key) and key == "litellmModel":
            parts.insert(0, _model(text, key_column + len(key)))
    said = [p for p in dict.fromkeys(parts) if p]
    return "\n\n---\n\n".join(said) if said else None


# A key inside a flow mapping on the line: `{key: …` or `, key: …`.
_FLOW_KEY = re.compile(r"[{,]\s*[\"']?(?P<key>[A-Za-z_][\w.-]*)[\"']?\s*:(?:\s|$)")


def _key_at(text: str, column: int) -> tuple[int, str] | None:
    """The key under the cursor, or whose value the cursor is in: the line's block key, or the
    last key of a flow mapping `{…}` that starts at or before the cursor."""
    found = key_of(text)
    for m in _FLOW_KEY.finditer(text):
        if m.start("key") > column:
            break
        if in_flow(text, m.start("key")):
            found = (m.start("key"), m["key"])
    return found


def explain(code: str) -> str:
    """`install-contract explain CODE`'s text, as Markdown."""
    from contract.pipeline.rules import RULES

    rule = RULES.get(code)
    if rule is None:
        return ""
    return (
        f"**{rule.code} {rule.name}** (default severity: {rule.severity.value})\n\n```text\n{rule.doc}\n```"
    )


def _field(lines: list[str] | tuple[str, ...], line: int, key_column: int, key: str) -> str:
    where = context_at(lines, line, key_column)
    schema = fields_at(where.path).get(key)
    if schema is None:
        return ""
    said = [f"**{key}**" + (f" ({schema['type']})" if isinstance(schema.get("type"), str) else "")]
    if schema.get("description"):
        said.append(str(schema["description"]))
    values = enum_of(schema)
    if values:
        said.append("One of: " + ", ".join(f"`{v}`" for v in values))
    return "\n\n".join(said)


def _model(text: str, after_key: int) -> str:
    from contract.knowledge.catalog import load_catalog

    start = text.find(":", after_key) + 1
    while start < len(text) and text[start] == " ":
        start += 1
    value = text[start : token_end(text, start)].strip("\"'")
    facts = load_catalog().lookup(value) if value else None
    if facts is None:
        return f"`{value}`: not in the catalog" if value else ""
    tools = {True: "yes", False: "no", None: "unknown"}[facts.supports_tool_calling]
    return (
        f"**{facts.litellm_model}** ({facts.provider})\n\n"
        f"| window | max output | mode | tool calling |\n|---|---|---|---|\n"
        f"| {_number(facts.context_window)} | {_number(facts.max_output_tokens)} | {facts.mode or 'unknown'} | {tools} |\n\n"
        f"source: {facts.source}"
    )


def _number(value: int | None) -> str:
    return f"{value:,}" if value is not None else "unknown"


def _word(text: str, column: int, pattern: re.Pattern[str]) -> str | None:
    for m in pattern.finditer(text):
        if m.start() <= column <= m.end():
            return m.group(0)
    return None
