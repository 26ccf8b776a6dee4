"""IC6xx: semantic routers: the models and signals a `routers:` block refers to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from contract.diagnostics import Path, Severity
from contract.knowledge import catalog
from contract.pipeline.model import SIGNAL_COLLECTIONS
from contract.pipeline.router_config import endpoint
from contract.pipeline.rules._context import ContractView, Named
from contract.pipeline.rules.registry import Finding, rule

if TYPE_CHECKING:
    from contract.pipeline.routers import Router, RuleNode

# vllm-sr lets a decision name a complexity signal with a level: `reasoning:hard`.
_COMPLEXITY_LEVELS = ("easy", "medium", "hard")


def _model_refs(name: str, router: Router) -> Iterator[tuple[str, Path]]:
    """Every model name the router refers to, with where it is written."""
    yield router.default, ("routers", name, "default")
    for i, decision in enumerate(router.decisions):
        for j, ref in enumerate(decision.model_refs):
            yield ref.model, ("routers", name, "decisions", i, "modelRefs", j, "model")


def _conditions(node: RuleNode, path: Path) -> Iterator[tuple[RuleNode, Path]]:
    yield node, path
    for k, child in enumerate(node.conditions or ()):
        yield from _conditions(child, (*path, "conditions", k))


def _declared(router: Router) -> dict[str, set[str]]:
    """Signal names by collection (`keywords` -> {code_keywords})."""
    out: dict[str, set[str]] = {}
    if router.signals is None:
        return out
    for collection in SIGNAL_COLLECTIONS.values():
        for signal in getattr(router.signals, collection) or ():
            out.setdefault(collection, set()).add(signal.name)
    return out


def _referenced_name(node: RuleNode) -> str | None:
    if node.name is None:
        return None
    if node.type == "complexity":
        base, _, level = node.name.rpartition(":")
        if base and level in _COMPLEXITY_LEVELS:
            return base
    return node.name


@rule("IC601", "router-unknown-model", Severity.ERROR, scope="contract")
def router_unknown_model(view: ContractView) -> Iterator[Finding]:
    """A router's `default` or a decision's `modelRefs[].model` is no litellmModelName.

    The router's config lists only the contract's models; a name that is not one of them is a
    route to nowhere (vLLM Semantic Router refuses the config).

    Fails:

        routers:
          coding:
            default: qwen3-8b
            decisions:
              - {name: code, priority: 200, rules: {operator: OR, conditions: []},
                 modelRefs: [{model: llama-405b}]}       # not in models:

    Passes:

        routers:
          coding:
            default: qwen3-8b                            # a litellmModelName of models:
    """
    names = {n.name for n in view.names}
    for router_name, router in view.routers.items():
        for model, path in _model_refs(router_name, router):
            if model in names:
                continue
            nearest = catalog.nearest(model, names)
            yield Finding(
                f"router {router_name!r} routes to {model!r}, which is no litellmModelName in models:",
                path,
                hint=f"did you mean {nearest}?" if nearest else "add the model to models: or fix the name",
            )


@rule("IC602", "router-undeclared-signal", Severity.ERROR, scope="contract")
def router_undeclared_signal(view: ContractView) -> Iterator[Finding]:
    """A decision's condition names a signal its router does not declare under `signals:`.

    A condition `{type: keyword, name: code_keywords}` needs `signals.keywords[]` to hold a
    signal named `code_keywords`; otherwise the decision can never match as meant.

    Fails:

        signals: {keywords: [{name: code_keywords, operator: OR, keywords: [code]}]}
        decisions:
          - {name: code, rules: {operator: OR, conditions: [{type: keyword, name: code}]},
             modelRefs: [{model: llama-70b}]}

    Passes:

        signals: {keywords: [{name: code_keywords, operator: OR, keywords: [code]}]}
        decisions:
          - {name: code, rules: {operator: OR, conditions: [{type: keyword, name: code_keywords}]},
             modelRefs: [{model: llama-70b}]}
    """
    for router_name, router in view.routers.items():
        declared = _declared(router)
        for i, decision in enumerate(router.decisions):
            base: Path = ("routers", router_name, "decisions", i, "rules")
            for node, path in _conditions(decision.rules, base) if decision.rules else ():
                name = _referenced_name(node)
                if node.type is None or name is None:
                    continue
                if node.type == "projection":
                    yield Finding(
                        f"decision {decision.name!r} uses a projection condition; "
                        "a router in the contract declares no projections",
                        (*path, "type"),
                        hint="use a signal condition (keyword, embedding, domain, ...)",
                    )
                    continue
                collection = SIGNAL_COLLECTIONS[node.type]
                known = declared.get(collection, set())
                if name in known:
                    continue
                nearest = catalog.nearest(name, known) if known else None
                yield Finding(
                    f"decision {decision.name!r} uses the {node.type} signal {name!r}, "
                    f"which signals.{collection} of router {router_name!r} does not declare",
                    (*path, "name"),
                    hint=f"did you mean {nearest}?"
                    if nearest
                    else f"declare it under signals: {collection}: [{{name: {name}, ...}}]",
                )


def _chat(named: Named) -> bool | None:
    """Whether the entry is a CHAT Text Generation model; None when its fields are broken."""
    entry = named.entry
    if entry is None or entry.broken & {"type", "metadataType"}:
        return None
    return entry.model.type == "CHAT" and entry.model.metadata_type == "Text Generation"


@rule("IC603", "router-model-not-chat", Severity.ERROR, scope="contract")
def router_model_not_chat(view: ContractView) -> Iterator[Finding]:
    """A router's `default` or a decision's model is not a CHAT (Text Generation) model.

    Agents send chat requests to the router (`"model": "auto"`); an embedding or
    transcription model cannot answer them.

    Fails:

        models:
          - {litellmModelName: embed, type: INTERNAL, metadataType: Embeddings, ...}
        routers:
          rag: {default: embed}

    Passes:

        routers:
          rag: {default: qwen3-8b}                       # type: CHAT
    """
    by_name = {n.name: n for n in view.names}
    for router_name, router in view.routers.items():
        for model, path in _model_refs(router_name, router):
            named = by_name.get(model)
            if named is None or _chat(named) is not False:
                continue
            assert named.entry is not None
            kind = f"{named.entry.model.type} / {named.entry.model.metadata_type}"
            what = "default" if path[-1] == "default" else "model"
            yield Finding(
                f"router {router_name!r}: {what} {model!r} is {kind}, not a CHAT model",
                path,
                hint="route chat requests to a type: CHAT, metadataType: Text Generation model",
            )


@rule("IC604", "duplicate-decision-priority", Severity.ERROR, scope="contract")
def duplicate_decision_priority(view: ContractView) -> Iterator[Finding]:
    """Two decisions of one router have the same priority.

    The router tries decisions from the highest priority down; with a tie, which one wins
    when both match is left to the order of the file.

    Fails:

        decisions:
          - {name: code, priority: 200, ...}
          - {name: math, priority: 200, ...}

    Passes:

        decisions:
          - {name: code, priority: 200, ...}
          - {name: math, priority: 150, ...}
    """
    for router_name, router in view.routers.items():
        first: dict[int, str] = {}
        for i, decision in enumerate(router.decisions):
            if decision.priority in first:
                yield Finding(
                    f"decisions {first[decision.priority]!r} and {decision.name!r} of router "
                    f"{router_name!r} both have priority {decision.priority}",
                    ("routers", router_name, "decisions", i, "priority"),
                    hint="give each decision its own priority (higher wins)",
                )
            else:
                first[decision.priority] = decision.name


@rule("IC605", "unused-signal", Severity.WARNING, scope="contract")
def unused_signal(view: ContractView) -> Iterator[Finding]:
    """A signal no decision of its router uses.

    The router still computes it for every request (an embedding or classifier signal costs
    a model call) and nothing acts on it: a typo in a condition, or a leftover.

    Fails:

        signals: {keywords: [{name: math_keywords, operator: OR, keywords: [integral]}]}
        decisions: []                                    # nothing uses math_keywords

    Passes:

        signals: {keywords: [{name: math_keywords, operator: OR, keywords: [integral]}]}
        decisions:
          - {name: math, rules: {operator: OR, conditions: [{type: keyword, name: math_keywords}]}, ...}
    """
    for router_name, router in view.routers.items():
        if router.signals is None:
            continue
        used: set[tuple[str, str]] = set()
        for decision in router.decisions:
            for node, _ in _conditions(decision.rules, ()) if decision.rules else ():
                name = _referenced_name(node)
                if node.type in SIGNAL_COLLECTIONS and name is not None:
                    used.add((SIGNAL_COLLECTIONS[node.type], name))
        for collection in SIGNAL_COLLECTIONS.values():
            for k, signal in enumerate(getattr(router.signals, collection) or ()):
                if (collection, signal.name) not in used:
                    yield Finding(
                        f"signal {signal.name!r} (signals.{collection}) of router {router_name!r} "
                        "is used by no decision",
                        ("routers", router_name, "signals", collection, k, "name"),
                        hint="use it in a decision's rules.conditions, or remove it",
                    )


@rule("IC606", "router-model-unreachable", Severity.ERROR, scope="contract")
def router_model_unreachable(view: ContractView) -> Iterator[Finding]:
    """A model a router routes to has no OpenAI-compatible endpoint the router can call.

    vLLM Semantic Router sends the OpenAI chat-completions protocol straight to each model's
    server (`host:port` from `apiBase`, or the provider's default URL). Anthropic, Bedrock,
    Azure deployments and Vertex speak other protocols; an `apiBase` of `${VAR}` is unknown
    until run time.

    Fails:

        models:
          - {litellmModelName: claude, litellmModel: anthropic/claude-sonnet-4-20250514, ...}
        routers:
          coding: {default: claude}

    Passes:

        models:
          - {litellmModelName: qwen3-8b, litellmModel: openai/qwen3-8b,
             apiBase: http://qwen3.llm.svc.cluster.local:8000/v1, ...}
        routers:
          coding: {default: qwen3-8b}
    """
    by_name = {n.name: n for n in view.names}
    for router_name, router in view.routers.items():
        seen: set[str] = set()
        for model, path in _model_refs(router_name, router):
            named = by_name.get(model)
            if model in seen or named is None or named.entry is None:
                continue
            if named.entry.broken & {"litellmModel", "apiBase"}:
                continue
            seen.add(model)
            _, why = endpoint(named.entry.model)
            if why is not None:
                yield Finding(
                    f"router {router_name!r} cannot reach {model!r}: {why}",
                    path,
                    hint="route to models served over the OpenAI protocol (vLLM, Ollama, OpenAI-compatible) "
                    "with a literal apiBase",
                )
