"""`check`'s options as one value, and the run they make: shared by `check` and `apply`'s check step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract.pipeline.validate import TypedContract
    from contract.workflows.checks import OnNotice, RunOptions


@dataclass(frozen=True)
class CheckSettings:
    """What `check --timeout … --image-pull-secret …` says; `where` is chosen apart (`run_options`)."""

    timeout: float = 10.0
    concurrency: int | None = None
    ca_bundle: str | None = None
    context: str | None = None
    namespace: str | None = None
    kubeconfig: str | None = None
    image_registry: str | None = None
    dns_image: str | None = None
    curl_image: str | None = None
    pull_secrets: tuple[str, ...] = ()


def run_options(
    contract: TypedContract, where: str | None, settings: CheckSettings, on_notice: OnNotice | None
) -> RunOptions:
    """The run `settings` make, with `where` chosen as `check` chooses it: a note to `on_notice`
    when it falls back to local."""
    from contract.workflows.checks import RunOptions, choose_where

    kube_settings = contract.platform.kubernetes if contract.platform else None
    context = settings.context or (kube_settings.context if kube_settings else None)
    chosen, note = choose_where(contract, where, context, settings.kubeconfig)
    if note and on_notice is not None:
        on_notice(note)
    return RunOptions(
        where=chosen,
        timeout=settings.timeout,
        concurrency=settings.concurrency,
        ca_bundle=settings.ca_bundle,
        context=context,
        namespace=settings.namespace,
        kubeconfig=settings.kubeconfig,
        image_registry=settings.image_registry,
        dns_image=settings.dns_image,
        curl_image=settings.curl_image,
        pull_secrets=settings.pull_secrets,
        on_notice=on_notice,
    )
