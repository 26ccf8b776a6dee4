"""`install-contract render`: validate, compile, then write DIR whole (or compare it, --check).

One contract renders its targets into DIR; with environments (`--env`, `--all-envs`) each goes
under DIR/<env>/, and `--target gitops` writes the Kustomize/Argo CD/Flux tree instead. The
CLI passes `on_validated` to show the diagnostics before anything else can fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.errors import UsageError
from contract.outcome import Outcome, Status

if TYPE_CHECKING:
    from contract.pipeline.render import Difference
    from contract.pipeline.validate import Result

OnValidated = Callable[["Result"], None]


@dataclass(frozen=True)
class RenderRequest:
    """render's options; "-" as `file` is read with `stdin`."""

    file: str
    out_dir: str
    targets: tuple[str, ...] = ()
    templates: str | None = None
    check: bool = False
    quiet: bool = False
    catalog_path: str | None = None
    registry: str | None = None
    extra_path: str | None = None
    environments: tuple[str, ...] = ()
    all_envs: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: Callable[[], bytes] | None = None

    @property
    def per_environment(self) -> bool:
        return bool(self.environments or self.all_envs or "gitops" in self.targets)


@dataclass(frozen=True)
class Rendered(Outcome):
    """What render did: the files written (names under `out_dir`), or with `checked` the files
    that differ (`stale`: status DIFFERS). INVALID: the contract has errors, nothing rendered;
    REFUSED with `usage`: the options do not go together (said as a usage error)."""

    out_dir: str = ""
    quiet: bool = False
    checked: bool = False
    files: tuple[str, ...] = ()
    stale: tuple[Difference, ...] = ()
    warnings: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()  # one contract: what LiteLLM reads from its environment
    literals: tuple[tuple[str, tuple[str, str]], ...] = ()  # variable -> (entry, field) of a literal value
    per_environment: bool = False
    usage: str | None = None


def render_contract(request: RenderRequest, on_validated: OnValidated | None = None) -> Rendered:
    """Render the request's contract into its DIR (or compare, with `check`).

    Raises UsageError for a DIR render may not replace, TemplateError for a broken override."""
    from contract.pipeline.render import check_out_dir

    if not request.check:
        check_out_dir(request.out_dir, request.file)
    options: dict[str, Any] = {"templates": request.templates, "registry": request.registry}
    if request.extra_path:
        from contract.pipeline.render.extra import read_extra

        options["litellm_extra"] = read_extra(request.extra_path)
    else:
        options["litellm_extra"] = None
    if request.per_environment:
        return _render_environments(request, options, on_validated)
    return _render_one(request, options, on_validated)


def _read(request: RenderRequest) -> bytes:
    from contract.pipeline.validate import read_contract

    if request.file == "-":
        return request.stdin() if request.stdin is not None else b""
    return read_contract(request.file)


def _source_name(request: RenderRequest) -> str:
    return os.path.basename(request.file) if request.file != "-" else "<stdin>"


def _validated(request: RenderRequest, raw: bytes, on_validated: OnValidated | None, **more: Any) -> Result:
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import validate_bytes

    options = Options(env=dict(request.env), catalog_path=request.catalog_path, **more)
    result = validate_bytes(raw, file=request.file, options=options)
    if on_validated is not None:
        on_validated(result)
    return result


def _base(request: RenderRequest) -> dict[str, Any]:
    return {"out_dir": request.out_dir, "quiet": request.quiet, "per_environment": request.per_environment}


def _render_one(
    request: RenderRequest, options: dict[str, Any], on_validated: OnValidated | None
) -> Rendered:
    from contract.pipeline.render import render

    raw = _read(request)
    result = _validated(request, raw, on_validated)
    if result.errors or result.contract is None:
        return Rendered(Status.INVALID, result.diagnostics, **_base(request))
    rendering = render(
        result.contract,
        source_name=_source_name(request),
        source_bytes=raw,
        targets=request.targets,
        catalog_path=request.catalog_path,
        **options,
    )
    if request.check:
        return _compared(request, rendering.files, result)
    from contract.pipeline.render import write_tree

    write_tree(request.out_dir, rendering.files)
    return Rendered(
        Status.OK,
        result.diagnostics,
        files=tuple(rendering.files),
        warnings=tuple(rendering.warnings),
        variables=tuple(rendering.env.all()),
        literals=tuple(sorted(rendering.env.from_literals.items())),
        **_base(request),
    )


def _render_environments(
    request: RenderRequest, options: dict[str, Any], on_validated: OnValidated | None
) -> Rendered:
    """Every environment asked for validated, then the tree written (as for one contract)."""
    from contract.pipeline.render.environments import choose

    raw = _read(request)
    gitops = "gitops" in request.targets
    # Only the environments rendered are validated (the base always is).
    result = _validated(request, raw, on_validated, environments=request.environments or None)
    if result.errors or result.contract is None or result.source is None:
        return Rendered(Status.INVALID, result.diagnostics, **_base(request))
    if gitops and not result.declared_environments:
        raise UsageError(
            "--target gitops writes one overlay per environment, and the contract declares no "
            "environments: (see README, Environments and GitOps)"
        )
    wanted = request.environments
    envs = choose(result.declared_environments, wanted, request.all_envs or (gitops and not wanted))
    warnings: list[str] = []
    if gitops:
        from contract.pipeline.render.gitops import render_gitops

        others = tuple(t for t in request.targets if t != "gitops")
        if others:
            usage = f"--target gitops is rendered on its own, not with {', '.join(others)}"
            return Rendered(Status.REFUSED, usage=usage, **_base(request))
        files = render_gitops(
            result,
            result.source,
            _source_name(request),
            envs,
            raw,
            catalog_path=request.catalog_path,
            **options,
        )
    else:
        from contract.pipeline.render.environments import render_environments

        files = render_environments(
            result,
            result.source,
            _source_name(request),
            envs,
            raw,
            warnings=warnings,
            targets=request.targets,
            catalog_path=request.catalog_path,
            **options,
        )
    if request.check:
        return _compared(request, files, result)
    from contract.pipeline.render import write_tree

    write_tree(request.out_dir, files)
    return Rendered(
        Status.OK, result.diagnostics, files=tuple(files), warnings=tuple(warnings), **_base(request)
    )


def _compared(request: RenderRequest, files: dict[str, bytes], result: Result) -> Rendered:
    """--check: what differs between DIR and this render (the contract's literal secrets
    masked, should a file on disk have been edited to hold one)."""
    from contract.pipeline.render import differences

    stale = differences(request.out_dir, files, masked=sorted(result.secrets))
    status = Status.DIFFERS if stale else Status.OK
    return Rendered(status, result.diagnostics, checked=True, stale=tuple(stale), **_base(request))
