"""What a kit lists and warns about, derived from its contract (no wheelhouse, no network)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from contract.errors import UsageError
from contract.workflows.bundle import build, signing
from tests.support.corpus import FIXTURES

FIXTURE = (FIXTURES / "install-contract.yaml").read_text()

OLLAMA = """
  - litellmModelName: llama3.1
    litellmModel: ollama_chat/llama3.1
    displayName: Llama 3.1
    provider: Ollama
    type: CHAT
    metadataType: Text Generation
    costTier: LOW
    contextWindow: 8192
    maxTokens: 4096
    apiBase: http://ollama.inference.svc.cluster.local:11434
  - litellmModelName: qwen3-8b
    litellmModel: ollama_chat/qwen3:8b
    displayName: Qwen3 8B
    provider: Ollama
    type: CHAT
    metadataType: Text Generation
    costTier: LOW
    contextWindow: 40960
    maxTokens: 8192
    apiBase: http://10.0.0.7:11434
"""


def with_models(text: str, entries: str) -> str:
    """`text` with `entries` appended to its models: list (before featureFlags:)."""
    head, sep, tail = text.partition("\nfeatureFlags:")
    return head.rstrip("\n") + "\n" + entries.strip("\n").join("\n\n") + sep + tail


def derive(text: str) -> build.Derived:
    result, derived = build.derive(text.encode(), build.packaged_catalog(), None, {})
    assert derived is not None, [(d.code, d.message) for d in result.diagnostics]
    return derived


def test_each_warning_once_when_two_entries_spell_one_image_differently() -> None:
    text = FIXTURE.replace(
        "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n",
        "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n      image: docker.io/vllm/vllm-openai:v0.33.0\n",
    ).replace(
        "      model: DeepHat/DeepHat-V2-ext\n",
        "      model: DeepHat/DeepHat-V2-ext\n      image: vllm/vllm-openai:v0.33.0\n",
    )
    warnings = derive(text).warnings
    assert len(warnings) == len(set(warnings))
    assert [w for w in warnings if "vllm-openai" in w] == [
        "images.txt: docker.io/vllm/vllm-openai:v0.33.0 is not pinned by digest (add it to --images-lock)"
    ]


def test_renders_warnings_travel_with_the_kit() -> None:
    """production-stack's one key, which a served entry's own key would not pass: said once."""
    text = FIXTURE.replace("apiKey: ${VLLM_API_KEY}", "apiKey: ${DEEPHAT_KEY}", 2).replace(
        "apiKey: ${DEEPHAT_KEY}", "apiKey: ${VLLM_API_KEY}", 1
    )
    assert "${DEEPHAT_KEY}" in text
    assert [w for w in derive(text).warnings if "production-stack" in w] == [
        "rendered: production-stack: every server of the release checks one key, qwen3-coder-30b's "
        "$VLLM_API_KEY; LiteLLM calls deephat-v2 with $DEEPHAT_KEY, which those servers refuse (give every "
        "vllm: entry apiKey: ${VLLM_API_KEY}, or install deephat-v2 with its platform chart)"
    ]
    assert not [w for w in derive(FIXTURE).warnings if "production-stack" in w]


def test_one_model_served_twice_without_a_revision_is_one_warning_naming_both() -> None:
    second = FIXTURE.split("  - litellmModelName: deephat-v2\n")[1].split("\n\n")[0]
    twin = "  - litellmModelName: deephat-v2-b\n" + second.replace("openai/deephat-v2", "openai/deephat-v2-b")
    text = with_models(FIXTURE, twin.replace("deephat-v2.inference", "deephat-b.inference"))
    warnings = [w for w in derive(text).warnings if "DeepHat" in w]
    assert warnings == [
        "models.txt: DeepHat/DeepHat-V2-ext (deephat-v2, deephat-v2-b) has no vllm.revision; "
        "the weights are not pinned"
    ]


def test_ollama_models_are_listed_in_models_txt() -> None:
    derived = derive(with_models(FIXTURE, OLLAMA))
    assert [line for line in derived.models if line.startswith("ollama:")] == [
        "ollama:llama3.1:latest unpinned",
        "ollama:qwen3:8b unpinned",
    ]
    assert "DeepHat/DeepHat-V2-ext unpinned" in derived.models


def test_cloud_entries_need_egress_and_on_site_ones_do_not() -> None:
    warnings = [w for w in derive(with_models(FIXTURE, OLLAMA)).warnings if "egress" in w]
    assert warnings == [
        "install-contract.yaml: 6 cloud entries call an API outside the site, which an air-gapped "
        "install cannot reach without egress: claude-sonnet-4-20250514 (anthropic API), gpt-4o (openai API), "
        "gemini-2.5-pro (gemini API), claude-sonnet-4-bedrock (bedrock API), "
        "azure-gpt-4o (my-resource.openai.azure.com), text-embedding-3-small (openai API)"
    ]
    self_hosted = FIXTURE.split("  # --- Self-hosted vLLM")[1].split("\n", 1)[1]
    local_only = FIXTURE.split("\nmodels:")[0] + "\nmodels:\n" + self_hosted
    local_only = local_only.replace("text-embedding-3-small, ", "").replace(
        "DEFAULT_WORKFLOW_STEP_MODEL: claude-sonnet-4-20250514", "DEFAULT_WORKFLOW_STEP_MODEL: nemotron"
    )
    local_only = local_only.replace("claude-sonnet-4-20250514, gpt-4o, ", "")
    local_only = local_only.replace("  EMBEDDING_MODELS: [text-embedding-3-small]\n", "")
    assert not [w for w in derive(with_models(local_only, OLLAMA)).warnings if "egress" in w]


def test_a_literal_secret_anywhere_is_found_with_its_place_never_its_value() -> None:
    text = FIXTURE.replace(
        "  domain: ai.example.internal\n",
        "  domain: ai.example.internal\n  postgresPassword: hunter2-canary\n"
        "  openaiApiKey: sk-canary-123456\n  nested:\n    - token: ${OK}\n",
    )
    result, _ = build.derive(text.encode(), build.packaged_catalog(), None, {})
    found = build.literal_secrets(result)
    assert found == [
        "/global/postgresPassword (line 8): a literal value under a secret-looking key",
        "/global/openaiApiKey (line 9): a literal value under a secret-looking key",
    ]
    assert not any("canary" in line for line in found)
    assert build.literal_secrets(build.derive(FIXTURE.encode(), build.packaged_catalog(), None, {})[0]) == []


# -- --sign-key says what is wrong with the key ----------------------------------------------

CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    "content", [CERTIFICATE, "just some text\n", ""], ids=["x509-certificate", "text", "empty"]
)
def test_sign_key_that_is_not_an_openssh_private_key_says_so(tmp_path: Path, content: str) -> None:
    key = tmp_path / "key"
    key.write_text(content)
    # --no-index: were the key not checked first, pip would fail here, never reach the index
    args = ["--no-index", "--find-links", str(tmp_path), "--sign-key", str(key)]
    out = tmp_path / "k.tar.gz"
    result = CliRunner().invoke(
        main, ["bundle", str(FIXTURES / "install-contract.yaml"), "--out", str(out), *args]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"install-contract: --sign-key {key}: not an OpenSSH private key (expected a file beginning "
        "'-----BEGIN OPENSSH PRIVATE KEY-----', as `ssh-keygen -t ed25519 -N '' -f KEY` writes)\n"
    )
    assert "passphrase" not in result.output
    assert not (tmp_path / "k.tar.gz").exists()


def test_sign_key_with_a_passphrase_says_so(tmp_path: Path) -> None:
    ssh_keygen = shutil.which("ssh-keygen")
    assert ssh_keygen is not None, "ssh-keygen (openssh-client) is needed"
    key = tmp_path / "key"
    subprocess.run(
        [ssh_keygen, "-q", "-t", "ed25519", "-N", "secret", "-f", str(key)], check=True, timeout=60
    )
    with pytest.raises(UsageError, match="the key has a passphrase"):
        signing.sign(str(key), b"data\n")
    plain = tmp_path / "plain"
    subprocess.run([ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(plain)], check=True, timeout=60)
    assert signing.sign(str(plain), b"data\n").startswith(b"-----BEGIN SSH SIGNATURE-----")
