"""Compile a valid contract into the artifacts its consumers read.

| target | file(s) under --out | read by |
|---|---|---|
| litellm | litellm/config.yaml | the LiteLLM proxy |
| vllm | vllm/<name>.argv.json, vllm/<name>.sh | `vllm serve` |
| helm-platform | helm/platform/<name>.values.yaml, .install.sh | the platform's vLLM chart |
| helm-production-stack | helm/production-stack.values.yaml, .install.sh | vllm-project/production-stack |
| helm-litellm | helm/litellm.values.yaml, .install.sh | LiteLLM's Helm chart |
| router | router/<name>.yaml | vLLM Semantic Router (`routers:` only) |

plus manifest.json (tool version, contract sha256, every file's sha256). The same contract
gives the same bytes; the output directory is replaced whole or not at all.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from contract import __version__
from contract.errors import UsageError
from contract.knowledge import images
from contract.knowledge.entries import tool_calling
from contract.knowledge.naming import k8s_name
from contract.knowledge.targets import SELF_HOSTED_TARGETS, TARGETS
from contract.pipeline.model import ModelEntry
from contract.pipeline.render import _views as views
from contract.pipeline.validate import TypedContract

if TYPE_CHECKING:
    from contract.knowledge.catalog import Catalog, ModelFacts
    from contract.pipeline.render.extra import LitellmExtra

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Rendering:
    files: dict[str, bytes]  # relative path -> bytes, manifest.json included
    targets: tuple[str, ...]
    env: views.EnvNeeds
    warnings: tuple[str, ...] = ()  # what the files leave to the installer (render prints them)


def render(
    contract: TypedContract,
    *,
    source_name: str,
    source_bytes: bytes,
    targets: Sequence[str] | None = None,
    templates: str | None = None,
    catalog_path: str | None = None,
    registry: str | None = None,
    litellm_extra: LitellmExtra | None = None,
) -> Rendering:
    """Render the artifacts; `registry` (HOST[/PREFIX]) points every image at a mirror.

    `litellm_extra` (`contract.pipeline.render.extra.read_extra`, `render --litellm-extra FILE`): the
    LiteLLM settings the contract does not model, merged into the LiteLLM config and the
    LiteLLM chart's proxy_config."""
    from contract.knowledge.catalog import load_catalog
    from contract.pipeline.render._jinja import environment, render_template

    if contract.left_out:
        # Never a partial config: an entry that could not be typed has an error diagnostic.
        shown = ", ".join(f"models[{i}]" for i in contract.left_out)
        raise UsageError(f"{shown} could not be read as a model entry; fix the errors before rendering")
    served = [m for m in contract.models if m.vllm is not None]
    if registry is not None:
        registry = _mirrored(registry, served)
    chosen = _targets(targets, bool(served), bool(contract.routers))
    job = _Job(
        contract,
        served,
        chosen,
        functools.partial(render_template, environment(templates)),
        load_catalog(catalog_path),
        registry,
        {"version": __version__, "source": source_name},
    )
    job.litellm_models(litellm_extra)
    if {"helm-platform", "helm-production-stack"} & set(chosen):
        job.requests = {
            m.litellm_model_name: views.server_requests(m, _served_facts(job.catalog, m)) for m in served
        }
    for target in chosen:
        _RENDERERS[target](job)
    return _finish(job, source_name, source_bytes, litellm_extra)


def _mirrored(registry: str, served: Sequence[ModelEntry]) -> str:
    """`registry` checked, and every image it would hold on a reference of its own."""
    registry = images.check_registry(registry)
    # Two images on one mirror reference would overwrite each other there.
    pulled = {m.vllm.image or images.DEFAULT_VLLM_IMAGE for m in served if m.vllm is not None}
    images.mirror_all(sorted(pulled | {images.LITELLM_IMAGE, *images.CHECK_IMAGES}), registry)
    return registry


