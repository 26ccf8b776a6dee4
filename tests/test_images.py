"""Image references and the mirror rule (render --registry, bundle images.txt)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from cli.main import main
from contract.errors import UsageError
from contract.knowledge import images
from contract.pipeline.render import render
from contract.pipeline.validate import validate_bytes
from tests.support.corpus import FIXTURES

FIXTURE = FIXTURES / "install-contract.yaml"
DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("busybox:1.36", ("docker.io", "library/busybox", "1.36", None)),
        ("vllm/vllm-openai:v0.33.0", ("docker.io", "vllm/vllm-openai", "v0.33.0", None)),
        ("docker.io/busybox", ("docker.io", "library/busybox", None, None)),
        ("index.docker.io/vllm/vllm-openai:x", ("docker.io", "vllm/vllm-openai", "x", None)),
        ("ghcr.io/berriai/litellm:v1.106.2", ("ghcr.io", "berriai/litellm", "v1.106.2", None)),
        ("localhost:5000/a/b:1", ("localhost:5000", "a/b", "1", None)),
        ("localhost/a", ("localhost", "a", None, None)),
        (f"busybox@{DIGEST}", ("docker.io", "library/busybox", None, DIGEST)),
        (f"quay.io/x/y:1.0@{DIGEST}", ("quay.io", "x/y", "1.0", DIGEST)),
    ],
)
def test_parse(reference: str, expected: tuple[str, str, str | None, str | None]) -> None:
    ref = images.parse(reference)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == expected


@pytest.mark.parametrize(
    "reference",
    ["", "has space:1", "https://ghcr.io/x", "Upper/Case:1", "busybox:bad tag", "busybox@sha256:12", "a//b"],
)
def test_parse_refuses_what_is_no_reference(reference: str) -> None:
    with pytest.raises(UsageError, match=r"reference|digest|tag|repository path"):
        images.parse(reference)


@pytest.mark.parametrize(
    "reference", [":v1", "@sha256:" + "ab" * 32, "quay.io/:v1", ":v1@sha256:" + "ab" * 32]
)
def test_a_tag_or_digest_without_a_name_says_so(reference: str) -> None:
    """Not "'library/' is not a valid repository path": nothing names the image at all."""
    with pytest.raises(UsageError) as refused:
        images.parse(reference)
    assert str(refused.value) == (
        f"{reference!r} names no image before its tag or digest (expected [host/]path[:tag])"
    )


@pytest.mark.parametrize(
    ("reference", "mirrored"),
    [
        # the three examples of the one rule
        ("vllm/vllm-openai:v0.33.0", "mirror.internal/ai/vllm/vllm-openai:v0.33.0"),
        ("busybox:1.36", "mirror.internal/ai/library/busybox:1.36"),
        ("ghcr.io/berriai/litellm:v1.106.2", "mirror.internal/ai/berriai/litellm:v1.106.2"),
        (f"quay.io/x/y:1@{DIGEST}", f"mirror.internal/ai/x/y:1@{DIGEST}"),
    ],
)
def test_mirror_drops_the_host_and_keeps_path_tag_and_digest(reference: str, mirrored: str) -> None:
    assert str(images.mirror(reference, "mirror.internal/ai")) == mirrored


def test_mirror_without_prefix_and_with_port() -> None:
    assert str(images.mirror("busybox:1.36", "reg:5000")) == "reg:5000/library/busybox:1.36"
    assert str(images.mirror("busybox:1.36", "reg:5000/")) == "reg:5000/library/busybox:1.36"


def test_mirror_none_keeps_the_reference() -> None:
    assert str(images.mirror("busybox:1.36", None)) == "docker.io/library/busybox:1.36"


@pytest.mark.parametrize(
    "registry",
    [
        "",
        "https://reg",
        "reg/UPPER",
        "reg host",
        "/prefix",
        "reg..local",
        "-reg",
        "reg-.local",
        ".reg",
        "reg:port",
    ],
)
def test_bad_registry_is_a_usage_error(registry: str) -> None:
    with pytest.raises(UsageError, match="--registry"):
        images.check_registry(registry)


@pytest.mark.parametrize(
    "registry",
    ["reg", "reg.local", "my-reg.internal:5000/ai", "10.0.0.5:5000", "[fd00::5]:5000/ai", "REG.Example"],
)
def test_good_registry_is_kept(registry: str) -> None:
    assert images.check_registry(registry) == registry


# ---------------------------------------------------------------------------- render


def _render(registry: str | None, text: str | None = None) -> dict[str, bytes]:
    raw = (text if text is not None else FIXTURE.read_text()).encode()
    result = validate_bytes(raw, file="install-contract.yaml")
    assert result.contract is not None and result.errors == 0, result.diagnostics
    return render(
        result.contract, source_name="install-contract.yaml", source_bytes=raw, registry=registry
    ).files


def _yaml(data: bytes):  # type: ignore[no-untyped-def]
    return YAML(typ="safe", pure=True).load(data.decode())


def test_registry_points_every_helm_image_at_the_mirror() -> None:
    files = _render("mirror.internal/ai")
    platform = _yaml(files["helm/platform/qwen3-coder-30b.values.yaml"])
    # the chart's default is written explicitly, so nothing is pulled from the internet
    assert platform["image"] == "mirror.internal/ai/vllm/vllm-openai:v0.33.0"
    stack = _yaml(files["helm/production-stack.values.yaml"])
    for spec in stack["servingEngineSpec"]["modelSpec"]:
        assert spec["repository"] == "mirror.internal/ai/vllm/vllm-openai"
        assert spec["tag"] == "v0.33.0"
    litellm = _yaml(files["helm/litellm.values.yaml"])
    assert litellm["image"] == {
        "repository": "mirror.internal/ai/berriai/litellm-database",
        "tag": "v1.106.2",
    }
    # the rest of the output is the same as without a mirror
    plain = _render(None)
    assert set(plain) == set(files)
    assert files["litellm/config.yaml"] == plain["litellm/config.yaml"]
    assert files["vllm/nemotron.sh"] == plain["vllm/nemotron.sh"]


def test_without_registry_no_image_is_added() -> None:
    files = _render(None)
    assert "image" not in _yaml(files["helm/platform/qwen3-coder-30b.values.yaml"])
    assert "image" not in _yaml(files["helm/litellm.values.yaml"])


def test_registry_keeps_a_contract_image_path_and_tag() -> None:
    text = FIXTURE.read_text().replace(
        "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n",
        "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n      image: ghcr.io/acme/vllm-custom:1.2\n",
    )
    files = _render("reg.local", text)
    assert (
        _yaml(files["helm/platform/qwen3-coder-30b.values.yaml"])["image"] == "reg.local/acme/vllm-custom:1.2"
    )
    specs = _yaml(files["helm/production-stack.values.yaml"])["servingEngineSpec"]["modelSpec"]
    assert {(s["repository"], s["tag"]) for s in specs} == {
        ("reg.local/acme/vllm-custom", "1.2"),
        ("reg.local/vllm/vllm-openai", "v0.33.0"),
    }


def test_render_cli_registry_option(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    runner = CliRunner()
    ok = runner.invoke(main, ["render", str(FIXTURE), "--out", str(out), "--registry", "reg.local/m"])
    assert ok.exit_code == 0, ok.output
    assert "reg.local/m/vllm/vllm-openai:v0.33.0" in (out / "helm/platform/nemotron.values.yaml").read_text()
    bad = runner.invoke(
        main, ["render", str(FIXTURE), "--out", str(tmp_path / "o2"), "--registry", "https://x"]
    )
    assert bad.exit_code == 2
    assert "--registry" in bad.output
    assert not (tmp_path / "o2").exists()


def test_revision_reaches_vllm_argv_and_production_stack() -> None:
    text = FIXTURE.read_text().replace(
        "      model: DeepHat/DeepHat-V2-ext\n",
        "      model: DeepHat/DeepHat-V2-ext\n      revision: 0123abcd\n",
    )
    files = _render(None, text)
    argv = json.loads(files["vllm/deephat-v2.argv.json"])
    assert argv[argv.index("--revision") + 1] == "0123abcd"
    specs = _yaml(files["helm/production-stack.values.yaml"])["servingEngineSpec"]["modelSpec"]
    deephat = next(s for s in specs if s["modelURL"] == "DeepHat/DeepHat-V2-ext")
    extra = deephat["vllmConfig"]["extraArgs"]
    assert extra[extra.index("--revision") + 1] == "0123abcd"


def test_revision_in_extra_args_conflicts_with_the_field() -> None:
    text = FIXTURE.read_text().replace(
        "      model: DeepHat/DeepHat-V2-ext\n",
        "      model: DeepHat/DeepHat-V2-ext\n      revision: abc\n      extraArgs: [--revision, def]\n",
    )
    result = validate_bytes(text.encode(), file="c.yaml")
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == ["IC208"]
    alone = text.replace("      revision: abc\n", "")
    assert not [d for d in validate_bytes(alone.encode(), file="c.yaml").diagnostics if d.code == "IC208"]
