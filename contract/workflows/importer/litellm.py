"""A LiteLLM proxy `config.yaml` (or a proxy's `/model/info`) as contract entries.

One `model_list` item becomes one entry:

| LiteLLM | contract |
|---|---|
| `model_name` | `litellmModelName` |
| `litellm_params.model` | `litellmModel` |
| `litellm_params.api_base`, `api_version`, `aws_region_name` | `apiBase`, `apiVersion`, `awsRegion` |
| `litellm_params.api_key`, `aws_access_key_id`, `aws_secret_access_key` | `apiKey`, `awsAccessKeyId`, `awsSecretAccessKey` |
| `model_info.base_model` | `baseModel` (an Azure `azure/` prefix dropped: render adds it) |
| `model_info.mode` | `type` and `metadataType` (else the catalog's mode, else chat) |
| `model_info.max_input_tokens` | `contextWindow` (else the catalog's, else `--context-window NAME=N`, else `TODO`) |
| `model_info.max_output_tokens` / `max_tokens` | `maxTokens` (else the catalog's output limit, capped as `add` caps it) |

`os.environ/NAME` becomes `${NAME}`. A literal secret is never carried over: it becomes
`${VAR}` with the name `render` gives a literal of that entry (`gpt-4o` + `apiKey` ->
`GPT_4O_API_KEY`), and `Imported.to_set` lists the variables to provide (names only).

Several items with one `model_name` (LiteLLM load-balances them): the contract holds one
deployment per name, so the first is imported and the group is reported with the others.

What the contract does not model is listed in `kept_out` and, for `--keep-extra`, collected in
`extra`: the top-level sections (`router_settings`, `litellm_settings`, `general_settings`
without `master_key`, which render sets) and each imported item's other `litellm_params` and
`model_info` keys under `model_extras: {name: {litellm_params, model_info}}`. Secret-looking
values in it become `os.environ/VAR` too; `environment_variables:` is never copied (its names
are listed to set in the environment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from contract.errors import UsageError
from contract.knowledge.envref import literal_var
from contract.knowledge.litellm import ENV_PREFIX, MASTER_KEY_ENV, env_name
from contract.pipeline.render.extra import EXTRA_MODELS_KEY

if TYPE_CHECKING:
    from contract.diagnostics import Diagnostic
    from contract.knowledge.catalog import Catalog, ModelFacts, Provider

# The value a field gets when neither the config, the catalog nor a flag says: `validate`
# reports it (IC004) at its line until someone writes the number.
TODO = "TODO"

# litellm_params keys that are contract fields; every other key is kept out.
_PARAMS = {
    "api_base": "apiBase",
    "api_version": "apiVersion",
    "aws_region_name": "awsRegion",
}
_SECRET_PARAMS = {
    "api_key": "apiKey",
    "aws_access_key_id": "awsAccessKeyId",
    "aws_secret_access_key": "awsSecretAccessKey",
}
# model_info keys the contract stands for (render writes them again from the entry); `id` is
# the entry's name in render's output, `supports_function_calling` the contract's tool support.
_INFO = frozenset(
    {
        "id",
        "base_model",
        "mode",
        "max_input_tokens",
        "max_output_tokens",
        "max_tokens",
        "supports_function_calling",
    }
)
# Switches LiteLLM 1.106.2's /model/info shows on every deployment (all false by default).
_PROXY_DEFAULTS = frozenset(
    {
        "allow_client_keepalive_override",
        "use_in_pass_through",
        "use_litellm_proxy",
        "use_xai_oauth",
        "merge_reasoning_content_in_choices",
    }
)
# Sections of a LiteLLM config the contract does not model, in the order they are reported.
SECTIONS = ("router_settings", "litellm_settings", "general_settings")


@dataclass(frozen=True)
class ImportedEntry:
    """One contract entry made from a `model_list` item."""

    index: int  # the item's position in model_list
    fields: Mapping[str, Any]
    todos: tuple[str, ...] = ()  # fields written as TODO
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.fields["litellmModelName"])


@dataclass(frozen=True)
class DuplicateGroup:
    """The deployments LiteLLM load-balances under one `model_name`: the first is imported."""

    name: str
    deployments: tuple[str, ...]  # "models[3] azure/gpt-4o at https://host" (no secret)

    @property
    def imported(self) -> str:
        return self.deployments[0]

    @property
    def others(self) -> tuple[str, ...]:
        return self.deployments[1:]


@dataclass(frozen=True)
class Imported:
    """What an import found: the entries, the groups of one name, what the contract leaves out."""

    source: str
    entries: tuple[ImportedEntry, ...]
    groups: tuple[DuplicateGroup, ...] = ()
    kept_out: tuple[str, ...] = ()  # "router_settings: routing_strategy, fallbacks", ...
    extra: Mapping[str, Any] = field(default_factory=dict)  # the --keep-extra side file
    to_set: tuple[str, ...] = ()  # variables that replace literal values (names only)
    skipped: tuple[str, ...] = ()  # items that could not become an entry, and why
    notes: tuple[str, ...] = ()

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable the imported entries read, sorted."""
        from contract.knowledge.envref import refs

        names = {
            var
            for entry in self.entries
            for value in entry.fields.values()
            if isinstance(value, str)
            for var in refs(value)
        }
        return tuple(sorted(names))

    @property
    def todos(self) -> tuple[str, ...]:
        return tuple(f"{e.name}: {t}" for e in self.entries for t in e.todos)


