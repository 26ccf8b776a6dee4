"""Adding a model to a contract: an entry filled from the catalog, appended without disturbing the file.

Two pure steps, which `plan_add` chains (then validates the result; `apply_add` writes it):

* `build_entry(request, catalog)`: the fields of a complete entry, from the provider table (prefix,
  display name, credentials) and the catalog's facts (context window, output limit, mode), plus
  notes on the defaults it took; written by `entry_edit.entry_fields`, as `discover` writes its own;
* `entry_edit.append_entries(contract, entries)`: the contract text (`entry_edit.read_for_edit`)
  with the entries added as the last items of `models:` (`append_entry` for one), validated.

Where the entry goes: at the end of `models:`, and nothing else changes (contract/workflows/yaml_edit.py
says how).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ruamel.yaml.scalarstring import SingleQuotedScalarString

from contract.errors import RefusedError, UsageError
from contract.knowledge.catalog import (
    Catalog,
    ModelFacts,
    Provider,
    load_catalog,
    nearest,
    provider_for_display_name,
    provider_for_prefix,
    provider_prefixes,
    providers,
)
from contract.knowledge.envref import VAR_NAME
from contract.knowledge.facts import LOCAL_RUNTIME_PREFIXES, MODE_KINDS, OLLAMA_PREFIXES
from contract.knowledge.families import family_of
from contract.knowledge.naming import cost_tier, creator_from_id, display_name
from contract.workflows.entry_edit import (
    MAX_TOKENS_CAP,
    EntryFacts,
    append_entries,
    default_max_tokens,
    entry_fields,
    read_for_edit,
)
from contract.workflows.yaml_edit import Appended, EditError, append_entry, new_contract_text
from contract.writing import write_atomic

if TYPE_CHECKING:
    from contract.diagnostics import Diagnostic
    from contract.pipeline.validate import Result

__all__ = [
    "AZURE_API_VERSION",
    "DEFAULT_AWS_REGION",
    "MAX_TOKENS_CAP",
    "TRANSCRIPTION_WINDOW",
    "AddOutcome",
    "AddRequest",
    "Appended",
    "EditError",
    "NewEntry",
    "RemoveOutcome",
    "append_entry",
    "apply_add",
    "apply_remove",
    "build_entry",
    "cost_tier",
    "display_name",
    "new_contract_text",
    "plan_add",
    "plan_remove",
    "resolve_provider",
]

# The seed's Azure playbook; quoted in the file so YAML never reads it as a date.
AZURE_API_VERSION = "2024-10-21"
# The seed's Bedrock example region, used (with a note) when --aws-region is not given.
DEFAULT_AWS_REGION = "us-west-2"
# A transcription model's contextWindow when the catalog has none (LiteLLM's map gives whisper-1
# no max_input_tokens): Whisper's decoder context, 448 tokens (`max_target_positions` in its
# config). The platform budgets audio by length, not by this number; --context-window sets another.
TRANSCRIPTION_WINDOW = 448
# The seed's self-hosted entries read the key vLLM was started with (--api-key) from here.
VLLM_KEY_ENV = "VLLM_API_KEY"

_ENV_NAME = re.compile(rf"^{VAR_NAME}$")


@dataclass(frozen=True)
class AddRequest:
    """What `install-contract add` was asked for. None means "from the catalog or the default"."""

    provider: str  # a display name (Anthropic, AWS Bedrock, Self-Hosted) or a prefix (anthropic)
    model: str  # the provider's model id; for Azure the underlying model; self-hosted: the HF id
    name: str | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    context_window: int | None = None
    max_tokens: int | None = None
    aws_region: str | None = None
    deployment: str | None = None  # Azure deployment name (default: the model id)
    tool_call_parser: str | None = None  # self-hosted: overrides the family table
    api_version: str | None = None  # Azure: apiVersion (default: AZURE_API_VERSION)
    aws_auth: str | None = None  # Bedrock: "keys" (the default: the key pair from ${VAR}s) or "role"
    flags: tuple[str, ...] = ()  # featureFlags the entry is added to
    gpus: int | None = None  # self-hosted: GPUs the server gets (default: sized from the weights)
    gpu_memory_gib: float | None = None  # self-hosted: memory of one GPU (default: 80)


@dataclass(frozen=True)
class NewEntry:
    """A complete entry, its fields in the seed's order, and what the user should know about it."""

    fields: Mapping[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.fields["litellmModelName"])


