"""The contract as typed data: a `models:` entry, its `vllm:` block, `featureFlags:`, `platform:`.

Field names in YAML are the seed's camelCase (`litellmModelName`); attributes are their
snake_case twins. Types are strict (no "8000" for 8000): the generated JSON Schema says the
same, so an editor and `validate` agree. Semantic checks live in `contract/rules/`, not here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints
from pydantic.alias_generators import to_camel

SECRET_FIELDS = ("apiKey", "awsAccessKeyId", "awsSecretAccessKey")
VLLM_SECRET_FIELDS = ("hfToken",)

ModelType = Literal["CHAT", "INTERNAL"]
MetadataType = Literal["Text Generation", "Embeddings", "Transcription"]
CostTier = Literal["LOW", "MEDIUM", "HIGH"]
Dtype = Literal["auto", "half", "float16", "bfloat16", "float", "float32"]

_SECRET = "Secret: write it as ${VAR} (environment); a literal value is reported (IC303)."


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        # Only the contract's camelCase spelling is accepted: `max_tokens` is an unknown field.
        populate_by_name=False,
        strict=True,
        frozen=True,
        extra="forbid",
    )


class Gpus(_Model):
    """The GPUs a self-hosted model is given."""

    count: int = Field(ge=1, description="Number of GPUs the deployment gets.")
    memory_gib: float = Field(
        gt=0, alias="memoryGiB", description="Memory of one GPU in GiB (80 for an H100 80GB, 192 for a B200)."
    )


class VllmSpec(_Model):
    """How a self-hosted entry is served by `vllm serve` (rendered into argv and Helm values)."""

    model: str = Field(min_length=1, description="HuggingFace model id or local path passed to `vllm serve`.")
    served_model_name: str | None = Field(
        None, description="--served-model-name; defaults to litellmModelName and must equal it."
    )
    max_model_len: int | None = Field(
        None, ge=1, description="--max-model-len; defaults to contextWindow and must equal it."
    )
    dtype: Dtype | None = Field(None, description="--dtype, e.g. bfloat16.")
    quantization: str | None = Field(None, description="--quantization method (fp8, awq, gptq, ...).")
    kv_cache_dtype: str | None = Field(None, description="--kv-cache-dtype, e.g. fp8.")
    tensor_parallel_size: int | None = Field(
        None, ge=1, description="--tensor-parallel-size; must fit gpus.count (defaults to it)."
    )
    gpus: Gpus | None = Field(None, description="GPUs the deployment gets: count and memory per GPU.")
    params_billions: float | None = Field(
        None,
        gt=0,
        description="Parameter count in billions, for GPU sizing when the model id does not say (70).",
    )
    tool_call_parser: str | None = Field(
        None, description="--tool-call-parser for the model family; required for agents (CHAT models)."
    )
    enable_auto_tool_choice: bool | None = Field(
        None, description="--enable-auto-tool-choice; always paired with toolCallParser."
    )
    reasoning_parser: str | None = Field(
        None, description="--reasoning-parser (nemotron_v3 for Nemotron 3, openai_gptoss for GPT OSS)."
    )
    trust_remote_code: bool | None = Field(None, description="--trust-remote-code (Nemotron 3 needs it).")
    enable_prefix_caching: bool | None = Field(None, description="--enable-prefix-caching.")
    enable_chunked_prefill: bool | None = Field(None, description="--enable-chunked-prefill.")
    port: int = Field(8000, ge=1, le=65535, description="--port the server listens on.")
    image: str | None = Field(
        None, description="Container image for the deployment (mirror it for air-gapped sites)."
    )
    extra_args: list[str] = Field(
        default_factory=list,
        description="Further `vllm serve` flags, appended last (checked against vLLM's flags).",
    )
    hf_token: SecretStr | None = Field(None, description="HuggingFace token for gated weights. " + _SECRET)


class ModelEntry(_Model):
    """One LLM the platform may use: registered with the admin API and routed by LiteLLM."""

    litellm_model_name: str = Field(
        min_length=1,
        description="Unique routing key; equals --served-model-name for vLLM and the names Unleash variants use.",
    )
    litellm_model: str = Field(
        min_length=1,
        description="Provider-prefixed LiteLLM model id, e.g. anthropic/claude-sonnet-4-20250514.",
    )
    display_name: str = Field(min_length=1, description="Name shown in the UI model picker.")
    provider: str = Field(
        min_length=1,
        description="ModelProvider display name (OpenAI, Anthropic, AWS Bedrock, Self-Hosted, ...).",
    )
    creator: str | None = Field(None, description="Model author (Anthropic, OpenAI, NVIDIA, Meta, ...).")
    type: ModelType = Field(
        description="CHAT for user-facing LLMs, INTERNAL for embeddings and transcription."
    )
    metadata_type: MetadataType = Field(
        description="Text Generation, Embeddings or Transcription; drives flag routing."
    )
    cost_tier: CostTier | None = Field(None, description="LOW, MEDIUM or HIGH.")
    context_window: int = Field(ge=1, description="The model's full advertised context window, in tokens.")
    max_tokens: int | None = Field(None, ge=1, description="Maximum output tokens LiteLLM will request.")
    description: str | None = Field(None, description="Shown in the model picker.")
    doc_link: str | None = Field(None, description="Link to the model's documentation.")
    api_key: SecretStr | None = Field(None, description="API key. " + _SECRET)
    api_base: str | None = Field(
        None,
        description="Endpoint base URL; OpenAI-compatible endpoints end in /v1. Omit for the provider default.",
    )
    api_version: str | None = Field(None, description="Azure OpenAI API version, e.g. '2024-10-21' (quoted).")
    aws_region: str | None = Field(None, description="AWS region of a Bedrock model, e.g. us-west-2.")
    aws_access_key_id: SecretStr | None = Field(
        None, description="AWS access key id; leave both keys out to use the cluster's IRSA role. " + _SECRET
    )
    aws_secret_access_key: SecretStr | None = Field(None, description="AWS secret access key. " + _SECRET)
    base_model: str | None = Field(
        None, description="Underlying model of an Azure deployment (gpt-4o), for pricing and capabilities."
    )
    vllm: VllmSpec | None = Field(None, description="Self-hosted: how to serve the model with vLLM.")


class FeatureFlags(_Model):
    """Unleash flags pointed at models. A flag left out is derived from metadataType and tool support."""

    model_config = ConfigDict(extra="allow")

    DEFAULT_WORKFLOW_STEP_MODEL: str | None = Field(
        None, alias="DEFAULT_WORKFLOW_STEP_MODEL", description="One CHAT model."
    )
    TOOL_CALLING_MODELS: str | list[str] | None = Field(
        None, alias="TOOL_CALLING_MODELS", description="CHAT models that call tools (one name or a list)."
    )
    EMBEDDING_MODELS: str | list[str] | None = Field(
        None, alias="EMBEDDING_MODELS", description="Embeddings models (one name or a list)."
    )
    AUDIO_TRANSCRIPTION: str | list[str] | None = Field(
        None, alias="AUDIO_TRANSCRIPTION", description="Transcription models (one name or a list)."
    )
    __pydantic_extra__: dict[str, str | list[str]] = Field(init=False)


class AdminApi(_Model):
    url: str | None = Field(None, description="Base URL of the platform's admin API.")
    token_env: str | None = Field(
        None, description="Name of the environment variable holding the admin token."
    )


class Unleash(_Model):
    url: str | None = Field(None, description="Base URL of Unleash (…/api is appended).")
    token_env: str | None = Field(
        None, description="Name of the environment variable holding an admin token."
    )
    project: str = Field("default", description="Unleash project of the flags.")
    environments: list[str] = Field(
        default_factory=lambda: ["production"], description="Environments to update."
    )


class Kubernetes(_Model):
    context: str | None = Field(None, description="kubeconfig context to use.")
    namespace: str | None = Field(None, description="Namespace of the platform (LiteLLM, check pods).")


class Platform(_Model):
    """Where the platform's services are. Connection settings only: secrets come from the environment."""

    admin_api: AdminApi | None = None
    unleash: Unleash | None = None
    kubernetes: Kubernetes | None = None