# --------------------------------------------------------------------------- reading


# --------------------------------------------------------------------------- values


def _has_password(value: str) -> bool:
    try:
        return bool(urlsplit(value.strip()).password)
    except ValueError:
        return False


def _shown_url(value: Any) -> str:
    """A URL for a report: without user and password."""
    if not isinstance(value, str):
        return ""
    try:
        parts = urlsplit(value.strip())
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return ""


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    return None


class _Variables:
    """Names given to literal values, so that two literals never share one variable."""

    def __init__(self, referenced: set[str] | None = None) -> None:
        self.to_set: dict[str, str] = {}  # variable -> where the literal was
        self.referenced = set(referenced or ())  # os.environ/NAME the config already reads

    def name(self, wanted: str, where: str) -> str:
        var, n = wanted, 2
        while var in self.referenced or (var in self.to_set and self.to_set[var] != where):
            var, n = f"{wanted}_{n}", n + 1
        self.to_set[var] = where
        return var


def _scrub(value: Any, path: list[str], var_name: str, variables: _Variables, secret: bool = False) -> Any:
    """`value` with every literal secret (under a secret-looking key, or a URL's password)
    replaced by `os.environ/VAR`; VAR derives from `var_name` and the key."""
    from contract.knowledge.secrets import is_secret_key

    key = path[-1] if path else ""
    if (secret or is_secret_key(key)) and not (
        env_name(value) is not None or value is None or value == "" or isinstance(value, bool)
    ):
        var = variables.name(
            re.sub(r"[^A-Z0-9]+", "_", f"{var_name}_{key}".upper()).strip("_"), ".".join(path)
        )
        return f"{ENV_PREFIX}{var}"
    if isinstance(value, Mapping):
        return {str(k): _scrub(v, [*path, str(k)], var_name, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, [*path, key], var_name, variables) for v in value]
    if isinstance(value, str) and _has_password(value):
        var = variables.name(
            re.sub(r"[^A-Z0-9]+", "_", f"{var_name}_{key}".upper()).strip("_"), ".".join(path)
        )
        return f"{ENV_PREFIX}{var}"
    return value


# --------------------------------------------------------------------------- one item


@dataclass
class _Options:
    catalog: Catalog
    context_windows: Mapping[str, int]
    from_proxy: bool
    variables: _Variables


def _describe(index: int, item: Mapping[str, Any]) -> str:
    found = item.get("litellm_params")
    params: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    model = params.get("model") if isinstance(params.get("model"), str) else "?"
    where = _shown_url(params.get("api_base"))
    return f"model_list[{index}] {model}" + (f" at {where}" if where else "")


def _self_hosted(prefix: str, api_base: str | None) -> bool:
    """hosted_vllm/, or openai/ pointed at a server that is not OpenAI's: the platform's own."""
    if prefix == "hosted_vllm":
        return True
    if prefix != "openai" or not api_base:
        return False
    host = (urlsplit(api_base.strip()).hostname or "").casefold() if not env_name(api_base) else ""
    return host not in ("api.openai.com", "")


