"""The rule table: every code, its name, default severity and documentation, in one place.

A rule is a small function decorated with `@rule(...)`; its docstring is its documentation
(`install-contract explain CODE` prints it) and carries a failing and a passing example.
Codes raised while reading or typing the file (IC001–IC006) are registered with `builtin()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from contract.diagnostics import Path, Severity

# "platform": rules that need what only the platform can tell (its providers); `plan` runs
# them after reading the admin API, `validate` never does.
# "environment": rules on `environments:` as written (contract/pipeline/envrun.py runs them).
Scope = Literal["load", "schema", "entry", "contract", "platform", "environment"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule says; the engine adds code, name, severity and position.

    `path` is relative to the entry for entry rules and to the document for contract rules.
    `at_key` points the position at the key instead of the value.
    """

    message: str
    path: Path = ()
    hint: str | None = None
    severity: Severity | None = None
    at_key: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    scope: Scope
    doc: str
    check: Callable[[Any], Iterator[Finding]] | None = None
    # Entry fields the rule reads. On an entry whose required fields are broken, only rules
    # that read none of the broken ones run (so one root cause gives one report). None means
    # the rule runs on sound entries only.
    uses: frozenset[str] | None = None

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


RULES: dict[str, Rule] = {}


def _register(r: Rule) -> None:
    if r.code in RULES:
        raise ValueError(f"rule code {r.code} registered twice")
    RULES[r.code] = r


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    scope: Scope = "entry",
    uses: tuple[str, ...] | None = None,
) -> Callable[[Callable[[Any], Iterator[Finding]]], Callable[[Any], Iterator[Finding]]]:
    def decorate(fn: Callable[[Any], Iterator[Finding]]) -> Callable[[Any], Iterator[Finding]]:
        doc = inspect.getdoc(fn) or ""
        _register(
            Rule(
                code,
                name,
                severity,
                scope,
                doc,
                fn,
                frozenset(uses) if uses is not None else None,
            )
        )
        return fn

    return decorate


def builtin(code: str, name: str, severity: Severity, scope: Scope, doc: str) -> None:
    _register(Rule(code, name, severity, scope, inspect.cleandoc(doc)))


def matches(code: str, patterns: tuple[str, ...]) -> bool:
    """`IC3` selects IC301…IC305; `IC301` selects itself."""
    return any(code.startswith(p.upper()) for p in patterns)
