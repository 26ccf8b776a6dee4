"""`install-contract discover`: models already running, as candidate contract entries."""

from __future__ import annotations

import sys

import click

from cli._exit import EXTERNAL, FAILED, USAGE, handled
from cli._help import USAGE_MEANING, exit_codes


def _interactive() -> bool:
    """Whether the user can answer y/n (stdin is a terminal)."""
    return sys.stdin.isatty()


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
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--add",
    "add_path",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Append the chosen candidates to FILE.",
)
@click.option(
    "--select",
    "selected",
    multiple=True,
    metavar="NAME",
    help="With --add: only these (discovered name or litellmModelName).",
)
@click.option("--yes", is_flag=True, help="With --add: take every valid candidate without asking.")
@handled
def discover(  # noqa: C901 (issue 19: to split)
    ollama_urls: tuple[str, ...],
    ramalama_urls: tuple[str, ...],
    openai_urls: tuple[str, ...],
    kserve: bool,
    namespace: str | None,
    all_namespaces: bool,
    kube_context: str | None,
    context_window: int | None,
    fmt: str,
    add_path: str | None,
    selected: tuple[str, ...],
    yes: bool,
) -> None:
    """Find models already running and show them as contract entries.

    With no source option, probes the local defaults (Ollama 127.0.0.1:11434, RamaLama
    127.0.0.1:8080) and says which run. Every candidate is validated as an entry; one with
    errors is shown with its diagnostics and never written. --add FILE appends the chosen
    ones (asks per candidate on a terminal; else --select or --yes). Exit 3 when a source
    named on the command line is down; 2 for usage errors.
    """
    from cli._report import emit
    from contract.reporting.discover import render_json, render_table
    from contract.reporting.edits import refusal
    from contract.workflows.discover import (
        check_candidates,
        mark_conflicts,
        ollama,
        openai_compatible,
        plan_discovered_add,
    )
    from contract.writing import write_atomic

    if namespace and all_namespaces:
        raise click.UsageError("--namespace and --all-namespaces exclude each other")
    if (namespace or all_namespaces or kube_context) and not kserve:
        raise click.UsageError("--namespace, --all-namespaces and --context go with --kserve")
    if (selected or yes) and not add_path:
        raise click.UsageError("--select and --yes go with --add FILE")
    explicit = bool(ollama_urls or ramalama_urls or openai_urls or kserve)
    if add_path and not yes and not selected and not _interactive():
        click.echo(
            "install-contract: --add without a terminal needs --select NAME (repeatable) or --yes", err=True
        )
        sys.exit(USAGE)

    reports = []
    if not explicit:
        reports.append(ollama.probe(None, context_window=context_window))
        reports.append(
            openai_compatible.probe(
                openai_compatible.RAMALAMA_URL, source="ramalama", default=True, context_window=context_window
            )
        )
    for url in ollama_urls:
        reports.append(ollama.probe(url, context_window=context_window))
    for url in ramalama_urls:
        reports.append(openai_compatible.probe(url, source="ramalama", context_window=context_window))
    for url in openai_urls:
        reports.append(openai_compatible.probe(url, context_window=context_window))
    if kserve:
        from contract.workflows.discover import kserve as kserve_source

        reports.append(
            kserve_source.probe(
                context=kube_context,
                namespace=namespace,
                all_namespaces=all_namespaces,
                context_window=context_window,
            )
        )
    import dataclasses

    reports = [dataclasses.replace(r, candidates=tuple(check_candidates(r.candidates))) for r in reports]
    reports = mark_conflicts(reports)
    if fmt == "json":
        click.echo(render_json(reports))
    else:
        click.echo(render_table(reports, show_labels=True))
    down = [r for r in reports if explicit and r.state != "running"]
    if add_path:
        candidates = [c for r in reports for c in r.candidates]
        wanted = set(selected)
        chosen = []
        for c in candidates:
            if selected and c.discovered not in wanted and c.name not in wanted:
                continue
            if c.conflict:
                click.echo(f"not added: {c.conflict}", err=True)
                continue
            if not c.valid:
                if selected:
                    click.echo(f"not added: {c.name}: it does not validate (see above)", err=True)
                continue
            if (
                not yes
                and not selected
                and not click.confirm(f"add {c.name} ({c.discovered})?", default=False, err=True)
            ):
                continue
            chosen.append(c)
        unknown = wanted - {c.discovered for c in candidates} - {c.name for c in candidates}
        for name in sorted(unknown):
            click.echo(f"install-contract: --select {name}: no such candidate", err=True)
        outcome = plan_discovered_add(add_path, chosen)
        # With -f json, stdout holds the JSON document only.
        to_stderr = fmt == "json"
        for name in outcome.skipped:
            click.echo(f"skipped: {name} already in {add_path}", err=to_stderr)
        for name in outcome.repeated:
            click.echo(f"skipped: {name} was discovered twice at one endpoint; added once", err=to_stderr)
        if outcome.error:
            emit(refusal(outcome.error, outcome.diagnostics))
            sys.exit(FAILED)
        if outcome.data is not None:
            write_atomic(add_path, outcome.data)
            click.echo(f"added {', '.join(outcome.added)} to {add_path}", err=to_stderr)
        if unknown:
            sys.exit(USAGE)
    if down:
        # The reason is in the report above (the table or the JSON): said once.
        for r in down:
            click.echo(f"install-contract: {r.source} at {r.where} is {r.state}", err=True)
        sys.exit(EXTERNAL)
