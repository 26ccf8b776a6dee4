"""One home per concept: entry facts, secrets and `${VAR}` references, each defined once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.knowledge import catalog, entries, envref, facts, secrets
from contract.knowledge.catalog import Provider
from contract.pipeline._pydantic import parse
from contract.pipeline.model import ModelEntry

ROOT = Path(__file__).resolve().parent.parent


def _entry(**fields: object) -> ModelEntry:
    base = {
        "litellmModelName": "m",
        "litellmModel": "openai/m",
        "displayName": "M",
        "provider": "OpenAI",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 8192,
    }
    return parse(ModelEntry, {**base, **fields})


# ------------------------------------------------------------------------ entry facts


def test_is_self_hosted_branches() -> None:
    assert not entries.is_self_hosted(_entry())
    assert entries.is_self_hosted(_entry(provider="Self-Hosted"))
    assert entries.is_self_hosted(_entry(provider="self hosted"))
    assert entries.is_self_hosted(_entry(litellmModel="hosted_vllm/m"))
    assert entries.is_self_hosted(_entry(vllm={"model": "org/m"}))
    assert not entries.is_self_hosted(_entry(provider="Acme"))


def test_prefix_and_suffix_have_one_answer_without_a_slash() -> None:
    assert entries.prefix("openai/gpt-4o") == "openai"
    assert entries.suffix("openrouter/openai/gpt-4o") == "openai/gpt-4o"
    assert entries.prefix("gpt-4o") is None
    assert entries.suffix("gpt-4o") == "gpt-4o"


def test_every_layer_reads_the_prefix_the_same_way() -> None:
    """A litellmModel without a slash has no prefix anywhere: `ollama` alone is not Ollama."""
    from contract.pipeline import router_config
    from contract.pipeline.rules._context import Entry, Options
    from contract.workflows.bundle.build import ollama_tag

    bare = _entry(litellmModel="ollama_chat", provider="Acme", apiBase="http://10.0.0.5:11434")
    assert Entry(0, bare, {}, Options()).prefix is None
    assert router_config.backend_provider(bare) == "openai-compatible"
    endpoint, why = router_config.endpoint(bare)
    assert endpoint is None and why == "ollama_chat is not reached over the OpenAI protocol"
    assert ollama_tag("ollama_chat") is None
    assert router_config.provider_model_id(bare) == "ollama_chat"


def test_no_module_cuts_the_prefix_from_litellm_model_itself() -> None:
    """`x.litellm_model.partition("/")` (or split) anywhere but entries.py is a second answer."""
    cuts = []
    for path in sorted(ROOT.joinpath("contract").rglob("*.py")):
        if path.name == "entries.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("partition", "rpartition", "split", "rsplit")
                and "litellm_model" in ast.unparse(node.func.value)
            ):
                cuts.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert cuts == []


def test_self_hosted_and_in_cluster_are_public() -> None:
    assert entries.is_self_hosted(_entry(apiBase="http://vllm.ai.svc:8000/v1"))
    assert not entries.is_self_hosted(_entry(apiBase="https://api.example.com/v1"))
    assert entries.in_cluster("http://vllm.ai.svc.cluster.local:8000/v1")
    assert not entries.in_cluster("http://${HOST}:8000/v1")


def test_the_openai_server_prefixes_do_not_make_an_entry_self_hosted() -> None:
    """`openai/` is a prefix of OpenAI-compatible servers, not of self-hosted ones only."""
    assert not hasattr(facts, "SELF_HOSTED_PREFIXES")
    cloud = _entry(apiBase="https://api.deepseek.com/v1", provider="DeepSeek")
    assert entries.prefix(cloud.litellm_model) in facts.OPENAI_SERVER_PREFIXES
    assert not entries.is_self_hosted(cloud)


@pytest.fixture
def extra_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Provider]]:
    rows: list[Provider] = []
    table = catalog.providers()
    monkeypatch.setattr(catalog, "providers", lambda: (*table, *rows))
    catalog.provider_for_prefix.cache_clear()
    yield rows
    catalog.provider_for_prefix.cache_clear()


def _row(prefix: str, auth: str, openai_compatible: bool) -> Provider:
    return Provider((prefix.title(),), (prefix,), None, auth, None, None, openai_compatible)


def test_protocol_comes_from_the_provider_table(extra_rows: list[Provider]) -> None:
    extra_rows += [
        _row("signedcloud", "aws", False),
        _row("keyedcloud", "azure", False),
        _row("compatcloud", "api_key", True),
        _row("othercloud", "api_key", False),
    ]
    assert entries.protocol(_entry(litellmModel="signedcloud/m")) == "aws"
    assert entries.protocol(_entry(litellmModel="keyedcloud/m")) == "azure"
    assert entries.protocol(_entry(litellmModel="compatcloud/m")) == "openai"
    assert entries.protocol(_entry(litellmModel="othercloud/m")) == "unknown"
    assert entries.protocol(_entry(litellmModel="othercloud/m", apiBase="https://x.example/v1")) == "openai"


@pytest.mark.parametrize(
    ("litellm_model", "expected"),
    [
        ("openai/gpt-4o", "openai"),
        ("text-completion-openai/gpt-3.5-turbo-instruct", "openai"),
        ("azure_ai/m", "azure"),
        ("anthropic/claude-sonnet-4-20250514", "anthropic"),
        ("gemini/gemini-2.5-pro", "gemini"),
        ("ollama_chat/qwen3:8b", "ollama"),
        ("bedrock_converse/m", "aws"),
        ("sagemaker/m", "aws"),
        ("vertex_ai_beta/m", "adc"),
        ("mistral/mistral-large-latest", "openai"),
        ("cohere/command-r", "unknown"),
        ("gpt-4o", "unknown"),
    ],
)
def test_protocol_of_each_kind_of_prefix(litellm_model: str, expected: str) -> None:
    from contract.workflows.checks import steps

    entry = _entry(litellmModel=litellm_model, provider="Acme")
    assert entries.protocol(entry) == expected
    assert steps._protocol(entry, False) == expected
    assert steps._protocol(entry, True) == "openai"


# ----------------------------------------------------------------------------- secrets


def test_secrets_never_imports_the_pipeline() -> None:
    tree = ast.parse((ROOT / "contract/knowledge/secrets.py").read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("contract.pipeline")]


def test_secret_fields_and_mask_are_defined_once() -> None:
    from contract.workflows.apply import litellm
    from contract.workflows.checks import steps

    assert litellm.SECRET_FIELDS is secrets.SECRET_FIELDS
    assert steps.mask is secrets.mask


def test_one_reference_syntax_with_whitespace_an_explicit_choice() -> None:
    assert envref.whole_ref(" ${X}\n") is None
    assert envref.whole_ref(" ${X}\n", strip=True) == "X"
    for value in (" ${X} ", "${X}", "${X}-suffix", "$X", "${1X}"):
        assert secrets.is_reference(value) == (envref.whole_ref(value, strip=True) is not None)


# ------------------------------------------------------------------------ ${VAR} expansion


def test_expand_says_what_an_unset_variable_becomes() -> None:
    env = {"A": "1", "EMPTY": ""}
    assert envref.expand("${A}-${B}-${EMPTY}", env, unset="keep") == "1-${B}-"
    assert envref.expand("${A}-${B}-${EMPTY}", env, unset="empty") == "1--"
    assert envref.expand("no reference", env, unset="empty") == "no reference"


def test_each_caller_keeps_its_policy() -> None:
    from contract.pipeline.environments import substitute
    from contract.workflows.checks.steps import _resolve

    # check: an unset variable is sent as nothing and named
    assert _resolve("https://${HOST}/${PATH_PART}", {"HOST": "h"}) == ("https://h/", ["PATH_PART"])
    assert _resolve("https://${HOST}/${PATH_PART}", {"HOST": "h", "PATH_PART": "v1"}) == ("https://h/v1", [])
    # environments (and apply's desired fields): an unset variable stays a reference
    assert substitute({"apiBase": "http://${HOST}:${PORT}"}, {"HOST": "h"}) == {"apiBase": "http://h:${PORT}"}
