"""IC4xx: what a model is for: types, tool calling and the feature flags that route to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from contract.diagnostics import Severity
from contract.knowledge import catalog, vllm_flags
from contract.knowledge.facts import MODE_KINDS
from contract.knowledge.families import family_of
from contract.pipeline.rules._context import ContractView, Entry
from contract.pipeline.rules.registry import Finding, rule

if TYPE_CHECKING:
    from contract.knowledge.families import Family
    from contract.pipeline.model import VllmSpec


@rule("IC401", "type-metadata-mismatch", Severity.ERROR, uses=("type", "metadataType"))
def type_metadata_mismatch(entry: Entry) -> Iterator[Finding]:
    """`type` contradicts `metadataType`.

    CHAT models are Text Generation; embeddings and transcription models are INTERNAL. A
    mismatch puts an embedding model in the chat picker, or hides a chat model.

    Fails:

        type: CHAT
        metadataType: Embeddings

    Passes:

        type: INTERNAL
        metadataType: Embeddings
    """
    model = entry.model
    if model.type == "CHAT" and model.metadata_type != "Text Generation":
        yield Finding(
            f"type CHAT is for Text Generation models, but metadataType is {model.metadata_type!r}",
            ("type",),
            hint="write type: INTERNAL for embeddings and transcription models",
        )
    elif model.type == "INTERNAL" and model.metadata_type == "Text Generation":
        yield Finding(
            "type INTERNAL is for Embeddings and Transcription, but metadataType is 'Text Generation'",
            ("type",),
            hint="write type: CHAT for a text generation model",
        )


def _a(mode: str) -> str:
    """`an embedding`, `a chat`: LiteLLM's mode with its article."""
    words = mode.replace("_", " ")
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


_MODE_METADATA = {mode: metadata for mode, (_, metadata) in MODE_KINDS.items()}


@rule(
    "IC402",
    "mode-mismatch",
    Severity.ERROR,
    uses=("metadataType", "litellmModel", "baseModel", "vllm"),
)
def mode_mismatch(entry: Entry) -> Iterator[Finding]:
    """The catalog's mode for the model contradicts metadataType.

    An embedding model registered as Text Generation lands in the chat picker and fails on the
    first message; a chat model as Embeddings breaks retrieval.

    Fails:

        litellmModel: openai/text-embedding-3-small
        metadataType: Text Generation

    Passes:

        litellmModel: openai/text-embedding-3-small
        type: INTERNAL
        metadataType: Embeddings
    """
    facts = entry.facts
    if facts is None or facts.mode is None:
        return
    expected = _MODE_METADATA.get(facts.mode)
    if expected is None:
        yield Finding(
            f"{facts.id} is {_a(facts.mode)} model, which the platform does not route",
            ("litellmModel",),
            hint="register chat, embedding or transcription models only",
        )
    elif expected != entry.model.metadata_type:
        kind = "INTERNAL" if expected != "Text Generation" else "CHAT"
        yield Finding(
            f"{facts.id} is {_a(facts.mode)} model, but metadataType is {entry.model.metadata_type!r}",
            ("metadataType",),
            hint=f"write metadataType: {expected} (and type: {kind})",
        )


@rule("IC403", "tool-parser-missing", Severity.ERROR, uses=("vllm", "type", "litellmModelName"))
def tool_parser_missing(entry: Entry) -> Iterator[Finding]:
    """A self-hosted CHAT model's `vllm:` block lacks toolCallParser + enableAutoToolChoice.

    Without --tool-call-parser agents cannot call tools: the model answers in plain text.
    vLLM needs both flags, always as a pair.

    Fails:

        type: CHAT
        vllm: {model: DeepHat/DeepHat-V2-ext}

    Passes:

        type: CHAT
        vllm: {model: DeepHat/DeepHat-V2-ext, toolCallParser: qwen3_coder, enableAutoToolChoice: true}
    """
    vllm = entry.model.vllm
    if vllm is None or entry.model.type != "CHAT":
        return
    family = family_of(vllm.model, entry.model.litellm_model_name)
    suggestion = family.tool_call_parser if family else "<parser for the model family>"
    if vllm.tool_call_parser is None:
        yield Finding(
            "the vllm block has no toolCallParser: agents cannot call tools",
            ("vllm",),
            hint=f"add toolCallParser: {suggestion} and enableAutoToolChoice: true",
        )
    elif vllm.enable_auto_tool_choice is not True:
        yield Finding(
            "toolCallParser is set but enableAutoToolChoice is not true; vLLM needs both",
            ("vllm", "enableAutoToolChoice") if vllm.enable_auto_tool_choice is not None else ("vllm",),
            hint="add enableAutoToolChoice: true",
        )