def _entry(index: int, item: Mapping[str, Any], options: _Options) -> tuple[ImportedEntry, dict[str, Any]]:
    """The entry for one item, and its kept-out `litellm_params`/`model_info` (scrubbed)."""
    from contract.knowledge import entries as entry_facts
    from contract.knowledge.catalog import provider_for_prefix
    from contract.knowledge.facts import MODE_KINDS
    from contract.knowledge.naming import cost_tier

    name = str(item["model_name"])
    params: Mapping[str, Any] = item["litellm_params"]
    found = item.get("model_info")
    info: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    litellm_model = str(params["model"]).strip()
    prefix, model_id = entry_facts.prefix(litellm_model) or "", entry_facts.suffix(litellm_model)
    notes: list[str] = []
    todos: list[str] = []

    plain, secrets = _connection(name, params, options.variables)
    self_hosted = _self_hosted(
        prefix, params.get("api_base") if isinstance(params.get("api_base"), str) else None
    )
    row = None if self_hosted or not prefix else provider_for_prefix(prefix)
    base_model = _base_model(info, prefix)
    if self_hosted:
        facts = options.catalog.lookup(
            litellm_model, vllm_model=base_model or model_id, base_model=base_model, self_hosted=True
        )
    else:
        facts = options.catalog.lookup(litellm_model, base_model=base_model)
    mode = _mode(info.get("mode"), facts, notes)
    kind, metadata = MODE_KINDS[mode]
    window, max_tokens = _limits(name, info, facts, kind, options)

    described = base_model or model_id
    fields: dict[str, Any] = {"litellmModelName": name, "litellmModel": litellm_model}
    fields.update(_maker(described, prefix, litellm_model, row, self_hosted, notes))
    fields["type"], fields["metadataType"] = kind, metadata
    fields["costTier"] = cost_tier(described, mode, self_hosted=self_hosted)
    fields["contextWindow"] = TODO if window is None else window
    if window is None:
        todos.append("contextWindow")
    if max_tokens is not None and kind == "CHAT":
        fields["maxTokens"] = min(max_tokens, window) if window else max_tokens
    needs_key = self_hosted or (row is not None and row.auth in ("api_key", "azure"))
    fields.update(_credentials(name, plain, secrets, needs_key, options))
    if base_model:
        fields["baseModel"] = base_model
    return ImportedEntry(index, fields, tuple(todos), tuple(notes)), _kept(name, params, info, options)


def _connection(
    name: str, params: Mapping[str, Any], variables: _Variables
) -> tuple[dict[str, str], dict[str, str]]:
    """The item's plain connection fields (apiBase, apiVersion, awsRegion) and its secret ones,
    each as `${VAR}` or its value; a literal secret (or a URL with a password) moves to a variable."""
    plain: dict[str, str] = {}
    for key, contract_key in _PARAMS.items():
        value = params.get(key)
        if value is None or value == "":
            continue
        env = env_name(value)
        if env is not None:
            plain[contract_key] = f"${{{env}}}"
        elif isinstance(value, str) and _has_password(value):
            var = variables.name(literal_var(name, contract_key), f"{name} {contract_key}")
            plain[contract_key] = f"${{{var}}}"
        else:
            plain[contract_key] = str(value)
    secrets: dict[str, str] = {}
    for key, contract_key in _SECRET_PARAMS.items():
        value = params.get(key)
        if value is None or value == "":
            continue
        env = env_name(value)
        if env is None:  # a literal: never written; it moves to the variable render would name
            env = variables.name(literal_var(name, contract_key), f"{name} {contract_key}")
        secrets[contract_key] = f"${{{env}}}"
    return plain, secrets


def _base_model(info: Mapping[str, Any], prefix: str) -> str | None:
    """model_info.base_model, without an Azure prefix (render adds it)."""
    base_model = info.get("base_model") if isinstance(info.get("base_model"), str) else None
    if base_model and prefix in ("azure", "azure_ai") and base_model.startswith(prefix + "/"):
        base_model = base_model[len(prefix) + 1 :]
    return base_model


def _mode(given: Any, facts: ModelFacts | None, notes: list[str]) -> str:
    """model_info.mode when the contract has a type for it, else the catalog's, else chat."""
    from contract.knowledge.facts import MODE_KINDS

    mode = given if isinstance(given, str) and given in MODE_KINDS else None
    if mode is None:
        if given is not None:
            notes.append(f"model_info.mode {given!r} is no contract type; the catalog's or chat is used")
        mode = facts.mode if facts is not None and facts.mode in MODE_KINDS else None
        mode = mode or "chat"
    return mode


