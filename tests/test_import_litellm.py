"""`install-contract import litellm`: a LiteLLM config.yaml as contract entries, and back.

The config (tests/data/litellm/docs-config.yaml) is written from LiteLLM's documentation:
OpenAI, Azure with api_version, Bedrock with a region, Vertex AI, Ollama, a hosted_vllm/
self-hosted model, two deployments of one name, os.environ/ keys and literal ones, router,
litellm and general settings. Literal keys are canaries: none may appear in the contract,
the side file, the rendered config or anything the commands print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli.main import main as cli
from contract.pipeline.validate import validate_text
from contract.workflows.importer import contract_text, import_litellm, read_config
from tests.support.litellm_configs import KEY_CANARY, MASTER_CANARY, TODO_NAME, docs_config_text, import_args

FIRST_OF_GROUP = 8  # model_list[8] and [9] are both gpt-4o-mini


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(docs_config_text(), encoding="utf-8")
    return path


def no_canary(*texts: str) -> None:
    for text in texts:
        assert KEY_CANARY not in text
        assert MASTER_CANARY not in text
        assert "sk-import-canary" not in text and "sk-master-canary" not in text


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


# ------------------------------------------------------------------ the library


def test_every_item_becomes_an_entry_with_the_contract_fields(config: Path) -> None:
    imported = import_litellm(read_config(str(config)), source="config.yaml")
    by_name = {e.name: dict(e.fields) for e in imported.entries}
    assert list(by_name) == [
        "gpt-4o",
        "azure-gpt-4o",
        "bedrock-claude",
        "gemini-flash",
        "llama3",
        "my-finetune",
        "qwen2.5-7b-instruct",
        "embeddings",
        "gpt-4o-mini",
    ]
    azure = by_name["azure-gpt-4o"]
    assert azure["litellmModel"] == "azure/my-gpt4o-deployment"
    assert azure["apiBase"] == "https://my-resource.openai.azure.com"
    assert azure["apiVersion"] == "2024-10-21"
    assert azure["apiKey"] == "${AZURE_API_KEY}"
    assert azure["baseModel"] == "gpt-4o-2024-08-06"  # render writes azure/ in front again
    assert azure["provider"] == "Azure OpenAI"
    bedrock = by_name["bedrock-claude"]
    assert bedrock["awsRegion"] == "us-east-1"
    assert bedrock["awsAccessKeyId"] == "${AWS_ACCESS_KEY_ID}"
    assert bedrock["awsSecretAccessKey"] == "${AWS_SECRET_ACCESS_KEY}"
    assert bedrock["contextWindow"] == 200000  # the catalog's
    qwen = by_name["qwen2.5-7b-instruct"]
    assert qwen["provider"] == "Self-Hosted"
    assert (qwen["contextWindow"], qwen["maxTokens"]) == (32768, 8192)  # model_info's
    embeddings = by_name["embeddings"]
    assert (embeddings["type"], embeddings["metadataType"]) == ("INTERNAL", "Embeddings")
    assert embeddings["apiKey"] == "${EMBEDDINGS_API_KEY}"  # the literal moved, as render names it
    assert "maxTokens" not in embeddings
    assert by_name[TODO_NAME]["contextWindow"] == "TODO"
    assert imported.todos == (f"{TODO_NAME}: contextWindow",)


def test_a_literal_key_becomes_the_variable_render_would_name(config: Path) -> None:
    from contract.knowledge.envref import literal_var

    imported = import_litellm(read_config(str(config)), source="config.yaml")
    assert literal_var("embeddings", "apiKey") == "EMBEDDINGS_API_KEY"
    assert imported.to_set == ("EMBEDDINGS_API_KEY", "LITELLM_MASTER_KEY", "ROUTER_SETTINGS_REDIS_PASSWORD")
    no_canary(contract_text(imported), repr(imported))


def test_a_context_window_given_by_flag_replaces_the_todo(config: Path) -> None:
    imported = import_litellm(
        read_config(str(config)), source="config.yaml", context_windows={TODO_NAME: 4096}
    )
    entry = next(e for e in imported.entries if e.name == TODO_NAME)
    assert entry.fields["contextWindow"] == 4096 and not entry.todos


def test_validate_reports_only_the_marked_todo(config: Path) -> None:
    text = contract_text(import_litellm(read_config(str(config)), source="config.yaml"))
    result = validate_text(text, file="imported.yaml")
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert [(d.code, text.splitlines()[d.line - 1].strip()) for d in errors] == [
        ("IC004", "contextWindow: TODO")
    ]


def test_one_name_with_two_deployments_is_reported_and_the_first_imported(config: Path) -> None:
    imported = import_litellm(read_config(str(config)), source="config.yaml")
    (group,) = imported.groups
    assert group.name == "gpt-4o-mini"
    assert group.imported == "model_list[8] openai/gpt-4o-mini-2024-07-18 at https://api.openai.com/v1"
    assert group.others == ("model_list[9] azure/gpt-4o-mini-eu at https://my-eu-resource.openai.azure.com",)
    mini = next(e for e in imported.entries if e.name == "gpt-4o-mini")
    assert mini.index == FIRST_OF_GROUP and mini.fields["litellmModel"] == "openai/gpt-4o-mini-2024-07-18"


def test_settings_the_contract_does_not_model_are_listed_and_kept(config: Path) -> None:
    imported = import_litellm(read_config(str(config)), source="config.yaml")
    assert imported.kept_out == (
        "model_list[gpt-4o].litellm_params: rpm, timeout",
        "model_list[gemini-flash].litellm_params: vertex_project, vertex_location",
        "router_settings: routing_strategy, num_retries, fallbacks, redis_password",
        "litellm_settings: drop_params, request_timeout, callbacks",
        "general_settings: alerting",
        "environment_variables: LANGFUSE_PUBLIC_KEY",
    )
    extra = dict(imported.extra)
    assert list(extra) == ["router_settings", "litellm_settings", "general_settings", "model_extras"]
    assert extra["router_settings"]["fallbacks"] == [{"gpt-4o": ["azure-gpt-4o"]}]
    assert extra["router_settings"]["redis_password"] == "os.environ/ROUTER_SETTINGS_REDIS_PASSWORD"
    assert extra["general_settings"] == {"alerting": ["slack"]}  # master_key is render's
    assert extra["model_extras"]["gemini-flash"] == {
        "litellm_params": {"vertex_project": "my-gcp-project", "vertex_location": "us-central1"}
    }
    no_canary(repr(extra))


def test_a_secret_anywhere_in_the_settings_becomes_a_variable() -> None:
    document = {
        "model_list": [
            {
                "model_name": "gpt-4o",
                "litellm_params": {
                    "model": "openai/gpt-4o",
                    "api_key": "os.environ/OPENAI_API_KEY",
                    "vertex_credentials": {"private_key": KEY_CANARY},
                    "extra_headers": {"X-Token": KEY_CANARY, "Authorization": f"Bearer {KEY_CANARY}"},
                },
            }
        ],
        "litellm_settings": {"cache_params": {"password": KEY_CANARY, "host": "redis"}},
        "general_settings": {"database_url": f"postgresql://u:{KEY_CANARY}@db:5432/litellm"},
    }
    imported = import_litellm(document, source="x")
    extra = dict(imported.extra)
    assert extra["model_extras"]["gpt-4o"]["litellm_params"] == {
        "vertex_credentials": "os.environ/GPT_4O_VERTEX_CREDENTIALS",
        "extra_headers": {
            "X-Token": "os.environ/GPT_4O_X_TOKEN",
            "Authorization": "os.environ/GPT_4O_AUTHORIZATION",
        },
    }
    assert extra["litellm_settings"]["cache_params"] == {
        "password": "os.environ/LITELLM_SETTINGS_PASSWORD",
        "host": "redis",
    }
    assert extra["general_settings"]["database_url"] == "os.environ/GENERAL_SETTINGS_DATABASE_URL"
    no_canary(repr(imported))


def test_items_that_cannot_be_entries_are_skipped_with_the_reason() -> None:
    document = {
        "model_list": [
            "gpt-4o",
            {"model_name": "x"},
            {"model_name": "y", "litellm_params": {"api_key": KEY_CANARY}},
            {"model_name": "z", "litellm_params": {"model": "anthropic/claude-sonnet-4-20250514"}},
        ]
    }
    imported = import_litellm(document, source="x")
    assert imported.skipped == (
        "model_list[0]: not a mapping",
        "model_list[1]: no litellm_params",
        "model_list[2]: no litellm_params.model",
    )
    assert [e.name for e in imported.entries] == ["z"]


def test_a_config_without_model_list_is_a_usage_error() -> None:
    from contract.errors import UsageError

    with pytest.raises(UsageError, match="no model_list"):
        import_litellm({"general_settings": {}}, source="x")


# ------------------------------------------------------------------ the command


def test_import_prints_the_contract_and_reports_on_stderr(config: Path) -> None:
    result = run("import", "litellm", str(config))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# yaml-language-server")
    assert "litellmModelName: gpt-4o" in result.stdout
    stderr = result.stderr
    assert "imported 9 model(s)" in stderr
    assert (
        "warning: gpt-4o-mini has 2 deployments (LiteLLM load-balances them); the contract holds one per "
        "name: imported model_list[8] openai/gpt-4o-mini-2024-07-18 at https://api.openai.com/v1; not "
        "imported: model_list[9] azure/gpt-4o-mini-eu at https://my-eu-resource.openai.azure.com"
    ) in stderr
    assert "kept out of the contract" in stderr
    assert "  router_settings: routing_strategy, num_retries, fallbacks, redis_password" in stderr
    assert "  litellm_settings: drop_params, request_timeout, callbacks" in stderr
    assert (
        "set these environment variables (values the import does not copy): "
        "EMBEDDINGS_API_KEY, LITELLM_MASTER_KEY, ROUTER_SETTINGS_REDIS_PASSWORD"
    ) in stderr
    assert f"TODO: {TODO_NAME}: contextWindow" in stderr
    no_canary(result.stdout, stderr)


def test_import_out_writes_a_contract_that_validates_but_for_the_todo(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "install-contract.yaml"
    extra = tmp_path / "litellm-extra.yaml"
    result = run("import", "litellm", str(config), "--out", str(out), "--keep-extra", str(extra))
    assert result.exit_code == 0, result.output
    no_canary(result.output, out.read_text(), extra.read_text())
    assert f"wrote {out}; validate: 1 error(s) (1 at a TODO), 1 warning(s)" in result.stdout
    check = run("validate", str(out), "-f", "json")
    assert check.exit_code == 1
    assert '"code": "IC004"' in check.stdout and check.stdout.count('"severity": "error"') == 1
    again = run("import", "litellm", str(config), "--out", str(out))
    assert again.exit_code == 1 and "already exists" in again.stderr
    forced = run(
        "import",
        "litellm",
        str(config),
        "--out",
        str(out),
        "--force",
        "--context-window",
        f"{TODO_NAME}=4096",
    )
    assert forced.exit_code == 0
    assert run("validate", str(out)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a CONFIG file or --url URL"),
        (("CONFIG", "--url", "http://127.0.0.1:1"), "give a CONFIG file or --url URL"),
        (("CONFIG", "--out", "a.yaml", "--add", "b.yaml"), "--out and --add exclude each other"),
        (("CONFIG", "--force"), "--force goes with --out"),
        (("CONFIG", "--context-window", "my-finetune"), "write NAME=TOKENS"),
        (("CONFIG", "--context-window", "nope=1"), "--context-window names nope"),
    ],
)
def test_usage_errors(config: Path, args: tuple[str, ...], message: str) -> None:
    result = run("import", "litellm", *(str(config) if a == "CONFIG" else a for a in args))
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_unreadable_or_broken_config_is_exit_2_with_the_place(tmp_path: Path) -> None:
    broken = tmp_path / "config.yaml"
    broken.write_text("model_list:\n  - model_name: [x\n", encoding="utf-8")
    result = run("import", "litellm", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:3:1: not a readable LiteLLM config: YAML syntax error" in result.stderr
    assert run("import", "litellm", str(tmp_path / "missing.yaml")).exit_code == 2
    # Read by the contract's own loader: a repeated key and a tag are refused at their place,
    # and a secret never quoted.
    twice = tmp_path / "twice.yaml"
    twice.write_text(
        f"model_list: []\ngeneral_settings:\n  master_key: {KEY_CANARY}\n  master_key: x\n", encoding="utf-8"
    )
    result = run("import", "litellm", str(twice))
    assert result.exit_code == 2 and f"{twice}:4:3: not a readable LiteLLM config" in result.stderr
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(f"model_list:\n  - api_key: !!python/object {KEY_CANARY}\n", encoding="utf-8")
    result = run("import", "litellm", str(tagged))
    assert result.exit_code == 2 and f"{tagged}:2:" in result.stderr
    no_canary(result.output)


def test_add_appends_through_the_editor_and_skips_names_already_there(config: Path, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    original = (
        "# our contract\n"
        "models:\n"
        "  - litellmModelName: gpt-4o   # kept as written\n"
        "    litellmModel: openai/gpt-4o-2024-08-06\n"
        "    displayName: GPT-4o\n"
        "    provider: OpenAI\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 128000\n"
        "    apiKey: ${OPENAI_API_KEY}\n"
        "\n"
        "featureFlags:\n"
        "  DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o\n"
    )
    contract.write_text(original, encoding="utf-8")
    result = run("import", "litellm", str(config), "--add", str(contract))
    assert result.exit_code == 0, result.output
    text = contract.read_text(encoding="utf-8")
    head, _, _ = original.partition("\nfeatureFlags:")
    assert text.startswith(head)  # every byte before the new entries is kept
    assert text.endswith("featureFlags:\n  DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o\n")
    assert "skipped: gpt-4o already in" in result.stdout
    assert f"not added: {TODO_NAME}: it has a TODO" in result.stderr
    assert text.count("litellmModelName: gpt-4o\n") == 0 and text.count("litellmModelName: gpt-4o ") == 1
    assert "litellmModelName: azure-gpt-4o" in text and TODO_NAME not in text
    no_canary(text, result.output)
    assert run("validate", str(contract)).exit_code == 0
    again = run("import", "litellm", str(config), "--add", str(contract))
    assert again.exit_code == 0 and contract.read_text(encoding="utf-8") == text


# ------------------------------------------------------------------ round trip


def normalised_original(item: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    """An original model_list item as the contract renders it back (the documented
    normalisations): a literal secret as os.environ/<the variable import named>."""
    params = dict(item["litellm_params"])
    for key in ("api_key", "aws_access_key_id", "aws_secret_access_key"):
        value = params.get(key)
        if isinstance(value, str) and not value.startswith("os.environ/"):
            params[key] = f"os.environ/{variables[item['model_name']]}"
    return params


def test_round_trip_renders_the_original_model_list_field_by_field(config: Path, tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    extra = tmp_path / "litellm-extra.yaml"
    imported = run(*import_args(config, contract, extra))
    assert imported.exit_code == 0, imported.output
    rendered_dir = tmp_path / "rendered"
    result = run("render", str(contract), "--out", str(rendered_dir), "--litellm-extra", str(extra))
    assert result.exit_code == 0, result.output
    rendered_text = (rendered_dir / "litellm" / "config.yaml").read_text(encoding="utf-8")
    no_canary(rendered_text, result.output, (rendered_dir / "helm" / "litellm.values.yaml").read_text())

    original = yaml.safe_load(docs_config_text())
    rendered = yaml.safe_load(rendered_text)
    # The second deployment of gpt-4o-mini is the one documented loss.
    firsts = [item for i, item in enumerate(original["model_list"]) if i != FIRST_OF_GROUP + 1]
    assert [m["model_name"] for m in rendered["model_list"]] == [m["model_name"] for m in firsts]
    variables = {"embeddings": "EMBEDDINGS_API_KEY"}
    for before, after in zip(firsts, rendered["model_list"], strict=True):
        assert after["litellm_params"] == normalised_original(before, variables), before["model_name"]
        for key, value in (before.get("model_info") or {}).items():
            assert after["model_info"][key] == value, (before["model_name"], key)
        assert after["model_info"]["id"] == before["model_name"]

    # The settings come back; keys and the master key as variables.
    expected_router = dict(
        original["router_settings"], redis_password="os.environ/ROUTER_SETTINGS_REDIS_PASSWORD"
    )
    assert rendered["router_settings"] == expected_router
    assert rendered["litellm_settings"] == original["litellm_settings"]
    assert rendered["general_settings"] == {
        "master_key": "os.environ/LITELLM_MASTER_KEY",
        "alerting": ["slack"],
    }
    assert "environment_variables" not in rendered
    assert "ROUTER_SETTINGS_REDIS_PASSWORD" in rendered_text.split("model_list:")[0]  # listed to provide


def test_render_without_the_side_file_is_unchanged_and_with_it_is_recorded(
    config: Path, tmp_path: Path
) -> None:
    import json

    contract = tmp_path / "install-contract.yaml"
    extra = tmp_path / "extra.yaml"
    run(*import_args(config, contract, extra))
    plain = run("render", str(contract), "--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0
    config_text = (tmp_path / "plain" / "litellm" / "config.yaml").read_text()
    assert config_text.endswith("general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n")
    assert "router_settings" not in config_text
    assert "litellmExtra" not in (tmp_path / "plain" / "manifest.json").read_text()
    run("render", str(contract), "--out", str(tmp_path / "with"), "--litellm-extra", str(extra))
    manifest = json.loads((tmp_path / "with" / "manifest.json").read_text())
    assert manifest["litellmExtra"]["file"] == "extra.yaml"
    stale = run("render", str(contract), "--out", str(tmp_path / "with"), "--check")
    assert stale.exit_code == 1  # without the side file, the output differs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model_list: []\n", "holds model_list"),
        (
            f"router_settings:\n  redis_password: {KEY_CANARY}\n",
            "router_settings.redis_password holds a literal secret",
        ),
        (
            "model_extras:\n  nope:\n    litellm_params: {rpm: 1}\n",
            "model_extras names nope, not in the contract",
        ),
        ("model_extras:\n  gpt-4o:\n    other: {}\n", "may hold only litellm_params and model_info"),
        ("- a\n", "is not a mapping"),
    ],
)
def test_render_refuses_a_side_file_it_cannot_merge(
    config: Path, tmp_path: Path, text: str, message: str
) -> None:
    contract = tmp_path / "install-contract.yaml"
    run("import", "litellm", str(config), "--out", str(contract), "--context-window", f"{TODO_NAME}=4096")
    extra = tmp_path / "extra.yaml"
    extra.write_text(text, encoding="utf-8")
    result = run("render", str(contract), "--out", str(tmp_path / "out"), "--litellm-extra", str(extra))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "out").exists()
    no_canary(result.output)


def test_the_summary_counts_the_errors_beyond_the_todos(tmp_path: Path) -> None:
    # LiteLLM's own hosted_vllm example: the served id is not the name, and no /v1.
    config = tmp_path / "config.yaml"
    config.write_text(
        "model_list:\n"
        "  - model_name: opt\n"
        "    litellm_params:\n"
        "      model: hosted_vllm/facebook/opt-125m\n"
        "      api_base: https://hosted-vllm-api.co\n",
        encoding="utf-8",
    )
    result = run("import", "litellm", str(config))
    assert result.exit_code == 0
    assert result.stderr.endswith("validate: 3 error(s) (1 at a TODO), 0 warning(s)\n")
    codes = [d.code for d in validate_text(result.stdout, file="x").diagnostics]
    assert codes == ["IC104", "IC004", "IC105"]


def test_a_yaml_1_1_boolean_in_the_settings_is_pointed_out() -> None:
    document = {
        "model_list": [{"model_name": "m", "litellm_params": {"model": "openai/gpt-4o", "stream": "on"}}],
        "litellm_settings": {"drop_params": "yes", "callbacks": ["off"]},
    }
    notes = import_litellm(document, source="x").notes
    assert notes == (
        "litellm_settings.drop_params: 'yes' is a boolean to LiteLLM but a string in the side file; write true or false",
        "litellm_settings.callbacks[0]: 'off' is a boolean to LiteLLM but a string in the side file; write true or false",
        "model_list[m].litellm_params.stream: 'on' is a boolean to LiteLLM but a string in the side file; write true or false",
    )


def test_a_literal_never_moves_to_a_variable_the_config_already_reads() -> None:
    document = {
        "model_list": [
            {
                "model_name": "a",
                "litellm_params": {"model": "openai/gpt-4o", "api_key": "os.environ/GPT_4O_API_KEY"},
            },
            {"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY_CANARY}},
            {"model_name": "gpt 4o", "litellm_params": {"model": "openai/gpt-4o", "api_key": MASTER_CANARY}},
        ]
    }
    imported = import_litellm(document, source="x")
    keys = [e.fields["apiKey"] for e in imported.entries]
    assert keys == ["${GPT_4O_API_KEY}", "${GPT_4O_API_KEY_2}", "${GPT_4O_API_KEY_3}"]
    assert imported.to_set == ("GPT_4O_API_KEY_2", "GPT_4O_API_KEY_3")
