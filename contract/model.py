"""The contract as typed data: a `models:` entry, its `vllm:` block, `featureFlags:`, `platform:`.

Field names in YAML are the seed's camelCase (`litellmModelName`); attributes are their
snake_case twins. Types are strict (no "8000" for 8000): the generated JSON Schema says the
same, so an editor and `validate` agree. Semantic checks live in `contract/rules/`, not here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
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
    """The platform's admin API (models, providers); `plan`/`apply` register the models there."""

    url: str | None = Field(
        None,
        description="The admin API's server URL (paths /v1/... are relative to it); --admin-url overrides it.",
    )
    token_env: str = Field(
        "ADMIN_API_TOKEN", description="Name of the environment variable holding the admin token."
    )


class Unleash(_Model):
    """Unleash, whose flags `apply` points at the models' admin-API ids."""

    url: str | None = Field(None, description="Base URL of Unleash (…/api is appended).")
    token_env: str = Field(
        "UNLEASH_ADMIN_TOKEN", description="Name of the environment variable holding an admin token."
    )
    project: str = Field("default", description="Unleash project of the flags.")
    environments: list[str] = Field(
        default_factory=lambda: ["production"], description="Environments to update."
    )


class Kubernetes(_Model):
    context: str | None = Field(None, description="kubeconfig context to use.")
    namespace: str | None = Field(None, description="Namespace of the platform (LiteLLM, check pods).")


# A Kubernetes object name (DNS-1123 subdomain).
K8S_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"


class Litellm(_Model):
    """The LiteLLM proxy's objects in `platform.kubernetes.namespace`, which `apply` writes."""

    config_map: str = Field(
        "litellm-config",
        pattern=K8S_NAME,
        max_length=253,
        description="ConfigMap holding the proxy's config.yaml.",
    )
    secret: str = Field(
        "litellm-credentials",
        pattern=K8S_NAME,
        max_length=253,
        description="Secret holding every variable the config reads (loaded into the proxy's environment).",
    )
    deployment: str = Field(
        "litellm",
        pattern=K8S_NAME,
        max_length=253,
        description="Deployment of the proxy; its pod template is annotated so it rolls on a new config.",
    )


class Platform(_Model):
    """Where the platform's services are. Connection settings only: secrets come from the environment."""

    admin_api: AdminApi | None = None
    unleash: Unleash | None = None
    kubernetes: Kubernetes | None = None
    litellm: Litellm | None = None


class Contract(_Model):
    """install-contract.yaml. Keys other than these belong to the rest of the install contract."""

    model_config = ConfigDict(extra="allow", title="install-contract.yaml")

    models: list[ModelEntry] = Field(min_length=1, description="Every LLM the platform may use.")
    feature_flags: FeatureFlags | None = Field(None, description="Unleash flags pointed at models by name.")
    platform: Platform | None = None
    routers: Any = Field(None, description="Semantic router configuration (not judged yet).")
