"""Validation of `environments:` and `gitops:`: each environment's resolved contract runs
through the same pipeline as the base, with positions mapped back to the file.

A diagnostic of an environment points where the offending value was written (the override's
own line when the environment set it, else the base entry's) and names the environment;
what the base already reports at the same place is not reported again. Imported by
`contract.pipeline.validate` only when a contract declares environments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from contract.diagnostics import Diagnostic, Path, json_pointer
from contract.pipeline.environments import Resolved, resolve
from contract.pipeline.model import ENV_NAME_PATTERN, Environment, GitOps
from contract.pipeline.rules import RULES, Finding
from contract.pipeline.rules.environments import EnvironmentsView, secret_variables
from contract.pipeline.validate import _Validation

if TYPE_CHECKING:
    from contract.pipeline.load import Document, LoadProblem, Mark, SourceMap
    from contract.pipeline.validate import TypedContract


class _EnvMap:
    """Positions of the resolved contract: the original document's, at each value's origin."""

    def __init__(self, base: SourceMap, resolved: Resolved) -> None:
        self.base = base
        self.resolved = resolved

    def value(self, path: Path) -> Mark:
        return self.base.value(self.resolved.origin(path))

    def key(self, path: Path) -> Mark:
        return self.base.key(self.resolved.origin(path))


@dataclass
class _EnvDoc:
    """What the pipeline reads of a document: the resolved data, positions, no load problems."""

    data: Any
    source_map: Any
    text: str = ""
    problems: list[LoadProblem] = field(default_factory=list)
    ok: bool = True
    secrets: set[str] = field(default_factory=set)
    secret_lines: set[int] = field(default_factory=set)


def run_environments(run: _Validation, data: dict[str, Any]) -> dict[str, TypedContract]:
    """Type `environments:` and `gitops:`, run the environment rules, then validate every
    (chosen) environment's resolved contract. Returns the typed contract of each environment
    validated (like the base's, it exists also when the environment has errors: the
    diagnostics decide whether it may be compiled)."""
    if "gitops" in data and data["gitops"] is not None:
        run.typed(GitOps, data["gitops"], ("gitops",))
    sound = _typed_environments(run, data.get("environments"))
    if sound is None:
        return {}
    flagged = _environment_rules(run, data)
    return _resolved_contracts(run, data, sound, flagged)


def _typed_environments(run: _Validation, raw: Any) -> list[str] | None:
    """The environments that typed without error, each on its own; None without `environments:`
    (or with one that is not a mapping)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        run.report(
            "IC004",
            Finding(
                "environments must be a mapping of environment names to environments",
                ("environments",),
                hint="write `environments:` then `  dev:` with only/overrides/platform under it",
            ),
        )
        return None
    sound: list[str] = []
    for name, body in raw.items():
        if not isinstance(name, str) or not re.match(ENV_NAME_PATTERN, name):
            run.report(
                "IC004",
                Finding(
                    f"environment name {name!r} must be lower-case letters, digits and dashes",
                    ("environments", str(name)),
                    hint="it names a folder under render's --out and Kubernetes objects: e.g. staging",
                    at_key=True,
                ),
            )
            continue
        if body is None:
            body = {}
        typed, broken = run.typed(Environment, body, ("environments", name))
        if isinstance(typed, Environment) and not broken:
            sound.append(name)
    return sound


def _environment_rules(run: _Validation, data: dict[str, Any]) -> set[str]:
    """Run the environment rules (IC7xx); returns the environments they reported."""
    view = EnvironmentsView(data)
    for _env, _name, value, _why in secret_variables(view):
        # A secret written as a variable's value (IC702) is masked wherever a report quotes it.
        if isinstance(value, str) and value.strip():
            run.doc.secrets.add(value)
    flagged: set[str] = set()
    for rule in RULES.values():
        if rule.scope == "environment" and rule.check is not None and run.selection.wants(rule.code):
            for finding in rule.check(view):
                run.report(rule.code, finding)
                flagged.add(str(finding.path[1]))
    return flagged


def _resolved_contracts(
    run: _Validation, data: dict[str, Any], sound: list[str], flagged: set[str]
) -> dict[str, TypedContract]:
    """Validate each chosen environment's resolved contract; what the base reported at the same
    place is not reported again. An environment an IC7xx rule reported is not resolved (one
    cause, one report)."""
    chosen = getattr(run.options, "environments", None)
    base_seen = {(d.code, d.line, d.column) for d in run.diagnostics}
    typed_envs: dict[str, TypedContract] = {}
    for name in sound:
        if (chosen is not None and name not in chosen) or name in flagged:
            continue
        sub = _EnvRun(run, resolve(data, name))
        sub.execute()
        own = [d for d in sub.diagnostics if (d.code, d.line, d.column) not in base_seen]
        run.diagnostics.extend(own)
        if sub.typed_contract is not None:
            typed_envs[name] = sub.typed_contract
    return typed_envs


class _EnvRun(_Validation):
    """The pipeline on one environment's resolved contract, reporting at each value's origin."""

    def __init__(self, parent: _Validation, resolved: Resolved) -> None:
        doc = _EnvDoc(resolved.data, _EnvMap(parent.map, resolved))
        super().__init__(cast("Document", doc), parent.options, parent.selection)
        self.resolved = resolved

    def report(self, code: str, finding: Finding, base: Path = ()) -> None:
        path = (*base, *finding.path)
        mark = self.map.key(path) if finding.at_key else self.map.value(path)
        rule = RULES[code]
        origin = self.resolved.origin(path)
        hint = finding.hint
        if origin[:1] != ("environments",):
            # Written in the base: the fix may be the base's, or this environment's own setting.
            where = f"set it for this environment under environments.{self.resolved.name}."
            if not hint:
                hint = where[:1].upper() + where[1:]
            else:
                hint = f"{hint}{'' if hint.endswith(('?', '.')) else '.'} Or {where}"
        self.diagnostics.append(
            Diagnostic(
                rule.code,
                rule.name,
                finding.severity or rule.severity,
                f"environment {self.resolved.name}: {finding.message}",
                json_pointer(origin),
                mark.line,
                mark.column,
                hint,
            )
        )