@rule("IC404", "tool-parser-family", Severity.WARNING, uses=("vllm", "type", "litellmModelName"))
def tool_parser_family(entry: Entry) -> Iterator[Finding]:
    """The tool-call or reasoning parser is unknown to vLLM (error) or not the family's.

    Parser names are checked against vLLM's own lists (vLLM checks them only when the server
    starts). The family table of the seed names the parser each model family needs, and the
    reasoning parser and --trust-remote-code where the family needs them.

    Fails:

        vllm: {model: nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16, toolCallParser: hermes,
               enableAutoToolChoice: true}

    Passes:

        vllm: {model: nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16, toolCallParser: qwen3_coder,
               enableAutoToolChoice: true, reasoningParser: nemotron_v3, trustRemoteCode: true}
    """
    vllm = entry.model.vllm
    if vllm is None:
        return
    flags = vllm_flags.load()
    yield from _unknown_parsers(vllm, flags)
    family = family_of(vllm.model, entry.model.litellm_model_name)
    if family is None:
        return
    known = vllm.tool_call_parser is None or vllm.tool_call_parser in flags.tool_call_parsers
    yield from _family_parsers(entry, vllm, family, known)


def _unknown_parsers(vllm: VllmSpec, flags: vllm_flags.VllmFlags) -> Iterator[Finding]:
    """A tool-call or reasoning parser that vLLM does not have (an error: the server would not start)."""
    if vllm.tool_call_parser is not None and vllm.tool_call_parser not in flags.tool_call_parsers:
        nearest = catalog.nearest(vllm.tool_call_parser, flags.tool_call_parsers)
        yield Finding(
            f"vLLM {flags.version} has no tool-call parser {vllm.tool_call_parser!r}",
            ("vllm", "toolCallParser"),
            hint=f"did you mean {nearest}?" if nearest else "see `vllm serve --help=tool-call-parser`",
            severity=Severity.ERROR,
        )
    if vllm.reasoning_parser is not None and vllm.reasoning_parser not in flags.reasoning_parsers:
        nearest = catalog.nearest(vllm.reasoning_parser, flags.reasoning_parsers)
        yield Finding(
            f"vLLM {flags.version} has no reasoning parser {vllm.reasoning_parser!r}",
            ("vllm", "reasoningParser"),
            hint=f"did you mean {nearest}?" if nearest else "see `vllm serve --help=reasoning-parser`",
            severity=Severity.ERROR,
        )


def _family_parsers(entry: Entry, vllm: VllmSpec, family: Family, known: bool) -> Iterator[Finding]:
    """What the model family needs: its tool-call parser (when vLLM knows the one written:
    `known`), a reasoning parser, --trust-remote-code."""
    expected = (family.tool_call_parser, *family.also_ok)
    if known and vllm.tool_call_parser is not None and vllm.tool_call_parser not in expected:
        yield Finding(
            f"{family.name} models use the {family.tool_call_parser} tool-call parser, not {vllm.tool_call_parser}",
            ("vllm", "toolCallParser"),
            hint=f"write toolCallParser: {family.tool_call_parser}",
        )
    if family.reasoning_parser and vllm.reasoning_parser is None and entry.model.type == "CHAT":
        yield Finding(
            f"{family.name} models need a reasoning parser",
            ("vllm",),
            hint=f"add reasoningParser: {family.reasoning_parser}",
        )
    if family.trust_remote_code and vllm.trust_remote_code is not True:
        yield Finding(
            f"{family.name} models need --trust-remote-code",
            ("vllm",),
            hint="add trustRemoteCode: true",
        )


