"""One definition per concept: the shared tables agree with every place that reads them."""

from __future__ import annotations

import typing

from contract.knowledge import catalog, facts
from contract.pipeline.model import MetadataType
from contract.pipeline.rules import purpose


def test_every_metadata_type_has_one_rendered_mode_that_maps_back() -> None:
    metadata_types = set(typing.get_args(MetadataType))
    assert set(facts.RENDERED_MODE) == metadata_types
    for metadata, mode in facts.RENDERED_MODE.items():
        assert facts.MODE_KINDS[mode][1] == metadata
        assert purpose._MODE_METADATA[mode] == metadata
    assert facts.RENDERED_MODE["Text Generation"] == "chat"


def test_type_follows_metadata_type() -> None:
    for _, (kind, metadata) in facts.MODE_KINDS.items():
        assert kind == ("CHAT" if metadata == "Text Generation" else "INTERNAL")


def test_self_hosted_is_one_provider_row() -> None:
    rows = [p for p in catalog.providers() if p.self_hosted]
    assert [r.display_names[0] for r in rows] == ["Self-Hosted"]
    assert set(rows[0].prefixes) == facts.OPENAI_SERVER_PREFIXES


def test_bedrock_profiles_are_shared() -> None:
    from contract.knowledge.naming import creator_from_id, display_name

    for profile in facts.BEDROCK_PROFILES:
        assert creator_from_id(f"{profile}anthropic.claude-sonnet-4-20250514-v1:0") == "Anthropic"
    bedrock = catalog.provider_for_prefix("bedrock")
    assert (
        display_name("apac.anthropic.claude-sonnet-4-20250514-v1:0", bedrock) == "Claude Sonnet 4 (Bedrock)"
    )
