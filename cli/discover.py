"""`install-contract discover`: models already running, as candidate contract entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cli._exit import handled
from cli._help import USAGE_MEANING, exit_codes
from cli._options import file_option, format_option
from cli._report import finish
from cli._terminal import interactive as _interactive  # tests replace cli.discover._interactive
from contract.errors import UsageError

if TYPE_CHECKING:
    from contract.workflows.discover import Candidate
    from contract.workflows.discover.run import DiscoverRequest, Event


@click.command(
    epilog=exit_codes(
        {
            0: "done (finding nothing is an answer)",
            1: "--add refused: the result would not validate, nothing was written",
            2: f"{USAGE_MEANING}; an unknown --select name",
            3: "a source named on the command line is down",
        }
    )
)
@click.option(
    "--ollama", "ollama_urls", multiple=True, metavar="URL", help="An Ollama server (its base URL)."
)
@click.option("--ramalama", "ramalama_urls", multiple=True, metavar="URL", help="A RamaLama server.")
@click.option(
    "--openai-compatible",
    "openai_urls",
    multiple=True,
    metavar="URL",
    help="A vLLM or other OpenAI-compatible server (with or without /v1); repeatable.",
)
@click.option(
    "--kserve", is_flag=True, help="InferenceServices and LLMInferenceServices of the current context."
)
@click.option("--namespace", metavar="NS", help="KServe: this namespace (default: the context's).")
@click.option("--all-namespaces", is_flag=True, help="KServe: every namespace.")
@click.option("--context", "kube_context", metavar="NAME", help="KServe: the kubeconfig context.")
@click.option(
    "--context-window", type=click.IntRange(min=1), help="contextWindow when the source does not say."
)
@format_option("table", "json")
@file_option("--add", "add_path", help="Append the chosen candidates to FILE.")
@click.option(
    "--select",
    "selected",
    multiple=True,
    metavar="NAME",
    help="With --add: only these (discovered name or litellmModelName).",
)
@click.option("--yes", is_flag=True, help="With --add: take every valid candidate without asking.")
@handled
def discover(fmt: str, **options: Any) -> None:
    """Find models already running and show them as contract entries.

    With no source option, probes the local defaults (Ollama 127.0.0.1:11434, RamaLama
    127.0.0.1:8080) and says which run. Every candidate is validated as an entry; one with
    errors is shown with its diagnostics and never written. --add FILE appends the chosen
    ones (asks per candidate on a terminal; else --select or --yes). Exit 3 when a source
    named on the command line is down; 2 for usage errors.
    """
    from contract.workflows.discover.run import DiscoverRequest
    from contract.workflows.discover.run import discover as run

    request = DiscoverRequest(**options)
    _refuse_what_does_not_go_together(request)
    outcome = run(request, confirm=_ask if _interactive() else None, on_event=lambda e: _show(e, fmt))
    finish(outcome, fmt)


def _refuse_what_does_not_go_together(request: DiscoverRequest) -> None:
    if request.namespace and request.all_namespaces:
        raise click.UsageError("--namespace and --all-namespaces exclude each other")
    if (request.namespace or request.all_namespaces or request.kube_context) and not request.kserve:
        raise click.UsageError("--namespace, --all-namespaces and --context go with --kserve")
    if (request.selected or request.yes) and not request.add_path:
        raise click.UsageError("--select and --yes go with --add FILE")
    if request.add_path and not request.yes and not request.selected and not _interactive():
        raise UsageError("--add without a terminal needs --select NAME (repeatable) or --yes")


def _ask(c: Candidate) -> bool:
    return click.confirm(f"add {c.name} ({c.discovered})?", default=False, err=True)


def _show(event: Event, fmt: str) -> None:
    """Each step of the workflow as it happens (with -f json, stdout holds the JSON document only)."""
    from contract.reporting.discover import render_json, render_table
    from contract.workflows.discover.run import AddPlanned, Discovered, NotAdded, UnknownSelection

    if isinstance(event, Discovered):
        if fmt == "json":
            click.echo(render_json(list(event.reports)))
        else:
            click.echo(render_table(list(event.reports), show_labels=True))
    elif isinstance(event, NotAdded):
        c = event.candidate
        click.echo(f"not added: {c.conflict or f'{c.name}: it does not validate (see above)'}", err=True)
    elif isinstance(event, UnknownSelection):
        click.echo(f"install-contract: --select {event.name}: no such candidate", err=True)
    elif isinstance(event, AddPlanned):
        path, to_stderr = event.path, fmt == "json"
        for name in event.add.skipped:
            click.echo(f"skipped: {name} already in {path}", err=to_stderr)
        for name in event.add.repeated:
            click.echo(f"skipped: {name} was discovered twice at one endpoint; added once", err=to_stderr)
