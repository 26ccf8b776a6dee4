"""`environments:`: one contract, resolved for each place the platform is installed.

`models:`, `featureFlags:` and `platform:` are the base. An environment may keep some models
(`only:`) or drop some (`except:`), change any field of a model (`overrides:` keyed by
litellmModelName), set `platform:` and `featureFlags:` differently, and give values to
`${VAR}` names that are not secrets (`variables:`). Resolving is pure: plain data in, plain
data out, and the result is a contract without `environments:` that validates and renders
like any other.

Merging: maps merge key by key, a list or a scalar replaces, `null` removes the field. A
`${VAR}` named in `variables:` is replaced by its value wherever it stands, except in a
secret field (a secret stays a reference to the environment; IC702).

`Resolved.origin(path)` says where a value of the resolved contract was written: in the
environment's override when it set the value, else in the base. Validation uses it to point
a diagnostic of an environment at the override's own line (`contract.pipeline.validate`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contract.diagnostics import Path
from contract.knowledge import envref, secrets

__all__ = ["Resolved", "environment_names", "resolve", "substitute"]

# Blocks an environment changes by merging: resolved key -> key in the environment.
_MERGED = {"platform": "platform", "featureFlags": "featureFlags"}


def environment_names(data: Any) -> list[str]:
    """The environments a contract declares, in the file's order (none when it has none)."""
    envs = data.get("environments") if isinstance(data, dict) else None
    return [str(name) for name in envs] if isinstance(envs, dict) else []


@dataclass(frozen=True)
class Resolved:
    """One environment's contract, and where each of its values came from."""

    name: str
    data: dict[str, Any]
    # resolved models[i] was base models[index[i]]
    index: tuple[int, ...]
    env: Mapping[str, Any]

    def origin(self, path: Path) -> Path:
        """The path in the original document of the value at `path` of the resolved contract."""
        own: Path = ("environments", self.name)
        if len(path) >= 2 and path[0] == "models" and isinstance(path[1], int):
            if not 0 <= path[1] < len(self.index):
                return path[:1]
            entry = self.data["models"][path[1]]
            name = entry.get("litellmModelName") if isinstance(entry, dict) else None
            overrides = self.env.get("overrides")
            override = overrides.get(name) if isinstance(overrides, dict) and isinstance(name, str) else None
            base: Path = ("models", self.index[path[1]], *path[2:])
            if isinstance(override, dict) and isinstance(name, str) and path[2:]:
                return _pick(override, path[2:], (*own, "overrides", name), base)
            return base
        if path and path[0] in _MERGED:
            block = self.env.get(_MERGED[str(path[0])])
            if isinstance(block, dict) and path[1:]:
                return _pick(block, path[1:], (*own, _MERGED[str(path[0])]), path)
            if block is not None and not isinstance(block, dict):
                return (*own, _MERGED[str(path[0])], *path[1:])
        return path


def _pick(override: Any, rest: Path, prefix: Path, base: Path) -> Path:
    """`prefix + rest` when the override set the value at `rest` (or replaced a block above
    it with a list or scalar), else `base`."""
    node = override
    for part in rest:
        if isinstance(node, dict):
            if part not in node:
                return base
            node = node[part]
        else:
            return (*prefix, *rest)  # a list or scalar replaced whatever the base had here
    return (*prefix, *rest)


def resolve(data: Mapping[str, Any], name: str) -> Resolved:
    """The contract of environment `name`: the base with the environment's changes.

    Never raises for a malformed environment: what cannot be applied is left out (validation
    reports it on the environment itself). KeyError when `name` is not declared."""
    envs = data.get("environments")
    if not isinstance(envs, dict) or name not in envs:
        raise KeyError(name)
    env = envs[name] if isinstance(envs[name], dict) else {}
    variables = (
        {k: v for k, v in (env.get("variables") or {}).items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(env.get("variables"), dict)
        else {}
    )
    out: dict[str, Any] = {k: copy.deepcopy(v) for k, v in data.items() if k != "environments"}
    models = data.get("models")
    index: list[int] = []
    if isinstance(models, list):
        only = _names(env.get("only"))
        drop = _names(env.get("except")) or set()
        raw_overrides = env.get("overrides")
        overrides: dict[str, Any] = raw_overrides if isinstance(raw_overrides, dict) else {}
        kept = []
        for i, entry in enumerate(models):
            model = entry.get("litellmModelName") if isinstance(entry, dict) else None
            if only is not None and model not in only:
                continue
            if model in drop:
                continue
            resolved = copy.deepcopy(entry)
            if isinstance(model, str) and isinstance(entry, dict) and isinstance(overrides.get(model), dict):
                resolved = merge(entry, overrides[model])
            kept.append(substitute(resolved, variables))
            index.append(i)
        out["models"] = kept
    for key, env_key in _MERGED.items():
        if env_key in env and env[env_key] is not None:
            base = data.get(key)
            out[key] = merge(base, env[env_key]) if isinstance(base, dict) else copy.deepcopy(env[env_key])
    if isinstance(out.get("platform"), dict):
        out["platform"] = substitute(out["platform"], variables)
    return Resolved(name, out, tuple(index), env)


def _names(value: Any) -> set[str] | None:
    if not isinstance(value, list):
        return None
    return {v for v in value if isinstance(v, str)}


def merge(base: Any, override: Any) -> Any:
    """`override` over `base`: maps merge key by key, anything else replaces, null removes."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    out = {k: copy.deepcopy(v) for k, v in base.items()}
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def substitute(node: Any, variables: Mapping[str, str], key: Any = None) -> Any:
    """`node` with each `${VAR}` named in `variables` replaced by its value, outside secrets."""
    if not variables:
        return node
    if secrets.is_secret_key(key):
        return node
    if isinstance(node, dict):
        return {k: substitute(v, variables, k) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, variables, key) for v in node]
    if isinstance(node, str) and "${" in node:
        return envref.expand(node, variables, unset="keep")
    return node


def secret_references(data: Any) -> Iterator[str]:
    """Every `${VAR}` that stands in a secret position of the contract's models."""
    for entry in data.get("models") or [] if isinstance(data, dict) else []:
        if isinstance(entry, dict):
            yield from _secret_refs(entry, None)


def _secret_refs(node: Any, key: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _secret_refs(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _secret_refs(v, key)
    elif isinstance(node, str) and secrets.is_secret_key(key):
        yield from envref.refs(node)
