"""`plan` and `apply`, in order:

    validate (IC304 always on) -> check (unless skipped) -> read the three systems -> plan
    -> [the CLI asks for confirmation] -> execute: models, then flags (they need the models'
    IDs), then LiteLLM

Each step is a function the CLI calls in turn, so it can report and stop between them:
`validated`, `run_checks`, `connect`, `read`, `make_plan`, `execute`. A system that is not
configured in `platform:` is skipped with a note (the admin API is always needed). Nothing
is kept locally: every run reads the systems again, so re-running after any failure converges.

Unleash and LiteLLM are `contract.apply.flags` and `contract.apply.litellm` behind one small
`System` shape; `check` (`contract.checks`) is reached through the `default_checker` seam.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from contract.apply import admin
from contract.apply.changes import Change, Plan
from contract.apply.desired import DesiredModel, desired_models
from contract.checks import CheckReport, RunOptions, plan_contract
from contract.checks import run as run_check
from contract.diagnostics import Diagnostic, json_pointer
from contract.errors import ExternalError, UsageError
from contract.secrets import refuse_header_value

if TYPE_CHECKING:
    from contract.apply.flags import ObservedFlags
    from contract.apply.litellm import ObservedLitellm
    from contract.clients.admin_api import AdminApiClient
    from contract.clients.http import OnRetry
    from contract.clients.kube import KubeTarget
    from contract.model import Unleash as UnleashSettings
    from contract.validate import Result, TypedContract


@dataclass(frozen=True)
class Settings:
    """What a run needs beyond the contract: options and the environment it reads."""

    env: Mapping[str, str]
    admin_url: str | None = None  # --admin-url, over platform.adminApi.url
    prune: bool = False
    timeout: float = 10.0
    ca_bundle: str | None = None
    concurrency: int = admin.DEFAULT_CONCURRENCY
    catalog_path: str | None = None
    # Hears of every retry of every system (the CLI prints one line for each).
    on_retry: OnRetry | None = None
    # --context/--kubeconfig/--namespace, over platform.kubernetes (LiteLLM's Secret and ConfigMap)
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None


class Incomplete(ExternalError):
    """A system failed during execute: what was done, what remains, and why."""

    def __init__(self, cause: BaseException, done: Sequence[Change], remaining: Sequence[Change]) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.done = tuple(done)
        self.remaining = tuple(remaining)


# --------------------------------------------------------------------------- validate


def validated(path: str, raw: bytes, settings: Settings) -> Result:
    """The contract validated as `apply` needs it: every rule, and an unset ${VAR} is an error."""
    from contract.rules import Options
    from contract.validate import validate_bytes

    options = Options(check_env=True, env=settings.env, catalog_path=settings.catalog_path)
    return validate_bytes(raw, file=path, options=options)


# --------------------------------------------------------------------------- check (seam)


# What a checker answers: `check`'s own report of the contract's endpoints.
Checker = Callable[["TypedContract", RunOptions, Mapping[str, str]], CheckReport]

WAYS_ON = "run the check from here with --check-where local, or skip it with --skip-check"


class CheckFailed(ExternalError):
    """The check step ran and an endpoint failed: `report` is `check`'s own report."""

    def __init__(self, report: CheckReport) -> None:
        failed = sum(not r.ok for r in report.results)
        super().__init__(
            f"check step: {failed} of {len(report.results)} endpoint(s) failed; nothing was written: "
            f"fix them, {WAYS_ON}"
        )
        self.report = report


def default_checker(contract: TypedContract, options: RunOptions, env: Mapping[str, str]) -> CheckReport:
    """`install-contract check` on every endpoint of the contract, with `options`."""
    results = run_check(contract, plan_contract(contract, env), options)
    return CheckReport(file="", where=options.where, results=tuple(results))


def run_checks(
    contract: TypedContract, options: RunOptions, env: Mapping[str, str], checker: Checker
) -> CheckReport:
    """Run the check step. A failed endpoint is `CheckFailed` (exit 3, nothing written); an
    error of the step itself (no kubeconfig, a namespace that does not exist) keeps its kind
    (and exit code) and says it was the check step, and the ways on."""
    from contract.errors import InputError, InstallContractError

    try:
        report = checker(contract, options, env)
    except CheckFailed:
        raise
    except InstallContractError as exc:
        kind: type[InstallContractError] = ExternalError
        if isinstance(exc, (InputError, UsageError)):
            kind = type(exc) if type(exc) in (InputError, UsageError) else UsageError
        raise kind(f"check step ({options.where}): {exc}; {WAYS_ON}") from None
    if not report.ok:
        raise CheckFailed(report)
    return report