@dataclass
class _Job:
    """One render: what every target reads, and the files (text) and warnings they add."""

    contract: TypedContract
    served: list[ModelEntry]
    chosen: tuple[str, ...]
    template: Callable[..., str]  # render_template on this render's Jinja environment
    catalog: Catalog
    registry: str | None
    common: dict[str, str]
    needs: views.EnvNeeds = field(default_factory=views.EnvNeeds)
    model_list: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)  # the LiteLLM templates'
    requests: dict[str, tuple[int, str]] = field(default_factory=dict)  # served name -> CPU, memory
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def tools(self, entry: ModelEntry) -> bool:
        """Whether `entry` calls tools (its own word, the flags', else the catalog's)."""
        facts = None if entry.vllm else self.catalog.lookup(entry.litellm_model, base_model=entry.base_model)
        return tool_calling(
            entry, self.contract.feature_flags, facts.supports_tool_calling if facts else None
        )

    def litellm_models(self, litellm_extra: LitellmExtra | None) -> None:
        """LiteLLM's model_list and settings (every target's variables come from them)."""
        from contract.pipeline.render.extra import merge_models, settings, variables

        self.model_list = [views.litellm_entry(m, self.tools(m), self.needs) for m in self.contract.models]
        if litellm_extra is not None:
            self.model_list = merge_models(self.model_list, litellm_extra)
            self.needs.referenced |= variables(litellm_extra)
        self.settings = settings(views.MASTER_KEY_ENV, litellm_extra)
        self.context = {
            **self.common,
            "models": self.model_list,
            "settings": self.settings,
            "master_key_env": views.MASTER_KEY_ENV,
            "secret": views.litellm_secret(self.contract.platform),
            "env": self.needs.all(),
        }


# -- one function per target (contract.knowledge.targets.TARGETS) ------------------------------


def _litellm(job: _Job) -> None:
    job.files["litellm/config.yaml"] = job.template("litellm/config.yaml.j2", job.context)


def _vllm(job: _Job) -> None:
    for entry in job.served:
        name = entry.litellm_model_name
        argv = views.vllm_argv(entry)
        job.files[f"vllm/{name}.argv.json"] = job.template("vllm/argv.json.j2", job.common, argv=argv)
        job.files[f"vllm/{name}.sh"] = job.template("vllm/serve.sh.j2", job.common, argv=argv, name=name)


def _helm_platform(job: _Job) -> None:
    for entry in job.served:
        name = entry.litellm_model_name
        values = views.platform_values(entry, job.registry, job.requests[name])
        keys = views.platform_keys(entry)
        job.files[f"helm/platform/{name}.values.yaml"] = job.template(
            "helm/platform.values.yaml.j2", job.common, values=values, name=name, keys=keys
        )
        job.files[f"helm/platform/{name}.install.sh"] = job.template(
            "helm/install.sh.j2",
            job.common,
            release=k8s_name(name),
            chart=views.PLATFORM_CHART,
            values_file=f"{name}.values.yaml",
            keys=keys,
        )


def _helm_production_stack(job: _Job) -> None:
    served = job.served
    if not served:
        return
    specs = [views.production_stack_spec(e, job.registry, job.requests[e.litellm_model_name]) for e in served]
    keys = views.production_stack_keys(served)
    job.warnings.extend(views.production_stack_key_warnings(served))
    job.files["helm/production-stack.values.yaml"] = job.template(
        "helm/production-stack.values.yaml.j2", job.common, specs=specs, keys=keys
    )
    job.files["helm/production-stack.install.sh"] = job.template(
        "helm/install.sh.j2",
        job.common,
        release=views.PRODUCTION_STACK_RELEASE,
        chart=views.PRODUCTION_STACK_CHART,
        values_file="production-stack.values.yaml",
        keys=keys,
    )


def _helm_litellm(job: _Job) -> None:
    proxy_config = {"model_list": job.model_list, **job.settings}
    job.files["helm/litellm.values.yaml"] = job.template(
        "helm/litellm.values.yaml.j2",
        job.context,
        proxy_config=proxy_config,
        image=views.litellm_image(job.registry),
    )
    job.files["helm/litellm.install.sh"] = job.template(
        "helm/install.sh.j2",
        job.context,
        release=views.LITELLM_RELEASE,
        chart=views.LITELLM_CHART,
        values_file="litellm.values.yaml",
        keys=[],
    )


def _router(job: _Job) -> None:
    from contract.pipeline.render._router import key_vars, router_config

    models = job.contract.models
    by_name = {m.litellm_model_name: m for m in models}
    tools = {m.litellm_model_name: job.tools(m) for m in models}
    for name, router in sorted(job.contract.routers.items()):
        config = router_config(name, router, by_name, job.catalog, tools)
        job.files[f"router/{name}.yaml"] = job.template(
            "router/config.yaml.j2",
            job.common,
            name=name,
            port=router.port,
            default=router.default,
            env=key_vars(config),
            config=config,
        )


# The renderer of each target; a target's files depend on nothing another target writes.
_RENDERERS: dict[str, Callable[[_Job], None]] = {
    "litellm": _litellm,
    "vllm": _vllm,
    "helm-platform": _helm_platform,
    "helm-production-stack": _helm_production_stack,
    "helm-litellm": _helm_litellm,
    "router": _router,
}


