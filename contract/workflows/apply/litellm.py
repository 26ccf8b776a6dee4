"""LiteLLM on Kubernetes: the Secret, the ConfigMap and a roll of the Deployment.

    desired_litellm   contract + rendered config.yaml + environment -> the three objects (pure)
    observe_litellm   read them from the namespace
    diff_litellm      -> changes and warnings (pure)
    apply_litellm     write only what differs (field manager `install-contract`)

- **Secret** (`platform.litellm.secret`, default litellm-credentials): one key per variable the
  config reads (`os.environ/VAR`), valued from the environment; a literal key left in the contract
  goes in under the variable `render` named for it. LITELLM_MASTER_KEY only when it is set:
  otherwise the plan warns, and whatever the Secret holds for it is left alone. Keys this tool
  wrote earlier and the config no longer reads are removed; keys written by others are kept
  (the annotation `install-contract/secret-keys` records which are ours).
- **ConfigMap** (`platform.litellm.configMap`, default litellm-config): `config.yaml` is byte for
  byte `render`'s LiteLLM config. It names variables only, never a value.
- **Deployment** (`platform.litellm.deployment`, default litellm): only its pod template's
  annotations `install-contract/config-sha256` (the config's sha256) and
  `install-contract/secret-version` (the Secret's resourceVersion) are set, so that the proxy
  rolls when its config or its keys change; every other field is left as it is. A missing
  Deployment is a warning, not a failure.

kmock 0.8 has no server-side apply, and a no-op apply would be a write anyway: objects are read,
compared, and written with create or a JSON merge patch only when they differ.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.errors import UsageError
from contract.knowledge import envref
from contract.knowledge.litellm import ENV_PREFIX, MASTER_KEY_ENV
from contract.knowledge.naming import snake
from contract.knowledge.secrets import SECRET_FIELDS, refuse_header_value
from contract.pipeline.model import Litellm as LitellmSettings
from contract.pipeline.model import ModelEntry, Platform
from contract.workflows.apply.changes import Action, Change, FieldDiff
from contract.workflows.apply.desired import ContractLike
from contract.workflows.managed import MANAGED_BY, MANAGED_LABEL

if TYPE_CHECKING:
    from contract.clients.kube import Kube

__all__ = [
    "CONFIG_KEY",
    "CONFIG_SHA_ANNOTATION",
    "FIELD_MANAGER",
    "DesiredLitellm",
    "ObservedLitellm",
    "apply_litellm",
    "desired_litellm",
    "diff_litellm",
    "observe_litellm",
]

FIELD_MANAGER = "install-contract"
CONFIG_KEY = "config.yaml"
CONFIG_SHA_ANNOTATION = "install-contract/config-sha256"
SECRET_VERSION_ANNOTATION = "install-contract/secret-version"
SECRET_KEYS_ANNOTATION = "install-contract/secret-keys"
MANAGED_LABELS = {MANAGED_LABEL: MANAGED_BY}


@dataclass(frozen=True)
class DesiredLitellm:
    """The objects LiteLLM needs. `secret_data` holds key values: it is never shown (no repr)."""

    secret_name: str
    config_map_name: str
    deployment_name: str
    config_yaml: str = field(repr=False)
    config_sha256: str
    secret_data: Mapping[str, str] = field(repr=False)
    # Keys to leave as they are in the Secret (LITELLM_MASTER_KEY when it is not set here).
    untouched_keys: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObservedLitellm:
    """What the namespace holds. `secret_data` is decoded and never shown (no repr)."""

    namespace: str
    secret_data: Mapping[str, str] | None = field(default=None, repr=False)  # None: no Secret
    secret_keys: frozenset[str] = frozenset()  # keys this tool wrote (its annotation)
    secret_version: str | None = None
    config_map_data: Mapping[str, str] | None = None  # None: no ConfigMap
    deployment_found: bool = False
    pod_annotations: Mapping[str, str] = field(default_factory=dict)


def settings_of(platform: Platform | None) -> LitellmSettings:
    if platform is not None and platform.litellm is not None:
        return platform.litellm
    return LitellmSettings()


# -- desired ------------------------------------------------------------------------------------


def _env_refs(node: Any) -> Iterator[str]:
    """Every variable the LiteLLM config reads: values that are exactly `os.environ/NAME`."""
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _env_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _env_refs(value)
    elif isinstance(node, str) and node.startswith(ENV_PREFIX):
        yield node[len(ENV_PREFIX) :]


def config_variables(config_yaml: str) -> list[str]:
    """The variables of the rendered config, sorted."""
    from ruamel.yaml import YAML

    return sorted(set(_env_refs(YAML(typ="safe", pure=True).load(config_yaml))))


def literal_secrets(models: Sequence[ModelEntry]) -> dict[str, str]:
    """Literal keys left in the contract, under the variable `render` names for each
    (`gpt-4o` apiKey -> GPT_4O_API_KEY)."""
    found: dict[str, str] = {}
    for entry in models:
        for field_name in SECRET_FIELDS:
            secret = getattr(entry, snake(field_name))
            value = secret.get_secret_value() if secret is not None else ""
            if value.strip() and envref.whole_ref(value) is None:
                found[envref.literal_var(entry.litellm_model_name, field_name)] = value
    return found


def desired_litellm(
    contract: ContractLike,
    config_yaml: str,
    env: Mapping[str, str],
    settings: LitellmSettings | None = None,
    *,
    allow_unset: bool = False,
) -> DesiredLitellm:
    """The Secret, ConfigMap and Deployment annotation for `config_yaml` (render's LiteLLM config).

    Raises UsageError naming a variable the config reads that is neither set nor a literal of
    the contract (validation with IC304 catches this first). With `allow_unset` (`plan`, which
    needs no data-plane key) such a variable is a warning and its Secret key is left as it is.
    """
    settings = settings or settings_of(contract.platform)
    literals = literal_secrets(contract.models)
    data: dict[str, str] = {}
    untouched: set[str] = set()
    warnings: list[str] = []
    unset: list[str] = []
    for name in config_variables(config_yaml):
        if name in literals:
            data[name] = literals[name]
        elif env.get(name):
            # a trailing newline from `$(cat key-file)` would reach every request LiteLLM sends
            refuse_header_value(env[name], f"${name} (a key of the LiteLLM Secret {settings.secret})")
            data[name] = env[name]
        elif name == MASTER_KEY_ENV:
            untouched.add(name)
            warnings.append(
                f"{MASTER_KEY_ENV} is not set: the Secret {settings.secret} gets no master key, so the "
                "LiteLLM deployment must provide it (what the Secret holds for it is left as it is)"
            )
        elif allow_unset:
            untouched.add(name)
            warnings.append(f"Secret key {name}: unset; apply will refuse")
        else:
            unset.append(name)
    if unset:
        raise UsageError(
            f"the LiteLLM config reads {', '.join(unset)}, which {'is' if len(unset) == 1 else 'are'} "
            "not set: export them before apply"
        )
    return DesiredLitellm(
        secret_name=settings.secret,
        config_map_name=settings.config_map,
        deployment_name=settings.deployment,
        config_yaml=config_yaml,
        config_sha256=hashlib.sha256(config_yaml.encode("utf-8")).hexdigest(),
        secret_data=data,
        untouched_keys=frozenset(untouched),
        warnings=tuple(warnings),
    )


# -- observe ------------------------------------------------------------------------------------


def _paths(namespace: str, desired_names: tuple[str, str, str]) -> tuple[str, str, str]:
    secret, config_map, deployment = desired_names
    core = f"/api/v1/namespaces/{namespace}"
    return (
        f"{core}/secrets/{secret}",
        f"{core}/configmaps/{config_map}",
        f"/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}",
    )


def _decode(value: Any) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        # Not ours to read; it simply differs from any value we would write.
        return "\0undecodable"


def _annotations(obj: Mapping[str, Any] | None) -> dict[str, str]:
    meta = (obj or {}).get("metadata") or {}
    return {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}


def observe_litellm(kube: Kube, namespace: str, settings: LitellmSettings | None = None) -> ObservedLitellm:
    """Read the Secret, the ConfigMap and the Deployment's pod-template annotations."""
    settings = settings or LitellmSettings()
    secret_path, config_map_path, deployment_path = _paths(
        namespace, (settings.secret, settings.config_map, settings.deployment)
    )
    secret = kube.get(secret_path)
    config_map = kube.get(config_map_path)
    deployment = kube.get(deployment_path)
    secret_data = None
    secret_keys: frozenset[str] = frozenset()
    secret_version = None
    if secret is not None:
        secret_data = {str(k): _decode(v) for k, v in (secret.get("data") or {}).items()}
        listed = _annotations(secret).get(SECRET_KEYS_ANNOTATION, "")
        secret_keys = frozenset(k for k in listed.split(",") if k)
        secret_version = (secret.get("metadata") or {}).get("resourceVersion")
    template = ((deployment or {}).get("spec") or {}).get("template") or {}
    return ObservedLitellm(
        namespace=namespace,
        secret_data=secret_data,
        secret_keys=secret_keys,
        secret_version=secret_version,
        config_map_data=None
        if config_map is None
        else {str(k): str(v) for k, v in (config_map.get("data") or {}).items()},
        deployment_found=deployment is not None,
        pod_annotations=_annotations(template),
    )


# -- diff ---------------------------------------------------------------------------------------


def _secret_fields(desired: DesiredLitellm, observed: ObservedLitellm) -> tuple[str, ...]:
    """Names of the Secret's keys to write or remove (never their values)."""
    current = observed.secret_data or {}
    changed = {k for k, v in desired.secret_data.items() if current.get(k) != v}
    stale = {
        k for k in observed.secret_keys if k in current and k not in desired.secret_data
    } - desired.untouched_keys
    fields = sorted(changed | stale)
    if set(desired.secret_data) != observed.secret_keys and not fields:
        fields = [SECRET_KEYS_ANNOTATION]
    return tuple(fields)


def _secret_version_after(desired: DesiredLitellm, observed: ObservedLitellm) -> str | None:
    """The Secret's resourceVersion once the plan ran: unknown (None) when it will be written."""
    if observed.secret_data is None or _secret_fields(desired, observed):
        return None
    return observed.secret_version


def _secret_diff(
    desired: DesiredLitellm, observed: ObservedLitellm, fields: Sequence[str]
) -> tuple[FieldDiff, ...]:
    """Which keys are added, changed or removed: names only, never a value."""
    current = observed.secret_data or {}
    out = []
    for key in fields:
        if key == SECRET_KEYS_ANNOTATION:
            continue
        how = "added" if key not in current else "removed" if key not in desired.secret_data else "changed"
        out.append(FieldDiff(key, secret=True, how=how))
    return tuple(out)


def config_diff(old: str, new: str) -> str:
    """A unified diff of config.yaml (it names variables, never a value)."""
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), CONFIG_KEY, CONFIG_KEY, n=1
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _deployment_fields(desired: DesiredLitellm, observed: ObservedLitellm) -> tuple[str, ...]:
    annotations = observed.pod_annotations
    fields = []
    if annotations.get(CONFIG_SHA_ANNOTATION) != desired.config_sha256:
        fields.append(CONFIG_SHA_ANNOTATION)
    version = _secret_version_after(desired, observed)
    if version is None or annotations.get(SECRET_VERSION_ANNOTATION) != version:
        fields.append(SECRET_VERSION_ANNOTATION)
    return tuple(fields)


