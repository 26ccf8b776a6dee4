"""What `diff --env A --env B` and `resolve --env NAME` print (pure functions)."""

from __future__ import annotations

import json
from typing import Any

from contract.knowledge.secrets import mask
from contract.reporting import Output, err, out
from contract.workflows.envdiff import ABSENT, Change
from contract.workflows.environments import Diffed, Resolved


def resolved_text(outcome: Resolved, colour: bool = False) -> Output:
    return (out(outcome.text, nl=False),)


def diffed_text(outcome: Diffed, colour: bool = False) -> Output:
    """`--- A`, `+++ B`, then one line per difference; a literal secret anywhere (a URL's
    password) masked, secret fields being masked by the diff itself."""
    if outcome.problem is not None:
        return (err(f"install-contract: {outcome.problem}"),)
    return (out(mask(render_diff(list(outcome.changes), outcome.a, outcome.b), outcome.secrets), nl=False),)


def diffed_json(outcome: Diffed, colour: bool = False) -> Output:
    if outcome.problem is not None:
        return (err(f"install-contract: {outcome.problem}"),)
    return (out(mask(json.dumps([c.as_dict() for c in outcome.changes], indent=2), outcome.secrets)),)


def render_diff(changes: list[Change], a: str, b: str) -> str:
    if not changes:
        return f"{a} and {b} resolve to the same models, flags and platform\n"
    lines = [f"--- {a}", f"+++ {b}"]
    for change in changes:
        if change.kind == "model":
            sign = "-" if change.b == ABSENT else "+"
            only = a if sign == "-" else b
            lines.append(f"{sign} model {change.where} (only in {only})")
        else:
            lines.append(f"~ {change.where}: {_text(change.a)} -> {_text(change.b)}")
    return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
