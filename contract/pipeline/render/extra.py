"""The `--keep-extra` side file, read back and merged into the LiteLLM config `render` writes.

The file is a LiteLLM config without `model_list`: its top-level sections
(`router_settings`, `litellm_settings`, `general_settings`, …) go into `config.yaml` as they
are, except that `general_settings.master_key` is always render's own
(`os.environ/LITELLM_MASTER_KEY`). `model_extras: {NAME: {litellm_params: {…}, model_info: {…}}}`
adds keys to the rendered entry NAME; a key the contract renders itself keeps the contract's
value. A literal value under a secret-looking key is refused: write it as `os.environ/VAR`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.errors import InputError, UsageError
from contract.knowledge.litellm import ENV_PREFIX

# The side file's per-model section (`import litellm --keep-extra` writes it).
EXTRA_MODELS_KEY = "model_extras"


@dataclass(frozen=True)
class LitellmExtra:
    """A read side file: the sections to add and each model's extra keys."""

    file: str
    sections: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    raw: bytes = b""


def _secret_literals(value: Any, path: str) -> list[str]:
    from contract.knowledge.secrets import is_secret_key

    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if is_secret_key(key) and not (
                item is None
                or isinstance(item, bool)
                or (isinstance(item, str) and (not item or item.startswith(ENV_PREFIX)))
            ):
                found.append(where)
            else:
                found.extend(_secret_literals(item, where))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_secret_literals(item, f"{path}[{i}]"))
    return found


def read_extra(path: str) -> LitellmExtra:
    """Read and check the side file. InputError when unreadable or not YAML; UsageError when
    its shape is wrong (named by key) or it holds a literal secret."""
    document = read_config(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:  # pragma: no cover - read a moment ago
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if document is None:
        return LitellmExtra(path, raw=raw)
    if not isinstance(document, Mapping):
        raise UsageError(f"--litellm-extra {path}: is not a mapping of LiteLLM config sections")
    if "model_list" in document:
        raise UsageError(
            f"--litellm-extra {path}: holds model_list; the models come from the contract "
            f"(per-model keys go under {EXTRA_MODELS_KEY}: NAME: litellm_params/model_info)"
        )
    secrets = _secret_literals(document, "")
    if secrets:
        raise UsageError(
            f"--litellm-extra {path}: {', '.join(secrets)} holds a literal secret; write it as os.environ/VAR"
        )
    models = document.get(EXTRA_MODELS_KEY) or {}
    if not isinstance(models, Mapping):
        raise UsageError(f"--litellm-extra {path}: {EXTRA_MODELS_KEY} is not a mapping of model names")
    for name, parts in models.items():
        if not isinstance(parts, Mapping) or any(
            k not in ("litellm_params", "model_info") or not isinstance(v, Mapping) for k, v in parts.items()
        ):
            raise UsageError(
                f"--litellm-extra {path}: {EXTRA_MODELS_KEY}.{name} may hold only litellm_params and model_info mappings"
            )
    sections = {str(k): v for k, v in document.items() if k != EXTRA_MODELS_KEY}
    general = sections.get("general_settings")
    if general is not None and not isinstance(general, Mapping):
        raise UsageError(f"--litellm-extra {path}: general_settings is not a mapping")
    return LitellmExtra(path, sections, {str(k): v for k, v in models.items()}, raw)


def merge_models(model_list: list[dict[str, Any]], extra: LitellmExtra) -> list[dict[str, Any]]:
    """`model_list` with each model's extra keys added (the contract's keys win).

    UsageError when the side file names a model the contract does not have.
    """
    names = {m["model_name"] for m in model_list}
    unknown = sorted(set(extra.models) - names)
    if unknown:
        raise UsageError(
            f"--litellm-extra {extra.file}: {EXTRA_MODELS_KEY} names {', '.join(unknown)}, not in the contract"
        )
    merged = []
    for model in model_list:
        parts = extra.models.get(model["model_name"], {})
        if parts:
            model = dict(model)
            for part in ("litellm_params", "model_info"):
                added = parts.get(part) or {}
                model[part] = {**model[part], **{k: v for k, v in added.items() if k not in model[part]}}
        merged.append(model)
    return merged


def settings(master_key_env: str, extra: LitellmExtra | None) -> dict[str, Any]:
    """The config's top-level keys after model_list: the side file's sections, general_settings
    with render's master key first."""
    sections = dict(extra.sections) if extra is not None else {}
    general = dict(sections.pop("general_settings", None) or {})
    general.pop("master_key", None)
    out: dict[str, Any] = {"general_settings": {"master_key": f"{ENV_PREFIX}{master_key_env}", **general}}
    return {**out, **sections}


def variables(extra: LitellmExtra) -> set[str]:
    """Every `os.environ/VAR` the side file reads (LiteLLM resolves them at start)."""
    from contract.knowledge.litellm import env_name

    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            name = env_name(value)
            if name is not None:
                found.add(name)

    walk(extra.sections)
    walk(extra.models)
    return found


def read_config(path: str) -> Any:
    """The LiteLLM config at `path`, read with the contract's own hardened loader (no tags
    constructed, alias bombs and deep nesting refused, YAML 1.2 scalars). InputError when it
    cannot be read or is not YAML, with the line and column of the first problem."""
    from contract.knowledge.secrets import mask
    from contract.pipeline import load as _yaml

    try:
        with open(path, "rb") as handle:
            raw = handle.read(_yaml.MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    text, problem = _yaml.decode(raw)
    secrets: set[str] = set()
    if text is not None:
        document = _yaml.load(text)
        secrets = document.secrets
        problem = document.problems[0] if document.problems else None
    if problem is not None or text is None:
        assert problem is not None
        where = f"{path}:{problem.mark.line}:{problem.mark.column}"
        raise InputError(f"{where}: not a readable LiteLLM config: {mask(problem.message, secrets)}")
    return document.data