def _finish(
    job: _Job, source_name: str, source_bytes: bytes, litellm_extra: LitellmExtra | None
) -> Rendering:
    """The rendered texts as the files' bytes, manifest.json with them, the last secret guard."""
    files = job.files
    # Each text is let go as soon as it is encoded: at scale the two copies would double the peak.
    encoded = {path: files.pop(path).encode("utf-8") for path in sorted(files)}
    encoded[MANIFEST] = _manifest(source_name, source_bytes, job.chosen, job.needs, encoded, litellm_extra)
    _refuse_secrets(job.contract.models, encoded)
    return Rendering(encoded, job.chosen, job.needs, tuple(job.warnings))


def _served_facts(catalog: Catalog, entry: ModelEntry) -> ModelFacts | None:
    """What the catalog knows of the weights a `vllm:` entry serves (as the rules look it up)."""
    assert entry.vllm is not None
    return catalog.lookup(
        entry.litellm_model, base_model=entry.base_model, vllm_model=entry.vllm.model, self_hosted=True
    )


def _refuse_secrets(models: Sequence[ModelEntry], files: dict[str, bytes]) -> None:
    """The last guard: no literal secret of the contract in any file (validate reports how)."""
    from contract.knowledge.secrets import literal_values

    for index, entry in enumerate(models):
        for secret in literal_values(entry):
            needle = secret.encode("utf-8")
            for path, data in files.items():
                if needle in data:
                    raise UsageError(
                        f"{path} would hold a literal secret of models[{index}] ({entry.litellm_model_name}); "
                        "nothing was written (run validate: IC208 and IC303 say where it is)"
                    )