# -- routers: vLLM Semantic Router v0.3 -------------------------------------------------------
# Signals and decisions keep vLLM Semantic Router's own spelling (snake_case fields, `modelRefs`),
# so a block copied from its documentation works here and is rendered as written.

# A decision condition's `type` -> the `signals:` collection that declares it (vllm-sr 0.4.0's
# schema, `x-vllm-sr.signals`). `projection` conditions name projections, which a router here
# does not declare.
SIGNAL_COLLECTIONS: dict[str, str] = {
    "keyword": "keywords",
    "embedding": "embeddings",
    "domain": "domains",
    "fact_check": "fact_check",
    "user_feedback": "user_feedbacks",
    "reask": "reasks",
    "preference": "preferences",
    "language": "language",
    "context": "context",
    "structure": "structure",
    "complexity": "complexity",
    "modality": "modality",
    "authz": "role_bindings",
    "jailbreak": "jailbreak",
    "safety": "safety",
    "pii": "pii",
    "kb": "kb",
    "conversation": "conversation",
    "event": "events",
    "metadata": "metadata",
    "classifier": "classifiers",
    "input_modality": "input_modality",
}
ConditionType = Literal[
    "authz",
    "classifier",
    "complexity",
    "context",
    "conversation",
    "domain",
    "embedding",
    "event",
    "fact_check",
    "input_modality",
    "jailbreak",
    "kb",
    "keyword",
    "language",
    "metadata",
    "modality",
    "pii",
    "preference",
    "reask",
    "safety",
    "structure",
    "user_feedback",
    "projection",
]
DEFAULT_ROUTER_PORT = 8899
ROUTER_NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
RouterName = Annotated[str, StringConstraints(pattern=ROUTER_NAME_PATTERN)]


