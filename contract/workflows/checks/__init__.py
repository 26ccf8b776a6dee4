"""`check`: the seed's verification steps for every endpoint, from here or from the cluster.

    steps.py    what each step requests and how an answer is judged (shared by both runners)
    local.py    the runner from where the tool runs (thread pool, one httpx client per endpoint)
    pods.py     the runner inside the cluster (one restricted pod per entry, via clients.kube)
    options.py  the options of a run as one value (shared by `check` and `apply`'s check step)
    command.py  the `check` command as one call returning an outcome (reported by
                contract/reporting/checks.py: the text table and the JSON report)

The library never prints: runners call back with each finished entry, the CLI shows progress.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from contract.errors import UsageError
from contract.pipeline.validate import TypedContract
from contract.workflows.checks.steps import EntryResult, StepResult, Target, plan

OnNotice = Callable[[str], None]

__all__ = [
    "CheckReport",
    "EntryResult",
    "RunOptions",
    "StepResult",
    "Target",
    "choose_where",
    "plan_contract",
    "run",
    "summarize",
]


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
    from contract.knowledge.entries import is_self_hosted

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


# Entries checked at once: threads waiting on sockets here, short-lived pods in the cluster.
LOCAL_CONCURRENCY = 64
CLUSTER_CONCURRENCY = 16


@dataclass(frozen=True)
class RunOptions:
    """How one run goes: where it runs and, for the cluster, which pods it starts."""

    where: str  # "local" | "cluster"
    timeout: float = 10.0
    concurrency: int | None = None  # None: LOCAL_CONCURRENCY or CLUSTER_CONCURRENCY
    ca_bundle: str | None = None
    context: str | None = None  # else platform.kubernetes.context, else the current context
    namespace: str | None = None  # else platform.kubernetes.namespace, the context's, "default"
    kubeconfig: str | None = None
    image_registry: str | None = None
    dns_image: str | None = None
    curl_image: str | None = None
    pull_secrets: tuple[str, ...] = ()
    # Hears what the run did on the side ("deleted 2 expired leftovers", "Kubernetes API:
    # HTTP 503; retry 2 of 3 in 0.4 s"); the CLI writes each on stderr.
    on_notice: OnNotice | None = None


def choose_where(
    contract: TypedContract, where: str | None, context: str | None, kubeconfig: str | None
) -> tuple[str, str | None]:
    """Where a run checks from when `where` is None: the cluster when a kube context is
    configured (`context`, platform.kubernetes.context, the kubeconfig's current one), else here,
    with a note saying what is not being tested. `check` and `apply`'s check step both ask here."""
    if where is not None:
        return where, None
    from contract.clients.kube import configured_context

    settings = contract.platform.kubernetes if contract.platform else None
    context = context or (settings.context if settings else None)
    if configured_context(context, kubeconfig):
        return "cluster", None
    return "local", (
        "no kube context configured: checking from here; split DNS and in-cluster firewalls "
        "are not being tested (use --where cluster)"
    )


def run(
    contract: TypedContract,
    targets: Sequence[Target],
    options: RunOptions,
    on_result: Callable[[EntryResult], None] | None = None,
) -> list[EntryResult]:
    """Every target checked from where `options` says; results in the targets' order."""
    local = options.where == "local"
    concurrency = options.concurrency or (LOCAL_CONCURRENCY if local else CLUSTER_CONCURRENCY)
    if local:
        from contract.workflows.checks.local import run_local

        return run_local(
            targets,
            timeout=options.timeout,
            concurrency=concurrency,
            ca_bundle=options.ca_bundle,
            on_result=on_result,
        )
    from contract.clients.http import RetryPolicy
    from contract.clients.kube import Kube, KubeTarget, context_namespace
    from contract.knowledge.images import CURL_IMAGE, DNS_IMAGE
    from contract.workflows.checks.pods import PodOptions, new_run_id, run_pods

    settings = contract.platform.kubernetes if contract.platform else None
    context = options.context or (settings.context if settings else None)
    namespace = (
        options.namespace
        or (settings.namespace if settings else None)
        or context_namespace(context, options.kubeconfig)
        or "default"
    )
    pods = PodOptions(
        namespace=namespace,
        run_id=new_run_id(),
        dns_image=options.dns_image or DNS_IMAGE,
        curl_image=options.curl_image or CURL_IMAGE,
        registry=options.image_registry,
        pull_secrets=options.pull_secrets,
        ca_bundle=options.ca_bundle,
    )
    retry = RetryPolicy(attempts=3, timeout=max(30.0, options.timeout * 3))
    target = KubeTarget(context, namespace, options.kubeconfig)
    notice = options.on_notice
    on_retry = (lambda retried: notice(str(retried))) if notice is not None else None
    with Kube(target, timeout=options.timeout, retry=retry, on_retry=on_retry) as kube:
        return run_pods(
            targets,
            kube,
            pods,
            timeout=options.timeout,
            concurrency=concurrency,
            on_result=on_result,
            on_notice=notice,
        )


def summarize(results: Sequence[EntryResult]) -> str:
    """One line: `5 endpoint(s) passed`, or each failed entry with its first failed step."""
    failed = [r for r in results if not r.ok]
    if not failed:
        return f"{len(results)} endpoint(s) passed"
    parts = []
    for result in failed:
        step = next(s for s in result.steps if s.status == "fail")
        parts.append(f"{result.model} ({step.name}: {step.detail})")
    return f"{len(failed)} of {len(results)} endpoint(s) failed: " + "; ".join(parts)