# --------------------------------------------------------------------------- the entry


def resolve_provider(name: str) -> tuple[Provider, str | None]:
    """The provider row a display name or prefix names, and the prefix if one was given.

    Raises UsageError, naming the closest provider, when neither matches.
    """
    row = provider_for_display_name(name)
    typed = name.strip().lower()
    prefix = typed if typed in provider_prefixes() else None
    if row is None and prefix is not None:
        row = provider_for_prefix(prefix)
    if row is None:
        names = [n for p in providers() for n in p.display_names]
        guess = nearest(name, names) or nearest(typed, [p for r in providers() for p in r.prefixes])
        hint = f"; did you mean {guess}?" if guess else ""
        raise UsageError(f"unknown provider {name!r}{hint} (a display name such as Anthropic, or a prefix)")
    return row, prefix


def _env_ref(var: str) -> str:
    bare = var.strip()
    if bare.startswith("${") and bare.endswith("}"):
        bare = bare[2:-1]
    if not _ENV_NAME.match(bare):
        raise UsageError(f"--api-key-env {var!r} is not an environment variable name")
    return f"${{{bare}}}"


def build_entry(request: AddRequest, catalog: Catalog) -> NewEntry:
    """A complete `models:` entry for `request`, filled from the provider table and the catalog.

    Raises UsageError for an unknown provider or a missing required option, and EditError for a
    model the catalog does not know (with the nearest known id) unless a context window is given.
    """
    row, typed_prefix = resolve_provider(request.provider)
    if row.self_hosted:
        return _self_hosted_entry(request, row, typed_prefix, catalog)
    return _cloud_entry(request, row, typed_prefix, catalog)


def _cloud_entry(request: AddRequest, row: Provider, typed_prefix: str | None, catalog: Catalog) -> NewEntry:
    prefix = typed_prefix if typed_prefix in row.prefixes else row.prefixes[0]
    model_id = request.model.strip()
    for known in row.prefixes:  # `anthropic/claude-…` given in full
        if model_id.startswith(known + "/"):
            model_id = model_id[len(known) + 1 :]
            break
    notes: list[str] = []
    litellm_model, facts = _cloud_model(request, row, prefix, model_id, catalog, notes)
    mode = _mode(facts)
    context_window = _context_window(request, facts, f"{prefix}/{model_id}", notes)
    if prefix in OLLAMA_PREFIXES and request.context_window is None and catalog.ollama_family(model_id):
        notes.append(
            f"contextWindow {context_window} is the model's; the Ollama server serves num_ctx tokens: "
            f"raise it to match (OLLAMA_CONTEXT_LENGTH={context_window}, or PARAMETER num_ctx)"
        )
    entry = EntryFacts(
        name=request.name or model_id,
        litellm_model=litellm_model,
        display_name=display_name(model_id, row),
        provider=row.display_names[0],
        creator=row.creator or creator_from_id(model_id),
        mode=mode,
        cost_tier=cost_tier(model_id, mode, self_hosted=prefix in LOCAL_RUNTIME_PREFIXES),
        context_window=context_window,
        max_tokens=_max_tokens(request, facts, context_window, mode),
        api_base=request.api_base.strip() if request.api_base else None,
        more=_cloud_credentials(request, row, model_id, notes),
    )
    return NewEntry(entry_fields(entry), tuple(notes))


def _cloud_model(
    request: AddRequest, row: Provider, prefix: str, model_id: str, catalog: Catalog, notes: list[str]
) -> tuple[str, ModelFacts | None]:
    """The entry's litellmModel and the catalog's facts; the options checked against the provider."""
    azure = row.auth == "azure"
    if request.api_version is not None and not azure:
        raise UsageError("--api-version is for Azure OpenAI entries (apiVersion)")
    if request.aws_auth is not None and row.auth != "aws":
        raise UsageError("--aws-auth is for AWS Bedrock entries")
    if azure:
        if not request.api_base:
            raise UsageError(
                "an Azure OpenAI entry needs --api-base, the resource URL "
                "(https://<resource>.openai.azure.com)"
            )
        deployment = request.deployment or model_id
        litellm_model = f"{prefix}/{deployment}"
        facts = catalog.lookup(litellm_model, base_model=model_id)
        if request.deployment is None:
            notes.append(f"the Azure deployment is assumed to be named {deployment!r}; --deployment sets it")
    else:
        litellm_model = f"{prefix}/{model_id}"
        facts = catalog.lookup(litellm_model)
    if facts is None and request.context_window is None:
        guess = catalog.nearest_id(f"{prefix}/{model_id}")
        raise EditError(
            f"{prefix}/{model_id} is not a model the catalog knows",
            hint=(f"did you mean {guess}? " if guess else "")
            + "(pass --context-window to add it anyway; `install-contract catalog` lists known models)",
        )
    if facts is None:
        notes.append(f"{prefix}/{model_id} is not in the catalog: check type, metadataType and maxTokens")
    return litellm_model, facts