def _secret_change(desired: DesiredLitellm, observed: ObservedLitellm) -> Change:
    if observed.secret_data is None:
        keys = tuple(sorted(desired.secret_data))
        added = tuple(FieldDiff(k, secret=True, how="added") for k in keys)
        return Change("kubernetes", "secret", desired.secret_name, "create", keys, diff=added)
    fields = _secret_fields(desired, observed)
    return Change(
        "kubernetes",
        "secret",
        desired.secret_name,
        "update" if fields else "keep",
        fields,
        diff=_secret_diff(desired, observed, fields),
    )


def _config_map_change(desired: DesiredLitellm, observed: ObservedLitellm) -> Change:
    if observed.config_map_data is None:
        diff = (FieldDiff(CONFIG_KEY, None, desired.config_yaml),)
        return Change("kubernetes", "configmap", desired.config_map_name, "create", (CONFIG_KEY,), diff=diff)
    old = observed.config_map_data.get(CONFIG_KEY)
    if old != desired.config_yaml:
        diff = (FieldDiff(CONFIG_KEY, old, desired.config_yaml),)
        return Change("kubernetes", "configmap", desired.config_map_name, "update", (CONFIG_KEY,), diff=diff)
    return Change("kubernetes", "configmap", desired.config_map_name, "keep")


