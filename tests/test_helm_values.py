"""Helm values that install: what the charts' templates demand, images in every form, keys.

production-stack's templates demand more than its values.schema.json says (`required` calls,
`contract/data/production_stack_chart.json`); the rendered values are held against both. The
install scripts run under bash with a stand-in `helm` that records what it was given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cli.main import main
from contract.errors import UsageError
from contract.knowledge import images
from contract.pipeline.render import render
from contract.pipeline.render._chart import chart_facts, production_stack_problems
from contract.pipeline.validate import validate_bytes
from tests.support.corpus import FIXTURES

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "data" / "production-stack.values.schema.json").read_text())
CONTRACTS = sorted(
    [
        FIXTURES / "install-contract.yaml",
        *(HERE / "contracts" / "valid").glob("*.yaml"),
        *(HERE / "contracts" / "real").glob("*.yaml"),
    ],
    key=str,
)
# Contracts with a vllm: entry, which render production-stack values.
SERVED_CONTRACTS = [p for p in CONTRACTS if "vllm:" in p.read_text(encoding="utf-8")]
DIGEST = "sha256:" + "ab" * 32


def load_yaml(data: bytes) -> Any:
    return YAML(typ="safe", pure=True).load(data.decode())


def rendered(text: str, **kwargs: Any) -> dict[str, bytes]:
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.errors == 0, [d for d in result.diagnostics if d.severity.value == "error"]
    assert result.contract is not None
    return render(result.contract, source_name="c.yaml", source_bytes=text.encode(), **kwargs).files


def served(name: str = "qwen3-8b", model: str = "Qwen/Qwen3-8B", vllm: str = "", **fields: Any) -> str:
    """One self-hosted entry as YAML; `vllm` adds lines to its vllm: block."""
    extra = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    return (
        f"  - litellmModelName: {name}\n"
        f"    litellmModel: openai/{name}\n"
        f"    displayName: {name}\n"
        "    provider: Self-Hosted\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 32768\n"
        f"    apiBase: http://{name}.inference.svc.cluster.local:8000/v1\n"
        f"{extra}"
        "    vllm:\n"
        f"      model: {model}\n"
        "      gpus: {count: 1, memoryGiB: 80}\n"
        "      toolCallParser: hermes\n"
        "      enableAutoToolChoice: true\n"
        f"{vllm}"
    )


def stack_values(text: str, **kwargs: Any) -> dict[str, Any]:
    values: dict[str, Any] = load_yaml(rendered(text, **kwargs)["helm/production-stack.values.yaml"])
    return values


# -- 1. production-stack: what its templates require ------------------------------------------------


def test_the_charts_requirements_are_facts_with_their_source() -> None:
    facts = chart_facts()
    assert (facts["chart"], facts["version"]) == ("vllm-stack", "0.1.12")
    assert "a6c01db0" in facts["source"]
    required = {(r["value"], r.get("unless")) for r in facts["required"]}
    assert required == {
        ("repository", None),
        ("tag", None),
        ("requestMemory", "resources"),
        ("requestCPU", "resources"),
    }
    assert facts["image"]["format"] == "{repository}:{tag}"


def test_the_check_refuses_what_helm_template_refuses() -> None:
    """Today's main rendered this: valid for the schema, refused by the chart at requestMemory."""
    values = {
        "servingEngineSpec": {
            "modelSpec": [
                {
                    "name": "m",
                    "repository": "vllm/vllm-openai",
                    "tag": "v0.33.0",
                    "modelURL": "x",
                    "requestGPU": 1,
                }
            ]
        }
    }
    jsonschema.validate(values, SCHEMA)
    assert production_stack_problems(values) == [
        "servingEngineSpec.modelSpec[0]: Value 'modelSpec.requestMemory' must be defined ! "
        "(_helpers.tpl:170 (chart.resources, included by deployment-vllm-multi.yaml:416 when resources is not given))",
        "servingEngineSpec.modelSpec[0]: Value 'modelSpec.requestCPU' must be defined ! (_helpers.tpl:171 (chart.resources))",
    ]
    spec = values["servingEngineSpec"]["modelSpec"][0]
    spec["resources"] = {"requests": {"cpu": "1"}}  # a resources map replaces both
    assert production_stack_problems(values) == []
    del spec["resources"]
    # `required` refuses an empty tag; an empty memory passes its quoting but not the API server
    spec.update(requestCPU=4, requestMemory="", tag="")
    assert [p.split(": ", 1)[1] for p in production_stack_problems(values)] == [
        "Required value 'modelSpec.tag' must be defined ! (deployment-vllm-multi.yaml:122)",
        "Value 'modelSpec.requestMemory' must be defined ! "
        "(_helpers.tpl:170 (chart.resources, included by deployment-vllm-multi.yaml:416 when resources is not given))",
    ]