class _Verbatim(BaseModel):
    """A vLLM Semantic Router object: its field names as vllm-sr spells them."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


class Signal(_Verbatim):
    """A named signal; its other fields are vllm-sr's for that kind (checked by `vllm-sr config validate`)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, description="The name decisions refer to (rules.conditions[].name).")


class KeywordSignal(_Verbatim):
    """Matches when the request contains the keywords."""

    name: str = Field(min_length=1, description="The name decisions refer to.")
    operator: Literal["AND", "OR", "NOR"] = Field(
        description="OR: any keyword; AND: all of them; NOR: none of them."
    )
    keywords: list[str] = Field(min_length=1, description="Words or phrases to look for.")
    case_sensitive: bool | None = None
    method: str | None = Field(None, description="Matching method (vllm-sr: regex, bm25, ngram).")
    fuzzy_match: bool | None = None
    fuzzy_threshold: int | None = None
    bm25_threshold: float | None = None
    ngram_threshold: float | None = None
    ngram_arity: int | None = None


class EmbeddingSignal(_Verbatim):
    """Matches when the request is semantically close to one of the candidates."""

    name: str = Field(min_length=1, description="The name decisions refer to.")
    threshold: float = Field(ge=0, le=1, description="Similarity (0–1) above which the signal fires.")
    candidates: list[str] = Field(min_length=1, description="Example requests of this kind.")
    negative_candidates: list[str] | None = None
    aggregation_method: Literal["max", "mean", "any"] | None = None


class DomainSignal(_Verbatim):
    """Matches requests the domain classifier puts in one of these MMLU categories."""

    name: str = Field(min_length=1, description="The name decisions refer to.")
    description: str = Field(min_length=1, description="What the domain covers.")
    mmlu_categories: list[str] | None = Field(None, description="MMLU categories of the domain.")


