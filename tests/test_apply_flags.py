"""Unleash flags: what the contract asks for, and the plan against plain observed data (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract.pipeline._pydantic import parse
from contract.pipeline.model import Contract, Unleash
from contract.workflows.apply.changes import KNOWN_AFTER_APPLY, Change
from contract.workflows.apply.flags import (
    DERIVED_NOTE,
    DesiredFlag,
    ObservedEnvironment,
    ObservedFlag,
    ObservedFlags,
    Variant,
    desired_flags,
    desired_variants,
    diff_flags,
    unleash_variants,
)


def entry(name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "litellmModelName": name,
        "litellmModel": f"openai/{name}",
        "displayName": name,
        "provider": "OpenAI",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 8192,
    }
    base.update(fields)
    return base


def contract(*models: dict[str, Any], flags: dict[str, Any] | None = None) -> Contract:
    data: dict[str, Any] = {"models": list(models)}
    if flags is not None:
        data["featureFlags"] = flags
    return parse(Contract, data)


EMBED = entry(
    "embed-small", litellmModel="openai/text-embedding-3-small", type="INTERNAL", metadataType="Embeddings"
)
WHISPER = entry("whisper", litellmModel="openai/whisper-1", type="INTERNAL", metadataType="Transcription")
GPT4O = entry("gpt-4o")  # the catalog: supports function calling
OLD = entry("davinci", litellmModel="openai/davinci-002")  # the catalog: no function calling
QWEN_TOOLS = entry(
    "qwen3-coder-30b",
    provider="Self-Hosted",
    apiBase="http://qwen:8000/v1",
    vllm={
        "model": "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "toolCallParser": "qwen3_coder",
        "enableAutoToolChoice": True,
    },
)
QWEN_NO_PARSER = entry(
    "qwen-plain", provider="Self-Hosted", apiBase="http://qwen:8000/v1", vllm={"model": "Qwen/Qwen3-8B"}
)


# -- desired_flags --------------------------------------------------------------------------------


def test_derives_the_list_flags_the_contract_leaves_out() -> None:
    flags = desired_flags(contract(EMBED, WHISPER, GPT4O, OLD, QWEN_TOOLS, QWEN_NO_PARSER))
    assert flags == (
        DesiredFlag("AUDIO_TRANSCRIPTION", ("whisper",), derived=True),
        DesiredFlag("EMBEDDING_MODELS", ("embed-small",), derived=True),
        DesiredFlag("TOOL_CALLING_MODELS", ("gpt-4o", "qwen3-coder-30b"), derived=True),
    )


def test_tool_calling_needs_a_chat_model() -> None:
    # An embeddings model the catalog marks as function-calling would still not be a tool caller.
    flags = desired_flags(contract(EMBED, OLD))
    assert [f.name for f in flags] == ["EMBEDDING_MODELS"]


def test_a_derived_flag_with_no_model_is_not_created() -> None:
    assert desired_flags(contract(OLD)) == ()


def test_explicit_flags_win_and_keep_their_order_of_models() -> None:
    flags = desired_flags(
        contract(
            EMBED,
            GPT4O,
            QWEN_TOOLS,
            flags={
                "DEFAULT_WORKFLOW_STEP_MODEL": "gpt-4o",
                "TOOL_CALLING_MODELS": ["qwen3-coder-30b", "gpt-4o", "qwen3-coder-30b"],
                "MY_CUSTOM_FLAG": "embed-small",
            },
        )
    )
    assert flags == (
        DesiredFlag("DEFAULT_WORKFLOW_STEP_MODEL", ("gpt-4o",)),
        DesiredFlag("EMBEDDING_MODELS", ("embed-small",), derived=True),
        DesiredFlag("MY_CUSTOM_FLAG", ("embed-small",)),
        DesiredFlag("TOOL_CALLING_MODELS", ("qwen3-coder-30b", "gpt-4o")),
    )


def test_an_explicit_empty_list_is_kept_as_no_variants() -> None:
    flags = desired_flags(contract(EMBED, flags={"EMBEDDING_MODELS": []}))
    assert flags == (DesiredFlag("EMBEDDING_MODELS", ()),)


# -- diff_flags -----------------------------------------------------------------------------------

SETTINGS = parse(Unleash, {"environments": ["development", "production"]})
IDS = {"gpt-4o": "mdl_1", "qwen3-coder-30b": "mdl_2"}
TOOLS = DesiredFlag("TOOL_CALLING_MODELS", ("gpt-4o", "qwen3-coder-30b"), derived=True)
RIGHT = (Variant("gpt-4o", "mdl_1"), Variant("qwen3-coder-30b", "mdl_2"))


def observed(*, dev: ObservedEnvironment, prod: ObservedEnvironment) -> ObservedFlags:
    flag = ObservedFlag("TOOL_CALLING_MODELS", {"development": dev, "production": prod})
    return ObservedFlags({"TOOL_CALLING_MODELS": flag})


def test_a_missing_flag_is_created_and_says_it_was_derived() -> None:
    changes = diff_flags([TOOLS], ObservedFlags({"TOOL_CALLING_MODELS": None}), IDS, SETTINGS)
    assert changes == [
        Change("unleash", "flag", "TOOL_CALLING_MODELS", "create", ("variants", "enabled"), DERIVED_NOTE)
    ]


def test_a_flag_that_matches_everywhere_is_kept() -> None:
    state = ObservedEnvironment(True, RIGHT)
    changes = diff_flags([TOOLS], observed(dev=state, prod=state), IDS, SETTINGS)
    assert changes == [Change("unleash", "flag", "TOOL_CALLING_MODELS", "keep", (), DERIVED_NOTE)]


def test_a_disabled_environment_is_an_update_of_enabled() -> None:
    changes = diff_flags(
        [TOOLS],
        observed(dev=ObservedEnvironment(False, RIGHT), prod=ObservedEnvironment(True, RIGHT)),
        IDS,
        SETTINGS,
    )
    assert changes == [
        Change(
            "unleash",
            "flag",
            "TOOL_CALLING_MODELS",
            "update",
            ("enabled",),
            f"{DERIVED_NOTE}; environments: development",
        )
    ]


@pytest.mark.parametrize(
    "variants",
    [
        pytest.param((Variant("gpt-4o", "mdl_1"),), id="one-missing"),
        pytest.param((*RIGHT, Variant("old-model", "mdl_9")), id="one-extra"),
        pytest.param((Variant("gpt-4o", "mdl_OLD"), RIGHT[1]), id="stale-id"),
        pytest.param((Variant("gpt-4o", "mdl_1", payload_type="json"), RIGHT[1]), id="payload-type"),
        pytest.param(
            (Variant("gpt-4o", "mdl_1", weight_type="fix", weight=500), RIGHT[1]), id="fixed-weight"
        ),
        pytest.param((Variant("gpt-4o", "mdl_1", stickiness="userId"), RIGHT[1]), id="stickiness"),
        pytest.param((Variant("gpt-4o", "mdl_1", overrides=True), RIGHT[1]), id="overrides"),
        pytest.param((), id="none"),
    ],
)
def test_variants_that_differ_in_any_way_are_an_update(variants: tuple[Variant, ...]) -> None:
    flags = observed(dev=ObservedEnvironment(True, RIGHT), prod=ObservedEnvironment(True, variants))
    changes = diff_flags([DesiredFlag("TOOL_CALLING_MODELS", TOOLS.models)], flags, IDS, SETTINGS)
    assert changes == [
        Change("unleash", "flag", "TOOL_CALLING_MODELS", "update", ("variants",), "environments: production")
    ]


def test_the_contract_order_of_models_is_not_a_change() -> None:
    # Unleash serves variants sorted by name, whatever order they were written in.
    state = ObservedEnvironment(True, RIGHT)
    flag = DesiredFlag("TOOL_CALLING_MODELS", ("qwen3-coder-30b", "gpt-4o"))
    assert diff_flags([flag], observed(dev=state, prod=state), IDS, SETTINGS)[0].action == "keep"


def test_an_id_known_after_apply_makes_the_variants_an_update() -> None:
    state = ObservedEnvironment(True, RIGHT)
    ids = {"gpt-4o": "mdl_1", "qwen3-coder-30b": KNOWN_AFTER_APPLY}
    changes = diff_flags([TOOLS], observed(dev=state, prod=state), ids, SETTINGS)
    assert changes[0].action == "update" and changes[0].fields == ("variants",)
    # A model absent from the ids is not known either.
    changes = diff_flags([TOOLS], observed(dev=state, prod=state), {"gpt-4o": "mdl_1"}, SETTINGS)
    assert changes[0].fields == ("variants",)


def test_both_fields_and_every_stale_environment() -> None:
    changes = diff_flags(
        [TOOLS], observed(dev=ObservedEnvironment(), prod=ObservedEnvironment()), IDS, SETTINGS
    )
    assert changes == [
        Change(
            "unleash",
            "flag",
            "TOOL_CALLING_MODELS",
            "update",
            ("enabled", "variants"),
            f"{DERIVED_NOTE}; environments: development, production",
        )
    ]


def test_only_the_configured_environments_count() -> None:
    flags = observed(dev=ObservedEnvironment(), prod=ObservedEnvironment(True, RIGHT))
    only_prod = parse(Unleash, {"environments": ["production"]})
    assert diff_flags([TOOLS], flags, IDS, only_prod)[0].action == "keep"


def test_variants_as_unleash_takes_them() -> None:
    sent = unleash_variants([Variant("a", "mdl_a"), Variant("b", "mdl_b"), Variant("c", "mdl_c")])
    assert sent[0] == {
        "name": "a",
        "weightType": "variable",
        "weight": 334,
        "stickiness": "default",
        "payload": {"type": "string", "value": "mdl_a"},
    }
    assert [v["weight"] for v in sent] == [334, 333, 333]
    assert unleash_variants([]) == []


def test_a_variant_read_from_unleash() -> None:
    raw = {
        "name": "gpt-4o",
        "weight": 1000,
        "payload": {"type": "string", "value": "mdl_1"},
        "stickiness": "default",
        "weightType": "variable",
        "overrides": [],
    }
    assert Variant.from_unleash(raw) == Variant("gpt-4o", "mdl_1")
    assert Variant.from_unleash({"name": "x", "weightType": "fix", "weight": 200}) == Variant(
        "x", "", payload_type="", weight_type="fix", weight=200
    )


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        pytest.param({}, Variant("", "", payload_type=""), id="nothing"),
        pytest.param(
            {"name": "a", "payload": {"type": "string", "value": "mdl_a"}},
            Variant("a", "mdl_a"),
            id="unleash-defaults-left-out",
        ),
        pytest.param(
            {"name": "a", "payload": {"value": "v"}}, Variant("a", "v", payload_type=""), id="no-type"
        ),
        pytest.param(
            {"name": "a", "stickiness": "userId", "payload": {"type": "string", "value": "v"}},
            Variant("a", "v", stickiness="userId"),
            id="stickiness",
        ),
        pytest.param(
            {"name": "a", "overrides": [{"contextName": "userId", "values": ["u1"]}]},
            Variant("a", "", payload_type="", overrides=True),
            id="overrides",
        ),
        pytest.param(
            {"name": "a", "weightType": "variable", "weight": 333},
            Variant("a", "", payload_type=""),
            id="variable-weight-ignored",
        ),
    ],
)
def test_every_field_unleash_may_leave_out_or_set(raw: dict[str, Any], read: Variant) -> None:
    assert Variant.from_unleash(raw) == read


def test_an_environment_unleash_does_not_list_is_disabled_and_empty() -> None:
    assert ObservedFlag("F", {}).environment("production") == ObservedEnvironment()
    changes = diff_flags(
        [TOOLS], ObservedFlags({"TOOL_CALLING_MODELS": ObservedFlag("F", {})}), IDS, SETTINGS
    )
    assert changes[0].action == "update" and set(changes[0].fields) == {"enabled", "variants"}


def test_a_variant_waits_for_an_id_the_admin_api_has_not_assigned_yet() -> None:
    assert desired_variants(TOOLS, {"gpt-4o": "mdl_1"}) == (
        Variant("gpt-4o", "mdl_1"),
        Variant("qwen3-coder-30b", KNOWN_AFTER_APPLY),
    )


def test_every_missing_flag_is_created() -> None:
    embed = DesiredFlag("EMBEDDING_MODELS", ("embed-small",), derived=True)
    missing = ObservedFlags({"TOOL_CALLING_MODELS": None, "EMBEDDING_MODELS": None})
    changes = diff_flags([TOOLS, embed], missing, {**IDS, "embed-small": "mdl_3"}, SETTINGS)
    assert [(c.name, c.action) for c in changes] == [
        ("TOOL_CALLING_MODELS", "create"),
        ("EMBEDDING_MODELS", "create"),
    ]


AZURE_GPT4O = entry(
    "azure-gpt-4o",
    litellmModel="azure/my-deployment",
    provider="Azure OpenAI",
    baseModel="gpt-4o",
    apiBase="https://example.openai.azure.com",
    apiVersion="2024-10-21",
)


def test_an_azure_deployment_calls_tools_when_its_base_model_does() -> None:
    (tools,) = desired_flags(contract(GPT4O, AZURE_GPT4O))
    assert tools.name == "TOOL_CALLING_MODELS" and tools.models == ("gpt-4o", "azure-gpt-4o")


def test_tool_support_is_read_from_the_catalog_given(tmp_path: Any) -> None:
    newer = tmp_path / "model_prices_and_context_window.json"
    facts = {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000}
    newer.write_text(json.dumps({"gpt-4o": {**facts, "supports_function_calling": False}}), encoding="utf-8")
    assert desired_flags(contract(GPT4O, AZURE_GPT4O), catalog_path=str(newer)) == ()