@pytest.mark.parametrize(
    ("repository", "tag"),
    [
        ("vllm/vllm-openai", f"@{DIGEST}"),  # what main rendered for vllm/vllm-openai@sha256:…
        ("quay.io/vllm/vllm-openai:v0.33.0", f"@{DIGEST}"),  # …and for a tag and a digest
        ("vllm/vllm-openai:v0.33.0", "latest"),
    ],
)
def test_the_check_refuses_an_image_the_chart_would_assemble_wrong(repository: str, tag: str) -> None:
    values = {
        "servingEngineSpec": {
            "modelSpec": [{"repository": repository, "tag": tag, "requestCPU": 6, "requestMemory": "16Gi"}]
        }
    }
    (problem,) = production_stack_problems(values)
    assert f"the chart pulls '{repository}:{tag}', which is no image reference" in problem


@pytest.mark.parametrize("path", SERVED_CONTRACTS, ids=lambda p: p.name)
def test_every_contracts_values_meet_the_chart_and_its_schema(path: Path) -> None:
    values = load_yaml(rendered(path.read_text(encoding="utf-8"))["helm/production-stack.values.yaml"])
    jsonschema.validate(values, SCHEMA)
    assert production_stack_problems(values) == []


def test_every_contract_with_a_vllm_entry_is_checked() -> None:
    assert len(SERVED_CONTRACTS) >= 5


def test_cpu_and_memory_default_to_a_vllm_servers_size() -> None:
    """4 CPUs and 2 a GPU; 16 GiB and the weights (rounded up) of memory; a GPU each."""
    specs = {
        s["name"]: s
        for s in stack_values((FIXTURES / "install-contract.yaml").read_text())["servingEngineSpec"][
            "modelSpec"
        ]
    }
    requests = {n: (s["requestCPU"], s["requestMemory"], s["requestGPU"]) for n, s in specs.items()}
    assert requests == {
        "qwen3-coder-30b": (8, "73Gi", 2),  # 30.5B as BF16: 57 GiB
        "deephat-v2": (8, "48Gi", 2),  # size unknown: 16 GiB and 16 GiB a GPU
        "nemotron": (12, "240Gi", 4),  # 120B as BF16: 224 GiB
    }


def test_resources_block_sets_cpu_and_memory() -> None:
    text = "models:\n" + served(vllm="      resources: {cpu: 16, memoryGiB: 96.5}\n")
    (spec,) = stack_values(text)["servingEngineSpec"]["modelSpec"]
    assert (spec["requestCPU"], spec["requestMemory"], spec["requestGPU"]) == (16, "96.5Gi", 1)
    platform = load_yaml(rendered(text)["helm/platform/qwen3-8b.values.yaml"])
    assert platform["resources"] == {
        "limits": {"nvidia.com/gpu": 1},
        "requests": {"nvidia.com/gpu": 1, "cpu": "16", "memory": "96.5Gi"},
    }
    half = "models:\n" + served(vllm="      resources: {cpu: 3}\n")
    (spec,) = stack_values(half)["servingEngineSpec"]["modelSpec"]
    assert (spec["requestCPU"], spec["requestMemory"]) == (3, "32Gi")  # 8.2B as BF16: 16 GiB + 16


def test_cpu_serving_requests_no_gpu() -> None:
    text = "models:\n" + served().replace("{count: 1, memoryGiB: 80}", "{count: 0, memoryGiB: 80}")
    (spec,) = stack_values(text)["servingEngineSpec"]["modelSpec"]
    assert "requestGPU" not in spec
    assert (spec["requestCPU"], spec["requestMemory"]) == (4, "32Gi")
    assert production_stack_problems({"servingEngineSpec": {"modelSpec": [spec]}}) == []
    platform = load_yaml(rendered(text)["helm/platform/qwen3-8b.values.yaml"])
    assert platform["resources"] == {"requests": {"cpu": "4", "memory": "32Gi"}}


