"""`install-contract add` and `init` through click's runner.

`add` appends the new entry as the last item of `models:`, right after the last line of the last
item: comment lines below that item stay below the new one (they usually introduce what follows),
and every other byte of the file is kept. The tests compute the expected file as the old text
with the entry inserted there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from contract.pipeline.validate import validate_text
from contract.workflows.edit import append_entry
from contract.workflows.starter import SCHEMA_MODELINE, STARTER

# Everything up to the end of the last entry of models:, then everything after it.
BEFORE = """\
# yaml-language-server: $schema=./schemas/install-contract.schema.json
#
# A contract with comments everywhere, and odd    spacing that stays as it is.

global:                       # the rest of the install contract
  domain: "ai.example.internal"
  tags: [a, 'b', "c"]

models:
  # --- Embeddings ---------------------------------------------------------------
  - litellmModelName: text-embedding-3-small   # used by search
    litellmModel: 'openai/text-embedding-3-small'
    displayName: "OpenAI Embeddings (small)"
    provider: OpenAI
    creator: OpenAI
    type: INTERNAL
    metadataType: Embeddings
    # costTier is a guess
    costTier: LOW
    contextWindow: 8191
    apiKey: "${OPENAI_API_KEY}"


  # --- Self-hosted ----------------------------------------------------------------
  - litellmModelName: deephat-v2
    litellmModel: openai/deephat-v2
    displayName: DeepHat V2
    provider: Self-Hosted
    creator: Kindo
    type: CHAT
    metadataType: Text Generation
    costTier: LOW
    contextWindow: 250000
    maxTokens: 16384
    apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
    apiKey: ${VLLM_API_KEY}
    description: >-
      Kindo's cybersecurity-focused model
      with 250k context
    vllm: {model: DeepHat/DeepHat-V2-ext, dtype: bfloat16, tensorParallelSize: 2, gpus: {count: 2, memoryGiB: 80}, toolCallParser: qwen3_coder, enableAutoToolChoice: true}   # 2x H100
"""
AFTER = """\
  # new models go above this line

# --- Flags ------------------------------------------------------------------
featureFlags:
  DEFAULT_WORKFLOW_STEP_MODEL: deephat-v2   # one CHAT model
  EMBEDDING_MODELS: [text-embedding-3-small]

platform:
  kubernetes: {namespace: kindo}
# end of file
"""
COMMENTED = BEFORE + AFTER

ANTHROPIC_ENTRY = """\
  - litellmModelName: claude-sonnet-4-20250514
    litellmModel: anthropic/claude-sonnet-4-20250514
    displayName: Claude Sonnet 4
    provider: Anthropic
    creator: Anthropic
    type: CHAT
    metadataType: Text Generation
    costTier: MEDIUM
    contextWindow: 200000
    maxTokens: 16384
    apiKey: ${ANTHROPIC_API_KEY}
