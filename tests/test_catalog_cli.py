"""`install-contract catalog` through click's runner: table and json, filters, a user's map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main

ROW_KEYS = {"id", "provider", "prefix", "contextWindow", "maxTokens", "mode", "supportsToolCalling", "source"}

# A LiteLLM model_prices_and_context_window.json cut to what the catalog reads.
TINY_MAP = {
    "sample_spec": {"litellm_provider": "openai", "mode": "chat"},
    "acme-reasoner-9000": {
        "litellm_provider": "openai",
        "max_input_tokens": 64000,
        "max_output_tokens": 8000,
        "mode": "chat",
        "supports_function_calling": True,
    },
    "anthropic/claude-sonnet-4-20250514": {
        "litellm_provider": "anthropic",
        "max_input_tokens": 123456,
        "max_output_tokens": 4321,
        "mode": "chat",
        "supports_function_calling": True,
    },
}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _packaged_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSTALL_CONTRACT_CATALOG", raising=False)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("claude-sonnet-4",), id="claude-sonnet-4"),
        pytest.param(("--provider", "gemini", "gemini-2.5"), id="provider-gemini"),
        pytest.param(("--provider", "Anthropic", "claude-opus-4"), id="provider-display-name"),
        pytest.param(("--provider", "self-hosted", "qwen"), id="self-hosted"),
    ],
)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_catalog_output(args: tuple[str, ...], fmt: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = run("catalog", "--format", fmt, *args)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == snapshot


def test_table_columns_and_unknowns() -> None:
    lines = run("catalog", "--provider", "openai", "whisper-1").stdout.splitlines()
    assert lines[0].split() == ["MODEL", "PROVIDER", "CONTEXT", "MAX", "OUT", "MODE", "TOOLS", "SOURCE"]
    row = lines[1].split()
    assert row[0] == "openai/whisper-1"
    assert row[2:6] == ["-", "-", "audio_transcription", "-"]  # unknown window, output, tools


def test_json_rows_have_exactly_the_documented_keys() -> None:
    rows = json.loads(run("catalog", "--format", "json", "gpt-4o").stdout)
    assert rows
    assert all(set(row) == ROW_KEYS for row in rows)
    assert (rows[0]["prefix"], rows[0]["id"]) == ("openai", "gpt-4o")  # the best match first
    listing = json.loads(run("catalog", "--format", "json", "-p", "anthropic").stdout)
    assert listing == sorted(listing, key=lambda r: (r["prefix"], r["id"]))  # no query: by id
    gpt = next(r for r in rows if r["prefix"] == "openai" and r["id"] == "gpt-4o")
    assert gpt["provider"] == "OpenAI"
    assert (gpt["contextWindow"], gpt["maxTokens"], gpt["mode"], gpt["supportsToolCalling"]) == (
        128000,
        16384,
        "chat",
        True,
    )


def test_provider_prefix_and_display_name_agree() -> None:
    by_prefix = run("catalog", "--provider", "anthropic", "--format", "json").stdout
    by_name = run("catalog", "--provider", "Anthropic", "--format", "json").stdout
    assert by_prefix == by_name
    assert {row["prefix"] for row in json.loads(by_prefix)} == {"anthropic"}


def test_query_ignores_case() -> None:
    assert run("catalog", "CLAUDE-SONNET-4-2025").stdout == run("catalog", "claude-sonnet-4-2025").stdout


def test_no_result_is_a_message_and_exit_0() -> None:
    result = run("catalog", "no-such-model-anywhere")
    assert result.exit_code == 0
    assert result.stdout == "no model in the catalog matches 'no-such-model-anywhere'\n"
    assert result.stderr == ""
    result = run("catalog", "--format", "json", "no-such-model-anywhere")
    assert result.exit_code == 0
    assert result.stdout == "[]\n"


def test_unknown_provider_is_a_usage_error() -> None:
    result = run("catalog", "--provider", "antropic")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown provider 'antropic'; did you mean Anthropic?" in result.stderr


def _tiny_map(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_MAP), encoding="utf-8")
    return path


def test_user_catalog_changes_what_is_shown(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    path = _tiny_map(tmp_path)
    assert run("catalog", "acme").stdout == "no model in the catalog matches 'acme'\n"
    result = run("catalog", "--catalog", str(path), "acme")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == snapshot
    rows = json.loads(
        run("catalog", "--catalog", str(path), "--format", "json", "claude-sonnet-4-2025").stdout
    )
    # The user's map wins where it has a value; the seed rows are merged on top of any map.
    assert [(r["id"], r["contextWindow"], r["maxTokens"]) for r in rows] == [
        ("claude-sonnet-4-20250514", 123456, 4321)
    ]
    assert rows[0]["source"] == "LiteLLM map tiny.json: anthropic/claude-sonnet-4-20250514"


def test_user_catalog_from_the_environment(tmp_path: Path) -> None:
    path = _tiny_map(tmp_path)
    result = run("catalog", "acme", env={"INSTALL_CONTRACT_CATALOG": str(path)})
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split() == [
        "openai/acme-reasoner-9000",
        "OpenAI",
        "64000",
        "8000",
        "chat",
        "yes",
        "tiny.json",
    ]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2]", id="not-an-object"),
        pytest.param('{"x": {"mode": "image_generation"}}', id="no-models"),
    ],
)
def test_bad_user_catalog_is_one_line_and_exit_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = run("catalog", "--catalog", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("install-contract: the model catalog ")
    assert result.stderr.count("\n") == 1


def test_missing_user_catalog_is_exit_2(tmp_path: Path) -> None:
    result = run("catalog", "--catalog", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("install-contract: cannot read the model catalog ")


# --------------------------------------------------------------------------- the library


def test_render_table_aligns_columns_and_names_sources() -> None:
    from contract.reporting.catalog import render_table

    rows = [
        {"id": "a", "provider": "OpenAI", "prefix": "openai", "contextWindow": 128000, "maxTokens": None,
         "mode": "chat", "supportsToolCalling": True, "source": "LiteLLM map x.json: a"},
        {"id": "longer-model", "provider": "Self-Hosted", "prefix": "hosted_vllm", "contextWindow": 8192,
         "maxTokens": 2048, "mode": None, "supportsToolCalling": False, "source": "seed: qwen"},
    ]  # fmt: skip
    assert render_table(rows, "x.json", "LiteLLM map x.json").splitlines() == [
        "MODEL                     PROVIDER     CONTEXT  MAX OUT  MODE  TOOLS  SOURCE",
        "openai/a                  OpenAI       128000   -        chat  yes    x.json",
        "hosted_vllm/longer-model  Self-Hosted  8192     2048     -     no     seed",
    ]


def test_catalog_rows_refuse_an_unknown_provider_and_render_json_round_trips() -> None:
    from contract.errors import UsageError
    from contract.knowledge.catalog import load_catalog
    from contract.reporting.catalog import render_json
    from contract.workflows.listing import catalog_rows

    known = load_catalog()
    with pytest.raises(UsageError, match="did you mean Anthropic"):
        catalog_rows(known, None, "antropic")
    rows = catalog_rows(known, "claude-sonnet-4-2025", "Anthropic")
    assert rows and all(set(row) == ROW_KEYS and row["provider"] == "Anthropic" for row in rows)
    assert json.loads(render_json(rows)) == rows


def _ids(*args: str) -> list[str]:
    rows = json.loads(run("catalog", "--format", "json", *args).stdout)
    return [f"{row['prefix']}/{row['id']}" for row in rows]


def test_query_ranks_exact_id_then_first_party_then_the_rest() -> None:
    ids = _ids("text-embedding-3-small")
    assert ids[0] == "openai/text-embedding-3-small"
    assert ids.index("azure/text-embedding-3-small") < ids.index("azure/eu/text-embedding-3-small")
    gpt = _ids("gpt-4o")
    assert gpt[0] == "openai/gpt-4o"
    exact = [i for i in gpt if i.split("/", 1)[1] == "gpt-4o"]
    assert gpt[: len(exact)] == exact  # every exact id before any longer one
    after = gpt[len(exact) :]
    first_party = [i for i in after if i.startswith("openai/")]
    assert after[: len(first_party)] == first_party


def test_rows_without_a_context_window_sort_last_in_their_rank() -> None:
    rows = json.loads(run("catalog", "--format", "json", "-p", "azure", "text-embedding-3-small").stdout)
    windows = [bool(row["contextWindow"]) for row in rows if row["id"] != "text-embedding-3-small"]
    assert windows == sorted(windows, reverse=True)
    assert False in windows  # the case is really exercised (azure/eu/… has none)


def test_prefixed_query_is_an_exact_id() -> None:
    assert _ids("anthropic/claude-sonnet-4-20250514")[0] == "anthropic/claude-sonnet-4-20250514"


def test_open_weight_rows_name_their_model_card() -> None:
    rows = run("catalog", "-p", "self-hosted", "Mixtral-8x7B").stdout.splitlines()
    assert rows[1].split()[0] == "hosted_vllm/mistralai/Mixtral-8x7B-Instruct-v0.1"
    assert rows[1].rstrip().endswith("model card")
