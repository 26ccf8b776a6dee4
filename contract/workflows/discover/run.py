"""`discover` as one call: probe the sources, validate the candidates, choose, append, write.

    DiscoverRequest -> discover(request, confirm=..., on_event=...) -> DiscoverOutcome

The caller (the CLI, or a test) says which sources to probe and what to add; `discover`
tells it what happens as it happens through `on_event` (the sources' reports before any
question, each candidate left out, each --select name that matches nothing, what --add
would skip), asks `confirm` about each candidate when neither --select nor --yes chose,
writes the file atomically, and returns the outcome. It never prints and never exits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contract.outcome import Outcome, Status
from contract.workflows.discover._model import (
    Candidate,
    DiscoveredAdd,
    SourceReport,
    check_candidates,
    mark_conflicts,
    plan_discovered_add,
)


@dataclass(frozen=True)
class DiscoverRequest:
    """What to probe and what to add. No source at all: the local defaults (Ollama, RamaLama)."""

    ollama_urls: tuple[str, ...] = ()
    ramalama_urls: tuple[str, ...] = ()
    openai_urls: tuple[str, ...] = ()
    kserve: bool = False
    namespace: str | None = None  # KServe: this namespace (default: the context's)
    all_namespaces: bool = False
    kube_context: str | None = None
    context_window: int | None = None  # contextWindow when the source does not say
    add_path: str | None = None  # append the chosen candidates to this contract
    selected: tuple[str, ...] = ()  # with add_path: only these (discovered name or litellmModelName)
    yes: bool = False  # with add_path: every valid candidate, without asking

    @property
    def explicit(self) -> bool:
        """Whether a source was named (then a source that is down is an error)."""
        return bool(self.ollama_urls or self.ramalama_urls or self.openai_urls or self.kserve)


# -- what happens as it happens (the CLI shows each at once) --------------------------------


@dataclass(frozen=True)
class Discovered:
    """Every source's report, its candidates validated and conflicts marked: before any question."""

    reports: tuple[SourceReport, ...]


@dataclass(frozen=True)
class NotAdded:
    """A candidate left out of --add: it conflicts (`conflict`), or it was selected and does not validate."""

    candidate: Candidate


@dataclass(frozen=True)
class UnknownSelection:
    """A --select name that is no candidate's discovered name nor litellmModelName."""

    name: str


@dataclass(frozen=True)
class AddPlanned:
    """What --add will do to `path` (its `skipped` and `repeated` names), before anything is written."""

    path: str
    add: DiscoveredAdd


Event = Discovered | NotAdded | UnknownSelection | AddPlanned
Confirm = Callable[[Candidate], bool]


@dataclass(frozen=True)
class DiscoverOutcome(Outcome):
    """The sources' reports, and what --add did.

    Status: OK; INVALID when the appended contract would not validate (`add.error`,
    `diagnostics`; nothing written); REFUSED when a --select name matched nothing (`unknown`);
    UNREACHABLE when a source named in the request is not running (`down`).
    """

    reports: tuple[SourceReport, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    add: DiscoveredAdd | None = None  # None: no add_path
    written: str | None = None  # the file written, with `add.added` appended
    unknown: tuple[str, ...] = ()
    down: tuple[SourceReport, ...] = ()


def discover(
    request: DiscoverRequest,
    *,
    confirm: Confirm | None = None,
    on_event: Callable[[Event], None] = lambda _event: None,
) -> DiscoverOutcome:
    """Probe, validate, choose and (with `add_path`) write; `confirm` is asked about each valid
    candidate when the request neither selects nor says yes (without it, none is taken)."""
    reports = tuple(mark_conflicts([_checked(r) for r in probe(request)]))
    on_event(Discovered(reports))
    candidates = tuple(c for r in reports for c in r.candidates)
    down = tuple(r for r in reports if request.explicit and r.state != "running")
    outcome = DiscoverOutcome(Status.OK, reports=reports, candidates=candidates, down=down)
    if request.add_path:
        outcome = _add(request, request.add_path, outcome, confirm, on_event)
    if outcome.status is Status.OK and down:
        outcome = dataclasses.replace(outcome, status=Status.UNREACHABLE)
    return outcome


def probe(request: DiscoverRequest) -> list[SourceReport]:
    """Each source's report, in the order of the request (the defaults when none is named)."""
    from contract.workflows.discover import ollama, openai_compatible

    window = request.context_window
    reports = []
    if not request.explicit:
        reports.append(ollama.probe(None, context_window=window))
        reports.append(
            openai_compatible.probe(
                openai_compatible.RAMALAMA_URL, source="ramalama", default=True, context_window=window
            )
        )
    reports.extend(ollama.probe(url, context_window=window) for url in request.ollama_urls)
    reports.extend(
        openai_compatible.probe(url, source="ramalama", context_window=window)
        for url in request.ramalama_urls
    )
    reports.extend(openai_compatible.probe(url, context_window=window) for url in request.openai_urls)
    if request.kserve:
        from contract.workflows.discover import kserve

        reports.append(
            kserve.probe(
                context=request.kube_context,
                namespace=request.namespace,
                all_namespaces=request.all_namespaces,
                context_window=window,
            )
        )
    return reports


def _checked(report: SourceReport) -> SourceReport:
    return dataclasses.replace(report, candidates=tuple(check_candidates(report.candidates)))


def choose(
    request: DiscoverRequest,
    candidates: Sequence[Candidate],
    confirm: Confirm | None,
    on_event: Callable[[Event], None],
) -> list[Candidate]:
    """The candidates --add takes: selected (or all), without conflicts, valid, and confirmed
    when the request neither selects nor says yes."""
    wanted = set(request.selected)
    chosen = []
    for c in candidates:
        if wanted and c.discovered not in wanted and c.name not in wanted:
            continue
        if c.conflict or (not c.valid and wanted):
            on_event(NotAdded(c))
            continue
        if not c.valid:
            continue
        if not (request.yes or wanted) and (confirm is None or not confirm(c)):
            continue
        chosen.append(c)
    return chosen


def _add(
    request: DiscoverRequest,
    path: str,
    outcome: DiscoverOutcome,
    confirm: Confirm | None,
    on_event: Callable[[Event], None],
) -> DiscoverOutcome:
    from contract.writing import write_atomic

    chosen = choose(request, outcome.candidates, confirm, on_event)
    known = {c.discovered for c in outcome.candidates} | {c.name for c in outcome.candidates}
    unknown = tuple(sorted(set(request.selected) - known))
    for name in unknown:
        on_event(UnknownSelection(name))
    add = plan_discovered_add(path, chosen)
    on_event(AddPlanned(path, add))
    outcome = dataclasses.replace(outcome, add=add, unknown=unknown)
    if add.error:
        return dataclasses.replace(outcome, status=Status.INVALID, diagnostics=add.diagnostics)
    if add.data is not None:
        write_atomic(path, add.data)
        outcome = dataclasses.replace(outcome, written=path)
    return dataclasses.replace(outcome, status=Status.REFUSED) if unknown else outcome
