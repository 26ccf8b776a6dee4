"""The steps of `plan` and `apply`, in order:

    validate (IC304 on for apply) -> check (unless skipped) -> read the three systems and plan
    (IC501 from the platform's providers) -> [confirmation] -> execute: providers and models,
    then flags (they need the models' IDs), then LiteLLM, then (--prune) the deletes, once no
    flag points at them

`plan` needs no data-plane key: it reads the three systems with their own tokens, and a key
the LiteLLM Secret would hold that is unset is a plan warning; `apply` refuses it (IC304)
before any write.

Each step is one function: `validated`, `run_checks`, `connect`, `read_and_plan`, `execute`.
`contract.workflows.apply.workflow.plan_or_apply` runs them in turn and stops between them
(the CLI calls it). A system that is not configured in `platform:` is skipped with a note
(the admin API is always needed). Nothing is kept locally: every run reads the systems
again, so re-running after any failure converges.

Unleash and LiteLLM are `contract.workflows.apply.flags` and `contract.workflows.apply.litellm`
behind one small `System` shape; `check` (`contract.workflows.checks`) is reached through the
`default_checker` seam.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from contract.diagnostics import Diagnostic
from contract.errors import ExternalError, UsageError
from contract.knowledge.secrets import refuse_header_value
from contract.workflows.apply import admin
from contract.workflows.apply.changes import Change, Plan
from contract.workflows.apply.desired import DesiredModel, desired_models
from contract.workflows.checks import CheckReport, RunOptions, plan_contract
from contract.workflows.checks import run as run_check

if TYPE_CHECKING:
    from contract.clients.admin_api import AdminApiClient
    from contract.clients.http import OnRetry
    from contract.clients.kube import KubeTarget
    from contract.pipeline.model import Unleash as UnleashSettings
    from contract.pipeline.validate import Result, TypedContract
    from contract.workflows.apply.flags import ObservedFlags
    from contract.workflows.apply.litellm import ObservedLitellm


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
    # False for `plan`: an unset ${VAR} is a plan warning, not IC304 (apply keeps IC304).
    require_env: bool = True
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
    """The contract validated as `apply` needs it: every rule, and an unset ${VAR} is an error
    (with `settings.require_env`; `plan` reports unset keys as warnings instead)."""
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import validate_bytes

    options = Options(check_env=settings.require_env, env=settings.env, catalog_path=settings.catalog_path)
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
    warnings: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.admin.close()
        for system in self.systems:
            system.close()


def connect(
    file: str,
    contract: TypedContract,
    source: bytes,
    settings: Settings,
    *,
    admin_transport: Any = None,
    unleash_transport: Any = None,
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
    session.warnings.extend(in_clear("admin API", url))
    try:
        if platform and platform.unleash and platform.unleash.url:
            session.warnings.extend(in_clear("Unleash", platform.unleash.url))
            session.systems.append(_FlagsSystem(contract, platform.unleash, settings, unleash_transport))
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


def in_clear(what: str, url: str) -> list[str]:
    """A warning when `url` would carry a token in clear over a network: plain http:// to a host
    that is neither loopback nor a cluster service name (one label, or …svc[.cluster.local])."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme.lower() != "http" or not host:
        return []
    try:
        if ipaddress.ip_address(host).is_loopback:
            return []
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return []
        if "." not in host or host.endswith((".svc", ".svc.cluster.local")):
            return []
    return [f"{what} at {url}: plain http:// to {host}, so its token travels in clear; use https://"]


@dataclass(frozen=True)
class Planned:
    """A plan, or the diagnostics (IC5xx) that stop it; the models' ids as known now."""

    plan: Plan
    diagnostics: tuple[Diagnostic, ...]
    model_ids: Mapping[str, str]
    desired: tuple[DesiredModel, ...]
    observed: admin.ObservedAdmin


def read_and_plan(session: Session) -> Planned:
    """Read the three systems, then diff. An IC5xx error stops here, before any write (its
    warnings travel with the plan), at its place in the file: the validated contract knows
    where each of its values was written.

    The plan lists changes in the order `execute` makes them: providers and models, flags,
    LiteLLM, and last the deletes of `--prune` (no flag may point at a deleted row)."""
    from contract.pipeline.validate import diagnose

    desired = desired_models(session.contract, session.settings.env)
    observed = admin.observe(session.admin)
    diagnostics = diagnose(session.contract, "IC501", admin.provider_problems(desired, observed))
    if any(d.severity == "error" for d in diagnostics):
        return Planned(Plan(), diagnostics, {}, desired, observed)
    ids = admin.model_ids(desired, observed)
    changes = admin.diff(desired, observed, prune=session.settings.prune)
    deletes = [c for c in changes if c.action == "delete"]
    changes = [c for c in changes if c.action != "delete"]
    warnings: list[str] = list(session.warnings)
    for system in session.systems:
        system.observe()
    for system in session.systems:
        more, said = system.diff(ids)
        changes.extend(more)
        warnings.extend(said)
    orphans = () if session.settings.prune else tuple(admin.orphans(desired, observed))
    plan = Plan(tuple(changes + deletes), tuple(warnings), tuple(f"admin-api model {n}" for n in orphans))
    return Planned(plan, diagnostics, ids, desired, observed)


