"""Rendered artifacts, proved by the real peers that read them.

1. The real LiteLLM proxy (1.106.2) runs on the rendered `litellm/config.yaml` of the
   fixture contract, its self-hosted and Azure `apiBase`s pointed at a fake OpenAI backend
   that records every request: it lists every model, routes each with the served name and
   the right key, reports each entry's id and context window, and never sends an ambient
   OPENAI_API_KEY to a self-hosted server. Two entries are added to the fixture for the
   same single proxy start: one self-hosted without apiKey (the renderer's placeholder key
   must be sent, not OPENAI_API_KEY) and one with a literal canary apiKey (the renderer
   must move it to a derived variable and never write or print it).
2. vLLM 0.33.0's own `serve` parser parses every rendered `vllm/*.argv.json` into the
   values the contract asked for, and agrees with the validator's IC207 on which
   `extraArgs` flags exist.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

# tests/ holds the harness module; pytest puts only this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.main import main as cli
from contract.pipeline.model import ModelEntry
from contract.pipeline.render import Rendering, render, write_tree
from contract.pipeline.render import _views as views
from contract.pipeline.validate import TypedContract, validate_bytes
from tests.support.peers import FakeOpenAIBackend, LiteLLMProxy, RecordedRequest, require_peer, vllm_parse

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = REPO_ROOT / "fixtures" / "install-contract.yaml"

SELF_HOSTED = ("qwen3-coder-30b", "deephat-v2", "nemotron")
AZURE = "azure-gpt-4o"
AZURE_DEPLOYMENT = "my-gpt4o-deployment"
AZURE_API_VERSION = "2024-10-21"
CLUSTER_API_BASE = re.compile(r"http://[a-z0-9.-]+\.svc\.cluster\.local:8000/v1")
AZURE_API_BASE = "https://my-resource.openai.azure.com"

NO_KEY_MODEL = "selfhosted-nokey"
LITERAL_MODEL = "selfhosted-literal"
LITERAL_VAR = "SELFHOSTED_LITERAL_API_KEY"  # env_name(litellmModelName, "api_Key")
# A literal secret written in the contract: must appear in no rendered file and no output.
LITERAL_CANARY = f"sk-literal-canary-{secrets.token_hex(8)}"

# Two self-hosted entries without a vllm: block, appended to the fixture's models.
EXTRA_ENTRIES = """
  - litellmModelName: {nokey}
    litellmModel: openai/{nokey}
    displayName: Self-hosted without a key
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    costTier: LOW
    contextWindow: 32768
    maxTokens: 4096
    apiBase: {base}/v1

  - litellmModelName: {literal}
    litellmModel: openai/{literal}
    displayName: Self-hosted with a literal key
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    costTier: LOW
    contextWindow: 65536
    maxTokens: 4096
    apiBase: {base}/v1
    apiKey: {key}
"""


def chat_body(model: str, nonce: str) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": f"say hi {nonce}"}], "stream": False}


def contract_for(fake_url: str) -> str:
    """The fixture, its apiBases pointed at the fake backend, plus the two extra entries."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert len(CLUSTER_API_BASE.findall(text)) == len(SELF_HOSTED)
    assert text.count(AZURE_API_BASE) == 1
    text = CLUSTER_API_BASE.sub(f"{fake_url}/v1", text)
    text = text.replace(AZURE_API_BASE, fake_url)
    extra = EXTRA_ENTRIES.format(nokey=NO_KEY_MODEL, literal=LITERAL_MODEL, base=fake_url, key=LITERAL_CANARY)
    head, marker, tail = text.partition("\nfeatureFlags:")
    assert marker, "the fixture's models list is no longer followed by featureFlags"
    return head.rstrip("\n") + "\n" + extra + marker + tail


def typed(text: str, name: str = "install-contract.yaml") -> TypedContract:
    result = validate_bytes(text.encode("utf-8"), file=name)
    assert not result.errors, [(d.code, d.message) for d in result.diagnostics]
    assert result.contract is not None
    return result.contract


def fixture_models() -> tuple[ModelEntry, ...]:
    return typed(FIXTURE.read_text(encoding="utf-8")).models


# ================================================================== LiteLLM


