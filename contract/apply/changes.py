"""The records a plan is made of. Plain frozen data: the plan is a pure function of the desired
and observed states, so tests build both from literals and compare plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

System = Literal["admin-api", "unleash", "kubernetes"]
Action = Literal["create", "update", "delete", "keep"]

SYSTEMS: tuple[System, ...] = ("admin-api", "unleash", "kubernetes")
# An ID the admin API assigns only when the model is created, like Terraform's "(known after apply)".
KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass(frozen=True)
class Change:
    """One object in one system, and what applying the plan does to it.

    `fields` names what differs (an update) in the system's own field names, sorted; empty for
    create, delete and keep. `note` is one line for people ("derived: no featureFlags entry").
    """

    system: System
    kind: str  # "model" | "flag" | "secret" | "configmap" | "deployment"
    name: str
    action: Action
    fields: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "system": self.system,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Plan:
    """Every change, in execution order (models, then flags, then LiteLLM), and plan-time warnings."""

    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != "keep")

    @property
    def empty(self) -> bool:
        return not self.pending

    def for_system(self, system: System) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.system == system)