def execute(session: Session, planned: Planned) -> dict[str, str]:
    """Apply the plan in Terraform's order: providers and models, then flags, then LiteLLM,
    then the deletes of `--prune`, once no flag points at those rows any more. Returns every
    model's id.

    On a failure raises `Incomplete` with what was done and what remains; a re-run reads
    everything again and converges.
    """
    progress = admin.Progress()
    pending = planned.plan.pending
    settings = session.settings

    def incomplete(exc: ExternalError, done: Sequence[Change]) -> Incomplete:
        finished = set(done)
        return Incomplete(exc, done, [c for c in pending if c not in finished])

    try:
        ids = admin.execute(
            session.admin,
            planned.desired,
            planned.observed,
            pending,
            progress=progress,
            concurrency=settings.concurrency,
        )
    except ExternalError as exc:
        raise incomplete(exc, progress.done) from None
    done_changes = list(progress.done)
    for system in session.systems:
        own = [c for c in pending if c.system == system.name]
        try:
            if own:
                system.apply(ids)
        except ExternalError as exc:
            raise incomplete(exc, done_changes) from None
        done_changes.extend(own)
    deletes = admin.Progress()
    try:
        admin.execute_deletes(
            session.admin,
            [m.name for m in planned.desired],
            planned.observed,
            pending,
            progress=deletes,
            concurrency=settings.concurrency,
        )
    except ExternalError as exc:
        raise incomplete(exc, done_changes + deletes.done) from None
    return ids


# --------------------------------------------------------------------------- Unleash and LiteLLM


class _FlagsSystem:
    """Unleash through `contract.workflows.apply.flags`: flags pointed at the models' ids."""

    name = "unleash"

    def __init__(
        self, contract: TypedContract, unleash: UnleashSettings, settings: Settings, transport: Any = None
    ) -> None:
        from contract.clients.unleash import UnleashClient
        from contract.workflows.apply import flags

        self._flags = flags
        self._settings = unleash
        self._client = UnleashClient.from_settings(
            unleash,
            settings.env,
            timeout=settings.timeout,
            ca_bundle=settings.ca_bundle,
            transport=transport,
            on_retry=settings.on_retry,
        )
        self._desired = flags.desired_flags(contract, catalog_path=settings.catalog_path)
        self._observed: ObservedFlags | None = None

    def observe(self) -> None:
        self._observed = self._flags.observe_flags(self._client, self._desired, self._settings)

    def diff(self, model_ids: Mapping[str, str]) -> tuple[list[Change], list[str]]:
        assert self._observed is not None  # observe() comes first
        return self._flags.diff_flags(self._desired, self._observed, model_ids, self._settings), []

    def apply(self, model_ids: Mapping[str, str]) -> None:
        assert self._observed is not None  # observe() comes first
        self._flags.apply_flags(self._client, self._desired, self._observed, model_ids, self._settings)

    def close(self) -> None:
        self._client.close()


class _LitellmSystem:
    """LiteLLM on Kubernetes through `contract.workflows.apply.litellm`: Secret, ConfigMap, rollout."""

    name = "kubernetes"

    def __init__(
        self,
        contract: TypedContract,
        target: KubeTarget,
        source: bytes,
        file: str,
        settings: Settings,
    ) -> None:
        from contract.clients.kube import Kube
        from contract.pipeline.render import render
        from contract.workflows.apply import litellm

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
        self._desired = litellm.desired_litellm(
            contract, config, settings.env, self._settings, allow_unset=not settings.require_env
        )
        self._kube = Kube(target, timeout=settings.timeout, on_retry=settings.on_retry)
        self._observed: ObservedLitellm | None = None

    def observe(self) -> None:
        self._observed = self._litellm.observe_litellm(self._kube, self._namespace, self._settings)

    def diff(self, model_ids: Mapping[str, str]) -> tuple[list[Change], list[str]]:
        assert self._observed is not None  # observe() comes first
        return self._litellm.diff_litellm(self._desired, self._observed)

    def apply(self, model_ids: Mapping[str, str]) -> None:
        assert self._observed is not None  # observe() comes first
        self._litellm.apply_litellm(self._kube, self._desired, self._observed)

    def close(self) -> None:
        self._kube.close()