def _deployment_change(desired: DesiredLitellm, observed: ObservedLitellm) -> Change:
    fields = _deployment_fields(desired, observed)
    action: Action = "update" if fields else "keep"
    note = "rolls the LiteLLM pods" if fields else ""
    after = {
        CONFIG_SHA_ANNOTATION: desired.config_sha256,
        SECRET_VERSION_ANNOTATION: _secret_version_after(desired, observed) or "(known after apply)",
    }
    values = tuple(FieldDiff(f, observed.pod_annotations.get(f), after[f]) for f in fields)
    return Change("kubernetes", "deployment", desired.deployment_name, action, fields, note, values)


def diff_litellm(desired: DesiredLitellm, observed: ObservedLitellm) -> tuple[list[Change], list[str]]:
    """Changes to the Secret, the ConfigMap and the Deployment, and plan-time warnings. Pure."""
    changes = [_secret_change(desired, observed), _config_map_change(desired, observed)]
    warnings = list(desired.warnings)
    if observed.deployment_found:
        changes.append(_deployment_change(desired, observed))
    else:
        warnings.append(
            f"Deployment {desired.deployment_name} not found in namespace {observed.namespace}: the "
            f"ConfigMap and Secret are written, but nothing restarts LiteLLM (set platform.litellm.deployment)"
        )
    return changes, warnings


