"""One way to build an entry from facts and one way to append entries to a file (`add`, `discover`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.errors import InputError
from contract.knowledge import facts
from contract.knowledge.catalog import load_catalog
from contract.workflows import edit, entry_edit
from contract.workflows.discover import _model, kserve, ollama, openai_compatible, plan_discovered_add
from contract.workflows.entry_edit import (
    DISCOVERED_MAX_TOKENS,
    MAX_TOKENS_CAP,
    EntryFacts,
    append_entries,
    default_max_tokens,
    entry_fields,
    read_for_edit,
)

HEAD = "# yaml-language-server: $schema=x\n\nmodels:\n"


def test_one_mode_table_for_add_and_every_source() -> None:
    assert _model.MODES is facts.MODE_KINDS


def test_the_two_default_caps_are_named_and_shared() -> None:
    assert (MAX_TOKENS_CAP, DISCOVERED_MAX_TOKENS) == (16384, 8192)
    assert edit.MAX_TOKENS_CAP is entry_edit.MAX_TOKENS_CAP
    assert default_max_tokens("chat", 200_000, 64_000, cap=MAX_TOKENS_CAP) == 16384
    assert default_max_tokens("chat", 4096, 64_000, cap=MAX_TOKENS_CAP) == 4096
    assert default_max_tokens("chat", 32768, 32768, cap=DISCOVERED_MAX_TOKENS) == 8192
    assert default_max_tokens("chat", 32768, None, cap=MAX_TOKENS_CAP) is None
    assert default_max_tokens("embedding", 8192, 8192, cap=MAX_TOKENS_CAP) is None


def test_entry_fields_are_in_the_seed_order() -> None:
    fields = entry_fields(
        EntryFacts(
            name="m",
            litellm_model="openai/m",
            display_name="M",
            provider="OpenAI",
            mode="embedding",
            cost_tier="LOW",
            context_window=8192,
            creator="OpenAI",
            api_base="https://x.example/v1",
            more={"apiKey": "${K}"},
        )
    )
    assert list(fields) == [
        "litellmModelName",
        "litellmModel",
        "displayName",
        "provider",
        "creator",
        "type",
        "metadataType",
        "costTier",
        "contextWindow",
        "apiBase",
        "apiKey",
    ]
    assert (fields["type"], fields["metadataType"]) == ("INTERNAL", "Embeddings")


def test_every_source_builds_its_entry_from_facts() -> None:
    """What each discover source writes is `entry_fields` of the facts it found."""
    show = {"model_info": {"general.architecture": "qwen3", "qwen3.context_length": 40960}}
    found = ollama.candidate("http://127.0.0.1:11434", "qwen3:8b", show)
    assert found.fields == entry_fields(
        EntryFacts(
            name="qwen3-8b",
            litellm_model="ollama_chat/qwen3:8b",
            display_name=edit.display_name("qwen3 8b"),
            provider="Ollama",
            mode="chat",
            cost_tier="LOW",
            context_window=40960,
            max_tokens=8192,
            api_base="http://127.0.0.1:11434",
        )
    )
    served = openai_compatible.candidate("vllm", "http://h:8000", {"id": "m", "max_model_len": 4096})
    assert served.fields is not None and served.fields["maxTokens"] == 4096
    service = {
        "kind": "InferenceService",
        "metadata": {"name": "m", "namespace": "ai"},
        "spec": {"predictor": {"model": {"args": ["--max-model-len=32768"]}}},
        "status": {
            "address": {"url": "http://m.ai.svc.cluster.local"},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    assert kserve.candidate(service).fields == dict(served.fields or {}) | {
        "contextWindow": 32768,
        "maxTokens": 8192,
        "apiBase": "http://m.ai.svc.cluster.local/v1",
    }


def test_add_builds_its_entry_from_facts() -> None:
    request = edit.AddRequest(provider="OpenAI", model="gpt-4o", api_key_env="OPENAI_API_KEY")
    built = edit.build_entry(request, load_catalog())
    assert list(built.fields)[-2:] == ["maxTokens", "apiKey"]
    assert built.fields["maxTokens"] == default_max_tokens(
        "chat",
        built.fields["contextWindow"],
        load_catalog().lookup("openai/gpt-4o").max_output_tokens,  # type: ignore[union-attr]
        cap=MAX_TOKENS_CAP,
    )


# ----------------------------------------------------------------------------- the file


def test_read_for_edit_keeps_the_bom_and_starts_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    new = read_for_edit(str(path))
    assert new.created and new.bom == b"" and "models:" in new.text
    with pytest.raises(InputError, match="no such file"):
        read_for_edit(str(path), new_when_missing=False)
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    kept = read_for_edit(str(path))
    assert (kept.created, kept.bom, kept.text) == (False, b"\xef\xbb\xbf", HEAD)
    path.write_bytes(b"models: \xff\n")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_for_edit(str(path))


def _fields(name: str) -> dict[str, object]:
    return entry_fields(
        EntryFacts(
            name=name,
            litellm_model=f"ollama_chat/{name}",
            display_name=name,
            provider="Ollama",
            mode="chat",
            cost_tier="LOW",
            context_window=8192,
            max_tokens=4096,
            api_base="http://127.0.0.1:11434",
        )
    )


def test_append_entries_appends_in_order_then_validates(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    appending = append_entries(read_for_edit(str(path)), [_fields("a"), _fields("b")])
    assert [a.index for a in appending.appended] == [0, 1]
    assert appending.data.startswith(b"\xef\xbb\xbf" + HEAD.encode() + b"  - litellmModelName: a\n")
    assert appending.result is not None and not appending.result.errors
    nothing = append_entries(read_for_edit(str(path)), [])
    assert nothing.result is None and nothing.data == path.read_bytes()
    edited = append_entries(read_for_edit(str(path)), [_fields("a")], then=lambda text: text + "# after\n")
    assert edited.text.endswith("# after\n")


def test_discover_skips_names_the_file_has_with_the_editors_own_reading(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD, encoding="utf-8")
    path.write_bytes(append_entries(read_for_edit(str(path)), [_fields("a")]).data)
    chosen = [_model.Candidate("ollama", "here", n, _fields(n)) for n in ("a", "b", "b")]
    outcome = plan_discovered_add(str(path), chosen)
    assert (outcome.added, outcome.skipped, outcome.repeated) == (("b",), ("a",), ("b",))
    path.write_text("models: [\n", encoding="utf-8")
    refused = plan_discovered_add(str(path), chosen)
    assert refused.error == f"{path} is not valid YAML; `install-contract validate` shows where"
