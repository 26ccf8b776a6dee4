"""The contract as typed data: a `models:` entry, its `vllm:` block, `featureFlags:`, `platform:`.

Field names in YAML are the seed's camelCase (`litellmModelName`); attributes are their
snake_case twins. Types are strict (no "8000" for 8000): the generated JSON Schema says the
same, so an editor and `validate` agree. Semantic checks live in `contract/pipeline/rules/`, not here.

The classes are plain frozen dataclasses, so that importing them costs nothing: `validate`
types a contract that is already right itself (`contract/pipeline/_fast.py`) and needs pydantic only
to explain what is wrong. `contract/pipeline/_pydantic.py` builds the pydantic twin of each class from
these declarations, on first use, for those error reports and for the JSON Schema.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field
from typing import Any, Literal

from contract.knowledge.litellm import SECRET_NAME

ModelType = Literal["CHAT", "INTERNAL"]
MetadataType = Literal["Text Generation", "Embeddings", "Transcription"]
CostTier = Literal["LOW", "MEDIUM", "HIGH"]
Dtype = Literal["auto", "half", "float16", "bfloat16", "float", "float32"]

_SECRET = "Secret: write it as ${VAR} (environment); a literal value is reported (IC303)."


class Secret:
    """A secret value: never shown by repr or str (the same contract as pydantic's SecretStr)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def camel(name: str) -> str:
    """The YAML key of an attribute: `litellm_model_name` -> `litellmModelName`."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def spec(
    default: Any = MISSING,
    *,
    description: str = "",
    alias: str | None = None,
    default_factory: Any = MISSING,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    twin: str | None = None,
) -> Any:
    """A field of the contract: its default, YAML key (`alias`, else camelCase), documentation
    and bounds. Without a default the field is required.

    `twin` ("module:attribute") names a pydantic type that validates the field instead of its
    annotation: for blocks typed with pydantic in their own module (`routers:`), which the
    fast path leaves to pydantic."""
    bounds = {
        "ge": ge,
        "gt": gt,
        "le": le,
        "min_length": min_length,
        "max_length": max_length,
        "pattern": pattern,
    }
    metadata = {
        "alias": alias,
        "description": description,
        "bounds": {k: v for k, v in bounds.items() if v is not None},
        "twin": twin,
    }
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


_typed = dataclass(frozen=True, slots=True, kw_only=True)


@_typed
class Gpus:
    """The GPUs a self-hosted model is given."""

    count: int = spec(
        ge=0, description="Number of GPUs the deployment gets; 0 serves on CPUs on purpose (IC209 warns)."
    )
    memory_gib: float | None = spec(
        None,
        gt=0,
        alias="memoryGiB",
        description="Memory of one GPU in GiB (80 for an H100 80GB, 192 for a B200); required unless count is 0.",
    )


@_typed
class Resources:
    """CPU and memory the vLLM server's pod requests besides its GPUs (Helm values)."""

    cpu: int | None = spec(
        None, ge=1, description="Whole CPU cores to request (default: 4, and 2 more for each GPU)."
    )
    memory_gib: float | None = spec(
        None,
        gt=0,
        alias="memoryGiB",
        description="Memory to request in GiB (default: the weights and 16 GiB for the server).",
    )


@_typed
class VllmSpec:
    """How a self-hosted entry is served by `vllm serve` (rendered into argv and Helm values)."""

    model: str = spec(min_length=1, description="HuggingFace model id or local path passed to `vllm serve`.")
    revision: str | None = spec(
        None,
        min_length=1,
        description="--revision: the Hugging Face commit (or tag) of the weights, pinned for air-gapped kits.",
    )
    served_model_name: str | None = spec(
        None, description="--served-model-name; defaults to litellmModelName and must equal it."
    )
    max_model_len: int | None = spec(
        None, ge=1, description="--max-model-len; defaults to contextWindow and must equal it."
    )
    dtype: Dtype | None = spec(None, description="--dtype, e.g. bfloat16.")
    quantization: str | None = spec(None, description="--quantization method (fp8, awq, gptq, ...).")
    kv_cache_dtype: str | None = spec(None, description="--kv-cache-dtype, e.g. fp8.")
    tensor_parallel_size: int | None = spec(
        None, ge=1, description="--tensor-parallel-size; must fit gpus.count (defaults to it)."
    )
    gpus: Gpus | None = spec(None, description="GPUs the deployment gets: count and memory per GPU.")
    resources: Resources | None = spec(
        None, description="CPU and memory the deployment requests (default: sized for a vLLM server)."
    )
    params_billions: float | None = spec(
        None,
        gt=0,
        description="Parameter count in billions, for GPU sizing when the model id does not say (70).",
    )
    tool_call_parser: str | None = spec(
        None, description="--tool-call-parser for the model family; required for agents (CHAT models)."
    )
    enable_auto_tool_choice: bool | None = spec(
        None, description="--enable-auto-tool-choice; always paired with toolCallParser."
    )
    reasoning_parser: str | None = spec(
        None, description="--reasoning-parser (nemotron_v3 for Nemotron 3, openai_gptoss for GPT OSS)."
    )
    trust_remote_code: bool | None = spec(None, description="--trust-remote-code (Nemotron 3 needs it).")
    enable_prefix_caching: bool | None = spec(None, description="--enable-prefix-caching.")
    enable_chunked_prefill: bool | None = spec(None, description="--enable-chunked-prefill.")
    port: int = spec(8000, ge=1, le=65535, description="--port the server listens on.")
    image: str | None = spec(
        None, description="Container image for the deployment (mirror it for air-gapped sites)."
    )
    extra_args: list[str] = spec(
        default_factory=list,
        description="Further `vllm serve` flags, appended last (checked against vLLM's flags).",
    )
    hf_token: Secret | None = spec(None, description="HuggingFace token for gated weights. " + _SECRET)


@_typed
class ModelEntry:
    """One LLM the platform may use: registered with the admin API and routed by LiteLLM."""

    litellm_model_name: str = spec(
        min_length=1,
        description="Unique routing key; equals --served-model-name for vLLM and the names Unleash variants use.",
    )
    litellm_model: str = spec(
        min_length=1,
        description="Provider-prefixed LiteLLM model id, e.g. anthropic/claude-sonnet-4-20250514.",
    )
    display_name: str = spec(min_length=1, description="Name shown in the UI model picker.")
    provider: str = spec(
        min_length=1,
        description="ModelProvider display name (OpenAI, Anthropic, AWS Bedrock, Self-Hosted, ...).",
    )
    creator: str | None = spec(None, description="Model author (Anthropic, OpenAI, NVIDIA, Meta, ...).")
    type: ModelType = spec(
        description="CHAT for user-facing LLMs, INTERNAL for embeddings and transcription."
    )
    metadata_type: MetadataType = spec(
        description="Text Generation, Embeddings or Transcription; drives flag routing."
    )
    cost_tier: CostTier | None = spec(None, description="LOW, MEDIUM or HIGH.")
    context_window: int = spec(ge=1, description="The model's full advertised context window, in tokens.")
    max_tokens: int | None = spec(None, ge=1, description="Maximum output tokens LiteLLM will request.")
    description: str | None = spec(None, description="Shown in the model picker.")
    doc_link: str | None = spec(None, description="Link to the model's documentation.")
    api_key: Secret | None = spec(None, description="API key. " + _SECRET)
    api_base: str | None = spec(
        None,
        description="Endpoint base URL; OpenAI-compatible endpoints end in /v1. Omit for the provider default.",
    )
    api_version: str | None = spec(None, description="Azure OpenAI API version, e.g. '2024-10-21' (quoted).")
    aws_region: str | None = spec(None, description="AWS region of a Bedrock model, e.g. us-west-2.")
    aws_access_key_id: Secret | None = spec(
        None, description="AWS access key id; leave both keys out to use the cluster's IRSA role. " + _SECRET
    )
    aws_secret_access_key: Secret | None = spec(None, description="AWS secret access key. " + _SECRET)
    base_model: str | None = spec(
        None, description="Underlying model of an Azure deployment (gpt-4o), for pricing and capabilities."
    )
    vllm: VllmSpec | None = spec(None, description="Self-hosted: how to serve the model with vLLM.")


@_typed
class FeatureFlags:
    """Unleash flags pointed at models. A flag left out is derived from metadataType and tool support."""

    # How a class is typed beyond its fields: unknown keys are kept (typed as flags) here.
    __extra__ = "allow"

    DEFAULT_WORKFLOW_STEP_MODEL: str | None = spec(
        None, alias="DEFAULT_WORKFLOW_STEP_MODEL", description="One CHAT model."
    )
    TOOL_CALLING_MODELS: str | list[str] | None = spec(
        None, alias="TOOL_CALLING_MODELS", description="CHAT models that call tools (one name or a list)."
    )
    EMBEDDING_MODELS: str | list[str] | None = spec(
        None, alias="EMBEDDING_MODELS", description="Embeddings models (one name or a list)."
    )
    AUDIO_TRANSCRIPTION: str | list[str] | None = spec(
        None, alias="AUDIO_TRANSCRIPTION", description="Transcription models (one name or a list)."
    )
    # Flags other than the four above, by name (their values are checked like the four).
    extra: dict[str, str | list[str]] = spec(default_factory=dict)

    def by_name(self) -> dict[str, str | list[str]]:
        """Every flag the contract sets, by its name in YAML (the four above first)."""
        named = {
            "DEFAULT_WORKFLOW_STEP_MODEL": self.DEFAULT_WORKFLOW_STEP_MODEL,
            "TOOL_CALLING_MODELS": self.TOOL_CALLING_MODELS,
            "EMBEDDING_MODELS": self.EMBEDDING_MODELS,
            "AUDIO_TRANSCRIPTION": self.AUDIO_TRANSCRIPTION,
        }
        return {**{k: v for k, v in named.items() if v is not None}, **self.extra}


@_typed
class AdminApi:
    """The platform's admin API (models, providers); `plan`/`apply` register the models there."""

    url: str | None = spec(
        None,
        description="The admin API's server URL (paths /v1/... are relative to it); --admin-url overrides it.",
    )
    token_env: str = spec(
        "ADMIN_API_TOKEN", description="Name of the environment variable holding the admin token."
    )


def _production() -> list[str]:
    return ["production"]


@_typed
class Unleash:
    """Unleash, whose flags `apply` points at the models' admin-API ids."""

    url: str | None = spec(None, description="Base URL of Unleash (…/api is appended).")
    token_env: str = spec(
        "UNLEASH_ADMIN_TOKEN", description="Name of the environment variable holding an admin token."
    )
    project: str = spec("default", description="Unleash project of the flags.")
    environments: list[str] = spec(default_factory=_production, description="Environments to update.")
    known_flags: list[str] = spec(
        default_factory=list,
        description="Flags this platform defines beyond seed 002's four (featureFlags may name them).",
    )


@_typed
class Kubernetes:
    context: str | None = spec(None, description="kubeconfig context to use.")
    namespace: str | None = spec(None, description="Namespace of the platform (LiteLLM, check pods).")


# A Kubernetes object name (DNS-1123 subdomain).
K8S_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"


@_typed
class Litellm:
    """The LiteLLM proxy's objects in `platform.kubernetes.namespace`, which `apply` writes."""

    config_map: str = spec(
        "litellm-config",
        pattern=K8S_NAME,
        max_length=253,
        description="ConfigMap holding the proxy's config.yaml.",
    )
    secret: str = spec(
        SECRET_NAME,
        pattern=K8S_NAME,
        max_length=253,
        description="Secret holding every variable the config reads (loaded into the proxy's environment).",
    )
    deployment: str = spec(
        "litellm",
        pattern=K8S_NAME,
        max_length=253,
        description="Deployment of the proxy; its pod template is annotated so it rolls on a new config.",
    )


@_typed
class Platform:
    """Where the platform's services are. Connection settings only: secrets come from the environment."""

    admin_api: AdminApi | None = spec(None)
    unleash: Unleash | None = spec(None)
    kubernetes: Kubernetes | None = spec(None)
    litellm: Litellm | None = spec(None)


# -- environments and GitOps (resolved by contract/pipeline/environments.py) ----------------------------

# An environment's name: a directory under render's --out and part of Kubernetes object names.
ENV_NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


@_typed
class Environment:
    """One place the platform is installed (dev, staging, prod): the base contract plus these changes."""

    platform: Platform | None = spec(
        None,
        description="Overrides of platform: (Kubernetes context and namespace, admin API and Unleash "
        "URLs, Unleash environments, LiteLLM object names); maps merge, lists replace.",
    )
    only: list[str] | None = spec(
        None, min_length=1, description="Only these models (by litellmModelName) are installed here."
    )
    except_: list[str] | None = spec(
        None, alias="except", description="Every model but these (by litellmModelName)."
    )
    overrides: dict[str, dict[str, Any]] = spec(
        default_factory=dict,
        description="Changes to models by litellmModelName: any entry field; maps merge, lists replace.",
    )
    feature_flags: FeatureFlags | None = spec(
        None, description="Flags set differently here (each flag named replaces the base's)."
    )
    variables: dict[str, str] = spec(
        default_factory=dict,
        description="Values of ${VAR} names that are not secrets (a service host); secrets stay "
        "environment variables or Secret references.",
    )
    cluster: str | None = spec(
        None,
        description="The Kubernetes API server Argo CD deploys this environment to "
        "(default https://kubernetes.default.svc).",
    )


@_typed
class ExternalSecrets:
    """External Secrets Operator: each overlay gets an ExternalSecret stub that fills the LiteLLM Secret."""

    store: str = spec(min_length=1, description="The SecretStore or ClusterSecretStore to read from.")
    kind: Literal["SecretStore", "ClusterSecretStore"] = spec(
        "ClusterSecretStore", description="The kind of the store."
    )
    refresh_interval: str = spec("1h", description="How often the operator refreshes the Secret.")


@_typed
class GitOps:
    """`render --target gitops`: where the tree lives in Git, for Argo CD and Flux."""

    repo_url: str | None = spec(
        None, alias="repoURL", description="The Git repository Argo CD reads the tree from."
    )
    revision: str = spec("main", min_length=1, description="The branch, tag or commit to deploy.")
    path: str = spec(
        "", description="The folder in the repository where the rendered tree is committed ('' = root)."
    )
    flux_source: str = spec(
        "flux-system", pattern=K8S_NAME, description="The Flux GitRepository holding the repository."
    )
    external_secrets: ExternalSecrets | None = spec(
        None, description="Write ExternalSecret stubs for the LiteLLM Secret from this store."
    )


# -- routers: vLLM Semantic Router v0.3 (the pydantic classes are in contract/pipeline/routers.py) ---------

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


@_typed
class Contract:
    """install-contract.yaml. Keys other than these belong to the rest of the install contract."""

    __extra__ = "allow"
    __title__ = "install-contract.yaml"

    models: list[ModelEntry] = spec(min_length=1, description="Every LLM the platform may use.")
    feature_flags: FeatureFlags | None = spec(None, description="Unleash flags pointed at models by name.")
    platform: Platform | None = spec(None)
    routers: Any = spec(
        None,
        twin="contract.pipeline.routers:Routers",
        description="vLLM Semantic Router instances by name: which requests go to which model "
        "(rendered into router/<name>.yaml; agents send model: auto to the router's listener).",
    )
    environments: dict[str, Environment] | None = spec(
        None,
        description="Where the platform is installed (dev, staging, prod), by name: each is models: "
        "and platform: with its own changes (render --env NAME, render --target gitops).",
    )
    gitops: GitOps | None = spec(None, description="Settings of render --target gitops.")