# -- 2. images in every form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "registry", "pulled"),
    [
        (None, None, "vllm/vllm-openai:v0.33.0"),
        ("vllm/vllm-openai", None, "vllm/vllm-openai:latest"),
        ("vllm/vllm-openai:v0.33.0", None, "vllm/vllm-openai:v0.33.0"),
        (
            "registry.internal:5000/ai/vllm-openai:v0.33.0",
            None,
            "registry.internal:5000/ai/vllm-openai:v0.33.0",
        ),
        (f"quay.io/vllm/vllm-openai:v0.33.0@{DIGEST}", None, f"quay.io/vllm/vllm-openai:v0.33.0@{DIGEST}"),
        (f"localhost:5000/vllm:v1@{DIGEST}", None, f"localhost:5000/vllm:v1@{DIGEST}"),
        (
            f"quay.io/vllm/vllm-openai:v0.33.0@{DIGEST}",
            "mirror.local:8443/ai",
            f"mirror.local:8443/ai/vllm/vllm-openai:v0.33.0@{DIGEST}",
        ),
        ("vllm/vllm-openai", "mirror.local/ai", "mirror.local/ai/vllm/vllm-openai:latest"),
    ],
)
def test_every_image_form_reaches_both_charts_as_one_valid_reference(
    image: str | None, registry: str | None, pulled: str
) -> None:
    text = "models:\n" + served(vllm=f"      image: '{image}'\n" if image else "")
    files = rendered(text, registry=registry)
    (spec,) = load_yaml(files["helm/production-stack.values.yaml"])["servingEngineSpec"]["modelSpec"]
    assert f"{spec['repository']}:{spec['tag']}" == pulled
    assert production_stack_problems({"servingEngineSpec": {"modelSpec": [spec]}}) == []
    platform = load_yaml(files["helm/platform/qwen3-8b.values.yaml"])
    if image is None and registry is None:
        assert "image" not in platform  # the chart's own default
    else:
        assert platform["image"] == pulled
        images.parse(platform["image"])


def test_litellm_values_keep_the_image_whole() -> None:
    values = load_yaml(
        rendered("models:\n" + served(), registry="mirror.local:8443/ai")["helm/litellm.values.yaml"]
    )
    assert values["image"] == {
        "repository": "mirror.local:8443/ai/berriai/litellm-database",
        "tag": "v1.106.2",
    }
    assert images.chart_tag("v1.106.2", DIGEST) == f"v1.106.2@{DIGEST}"


def test_a_digest_only_image_is_refused_at_its_line_with_what_to_write() -> None:
    text = "models:\n" + served(vllm=f"      image: vllm/vllm-openai@{DIGEST}\n")
    result = validate_bytes(text.encode(), file="c.yaml")
    (found,) = [d for d in result.diagnostics if d.code == "IC210"]
    assert (found.severity.value, found.path, found.line, found.column) == (
        "error",
        "/models/0/vllm/image",
        15,
        14,
    )
    assert found.hint == f"write the tag the digest was built from before it: vllm/vllm-openai:<tag>@{DIGEST}"
    assert result.contract is not None
    with pytest.raises(UsageError, match="has no tag"):  # render would refuse it too
        render(result.contract, source_name="c.yaml", source_bytes=text.encode())


@pytest.mark.parametrize("image", ["vllm/VLLM:1", "vllm/vllm-openai:", "http://x/y:1", f"vllm@{DIGEST[:20]}"])
def test_what_is_no_image_reference_is_refused(image: str) -> None:
    text = "models:\n" + served(vllm=f"      image: '{image}'\n")
    found = [d for d in validate_bytes(text.encode(), file="c.yaml").diagnostics if d.code == "IC210"]
    assert [(d.path, d.hint) for d in found] == [
        (
            "/models/0/vllm/image",
            "write [registry[:port]/]path/name[:tag][@sha256:<64 hex digits>], e.g. vllm/vllm-openai:v0.33.0",
        )
    ]


TWO_IMAGES = (
    "models:\n"
    + served("a", vllm="      image: quay.io/vllm/vllm-openai:v0.33.0\n")
    + served("b", vllm="      image: docker.io/vllm/vllm-openai:v0.33.0\n")
)


def test_two_images_on_one_mirror_reference_is_an_error_naming_both() -> None:
    with pytest.raises(UsageError) as refused:
        rendered(TWO_IMAGES, registry="registry.internal/ai")
    message = str(refused.value)
    assert "quay.io/vllm/vllm-openai:v0.33.0" in message
    assert "docker.io/vllm/vllm-openai:v0.33.0" in message
    assert "registry.internal/ai/vllm/vllm-openai:v0.33.0" in message
    # the same image written two ways is one image
    same = TWO_IMAGES.replace("quay.io/vllm/vllm-openai", "vllm/vllm-openai")
    assert "helm/production-stack.values.yaml" in rendered(same, registry="registry.internal/ai")