def _targets(requested: Sequence[str] | None, self_hosted: bool, routers: bool = False) -> tuple[str, ...]:
    if not requested:
        return tuple(
            t for t in TARGETS if (self_hosted or t not in SELF_HOSTED_TARGETS) and (routers or t != "router")
        )
    unknown = [t for t in requested if t not in TARGETS]
    if unknown:
        raise UsageError(f"unknown target {', '.join(unknown)}; targets are {', '.join(TARGETS)}")
    return tuple(t for t in TARGETS if t in requested)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(
    source_name: str,
    source_bytes: bytes,
    targets: tuple[str, ...],
    needs: views.EnvNeeds,
    files: dict[str, bytes],
    litellm_extra: LitellmExtra | None = None,
) -> bytes:
    manifest: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "tool": "install-contract",
        "version": __version__,
        "contract": {"file": source_name, "sha256": _sha256(source_bytes)},
        **(
            {
                "litellmExtra": {
                    "file": os.path.basename(litellm_extra.file),
                    "sha256": _sha256(litellm_extra.raw),
                }
            }
            if litellm_extra is not None
            else {}
        ),
        "targets": list(targets),
        "environment": needs.all(),
        "files": {path: _sha256(data) for path, data in files.items()},
    }
    return (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode("utf-8")


# -- output -----------------------------------------------------------------------------------

# What makes a manifest.json this tool's own: only a render writes this format tag.
MANIFEST_FORMAT = "install-contract/render-manifest/1"
_MAX_MANIFEST = 16 * 1024 * 1024


def check_out_dir(out_dir: str | os.PathLike[str], contract_path: str | None = None) -> None:
    """Refuse an output directory whose replacement would take more than a render with it.

    The current directory, a parent of it, the contract's folder or a parent of that, and a
    symbolic link are usage errors: render replaces --out whole.
    """
    target = Path(out_dir)
    if target.is_symlink():
        raise UsageError(f"--out {out_dir}: is a symbolic link; give the directory it points to")
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {out_dir}: exists and is not a directory")
    resolved = target.resolve()
    guarded = {"the current directory": Path.cwd().resolve()}
    if contract_path and contract_path != "-":
        guarded["the contract's folder"] = Path(contract_path).resolve().parent
    for what, place in guarded.items():
        if resolved == place or resolved in place.parents:
            relation = "is" if resolved == place else "holds"
            raise UsageError(
                f"--out {out_dir}: {relation} {what}, and render replaces --out whole; "
                "name a directory of its own, e.g. --out rendered"
            )


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _safe_relative(relative: str) -> bool:
    parts = relative.split("/")
    return (
        bool(relative)
        and not relative.startswith("/")
        and "\\" not in relative
        and all(p not in ("", ".", "..") and not p.startswith(".") for p in parts)
        and _CONTROL.search(relative) is None
    )


def _check_paths(files: dict[str, bytes]) -> None:
    """Every path stays inside --out, and no two differ only in case."""
    folded: dict[str, str] = {}
    for relative in files:
        if not _safe_relative(relative):
            raise UsageError(f"refusing to write {relative!r}: it is not a plain path inside --out")
        other = folded.setdefault(relative.casefold(), relative)
        if other != relative:
            raise UsageError(f"{relative!r} and {other!r} differ only in case; one would overwrite the other")


def previous_render_problem(directory: Path) -> str | None:
    """Why `directory` may not be replaced, or None: it is missing, empty or exactly a render.

    A previous render is recognised by its manifest's content (MANIFEST_FORMAT), and holds
    nothing but the files that manifest lists: anything else there is someone else's.
    """
    if not directory.exists():
        return None
    entries = list(directory.iterdir())
    if not entries:
        return None
    manifest = directory / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        return f"is not empty and holds no {MANIFEST} of a render"
    try:
        if manifest.stat().st_size > _MAX_MANIFEST:
            raise ValueError("too large")
        data = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return f"holds a {MANIFEST} that is not a render's"
    listed = data.get("files") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(listed, dict):
        return f"holds a {MANIFEST} that install-contract did not write"
    own = {MANIFEST, *(p for p in listed if isinstance(p, str) and _safe_relative(p))}
    folders = {folder for p in own for folder in _ancestors(p.rpartition("/")[0])}
    strangers = _strangers(os.fspath(directory), own, folders)
    if strangers:
        shown = ", ".join(sorted(strangers)[:5]) + (" …" if len(strangers) > 5 else "")
        return f"holds what the last render did not write ({shown})"
    return None


# New files only (O_EXCL: nothing in staging is overwritten); not inherited by child processes.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _strangers(directory: str, own: set[str], folders: set[str]) -> list[str]:
    """What under `directory` is neither a file of `own` nor a folder of `folders` (a folder
    with a slash); a symbolic link always, never followed. Unreadable folders are passed over."""
    strangers = []
    pending = [("", directory)]
    while pending:
        base, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            relative = base + entry.name
            if entry.is_symlink():
                strangers.append(relative)
            elif entry.is_dir():
                if relative not in folders:
                    strangers.append(relative + "/")
                pending.append((relative + "/", entry.path))
            elif relative not in own:
                strangers.append(relative)
    return strangers


# While `write_tree` builds a render beside the previous one: (the staging folder, the previous
# render's folder), for `_write_file` to carry unchanged files over.
_CARRY: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("_CARRY", default=None)


def _write_file(path: str, data: bytes, mode: int) -> None:
    """Create `path` holding `data` with exactly `mode`: a hard link to the previous render's
    identical file when there is one (`_carried_over`), else written (the mode given at
    creation, set again only when the umask took bits away; fsync'ed where there is no
    syncfs(2) to sync the tree at once)."""
    carry = _CARRY.get()
    if carry is not None and _carried_over(path, data, mode, *carry):
        return
    fd = os.open(path, _CREATE, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if _syncfs() is None:
            os.fsync(fd)
        stripped = stat.S_IMODE(os.fstat(fd).st_mode) != mode
    finally:
        os.close(fd)
    if stripped:
        os.chmod(path, mode)


def _carried_over(path: str, data: bytes, mode: int, staging: str, previous: str) -> bool:
    """Link `path` to the previous render's file at the same place if that holds exactly `data`
    with exactly `mode`, is ours and linked nowhere else; False (nothing done) otherwise.

    Rendering the same contract again then writes no data, and removing the previous tree
    frees none: deleting ten thousand synced files took seconds, unlinking them milliseconds.
    The previous render is never changed (only its files' link counts).
    """
    old = previous + path[len(staging) :]
    try:
        info = os.lstat(old)
    except OSError:
        return False
    if (
        not stat.S_ISREG(info.st_mode)
        or stat.S_IMODE(info.st_mode) != mode
        or info.st_size != len(data)
        or info.st_nlink != 1
        or info.st_uid != getattr(os, "geteuid", lambda: info.st_uid)()
    ):
        return False
    try:
        with open(old, "rb", buffering=0) as handle:
            if handle.read(len(data) + 1) != data:
                return False
        os.link(old, path)
    except OSError:  # a file system without hard links, or one that refuses this one
        return False
    return True


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux syncfs(2): one call makes a whole tree durable, where an fsync per file costs a
    disk flush each (seconds for thousands of files). None where it is unavailable."""
    if sys.platform != "linux":
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # pragma: no cover - a libc without syncfs
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast("Callable[[int], int]", function)


def _sync_tree(root: Path, folders: Iterable[Path]) -> None:
    """Make what was written under `root` durable: its file system at once, or folder by folder
    (each file was synced as it was written)."""
    syncfs = _syncfs()
    if syncfs is None:
        for folder in sorted(folders, reverse=True):
            _fsync_dir(folder)
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:  # pragma: no cover - an I/O error the disk reports
            import ctypes

            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(root))
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc < 2.28 or another libc
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # pragma: no cover - file system says no
        return False
    raise OSError(err, os.strerror(err), str(b))  # pragma: no cover


def _write_files(staging: Path, files: dict[str, bytes], previous: Path | None) -> set[Path]:
    """Write `files` under `staging` (_check_paths keeps every path inside it), carrying over
    the unchanged files of the render in `previous`; the folders made, `staging` included.
    Plain strings and os calls: pathlib's parsing cost more than the writing."""
    root = os.fspath(staging)
    made = {""}
    token = _CARRY.set((root, os.fspath(previous)) if previous is not None else None)
    try:
        for relative, data in files.items():
            folder = relative.rpartition("/")[0]
            if folder not in made:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                made.update(_ancestors(folder))
            _write_file(os.path.join(root, relative), data, 0o755 if relative.endswith(".sh") else 0o644)
    finally:
        _CARRY.reset(token)
    return {staging / folder if folder else staging for folder in made}


def _ancestors(folder: str) -> list[str]:
    """`a/b/c` -> `a/b/c`, `a/b`, `a`; `` (the top) -> none."""
    if not folder:
        return []
    parts = folder.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


def write_tree(out_dir: str | os.PathLike[str], files: dict[str, bytes]) -> None:
    """Replace `out_dir` with exactly `files`, all at once.

    The tree is written and synced beside it, then swapped in: on Linux in one atomic step
    (renameat2 RENAME_EXCHANGE), elsewhere with two renames, between which DIR is briefly
    absent. A reader sees the old output or the new one, never a mix. A directory that holds
    anything but a previous render (see `previous_render_problem`) is refused, nothing deleted.
    """
    target = Path(out_dir)
    if target.is_symlink():
        raise UsageError(f"{target}: is a symbolic link; give the directory it points to")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a directory")
    _check_paths(files)
    problem = previous_render_problem(target)
    if problem is not None:
        raise UsageError(f"{target}: {problem}; render into a new or empty directory")
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    old = parent / f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        # `target` is missing, empty or a previous render (previous_render_problem said so).
        folders = _write_files(staging, files, target.absolute() if target.is_dir() else None)
        _sync_tree(staging, folders)
        staging.chmod(0o755)
        if target.exists() and _exchange(staging, target):
            shutil.rmtree(staging)  # it holds the previous render now
        else:
            if target.exists():
                target.rename(old)
            staging.rename(target)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class Difference:
    """One file in which `out_dir` differs from a fresh render.

    `kind` says what rendering again would do to it: `changed` (replace it; `diff` is a unified
    diff from the file on disk to the new one), `added` (write it: it is missing), `removed`
    (delete it: the render no longer has it).
    """

    kind: str
    path: str
    diff: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}"


def differences(
    out_dir: str | os.PathLike[str], files: dict[str, bytes], *, masked: Sequence[str] = ()
) -> list[Difference]:
    """What differs between `out_dir` and a fresh render, in the render's file order, then the
    removed files sorted. Rendered files hold no secrets; a file on disk may have been edited
    by hand, so every value of `masked` is shown as **** in the diffs."""
    import difflib

    from contract.knowledge.secrets import mask

    root = Path(out_dir)
    on_disk = {
        p.relative_to(root).as_posix(): p for p in (root.rglob("*") if root.is_dir() else []) if p.is_file()
    }
    found = []
    for relative, data in files.items():
        if relative not in on_disk:
            found.append(Difference("added", relative))
            continue
        old = on_disk[relative].read_bytes()
        if old == data:
            continue
        shown = os.path.join(os.fspath(out_dir), relative)
        lines = difflib.unified_diff(
            mask(old.decode("utf-8", errors="replace"), masked).splitlines(keepends=True),
            mask(data.decode("utf-8", errors="replace"), masked).splitlines(keepends=True),
            fromfile=f"{shown} (on disk)",
            tofile=f"{shown} (rendered)",
        )
        found.append(Difference("changed", relative, "".join(_ended(line) for line in lines)))
    found += [Difference("removed", relative) for relative in sorted(set(on_disk) - set(files))]
    return found


def _ended(line: str) -> str:
    # difflib leaves the last line of a file without a newline as it is; say so, as diff does.
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