def _cloud_credentials(request: AddRequest, row: Provider, model_id: str, notes: list[str]) -> dict[str, Any]:
    """The fields after apiBase: Azure's version, key and base model; Bedrock's region and keys;
    else the key's variable."""
    if row.auth == "azure":
        return {
            "apiVersion": SingleQuotedScalarString((request.api_version or AZURE_API_VERSION).strip()),
            "apiKey": _env_ref(request.api_key_env or "AZURE_API_KEY"),
            "baseModel": model_id,
        }
    if row.auth == "aws":
        region = request.aws_region
        if region is None:
            region = DEFAULT_AWS_REGION
            notes.append(f"awsRegion defaults to {DEFAULT_AWS_REGION}; --aws-region sets the model's region")
        if request.aws_auth == "role":
            notes.append("no AWS keys written: LiteLLM signs with the pod's IAM role (IRSA)")
            return {"awsRegion": region}
        return {
            "awsRegion": region,
            "awsAccessKeyId": "${AWS_ACCESS_KEY_ID}",
            "awsSecretAccessKey": "${AWS_SECRET_ACCESS_KEY}",
        }
    key_env = request.api_key_env or row.env_var
    if (row.auth == "api_key" and key_env) or request.api_key_env:
        return {"apiKey": _env_ref(key_env or "")}
    return {}


def _self_hosted_entry(
    request: AddRequest, row: Provider, typed_prefix: str | None, catalog: Catalog
) -> NewEntry:
    hf_id = request.model.strip()
    if not request.api_base:
        raise UsageError(
            "a self-hosted entry needs --api-base, the vLLM endpoint "
            "(http://<service>.<namespace>.svc.cluster.local:8000/v1)"
        )
    if request.api_version is not None or request.aws_auth is not None:
        option = "--api-version" if request.api_version is not None else "--aws-auth"
        raise UsageError(f"{option} is not for a self-hosted entry")
    notes: list[str] = []
    name = request.name or hf_id.rstrip("/").rsplit("/", 1)[-1].lower()
    prefix = "hosted_vllm" if typed_prefix == "hosted_vllm" else "openai"
    facts = catalog.lookup(f"hosted_vllm/{hf_id}", vllm_model=hf_id)
    if facts is None and request.context_window is None:
        raise EditError(
            f"the catalog does not know {hf_id}",
            hint="pass --context-window with the model card's context length "
            "(and --max-tokens for its output limit)",
        )
    mode = _mode(facts)
    context_window = _context_window(request, facts, hf_id, notes)
    api_base = request.api_base.strip().rstrip("/")
    if not api_base.endswith("/v1"):
        api_base += "/v1"
        notes.append(f"apiBase gets /v1 (vLLM serves the OpenAI API there): {api_base}")
    api_key = _env_ref(request.api_key_env or VLLM_KEY_ENV)
    vllm = _vllm_block(request, facts, hf_id, name, mode, context_window, notes)
    entry = EntryFacts(
        name=name,
        litellm_model=f"{prefix}/{name}",
        display_name=display_name(hf_id, row),
        provider=row.display_names[0],
        creator=creator_from_id(hf_id),
        mode=mode,
        cost_tier=cost_tier(hf_id, mode, self_hosted=True),
        context_window=context_window,
        max_tokens=_max_tokens(request, facts, context_window, mode),
        api_base=api_base,
        more={"apiKey": api_key, "vllm": vllm},
    )
    return NewEntry(entry_fields(entry), tuple(notes))


