"""`diff --env A --env B`: what differs between two environments' resolved contracts.

For reviewing a promotion (staging -> prod): the models one has and the other lacks, each
field of a shared model that differs, and the flags and platform settings that differ. A
secret's value is never shown (a `${VAR}` reference is: it names where the secret is).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contract.knowledge import secrets
from contract.pipeline.environments import resolve

__all__ = ["ABSENT", "Change", "diff_environments"]

ABSENT = "(absent)"  # the side of a model one environment does not have


@dataclass(frozen=True)
class Change:
    """One difference: `kind` is model, field, flag or platform; `where` names what differs."""

    kind: str
    where: str
    a: Any
    b: Any

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "where": self.where, "a": self.a, "b": self.b}


def diff_environments(data: Mapping[str, Any], a: str, b: str) -> list[Change]:
    left, right = resolve(data, a).data, resolve(data, b).data
    changes: list[Change] = []
    lm, rm = _models(left), _models(right)
    for name in lm:
        if name not in rm:
            changes.append(Change("model", name, "present", ABSENT))
    for name in rm:
        if name not in lm:
            changes.append(Change("model", name, ABSENT, "present"))
    for name in lm:
        if name in rm:
            changes += [Change("field", f"{name}.{w}", x, y) for w, x, y in _fields(lm[name], rm[name])]
    changes += [
        Change("flag", f"featureFlags.{w}", x, y)
        for w, x, y in _fields(left.get("featureFlags"), right.get("featureFlags"))
    ]
    changes += [
        Change("platform", f"platform.{w}", x, y)
        for w, x, y in _fields(left.get("platform"), right.get("platform"))
    ]
    return changes


def _models(data: Mapping[str, Any]) -> dict[str, Any]:
    models = data.get("models")
    out: dict[str, Any] = {}
    for entry in models if isinstance(models, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("litellmModelName"), str):
            out.setdefault(entry["litellmModelName"], entry)
    return out


def _fields(a: Any, b: Any) -> list[tuple[str, Any, Any]]:
    flat_a, flat_b = dict(_flatten(a)), dict(_flatten(b))
    out = []
    for where in [*flat_a, *(k for k in flat_b if k not in flat_a)]:
        x, y = flat_a.get(where, ABSENT), flat_b.get(where, ABSENT)
        if x != y:
            out.append((where, _shown(where, x), _shown(where, y)))
    return out


def _flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves by dotted path; a list is one value (lists replace, so they compare whole)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif node is not None or prefix:
        yield prefix, node


def _shown(where: str, value: Any) -> Any:
    secret = any(secrets.is_secret_key(part) for part in where.split("."))
    if value == ABSENT or not secret:
        return value
    if isinstance(value, str) and secrets.is_reference(value):
        return value
    return secrets.MASK