def _limits(
    name: str, info: Mapping[str, Any], facts: ModelFacts | None, kind: str, options: _Options
) -> tuple[int | None, int | None]:
    """contextWindow and maxTokens: the flag's or the config's, else the catalog's."""
    from contract.workflows.edit import MAX_TOKENS_CAP

    window = options.context_windows.get(name) or _positive_int(info.get("max_input_tokens"))
    if window is None and facts is not None:
        window = facts.context_window
    max_tokens = _positive_int(info.get("max_output_tokens")) or _positive_int(info.get("max_tokens"))
    if max_tokens is not None and options.from_proxy:
        # /model/info merges LiteLLM's map into model_info: its output limit is the catalog's,
        # capped as `add` caps it.
        max_tokens = min(max_tokens, MAX_TOKENS_CAP)
    if max_tokens is None and kind == "CHAT" and facts is not None and facts.max_output_tokens:
        max_tokens = min(facts.max_output_tokens, MAX_TOKENS_CAP, window or MAX_TOKENS_CAP)
    return window, max_tokens


def _maker(
    described: str, prefix: str, litellm_model: str, row: Provider | None, self_hosted: bool, notes: list[str]
) -> dict[str, Any]:
    """displayName, provider and creator."""
    from contract.knowledge.naming import creator_from_id, display_name

    fields: dict[str, Any] = {"displayName": display_name(described, row)}
    if self_hosted:
        fields["provider"] = "Self-Hosted"
    elif row is not None:
        fields["provider"] = row.display_names[0]
    else:
        fields["provider"] = prefix or "TODO"
        notes.append(f"no provider is known for {litellm_model!r}; validate says which prefixes exist")
    creator = (row.creator if row is not None else None) or creator_from_id(described)
    if creator:
        fields["creator"] = creator
    return fields


def _credentials(
    name: str,
    plain: Mapping[str, str],
    secrets: Mapping[str, str],
    needs_key: bool,
    options: _Options,
) -> dict[str, str]:
    """apiBase, apiKey, apiVersion, awsRegion and the AWS keys, in the contract's order."""
    fields: dict[str, str] = {}
    if "apiBase" in plain:
        fields["apiBase"] = plain["apiBase"]
    if "apiKey" in secrets:
        fields["apiKey"] = secrets["apiKey"]
    elif options.from_proxy and needs_key:
        # /model/info never shows keys: the entry reads one from the variable render would name.
        var = options.variables.name(literal_var(name, "apiKey"), f"{name} apiKey")
        fields["apiKey"] = f"${{{var}}}"
    for key in ("apiVersion", "awsRegion"):
        if key in plain:
            fields[key] = plain[key]
    for key in ("awsAccessKeyId", "awsSecretAccessKey"):
        if key in secrets:
            fields[key] = secrets[key]
    return fields


def _kept(name: str, params: Mapping[str, Any], info: Mapping[str, Any], options: _Options) -> dict[str, Any]:
    """The item's `litellm_params` and `model_info` keys the contract does not model (scrubbed)."""
    kept: dict[str, Any] = {}
    other_params = {
        str(k): v
        for k, v in params.items()
        if k != "model" and k not in _PARAMS and k not in _SECRET_PARAMS and v is not None
    }
    other_info = {str(k): v for k, v in info.items() if k not in _INFO and v is not None}
    if options.from_proxy:
        # The proxy's model_info is LiteLLM's map merged into the config's (it cannot be told
        # from the config's own), and its litellm_params carry LiteLLM's default switches.
        other_info = {}
        other_params = {k: v for k, v in other_params.items() if not (k in _PROXY_DEFAULTS and v is False)}
    if other_params:
        kept["litellm_params"] = _scrub(other_params, [], name, options.variables)
    if other_info:
        kept["model_info"] = _scrub(other_info, [], name, options.variables)
    return kept


# --------------------------------------------------------------------------- the whole config


def _items(document: Any) -> Iterator[tuple[int, Any]]:
    model_list = document.get("model_list") if isinstance(document, Mapping) else None
    if not isinstance(model_list, list):
        raise UsageError("the config has no model_list: (a list of models); nothing to import")
    yield from enumerate(model_list)


