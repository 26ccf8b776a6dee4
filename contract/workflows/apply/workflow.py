"""`plan` and `apply` as one call, over the steps of `contract.workflows.apply.run`:

    ApplyRequest -> plan_or_apply(request, confirm=..., on_event=...) -> ApplyOutcome

validate (IC304 on for apply) -> check (apply, unless skipped) -> connect -> read and plan
(IC501 from the platform's providers) -> confirm (apply, unless `yes`) -> execute.

What the caller shows as it happens comes through `on_event` (diagnostics, the check's
summary, the plan before any question, notices such as retries); `confirm` is asked before
anything is written. The outcome says how it ended; operational failures it cannot turn into
an outcome (an unreadable file, missing admin-API settings, a check step that cannot start)
are raised as the exceptions of `contract.errors`. Nothing here prints or exits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from contract.diagnostics import Severity
from contract.outcome import Outcome, Status
from contract.workflows.apply import run
from contract.workflows.apply.changes import Change, Plan
from contract.workflows.checks.options import CheckSettings

if TYPE_CHECKING:
    from contract.pipeline.validate import Result, TypedContract
    from contract.workflows.checks import CheckReport

DEFAULT_WRITES, MAX_WRITES = 16, 64  # admin-API writes in flight


@dataclass(frozen=True)
class ApplyRequest:
    """One `plan` (apply_changes=False) or `apply` run, as its options say."""

    file: str
    env: Mapping[str, str]  # the environment read: tokens, every ${VAR} of the contract
    apply_changes: bool = True
    yes: bool = False  # apply without asking
    prune: bool = False
    skip_check: bool = False
    check_where: str | None = None  # None: as `check` chooses
    admin_url: str | None = None
    catalog_path: str | None = None
    exit_code: bool = False  # plan --exit-code: pending changes are CHANGES_PENDING
    env_name: str | None = None  # one environment's resolved contract
    # check's options; its timeout, CA bundle and kube settings serve every system
    check: CheckSettings = field(default_factory=CheckSettings)


# -- what happens as it happens (the CLI shows each at once) --------------------------------


@dataclass(frozen=True)
class Notice:
    """Something done on the side: a retry, a fallback of the check step to local."""

    message: str


@dataclass(frozen=True)
class Diagnosed:
    """`result.diagnostics` to show: the validation's, then the platform's (IC501)."""

    result: Result


@dataclass(frozen=True)
class Checked:
    """The check step passed."""

    report: CheckReport


@dataclass(frozen=True)
class PlanReady:
    """The plan, before any question and any write, with the notes of skipped systems."""

    plan: Plan
    notes: tuple[str, ...]


Event = Notice | Diagnosed | Checked | PlanReady
Confirm = Callable[[Plan], bool]
# Where a run stopped short of its end, when it did.
Stop = Literal["contract", "platform", "check", "no-terminal", "declined", "incomplete"]


@dataclass(frozen=True)
class ApplyOutcome(Outcome):
    """How the run ended.

    Status: OK (shown, applied, or nothing to do); CHANGES_PENDING (plan with `exit_code`);
    INVALID (the contract has errors, the platform refuses it, or the confirmation was
    declined); REFUSED (no one to confirm and no `yes`); UNREACHABLE (the check step failed,
    or a system failed during execute: `done` and `remaining`). Nothing is written unless
    `applied`, but for the `done` of an incomplete run.
    """

    file: str = ""
    stopped: Stop | None = None
    result: Result | None = None  # the validation, with the diagnostics that stopped the run
    plan: Plan | None = None
    model_ids: Mapping[str, str] = field(default_factory=dict)
    applied: bool = False
    check_report: CheckReport | None = None  # the failed check step
    error: str | None = None  # why the check step or execute failed
    done: tuple[Change, ...] = ()
    remaining: tuple[Change, ...] = ()


def plan_or_apply(
    request: ApplyRequest,
    *,
    confirm: Confirm | None = None,
    on_event: Callable[[Event], None] = lambda _event: None,
) -> ApplyOutcome:
    """Run `plan` or `apply` to its end; `confirm` (None: nobody can be asked) before any write."""
    from contract.pipeline.validate import read_contract
    from contract.workflows.environments import only_environment

    settings = _settings(request, on_event)
    raw = read_contract(request.file)
    result = only_environment(run.validated(request.file, raw, settings), request.env_name)
    if result.diagnostics:
        on_event(Diagnosed(result))
    if result.errors or result.contract is None:
        return ApplyOutcome(
            Status.INVALID, result.diagnostics, file=request.file, stopped="contract", result=result
        )
    if request.apply_changes and not request.skip_check:
        failed = _check(request, result.contract, settings, on_event)
        if failed is not None:
            return failed
    session = run.connect(request.file, result.contract, raw, settings)
    try:
        return _plan_and_execute(request, session, result, confirm, on_event)
    finally:
        session.close()


def _settings(request: ApplyRequest, on_event: Callable[[Event], None]) -> run.Settings:
    concurrency = request.check.concurrency
    return run.Settings(
        env=request.env,
        admin_url=request.admin_url,
        prune=request.prune,
        timeout=request.check.timeout,
        ca_bundle=request.check.ca_bundle,
        # --concurrency bounds the check's entries and the admin API's writes (at most 64).
        concurrency=min(concurrency, MAX_WRITES) if concurrency else DEFAULT_WRITES,
        catalog_path=request.catalog_path,
        require_env=request.apply_changes,
        on_retry=lambda retried: on_event(Notice(str(retried))),
        context=request.check.context,
        kubeconfig=request.check.kubeconfig,
        namespace=request.check.namespace,
    )


def _check(
    request: ApplyRequest, contract: TypedContract, settings: run.Settings, on_event: Callable[[Event], None]
) -> ApplyOutcome | None:
    """The check step: None when it passed, else the outcome that stops the run (nothing written)."""
    from contract.workflows.checks.options import run_options

    options = run_options(
        contract, request.check_where, request.check, lambda message: on_event(Notice(message))
    )
    try:
        checked = run.run_checks(contract, options, settings.env, run.default_checker)
    except run.CheckFailed as exc:
        shown = dataclasses.replace(exc.report, file=request.file)
        return ApplyOutcome(
            Status.UNREACHABLE, file=request.file, stopped="check", check_report=shown, error=str(exc)
        )
    on_event(Checked(checked))
    return None


def _plan_and_execute(
    request: ApplyRequest,
    session: run.Session,
    result: Result,
    confirm: Confirm | None,
    on_event: Callable[[Event], None],
) -> ApplyOutcome:
    planned = run.read_and_plan(session)
    diagnostics = result.diagnostics + planned.diagnostics
    if planned.diagnostics:
        stopped = dataclasses.replace(result, diagnostics=planned.diagnostics)
        on_event(Diagnosed(stopped))
        if any(d.severity is Severity.ERROR for d in planned.diagnostics):
            return ApplyOutcome(
                Status.INVALID, diagnostics, file=request.file, stopped="platform", result=stopped
            )
    plan = planned.plan
    on_event(PlanReady(plan, tuple(session.notes)))
    shown = ApplyOutcome(
        Status.OK, diagnostics, file=request.file, result=result, plan=plan, model_ids=planned.model_ids
    )
    if not request.apply_changes or plan.empty:
        pending = request.exit_code and not plan.empty
        return dataclasses.replace(shown, status=Status.CHANGES_PENDING if pending else Status.OK)
    if not request.yes:
        if confirm is None:
            return dataclasses.replace(shown, status=Status.REFUSED, stopped="no-terminal")
        if not confirm(plan):
            return dataclasses.replace(shown, status=Status.INVALID, stopped="declined")
    try:
        ids = run.execute(session, planned)
    except run.Incomplete as exc:
        return dataclasses.replace(
            shown,
            status=Status.UNREACHABLE,
            stopped="incomplete",
            error=str(exc),
            done=exc.done,
            remaining=exc.remaining,
        )
    return dataclasses.replace(shown, applied=True, model_ids=ids)