def _vllm_block(
    request: AddRequest,
    facts: ModelFacts | None,
    hf_id: str,
    name: str,
    mode: str,
    context_window: int,
    notes: list[str],
) -> dict[str, Any]:
    """The entry's `vllm:`: weights, GPUs, the family's parsers, vLLM's caching switches."""
    vllm: dict[str, Any] = {"model": hf_id, "dtype": "bfloat16"}
    vllm.update(_gpus(request, facts, hf_id, context_window, vllm["dtype"], notes))
    family = family_of(hf_id, name)
    if family is not None and family.trust_remote_code:
        vllm["trustRemoteCode"] = True
    if MODE_KINDS[mode][0] == "CHAT":
        parser = request.tool_call_parser or (family.tool_call_parser if family else None)
        if not parser:
            # Refused here, not by IC403 on a file that is never written.
            raise EditError(
                f"no tool-call parser is known for {hf_id}'s family: agents could not call tools",
                hint="pass --tool-call-parser PARSER, the one its model card names "
                "(`vllm serve --help=tool-call-parser` lists vLLM's)",
            )
        vllm["toolCallParser"] = parser
        vllm["enableAutoToolChoice"] = True
        if request.tool_call_parser is None and family is not None:
            notes.append(
                f"toolCallParser {parser} is the {family.name} family's "
                f"(--tool-call-parser {parser}); pass --tool-call-parser to choose another"
            )
        if family is not None and family.reasoning_parser:
            vllm["reasoningParser"] = family.reasoning_parser
    vllm["enablePrefixCaching"] = True
    vllm["enableChunkedPrefill"] = True
    return vllm


def _gpus(
    request: AddRequest,
    facts: ModelFacts | None,
    hf_id: str,
    context_window: int,
    dtype: str,
    notes: list[str],
) -> dict[str, Any]:
    """`tensorParallelSize` and `gpus:` for a self-hosted entry: --gpus, else IC205's sizing.

    The tensor-parallel size is the GPU count (one server spans its GPUs); CPU serving
    (--gpus 0) has none. A model whose size nobody knows needs --gpus.
    """
    from ruamel.yaml.comments import CommentedMap

    from contract.knowledge import sizing

    memory = request.gpu_memory_gib or sizing.DEFAULT_GPU_MEMORY_GIB
    count = request.gpus
    if count is None:
        found = sizing.suggest(
            hf_id,
            params_b=facts.params_b if facts else None,
            dtype=dtype,
            quantization=None,
            native=facts.weights if facts else None,
            context=context_window,
            memory_gib=memory,
        )
        if found is None:
            raise EditError(
                f"the size of {hf_id} is unknown, so the GPUs it needs are too",
                hint="pass --gpus N (and --gpu-memory GiB for GPUs other than 80 GiB ones)",
            )
        count = found.count
        notes.append(f"{found}: {found.gpus} (--gpus and --gpu-memory set them)")
    gpus = CommentedMap(count=count)
    if count:  # CPU serving (--gpus 0) has no GPU memory to state
        gpus["memoryGiB"] = int(memory) if float(memory).is_integer() else memory
    gpus.fa.set_flow_style()
    return {"tensorParallelSize": count, "gpus": gpus} if count else {"gpus": gpus}


def _mode(facts: ModelFacts | None) -> str:
    """The catalog's mode when it is one a contract entry can stand for, else chat."""
    if facts is not None and facts.mode is not None and facts.mode in MODE_KINDS:
        return facts.mode
    return "chat"


def _context_window(request: AddRequest, facts: ModelFacts | None, what: str, notes: list[str]) -> int:
    if request.context_window is not None:
        return request.context_window
    if facts is not None and facts.context_window is None and facts.mode == "audio_transcription":
        notes.append(
            f"contextWindow defaults to {TRANSCRIPTION_WINDOW} (Whisper's decoder context) for a "
            "transcription model the catalog gives none; --context-window sets another"
        )
        return TRANSCRIPTION_WINDOW
    if facts is None or facts.context_window is None:
        raise EditError(
            f"the catalog has no context window for {what}",
            hint="pass --context-window with the model card's context length",
        )
    return facts.context_window