def _problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return "not a mapping"
    if not isinstance(item.get("model_name"), str) or not item["model_name"].strip():
        return "no model_name"
    params = item.get("litellm_params")
    if not isinstance(params, Mapping):
        return "no litellm_params"
    if not isinstance(params.get("model"), str) or not params["model"].strip():
        return "no litellm_params.model"
    return None


def _keys(value: Any) -> str:
    return ", ".join(str(k) for k in value) if isinstance(value, Mapping) and value else ""


def _referenced(value: Any) -> set[str]:
    """Every NAME of `os.environ/NAME` in the config: a literal never moves to one of them."""
    if isinstance(value, Mapping):
        return {name for item in value.values() for name in _referenced(item)}
    if isinstance(value, list):
        return {name for item in value for name in _referenced(item)}
    name = env_name(value)
    return {name} if name else set()


# Words PyYAML (YAML 1.1, which LiteLLM reads its config with) takes for booleans, and the
# contract's loader (YAML 1.2) keeps as strings.
_YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _yaml11_booleans(value: Any, path: list[str]) -> list[str]:
    if isinstance(value, Mapping):
        return [note for k, v in value.items() for note in _yaml11_booleans(v, [*path, str(k)])]
    if isinstance(value, list):
        return [note for i, v in enumerate(value) for note in _yaml11_booleans(v, [*path, f"[{i}]"])]
    if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        where = ".".join(path).replace(".[", "[")
        return [
            f"{where}: {value!r} is a boolean to LiteLLM but a string in the side file; write true or false"
        ]
    return []


def _by_name(document: Any) -> tuple[dict[str, list[int]], dict[int, Mapping[str, Any]], list[str]]:
    """The importable items' indices by model_name, the items by index, and the items skipped."""
    by_name: dict[str, list[int]] = {}
    items: dict[int, Mapping[str, Any]] = {}
    skipped: list[str] = []
    for index, item in _items(document):
        problem = _problem(item)
        if problem is not None:
            skipped.append(f"model_list[{index}]: {problem}")
            continue
        items[index] = item
        by_name.setdefault(str(item["model_name"]), []).append(index)
    return by_name, items, skipped


def _environment_variables(value: Any, kept_out: list[str], notes: list[str]) -> None:
    names = _keys(value)
    kept_out.append(f"environment_variables: {names}" if names else "environment_variables")
    notes.append(
        "environment_variables are not copied (they may hold keys): set "
        + (names or "them")
        + " in the proxy's environment"
    )


def _without_master_key(value: Mapping[str, Any], variables: _Variables, notes: list[str]) -> dict[str, Any]:
    """general_settings without master_key: render reads it from MASTER_KEY_ENV."""
    if env_name(value["master_key"]) != MASTER_KEY_ENV:
        variables.to_set.setdefault(MASTER_KEY_ENV, "general_settings master_key")
    notes.append(
        f"general_settings.master_key: render reads it from {MASTER_KEY_ENV} (os.environ/{MASTER_KEY_ENV})"
    )
    return {k: v for k, v in value.items() if k != "master_key"}


def _sections(document: Any, variables: _Variables, kept_out: list[str], notes: list[str]) -> dict[str, Any]:
    """The top-level sections other than model_list, scrubbed, in the config's order; what is
    kept out goes to `kept_out`, what to do about it to `notes`."""
    extra: dict[str, Any] = {}
    if not isinstance(document, Mapping):
        return extra
    for key, value in document.items():
        key = str(key)
        if key == "model_list":
            continue
        if key == "environment_variables":
            _environment_variables(value, kept_out, notes)
            continue
        section = value
        if key == "general_settings" and isinstance(value, Mapping) and "master_key" in value:
            section = _without_master_key(value, variables, notes)
            if not section:
                continue
        listed = _keys(section)
        kept_out.append(f"{key}: {listed}" if listed else key)
        extra[key] = _scrub(section, [key], key, variables)
    return extra


