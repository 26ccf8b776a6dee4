"""Compile a valid contract into the artifacts its consumers read.

| target | file(s) under --out | read by |
|---|---|---|
| litellm | litellm/config.yaml | the LiteLLM proxy |
| vllm | vllm/<name>.argv.json, vllm/<name>.sh | `vllm serve` |
| helm-platform | helm/platform/<name>.values.yaml | the platform's vLLM chart |
| helm-production-stack | helm/production-stack.values.yaml | vllm-project/production-stack |
| helm-litellm | helm/litellm.values.yaml | LiteLLM's Helm chart |

plus manifest.json (tool version, contract sha256, every file's sha256). The same contract
gives the same bytes; the output directory is replaced whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contract import __version__
from contract.errors import UsageError
from contract.model import ModelEntry
from contract.render import _views as views
from contract.validate import TypedContract

TARGETS = ("litellm", "vllm", "helm-platform", "helm-production-stack", "helm-litellm")
# Targets that only exist for entries with a `vllm:` block.
SELF_HOSTED_TARGETS = frozenset({"vllm", "helm-platform", "helm-production-stack"})
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Rendering:
    files: dict[str, bytes]  # relative path -> bytes, manifest.json included
    targets: tuple[str, ...]
    env: views.EnvNeeds


def render(
    contract: TypedContract,
    *,
    source_name: str,
    source_bytes: bytes,
    targets: Sequence[str] | None = None,
    templates: str | None = None,
    catalog_path: str | None = None,
) -> Rendering:
    from contract.catalog import load_catalog
    from contract.render._jinja import environment

    models = list(contract.models)
    served = [m for m in models if m.vllm is not None]
    chosen = _targets(targets, bool(served))
    env = environment(templates)
    catalog = load_catalog(catalog_path)
    needs = views.EnvNeeds()
    common = {"version": __version__, "source": source_name}

    def facts_tools(entry: ModelEntry) -> bool:
        facts = None if entry.vllm else catalog.lookup(entry.litellm_model, base_model=entry.base_model)
        return views.tool_calling(
            entry, contract.feature_flags, facts.supports_tool_calling if facts else None
        )

    model_list = [views.litellm_entry(m, facts_tools(m), needs) for m in models]
    context = {
        **common,
        "models": model_list,
        "master_key_env": views.MASTER_KEY_ENV,
        "secret": views.litellm_secret(contract.platform),
        "env": needs.all(),
    }
    files: dict[str, str] = {}
    if "litellm" in chosen:
        files["litellm/config.yaml"] = env.get_template("litellm/config.yaml.j2").render(context)
    if "helm-litellm" in chosen:
        proxy_config = {
            "model_list": model_list,
            "general_settings": {"master_key": f"os.environ/{views.MASTER_KEY_ENV}"},
        }
        files["helm/litellm.values.yaml"] = env.get_template("helm/litellm.values.yaml.j2").render(
            context, proxy_config=proxy_config
        )
    for entry in served:
        name = entry.litellm_model_name
        if "vllm" in chosen:
            argv = views.vllm_argv(entry)
            files[f"vllm/{name}.argv.json"] = env.get_template("vllm/argv.json.j2").render(common, argv=argv)
            files[f"vllm/{name}.sh"] = env.get_template("vllm/serve.sh.j2").render(
                common, argv=argv, name=name
            )
        if "helm-platform" in chosen:
            values = views.platform_values(entry)
            keys = [v["key"] for k, v in values.items() if k.endswith("Secret")]
            files[f"helm/platform/{name}.values.yaml"] = env.get_template(
                "helm/platform.values.yaml.j2"
            ).render(
                common, values=values, name=name, secret=views.credentials_secret(entry), secret_keys=keys
            )
    if "helm-production-stack" in chosen and served:
        specs = [views.production_stack_spec(e) for e in served]
        api_key = views.production_stack_api_key(served)
        secrets = sorted(
            {spec["hf_token"]["secretName"] for spec in specs if "hf_token" in spec}
            | ({api_key["secretName"]} if api_key else set())
        )
        files["helm/production-stack.values.yaml"] = env.get_template(
            "helm/production-stack.values.yaml.j2"
        ).render(common, specs=specs, api_key=api_key, secrets=secrets)
    encoded = {path: text.encode("utf-8") for path, text in sorted(files.items())}
    encoded[MANIFEST] = _manifest(source_name, source_bytes, chosen, needs, encoded)
    return Rendering(encoded, chosen, needs)


def _targets(requested: Sequence[str] | None, self_hosted: bool) -> tuple[str, ...]:
    if not requested:
        return tuple(t for t in TARGETS if self_hosted or t not in SELF_HOSTED_TARGETS)
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
) -> bytes:
    manifest = {
        "tool": "install-contract",
        "version": __version__,
        "contract": {"file": source_name, "sha256": _sha256(source_bytes)},
        "targets": list(targets),
        "environment": needs.all(),
        "files": {path: _sha256(data) for path, data in files.items()},
    }
    return (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode("utf-8")


# -- output -----------------------------------------------------------------------------------


def _is_render_output(directory: Path) -> bool:
    return not directory.exists() or not any(directory.iterdir()) or (directory / MANIFEST).is_file()


def write_tree(out_dir: str | os.PathLike[str], files: dict[str, bytes]) -> None:
    """Replace `out_dir` with exactly `files`, all at once.

    The tree is written beside it and swapped in with two renames, so an interrupted render
    leaves the old output or the new one, never a mix. A directory that holds something
    other than a previous render is refused rather than replaced.
    """
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a directory")
    if not _is_render_output(target):
        raise UsageError(
            f"{target}: is not empty and holds no {MANIFEST}; render into a new or empty directory"
        )
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    old = parent / f".{target.name}.old-{staging.name.rsplit('-', 1)[-1]}"
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if relative.endswith(".sh"):
                path.chmod(0o755)
        staging.chmod(0o755)
        if target.exists():
            target.rename(old)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def stale_files(out_dir: str | os.PathLike[str], files: dict[str, bytes]) -> list[str]:
    """What differs between `out_dir` and a fresh render: `changed: …`, `missing: …`, `extra: …`."""
    root = Path(out_dir)
    on_disk = {
        p.relative_to(root).as_posix(): p for p in (root.rglob("*") if root.is_dir() else []) if p.is_file()
    }
    problems = []
    for relative, data in files.items():
        if relative not in on_disk:
            problems.append(f"missing: {relative}")
        elif on_disk[relative].read_bytes() != data:
            problems.append(f"changed: {relative}")
    problems += [f"extra: {relative}" for relative in sorted(set(on_disk) - set(files))]
    return problems