@dataclass(frozen=True)
class Deployed:
    proxy: LiteLLMProxy
    fake: FakeOpenAIBackend
    contract: TypedContract
    rendering: Rendering
    out: Path  # the CLI's render, which the proxy runs on
    cli_output: str  # stdout and stderr of `install-contract render`
    env: dict[str, str]  # what the proxy was given: a distinct canary per variable

    def chat(self, model: str) -> tuple[httpx.Response, RecordedRequest | None]:
        """A chat call through the proxy, and the request it made to the backend (if any)."""
        nonce = secrets.token_hex(6)
        response = httpx.post(
            f"{self.proxy.base_url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {self.env[views.MASTER_KEY_ENV]}"},
            json=chat_body(model, nonce),
            timeout=30,
        )
        sent = [
            r
            for r in self.fake.requests
            if r.method == "POST" and nonce.encode() in r.raw_body and r.path.endswith("/chat/completions")
        ]
        assert len(sent) <= 1, [r.path for r in sent]
        return response, (sent[0] if sent else None)

    def get(self, path: str) -> Any:
        response = httpx.get(
            f"{self.proxy.base_url}{path}",
            headers={"Authorization": f"Bearer {self.env[views.MASTER_KEY_ENV]}"},
            timeout=30,
        )
        assert response.status_code == 200, f"{response.text}\n{self.proxy.log()[-3000:]}"
        return response.json()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    require_peer("litellm")
    with FakeOpenAIBackend(models=[*SELF_HOSTED, NO_KEY_MODEL, LITERAL_MODEL]) as fake:
        work = tmp_path_factory.mktemp("render-litellm")
        source = work / "install-contract.yaml"
        text = contract_for(fake.url)
        source.write_text(text, encoding="utf-8")
        contract = typed(text)
        rendering = render(contract, source_name=source.name, source_bytes=text.encode("utf-8"))

        out = work / "out"
        # No secret is in the environment: rendering needs none (and must print none).
        result = CliRunner().invoke(
            cli, ["render", str(source), "--out", str(out)], env={}, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        on_disk = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert on_disk == rendering.files, "the CLI and the library rendered different bytes"

        env = {var: f"{var.lower()}-canary-{secrets.token_hex(6)}" for var in rendering.env.all()}
        env[LITERAL_VAR] = LITERAL_CANARY  # the operator moved the literal to its variable
        with LiteLLMProxy(out / "litellm" / "config.yaml", env) as proxy:
            yield Deployed(proxy, fake, contract, rendering, out, result.output + result.stderr, env)


def test_render_names_every_variable_the_proxy_needs(deployed: Deployed) -> None:
    names = set(deployed.rendering.env.all())
    assert {
        "VLLM_API_KEY",
        "AZURE_API_KEY",
        "LITELLM_MASTER_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        LITERAL_VAR,
    } == names
    assert deployed.rendering.env.from_literals == {LITERAL_VAR: (LITERAL_MODEL, "apiKey")}


def test_proxy_lists_every_model(deployed: Deployed) -> None:
    listed = {m["id"] for m in deployed.get("/v1/models")["data"]}
    assert {m.litellm_model_name for m in fixture_models()} <= listed
    assert listed == {m.litellm_model_name for m in deployed.contract.models}


@pytest.mark.parametrize("name", SELF_HOSTED)
def test_self_hosted_entry_reaches_backend_with_served_name_and_vllm_key(
    deployed: Deployed, name: str
) -> None:
    response, sent = deployed.chat(name)
    assert response.status_code == 200, f"{response.text}\n{deployed.proxy.log()[-3000:]}"
    assert response.json()["choices"][0]["message"]["content"] == deployed.fake.reply
    assert sent is not None, [r.path for r in deployed.fake.requests]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == name
    assert sent.header("authorization") == f"Bearer {deployed.env['VLLM_API_KEY']}"
    assert sent.header("api-key") is None


def test_azure_entry_reaches_its_deployment_with_api_key_header(deployed: Deployed) -> None:
    response, sent = deployed.chat(AZURE)
    assert response.status_code == 200, f"{response.text}\n{deployed.proxy.log()[-3000:]}"
    assert sent is not None, [r.path for r in deployed.fake.requests]
    assert sent.path == f"/openai/deployments/{AZURE_DEPLOYMENT}/chat/completions"
    assert sent.query.get("api-version") == [AZURE_API_VERSION]
    assert sent.header("api-key") == deployed.env["AZURE_API_KEY"]


def test_model_info_carries_id_and_context_window(deployed: Deployed) -> None:
    info: dict[str, list[dict[str, Any]]] = {}
    for item in deployed.get("/v1/model/info")["data"]:
        info.setdefault(item["model_name"], []).append(item["model_info"])
    for model in deployed.contract.models:
        name = model.litellm_model_name
        assert len(info.get(name, [])) == 1, (name, sorted(info))
        entry = info[name][0]
        assert entry["id"] == name
        assert entry["max_input_tokens"] == model.context_window, name


def test_self_hosted_entry_without_key_sends_placeholder_not_openai_key(deployed: Deployed) -> None:
    config = (deployed.out / "litellm" / "config.yaml").read_text(encoding="utf-8")
    assert f"api_key: {views.NO_KEY}" in config
    response, sent = deployed.chat(NO_KEY_MODEL)
    assert response.status_code == 200, f"{response.text}\n{deployed.proxy.log()[-3000:]}"
    assert sent is not None
    assert sent.body["model"] == NO_KEY_MODEL
    assert sent.header("authorization") == f"Bearer {views.NO_KEY}"
    assert deployed.env["OPENAI_API_KEY"] not in str(sent.headers)


def test_literal_key_is_never_written_or_printed(deployed: Deployed) -> None:
    for path, data in deployed.rendering.files.items():
        assert LITERAL_CANARY.encode() not in data, path
    for written in deployed.out.rglob("*"):
        if written.is_file():
            assert LITERAL_CANARY.encode() not in written.read_bytes(), written
    assert LITERAL_CANARY not in deployed.cli_output
    # The CLI says where the literal must go instead.
    assert LITERAL_VAR in deployed.cli_output
    config = (deployed.out / "litellm" / "config.yaml").read_text(encoding="utf-8")
    assert f"api_key: os.environ/{LITERAL_VAR}" in config


def test_literal_key_entry_routes_with_the_derived_variable(deployed: Deployed) -> None:
    response, sent = deployed.chat(LITERAL_MODEL)
    assert response.status_code == 200, f"{response.text}\n{deployed.proxy.log()[-3000:]}"
    assert sent is not None
    assert sent.body["model"] == LITERAL_MODEL
    assert sent.header("authorization") == f"Bearer {LITERAL_CANARY}"


def test_backend_sees_only_the_keys_meant_for_it(deployed: Deployed) -> None:
    # Every routed entry once more, so this holds whatever ran before.
    for name in (*SELF_HOSTED, AZURE, NO_KEY_MODEL, LITERAL_MODEL):
        response, _ = deployed.chat(name)
        assert response.status_code == 200, response.text
    seen = deployed.fake.requests
    assert any(r.path.endswith("/models") for r in seen)  # LiteLLM's own start-up calls count too
    allowed = {"VLLM_API_KEY", "AZURE_API_KEY", LITERAL_VAR}
    for var, value in deployed.env.items():
        if var in allowed:
            continue
        for request in seen:
            blob = json.dumps(request.headers) + request.raw_body.decode("utf-8", "replace")
            assert value not in blob, f"{var} reached the backend: {request.method} {request.path}"


# ===================================================================== vLLM

EXTRA_ARGS = ["--gpu-memory-utilization", "0.85", "--max-num-seqs", "64"]

SMALL_CONTRACT = """\
models:
  - litellmModelName: deephat-v2
    litellmModel: openai/deephat-v2
    displayName: DeepHat V2
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 250000
    maxTokens: 16384
    apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1
    apiKey: ${{VLLM_API_KEY}}
    vllm:
      model: DeepHat/DeepHat-V2-ext
      tensorParallelSize: 2
      gpus: {{count: 2, memoryGiB: 80}}
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
      extraArgs: {extra_args}
"""


def small_contract(extra_args: list[str]) -> str:
    return SMALL_CONTRACT.format(extra_args=json.dumps(extra_args))


# (id, extraArgs): flags whose existence vLLM and IC207 must judge alike.
PROBES = [
    ("real", ["--gpu-memory-utilization", "0.85"]),
    ("misspelt", ["--gpu-memory-utilisation", "0.85"]),
    ("underscore", ["--max_model_len", "4096"]),
    ("negated", ["--no-enable-prefix-caching"]),
    ("equals", ["--max-num-seqs=64"]),
    ("misspelt-bool", ["--enable-prefix-cache"]),
    ("O3", ["-O3"]),
    ("O-separate", ["-O", "2"]),
]
# Probes where IC207 and vLLM are known to disagree (none today).
KNOWN_IC207_FALSE_POSITIVES: set[str] = set()


def rendered_argvs(rendering: Rendering, out: Path) -> dict[str, list[str]]:
    """Write the render to `out` and load every vllm/*.argv.json from disk."""
    write_tree(out, rendering.files)
    return {
        path.name.removesuffix(".argv.json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((out / "vllm").glob("*.argv.json"))
    }


@dataclass(frozen=True)
class Parsed:
    contract: TypedContract
    fixture: dict[str, dict[str, Any]]  # litellmModelName -> vLLM's parse of its rendered argv
    extra_args: dict[str, Any]
    probes: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> Parsed:
    require_peer("vllm")
    work = tmp_path_factory.mktemp("render-vllm")
    raw = FIXTURE.read_bytes()
    contract = typed(raw.decode("utf-8"))
    argvs = rendered_argvs(render(contract, source_name=FIXTURE.name, source_bytes=raw), work / "fixture")
    assert set(argvs) == {m.litellm_model_name for m in contract.models if m.vllm is not None}

    extra_text = small_contract(EXTRA_ARGS)
    extra = rendered_argvs(
        render(typed(extra_text), source_name="extra.yaml", source_bytes=extra_text.encode()),
        work / "extra",
    )
    assert list(extra) == ["deephat-v2"]
    assert extra["deephat-v2"][-len(EXTRA_ARGS) :] == EXTRA_ARGS

    probes = {name: ["vllm", "serve", "m", *args] for name, args in PROBES}
    batch = [*argvs.values(), extra["deephat-v2"], *probes.values()]
    results = vllm_parse(batch)  # one parser build for all of them
    fixture_results = dict(zip(argvs, results[: len(argvs)], strict=True))
    probe_results = dict(zip(probes, results[len(argvs) + 1 :], strict=True))
    return Parsed(contract, fixture_results, results[len(argvs)], probe_results)


def assert_ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ok"], result["error"]
    assert result["error"] is None
    assert result["start_error"] is None, result["start_error"]
    args: dict[str, Any] = result["args"]
    return args


@pytest.mark.parametrize("name", SELF_HOSTED)
def test_vllm_parses_rendered_argv_into_the_contract(parsed: Parsed, name: str) -> None:
    model = next(m for m in parsed.contract.models if m.litellm_model_name == name)
    vllm = model.vllm
    assert vllm is not None
    args = assert_ok(parsed.fixture[name])
    assert args["model"] == vllm.model
    assert args["served_model_name"] == [vllm.served_model_name or name]
    assert args["served_model_name"] == [name]
    assert args["max_model_len"] == model.context_window
    assert args["port"] == vllm.port
    expected_tp = vllm.tensor_parallel_size or (vllm.gpus.count if vllm.gpus else 1)
    assert args["tensor_parallel_size"] == expected_tp
    assert args["tool_call_parser"] == vllm.tool_call_parser == "qwen3_coder"
    assert args["enable_auto_tool_choice"] is True
    assert args["dtype"] == vllm.dtype
    assert args["reasoning_parser"] == (vllm.reasoning_parser or "")
    assert args["trust_remote_code"] is bool(vllm.trust_remote_code)
    if vllm.kv_cache_dtype:
        assert args["kv_cache_dtype"] == vllm.kv_cache_dtype
    if vllm.enable_prefix_caching is not None:
        assert args["enable_prefix_caching"] is vllm.enable_prefix_caching
    if vllm.enable_chunked_prefill is not None:
        assert args["enable_chunked_prefill"] is vllm.enable_chunked_prefill


def test_vllm_parses_nemotron_specifics(parsed: Parsed) -> None:
    args = assert_ok(parsed.fixture["nemotron"])
    assert args["reasoning_parser"] == "nemotron_v3"
    assert args["trust_remote_code"] is True
    assert args["kv_cache_dtype"] == "fp8"
    assert args["max_model_len"] == 1_000_000
    assert args["tensor_parallel_size"] == 4


def test_vllm_parses_rendered_extra_args(parsed: Parsed) -> None:
    args = assert_ok(parsed.extra_args)
    assert args["gpu_memory_utilization"] == 0.85
    assert args["max_num_seqs"] == 64
    assert args["served_model_name"] == ["deephat-v2"]
    assert args["max_model_len"] == 250000
    assert args["tensor_parallel_size"] == 2


def ic207(tmp_path: Path, extra_args: list[str]) -> bool:
    source = tmp_path / "install-contract.yaml"
    source.write_text(small_contract(extra_args), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(source), "--format", "json"], env={})
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return any(d["code"] == "IC207" for d in report["diagnostics"])


@pytest.mark.parametrize(
    ("probe", "extra_args"),
    [
        pytest.param(
            name,
            args,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason="IC207 flags -O<n>, which vLLM accepts")]
            if name in KNOWN_IC207_FALSE_POSITIVES
            else [],
        )
        for name, args in PROBES
    ],
)
def test_ic207_agrees_with_vllm(parsed: Parsed, tmp_path: Path, probe: str, extra_args: list[str]) -> None:
    result = parsed.probes[probe]
    vllm_rejects = not result["ok"] and "unrecognized arguments" in (result["error"] or "")
    # Each probe is either accepted whole or refused as an unknown flag, nothing in between.
    assert result["ok"] or vllm_rejects, result["error"]
    assert ic207(tmp_path, extra_args) == vllm_rejects, (extra_args, result["error"])