def import_litellm(
    document: Any,
    *,
    source: str,
    catalog: Catalog | None = None,
    context_windows: Mapping[str, int] | None = None,
    from_proxy: bool = False,
) -> Imported:
    """Contract entries for a LiteLLM config (or a proxy's `/model/info` as `{"model_list": data}`).

    `context_windows` gives contextWindow by model_name where neither the config nor the
    catalog says. Raises UsageError when there is no `model_list`.
    """
    from contract.knowledge.catalog import load_catalog

    variables = _Variables(_referenced(document))
    options = _Options(catalog or load_catalog(), dict(context_windows or {}), from_proxy, variables)
    by_name, items, skipped = _by_name(document)
    entries: list[ImportedEntry] = []
    kept_out: list[str] = []
    model_extras: dict[str, Any] = {}
    groups: list[DuplicateGroup] = []
    for name, indices in by_name.items():
        if len(indices) > 1:
            groups.append(DuplicateGroup(name, tuple(_describe(i, items[i]) for i in indices)))
        entry, kept = _entry(indices[0], items[indices[0]], options)
        entries.append(entry)
        if kept:
            model_extras[name] = kept
            for part, values in kept.items():
                kept_out.append(f"model_list[{name}].{part}: {_keys(values)}")
    entries.sort(key=lambda e: e.index)

    notes: list[str] = []
    extra = _sections(document, variables, kept_out, notes)
    notes.extend(_yaml11_booleans(extra, []))
    for name, kept in model_extras.items():
        notes.extend(_yaml11_booleans(kept, [f"model_list[{name}]"]))
    order = {s: i for i, s in enumerate(SECTIONS)}
    extra = dict(sorted(extra.items(), key=lambda kv: order.get(kv[0], len(order))))
    if model_extras:
        extra[EXTRA_MODELS_KEY] = model_extras
    return Imported(
        source=source,
        entries=tuple(entries),
        groups=tuple(groups),
        kept_out=tuple(kept_out),
        extra=extra,
        to_set=tuple(sorted(variables.to_set)),
        skipped=tuple(skipped),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- writing


def _source_label(source: str) -> str:
    return _shown_url(source) if "://" in source else source


def contract_text(imported: Imported) -> str:
    """A new contract holding every imported entry (written by `contract.workflows.edit.append_entry`)."""
    from contract.workflows.edit import append_entry
    from contract.workflows.starter import SCHEMA_MODELINE

    head = f"{SCHEMA_MODELINE}\n# Imported from {_source_label(imported.source)} by `install-contract import litellm`.\n"
    if imported.todos:
        head += f"# {TODO}: fields neither the config nor the catalog gives; `validate` points at each.\n"
    text = head + "\nmodels:\n"
    for entry in imported.entries:
        text = append_entry(text, entry.fields).text
    return text


def extra_text(imported: Imported) -> str:
    """The side file of `--keep-extra`: the settings the contract does not model, as YAML."""
    from contract.pipeline.render.yamlout import block

    head = (
        f"# Settings of {_source_label(imported.source)} that install-contract.yaml does not model,\n"
        "# kept by `install-contract import litellm --keep-extra`. `install-contract render\n"
        "# --litellm-extra THIS_FILE` merges them into litellm/config.yaml (the contract's keys win).\n"
    )
    return head + (block(dict(imported.extra)) + "\n" if imported.extra else "{}\n")


@dataclass(frozen=True)
class ImportAdd:
    """What `import litellm --add FILE` would do (see `contract.workflows.discover.plan_discovered_add`)."""

    data: bytes | None
    added: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # names already in the file
    unfinished: tuple[str, ...] = ()  # entries with a TODO, never appended
    error: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


def plan_imported_add(path: str, imported: Imported) -> ImportAdd:
    """Append the imported entries to the contract at `path`, through the same editor as
    `add` and `discover --add`: names already there are skipped, an entry with a TODO is not
    appended, and a result with errors is refused (nothing to write)."""
    from contract.workflows.discover import Candidate, plan_discovered_add

    ready = [e for e in imported.entries if not e.todos]
    unfinished = tuple(e.name for e in imported.entries if e.todos)
    chosen: Sequence[Candidate] = [
        Candidate("litellm", imported.source, e.name, dict(e.fields)) for e in ready
    ]
    outcome = plan_discovered_add(path, chosen)
    return ImportAdd(
        outcome.data,
        outcome.added,
        outcome.skipped,
        unfinished,
        outcome.error,
        outcome.diagnostics,
    )