def test_render_and_bundle_refuse_the_collision_on_the_command_line(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(TWO_IMAGES)
    for args in (
        ["render", str(contract), "--out", str(tmp_path / "out"), "--registry", "registry.internal/ai"],
        ["bundle", str(contract), "--out", str(tmp_path / "kit"), "--registry", "registry.internal/ai"],
    ):
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 2, run.output
        assert "docker.io/vllm/vllm-openai:v0.33.0 and quay.io/vllm/vllm-openai:v0.33.0" in run.stderr
        assert not (tmp_path / "out").exists() and not (tmp_path / "kit").exists()


# -- 4. keys: from the environment to helm, never into a file --------------------------------------

STUB = """#!/usr/bin/env bash
# helm as a recorder: its argv, and what each --set-file file held when helm read it
out="$HELM_RECORD"
printf '%s\\n' "$@" > "$out/argv"
while [ $# -gt 0 ]; do
  if [ "$1" = --set-file ]; then
    key="${2%%=*}"; file="${2#*=}"
    cat "$file" > "$out/value.$key"
    printf '%s\\n' "$file" >> "$out/files"
    shift
  fi
  shift
done
"""


@pytest.fixture
def helm(tmp_path: Path) -> dict[str, str]:
    if shutil.which("bash") is None:  # pragma: no cover - every CI machine has bash
        pytest.fail("bash is needed to run the install scripts")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helm").write_text(STUB)
    (bin_dir / "helm").chmod(0o755)
    record = tmp_path / "record"
    record.mkdir()
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HELM_RECORD": str(record)}


KEY = "s3cr3t,with=comma\\and backslash"
DEEPHAT = "models:\n" + served(
    "deephat-v2", "DeepHat/DeepHat-V2-ext", vllm="      hfToken: ${HF_TOKEN}\n", apiKey="${VLLM_API_KEY}"
)


def run_script(tmp_path: Path, files: dict[str, bytes], script: str, env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    out = tmp_path / "rendered"
    for relative, data in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return subprocess.run(
        ["bash", str(out / script), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    ), out


def test_platform_install_passes_the_seeds_keys_from_the_environment(
    tmp_path: Path, helm: dict[str, str]
) -> None:
    files = rendered(DEEPHAT)
    env = {**helm, "VLLM_API_KEY": KEY, "HF_TOKEN": "hf_token-value"}
    done, out = run_script(
        tmp_path, files, "helm/platform/deephat-v2.install.sh", env, "--namespace", "inference"
    )
    assert done.returncode == 0, done.stderr
    record = Path(helm["HELM_RECORD"])
    argv = (record / "argv").read_text().splitlines()
    assert argv[:4] == ["upgrade", "--install", "deephat-v2", "."]
    assert argv[4:6] == ["--values", str(out / "helm/platform/deephat-v2.values.yaml")]
    assert argv[-2:] == ["--namespace", "inference"]
    assert (record / "value.vllmApiKey").read_text() == KEY  # byte for byte: no --set parsing
    assert (record / "value.hfToken").read_text() == "hf_token-value"
    assert KEY not in "\n".join(argv)  # never on helm's command line
    for file in (record / "files").read_text().split():
        assert file.startswith("/dev/fd/") or file.startswith("/proc/")  # a pipe, not a file on disk
    assert not any(KEY.encode() in data for data in files.values())
    values = load_yaml(files["helm/platform/deephat-v2.values.yaml"])
    assert not {"vllmApiKey", "hfToken", "vllmApiKeySecret", "hfTokenSecret"} & set(values)


def test_install_stops_before_helm_when_a_key_is_unset(tmp_path: Path, helm: dict[str, str]) -> None:
    done, _ = run_script(
        tmp_path, rendered(DEEPHAT), "helm/platform/deephat-v2.install.sh", {**helm, "HF_TOKEN": "x"}
    )
    assert done.returncode == 2
    assert done.stderr == "deephat-v2: set VLLM_API_KEY first\n"
    assert not (Path(helm["HELM_RECORD"]) / "argv").exists()


def test_production_stack_keys_live_in_one_secret_named_after_the_release(
    tmp_path: Path, helm: dict[str, str]
) -> None:
    text = DEEPHAT + served("qwen3-8b", vllm="      hfToken: ${QWEN_HF_TOKEN}\n", apiKey="${VLLM_API_KEY}")
    files = rendered(text)
    values = load_yaml(files["helm/production-stack.values.yaml"])
    assert "vllmApiKey" not in values["servingEngineSpec"]  # the first model's Secret is gone
    assert b"credentials" not in files["helm/production-stack.values.yaml"]
    env = {**helm, "VLLM_API_KEY": KEY, "HF_TOKEN": "hf-a", "QWEN_HF_TOKEN": "hf-b"}
    done, _ = run_script(tmp_path, files, "helm/production-stack.install.sh", env)
    assert done.returncode == 0, done.stderr
    record = Path(helm["HELM_RECORD"])
    argv = (record / "argv").read_text().splitlines()
    assert argv[:5] == ["upgrade", "--install", "vllm-stack", "vllm/vllm-stack", "--version"]
    # string values: the chart writes them into its Secret `<release>-secrets` (vllm-stack-secrets)
    assert (record / "value.servingEngineSpec.vllmApiKey").read_text() == KEY
    assert (record / "value.servingEngineSpec.modelSpec[0].hf_token").read_text() == "hf-a"
    assert (record / "value.servingEngineSpec.modelSpec[1].hf_token").read_text() == "hf-b"


def test_production_stack_says_when_one_key_cannot_serve_every_model(tmp_path: Path) -> None:
    """The chart checks one key on every server: an entry LiteLLM calls with another is refused."""
    text = (
        DEEPHAT
        + served("qwen3-8b", apiKey="${QWEN_KEY}")
        + served("gemma", "google/gemma-3-27b-it")  # no apiKey: LiteLLM sends none
        + served("coder", "Qwen/Qwen3-Coder-30B-A3B-Instruct", apiKey="${VLLM_API_KEY}")
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    assert result.contract is not None and result.errors == 0
    warnings = render(result.contract, source_name="c.yaml", source_bytes=text.encode()).warnings
    head = "production-stack: every server of the release checks one key, deephat-v2's $VLLM_API_KEY; LiteLLM calls"
    fix = "which those servers refuse (give every vllm: entry apiKey: ${VLLM_API_KEY}, or install"
    assert warnings == (
        f"{head} qwen3-8b with $QWEN_KEY, {fix} qwen3-8b with its platform chart)",
        f"{head} gemma with no key, {fix} gemma with its platform chart)",
    )
    contract = tmp_path / "c.yaml"
    contract.write_text(text)
    run = CliRunner().invoke(main, ["render", str(contract), "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    assert run.stderr.count("warning: production-stack: every server") == 2
    # the platform charts alone take a key per model: nothing to say
    alone = CliRunner().invoke(
        main, ["render", str(contract), "--out", str(tmp_path / "o2"), "--target", "helm-platform"]
    )
    assert alone.exit_code == 0 and "production-stack" not in alone.stderr
    one_key = DEEPHAT + served("coder", "Qwen/Qwen3-Coder-30B-A3B-Instruct", apiKey="${VLLM_API_KEY}")
    result = validate_bytes(one_key.encode(), file="c.yaml")
    assert result.contract is not None
    assert render(result.contract, source_name="c.yaml", source_bytes=one_key.encode()).warnings == ()


def test_a_literal_key_is_read_from_the_variable_render_names(tmp_path: Path, helm: dict[str, str]) -> None:
    text = DEEPHAT.replace("${VLLM_API_KEY}", "sk-literal-1234567890")
    files = rendered(text)
    assert not any(b"sk-literal-1234567890" in data for data in files.values())
    assert (
        b"'vllmApiKey'=<(printf '%s' \"$DEEPHAT_V2_API_KEY\")" in files["helm/platform/deephat-v2.install.sh"]
    )


def test_litellm_install_names_no_key(tmp_path: Path, helm: dict[str, str]) -> None:
    files = rendered(DEEPHAT)
    done, out = run_script(tmp_path, files, "helm/litellm.install.sh", helm)
    assert done.returncode == 0, done.stderr
    argv = (Path(helm["HELM_RECORD"]) / "argv").read_text().splitlines()
    assert argv == [
        "upgrade",
        "--install",
        "litellm",
        "oci://ghcr.io/berriai/litellm-helm",
        "--values",
        str(out / "helm/litellm.values.yaml"),
    ]