# -- apply --------------------------------------------------------------------------------------


def _b64(value: str) -> str:
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def _managed(path: str) -> str:
    # Every write names its field manager, so that `kubectl` shows who owns the fields.
    return f"{path}?fieldManager={FIELD_MANAGER}"


def _create_or_patch(
    kube: Kube, collection: str, path: str, body: dict[str, Any], patch: dict[str, Any]
) -> dict[str, Any]:
    from contract.clients.kube import KubeConflict

    try:
        return kube.create(_managed(collection), body)
    except KubeConflict:
        # Created since it was read (another run, or a create whose answer was lost): patch it.
        return kube.patch(_managed(path), patch)


def apply_litellm(kube: Kube, desired: DesiredLitellm, observed: ObservedLitellm) -> None:
    """Write the Secret, then the ConfigMap, then roll the Deployment: each only if it differs."""
    namespace = observed.namespace
    secret_path, config_map_path, deployment_path = _paths(
        namespace, (desired.secret_name, desired.config_map_name, desired.deployment_name)
    )
    secret_version = observed.secret_version
    current = observed.secret_data
    keys_note = {SECRET_KEYS_ANNOTATION: ",".join(sorted(desired.secret_data))}
    if current is None or _secret_fields(desired, observed):
        removed = {k: None for k in observed.secret_keys if k not in desired.secret_data} if current else {}
        for key in desired.untouched_keys:
            removed.pop(key, None)
        data = {k: _b64(v) for k, v in desired.secret_data.items()}
        body = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": desired.secret_name, "labels": MANAGED_LABELS, "annotations": keys_note},
            "data": data,
        }
        patch = {"metadata": {"annotations": keys_note}, "data": {**removed, **data}}
        if current is None:
            written = _create_or_patch(kube, secret_path.rsplit("/", 1)[0], secret_path, body, patch)
        else:
            written = kube.patch(_managed(secret_path), patch)
        secret_version = (written.get("metadata") or {}).get("resourceVersion")

    cm = observed.config_map_data
    if cm is None or cm.get(CONFIG_KEY) != desired.config_yaml:
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": desired.config_map_name, "labels": MANAGED_LABELS},
            "data": {CONFIG_KEY: desired.config_yaml},
        }
        patch = {"data": {CONFIG_KEY: desired.config_yaml}}
        if cm is None:
            _create_or_patch(kube, config_map_path.rsplit("/", 1)[0], config_map_path, body, patch)
        else:
            kube.patch(_managed(config_map_path), patch)

    if observed.deployment_found:
        wanted = {
            CONFIG_SHA_ANNOTATION: desired.config_sha256,
            SECRET_VERSION_ANNOTATION: str(secret_version),
        }
        if any(observed.pod_annotations.get(k) != v for k, v in wanted.items()):
            kube.patch(
                _managed(deployment_path),
                {"spec": {"template": {"metadata": {"annotations": wanted}}}},
            )
