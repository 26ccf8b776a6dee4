"""Rendered router configs, proved by vLLM Semantic Router's own validator (vllm-sr 0.4.0).

Every `router/<name>.yaml` rendered from a contract with routers to self-hosted vLLM, Ollama,
OpenAI and an OpenAI-compatible cloud passes `vllm-sr config validate`; the validator is shown
to refuse a config that routes to a model it does not list (so a pass means something); a
literal key in the contract appears in no rendered file.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.main import main as cli
from tests.support.peers import minimal_env, require_peer, vllm_sr_validate

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
ROUTER_FIXTURE = REPO_ROOT / "tests" / "contracts" / "valid" / "router-coding.yaml"
CANARY = f"sk-router-canary-{secrets.token_hex(8)}"

EXTRA_MODELS = f"""\
  - litellmModelName: qwen3-8b-ollama
    litellmModel: ollama_chat/qwen3:8b
    displayName: Qwen3 8B (Ollama)
    provider: Ollama
    type: CHAT
    metadataType: Text Generation
    contextWindow: 40960
    apiBase: http://127.0.0.1:11434
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o-2024-08-06
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${{OPENAI_API_KEY}}
  - litellmModelName: groq-llama
    litellmModel: groq/llama-3.3-70b-versatile
    displayName: Llama 3.3 70B (Groq)
    provider: Groq
    type: CHAT
    metadataType: Text Generation
    contextWindow: 131072
    apiKey: {CANARY}
"""

MIXED_ROUTER = """\
  mixed:
    default: qwen3-8b-ollama
    port: 9000
    signals:
      keywords:
        - {name: urgent, operator: OR, keywords: [urgent, asap], case_sensitive: false}
      embeddings:
        - {name: support, threshold: 0.75, aggregation_method: max, candidates: [how do I configure it]}
      domains:
        - {name: computer_science, description: Programming and CS, mmlu_categories: [computer science]}
    decisions:
      - name: support_route
        priority: 300
        rules:
          operator: AND
          conditions:
            - {type: embedding, name: support}
            - operator: NOT
              conditions: [{type: keyword, name: urgent}]
        modelRefs: [{model: groq-llama}]
      - name: urgent_route
        priority: 200
        rules: {operator: OR, conditions: [{type: keyword, name: urgent}]}
        modelRefs: [{model: gpt-4o, reasoning_effort: low}]
      - name: cs_route
        priority: 100
        rules: {operator: OR, conditions: [{type: domain, name: computer_science}]}
        modelRefs: [{model: qwen3-8b, use_reasoning: true}, {model: llama-3.3-70b}]
"""


def contract_text() -> str:
    head, routers = ROUTER_FIXTURE.read_text(encoding="utf-8").split("\nrouters:\n", 1)
    return head + EXTRA_MODELS + "\nrouters:\n" + routers + MIXED_ROUTER


@pytest.fixture(scope="module")
def rendered() -> dict[str, Path]:
    require_peer("vllm-sr")
    work = Path(tempfile.mkdtemp(prefix="router-render-"))
    source = work / "install-contract.yaml"
    source.write_text(contract_text(), encoding="utf-8")
    out = work / "out"
    result = CliRunner().invoke(cli, ["render", str(source), "--out", str(out), "--target", "router"])
    assert result.exit_code == 0, result.output
    assert CANARY not in result.output
    return {p.stem: p for p in sorted((out / "router").glob("*.yaml"))}


def test_every_rendered_router_passes_vllm_sr_validate(rendered: dict[str, Path]) -> None:
    assert set(rendered) == {"coding", "mixed"}
    for outcome in vllm_sr_validate(list(rendered.values())):
        assert outcome["ok"], outcome["output"]
        assert "Configuration is valid" in outcome["output"]


def test_the_validator_refuses_a_route_to_an_unlisted_model(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    yaml = YAML(typ="safe")
    config = yaml.load(rendered["mixed"].read_text(encoding="utf-8"))
    config["routing"]["decisions"][0]["modelRefs"] = [{"model": "not-listed"}]
    broken = tmp_path / "broken.yaml"
    with broken.open("w", encoding="utf-8") as handle:
        yaml.dump(config, handle)
    (outcome,) = vllm_sr_validate([broken])
    assert not outcome["ok"]
    assert "not-listed" in outcome["output"]


def test_the_mixed_router_reaches_each_server_with_its_own_id(rendered: dict[str, Path]) -> None:
    config = YAML(typ="safe").load(rendered["mixed"].read_text(encoding="utf-8"))
    assert config["listeners"][0]["port"] == 9000
    models = {m["name"]: m for m in config["providers"]["models"]}
    assert list(models) == ["qwen3-8b-ollama", "groq-llama", "gpt-4o", "qwen3-8b", "llama-3.3-70b"]
    ollama = models["qwen3-8b-ollama"]
    assert ollama["provider_model_id"] == "qwen3:8b"
    assert ollama["backend_refs"][0] | {} == {
        "name": "qwen3-8b-ollama",
        "provider": "ollama",
        "endpoint": "127.0.0.1:11434",
        "protocol": "http",
        "weight": 100,
    }
    groq = models["groq-llama"]["backend_refs"][0]
    assert groq["endpoint"] == "api.groq.com:443" and groq["chat_path"] == "/openai/v1/chat/completions"
    assert groq["api_key_env"] == "GROQ_LLAMA_API_KEY"
    assert models["gpt-4o"]["backend_refs"][0]["provider"] == "openai"
    assert models["gpt-4o"]["backend_refs"][0]["api_key_env"] == "OPENAI_API_KEY"
    assert models["gpt-4o"]["provider_model_id"] == "gpt-4o-2024-08-06"
    cards = {c["name"]: c for c in config["routing"]["modelCards"]}
    assert cards["llama-3.3-70b"]["param_size"] == "70.6B"  # the model card's count (open_weights.json)
    assert cards["gpt-4o"]["capabilities"] == ["chat", "tools"]
    for path in rendered.values():
        assert CANARY not in path.read_text(encoding="utf-8")


def test_the_vllm_sr_command_itself_accepts_a_rendered_router(rendered: dict[str, Path]) -> None:
    venv = require_peer("vllm-sr")
    with tempfile.TemporaryDirectory(prefix="vllm-sr-cli-") as home:
        completed = subprocess.run(
            [str(venv / "bin" / "vllm-sr"), "config", "validate", "--config", str(rendered["coding"])],
            capture_output=True,
            text=True,
            env=minimal_env(venv, Path(home)),
            cwd=home,
            timeout=600,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Configuration is valid" in completed.stdout
    assert os.path.isfile(rendered["coding"])