class Signals(_Verbatim):
    """What the router observes in a request, by kind (vLLM Semantic Router's `routing.signals`)."""

    keywords: list[KeywordSignal] | None = None
    embeddings: list[EmbeddingSignal] | None = None
    domains: list[DomainSignal] | None = None
    fact_check: list[Signal] | None = None
    user_feedbacks: list[Signal] | None = None
    reasks: list[Signal] | None = None
    preferences: list[Signal] | None = None
    language: list[Signal] | None = None
    context: list[Signal] | None = None
    structure: list[Signal] | None = None
    complexity: list[Signal] | None = None
    modality: list[Signal] | None = None
    role_bindings: list[Signal] | None = None
    jailbreak: list[Signal] | None = None
    safety: list[Signal] | None = None
    pii: list[Signal] | None = None
    kb: list[Signal] | None = None
    conversation: list[Signal] | None = None
    events: list[Signal] | None = None
    metadata: list[Signal] | None = None
    classifiers: list[Signal] | None = None
    input_modality: list[Signal] | None = None


class RuleNode(_Verbatim):
    """A condition on one signal (`type` + `name`) or a combination (`operator` + `conditions`)."""

    type: ConditionType | None = Field(None, description="The signal's kind (keyword, domain, ...).")
    name: str | None = Field(None, description="The signal's name in signals:.")
    label: str | None = None
    operator: Literal["AND", "OR", "NOT"] | None = Field(None, description="How conditions combine.")
    conditions: list[RuleNode] | None = None
    predicate: dict[str, float] | None = None
    on_error: str | None = None
    on_unknown: Literal["no_match", "match", "fail_request"] | None = None


class ModelRef(_Verbatim):
    """A model a decision sends requests to."""

    model: str = Field(min_length=1, description="A litellmModelName of models:.")
    use_reasoning: bool | None = Field(None, description="Turn the model's reasoning on for these requests.")
    reasoning_effort: str | None = None
    reasoning_description: str | None = None
    reasoning_mode: str | None = None
    lora_name: str | None = None
    weight: float | None = None


class Decision(_Verbatim):
    """Which requests (rules over signals) go to which models (modelRefs), by priority."""

    name: str = Field(min_length=1, description="Unique within the router.")
    description: str | None = None
    priority: int = Field(description="Higher wins when several decisions match.")
    rules: RuleNode | None = Field(
        None, description="The condition tree over the router's signals; none matches every request."
    )
    model_refs: list[ModelRef] = Field(
        alias="modelRefs", min_length=1, description="Models the matching requests go to."
    )
    # Passed through to vLLM Semantic Router as written.
    tier: int | None = None
    algorithm: dict[str, Any] | None = None
    plugins: list[dict[str, Any]] | None = None
    adaptations: dict[str, Any] | None = None
    action: dict[str, Any] | None = None
    emits: list[dict[str, Any]] | None = None
    annotations: dict[str, Any] | None = None


class Router(_Verbatim):
    """One vLLM Semantic Router: its listener, default model, signals and decisions."""

    default: str = Field(
        min_length=1, description="A CHAT litellmModelName for requests no decision matches."
    )
    port: int = Field(DEFAULT_ROUTER_PORT, ge=1, le=65535, description="The router's listener port.")
    description: str | None = None
    signals: Signals | None = Field(None, description="What the router observes, by kind.")
    decisions: list[Decision] = Field(default_factory=list, description="Routes, by priority.")


class Contract(_Model):
    """install-contract.yaml. Keys other than these belong to the rest of the install contract."""

    model_config = ConfigDict(extra="allow", title="install-contract.yaml")

    models: list[ModelEntry] = Field(min_length=1, description="Every LLM the platform may use.")
    feature_flags: FeatureFlags | None = Field(None, description="Unleash flags pointed at models by name.")
    platform: Platform | None = None
    routers: dict[RouterName, Router] | None = Field(
        None,
        description="vLLM Semantic Router instances by name: which requests go to which model "
        "(rendered into router/<name>.yaml; agents send model: auto to the router's listener).",
    )
