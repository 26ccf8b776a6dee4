"""The `routers:` block: vLLM Semantic Router v0.3 configurations, typed with pydantic.

Imported only when a contract has routers (and for the JSON Schema): `validate` of a contract
without them never pays for pydantic. The plain constants (signal kinds, the name pattern,
the default port) live in `contract/pipeline/model.py`.

Signals and decisions keep vLLM Semantic Router's own spelling (snake_case fields, `modelRefs`),
so a block copied from its documentation works here and is rendered as written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contract.pipeline.model import DEFAULT_ROUTER_PORT, ROUTER_NAME_PATTERN, ConditionType

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


# The type of `routers:` in the contract's pydantic twin (the JSON Schema).
Routers = dict[RouterName, Router] | None
