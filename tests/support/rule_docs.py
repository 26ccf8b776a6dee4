"""Every "Fails:" and "Passes:" example of a rule's documentation, made a contract and judged.

The docs are what `install-contract explain CODE` prints, so an example that no longer fails
(or passes) is a wrong sentence in the product. An example is a fragment: entry fields, list
items or a `models:`/`featureFlags:` document. Fragments are completed from a base entry
chosen by what they show (a `vllm:` block or an in-cluster apiBase: the self-hosted base;
`azure/`, `bedrock/`: theirs), so the example's own fields decide the outcome. Several
examples in one block are told apart by a key that repeats (`litellmModel: a` then
`litellmModel: b`). A router example (`routers:`, or a router's `signals:`/`decisions:`) gets
two self-hosted chat models and complete decisions; `...` in a fragment stands for fields
the example does not care about. A platform rule (IC5xx) runs on the example's
entries against the test admin API's providers, as `plan` runs it. Codes raised while reading (IC001–IC003, IC006) run on the text as written.

tests/rules/test_FAMILY.py runs its family's examples (`test_documented_example`).

Not a test module: `from tests.support.rule_docs import ...`.
"""

from __future__ import annotations

import json
import re
import textwrap
from types import SimpleNamespace
from typing import Any

import pytest
from ruamel.yaml import YAML

from contract.knowledge import catalog
from contract.pipeline.rules import RULES, Options
from contract.pipeline.validate import validate_text

CLOUD = {
    "litellmModelName": "gpt-4o",
    "litellmModel": "openai/gpt-4o",
    "displayName": "GPT-4o",
    "provider": "OpenAI",
    "type": "CHAT",
    "metadataType": "Text Generation",
    "contextWindow": 128000,
    "maxTokens": 16384,
}
SELF_HOSTED = {
    "litellmModelName": "deephat-v2",
    "litellmModel": "openai/deephat-v2",
    "displayName": "DeepHat V2",
    "provider": "Self-Hosted",
    "type": "CHAT",
    "metadataType": "Text Generation",
    "contextWindow": 250000,
    "maxTokens": 16384,
    "apiBase": "http://deephat-v2.inference.svc.cluster.local:8000/v1",
    "apiKey": "${VLLM_API_KEY}",
    "vllm": {
        "model": "DeepHat/DeepHat-V2-ext",
        "tensorParallelSize": 2,
        "gpus": {"count": 2, "memoryGiB": 80},
        "toolCallParser": "qwen3_coder",
        "enableAutoToolChoice": True,
    },
}
# Without the fields their rules are about (IC301, IC302): the example adds them.
AZURE = {
    **CLOUD,
    "litellmModelName": "azure-gpt-4o",
    "litellmModel": "azure/my-gpt4o-deployment",
    "provider": "Azure OpenAI",
    "baseModel": "gpt-4o",
}
BEDROCK = {
    **CLOUD,
    "litellmModelName": "claude-sonnet-4-bedrock",
    "litellmModel": "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0",
    "provider": "AWS Bedrock",
    "contextWindow": 200000,
}
EMBEDDING = {
    **CLOUD,
    "litellmModelName": "text-embedding-3-large",
    "litellmModel": "openai/text-embedding-3-large",
    "type": "INTERNAL",
    "metadataType": "Embeddings",
    "contextWindow": 8191,
}
EMBEDDING.pop("maxTokens")
RAW = {"IC001", "IC002", "IC003", "IC006"}
# Router examples (IC6xx) name these two chat models; a fragment of a router body (`signals:`,
# `decisions:`) is a router named `coding` whose default is the first.
ROUTER_MODELS = [
    {
        **SELF_HOSTED,
        "litellmModelName": name,
        "litellmModel": f"openai/{name}",
        "displayName": name,
        "apiBase": f"http://{name}.inference.svc.cluster.local:8000/v1",
    }
    for name in ("qwen3-8b", "llama-70b")
]
ROUTER_BODY = {"default", "signals", "decisions"}
DECISION = {
    "name": "route",
    "priority": 100,
    "rules": {"operator": "OR", "conditions": []},
    "modelRefs": [{"model": "qwen3-8b"}],
}


def examples(doc: str, heading: str) -> list[str]:
    """The examples of one section: its indented block, split where a top-level key repeats."""
    match = re.search(rf"^{heading}[^\n]*:\n\n((?:(?:    .*)?\n)+)", doc + "\n", re.M)
    assert match, f"no {heading} section"
    block = textwrap.dedent(match.group(1)).strip("\n").replace("<TAB>", "\t")
    groups: list[list[str]] = [[]]
    keys: set[str] = set()
    for line in block.splitlines():
        top = line[:1] not in (" ", "\t", "-", "")
        key = line.split(":", 1)[0] if top else None
        if key is not None and key in keys:
            groups.append([])
            keys = set()
        if key is not None:
            keys.add(key)
        groups[-1].append(line)
    return ["\n".join(g) + "\n" for g in groups if g]