def _max_tokens(request: AddRequest, facts: ModelFacts | None, context_window: int, mode: str) -> int | None:
    """--max-tokens, else the catalog's output limit capped at MAX_TOKENS_CAP and the window.

    Left out for embedding and transcription models (they write no tokens) and when the output
    limit is unknown (LiteLLM then uses the provider's default).
    """
    if request.max_tokens is not None:
        return request.max_tokens
    limit = facts.max_output_tokens if facts is not None else None
    return default_max_tokens(mode, context_window, limit, cap=MAX_TOKENS_CAP)


# --------------------------------------------------------------------------- the whole add


@dataclass(frozen=True)
class AddOutcome:
    """What `install-contract add` would do: the file's new bytes, or why the add is refused.

    `data` is None when the add is refused: `error` (and `hint`, when there is one) says why,
    and `result` holds the errors when the refusal is that the contract would not validate.
    `warnings` are the diagnostics of the validated result that point into the new entry.
    Nothing has been written yet: `apply_add` writes `data`.
    """

    created: bool  # the file did not exist: `data` is a new contract
    data: bytes | None = None
    name: str = ""  # the entry's litellmModelName
    litellm_model: str = ""
    entry_yaml: str = ""  # the entry exactly as inserted
    notes: tuple[str, ...] = ()  # the defaults the entry took
    result: Result | None = None
    warnings: tuple[Diagnostic, ...] = ()
    error: str | None = None
    hint: str | None = None


def plan_add(path: str, request: AddRequest, catalog: Catalog | None = None) -> AddOutcome:
    """Build the entry, append it to the contract at `path` (a new contract when it is missing)
    and validate the result, without writing anything.

    `catalog` defaults to `load_catalog()`, loaded once the file has been read. Raises InputError
    when the file cannot be read or is not UTF-8 and UsageError for a request that makes no sense;
    a refused edit (a duplicate name, an unknown model, a result with errors) is an outcome.
    """
    contract = read_for_edit(path)
    known = catalog if catalog is not None else load_catalog()
    notes: tuple[str, ...] = ()

    def flags(text: str) -> str:
        nonlocal notes
        if not request.flags:
            return text
        text, notes = _add_to_flags(text, request.flags, entry.name, path)
        return text

    try:
        entry = build_entry(request, known)
        appending = append_entries(contract, [entry.fields], then=flags)
    except EditError as exc:
        return AddOutcome(contract.created, error=str(exc), hint=exc.hint)
    result, appended = appending.result, appending.appended[0]
    assert result is not None  # one entry was appended
    if result.errors:
        error = f"{path} would not validate with {entry.name!r}; nothing written"
        return AddOutcome(contract.created, name=entry.name, result=result, error=error)
    return AddOutcome(
        contract.created,
        data=appending.data,
        name=entry.name,
        litellm_model=str(entry.fields["litellmModel"]),
        entry_yaml=appended.entry_yaml,
        notes=entry.notes + notes,
        result=result,
        warnings=_entry_diagnostics(result, appended.index),
    )


# The seed's flags that point at one model; the others take a list.
SINGLE_MODEL_FLAGS = frozenset({"DEFAULT_WORKFLOW_STEP_MODEL"})
SEED_FLAGS = ("DEFAULT_WORKFLOW_STEP_MODEL", "TOOL_CALLING_MODELS", "EMBEDDING_MODELS", "AUDIO_TRANSCRIPTION")


def _add_to_flags(text: str, flags: tuple[str, ...], name: str, path: str) -> tuple[str, tuple[str, ...]]:
    """`text` with `name` added to each flag's models (`--flag`), and notes on what changed.

    A list flag the contract leaves out (derived from metadataType and tool support) is written
    out with the models it derives to now, plus this one, so that adding it loses none of them.
    """
    from contract.knowledge.catalog import nearest
    from contract.pipeline.validate import validate_text
    from contract.workflows.apply.flags import desired_flags
    from contract.workflows.yaml_edit import set_flag

    typed = validate_text(text, file=path).contract
    platform = typed.platform if typed is not None else None
    own = tuple(platform.unleash.known_flags) if platform is not None and platform.unleash is not None else ()
    explicit = typed.feature_flags.by_name() if typed is not None and typed.feature_flags is not None else {}
    derived = {f.name: list(f.models) for f in desired_flags(typed) if f.derived} if typed is not None else {}
    notes: list[str] = []
    for flag in dict.fromkeys(flags):
        if flag not in (*SEED_FLAGS, *own, *explicit):
            guess = nearest(flag, (*SEED_FLAGS, *own))
            raise UsageError(
                f"--flag {flag} is not a flag the platform defines"
                + (f"; did you mean {guess}?" if guess else "")
                + " (platform.unleash.knownFlags lists the platform's own)"
            )
        current = explicit.get(flag)
        if flag in SINGLE_MODEL_FLAGS:
            if isinstance(current, str) and current != name:
                notes.append(f"{flag} pointed at {current}; it points at {name} now")
            text = set_flag(text, flag, name)
            continue
        if current is None:
            models = derived.get(flag, [])
            others = [model for model in models if model != name]
            if others:
                notes.append(f"{flag} was derived ({', '.join(others)} and this one); it is written out now")
        else:
            models = [current] if isinstance(current, str) else list(current)
        text = set_flag(text, flag, list(dict.fromkeys([*models, name])))
    return text, tuple(notes)


