"""Adding a model to a contract: an entry filled from the catalog, appended without disturbing the file.

Two pure steps, which `plan_add` chains (then validates the result; `apply_add` writes it):

* `build_entry(request, catalog)`: the fields of a complete entry, from the provider table (prefix,
  display name, credentials) and the catalog's facts (context window, output limit, mode), plus
  notes on the defaults it took;
* `append_entry(text, entry)`: the contract text with the entry added as the last item of
  `models:`.

Where the entry goes: at the end of `models:`, and nothing else changes. The file is read with
ruamel.yaml's round-trip loader (`YAML(typ="rt")`, quotes preserved) to find the `models:` list,
the names already in it and the file's indentation (`mapping`, `sequence` and `offset`, measured on
the list's first item and on a nested block mapping; the seed's `models:\\n  - key: v\\n    key: v`
when there is nothing to measure). The entry is emitted by ruamel.yaml with that indentation and
inserted, as text, right after the last line of the last item, so every other byte of the file
(comments, blank lines, flow mappings, quoting, key order, keys after `models:` such as
`featureFlags:`) is kept as it was; comment lines that follow the last item stay below the new one,
since they usually introduce what follows. A blank line separates the new item from the previous
one when the file separates its last items that way. The result is loaded again and must equal the
old document plus the entry (should a block scalar hold a line that looks like a comment, the
insertion point moves down until it does). Only an empty `models:` written as `models: []` or
`models: null` has its one line rewritten, to `models:`.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from contract.catalog import (
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
from contract.errors import InputError, InstallContractError, UsageError
from contract.families import family_of
from contract.starter import SCHEMA_MODELINE
from contract.writing import write_atomic

if TYPE_CHECKING:
    from contract.diagnostics import Diagnostic
    from contract.validate import Result

__all__ = [
    "AZURE_API_VERSION",
    "DEFAULT_AWS_REGION",
    "MAX_TOKENS_CAP",
    "AddOutcome",
    "AddRequest",
    "Appended",
    "EditError",
    "NewEntry",
    "append_entry",
    "apply_add",
    "build_entry",
    "cost_tier",
    "display_name",
    "new_contract_text",
    "plan_add",
    "resolve_provider",
]

# The seed's Azure playbook; quoted in the file so YAML never reads it as a date.
AZURE_API_VERSION = "2024-10-21"
# The seed's Bedrock example region, used (with a note) when --aws-region is not given.
DEFAULT_AWS_REGION = "us-west-2"
# maxTokens is what LiteLLM requests, not the model's limit: the seed writes 16384 for Claude
# Sonnet 4 (which can write 64000), GPT-4o, Bedrock, Azure and its self-hosted models. A larger
# request only reserves context; `--max-tokens` sets more when wanted.
MAX_TOKENS_CAP = 16384
# The seed's self-hosted entries read the key vLLM was started with (--api-key) from here.
VLLM_KEY_ENV = "VLLM_API_KEY"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_KINDS: Mapping[str, tuple[str, str]] = {
    "chat": ("CHAT", "Text Generation"),
    "completion": ("CHAT", "Text Generation"),
    "responses": ("CHAT", "Text Generation"),
    "embedding": ("INTERNAL", "Embeddings"),
    "audio_transcription": ("INTERNAL", "Transcription"),
}


class EditError(InstallContractError):
    """The edit was refused: a duplicate name, a model the catalog does not know, a file that
    cannot be edited safely. The contract is left as it was; `hint` says what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


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


