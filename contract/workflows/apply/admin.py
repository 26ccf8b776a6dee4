"""The admin API's ModelProvider and Model tables: observe, diff (pure), execute.

    observe(client)                          -> ObservedAdmin (providers, every row)
    provider_problems(desired, observed)     -> IC501 findings (a near miss of an existing provider)
    diff(desired, observed, prune=…)         -> [Change]  (pure: a function of its arguments)
    execute(client, desired, observed, changes, …) -> {litellmModelName: id}
    execute_deletes(client, kept names, observed, changes, …)   (after the flags stop pointing)

A provider the contract names and the platform lacks is created first (`managedBy:
install-contract`), then the models that name it. A row is matched to an entry by `name`
(= litellmModelName). What differs is compared field by field over `MANAGED_FIELDS`: an
optional field the contract leaves out equals an absent or null one. Rows not in the contract
are left alone (listed as orphans when install-contract made them); `prune` deletes those whose
`managedBy` is install-contract, and only those. Providers are never deleted.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.pipeline.rules import Finding
from contract.pipeline.rules.platform import PlatformView, new_providers, provider_near_miss
from contract.workflows.apply.changes import KNOWN_AFTER_APPLY, Change, FieldDiff, System
from contract.workflows.apply.desired import MANAGED_FIELDS, DesiredModel
from contract.workflows.managed import MANAGED_BY

if TYPE_CHECKING:
    from contract.clients.admin_api import AdminApiClient, ModelProvider

DEFAULT_CONCURRENCY = 16
SYSTEM: System = "admin-api"
Row = dict[str, Any]


@dataclass(frozen=True)
class ObservedAdmin:
    """What the admin API holds: its providers and every row of the Model table."""

    providers: tuple[ModelProvider, ...]
    rows: tuple[Row, ...]

    @property
    def by_name(self) -> dict[str, Row]:
        return {str(r["name"]): r for r in self.rows}

    @property
    def provider_ids(self) -> dict[str, str]:
        return {p.name: p.id for p in self.providers}


def observe(client: AdminApiClient) -> ObservedAdmin:
    """Providers and every page of models, the providers read while the pages are: the pages
    follow one another's cursor, the providers need not wait for them (one round trip less)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        providers = pool.submit(client.providers)
        rows = client.models()
        return ObservedAdmin(tuple(providers.result()), tuple(rows))


def _view(desired: Sequence[DesiredModel], observed: ObservedAdmin) -> PlatformView:
    return PlatformView([(d.index, d.provider) for d in desired], [p.name for p in observed.providers])


def provider_problems(desired: Sequence[DesiredModel], observed: ObservedAdmin) -> list[Finding]:
    """IC501: errors (a twin of an existing provider) stop the plan; warnings do not."""
    return list(provider_near_miss(_view(desired, observed)))


def providers_to_create(desired: Sequence[DesiredModel], observed: ObservedAdmin) -> list[str]:
    return new_providers(_view(desired, observed))


def wanted(model: DesiredModel, provider_ids: Mapping[str, str]) -> dict[str, Any]:
    """Every managed field as the row should hold it (None: absent or null; a provider still to
    be created: KNOWN_AFTER_APPLY)."""
    return {**model.fields, "providerId": provider_ids.get(model.provider, KNOWN_AFTER_APPLY)}


def differing(want: Mapping[str, Any], row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in MANAGED_FIELDS if want.get(k) != row.get(k)))


def create_body(model: DesiredModel, provider_ids: Mapping[str, str]) -> dict[str, Any]:
    """The POST body: the name and every field the contract gives (nothing null, no secret)."""
    return {"name": model.name, **{k: v for k, v in wanted(model, provider_ids).items() if v is not None}}


def is_ours(row: Mapping[str, Any]) -> bool:
    return row.get("managedBy") == MANAGED_BY


def orphans(desired: Sequence[DesiredModel], observed: ObservedAdmin) -> list[str]:
    """Rows install-contract made that the contract no longer has, by name."""
    names = {m.name for m in desired}
    rows = observed.by_name
    return [name for name in sorted(rows) if name not in names and is_ours(rows[name])]