_FLAG_FITS = {
    "DEFAULT_WORKFLOW_STEP_MODEL": ("Text Generation", "a CHAT model"),
    "TOOL_CALLING_MODELS": ("Text Generation", "CHAT models that call tools"),
    "EMBEDDING_MODELS": ("Embeddings", "Embeddings models"),
    "AUDIO_TRANSCRIPTION": ("Transcription", "Transcription models"),
}


@rule("IC405", "flag-reference", Severity.ERROR, scope="contract")
def flag_reference(view: ContractView) -> Iterator[Finding]:
    """`featureFlags` names a model that does not exist, or one that does not fit the flag.

    Unleash variants point at model IDs; a name that is not in `models:` cannot be resolved,
    and an embedding model as the default workflow model breaks every workflow.

    Fails:

        featureFlags:
          EMBEDDING_MODELS: [gpt-4o]          # a Text Generation model

    Passes:

        featureFlags:
          EMBEDDING_MODELS: [text-embedding-3-large]
    """
    flags = view.raw_flags
    if not flags:
        return
    by_name = {n.name: n for n in view.names}
    for flag, value in flags.items():
        names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for i, name in enumerate(names):
            if not isinstance(name, str):
                continue
            path = ("featureFlags", flag, i) if isinstance(value, list) else ("featureFlags", flag)
            named = by_name.get(name)
            if named is None:
                nearest = catalog.nearest(name, by_name)
                yield Finding(
                    f"{flag} names {name!r}, which is no litellmModelName in models:",
                    path,
                    hint=f"did you mean {nearest}?"
                    if nearest
                    else "add the model to models: or fix the name",
                )
                continue
            fit = _FLAG_FITS.get(flag)
            if fit is None or named.entry is None or named.entry.broken & {"type", "metadataType", "vllm"}:
                continue
            model = named.entry.model
            metadata, wanted = fit
            if model.metadata_type != metadata or (metadata == "Text Generation" and model.type != "CHAT"):
                yield Finding(
                    f"{flag} takes {wanted}; {name!r} is {model.type} / {model.metadata_type}",
                    path,
                    hint="point the flag at a model of the right kind",
                )
            # A TOOL_CALLING_MODELS entry whose vllm block lacks toolCallParser is IC403's
            # (it fires on every CHAT vllm block without one): reported once, there.


@rule("IC406", "unknown-flag", Severity.WARNING, scope="contract")
def unknown_flag(view: ContractView) -> Iterator[Finding]:
    """`featureFlags` names a flag the platform does not define; hint: the nearest known name.

    `apply` points Unleash variants at models by flag name, so a misspelt flag creates a new
    flag nobody reads while the real one keeps its old models. The platform defines seed 002's
    DEFAULT_WORKFLOW_STEP_MODEL, TOOL_CALLING_MODELS, EMBEDDING_MODELS and AUDIO_TRANSCRIPTION;
    list any other in `platform.unleash.knownFlags`.

    Fails:

        featureFlags:
          DEFAULT_WORKFLOW_MODEL: gpt-4o      # DEFAULT_WORKFLOW_STEP_MODEL

    Passes:

        featureFlags:
          DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o

        featureFlags:
          CODE_REVIEW_MODELS: [gpt-4o]
        platform:
          unleash: {knownFlags: [CODE_REVIEW_MODELS]}
    """
    if not view.raw_flags:
        return
    known = (*_FLAG_FITS, *view.known_flags)
    for flag in view.raw_flags:
        if not isinstance(flag, str) or flag in known:
            continue
        nearest = catalog.nearest(flag, known)
        yield Finding(
            f"featureFlags names {flag}, which is not a flag the platform defines",
            ("featureFlags", flag),
            hint=(f"did you mean {nearest}? " if nearest else "")
            + "list the platform's own flags in platform.unleash.knownFlags",
            at_key=True,
        )