"""

ADDS = {
    "anthropic": ("anthropic", "claude-sonnet-4-20250514"),
    "openai": ("OpenAI", "gpt-4o"),
    "azure": (
        "azure",
        "gpt-4o",
        "--name",
        "azure-gpt-4o",
        "--api-base",
        "https://my-resource.openai.azure.com",
    ),
    "bedrock": (
        "AWS Bedrock",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "--name",
        "claude-sonnet-4-bedrock",
    ),
    "gemini": ("gemini", "gemini-2.5-pro"),
    "self-hosted": (
        "self-hosted",
        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "--api-base",
        "http://vllm-qwen.inference.svc.cluster.local:8000/v1",
        "--name",
        "qwen3-coder-30b",
    ),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_clean(text: str) -> None:
    result = validate_text(text, file="install-contract.yaml")
    assert [(d.code, d.message) for d in result.diagnostics] == []


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INSTALL_CONTRACT_CATALOG", raising=False)


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "contract.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def inserted(new_text: str) -> str:
    """The part of `new_text` between BEFORE and AFTER, after checking both are intact."""
    assert new_text.startswith(BEFORE)
    assert new_text.endswith(AFTER)
    return new_text[len(BEFORE) : len(new_text) - len(AFTER)]


# --------------------------------------------------------------------------- add


def test_the_commented_contract_is_clean_to_begin_with() -> None:
    assert_clean(COMMENTED)


def test_add_keeps_every_other_byte(contract: Path) -> None:
    result = run("add", "anthropic", "claude-sonnet-4-20250514", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    # Items here are separated by blank lines, so the new one is too.
    assert contract.read_text(encoding="utf-8") == BEFORE + "\n" + ANTHROPIC_ENTRY + AFTER
    assert result.stdout == (
        ANTHROPIC_ENTRY
        + "added claude-sonnet-4-20250514 (anthropic/claude-sonnet-4-20250514) to contract.yaml (updated)\n"
    )


@pytest.mark.parametrize("which", list(ADDS))
def test_add_each_kind_of_provider(which: str, contract: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = run("add", *ADDS[which], "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    text = contract.read_text(encoding="utf-8")
    entry = inserted(text)
    assert entry.startswith("\n  - litellmModelName: ")
    assert result.stdout.startswith(entry[1:])
    assert result.stdout.endswith("to contract.yaml (updated)\n")
    assert "${" in entry
    assert_clean(text)
    assert text == snapshot


def test_add_stderr_notes(contract: Path) -> None:
    result = run("add", *ADDS["bedrock"], "--file", "contract.yaml")
    assert result.stderr == "note: awsRegion defaults to us-west-2; --aws-region sets the model's region\n"
    assert "    awsRegion: us-west-2\n" in result.stdout
    result = run("add", "bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", "--aws-region", "eu-west-1")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "    awsRegion: eu-west-1\n" in result.stdout


def test_self_hosted_entry_shape(contract: Path) -> None:
    result = run(
        "add",
        "self-hosted",
        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "--api-base",
        "http://vllm-qwen.inference.svc.cluster.local:8000",
        "--file",
        "contract.yaml",
    )
    assert result.exit_code == 0, result.stderr
    assert "/v1" in result.stderr  # the note that /v1 was appended
    assert inserted(contract.read_text(encoding="utf-8")) == (
        "\n"
        "  - litellmModelName: qwen3-coder-30b-a3b-instruct\n"
        "    litellmModel: openai/qwen3-coder-30b-a3b-instruct\n"
        "    displayName: Qwen3 Coder 30B\n"
        "    provider: Self-Hosted\n"
        "    creator: Alibaba\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    costTier: LOW\n"
        "    contextWindow: 262144\n"
        "    maxTokens: 16384\n"
        "    apiBase: http://vllm-qwen.inference.svc.cluster.local:8000/v1\n"
        "    apiKey: ${VLLM_API_KEY}\n"
        "    vllm:\n"
        "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n"
        "      dtype: bfloat16\n"
        "      tensorParallelSize: 2\n"
        "      gpus: {count: 2, memoryGiB: 80}\n"
        "      toolCallParser: qwen3_coder\n"
        "      enableAutoToolChoice: true\n"
        "      enablePrefixCaching: true\n"
        "      enableChunkedPrefill: true\n"
    )


def add_self_hosted(model: str, *options: str) -> Result:
    return run(
        "add", "self-hosted", model, "--api-base", "http://m.inference.svc.cluster.local:8000/v1", *options
    )


def vllm_block(text: str) -> str:
    return text[text.rindex("    vllm:\n") :]


@pytest.mark.parametrize(
    ("model", "options", "lines", "note"),
    [
        pytest.param(
            "openai/gpt-oss-120b",
            (),
            "      tensorParallelSize: 1\n      gpus: {count: 1, memoryGiB: 80}\n",
            "note: 116.8B parameters as MXFP4 need about 58 GiB of weights: gpus: {count: 1, memoryGiB: 80} "
            "(--gpus and --gpu-memory set them)\n",
            id="sized-from-the-catalog",
        ),
        pytest.param(
            "meta-llama/Llama-3.3-70B-Instruct",
            ("--context-window", "131072", "--tool-call-parser", "llama3_json"),
            # 132 GiB of BF16 weights; the seed's sizing table asks 4× 80GB at 128k of context
            "      tensorParallelSize: 4\n      gpus: {count: 4, memoryGiB: 80}\n",
            "note: 70.6B parameters as BF16 need about 132 GiB of weights: gpus: {count: 4, memoryGiB: 80} "
            "(--gpus and --gpu-memory set them)\n",
            id="the-sizing-table",
        ),
        pytest.param(
            "meta-llama/Llama-3.3-70B-Instruct",
            ("--context-window", "131072", "--tool-call-parser", "llama3_json", "--gpu-memory", "192"),
            # the table's 4× 80GB is 320 GiB: two 192 GiB GPUs
            "      tensorParallelSize: 2\n      gpus: {count: 2, memoryGiB: 192}\n",
            "note: 70.6B parameters as BF16 need about 132 GiB of weights: gpus: {count: 2, memoryGiB: 192} "
            "(--gpus and --gpu-memory set them)\n",
            id="bigger-gpus-fewer-of-them",
        ),
        pytest.param(
            "openai/gpt-oss-120b",
            ("--gpus", "2", "--gpu-memory", "141"),
            "      tensorParallelSize: 2\n      gpus: {count: 2, memoryGiB: 141}\n",
            "",
            id="given",
        ),
    ],
)
def test_add_self_hosted_fills_gpus_and_tensor_parallelism(
    model: str, options: tuple[str, ...], lines: str, note: str, tmp_path: Path
) -> None:
    result = add_self_hosted(model, *options)
    assert result.exit_code == 0, result.stderr
    # the family's parser, when `add` chose it, is a note of its own (see the parser tests)
    sizing = [
        line
        for line in result.stderr.splitlines(keepends=True)
        if not line.startswith("note: toolCallParser")
    ]
    assert "".join(sizing) == note
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert "      dtype: bfloat16\n" + lines in vllm_block(text)
    assert_clean(text)


def test_add_self_hosted_on_cpus_on_purpose(tmp_path: Path) -> None:
    result = add_self_hosted("openai/gpt-oss-20b", "--gpus", "0")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert "      dtype: bfloat16\n      gpus: {count: 0}\n      toolCallParser" in vllm_block(text)
    assert "tensorParallelSize" not in text
    assert "warning IC209 gpus.count is 0" in result.stderr


def test_add_self_hosted_of_unknown_size_needs_gpus(tmp_path: Path) -> None:
    result = add_self_hosted("acme/mystery", "--context-window", "8192", "--tool-call-parser", "hermes")
    assert result.exit_code == 1
    assert "the size of acme/mystery is unknown, so the GPUs it needs are too" in result.stderr
    assert "hint: pass --gpus N" in result.stderr
    assert not (tmp_path / "install-contract.yaml").exists()
    result = add_self_hosted(
        "acme/mystery", "--context-window", "8192", "--tool-call-parser", "hermes", "--gpus", "1"
    )
    assert result.exit_code == 0, result.stderr


def test_family_flags_for_nemotron(tmp_path: Path) -> None:
    result = run(
        "add",
        "vllm",
        "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16",
        "--name",
        "nemotron",
        "--api-base",
        "http://n:8000/v1",
    )
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert "      trustRemoteCode: true\n" in text
    assert (
        "      toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n      reasoningParser: nemotron_v3\n"
        in text
    )
    assert_clean(text)


def test_azure_credentials(contract: Path) -> None:
    result = run("add", *ADDS["azure"], "--file", "contract.yaml", "--deployment", "my-gpt4o-deployment")
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "    litellmModel: azure/my-gpt4o-deployment\n" in entry
    assert entry.endswith(
        "    apiBase: https://my-resource.openai.azure.com\n"
        "    apiVersion: '2024-10-21'\n"
        "    apiKey: ${AZURE_API_KEY}\n"
        "    baseModel: gpt-4o\n"
    )


def test_api_key_env_and_overrides(contract: Path) -> None:
    result = run(
        "add",
        "openai",
        "gpt-4o",
        "--name",
        "gpt-4o-team",
        "--api-key-env",
        "TEAM_OPENAI_KEY",
        "--context-window",
        "120000",
        "--max-tokens",
        "4096",
        "--file",
        "contract.yaml",
    )
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "  - litellmModelName: gpt-4o-team\n    litellmModel: openai/gpt-4o\n" in entry
    assert "    contextWindow: 120000\n    maxTokens: 4096\n    apiKey: ${TEAM_OPENAI_KEY}\n" in entry


def test_duplicate_name_is_refused_and_the_file_unchanged(contract: Path) -> None:
    result = run("add", "openai", "text-embedding-3-small", "--file", "contract.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "install-contract: 'text-embedding-3-small' is already in models: (litellmModelName must be unique)\n"
        "  hint: pass --name to add the model under another name\n"
    )
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_unknown_model_is_refused_with_the_nearest_id(contract: Path) -> None:
    result = run("add", "anthropic", "claude-sonet-4-20250514", "--file", "contract.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "install-contract: anthropic/claude-sonet-4-20250514 is not a model the catalog knows\n"
        "  hint: did you mean anthropic/claude-sonnet-4-20250514? "
    )
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_unknown_model_with_a_context_window_is_written_with_a_warning(contract: Path) -> None:
    result = run("add", "openai", "gpt-9-turbo", "--context-window", "64000", "--file", "contract.yaml")
    assert result.exit_code == 0
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "    contextWindow: 64000\n" in entry
    assert "maxTokens" not in entry  # the output limit is unknown
    assert "not in the catalog" in result.stderr
    assert "warning IC107" in result.stderr


def test_an_entry_that_would_not_validate_is_not_written(contract: Path) -> None:
    result = run("add", "openai", "gpt-4o", "--max-tokens", "999999", "--file", "contract.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "nothing written" in result.stderr
    assert "error IC203" in result.stderr
    assert contract.read_text(encoding="utf-8") == COMMENTED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("antropic", "claude-sonnet-4-20250514"), "unknown provider 'antropic'; did you mean Anthropic?"),
        (("self-hosted", "Qwen/Qwen3-Coder-30B-A3B-Instruct"), "a self-hosted entry needs --api-base"),
        (("azure", "gpt-4o"), "an Azure OpenAI entry needs --api-base"),
        (("openai", "gpt-4o", "--api-key-env", "not a name"), "is not an environment variable name"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str, contract: Path) -> None:
    result = run("add", *args, "--file", "contract.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_add_creates_a_missing_file_with_the_modeline(tmp_path: Path) -> None:
    result = run("add", "anthropic", "claude-sonnet-4-20250514")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert text == f"{SCHEMA_MODELINE}\n\nmodels:\n{ANTHROPIC_ENTRY}"
    assert result.stdout.endswith("to install-contract.yaml (created)\n")
    assert_clean(text)


def test_add_refuses_a_file_that_is_not_yaml(contract: Path) -> None:
    contract.write_text("models: [\n", encoding="utf-8")
    result = run("add", "anthropic", "claude-sonnet-4-20250514", "--file", "contract.yaml")
    assert result.exit_code == 1
    assert "is not valid YAML" in result.stderr
    assert contract.read_text(encoding="utf-8") == "models: [\n"


def test_add_to_a_directory_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    result = run("add", "anthropic", "claude-sonnet-4-20250514", "--file", "dir.yaml")
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


# --------------------------------------------------------------------------- the text edit


ENTRY = {"litellmModelName": "x", "litellmModel": "openai/x", "vllm": {"model": "a", "dtype": "bfloat16"}}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "models:\n- litellmModelName: a\n  vllm:\n      model: b\nfeatureFlags: {}\n",
            "models:\n- litellmModelName: a\n  vllm:\n      model: b\n"
            "- litellmModelName: x\n  litellmModel: openai/x\n  vllm:\n      model: a\n      dtype: bfloat16\n"
            "featureFlags: {}\n",
            id="offset-0-mapping-4",
        ),
        pytest.param(
            "models:\r\n    -   litellmModelName: a\r\n        b: 1\r\n",
            "models:\r\n    -   litellmModelName: a\r\n        b: 1\r\n"
            "    -   litellmModelName: x\r\n        litellmModel: openai/x\r\n        vllm:\r\n"
            "          model: a\r\n          dtype: bfloat16\r\n",
            id="crlf-wide",
        ),
        pytest.param(
            "models: []   # none yet\nfeatureFlags: {}\n",
            "models:   # none yet\n  - litellmModelName: x\n    litellmModel: openai/x\n    vllm:\n"
            "      model: a\n      dtype: bfloat16\nfeatureFlags: {}\n",
            id="empty-flow-list",
        ),
        pytest.param(
            "global: 1",
            "global: 1\nmodels:\n  - litellmModelName: x\n    litellmModel: openai/x\n    vllm:\n"
            "      model: a\n      dtype: bfloat16\n",
            id="no-models-key",
        ),
        pytest.param(
            "models:\n  - litellmModelName: a\n    d: |\n      # not a comment\n\n# trailing\n",
            "models:\n  - litellmModelName: a\n    d: |\n      # not a comment\n"
            "  - litellmModelName: x\n    litellmModel: openai/x\n    vllm:\n      model: a\n      dtype: bfloat16\n"
            "\n# trailing\n",
            id="block-scalar-with-a-hash",
        ),
    ],
)
def test_append_entry_layouts(before: str, after: str) -> None:
    assert append_entry(before, ENTRY).text == after


def test_append_refuses_a_flow_style_models_list() -> None:
    from contract.workflows.edit import EditError

    with pytest.raises(EditError, match="flow style"):
        append_entry("models: [{litellmModelName: a}]\n", ENTRY)


# --------------------------------------------------------------------------- init


def uncomment(text: str) -> str:
    """Turn every example on: drop the `# ` in front of the lines below `models:`.

    Prose comments there start with `##`, so they stay comments.
    """
    head, sep, body = text.partition("\nmodels:\n")
    assert sep
    return head + sep + re.sub(r"(?m)^( *)# ", r"\1", body)


def test_init_writes_a_clean_starter(tmp_path: Path) -> None:
    result = run("init")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert (
        result.stdout
        == "wrote install-contract.yaml: edit it, then run `install-contract validate install-contract.yaml`\n"
    )
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert text == STARTER
    assert text.startswith(SCHEMA_MODELINE + "\n")
    assert_clean(text)


def test_every_starter_example_uncommented_is_clean() -> None:
    live = uncomment(STARTER)
    assert "\n  - litellmModelName: azure-gpt-4o\n" in live
    assert "\n  - litellmModelName: claude-sonnet-4-bedrock\n" in live
    assert "\n  - litellmModelName: qwen3-coder-30b\n" in live
    assert "\nfeatureFlags:\n  DEFAULT_WORKFLOW_STEP_MODEL: " in live
    assert live.count("\n  - litellmModelName: ") == 6
    assert_clean(live)


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("models: []\n", encoding="utf-8")
    result = run("init", "mine.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "install-contract: mine.yaml already exists; --force overwrites it\n"
    assert path.read_text(encoding="utf-8") == "models: []\n"


def test_init_force_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("models: []\n", encoding="utf-8")
    result = run("init", "mine.yaml", "--force")
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == STARTER


def test_add_to_the_starter(tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    result = run("add", "gemini", "gemini-2.5-pro")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "install-contract.yaml").read_text(encoding="utf-8")
    assert_clean(text)
    # Right after the live entry, above the commented examples.
    assert "    apiKey: ${ANTHROPIC_API_KEY}\n  - litellmModelName: gemini-2.5-pro\n" in text
    assert text.replace(result.stdout.rsplit("added ", 1)[0], "", 1) == STARTER


# --------------------------------------------------------------------------- plan_add, apply_add


def test_plan_add_refuses_a_duplicate_and_returns_no_bytes(contract: Path) -> None:
    from contract.workflows.edit import AddRequest, plan_add

    outcome = plan_add("contract.yaml", AddRequest("openai", "text-embedding-3-small"))
    assert outcome.data is None
    assert outcome.error == "'text-embedding-3-small' is already in models: (litellmModelName must be unique)"
    assert outcome.hint == "pass --name to add the model under another name"
    assert outcome.result is None
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_plan_add_writes_nothing_until_apply_add(tmp_path: Path) -> None:
    from contract.knowledge.catalog import load_catalog
    from contract.workflows.edit import AddRequest, apply_add, plan_add

    path = tmp_path / "new.yaml"
    outcome = plan_add(str(path), AddRequest("anthropic", "claude-sonnet-4-20250514"), load_catalog())
    assert outcome.created and outcome.error is None and outcome.warnings == ()
    assert outcome.result is not None and outcome.result.errors == 0
    assert (outcome.name, outcome.litellm_model) == (
        "claude-sonnet-4-20250514",
        "anthropic/claude-sonnet-4-20250514",
    )
    assert outcome.data == f"{SCHEMA_MODELINE}\n\nmodels:\n{ANTHROPIC_ENTRY}".encode()
    assert not path.exists()
    apply_add(outcome, str(path))
    assert path.read_bytes() == outcome.data


def test_plan_add_keeps_a_byte_order_mark(contract: Path) -> None:
    from contract.workflows.edit import AddRequest, plan_add

    contract.write_bytes(b"\xef\xbb\xbf" + COMMENTED.encode("utf-8"))
    outcome = plan_add("contract.yaml", AddRequest("anthropic", "claude-sonnet-4-20250514"))
    assert outcome.data is not None and outcome.data.startswith(b"\xef\xbb\xbf" + BEFORE.encode("utf-8"))
    assert not outcome.created


# --------------------------------------------------------------------------- add: what to write

LINE_OF_A_FILE = re.compile(r"\.yaml:\d+")


def test_add_names_the_family_parser_and_the_option(contract: Path) -> None:
    result = run(
        "add",
        "self-hosted",
        "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic",
        "--api-base",
        "http://llama.inference.svc.cluster.local:8000/v1",
        "--file",
        "contract.yaml",
    )
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "      toolCallParser: llama3_json\n      enableAutoToolChoice: true\n" in entry
    assert "--tool-call-parser llama3_json" in result.stderr
    assert_clean(contract.read_text(encoding="utf-8"))


def test_a_model_of_no_known_family_is_refused_with_the_option_to_pass(contract: Path) -> None:
    result = run(
        "add", "self-hosted", "acme/mystery-7b", "--api-base", "http://m:8000/v1", "--context-window", "8192",
        "--file", "contract.yaml",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "pass --tool-call-parser PARSER" in result.stderr
    assert not LINE_OF_A_FILE.search(result.stderr), result.stderr
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_a_refusal_names_the_place_in_the_contract_not_a_line_of_an_unwritten_file(contract: Path) -> None:
    result = run("add", "openai", "gpt-4o", "--max-tokens", "999999", "--file", "contract.yaml")
    assert result.exit_code == 1
    assert not LINE_OF_A_FILE.search(result.stderr), result.stderr
    assert "  error IC203 models[2].maxTokens: maxTokens 999999 is larger than contextWindow 128000\n" in (
        result.stderr
    )
    assert "    hint: maxTokens is the output limit only" in result.stderr


def test_api_version_for_azure(contract: Path) -> None:
    result = run("add", *ADDS["azure"], "--api-version", "2025-01-01-preview", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    assert "    apiVersion: '2025-01-01-preview'\n" in inserted(contract.read_text(encoding="utf-8"))
    wrong = run("add", "openai", "gpt-4o-mini", "--api-version", "2025-01-01", "--file", "contract.yaml")
    assert wrong.exit_code == 2
    assert "--api-version is for Azure OpenAI entries" in wrong.stderr


def test_bedrock_with_the_pods_role_has_no_key_fields(contract: Path) -> None:
    result = run("add", *ADDS["bedrock"], "--aws-auth", "role", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert entry.endswith("    awsRegion: us-west-2\n")
    assert "awsAccessKeyId" not in entry and "awsSecretAccessKey" not in entry
    assert "IAM role" in result.stderr
    assert_clean(contract.read_text(encoding="utf-8"))
    keys = run(
        "add", *ADDS["bedrock"][:2], "--name", "with-keys", "--aws-auth", "keys", "--file", "contract.yaml"
    )
    assert "    awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}\n" in keys.stdout
    wrong = run("add", "openai", "gpt-4o-mini", "--aws-auth", "role", "--file", "contract.yaml")
    assert (wrong.exit_code, "--aws-auth is for AWS Bedrock entries" in wrong.stderr) == (2, True)


def test_flag_adds_the_entry_to_a_flags_list_keeping_every_other_byte(contract: Path) -> None:
    result = run(
        "add", "openai", "text-embedding-3-large", "--flag", "EMBEDDING_MODELS",
        "--flag", "DEFAULT_WORKFLOW_STEP_MODEL", "--file", "contract.yaml",
    )  # fmt: skip
    assert result.exit_code == 1  # an embedding model cannot be the default workflow model (IC405)
    result = run(
        "add", "openai", "text-embedding-3-large", "--flag", "EMBEDDING_MODELS", "--file", "contract.yaml"
    )
    assert result.exit_code == 0, result.stderr
    text = contract.read_text(encoding="utf-8")
    after = AFTER.replace(
        "  EMBEDDING_MODELS: [text-embedding-3-small]\n",
        "  EMBEDDING_MODELS: [text-embedding-3-small, text-embedding-3-large]\n",
    )
    assert text.startswith(BEFORE) and text.endswith(after)
    assert "  - litellmModelName: text-embedding-3-large\n" in text[len(BEFORE) : -len(after)]
    assert_clean(text)


def test_flag_writes_out_a_derived_list_with_the_models_it_derived_to(contract: Path) -> None:
    result = run("add", "openai", "gpt-4o", "--flag", "TOOL_CALLING_MODELS", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    text = contract.read_text(encoding="utf-8")
    assert (
        "  EMBEDDING_MODELS: [text-embedding-3-small]\n  TOOL_CALLING_MODELS: [deephat-v2, gpt-4o]\n" in text
    )
    assert "TOOL_CALLING_MODELS was derived (deephat-v2 and this one)" in result.stderr
    assert_clean(text)


def test_flag_of_a_name_the_platform_does_not_define_is_a_usage_error(contract: Path) -> None:
    result = run("add", "openai", "gpt-4o", "--flag", "TOOL_CALLING_MODEL", "--file", "contract.yaml")
    assert result.exit_code == 2
    assert "did you mean TOOL_CALLING_MODELS?" in result.stderr
    assert contract.read_text(encoding="utf-8") == COMMENTED


def test_a_transcription_model_without_a_catalog_window_gets_the_documented_default(contract: Path) -> None:
    result = run("add", "openai", "whisper-1", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "    metadataType: Transcription\n    costTier: LOW\n    contextWindow: 448\n" in entry
    assert "contextWindow defaults to 448" in result.stderr
    assert_clean(contract.read_text(encoding="utf-8"))


def test_ollama_display_name_from_the_tag_low_cost_and_the_familys_window(contract: Path) -> None:
    result = run("add", "ollama", "llama3.1", "--api-base", "http://gpu-box:11434", "--file", "contract.yaml")
    assert result.exit_code == 0, result.stderr
    entry = inserted(contract.read_text(encoding="utf-8"))
    assert "    displayName: Llama 3.1\n" in entry
    assert "    costTier: LOW\n    contextWindow: 131072\n" in entry
    assert "num_ctx" in result.stderr
    assert_clean(contract.read_text(encoding="utf-8"))