def diff(desired: Sequence[DesiredModel], observed: ObservedAdmin, *, prune: bool = False) -> list[Change]:
    """The changes that make the admin API hold `desired`: providers to create, then the models
    in the contract's order (then deletions by name). Every entry gets a change, `keep` when
    nothing differs. Each change carries its values (`Change.diff`)."""
    rows = observed.by_name
    ids = observed.provider_ids
    changes: list[Change] = [
        Change(
            SYSTEM,
            "provider",
            name,
            "create",
            ("name", "managedBy"),
            "the platform has no provider of this name",
            (FieldDiff("name", None, name), FieldDiff("managedBy", None, MANAGED_BY)),
        )
        for name in providers_to_create(desired, observed)
    ]
    for model in desired:
        row = rows.get(model.name)
        want = wanted(model, ids)
        if row is None:
            written = {"name": model.name, **{k: want[k] for k in MANAGED_FIELDS if want.get(k) is not None}}
            changes.append(
                Change(
                    SYSTEM,
                    "model",
                    model.name,
                    "create",
                    tuple(written),
                    diff=tuple(FieldDiff(k, None, v) for k, v in written.items()),
                )
            )
            continue
        fields = differing(want, row)
        owner = row.get("managedBy")
        note = f"adopted: managed by {owner} until now" if "managedBy" in fields and owner else ""
        values = tuple(FieldDiff(k, row.get(k), want.get(k)) for k in fields)
        changes.append(
            Change(SYSTEM, "model", model.name, "update" if fields else "keep", fields, note, values)
        )
    if prune:
        for name in orphans(desired, observed):
            changes.append(Change(SYSTEM, "model", name, "delete", note="not in the contract (--prune)"))
    return changes


def model_ids(desired: Sequence[DesiredModel], observed: ObservedAdmin) -> dict[str, str]:
    """Each entry's id as the plan knows it: the row's, or KNOWN_AFTER_APPLY for one to create."""
    rows = observed.by_name
    return {m.name: str(rows[m.name]["id"]) if m.name in rows else KNOWN_AFTER_APPLY for m in desired}


@dataclass
class Progress:
    """Which changes are done, shared by the worker threads; read after a failure to say what
    was done and what remains."""

    done: list[Change] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def finish(self, change: Change, model_id: str | None) -> None:
        with self._lock:
            self.done.append(change)
            if model_id is not None:
                self.ids[change.name] = model_id


def execute(
    client: AdminApiClient,
    desired: Sequence[DesiredModel],
    observed: ObservedAdmin,
    changes: Sequence[Change],
    *,
    progress: Progress,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> dict[str, str]:
    """Apply the admin-API `changes`, at most `concurrency` requests at a time.

    Providers are created first (one at a time: a handful at most), then the models. Deletes
    are left for `execute_deletes`, which runs after the flags stop pointing at those rows.
    Returns every entry's id. On the first failure no further change is started; the ones in
    flight finish, and the failure is raised (`progress` says what was done).
    """
    by_name = {m.name: m for m in desired}
    rows = observed.by_name
    ids = dict(observed.provider_ids)
    for model in desired:
        if model.name in rows:
            progress.ids.setdefault(model.name, str(rows[model.name]["id"]))
    for change in changes:
        if change.system == SYSTEM and change.kind == "provider" and change.action == "create":
            provider, _adopted = client.create_provider(change.name, MANAGED_BY)
            ids[change.name] = provider.id
            progress.finish(change, None)

    def run(change: Change) -> None:
        model = by_name[change.name]
        want = wanted(model, ids)

        def patch_for(row: Row) -> dict[str, Any]:
            return {k: want.get(k) for k in differing(want, row)}

        if change.action == "create":
            row, _adopted = client.create(create_body(model, ids))
            if patch_for(row):  # adopted a row that differs, or one edited since
                row = client.update(row, patch_for)
        else:
            row = client.update(rows[change.name], patch_for)
        progress.finish(change, str(row["id"]))

    work = [
        c for c in changes if c.system == SYSTEM and c.kind == "model" and c.action in ("create", "update")
    ]
    _run_bounded(run, work, concurrency)
    return {m.name: progress.ids[m.name] for m in desired}


def execute_deletes(
    client: AdminApiClient,
    kept: Collection[str],
    observed: ObservedAdmin,
    changes: Sequence[Change],
    *,
    progress: Progress,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> None:
    """Delete the rows `--prune` planned to delete (a row changed meanwhile is deleted only if
    it is still ours and still not in the contract). Run last: Terraform's order, so that no
    flag variant ever points at a deleted id. `kept`: the names the contract has."""
    names = frozenset(kept)
    rows = observed.by_name

    def run(change: Change) -> None:
        client.delete(rows[change.name], lambda fresh: is_ours(fresh) and fresh["name"] not in names)
        progress.finish(change, None)

    work = [c for c in changes if c.system == SYSTEM and c.kind == "model" and c.action == "delete"]
    _run_bounded(run, work, concurrency)


def _run_bounded(fn: Callable[[Change], None], work: Sequence[Change], concurrency: int) -> None:
    if not work:
        return
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(work))))
    failure: BaseException | None = None
    try:
        futures = [pool.submit(fn, c) for c in work]
        for future in _as_completed(futures):
            exc = future.exception()
            if exc is not None and failure is None:
                failure = exc
                for other in futures:
                    other.cancel()
    except BaseException:
        # Ctrl-C: start nothing more; requests in flight end by their timeout.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if failure is not None:
        raise failure


def _as_completed(
    futures: list[concurrent.futures.Future[None]],
) -> Iterator[concurrent.futures.Future[None]]:
    for future in concurrent.futures.as_completed(futures):
        if not future.cancelled():
            yield future
