"""`install-contract check`: the seed's verification steps for every endpoint, in parallel."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli._complete import complete_model_names
from cli._exit import handled
from cli._help import INTERRUPTED_MEANING, USAGE_MEANING, exit_codes
from cli._report import emit, finish, wants_colour
from contract.workflows.checks.steps import EntryResult

if TYPE_CHECKING:
    from contract.pipeline.validate import TypedContract
    from contract.workflows.checks import RunOptions

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _all(decorators: list[Decorator]) -> Decorator:
    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


# The options of `check` that `plan` and `apply` share: one definition, so that a command
# cannot take an option in a meaning of its own (`apply` runs `check` with the same values).
TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=10.0,
    show_default=True,
    help="Seconds for each request and lookup (and each answer of the admin API, Unleash, Kubernetes).",
)
CA_BUNDLE = click.option(
    "--ca-bundle",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="PEM file of a private CA to trust (default: $SSL_CERT_FILE, else the system's).",
)
kube_options = _all(
    [
        click.option(
            "--context",
            default=None,
            help="kubeconfig context (default: platform.kubernetes.context, else current).",
        ),
        click.option(
            "--namespace",
            default=None,
            help="Namespace of the check pods and of LiteLLM "
            "(default: platform.kubernetes.namespace, the context's, else default).",
        ),
        click.option(
            "--kubeconfig",
            default=None,
            type=click.Path(dir_okay=False),
            help="kubeconfig file (default: $KUBECONFIG).",
        ),
    ]
)
check_options = _all(
    [
        TIMEOUT,
        click.option(
            "--concurrency",
            type=click.IntRange(min=1, max=512),
            default=None,
            help="Entries checked at once. Default: 64 from here (threads), 16 in the cluster (pods). "
            "apply also bounds its admin-API writes in flight by it (default 16, at most 64).",
        ),
        CA_BUNDLE,
        kube_options,
        click.option(
            "--image-registry",
            default=None,
            metavar="PREFIX",
            help="Mirror prefix for the check images (air-gapped sites).",
        ),
        click.option(
            "--dns-image", default=None, metavar="IMAGE", help="Image with nslookup [busybox:1.36]."
        ),
        click.option(
            "--curl-image", default=None, metavar="IMAGE", help="Image with curl [curlimages/curl:8.10.1]."
        ),
        click.option(
            "--image-pull-secret",
            "pull_secrets",
            multiple=True,
            metavar="NAME",
            help="Pull secret (repeatable).",
        ),
    ]
)


def notice(message: object) -> None:
    """A line on stderr for what a run did on the side (a retry, leftovers deleted)."""
    click.echo(f"install-contract: {message}", err=True)


def run_options(
    contract: TypedContract,
    where: str | None,
    *,
    timeout: float,
    concurrency: int | None,
    ca_bundle: str | None,
    context: str | None,
    namespace: str | None,
    kubeconfig: str | None,
    image_registry: str | None,
    dns_image: str | None,
    curl_image: str | None,
    pull_secrets: tuple[str, ...],
) -> RunOptions:
    """The check's options from `check_options`, with `where` chosen as `check` chooses it
    (a note on stderr when it falls back to local): used by `check` and by `apply`."""
    from contract.workflows.checks import RunOptions, choose_where

    kube_settings = contract.platform.kubernetes if contract.platform else None
    context = context or (kube_settings.context if kube_settings else None)
    chosen, note = choose_where(contract, where, context, kubeconfig)
    if note:
        notice(note)
    return RunOptions(
        where=chosen,
        timeout=timeout,
        concurrency=concurrency,
        ca_bundle=ca_bundle,
        context=context,
        namespace=namespace,
        kubeconfig=kubeconfig,
        image_registry=image_registry,
        dns_image=dns_image,
        curl_image=curl_image,
        pull_secrets=pull_secrets,
        on_notice=notice,
    )


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[EntryResult], None] | None]:
    """A live line on stderr when it is a terminal ("checked 12/200, 1 failed"); none when piped."""
    if not enabled:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    counts = {"done": 0, "failed": 0}

    def line() -> str:
        failed = f", [red]{counts['failed']} failed[/red]" if counts["failed"] else ""
        return f"checking: {counts['done']}/{total} done{failed}"

    with console.status(line()) as status:

        def update(result: EntryResult) -> None:
            counts["done"] += 1
            counts["failed"] += not result.ok
            status.update(line())

        yield update


@click.command(
    epilog=exit_codes(
        {
            0: "every step passed",
            1: "the contract has errors: nothing was checked",
            2: USAGE_MEANING,
            3: "a step failed",
            130: INTERRUPTED_MEANING,
        }
    )
)
@click.argument("file", default="install-contract.yaml")
@click.option(
    "--where",
    type=click.Choice(["cluster", "local"]),
    default=None,
    help="cluster: from pods in the namespace; local: from here. "
    "Default: cluster when a kube context is configured, else local.",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_model_names,
    help="Only this entry (repeatable).",
)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@check_options
@click.option(
    "--color/--no-color", "colour", default=None, help="Colour the text report (default: on a terminal)."
)
@click.option(
    "--env",
    "env_name",
    metavar="NAME",
    help="Check environment NAME's resolved contract (environments: in the contract).",
)
@handled
def check(
    file: str,
    where: str | None,
    models: tuple[str, ...],
    fmt: str,
    colour: bool | None,
    env_name: str | None,
    **options: Any,
) -> None:
    """Check every endpoint of FILE: DNS, GET /v1/models, a tool call, embeddings.

    The contract is validated first (errors: exit 1, nothing runs). Exit 0 when every step
    passed, 3 when any failed, 2 for usage errors, 130 when interrupted (129 on SIGHUP,
    143 on SIGTERM: the cluster's pods and Secret are deleted first).
    """
    from contract.reporting.rendering import diagnostics_before
    from contract.workflows.checks.command import CheckRequest, check_contract

    request = CheckRequest(
        file=file,
        env=dict(os.environ),
        env_name=env_name,
        models=models,
        stdin=lambda: sys.stdin.buffer.read(),
    )
    # On stderr, so that `-f json | jq` stays clean; a transient line, gone when the run ends.
    live = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    outcome = check_contract(
        request,
        lambda contract: run_options(contract, where, **options),
        on_validated=lambda result: emit(diagnostics_before(result, quiet=False)),
        progress=lambda total: _progress(total, live),
    )
    finish(outcome, fmt, wants_colour(colour))


def render_report(report: Any, fmt: str, colour: bool | None = None) -> str:
    """`check`'s report as text (the table) or JSON."""
    from contract.reporting.checks import render_json, render_text

    if fmt == "json":
        return render_json(report)
    return render_text(report, wants_colour(colour))