# --------------------------------------------------------------------------- systems


class System(Protocol):
    """Unleash or LiteLLM as `run` sees them (the admin API is handled directly)."""

    name: str

    def observe(self) -> None: ...
    def diff(self, model_ids: Mapping[str, str]) -> tuple[list[Change], list[str]]: ...
    def apply(self, model_ids: Mapping[str, str]) -> None: ...
    def close(self) -> None: ...


@dataclass
class Session:
    """The open clients of one run, and a note for each system that is skipped."""

    file: str
    contract: TypedContract
    source: bytes
    settings: Settings
    admin: AdminApiClient
    systems: list[System] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.admin.close()
        for system in self.systems:
            system.close()


def connect(
    file: str, contract: TypedContract, source: bytes, settings: Settings, *, admin_transport: Any = None
) -> Session:
    """Open a client for every configured system. Missing settings for the admin API, or a
    token variable that is unset, are usage errors (exit 2); nothing is sent yet."""
    from contract.clients.admin_api import AdminApiClient
    from contract.clients.kube import KubeTarget

    platform = contract.platform
    admin_settings = platform.admin_api if platform else None
    url = settings.admin_url or (admin_settings.url if admin_settings else None)
    if not url:
        raise UsageError("no admin API: set platform.adminApi.url in the contract or pass --admin-url")
    token_env = admin_settings.token_env if admin_settings else "ADMIN_API_TOKEN"
    token = settings.env.get(token_env)
    if not token:
        raise UsageError(f"the admin API token variable {token_env} is not set")
    refuse_header_value(token, f"${token_env} (the admin API token)")
    client = AdminApiClient.connect(
        url,
        token,
        timeout=settings.timeout,
        ca_bundle=settings.ca_bundle,
        transport=admin_transport,
        token_name=f"${token_env}",
        on_retry=settings.on_retry,
    )
    session = Session(file, contract, source, settings, client)
    try:
        if platform and platform.unleash and platform.unleash.url:
            session.systems.append(_FlagsSystem(contract, platform.unleash, settings))
        else:
            session.notes.append("unleash: skipped (no platform.unleash.url in the contract)")
        kubernetes = platform.kubernetes if platform else None
        namespace = settings.namespace or (kubernetes.namespace if kubernetes else None)
        if namespace:
            context = settings.context or (kubernetes.context if kubernetes else None)
            target = KubeTarget(context, namespace, settings.kubeconfig)
            session.systems.append(_LitellmSystem(contract, target, source, file, settings))
        else:
            session.notes.append(
                "kubernetes: skipped (no platform.kubernetes.namespace in the contract, no --namespace)"
            )
    except BaseException:
        session.close()
        raise
    return session


@dataclass(frozen=True)
class Planned:
    """A plan, or the diagnostics (IC5xx) that stop it; the models' ids as known now."""

    plan: Plan
    diagnostics: tuple[Diagnostic, ...]
    model_ids: Mapping[str, str]
    desired: tuple[DesiredModel, ...]
    observed: admin.ObservedAdmin


def read_and_plan(session: Session, text: str | None) -> Planned:
    """Read the three systems, then diff. IC5xx problems stop here, before any write."""
    desired = desired_models(session.contract, session.settings.env)
    observed = admin.observe(session.admin)
    findings = admin.provider_problems(desired, observed)
    if findings:
        return Planned(Plan(), _diagnostics(findings, text), {}, desired, observed)
    ids = admin.model_ids(desired, observed)
    changes = admin.diff(desired, observed, prune=session.settings.prune)
    warnings: list[str] = []
    for system in session.systems:
        system.observe()
    for system in session.systems:
        more, said = system.diff(ids)
        changes.extend(more)
        warnings.extend(said)
    return Planned(Plan(tuple(changes), tuple(warnings)), (), ids, desired, observed)