def apply_add(outcome: AddOutcome, path: str) -> None:
    """Write what `plan_add` planned, atomically (the old file stays whole if writing fails)."""
    if outcome.data is None:
        raise RefusedError(f"{path}: the add was refused; there is nothing to write")
    write_atomic(path, outcome.data)


def _entry_diagnostics(result: Result, index: int) -> tuple[Diagnostic, ...]:
    own = f"/models/{index}"
    return tuple(d for d in result.diagnostics if d.path == own or d.path.startswith(own + "/"))


# --------------------------------------------------------------------------- remove


@dataclass(frozen=True)
class RemoveOutcome:
    """What `install-contract remove` would do: the file's new bytes, or why it is refused.

    `data` is None when the removal is refused (`error`, `hint`; `result` holds the errors when
    the contract would not validate without the entry). `flags` names the featureFlags the
    entry was taken out of (with --from-flags).
    """

    data: bytes | None = None
    index: int = -1
    flags: tuple[str, ...] = ()
    result: Result | None = None
    error: str | None = None
    hint: str | None = None


def plan_remove(path: str, name: str, *, from_flags: bool = False) -> RemoveOutcome:
    """Remove the entry named `name` from the contract at `path`, keeping every other byte, and
    validate the result, without writing anything.

    While a featureFlags value names the entry, the removal is refused unless `from_flags`,
    which takes the name out of those flags too (a list keeps its other models, `[]` when none
    is left; a one-model flag such as DEFAULT_WORKFLOW_STEP_MODEL is removed).
    Raises InputError when the file cannot be read.
    """
    from contract.pipeline.validate import validate_text
    from contract.workflows.yaml_edit import remove_entry, set_flag

    contract = read_for_edit(path, new_when_missing=False)
    text = contract.text
    try:
        edited, index = remove_entry(text, name)
        typed = validate_text(text, file=path).contract
        flags = typed.feature_flags.by_name() if typed is not None and typed.feature_flags else {}
        naming = [
            flag for flag, value in flags.items() if name in ([value] if isinstance(value, str) else value)
        ]
        if naming and not from_flags:
            return RemoveOutcome(
                index=index,
                flags=tuple(naming),
                error=f"featureFlags {', '.join(naming)} name{'s' if len(naming) == 1 else ''} {name!r}; nothing written",
                hint="pass --from-flags to remove it there too, or point the flags at another model first",
            )
        for flag in naming:
            value = flags[flag]
            # A list keeps its other models (an explicit [] when none is left: deriving it
            # again could bring in models it left out); a one-model flag goes.
            edited = set_flag(
                edited, flag, None if isinstance(value, str) else [n for n in value if n != name]
            )
    except EditError as exc:
        return RemoveOutcome(error=str(exc), hint=exc.hint)
    result = validate_text(edited, file=path)
    if result.errors:
        return RemoveOutcome(
            index=index,
            flags=tuple(naming),
            result=result,
            error=f"{path} would not validate without {name!r}; nothing written",
        )
    return RemoveOutcome(
        data=contract.bom + edited.encode("utf-8"), index=index, flags=tuple(naming), result=result
    )


def apply_remove(outcome: RemoveOutcome, path: str) -> None:
    """Write what `plan_remove` planned, atomically."""
    if outcome.data is None:
        raise RefusedError(f"{path}: the removal was refused; there is nothing to write")
    write_atomic(path, outcome.data)
