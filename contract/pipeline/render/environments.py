"""`render --env NAME` / `--all-envs`: each environment's artifacts under `<out>/<env>/`.

An environment's folder is exactly what `render` writes for that environment's resolved
contract on its own: `resolved_text` is that contract (the file `install-contract resolve
--env NAME` prints, named `<stem>.<env>.yaml`), and its manifest.json records it as the
source. A manifest.json at the top lists every file, so a later render may replace the tree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contract import __version__
from contract.errors import UsageError

if TYPE_CHECKING:
    from contract.pipeline.validate import Result

__all__ = ["choose", "render_environments", "resolved_name", "resolved_text"]


def choose(declared: Sequence[str], wanted: Sequence[str], every: bool) -> tuple[str, ...]:
    """The environments `--env`/`--all-envs` name, checked against those the file declares."""
    from contract.knowledge.catalog import nearest

    if every:
        if not declared:
            raise UsageError("--all-envs: the contract declares no environments: (see README, Environments)")
        return tuple(declared)
    for name in wanted:
        if name not in declared:
            near = nearest(name, list(declared)) if declared else None
            known = ", ".join(declared) if declared else "none"
            hint = f"did you mean {near}? " if near else ""
            raise UsageError(
                f"--env {name}: the contract declares no such environment ({hint}environments: {known})"
            )
    return tuple(dict.fromkeys(wanted))


def resolved_name(file_name: str, env: str) -> str:
    """`install-contract.yaml` + `prod` -> `install-contract.prod.yaml`."""
    base = os.path.basename(file_name) if file_name not in ("-", "<stdin>") else "install-contract.yaml"
    stem, dot, ext = base.rpartition(".")
    return f"{stem}.{env}.{ext}" if dot and stem else f"{base}.{env}.yaml"


def resolved_text(text: str, env: str, file_name: str = "install-contract.yaml") -> str:
    """The contract of environment `env` as a file of its own (deterministic YAML)."""
    from contract.pipeline.environments import resolve
    from contract.pipeline.load import load
    from contract.pipeline.render.yamlout import block

    doc = load(text)
    if not doc.ok or not isinstance(doc.data, dict):
        raise UsageError(f"{file_name}: cannot be read as a contract; run validate")
    try:
        resolved = resolve(doc.data, env)
    except KeyError:
        raise UsageError(f"--env {env}: the contract declares no such environment") from None
    header = (
        f"# {os.path.basename(file_name)}, environment {env}: resolved by install-contract {__version__}.\n"
        "# Generated: edit the source contract, not this file.\n"
    )
    return header + block(resolved.data) + "\n"


def render_environments(
    result: Result,
    text: str,
    file_name: str,
    envs: Sequence[str],
    raw: bytes,
    *,
    warnings: list[str] | None = None,
    **options: Any,
) -> dict[str, bytes]:
    """Every chosen environment rendered under `<env>/`, plus a manifest.json listing them.

    `result` is the validation Result (its `environments` hold the typed contracts); `options`
    go to `contract.pipeline.render.render` (targets, templates, catalog_path, registry, ...). Each
    rendering's warnings are appended to `warnings`, named after their environment."""
    from contract.pipeline.render import MANIFEST, MANIFEST_FORMAT, render

    files: dict[str, bytes] = {}
    for env in envs:
        contract = result.environments.get(env)
        if contract is None:
            raise UsageError(f"environment {env} has errors; nothing was rendered")
        source = resolved_text(text, env, file_name)
        rendering = render(
            contract,
            source_name=resolved_name(file_name, env),
            source_bytes=source.encode("utf-8"),
            **options,
        )
        for path, data in rendering.files.items():
            files[f"{env}/{path}"] = data
        if warnings is not None:
            warnings.extend(f"environment {env}: {warning}" for warning in rendering.warnings)
    files[MANIFEST] = top_manifest(file_name, raw, envs, files, MANIFEST_FORMAT)
    return files


def top_manifest(
    file_name: str, raw: bytes, envs: Sequence[str], files: Mapping[str, bytes], fmt: str
) -> bytes:
    manifest: dict[str, object] = {
        "format": fmt,
        "tool": "install-contract",
        "version": __version__,
        "contract": {"file": os.path.basename(file_name), "sha256": hashlib.sha256(raw).hexdigest()},
        "environments": list(envs),
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())},
    }
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