def execute(session: Session, planned: Planned) -> dict[str, str]:
    """Apply the plan in order: models, then flags, then LiteLLM. Returns every model's id.

    On a failure raises `Incomplete` with what was done and what remains; a re-run reads
    everything again and converges.
    """
    progress = admin.Progress()
    pending = planned.plan.pending
    try:
        ids = admin.execute(
            session.admin,
            planned.desired,
            planned.observed,
            pending,
            progress=progress,
            concurrency=session.settings.concurrency,
        )
    except ExternalError as exc:
        done = set(progress.done)
        raise Incomplete(exc, progress.done, [c for c in pending if c not in done]) from None
    done_changes = list(progress.done)
    for system in session.systems:
        own = [c for c in pending if c.system == system.name]
        try:
            if own:
                system.apply(ids)
        except ExternalError as exc:
            finished = set(done_changes)
            raise Incomplete(exc, done_changes, [c for c in pending if c not in finished]) from None
        done_changes.extend(own)
    return ids


def _diagnostics(findings: Sequence[Any], text: str | None) -> tuple[Diagnostic, ...]:
    from contract._yaml import load
    from contract.rules import RULES

    rule = RULES["IC501"]
    source_map = load(text).source_map if text is not None else None
    out = []
    for finding in findings:
        mark = source_map.value(finding.path) if source_map is not None else None
        out.append(
            Diagnostic(
                rule.code,
                rule.name,
                rule.severity,
                finding.message,
                json_pointer(finding.path),
                mark.line if mark else 1,
                mark.column if mark else 1,
                finding.hint,
            )
        )
    return tuple(sorted(out, key=Diagnostic.sort_key))


# --------------------------------------------------------------------------- Unleash and LiteLLM


class _FlagsSystem:
    """Unleash through `contract.apply.flags`: flags pointed at the models' ids."""

    name = "unleash"

    def __init__(self, contract: TypedContract, unleash: UnleashSettings, settings: Settings) -> None:
        from contract.apply import flags
        from contract.clients.unleash import UnleashClient

        self._flags = flags
        self._settings = unleash
        self._client = UnleashClient.from_settings(
            unleash,
            settings.env,
            timeout=settings.timeout,
            ca_bundle=settings.ca_bundle,
            on_retry=settings.on_retry,
        )
        self._desired = flags.desired_flags(contract, catalog_path=settings.catalog_path)
        self._observed: ObservedFlags | None = None

    def observe(self) -> None:
        self._observed = self._flags.observe_flags(self._client, self._desired, self._settings)

    def diff(self, model_ids: Mapping[str, str]) -> tuple[list[Change], list[str]]:
        assert self._observed is not None, "observe first"
        return self._flags.diff_flags(self._desired, self._observed, model_ids, self._settings), []

    def apply(self, model_ids: Mapping[str, str]) -> None:
        assert self._observed is not None, "observe first"
        self._flags.apply_flags(self._client, self._desired, self._observed, model_ids, self._settings)

    def close(self) -> None:
        self._client.close()


class _LitellmSystem:
    """LiteLLM on Kubernetes through `contract.apply.litellm`: Secret, ConfigMap, rollout."""

    name = "kubernetes"

    def __init__(
        self,
        contract: TypedContract,
        target: KubeTarget,
        source: bytes,
        file: str,
        settings: Settings,
    ) -> None:
        from contract.apply import litellm
        from contract.clients.kube import Kube
        from contract.render import render

        self._litellm = litellm
        self._namespace = target.namespace
        self._settings = litellm.settings_of(contract.platform)
        rendering = render(
            contract,
            source_name=os.path.basename(file),
            source_bytes=source,
            targets=("litellm",),
            catalog_path=settings.catalog_path,
        )
        config = rendering.files["litellm/config.yaml"].decode("utf-8")
        self._desired = litellm.desired_litellm(contract, config, settings.env, self._settings)
        self._kube = Kube(target, timeout=settings.timeout, on_retry=settings.on_retry)
        self._observed: ObservedLitellm | None = None

    def observe(self) -> None:
        self._observed = self._litellm.observe_litellm(self._kube, self._namespace, self._settings)

    def diff(self, model_ids: Mapping[str, str]) -> tuple[list[Change], list[str]]:
        assert self._observed is not None, "observe first"
        return self._litellm.diff_litellm(self._desired, self._observed)

    def apply(self, model_ids: Mapping[str, str]) -> None:
        assert self._observed is not None, "observe first"
        self._litellm.apply_litellm(self._kube, self._desired, self._observed)

    def close(self) -> None:
        self._kube.close()
