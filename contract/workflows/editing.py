"""`add`, `remove` and `init` as workflows: a request in, the file written (or not), an outcome out.

The edits themselves are `contract.workflows.edit` (plan, then apply) and the starter is
`contract.workflows.starter`; these functions make each command one call whose outcome says
what was done, for `contract/reporting/edits.py` to report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from contract.outcome import Outcome, Status
from contract.workflows.edit import AddOutcome, AddRequest, RemoveOutcome


@dataclass(frozen=True)
class Added(Outcome):
    """`add`: the plan (its `data` is None when refused: nothing was written) and the file."""

    plan: AddOutcome | None = None
    path: str = ""


@dataclass(frozen=True)
class Removed(Outcome):
    """`remove`: the plan (its `data` is None when refused: nothing was written), the file, the name."""

    plan: RemoveOutcome | None = None
    path: str = ""
    name: str = ""


@dataclass(frozen=True)
class Initialised(Outcome):
    """`init`: the starter written to `path`, or refused because `path` exists."""

    path: str = ""


def add_model(path: str, request: AddRequest) -> Added:
    """Add the entry `request` asks for to the contract at `path` (created when missing), unless
    the result would not validate without errors (REJECTED, nothing written)."""
    from contract.workflows.edit import apply_add, plan_add

    plan = plan_add(path, request)
    if plan.data is None:
        return Added(Status.REJECTED, plan=plan, path=path)
    apply_add(plan, path)
    return Added(Status.OK, diagnostics=plan.warnings, plan=plan, path=path)


def remove_model(path: str, name: str, *, from_flags: bool = False) -> Removed:
    """Remove the entry `name` from the contract at `path`, unless refused (nothing written)."""
    from contract.workflows.edit import apply_remove, plan_remove

    plan = plan_remove(path, name, from_flags=from_flags)
    if plan.data is None:
        return Removed(Status.REJECTED, plan=plan, path=path, name=name)
    apply_remove(plan, path)
    return Removed(Status.OK, plan=plan, path=path, name=name)


def write_starter(path: str, *, force: bool = False) -> Initialised:
    """Write the starter contract to `path`; REJECTED when it exists and `force` is not given."""
    from contract.workflows.starter import STARTER
    from contract.writing import write_atomic

    if os.path.exists(path) and not force:
        return Initialised(Status.REJECTED, path=path)
    write_atomic(path, STARTER.encode("utf-8"))
    return Initialised(Status.OK, path=path)
