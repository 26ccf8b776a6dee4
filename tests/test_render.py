"""render: every artifact of the fixture, golden values, determinism, atomic output, --check."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cli.main import main
from contract.pipeline.render import differences, render, write_tree
from contract.pipeline.validate import validate_bytes
from tests.support.corpus import FIXTURES

FIXTURE = FIXTURES / "install-contract.yaml"
DATA = Path(__file__).parent / "data"


def rendered(text: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    raw = (text if text is not None else FIXTURE.read_text()).encode()
    result = validate_bytes(raw, file="install-contract.yaml")
    assert result.errors == 0, result.diagnostics
    assert result.contract is not None
    return render(result.contract, source_name="install-contract.yaml", source_bytes=raw, **kwargs)


def load_yaml(data: bytes):  # type: ignore[no-untyped-def]
    return YAML(typ="safe", pure=True).load(data.decode())


def test_fixture_renders_every_artifact() -> None:
    files = rendered().files
    assert sorted(files) == [
        "helm/litellm.install.sh",
        "helm/litellm.values.yaml",
        "helm/platform/deephat-v2.install.sh",
        "helm/platform/deephat-v2.values.yaml",
        "helm/platform/nemotron.install.sh",
        "helm/platform/nemotron.values.yaml",
        "helm/platform/qwen3-coder-30b.install.sh",
        "helm/platform/qwen3-coder-30b.values.yaml",
        "helm/production-stack.install.sh",
        "helm/production-stack.values.yaml",
        "litellm/config.yaml",
        "manifest.json",
        "vllm/deephat-v2.argv.json",
        "vllm/deephat-v2.sh",
        "vllm/nemotron.argv.json",
        "vllm/nemotron.sh",
        "vllm/qwen3-coder-30b.argv.json",
        "vllm/qwen3-coder-30b.sh",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(rendered().files),
)
def test_artifact_snapshots(path: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert rendered().files[path].decode() == snapshot


def test_same_contract_same_bytes() -> None:
    assert rendered().files == rendered().files


def test_cloud_only_contract_renders_only_litellm_targets() -> None:
    text = (Path(__file__).parent / "contracts" / "valid" / "cloud-minimal.yaml").read_text()
    assert rendered(text).targets == ("litellm", "helm-litellm")


def test_litellm_config_maps_every_field() -> None:
    config = load_yaml(rendered().files["litellm/config.yaml"])
    by_name = {m["model_name"]: m for m in config["model_list"]}
    azure = by_name["azure-gpt-4o"]
    assert azure["litellm_params"] == {
        "model": "azure/my-gpt4o-deployment",
        "api_base": "https://my-resource.openai.azure.com",
        "api_key": "os.environ/AZURE_API_KEY",
        "api_version": "2024-10-21",
    }
    assert azure["model_info"]["base_model"] == "azure/gpt-4o"
    bedrock = by_name["claude-sonnet-4-bedrock"]["litellm_params"]
    assert bedrock["aws_region_name"] == "us-west-2"
    assert bedrock["aws_secret_access_key"] == "os.environ/AWS_SECRET_ACCESS_KEY"
    embedding = by_name["text-embedding-3-small"]["model_info"]
    assert embedding["mode"] == "embedding" and embedding["supports_function_calling"] is False
    for name, entry in by_name.items():
        assert entry["model_info"]["id"] == name
    assert config["general_settings"] == {"master_key": "os.environ/LITELLM_MASTER_KEY"}


def test_helm_litellm_carries_the_same_config() -> None:
    files = rendered().files
    values = load_yaml(files["helm/litellm.values.yaml"])
    assert values["proxy_config"] == load_yaml(files["litellm/config.yaml"])
    assert values["environmentSecrets"] == ["litellm-credentials"]


# Seed 002, "Option B: Optional Helm chart", values-deephat.yaml for 2x H100 (secrets aside).
SEED_DEEPHAT_VALUES = {
    "model": "DeepHat/DeepHat-V2-ext",
    "servedModelName": "deephat-v2",
    "maxModelLen": 250000,
    "dtype": "bfloat16",
    "tensorParallelSize": "2",
    "enableChunkedPrefill": "true",
    "enablePrefixCaching": "true",
    "enableAutoToolChoice": "true",
    "toolCallParser": "qwen3_coder",
    "resources": {"limits": {"nvidia.com/gpu": 2}, "requests": {"nvidia.com/gpu": 2}},
}

DEEPHAT_CONTRACT = """\
models:
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
    vllm:
      model: DeepHat/DeepHat-V2-ext
      dtype: bfloat16
      tensorParallelSize: 2
      gpus: {count: 2, memoryGiB: 80}
      toolCallParser: qwen3_coder
      enableAutoToolChoice: true
      enablePrefixCaching: true
      enableChunkedPrefill: true
      hfToken: ${HF_TOKEN}
