"""Models already running, as candidate contract entries.

Each source module (`ollama`, `openai_compatible`, `kserve`) asks its server what it serves
and turns each model into a `Candidate` in a pure step (answer in, entry fields out).
`check_candidates` then validates every candidate's entry on its own, exactly as `validate`
would: a candidate with an error is shown with the diagnostic and never written.
Every source builds its entries as `add` does (`contract.workflows.entry_edit.entry_fields`), and
`plan_discovered_add` appends the chosen candidates to a contract the same way too
(`entry_edit.read_for_edit`, `entry_edit.append_entries`).
`run.discover` is the whole command as one call: a `DiscoverRequest` in, a `DiscoverOutcome` out.

Nothing here prints; the HTTP and Kubernetes clients are imported by the source modules only.
"""

from __future__ import annotations

from contract.workflows.discover._model import (
    Candidate,
    DiscoveredAdd,
    SourceReport,
    check_candidates,
    mark_conflicts,
    model_name,
    plan_discovered_add,
)

__all__ = [
    "Candidate",
    "DiscoveredAdd",
    "SourceReport",
    "check_candidates",
    "mark_conflicts",
    "model_name",
    "plan_discovered_add",
]