def _base(item: dict[str, Any], source: str) -> dict[str, Any]:
    model = str(item.get("litellmModel", ""))
    if "vllm" in item or "svc.cluster.local" in str(item.get("apiBase", "")) or model.startswith("vllm/"):
        return SELF_HOSTED
    if model.startswith("azure/") or "# azure/" in source:
        return AZURE
    if model.startswith("bedrock/"):
        return BEDROCK
    return CLOUD


def _complete(item: dict[str, Any], source: str) -> dict[str, Any]:
    entry = {**_base(item, source), **item}
    if "litellmModel" in item and "provider" not in item and "/" in str(item["litellmModel"]):
        owner = catalog.provider_for_prefix(str(item["litellmModel"]).split("/", 1)[0])
        if owner is not None and entry is not SELF_HOSTED and not item.get("vllm"):
            entry["provider"] = owner.display_names[0]
    return entry


def _elided(node: Any) -> Any:
    """The fragment without its `...` placeholders (`{name: code, priority: 200, ...}`)."""
    if isinstance(node, dict):
        return {k: _elided(v) for k, v in node.items() if k != "..."}
    if isinstance(node, list):
        return [_elided(v) for v in node]
    return node


def _router(body: dict[str, Any]) -> dict[str, Any]:
    router = {"default": "qwen3-8b", **body}
    if router.get("decisions"):
        router["decisions"] = [{**DECISION, **d} for d in router["decisions"]]
    return router


def _routers_document(data: dict[str, Any], example: str) -> dict[str, Any]:
    if "routers" not in data:
        data = {"routers": {"coding": data}}
    models = [_complete(i, example) for i in data.get("models") or []]
    named = {m["litellmModelName"] for m in models}
    models += [m for m in ROUTER_MODELS if m["litellmModelName"] not in named]
    return {"models": models, "routers": {k: _router(v) for k, v in data["routers"].items()}}


def contract_text(code: str, example: str) -> str:
    if code in RAW:
        return "models:\n" + textwrap.indent(example, "  ") if example.startswith("- ") else example
    data = _elided(YAML(typ="safe", pure=True).load(example))
    if isinstance(data, dict) and ("routers" in data or set(data) <= ROUTER_BODY):
        document = _routers_document(data, example)
    elif isinstance(data, list):
        document: dict[str, Any] = {"models": [_complete(i, example) for i in data]}
    elif isinstance(data, dict) and ("models" in data or "featureFlags" in data or "environments" in data):
        document = dict(data)
        document["models"] = [_complete(i, example) for i in data.get("models") or [CLOUD, EMBEDDING]]
    else:
        document = {"models": [_complete(data, example)]}
    return json.dumps(document, indent=1)


def platform_findings(code: str, text: str) -> list[Any]:
    """What `plan` finds with a platform rule, against the test admin API's providers."""
    from contract.pipeline.rules.platform import PlatformView
    from tests.support.admin_api_server import PROVIDERS

    entries = json.loads(text)["models"]
    view = PlatformView([(i, str(e["provider"])) for i, e in enumerate(entries)], PROVIDERS)
    check = RULES[code].check
    assert check is not None
    return [SimpleNamespace(code=code, message=f.message, path=f.path) for f in check(view)]


def options(code: str, passing: bool) -> Options:
    if code == "IC304":  # "Fails (with ANTHROPIC_API_KEY unset)", "Passes (after export ...)"
        return Options(check_env=True, env={"ANTHROPIC_API_KEY": "set"} if passing else {})
    return Options()


def documented_examples(codes: tuple[str, ...]) -> list[Any]:
    """(code, passing, index, example) of every example of these rules, with ids like IC101-fails-0."""
    return [
        pytest.param(code, passing, index, example, id=f"{code}-{'passes' if passing else 'fails'}-{index}")
        for code in sorted(codes)
        for passing in (False, True)
        for index, example in enumerate(examples(RULES[code].doc, "Passes" if passing else "Fails"))
    ]


def assert_documented_example(code: str, passing: bool, example: str) -> None:
    """A "Fails:" example raises its code; a "Passes:" example does not, and is readable YAML."""
    text = contract_text(code, example)
    if RULES[code].scope == "platform":
        found = platform_findings(code, text)
    else:
        found = validate_text(text, file="example.yaml", options=options(code, passing)).diagnostics
    codes = {d.code for d in found}
    if passing:
        assert code not in codes, (example, [d for d in found if d.code == code])
        assert "IC001" not in codes, (example, found)  # the example is readable YAML
    else:
        assert code in codes, (example, found)