"""


def test_platform_values_equal_the_seed_deephat_values() -> None:
    files = rendered(DEEPHAT_CONTRACT).files
    values = load_yaml(files["helm/platform/deephat-v2.values.yaml"])
    # the seed's values, and the CPU and memory every vLLM pod requests (README, "Helm values")
    requests = values["resources"]["requests"]
    assert (requests.pop("cpu"), requests.pop("memory")) == ("8", "48Gi")
    assert values == SEED_DEEPHAT_VALUES
    # the seed's two keys are values of the chart: the install script passes them, no file holds them
    script = files["helm/platform/deephat-v2.install.sh"].decode()
    assert 'helm upgrade --install deephat-v2 "${CHART:-.}" \\\n' in script
    assert "--set-file 'vllmApiKey'=<(printf '%s' \"$VLLM_API_KEY\")" in script
    assert "--set-file 'hfToken'=<(printf '%s' \"$HF_TOKEN\")" in script


def test_one_b200_variant_sets_one_gpu() -> None:
    text = DEEPHAT_CONTRACT.replace("tensorParallelSize: 2", "tensorParallelSize: 1").replace(
        "{count: 2, memoryGiB: 80}", "{count: 1, memoryGiB: 192}"
    )
    values = load_yaml(rendered(text).files["helm/platform/deephat-v2.values.yaml"])
    assert values["tensorParallelSize"] == "1"
    assert values["resources"]["limits"] == {"nvidia.com/gpu": 1}


def options(argv: list[str]) -> set[tuple[str, str | None]]:
    """`--flag value` pairs (value None for a bare switch), order aside."""
    found: set[tuple[str, str | None]] = set()
    for i, arg in enumerate(argv):
        if arg.startswith("--"):
            value = argv[i + 1] if i + 1 < len(argv) and not argv[i + 1].startswith("--") else None
            found.add((arg, value))
    return found


def test_vllm_argv_matches_the_seed_deephat_command() -> None:
    argv = json.loads(rendered(DEEPHAT_CONTRACT).files["vllm/deephat-v2.argv.json"])
    # seed 002, "Option A: Standalone vLLM" (2x H100), flag for flag
    seed = [
        "vllm",
        "serve",
        "DeepHat/DeepHat-V2-ext",
        "--served-model-name",
        "deephat-v2",
        "--port",
        "8000",
        "--max-model-len",
        "250000",
        "--dtype",
        "bfloat16",
        "--tensor-parallel-size",
        "2",
        "--tool-call-parser",
        "qwen3_coder",
        "--enable-prefix-caching",
        "--enable-chunked-prefill",
        "--enable-auto-tool-choice",
    ]
    assert argv[:3] == seed[:3]
    assert options(argv) == options(seed)
    assert "--api-key" not in argv


def test_production_stack_values_are_valid_for_the_chart() -> None:
    schema = json.loads((DATA / "production-stack.values.schema.json").read_text())
    values = load_yaml(rendered().files["helm/production-stack.values.yaml"])
    jsonschema.validate(values, schema)
    specs = {s["modelURL"]: s for s in values["servingEngineSpec"]["modelSpec"]}
    nemotron = specs["nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16"]
    assert nemotron["vllmConfig"]["extraArgs"][:2] == ["--served-model-name", "nemotron"]
    assert "--reasoning-parser" in nemotron["vllmConfig"]["extraArgs"]
    assert nemotron["requestGPU"] == 4


def test_manifest_lists_every_file_with_its_hash() -> None:
    import hashlib

    files = rendered().files
    manifest = json.loads(files["manifest.json"])
    assert manifest["contract"]["sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert manifest["files"] == {
        p: hashlib.sha256(d).hexdigest() for p, d in files.items() if p != "manifest.json"
    }


CANARY = "sk-CANARY-render-1a2b3c"


def test_literal_secret_never_reaches_a_rendered_file_or_output(tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(
        DEEPHAT_CONTRACT.replace("${VLLM_API_KEY}", CANARY).replace("${HF_TOKEN}", CANARY + "-hf")
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(contract), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert CANARY not in result.stdout and CANARY not in result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    config = load_yaml((out / "litellm" / "config.yaml").read_bytes())
    assert config["model_list"][0]["litellm_params"]["api_key"] == "os.environ/DEEPHAT_V2_API_KEY"
    assert "DEEPHAT_V2_API_KEY: the literal apiKey of deephat-v2" in result.stdout


def test_self_hosted_without_key_gets_a_placeholder_not_the_ambient_openai_key() -> None:
    text = DEEPHAT_CONTRACT.replace("    apiKey: ${VLLM_API_KEY}\n", "")
    config = load_yaml(rendered(text).files["litellm/config.yaml"])
    assert config["model_list"][0]["litellm_params"]["api_key"] == "no-key-required"


def test_partial_env_reference_is_a_clear_error(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(DEEPHAT_CONTRACT.replace("http://deephat-v2", "http://${HOST}"))
    result = CliRunner().invoke(main, ["render", str(contract), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "IC306" in result.stderr and "apiBase uses ${HOST} inside a longer value" in result.stderr
    assert not (tmp_path / "o").exists()


# -- the CLI and the output directory ----------------------------------------------------------


def test_invalid_contract_renders_nothing(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(DEEPHAT_CONTRACT.replace("openai/deephat-v2", "openai/deephat"))
    result = CliRunner().invoke(main, ["render", str(contract), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "IC104" in result.stderr
    assert "nothing was rendered" in result.stderr
    assert not (tmp_path / "out").exists()


def test_render_then_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (out / "vllm" / "nemotron.sh").stat().st_mode & 0o111
    check = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out), "--check"])
    assert check.exit_code == 0 and check.stdout.endswith("up to date\n")
    config = out / "litellm" / "config.yaml"
    before = config.read_text()
    config.write_text(before.replace("max_input_tokens: 200000", "max_input_tokens: 100000", 1))
    (out / "vllm" / "nemotron.sh").unlink()
    (out / "stray.txt").write_text("x")
    stale = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out), "--check"])
    assert stale.exit_code == 1
    lines = stale.stdout.splitlines()
    assert lines[0] == "changed: litellm/config.yaml"
    # a unified diff from the file on disk to the render, with the line that differs
    assert lines[1] == f"--- {config} (on disk)"
    assert lines[2] == f"+++ {config} (rendered)"
    assert lines[3].startswith("@@ ")
    hunk = lines[3 : lines.index("added: vllm/nemotron.sh")]
    assert [line for line in hunk if line[:1] in "+-"] == [
        "-      max_input_tokens: 100000",
        "+      max_input_tokens: 200000",
    ]
    assert lines[-2:] == ["removed: stray.txt", f"{out}: stale, render again"]
    assert "manifest.json" not in stale.stdout  # the manifest lists hashes of the render, not the disk
    assert stale.stderr == ""


def test_check_diff_of_a_file_without_a_final_newline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, rendered().files)
    (out / "litellm" / "config.yaml").write_text("model_list: []")
    stale = CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(out), "--check"])
    assert stale.exit_code == 1
    assert "-model_list: []\n\\ No newline at end of file\n" in stale.stdout


def test_check_never_shows_a_literal_secret_edited_into_a_file(tmp_path: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(DEEPHAT_CONTRACT.replace("${VLLM_API_KEY}", CANARY))
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["render", str(contract), "--out", str(out)]).exit_code == 0
    config = out / "litellm" / "config.yaml"
    config.write_text(config.read_text().replace("os.environ/DEEPHAT_V2_API_KEY", CANARY))
    stale = CliRunner().invoke(main, ["render", str(contract), "--out", str(out), "--check"])
    assert stale.exit_code == 1
    assert "-      api_key: ****" in stale.stdout
    assert "+      api_key: os.environ/DEEPHAT_V2_API_KEY" in stale.stdout
    assert CANARY not in stale.stdout + stale.stderr


def test_quiet_prints_nothing_but_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    quiet = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out), "--quiet"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert (out / "manifest.json").is_file()
    # a warning (IC303, a literal key) is not an error: not shown either
    contract = tmp_path / "c.yaml"
    contract.write_text(DEEPHAT_CONTRACT.replace("${VLLM_API_KEY}", CANARY))
    warned = runner.invoke(main, ["render", str(contract), "--out", str(tmp_path / "o2"), "-q"])
    assert (warned.exit_code, warned.stdout, warned.stderr) == (0, "", "")
    loud = runner.invoke(main, ["render", str(contract), "--out", str(tmp_path / "o3")])
    assert "IC303" in loud.stderr and "wrote" in loud.stdout
    # --check --quiet: the exit code alone
    (out / "stray.txt").write_text("x")
    stale = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out), "--check", "--quiet"])
    assert (stale.exit_code, stale.stdout, stale.stderr) == (1, "", "")
    # errors are still printed
    contract.write_text(DEEPHAT_CONTRACT.replace("openai/deephat-v2", "openai/deephat"))
    failed = runner.invoke(main, ["render", str(contract), "--out", str(tmp_path / "o4"), "--quiet"])
    assert failed.exit_code == 1 and failed.stdout == ""
    assert "error IC104" in failed.stderr and "nothing was rendered" in failed.stderr


def test_targets_option(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(out), "--target", "litellm,vllm"])
    assert result.exit_code == 0
    assert sorted(p.relative_to(out).parts[0] for p in out.iterdir()) == ["litellm", "manifest.json", "vllm"]
    bad = CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(out), "--target", "kustomize"])
    assert bad.exit_code == 2 and "unknown target kustomize" in bad.stderr


def test_refuses_to_replace_a_directory_that_is_not_a_render(tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["render", str(FIXTURE), "--out", str(precious)])
    assert result.exit_code == 2
    assert (precious / "notes.txt").read_text() == "keep me"


def test_interrupted_write_keeps_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    files = rendered().files
    write_tree(out, files)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = {"n": 0}
    import contract.pipeline.render as render_module

    real = render_module._write_file

    def failing(path: Path, data: bytes, mode: int) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        real(path, data, mode)

    monkeypatch.setattr(render_module, "_write_file", failing)
    changed = dict(files, **{"litellm/config.yaml": b"new\n"})
    with pytest.raises(OSError):
        write_tree(out, changed)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging left behind
    assert differences(out, files) == []


def test_template_overrides(tmp_path: Path) -> None:
    overrides = tmp_path / "templates" / "vllm"
    overrides.mkdir(parents=True)
    (overrides / "serve.sh.j2").write_text("#!/bin/sh\n# ours\nexec {{ argv | shelljoin }}\n")
    files = rendered(templates=str(tmp_path / "templates")).files
    assert files["vllm/nemotron.sh"].startswith(b"#!/bin/sh\n# ours\nexec vllm serve")
    assert files["litellm/config.yaml"] == rendered().files["litellm/config.yaml"]


def test_undefined_template_variable_is_an_error(tmp_path: Path) -> None:
    from contract.errors import TemplateError

    overrides = tmp_path / "t" / "vllm"
    overrides.mkdir(parents=True)
    (overrides / "serve.sh.j2").write_text("#!/bin/sh\n{{ no_such_thing }}\n")
    with pytest.raises(TemplateError, match=r"serve\.sh\.j2:2: UndefinedError: 'no_such_thing' is undefined"):
        rendered(templates=str(tmp_path / "t"))


def test_every_target_has_its_renderer() -> None:
    # render picks one function per target from a table: a target named in --help without one
    # would end a render with an internal error.
    import contract.pipeline.render as render_module
    from contract.knowledge.targets import TARGETS

    assert set(render_module._RENDERERS) == set(TARGETS)
