"""The contract's JSON Schema (the checked-in `schemas/install-contract.schema.json`) by path."""

from __future__ import annotations

import functools
import json
from typing import Any

from contract.workflows.editor.context import ITEM


@functools.cache
def contract_schema() -> dict[str, Any]:
    from contract.resources import resource_dir

    with open(resource_dir("schemas") / "install-contract.schema.json", encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref`, and pick the object branch of `anyOf: [X, null]`."""
    root = contract_schema()
    for _ in range(8):
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            continue
        branches = [b for b in node.get("anyOf", ()) if b.get("type") != "null"]
        if branches:
            objects = [b for b in branches if "$ref" in b or b.get("type") in ("object", "array")]
            node = {**(objects or branches)[0], **{k: v for k, v in node.items() if k in ("description",)}}
            continue
        break
    return node


def node_at(path: tuple[str, ...]) -> dict[str, Any] | None:
    """The schema of the value at `path` (`[]` for a list item), or None where the schema has none."""
    if len(path) >= 4 and path[0] == "environments" and path[2] == "overrides":
        return node_at(("models", ITEM, *path[4:]))  # an override holds any field of its model
    node = _deref(contract_schema())
    for part in path:
        if part == ITEM:
            items = node.get("items")
            if not isinstance(items, dict):
                return None
            node = _deref(items)
            continue
        properties = node.get("properties", {})
        if part in properties:
            node = _deref(properties[part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = _deref(node["additionalProperties"])  # a mapping by name (environments.<name>)
        else:
            return None
    return node


def fields_at(path: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The fields a mapping at `path` may hold, each with its (dereferenced) schema."""
    node = node_at(path)
    if node is None:
        return {}
    return {name: _described(schema) for name, schema in node.get("properties", {}).items()}


def _described(schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with its own description kept over that of what it refers to."""
    resolved = _deref(schema)
    if "description" in schema:
        return {**resolved, "description": schema["description"]}
    return resolved


def enum_of(schema: dict[str, Any]) -> list[str]:
    values = schema.get("enum")
    if values is None:
        values = [b["const"] for b in schema.get("anyOf", ()) if "const" in b] or None
    return [str(v) for v in values or ()]