@dataclass(frozen=True)
class NewEntry:
    """A complete entry, its fields in the seed's order, and what the user should know about it."""

    fields: Mapping[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(self.fields["litellmModelName"])


@dataclass(frozen=True)
class Appended:
    """The contract text with the entry added, and the entry's YAML exactly as inserted."""

    text: str
    entry_yaml: str
    index: int  # the entry's position in models:


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


def _is_self_hosted(row: Provider) -> bool:
    return "hosted_vllm" in row.prefixes


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
    if _is_self_hosted(row):
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
    azure = row.auth == "azure"
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
    mode = _mode(facts)
    context_window = _context_window(request, facts, f"{prefix}/{model_id}")

    fields: dict[str, Any] = {
        "litellmModelName": request.name or model_id,
        "litellmModel": litellm_model,
        "displayName": display_name(model_id, row),
    }
    fields["provider"] = row.display_names[0]
    creator = row.creator or _creator_from_id(model_id)
    if creator:
        fields["creator"] = creator
    fields["type"], fields["metadataType"] = _KINDS[mode]
    fields["costTier"] = cost_tier(model_id, mode)
    fields["contextWindow"] = context_window
    max_tokens = _max_tokens(request, facts, context_window, mode)
    if max_tokens is not None:
        fields["maxTokens"] = max_tokens
    if request.api_base:
        fields["apiBase"] = request.api_base.strip()
    key_env = request.api_key_env or row.env_var
    if azure:
        fields["apiVersion"] = SingleQuotedScalarString(AZURE_API_VERSION)
        fields["apiKey"] = _env_ref(request.api_key_env or "AZURE_API_KEY")
        fields["baseModel"] = model_id
    elif row.auth == "aws":
        region = request.aws_region
        if region is None:
            region = DEFAULT_AWS_REGION
            notes.append(f"awsRegion defaults to {DEFAULT_AWS_REGION}; --aws-region sets the model's region")
        fields["awsRegion"] = region
        fields["awsAccessKeyId"] = "${AWS_ACCESS_KEY_ID}"
        fields["awsSecretAccessKey"] = "${AWS_SECRET_ACCESS_KEY}"
    elif (row.auth == "api_key" and key_env) or request.api_key_env:
        fields["apiKey"] = _env_ref(key_env or "")
    return NewEntry(fields, tuple(notes))


def _self_hosted_entry(
    request: AddRequest, row: Provider, typed_prefix: str | None, catalog: Catalog
) -> NewEntry:
    hf_id = request.model.strip()
    if not request.api_base:
        raise UsageError(
            "a self-hosted entry needs --api-base, the vLLM endpoint "
            "(http://<service>.<namespace>.svc.cluster.local:8000/v1)"
        )
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
    context_window = _context_window(request, facts, hf_id)
    api_base = request.api_base.strip().rstrip("/")
    if not api_base.endswith("/v1"):
        api_base += "/v1"
        notes.append(f"apiBase gets /v1 (vLLM serves the OpenAI API there): {api_base}")

    fields: dict[str, Any] = {
        "litellmModelName": name,
        "litellmModel": f"{prefix}/{name}",
        "displayName": display_name(hf_id, row),
        "provider": row.display_names[0],
    }
    creator = _creator_from_id(hf_id)
    if creator:
        fields["creator"] = creator
    fields["type"], fields["metadataType"] = _KINDS[mode]
    fields["costTier"] = cost_tier(hf_id, mode, self_hosted=True)
    fields["contextWindow"] = context_window
    max_tokens = _max_tokens(request, facts, context_window, mode)
    if max_tokens is not None:
        fields["maxTokens"] = max_tokens
    fields["apiBase"] = api_base
    fields["apiKey"] = _env_ref(request.api_key_env or VLLM_KEY_ENV)

    vllm: dict[str, Any] = {"model": hf_id, "dtype": "bfloat16"}
    family = family_of(hf_id, name)
    if family is not None and family.trust_remote_code:
        vllm["trustRemoteCode"] = True
    if _KINDS[mode][0] == "CHAT":
        parser = request.tool_call_parser or (family.tool_call_parser if family else None)
        if parser:
            vllm["toolCallParser"] = parser
            vllm["enableAutoToolChoice"] = True
        else:
            notes.append(f"no tool-call parser is known for {hf_id}'s family; --tool-call-parser sets one")
        if family is not None and family.reasoning_parser:
            vllm["reasoningParser"] = family.reasoning_parser
    vllm["enablePrefixCaching"] = True
    vllm["enableChunkedPrefill"] = True
    fields["vllm"] = vllm
    return NewEntry(fields, tuple(notes))


def _mode(facts: ModelFacts | None) -> str:
    """The catalog's mode when it is one a contract entry can stand for, else chat."""
    if facts is not None and facts.mode is not None and facts.mode in _KINDS:
        return facts.mode
    return "chat"


def _context_window(request: AddRequest, facts: ModelFacts | None, what: str) -> int:
    if request.context_window is not None:
        return request.context_window
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
    if _KINDS[mode][0] != "CHAT" or facts is None or not facts.max_output_tokens:
        return None
    return min(facts.max_output_tokens, MAX_TOKENS_CAP, context_window)


# Price bands without prices: the packaged catalog keeps only limits, mode and tool support
# (scripts/refresh-catalog drops LiteLLM's per-token prices), so the tier is read from the id.
_LOW_MARKERS = ("mini", "nano", "haiku", "flash", "lite", "small", "instant", "tiny", "micro")
_HIGH_MARKERS = ("opus", "ultra", "gpt-4.5", "o1-pro", "o3-pro", "deep-research")


def cost_tier(model_id: str, mode: str, *, self_hosted: bool = False) -> str:
    """A first guess at costTier, for the engineer to confirm (it only orders the model picker).

    The packaged catalog carries no prices, so the guess is read from what the model is:

    * LOW: self-hosted models (the platform pays for GPUs, not tokens: the seed writes LOW for
      DeepHat), embedding and transcription models, and the small tiers of a family (`mini`,
      `nano`, `haiku`, `flash`, `lite`, `small`, `instant`);
    * HIGH: the flagship tiers (`opus`, `ultra`, `gpt-4.5`, `o1-pro`, `o3-pro`, deep research);
    * MEDIUM otherwise, as the seed writes for Claude Sonnet 4, GPT-4o and Gemini 2.5 Pro.
    """
    lowered = model_id.lower()
    if self_hosted or _KINDS.get(mode, ("CHAT",))[0] == "INTERNAL":
        return "LOW"
    if any(marker in lowered for marker in _HIGH_MARKERS):
        return "HIGH"
    if any(re.search(rf"(?:^|[-_.:/]){marker}(?:$|[-_.:/\d])", lowered) for marker in _LOW_MARKERS):
        return "LOW"
    return "MEDIUM"


# Names the seeds give where a tidy title-casing of the id would differ.
_SEED_DISPLAY_NAMES: Mapping[str, str] = {
    "text-embedding-3-small": "OpenAI Embeddings (small)",
    "text-embedding-3-large": "OpenAI Embeddings (large)",
    "qwen/qwen3-coder-30b-a3b-instruct": "Qwen3 Coder 30B",
    "qwen/qwen3-coder-30b-instruct": "Qwen3 Coder 30B",
    "deephat/deephat-v2-ext": "DeepHat V2",
    "nvidia/nvidia-nemotron-3-super-120b-a12b-bf16": "NVIDIA Nemotron 3 Super",
}

_WORDS: Mapping[str, str] = {
    "gpt": "GPT",
    "oss": "OSS",
    "glm": "GLM",
    "ai": "AI",
    "tts": "TTS",
    "vl": "VL",
    "hd": "HD",
    "deepseek": "DeepSeek",
    "openai": "OpenAI",
    "xai": "xAI",
    "nvidia": "NVIDIA",
}

_BEDROCK_REGIONS = ("global.", "us-gov.", "us.", "eu.", "apac.", "jp.", "au.")
_DATE_SUFFIX = re.compile(r"(?:[-@]20\d{2}-?\d{2}-?\d{2}|-\d{2}-20\d{2}|-\d{4}|-latest)$")


def _bedrock_bare(model_id: str) -> str:
    """`us.anthropic.claude-sonnet-4-20250514-v1:0` -> `claude-sonnet-4-20250514`."""
    bare = model_id
    for region in _BEDROCK_REGIONS:
        if bare.startswith(region):
            bare = bare[len(region) :]
            break
    vendor, dot, rest = bare.partition(".")
    if dot and rest and "." not in vendor and not vendor[:1].isdigit():
        bare = rest
    return re.sub(r"(?:-v\d+(?::\d+)?|:\d+)$", "", bare)


def display_name(model_id: str, row: Provider | None = None) -> str:
    """A readable name for the model picker: the seed's where it names the model, else a tidy
    title-casing of the id without its date (`claude-3-5-sonnet-20241022` -> `Claude 3.5 Sonnet`,
    `gpt-4o-mini` -> `GPT-4o Mini`); Bedrock and Azure entries get the seed's `(Bedrock)` /
    `(Azure)` suffix."""
    bare = _bedrock_bare(model_id) if row is not None and row.auth == "aws" else model_id
    name = _SEED_DISPLAY_NAMES.get(bare.lower()) or _tidy(bare)
    if row is not None and row.auth == "aws":
        return f"{name} (Bedrock)"
    if row is not None and row.auth == "azure":
        return f"{name} (Azure)"
    return name


def _tidy(model_id: str) -> str:
    base = model_id.rstrip("/").rsplit("/", 1)[-1]
    base = _DATE_SUFFIX.sub("", base) or base
    words: list[str] = []
    previous_digit = False
    tokens = [t for t in re.split(r"[-_\s]+", base) if t]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        lowered = token.lower()
        if lowered == "gpt" and index + 1 < len(tokens) and tokens[index + 1][:1].isdigit():
            words.append(f"GPT-{tokens[index + 1]}")
            index += 2
            previous_digit = False
            continue
        if token.isdigit() and len(token) == 1 and previous_digit:
            words[-1] += f".{token}"  # claude-3-5 -> 3.5, opus-4-1 -> 4.1
        elif any(ch.isupper() for ch in token):
            words.append(token)  # the author's own spelling (Hugging Face ids)
        elif lowered in _WORDS:
            words.append(_WORDS[lowered])
        elif re.fullmatch(r"\d+(?:\.\d+)?[bmk]", lowered):
            words.append(token.upper())  # 30b -> 30B
        elif token[0].isdigit() or re.fullmatch(r"o\d+", lowered):
            words.append(token)  # 4o, 2.5, o3
        elif re.fullmatch(r"[a-z]\d+[a-z]?", lowered):
            words.append(token.upper())  # v3, r1, a3b
        else:
            words.append(token[0].upper() + token[1:])
        previous_digit = token.isdigit() and len(token) == 1
        index += 1
    return " ".join(words) or model_id


# Who made a model, from the vendor part of a Bedrock id or the organisation of a Hugging Face id.
_VENDORS: Mapping[str, str] = {
    "anthropic": "Anthropic",
    "meta": "Meta",
    "meta-llama": "Meta",
    "amazon": "Amazon",
    "mistral": "Mistral AI",
    "mistralai": "Mistral AI",
    "cohere": "Cohere",
    "ai21": "AI21 Labs",
    "deepseek": "DeepSeek",
    "deepseek-ai": "DeepSeek",
    "openai": "OpenAI",
    "qwen": "Alibaba",
    "google": "Google",
    "nvidia": "NVIDIA",
    "deephat": "Kindo",
    "microsoft": "Microsoft",
    "ibm-granite": "IBM",
    "x-ai": "xAI",
    "z-ai": "Z.ai",
    "zai-org": "Z.ai",
    "moonshotai": "Moonshot AI",
    "writer": "Writer",
}
# ... and from the model's family name when the id has no vendor part.
_FAMILY_CREATORS: tuple[tuple[str, str], ...] = (
    ("claude", "Anthropic"),
    ("llama", "Meta"),
    ("gpt", "OpenAI"),
    ("gemini", "Google"),
    ("gemma", "Google"),
    ("qwen", "Alibaba"),
    ("mistral", "Mistral AI"),
    ("mixtral", "Mistral AI"),
    ("deepseek", "DeepSeek"),
    ("nemotron", "NVIDIA"),
    ("deephat", "Kindo"),
    ("grok", "xAI"),
    ("glm", "Z.ai"),
)


def _creator_from_id(model_id: str) -> str | None:
    lowered = model_id.lower()
    for region in _BEDROCK_REGIONS:
        if lowered.startswith(region):
            lowered = lowered[len(region) :]
            break
    org = lowered.split("/", 1)[0] if "/" in lowered else lowered.split(".", 1)[0]
    if org in _VENDORS:
        return _VENDORS[org]
    for marker, creator in _FAMILY_CREATORS:
        if marker in lowered:
            return creator
    return None


# --------------------------------------------------------------------------- the file


def new_contract_text() -> str:
    """What `add` starts from when the contract file does not exist yet."""
    return f"{SCHEMA_MODELINE}\n\nmodels:\n"


@dataclass(frozen=True)
class _Layout:
    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    blank_between: bool = False


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value onto a second line
    return yaml


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _layout(lines: list[str], root: CommentedMap | None, models: Any) -> _Layout:
    """The indentation the file already uses, measured where it shows."""
    mapping = _mapping_indent(root, models)
    if not isinstance(models, CommentedSeq) or not models or root is None or models.fa.flow_style():
        return _Layout(mapping=mapping)
    key_column = root.lc.key("models")[1]
    dash_column = models.lc.col
    first_line, first_column = models.lc.data[0]
    offset, sequence = dash_column - key_column, first_column - key_column
    head = lines[first_line][:first_column] if first_line < len(lines) else ""
    if offset < 0 or sequence < offset + 2 or head.strip() != "-":
        return _Layout(mapping=mapping)
    blank = False
    if len(models) > 1:
        # Look above the last item: blank lines (comments aside) between it and the one before.
        line = models.lc.data[len(models) - 1][0] - 1
        while line >= 0 and (_is_blank(lines[line]) or _is_comment(lines[line])):
            blank = blank or _is_blank(lines[line])
            line -= 1
    return _Layout(mapping, sequence, offset, blank)


def _mapping_indent(root: CommentedMap | None, models: Any) -> int:
    """Indent of a nested block mapping (an entry's `vllm:`, else a top-level section's)."""
    parents: list[CommentedMap] = []
    if isinstance(models, CommentedSeq):
        parents.extend(item for item in models if isinstance(item, CommentedMap))
    if root is not None:
        parents.append(root)
    for parent in parents:
        for key, value in parent.items():
            if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
                key_line, key_column = parent.lc.key(key)
                if value.lc.line > key_line and value.lc.col > key_column:
                    return int(value.lc.col - key_column)
    return 2


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _commented(item)
        return out
    return value


def _render(entry: Mapping[str, Any], layout: _Layout) -> str:
    yaml = _yaml()
    yaml.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    stream = io.StringIO()
    yaml.dump(CommentedMap([("models", CommentedSeq([_commented(entry)]))]), stream)
    return stream.getvalue().split("\n", 1)[1]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _load(text: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise EditError(
            f"the contract is not valid YAML ({problem})",
            hint="`install-contract validate` shows where; fix it, then add the model",
        ) from None


def append_entry(text: str, entry: Mapping[str, Any]) -> Appended:
    """`text` with `entry` added as the last item of `models:` (see the module docstring).

    Raises EditError when the name is already taken, or when the file cannot be edited safely
    (not YAML, no mapping at the top, `models:` not a list or written in flow style).
    """
    root = _load(text)
    if root is not None and not isinstance(root, CommentedMap):
        raise EditError("the contract's top level is not a mapping of keys such as models:")
    models = root.get("models") if root is not None else None
    if models is not None and not isinstance(models, CommentedSeq):
        raise EditError(
            "models: is not a list", hint="write models: as a list of entries (- litellmModelName: …)"
        )
    name = entry["litellmModelName"]
    for item in models or ():
        if isinstance(item, Mapping) and item.get("litellmModelName") == name:
            raise EditError(
                f"{name!r} is already in models: (litellmModelName must be unique)",
                hint="pass --name to add the model under another name",
            )
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    layout = _layout(lines, root, models)
    chunk = _render(entry, layout)
    if newline != "\n":
        chunk = chunk.replace("\n", newline)

    expected = _plain(root) if root is not None else {}
    expected["models"] = [*(expected.get("models") or ()), _plain(entry)]
    index = len(expected["models"]) - 1

    if root is None or "models" not in root:
        head = text if not text or text.endswith("\n") else text + newline
        candidates = [f"{head}models:{newline}{chunk}"]
    elif not models:  # `models:`, `models: []` or `models: null`
        key_line = root.lc.key("models")[0]
        lines[key_line] = _empty_models_line(lines[key_line], newline)
        candidates = ["".join(lines[: key_line + 1]) + chunk + "".join(lines[key_line + 1 :])]
    elif models.fa.flow_style():
        raise EditError(
            "models: is written in flow style ([...]); add cannot insert into it without rewriting it",
            hint="write models: as a block list (one `- litellmModelName: …` item per entry)",
        )
    else:
        end, bound = _models_span(lines, root, models)
        if not lines[-1].endswith("\n"):
            lines[-1] += newline
        separator = newline if layout.blank_between else ""
        # Right after the last item's last line; should that line have been a comment-looking
        # line of a block scalar (`|`), the next places down to the following key.
        candidates = [
            "".join(lines[: after + 1]) + separator + chunk + "".join(lines[after + 1 :])
            for after in range(end, max(bound, end + 1))
        ]
    for candidate in candidates:
        if _plain(_load(candidate)) == expected:
            return Appended(candidate, chunk, index)
    raise RuntimeError("the edited contract does not read back as the old one plus the new entry")


def _empty_models_line(line: str, newline: str) -> str:
    """`models:`, `models: []` or `models: null` (and a comment) -> `models:` (and the comment)."""
    match = re.match(r"^(\s*models\s*:)\s*(\[\s*\]|null|Null|NULL|~)?(\s*#.*)?\s*$", line.rstrip("\r\n"))
    if match is None:
        raise EditError(
            "cannot find where models: starts; add the entry by hand",
            hint="write `models:` on a line of its own",
        )
    if match[2] is None:  # already a bare `models:`: the line stays as it is
        return line if line.endswith("\n") else line + newline
    return match[1] + (match[3] or "") + newline


def _models_span(lines: list[str], root: CommentedMap, models: CommentedSeq) -> tuple[int, int]:
    """The last line of the last item (the last line before the next top-level key, or the end,
    that is neither blank nor a comment), and the line of that next key (or the line count)."""
    keys = list(root.keys())
    after = keys.index("models") + 1
    bound = min(int(root.lc.key(keys[after])[0]) if after < len(keys) else len(lines), len(lines))
    floor = int(models.lc.data[len(models) - 1][0])
    for line in range(bound - 1, floor - 1, -1):
        text = lines[line].strip()
        if text and not text.startswith("#") and text != "...":
            return line, bound
    return floor, bound


# --------------------------------------------------------------------------- the whole add

_BOM = b"\xef\xbb\xbf"


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
    from contract.validate import validate_text

    created = not os.path.exists(path)
    bom, text = (b"", new_contract_text()) if created else _read_text(path)
    try:
        entry = build_entry(request, catalog if catalog is not None else load_catalog())
        appended = append_entry(text, entry.fields)
    except EditError as exc:
        return AddOutcome(created, error=str(exc), hint=exc.hint)
    result = validate_text(appended.text, file=path)
    if result.errors:
        error = f"{path} would not validate with {entry.name!r}; nothing written"
        return AddOutcome(created, name=entry.name, result=result, error=error)
    return AddOutcome(
        created,
        data=bom + appended.text.encode("utf-8"),
        name=entry.name,
        litellm_model=str(entry.fields["litellmModel"]),
        entry_yaml=appended.entry_yaml,
        notes=entry.notes,
        result=result,
        warnings=_entry_diagnostics(result, appended.index),
    )


def apply_add(outcome: AddOutcome, path: str) -> None:
    """Write what `plan_add` planned, atomically (the old file stays whole if writing fails)."""
    if outcome.data is None:
        raise ValueError(f"{path}: the add was refused; there is nothing to write")
    write_atomic(path, outcome.data)


def _read_text(path: str) -> tuple[bytes, str]:
    """The file's byte-order mark (kept as it was) and its text."""
    from contract.validate import read_contract

    raw = read_contract(path)
    bom = _BOM if raw.startswith(_BOM) else b""
    try:
        return bom, raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None


def _entry_diagnostics(result: Result, index: int) -> tuple[Diagnostic, ...]:
    own = f"/models/{index}"
    return tuple(d for d in result.diagnostics if d.path == own or d.path.startswith(own + "/"))
