"""The records a plan is made of. Plain frozen data: the plan is a pure function of the desired
and observed states, so tests build both from literals and compare plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

System = Literal["admin-api", "unleash", "kubernetes"]
Action = Literal["create", "update", "delete", "keep"]

# An ID the admin API assigns only when the model is created, like Terraform's "(known after apply)".
KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass(frozen=True)
class FieldDiff:
    """One field's value before and after (None: absent). A `secret` field never carries its
    values: only `how` it changes ("added", "changed" or "removed")."""

    name: str
    old: Any = field(default=None, repr=False)
    new: Any = field(default=None, repr=False)
    secret: bool = False
    how: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.secret:
            return {"changed": True}
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True)
class Change:
    """One object in one system, and what applying the plan does to it.

    `fields` names what differs (an update) or what a create writes, in the system's own field
    names; empty for delete and keep. `diff` holds their values (never a secret's: see
    `FieldDiff`); it is left out of equality, so that plans compare by what they do.
    `note` is one line for people ("derived: no featureFlags entry").
    """

    system: System
    kind: str  # "provider" | "model" | "flag" | "secret" | "configmap" | "deployment"
    name: str
    action: Action
    fields: tuple[str, ...] = ()
    note: str = ""
    diff: tuple[FieldDiff, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, object]:
        return {
            "system": self.system,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "fields": list(self.fields),
            "diff": {d.name: d.to_json() for d in self.diff},
        }


@dataclass(frozen=True)
class Plan:
    """Every change, in execution order (models, then flags, then LiteLLM), and plan-time warnings."""

    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Objects install-contract made that the contract no longer has: kept unless --prune.
    orphans: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != "keep")

    @property
    def empty(self) -> bool:
        return not self.pending
