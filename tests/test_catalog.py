"""The catalog: provider prefixes and table, model facts, lookups as contracts spell ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contract.errors import InputError
from contract.knowledge import catalog
from contract.knowledge.catalog import Catalog, ModelFacts, load_catalog

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "contract" / "data"
REFRESH = REPO / "scripts" / "refresh-catalog"
# The reference copy of the map the packaged data was cut from (only for comparing; the
# product never reads it).
# The pinned LiteLLM peer (scripts/peers/install-litellm) holds the very files a refresh reads
# from the wheel: the tests use them, inside the repo, and never download anything.
PEER_PACKAGES = sorted((REPO / ".peers" / "litellm" / "lib").glob("python3*/site-packages"))
WHEEL_MEMBERS = (
    "litellm/model_prices_and_context_window_backup.json",
    "litellm/types/utils.py",
    "litellm/__init__.py",
    "litellm/llms/openai_like/providers.json",
)


def _litellm_peer() -> Path:
    """The installed LiteLLM 1.106.2 package of the peer venv (fails under CI when missing)."""
    for site in PEER_PACKAGES:
        if (site / WHEEL_MEMBERS[0]).is_file():
            return site
    message = "the LiteLLM peer is not installed (scripts/peers/install-litellm)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# Every model id seeds 001 and 002 name, written as a contract's litellmModel.
SEED_MODELS: list[tuple[str, dict[str, str]]] = [
    # seed 002: field reference, prefix table and playbooks
    ("anthropic/claude-sonnet-4-20250514", {}),
    ("openai/gpt-4o", {}),
    ("openai/gpt-4o-mini", {}),
    ("gemini/gemini-2.5-pro", {}),
    ("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", {}),
    ("azure/my-gpt4o-deployment", {"base_model": "gpt-4o"}),
    ("azure/my-gpt4o-mini-deployment", {"base_model": "gpt-4o-mini"}),
    ("openai/deephat-v2", {}),
    ("openai/deephat-v2", {"vllm_model": "DeepHat/DeepHat-V2-ext"}),
    ("openai/nemotron", {"vllm_model": "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16"}),
    ("openai/qwen3-coder-30b", {"vllm_model": "Qwen/Qwen3-Coder-30B-Instruct"}),
    ("openai/qwen3-coder-30b", {}),
    # seed 001: Anthropic
    ("anthropic/claude-sonnet-4-6", {}),
    ("anthropic/claude-opus-4-6", {}),
    ("anthropic/claude-haiku-4-5-20251001", {}),
    ("anthropic/claude-sonnet-4-5-20250929", {}),
    ("anthropic/claude-opus-4-5-20251101", {}),
    ("anthropic/claude-opus-4-1-20250805", {}),
    # seed 001: OpenAI
    ("openai/gpt-5.4", {}),
    ("openai/gpt-5.4-mini", {}),
    ("openai/gpt-5.4-nano", {}),
    ("openai/gpt-5.2", {}),
    # seed 001: Gemini, DeepSeek, GLM, Grok, Mistral, Groq (native prefix and openai/ + apiBase)
    ("gemini/gemini-2.5-flash", {}),
    ("deepseek/deepseek-chat", {}),
    ("openai/deepseek-chat", {}),
    ("zai/glm-5", {}),
    ("zai/glm-5-turbo", {}),
    ("zai/glm-4.7", {}),
    ("openai/glm-5", {}),
    ("xai/grok-4", {}),
    ("openai/grok-4", {}),
    ("mistral/mistral-large-latest", {}),
    ("openai/mistral-large-latest", {}),
    ("groq/llama-3.3-70b-versatile", {}),
    # seed 001: OpenRouter examples and recommendations
    ("openrouter/meta-llama/llama-3.1-405b-instruct", {}),
    ("openrouter/anthropic/claude-3.5-sonnet", {}),
    ("openrouter/openai/gpt-4o", {}),
    ("openrouter/google/gemini-pro-1.5", {}),
    ("openrouter/mistralai/mistral-large", {}),
    ("openrouter/deepseek/deepseek-chat", {}),
    ("openrouter/cohere/command-r-plus", {}),
    ("openrouter/qwen/qwen-2.5-coder-32b-instruct", {}),
    ("openrouter/meta-llama/llama-3.1-8b-instruct", {}),
    ("openrouter/mistralai/mistral-7b-instruct", {}),
    ("openrouter/deepseek/deepseek-r1", {}),
]

# Seed 001 names two ids the providers do not publish; the catalog keeps them unknown so that
# IC107 fires, and its hint is the real id.
SEED_TYPOS = [
    ("anthropic/claude-opus-4-20250522", "anthropic/claude-opus-4-20250514"),
    ("groq/llama-3.3-8b-instant", "groq/llama-3.1-8b-instant"),
]


@pytest.mark.parametrize(
    ("litellm_model", "kwargs"), SEED_MODELS, ids=[f"{m}{sorted(k.values())}" for m, k in SEED_MODELS]
)
def test_every_seed_model_is_known(cat: Catalog, litellm_model: str, kwargs: dict[str, str]) -> None:
    facts = cat.lookup(litellm_model, **kwargs)
    assert facts is not None, litellm_model
    assert facts.context_window is not None and facts.context_window > 0
    assert facts.mode == "chat"
    assert facts.source


@pytest.mark.parametrize(("typo", "hint"), SEED_TYPOS)
def test_seed_ids_that_do_not_exist_get_a_hint(cat: Catalog, typo: str, hint: str) -> None:
    assert cat.lookup(typo) is None
    assert cat.nearest_id(typo) == hint
    assert cat.lookup(hint) is not None


def test_gemini_2_5_pro_limits(cat: Catalog) -> None:
    native = cat.lookup("gemini/gemini-2.5-pro")
    vertex = cat.lookup("vertex_ai/gemini-2.5-pro")
    assert native is not None and vertex is not None
    for facts in (native, vertex):
        assert facts.context_window == 1048576
        assert facts.max_output_tokens in (65535, 65536)
        assert facts.supports_tool_calling is True
    assert native.prefix == "gemini"
    assert vertex.provider == "vertex_ai-language-models" and vertex.prefix == "vertex_ai"


def test_seed_facts(cat: Catalog) -> None:
    sonnet = cat.lookup("anthropic/claude-sonnet-4-20250514")
    assert sonnet is not None
    assert (sonnet.context_window, sonnet.max_output_tokens, sonnet.supports_tool_calling) == (
        200000,
        64000,
        True,
    )
    assert "seed 002" in sonnet.source

    deephat = cat.lookup("openai/deephat-v2", vllm_model="deephat/deephat-v2-EXT")  # any case
    assert deephat is not None and deephat.id == "DeepHat/DeepHat-V2-ext"
    assert deephat.context_window == 250000
    assert "DeepHat section" in deephat.source

    nemotron = cat.lookup("hosted_vllm/nemotron", vllm_model="nvidia/nvidia-nemotron-3-super-120b-a12b-bf16")
    assert nemotron is not None
    assert (nemotron.context_window, nemotron.params_b) == (1000000, 120.0)

    # vLLM serves under the Hugging Face id when --served-model-name is not given
    assert cat.lookup("hosted_vllm/Qwen/Qwen3-Coder-30B-A3B-Instruct") is not None
    assert cat.lookup("openai/some-served-name", vllm_model="/models/local-weights") is None


def test_lookup_forms(cat: Catalog) -> None:
    plain = cat.lookup("bedrock/anthropic.claude-sonnet-4-20250514-v1:0")
    assert plain is not None and plain.provider == "bedrock_converse" and plain.prefix == "bedrock"
    for form in (
        "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
        "bedrock/eu.anthropic.claude-sonnet-4-20250514-v1:0",
        "bedrock/global.anthropic.claude-sonnet-4-20250514-v1:0",
        "bedrock/apac.anthropic.claude-opus-4-1-20250805-v1:0",
    ):
        facts = cat.lookup(form)
        assert facts is not None, form
        assert facts.context_window == 200000

    # an Azure deployment name says nothing; base_model does, with or without its prefix
    assert cat.lookup("azure/prod-chat") is None
    for base in ("gpt-4o", "azure/gpt-4o", "openai/gpt-4o"):
        facts = cat.lookup("azure/prod-chat", base_model=base)
        assert facts is not None and facts.context_window == 128000, base

    via_router = cat.lookup("openrouter/openai/gpt-4o")
    assert via_router is not None and via_router.max_output_tokens == 16384
    assert cat.lookup("openrouter/anthropic/claude-3.5-sonnet:beta") is not None
    dotted = cat.lookup("openrouter/anthropic/claude-sonnet-4.5")
    assert dotted is not None and dotted.litellm_model == "anthropic/claude-sonnet-4-5"

    ollama = cat.lookup("ollama/mistral:latest")
    assert ollama is not None and ollama.id == "mistral"

    # a prefix never borrows another vendor's model
    assert cat.lookup("anthropic/gpt-4o") is None
    assert cat.lookup("opnai/gpt-4o") is None


def test_facts_record_shape(cat: Catalog) -> None:
    facts = cat.lookup("openai/gpt-4o")
    assert isinstance(facts, ModelFacts)
    assert facts.litellm_model == "openai/gpt-4o"
    with pytest.raises(AttributeError):
        facts.context_window = 1  # type: ignore[misc]


def test_provider_prefixes() -> None:
    prefixes = catalog.provider_prefixes()
    assert isinstance(prefixes, frozenset)
    assert {"openai", "anthropic", "gemini", "vertex_ai", "bedrock", "azure", "azure_ai"} <= prefixes
    assert {"hosted_vllm", "vllm", "ollama", "ollama_chat", "openrouter", "xai", "zai", "groq"} <= prefixes
    # labels in LiteLLM's map that are not prefixes LiteLLM routes by
    assert "bedrock_converse" not in prefixes
    assert "vertex_ai-language-models" not in prefixes
    assert catalog.provider_prefixes() is prefixes  # cached


def test_nearest() -> None:
    prefixes = catalog.provider_prefixes()
    assert catalog.nearest("opnai", prefixes) == "openai"
    assert catalog.nearest("antropic", prefixes) == "anthropic"
    assert catalog.nearest("Bedrock", prefixes) == "bedrock"
    assert catalog.nearest("zzzzzz-qqq", prefixes) is None
    assert catalog.nearest("openai", []) is None


def test_provider_table() -> None:
    rows = catalog.providers()
    prefixes = catalog.provider_prefixes()
    for row in rows:
        assert row.display_names and row.prefixes
        assert set(row.prefixes) <= prefixes, row.display_names
        assert "vllm" not in row.prefixes
        assert row.auth in {"api_key", "aws", "azure", "adc", "none"}
        assert "seed 00" in row.source or "API docs" in row.source  # where the facts come from
        assert all(url.startswith(("http://", "https://")) for url in row.documented_base_urls)

    names = {
        "OpenAI": "openai",
        "Anthropic": "anthropic",
        "Google": "gemini",
        "Google Gemini": "gemini",
        "gemini": "gemini",
        "Vertex AI": "vertex_ai",
        "AWS Bedrock": "bedrock",
        "Azure OpenAI": "azure",
        "Mistral": "mistral",
        "DeepSeek": "deepseek",
        "Groq": "groq",
        "xAI": "xai",
        "Grok": "xai",
        "OpenRouter": "openrouter",
        "Ollama": "ollama",
        "Self-Hosted": "openai",
        "self hosted": "openai",
        "SELF-HOSTED": "openai",
        "GLM": "zai",
        "Z.ai": "zai",
    }
    for name, prefix in names.items():
        provider = catalog.provider_for_display_name(name)
        assert provider is not None, name
        assert provider.prefixes[0] == prefix, name
    assert catalog.provider_for_display_name("Acme Cloud") is None

    bedrock = catalog.provider_for_display_name("AWS Bedrock")
    assert bedrock is not None and bedrock.auth == "aws"
    azure = catalog.provider_for_display_name("Azure OpenAI")
    assert azure is not None and set(azure.prefixes) == {"azure", "azure_ai"}
    hosted = catalog.provider_for_display_name("Self-Hosted")
    assert hosted is not None and set(hosted.prefixes) == {"openai", "hosted_vllm"}
    ollama = catalog.provider_for_display_name("Ollama")
    assert ollama is not None and set(ollama.prefixes) == {"ollama", "ollama_chat"} and ollama.auth == "none"
    for name in ("DeepSeek", "Groq", "xAI", "GLM", "Mistral", "OpenRouter"):
        compatible = catalog.provider_for_display_name(name)
        assert compatible is not None and compatible.openai_compatible and compatible.base_url, name
    openai = catalog.provider_for_display_name("OpenAI")
    assert openai is not None and openai.env_var == "OPENAI_API_KEY"
    google = catalog.provider_for_display_name("Google")
    assert google is not None and google.env_var == "GEMINI_API_KEY"

    owner = catalog.provider_for_prefix("openai")
    assert owner is not None and owner.display_names[0] == "OpenAI"
    hosted_owner = catalog.provider_for_prefix("hosted_vllm")
    assert hosted_owner is not None and hosted_owner.display_names[0] == "Self-Hosted"
    assert catalog.provider_for_prefix("nonexistent") is None


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("gpt-4o", "gpt-4o-2024-11-20"),
        ("openai/gpt-4o", "openai/gpt-4o-2024-11-20"),
        ("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18"),
        ("claude-sonnet-4", "claude-sonnet-4-20250514"),
        ("anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4-20250514"),
        ("anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5-20250929"),
        ("mistral/mistral-large-latest", "mistral/mistral-large-2512"),
        # already dated: not an alias
        ("anthropic/claude-sonnet-4-20250514", None),
        ("openai/gpt-4o-2024-08-06", None),
        ("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", None),
        # a stable id without dated snapshots
        ("gemini/gemini-2.5-pro", None),
        ("gemini-2.5-pro", None),
        # an alias, but the catalog knows no snapshot to point at
        ("anthropic/claude-3-5-sonnet-latest", None),
    ],
)
def test_dated_alias(cat: Catalog, model_id: str, expected: str | None) -> None:
    assert cat.dated_alias(model_id) == expected


def test_nearest_id(cat: Catalog) -> None:
    assert cat.nearest_id("anthropic/claude-sonet-4-20250514") == "anthropic/claude-sonnet-4-20250514"
    assert cat.nearest_id("gemini/gemini-2.5-prp") == "gemini/gemini-2.5-pro"
    assert cat.nearest_id("opnai/gpt-4o") == "openai/gpt-4o"  # no such prefix: searched everywhere
    assert cat.nearest_id("anthropic/qqqqqqqqqqqqqqqqqqqqqqqq") is None


def test_models_listing(cat: Catalog) -> None:
    everything = cat.models()
    assert len(everything) > 3000
    assert everything == sorted(everything, key=lambda f: (f.prefix, f.id))
    anthropic = cat.models(provider="anthropic")
    assert anthropic and all(f.prefix == "anthropic" for f in anthropic)
    by_display = cat.models(provider="AWS Bedrock")
    assert by_display and all(f.prefix == "bedrock" for f in by_display)
    hosted = cat.models(provider="Self-Hosted")
    assert hosted and all(f.prefix == "hosted_vllm" for f in hosted)
    assert [f.litellm_model for f in cat.models("CLAUDE-SONNET-4-2", provider="Anthropic")] == [
        "anthropic/claude-sonnet-4-20250514"
    ]
    embeddings = cat.models("text-embedding-3", provider="openai")
    assert embeddings and all(f.mode == "embedding" for f in embeddings)


def _tiny_map() -> dict[str, Any]:
    return {
        "sample_spec": {"mode": "one of: chat, embedding, ...", "litellm_provider": "one of ..."},
        "acme-chat-1": {
            "litellm_provider": "openai",
            "max_input_tokens": 64000,
            "max_output_tokens": 4096,
            "mode": "chat",
            "supports_function_calling": True,
            "input_cost_per_token": 1e-06,
        },
        "dall-e-9": {"litellm_provider": "openai", "mode": "image_generation"},
        # LiteLLM now knows the seed's Anthropic id but not its output limit
        "claude-sonnet-4-20250514": {
            "litellm_provider": "anthropic",
            "max_input_tokens": 200000,
            "mode": "chat",
        },
    }


def test_load_user_catalog_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model_prices_and_context_window.json"
    path.write_text(json.dumps(_tiny_map()), encoding="utf-8")

    user = load_catalog(path)
    facts = user.lookup("openai/acme-chat-1")
    assert facts is not None
    assert (facts.context_window, facts.max_output_tokens, facts.supports_tool_calling) == (64000, 4096, True)
    assert path.name in facts.source
    assert user.lookup("openai/dall-e-9") is None  # not a mode a contract can use
    assert user.lookup("openai/gpt-4o") is None  # the packaged facts are replaced, not added to
    # seed rows are merged on top: added where missing, filling gaps where LiteLLM is silent
    assert user.lookup("openai/deephat-v2") is not None
    sonnet = user.lookup("anthropic/claude-sonnet-4-20250514")
    assert sonnet is not None
    assert sonnet.provider == "anthropic" and sonnet.max_output_tokens == 64000
    assert sonnet.source.startswith(f"LiteLLM map {path.name}: ")
    assert "max_output_tokens, supports_tool_calling from seed 002" in sonnet.source

    monkeypatch.setenv(catalog.CATALOG_ENV, str(path))
    assert load_catalog().lookup("openai/acme-chat-1") is not None
    monkeypatch.delenv(catalog.CATALOG_ENV)
    assert load_catalog().lookup("openai/acme-chat-1") is None


def test_load_user_catalog_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_catalog(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        load_catalog(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"models": []}), encoding="utf-8")
    with pytest.raises(InputError, match="no chat"):
        load_catalog(wrong)


def test_packaged_format_loads_as_a_user_file(cat: Catalog) -> None:
    copy = load_catalog(DATA / "litellm_models.json")
    packaged, loaded = cat.lookup("gemini/gemini-2.5-pro"), copy.lookup("gemini/gemini-2.5-pro")
    assert packaged is not None and loaded is not None
    assert replace(loaded, source=packaged.source) == packaged
    assert "(litellm_models.json)" in loaded.source


def test_packaged_header() -> None:
    models = json.loads((DATA / "litellm_models.json").read_bytes())
    assert models["source"] == "litellm==1.106.2 model_prices_and_context_window_backup.json"
    assert models["license"] == "MIT"
    fields = {
        "max_input_tokens",
        "max_output_tokens",
        "mode",
        "litellm_provider",
        "supports_function_calling",
    }
    modes = {"chat", "embedding", "audio_transcription", "completion", "responses"}
    assert all(set(record) <= fields and record["mode"] in modes for record in models["models"].values())
    prefixes = json.loads((DATA / "litellm_providers.json").read_bytes())
    assert prefixes["license"] == "MIT" and prefixes["providers"] == sorted(prefixes["providers"])


def _run_refresh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REFRESH), *args], capture_output=True, text=True, check=False)


def test_packaged_models_match_refresh_from_reference_map(tmp_path: Path) -> None:
    reference_map = _litellm_peer() / WHEEL_MEMBERS[0]
    result = _run_refresh("--from-json", str(reference_map), "--out-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "litellm_models.json").read_bytes() == (DATA / "litellm_models.json").read_bytes()
    assert not (tmp_path / "litellm_providers.json").exists()  # needs the wheel
    again = _run_refresh("--from-json", str(reference_map), "--out-dir", str(tmp_path), "--check")
    assert again.returncode == 0 and "up to date" in again.stdout


def test_packaged_prefixes_match_refresh_from_the_pinned_litellm(tmp_path: Path) -> None:
    import zipfile

    site = _litellm_peer()
    # The members a refresh reads, zipped as the wheel holds them (no download).
    wheel = tmp_path / "litellm-1.106.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for member in WHEEL_MEMBERS:
            archive.write(site / member, member)
    result = _run_refresh("--wheel", str(wheel), "--out-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in ("litellm_models.json", "litellm_providers.json"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_import_loads_nothing() -> None:
    probe = (
        "import sys, contract.knowledge.catalog as c\n"
        "assert c.provider_prefixes.cache_info().currsize == 0\n"
        "assert c._default_catalog.cache_info().currsize == 0\n"
        "assert 'difflib' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_default_catalog_is_cached_and_builds_facts_only_when_asked() -> None:
    # Speed is measured in scripts/bench; here: what the load does and does not do.
    catalog._default_catalog.cache_clear()
    loaded = load_catalog()
    assert load_catalog() is loaded
    seeds = len(catalog._seed_rows())
    assert len(loaded._facts) <= seeds < len(loaded._rows)  # map rows wait for a lookup
    facts = loaded.lookup("openai/gpt-4o")
    assert facts is not None and loaded.lookup("openai/gpt-4o") is facts
    assert len(loaded.models()) >= len(loaded._rows)
