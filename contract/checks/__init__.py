"""`check`: the seed's verification steps for every endpoint, from here or from the cluster.

    steps.py    what each step requests and how an answer is judged (shared by both runners)
    local.py    the runner from where the tool runs (thread pool, one httpx client per endpoint)
    pods.py     the runner inside the cluster (one restricted pod per entry, via clients.kube)
    report.py   the text table and the JSON report

The library never prints: runners call back with each finished entry, the CLI shows progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contract.checks.steps import EntryResult, StepResult, Target, plan
from contract.errors import UsageError
from contract.validate import TypedContract

__all__ = ["CheckReport", "EntryResult", "StepResult", "Target", "plan_contract"]


@dataclass(frozen=True)
class CheckReport:
    """The outcome of one run: where it ran and every entry's steps."""

    file: str
    where: str  # "local" | "cluster"
    results: tuple[EntryResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)


def plan_contract(
    contract: TypedContract, env: Mapping[str, str], models: Sequence[str] = ()
) -> list[Target]:
    """The targets of the entries to check (all, or those named by `models`, in file order)."""
    from contract.rules._context import is_self_hosted

    names = [entry.litellm_model_name for entry in contract.models]
    unknown = [name for name in models if name not in names]
    if unknown:
        raise UsageError(f"no entry named {', '.join(unknown)} in the contract (entries: {', '.join(names)})")
    wanted = set(models)
    return [
        plan(entry, env, self_hosted=is_self_hosted(entry))
        for entry in contract.models
        if not wanted or entry.litellm_model_name in wanted
    ]
