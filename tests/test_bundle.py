"""bundle and bundle verify, end to end: real kits built from the fixture, checked with stock tools.

The kits' wheelhouses come from `.cache/wheelhouse` (filled once by
scripts/peers/install-bundle-wheelhouse) with `--no-index`, so these tests never reach the
package index. OpenSSH's ssh-keygen signs and verifies; sha256sum checks the sums.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from contract.pipeline.render import render
from contract.pipeline.validate import validate_bytes
from contract.workflows.bundle import archive
from contract.workflows.bundle import verify as kit_verify
from contract.workflows.bundle.signing import read_public_key
from tests.support.corpus import FIXTURES, ROOT

pytestmark = pytest.mark.slow

FIXTURE = FIXTURES / "install-contract.yaml"
WHEEL_CACHE = ROOT / ".cache" / "wheelhouse"
DIGEST = "sha256:" + "5" * 64
CANARY = "sk-canary-0123456789abcdef0123456789"
TIMEOUT = 600


def _need(what: str, present: bool) -> None:
    if present:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{what} is missing", pytrace=False)
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def cache() -> Path:
    _need(
        "the runtime wheel cache .cache/wheelhouse (run scripts/peers/install-bundle-wheelhouse)",
        any(WHEEL_CACHE.glob(".downloaded-*")),
    )
    return WHEEL_CACHE


@pytest.fixture(scope="module")
def ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    _need("ssh-keygen (openssh-client)", found is not None)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory, ssh_keygen: str) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("signer", "other"):
        key = folder / name
        subprocess.run(
            [ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
            check=True,
            timeout=60,
        )
        made[name] = key
    return made


@pytest.fixture(scope="module")
def tool_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from contract.workflows.bundle.wheelhouse import build_tool_wheel

    return build_tool_wheel(tmp_path_factory.mktemp("tool"))


def contract_text() -> str:
    """The fixture with one pinned revision and one image of its own."""
    return (
        FIXTURE.read_text()
        .replace(
            "      model: DeepHat/DeepHat-V2-ext\n",
            "      model: DeepHat/DeepHat-V2-ext\n      revision: 4f1c2a9\n",
        )
        .replace(
            "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n",
            "      model: Qwen/Qwen3-Coder-30B-A3B-Instruct\n      image: quay.io/acme/vllm:0.33.0-cu128\n",
        )
    )


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def build_args(cache: Path, wheel: Path | None, *extra: str) -> list[str]:
    args = ["--no-index", "--find-links", str(cache), *extra]
    return args + (["--tool-wheel", str(wheel)] if wheel else [])


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, cache: Path, tool_wheel: Path, keys: dict[str, Path]
) -> dict[str, Path]:
    """A signed archive kit with a lock pinning two images, and its extracted copy."""
    folder = tmp_path_factory.mktemp("kit")
    contract = folder / "my-contract.yaml"  # not the kit's name: the kit renames it
    contract.write_text(contract_text())
    lock = folder / "images.lock"
    lock.write_text(
        f"# pinned\nbusybox:1.36@{DIGEST}\n\ndocker.io/curlimages/curl:8.10.1@sha256:{'6' * 64}\n"
    )
    out = folder / "kit.tar.gz"
    result = invoke(
        "bundle",
        str(contract),
        "--out",
        str(out),
        "--images-lock",
        str(lock),
        "--sign-key",
        str(keys["signer"]),
        *build_args(cache, tool_wheel),
    )
    assert result.exit_code == 0, result.output
    extracted = folder / "extracted"
    extracted.mkdir()
    with tarfile.open(out) as tar:
        tar.extractall(extracted, filter="data")
    (folder / "output").write_text(result.output)
    return {"archive": out, "dir": extracted, "contract": contract, "output": folder / "output"}


def test_layout_at_the_top_of_the_archive(built: dict[str, Path]) -> None:
    with tarfile.open(built["archive"]) as tar:
        names = tar.getnames()
    top = sorted({name.split("/", 1)[0] for name in names})
    assert top == [
        "SHA256SUMS",
        "SHA256SUMS.sig",
        "catalog",
        "images.txt",
        "install-contract.yaml",
        "manifest.json",
        "models.txt",
        "rendered",
        "wheelhouse",
    ]
    assert names == sorted(names)
    kit = built["dir"]
    assert (kit / "install-contract.yaml").read_bytes() == built["contract"].read_bytes()
    assert (kit / "catalog" / "litellm_models.json").read_bytes() == (
        ROOT / "contract" / "data" / "litellm_models.json"
    ).read_bytes()


def test_rendered_is_render_of_the_bundled_copy(built: dict[str, Path]) -> None:
    raw = built["contract"].read_bytes()
    result = validate_bytes(raw, file="install-contract.yaml")
    assert result.contract is not None
    expected = render(result.contract, source_name="install-contract.yaml", source_bytes=raw).files
    kit = built["dir"] / "rendered"
    on_disk = {p.relative_to(kit).as_posix(): p.read_bytes() for p in kit.rglob("*") if p.is_file()}
    assert on_disk == expected
    assert json.loads(on_disk["manifest.json"])["contract"]["file"] == "install-contract.yaml"


def test_images_and_models_lists(built: dict[str, Path]) -> None:
    kit = built["dir"]
    assert (kit / "images.txt").read_text().splitlines() == [
        f"docker.io/curlimages/curl:8.10.1@sha256:{'6' * 64}",
        f"docker.io/library/busybox:1.36@{DIGEST}",
        "docker.io/vllm/vllm-openai:v0.33.0",
        "ghcr.io/berriai/litellm-database:v1.106.2",
        "quay.io/acme/vllm:0.33.0-cu128",
    ]
    assert (kit / "models.txt").read_text().splitlines() == [
        "DeepHat/DeepHat-V2-ext 4f1c2a9",
        "Qwen/Qwen3-Coder-30B-A3B-Instruct unpinned",
        "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16 unpinned",
    ]
    output = built["output"].read_text()
    assert "quay.io/acme/vllm:0.33.0-cu128 is not pinned by digest" in output
    assert "busybox:1.36 is not pinned" not in output
    assert "Qwen/Qwen3-Coder-30B-A3B-Instruct (qwen3-coder-30b) has no vllm.revision" in output
    assert "DeepHat-V2-ext (deephat-v2) has no" not in output


def test_manifest(built: dict[str, Path]) -> None:
    kit = built["dir"]
    manifest = json.loads((kit / "manifest.json").read_text())
    assert manifest["version"] == "0.1.0"
    assert manifest["registry"] is None
    assert manifest["contract"]["sha256"] == hashlib.sha256(built["contract"].read_bytes()).hexdigest()
    pinned = {image["source"]: image["pinned"] for image in manifest["images"]}
    assert pinned == {
        "docker.io/curlimages/curl:8.10.1": True,
        "docker.io/library/busybox:1.36": True,
        "docker.io/vllm/vllm-openai:v0.33.0": False,
        "ghcr.io/berriai/litellm-database:v1.106.2": False,
        "quay.io/acme/vllm:0.33.0-cu128": False,
    }
    listed = {row["path"]: row for row in manifest["files"]}
    every = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()}
    assert set(listed) == every - {"manifest.json", "SHA256SUMS", "SHA256SUMS.sig"}
    for path, row in listed.items():
        data = (kit / path).read_bytes()
        assert row == {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_wheelhouse_pins_every_wheel_with_its_hash(built: dict[str, Path]) -> None:
    wheelhouse = built["dir"] / "wheelhouse"
    wheels = sorted(wheelhouse.glob("*.whl"))
    lines = (wheelhouse / "requirements.txt").read_text().splitlines()
    assert len(lines) == len(wheels) >= 8
    by_hash = {hashlib.sha256(w.read_bytes()).hexdigest(): w.name for w in wheels}
    for line in lines:
        requirement, _, digest = line.partition(" --hash=sha256:")
        name, _, version = requirement.partition("==")
        assert version and digest in by_hash
        assert by_hash[digest].lower().replace("_", "-").startswith(f"{name}-{version}-")
    assert any(line.startswith("install-contract==0.1.0 ") for line in lines)
    assert any(line.startswith("pydantic-core==") for line in lines)


def test_stock_tools_accept_the_kit(built: dict[str, Path], keys: dict[str, Path], ssh_keygen: str) -> None:
    kit = built["dir"]
    sums = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=kit, capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert sums.stdout.count(": OK") == len((kit / "SHA256SUMS").read_text().splitlines())
    allowed = kit.parent / "allowed_signers"
    allowed.write_text("ops " + keys["signer"].with_suffix(".pub").read_text())
    with open(kit / "SHA256SUMS", "rb") as message:
        checked = subprocess.run(
            [
                ssh_keygen,
                "-Y",
                "verify",
                "-f",
                str(allowed),
                "-I",
                "ops",
                "-n",
                "install-contract",
                "-s",
                str(kit / "SHA256SUMS.sig"),
            ],
            stdin=message,
            capture_output=True,
            text=True,
        )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("form", ["archive", "dir"])
def test_bundle_verify_accepts_the_kit(built: dict[str, Path], keys: dict[str, Path], form: str) -> None:
    result = invoke("bundle", "verify", str(built[form]), "--key", str(keys["signer"]) + ".pub", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["signature"] == "verified"
    assert report["problems"] == []
    assert report["files"] == len([p for p in built["dir"].rglob("*") if p.is_file()])
    text = invoke("bundle", "verify", str(built[form]))
    assert text.exit_code == 0
    assert "verified" in text.stdout and "signature: not-checked" in text.stdout
    assert "present but not checked" in text.stderr


# ---------------------------------------------------------------------------- tampering


@pytest.fixture
def copy(built: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "kit"
    shutil.copytree(built["dir"], target)
    return target


def problems(path: Path, key: Path | None = None) -> dict[str, str]:
    report = kit_verify.verify_kit(str(path), read_public_key(str(key)) if key else None)
    assert report.verified == (not report.problems)
    return {p.file: p.reason for p in report.problems}


def _files(kit: Path) -> list[str]:
    return sorted(p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file())


def _every_file() -> Iterator[str]:
    yield from [
        "install-contract.yaml",
        "images.txt",
        "models.txt",
        "manifest.json",
        "SHA256SUMS",
        "SHA256SUMS.sig",
        "catalog/litellm_models.json",
        "rendered/litellm/config.yaml",
        "rendered/manifest.json",
        "rendered/vllm/nemotron.sh",
        "wheelhouse/requirements.txt",
        "wheelhouse/WHEEL",  # stands for the tool's wheel
    ]


@pytest.mark.parametrize("name", list(_every_file()))
def test_one_byte_changed_is_caught_and_named(copy: Path, keys: dict[str, Path], name: str) -> None:
    if name == "wheelhouse/WHEEL":
        name = next(p for p in _files(copy) if p.startswith("wheelhouse/install_contract-"))
    path = copy / name
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = (data[middle] + 1) % 256
    path.write_bytes(bytes(data))
    found = problems(copy, keys["signer"].with_suffix(".pub"))
    named = "SHA256SUMS.sig" if name in ("SHA256SUMS", "SHA256SUMS.sig") else name
    assert named in found, found
    result = invoke("bundle", "verify", str(copy), "--key", str(keys["signer"]) + ".pub")
    assert result.exit_code == 1
    assert f"{named}: " in result.stdout


@pytest.mark.parametrize("name", ["install-contract.yaml", "rendered/helm/litellm.values.yaml", "images.txt"])
def test_a_change_with_sums_rewritten_is_still_caught_without_a_key(copy: Path, name: str) -> None:
    """Unsigned, an attacker can rewrite SHA256SUMS and manifest.json: re-rendering still tells."""
    path = copy / name
    text = path.read_text()
    path.write_text(text.replace("v1.106.2", "v9.9.9") if name == "images.txt" else text + "# changed\n")
    (copy / "SHA256SUMS.sig").unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    for row in manifest["files"]:
        data = (copy / row["path"]).read_bytes()
        row["size"], row["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    manifest["contract"]["sha256"] = hashlib.sha256((copy / "install-contract.yaml").read_bytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    sums = "".join(
        f"{hashlib.sha256((copy / p).read_bytes()).hexdigest()}  {p}\n"
        for p in _files(copy)
        if p != "SHA256SUMS"
    )
    (copy / "SHA256SUMS").write_text(sums)
    found = problems(copy)
    expected = "rendered/manifest.json" if name == "install-contract.yaml" else name
    assert expected in found, found


def test_a_file_added_or_removed_is_caught(copy: Path) -> None:
    (copy / "wheelhouse" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK")
    found = problems(copy)
    assert found == {"wheelhouse/evil-1.0-py3-none-any.whl": "extra: not listed in SHA256SUMS"}
    (copy / "wheelhouse" / "evil-1.0-py3-none-any.whl").unlink()
    (copy / "models.txt").unlink()
    assert problems(copy) == {"models.txt": "missing (listed in SHA256SUMS)"}
    (copy / "SHA256SUMS").unlink()
    assert "SHA256SUMS" in problems(copy)


def _rewrite_sums(kit: Path) -> None:
    """SHA256SUMS over every file of `kit` as it is now: what an attacker without the key can do."""
    (kit / "SHA256SUMS").write_text(
        "".join(
            f"{hashlib.sha256((kit / p).read_bytes()).hexdigest()}  {p}\n"
            for p in _files(kit)
            if p not in ("SHA256SUMS", "SHA256SUMS.sig")
        )
    )


def test_a_kit_of_one_empty_sha256sums_is_not_a_kit(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "SHA256SUMS").write_bytes(b"")
    found = problems(kit)
    assert found == {
        path: "missing: every kit has it (and SHA256SUMS does not list it)"
        for path in kit_verify.REQUIRED
        if path != "SHA256SUMS"
    }
    result = invoke("bundle", "verify", str(kit))
    assert result.exit_code == 1
    assert "NOT verified: 6 problem(s)" in result.stdout


def test_the_manifest_is_required(copy: Path) -> None:
    """manifest.json and its SHA256SUMS line removed, the contract edited, no signature."""
    (copy / "manifest.json").unlink()
    (copy / "SHA256SUMS.sig").unlink()
    contract = copy / "install-contract.yaml"
    contract.write_text(contract.read_text().replace("contextWindow: 128000", "contextWindow: 100000", 1))
    _rewrite_sums(copy)
    found = problems(copy)
    assert found == {"manifest.json": "missing: every kit has it (and SHA256SUMS does not list it)"}
    assert invoke("bundle", "verify", str(copy)).exit_code == 1


def test_a_fixed_file_missing_from_the_kit_and_from_sha256sums_is_named(copy: Path) -> None:
    (copy / "SHA256SUMS.sig").unlink()
    (copy / "wheelhouse" / "requirements.txt").unlink()
    _rewrite_sums(copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"] = [row for row in manifest["files"] if row["path"] != "wheelhouse/requirements.txt"]
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _rewrite_sums(copy)
    assert problems(copy) == {
        "wheelhouse/requirements.txt": "missing: every kit has it (and SHA256SUMS does not list it)"
    }


def test_the_manifest_says_whose_it_is(copy: Path) -> None:
    (copy / "SHA256SUMS.sig").unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["tool"] = "something-else"
    manifest["contract"]["file"] = "other.yaml"
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _rewrite_sums(copy)
    report = kit_verify.verify_kit(str(copy))
    assert [(p.file, p.reason) for p in report.problems] == [
        ("manifest.json", "not an install-contract manifest (its tool is not install-contract)"),
        ("manifest.json", "names a contract other than install-contract.yaml"),
    ]


def test_the_manifest_size_of_a_file_is_checked(copy: Path) -> None:
    (copy / "SHA256SUMS.sig").unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    row = next(r for r in manifest["files"] if r["path"] == "images.txt")
    real = row["size"]
    row["size"] = real + 1
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _rewrite_sums(copy)
    assert problems(copy) == {"images.txt": f"size {real} is not {real + 1} (manifest.json)"}


def test_a_second_archive_appended_to_a_signed_kit_is_refused(
    built: dict[str, Path], keys: dict[str, Path], tmp_path: Path
) -> None:
    hidden = archive.archive_bytes({"install-contract.yaml": b"models: []\n"})
    appended = tmp_path / "kit.tar.gz"
    appended.write_bytes(built["archive"].read_bytes() + hidden)
    with tarfile.open(appended, ignore_zeros=True) as tar:  # what `tar -i` sees
        assert tar.getnames().count("install-contract.yaml") == 2
    result = invoke("bundle", "verify", str(appended), "--key", str(keys["signer"]) + ".pub")
    assert result.exit_code == 1
    assert "(archive): unsafe, refused: " in result.stdout
    assert "bytes of data after the tar end-of-archive marker" in result.stdout


def test_verify_prints_each_warning_once(built: dict[str, Path]) -> None:
    result = invoke("bundle", "verify", str(built["archive"]))
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(set(warnings)) > 0
    assert any("egress" in line for line in warnings)


def test_signature_cases(copy: Path, keys: dict[str, Path], ssh_keygen: str) -> None:
    signer, other = keys["signer"].with_suffix(".pub"), keys["other"].with_suffix(".pub")
    # a signature by another key
    assert "SHA256SUMS.sig" in problems(copy, other)
    # a swapped signature: the other key's signature over the same SHA256SUMS
    (copy / "SHA256SUMS.sig").unlink()
    subprocess.run(
        [
            ssh_keygen,
            "-q",
            "-Y",
            "sign",
            "-n",
            "install-contract",
            "-f",
            str(keys["other"]),
            str(copy / "SHA256SUMS"),
        ],
        check=True,
        capture_output=True,
        input=b"",
    )
    assert problems(copy, other) == {}
    assert "not a valid signature" in problems(copy, signer)["SHA256SUMS.sig"]
    # a key and no signature
    (copy / "SHA256SUMS.sig").unlink()
    assert "missing, but a key was given" in problems(copy, signer)["SHA256SUMS.sig"]
    # no key, no signature: verified, with a warning that nobody vouches for the kit
    report = kit_verify.verify_kit(str(copy))
    assert report.verified and report.signature == "none"
    assert kit_verify.UNSIGNED_WARNING in report.warnings
    text = invoke("bundle", "verify", str(copy))
    assert text.exit_code == 0
    assert text.stdout.endswith("files, signature: none)\n")
    assert f"warning: {kit_verify.UNSIGNED_WARNING}\n" in text.stderr
    # --require-signature: that is an error
    required = kit_verify.verify_kit(str(copy), require_signature=True)
    assert {p.file: p.reason for p in required.problems} == {
        "SHA256SUMS.sig": "missing: the kit is not signed (--require-signature)"
    }
    refused = invoke("bundle", "verify", str(copy), "--require-signature")
    assert refused.exit_code == 1
    assert "SHA256SUMS.sig: missing: the kit is not signed (--require-signature)" in refused.stdout


def test_a_signature_in_another_namespace_is_refused(
    copy: Path, keys: dict[str, Path], ssh_keygen: str
) -> None:
    (copy / "SHA256SUMS.sig").unlink()
    subprocess.run(
        [ssh_keygen, "-q", "-Y", "sign", "-n", "file", "-f", str(keys["signer"]), str(copy / "SHA256SUMS")],
        check=True,
        capture_output=True,
    )
    assert "SHA256SUMS.sig" in problems(copy, keys["signer"].with_suffix(".pub"))


def _repack(kit: Path, out: Path, extra: list[tarfile.TarInfo]) -> Path:
    with tarfile.open(out, "w:gz") as tar:
        for name in _files(kit):
            tar.add(kit / name, arcname=name)
        for info in extra:
            tar.addfile(info)
    return out


@pytest.mark.parametrize(
    ("name", "kind", "link", "reason"),
    [
        ("../escaped.txt", tarfile.REGTYPE, "", "a '..' component (it would land outside the kit)"),
        (
            "rendered/escape",
            tarfile.SYMTYPE,
            "../../../escaped.txt",
            "a symbolic link to '../../../escaped.txt', outside the kit",
        ),
        ("/tmp/absolute.txt", tarfile.REGTYPE, "", "an absolute path"),
    ],
)
def test_crafted_archives_are_refused_naming_the_member(
    copy: Path, tmp_path: Path, name: str, kind: bytes, link: str, reason: str
) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    crafted = _repack(copy, tmp_path / "crafted.tar.gz", [info])
    result = invoke("bundle", "verify", str(crafted))
    assert result.exit_code == 1
    # The crafted member is the one problem: the rest of the kit is still read and checked.
    problems_shown = [
        line for line in result.stdout.splitlines() if ": " in line and "NOT verified" not in line
    ]
    assert problems_shown == [f"{name}: unsafe, refused: {reason}"]
    files = len(_files(copy))  # every file of the kit was still read
    assert result.stdout.rstrip().endswith(
        f"NOT verified: 1 problem(s) ({files} files, signature: not-checked)"
    )


def test_verify_exit_2_for_a_missing_kit_and_bad_key(tmp_path: Path, built: dict[str, Path]) -> None:
    missing = invoke("bundle", "verify", str(tmp_path / "nothing.tar.gz"))
    assert missing.exit_code == 2
    assert "no such kit" in missing.stderr
    not_a_key = tmp_path / "key.pub"
    not_a_key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    bad = invoke("bundle", "verify", str(built["archive"]), "--key", str(not_a_key))
    assert bad.exit_code == 2
    assert "not an OpenSSH public key" in bad.stderr


def test_a_damaged_archive_is_tampered(built: dict[str, Path], tmp_path: Path) -> None:
    damaged = tmp_path / "kit.tar.gz"
    data = bytearray(built["archive"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    result = invoke("bundle", "verify", str(damaged), "-f", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verified"] is False


# ---------------------------------------------------------------------------- building


def test_two_builds_give_the_same_bytes(tmp_path: Path, cache: Path, keys: dict[str, Path]) -> None:
    """The tool's wheel too is built again each time (from the checkout)."""
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run / "kit.tar.gz"
        out.parent.mkdir()
        result = invoke(
            "bundle",
            str(FIXTURE),
            "--out",
            str(out),
            "--sign-key",
            str(keys["signer"]),
            *build_args(cache, None),
            env={"SOURCE_DATE_EPOCH": "1700000000"},
        )
        assert result.exit_code == 0, result.output
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    data = (tmp_path / "one" / "kit.tar.gz").read_bytes()
    assert int.from_bytes(data[4:8], "little") == 1_700_000_000
    assert str(tmp_path).encode() not in data
    with tarfile.open(tmp_path / "one" / "kit.tar.gz") as tar:
        assert {m.mtime for m in tar.getmembers()} == {1_700_000_000}


def test_registry_rewrites_images_and_verify_renders_with_it(
    tmp_path: Path, cache: Path, tool_wheel: Path
) -> None:
    out = tmp_path / "kit"
    result = invoke(
        "bundle",
        str(FIXTURE),
        "--out",
        str(out),
        "--registry",
        "mirror.internal/ai",
        *build_args(cache, tool_wheel),
    )
    assert result.exit_code == 0, result.output
    assert (out / "images.txt").read_text().splitlines() == [
        "mirror.internal/ai/berriai/litellm-database:v1.106.2",
        "mirror.internal/ai/curlimages/curl:8.10.1",
        "mirror.internal/ai/library/busybox:1.36",
        "mirror.internal/ai/vllm/vllm-openai:v0.33.0",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["registry"] == "mirror.internal/ai"
    assert (
        "mirror.internal/ai/vllm/vllm-openai:v0.33.0"
        in (out / "rendered/helm/platform/nemotron.values.yaml").read_text()
    )
    assert invoke("bundle", "verify", str(out)).exit_code == 0
    # The registry recorded is the one verify renders with: a different one shows at once.
    manifest["registry"] = "elsewhere.internal"
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    found = problems(out)
    assert "manifest.json" in found
    assert "rendered/helm/litellm.values.yaml" in found


@pytest.mark.parametrize("key", ["postgresPassword", "openaiApiKey"])
def test_a_literal_secret_anywhere_refuses_the_kit(tmp_path: Path, cache: Path, key: str) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(
        FIXTURE.read_text().replace(
            "  domain: ai.example.internal\n", f"  domain: ai.example.internal\n  {key}: {CANARY}\n"
        )
    )
    out = tmp_path / "kit.tar.gz"
    result = invoke("bundle", str(contract), "--out", str(out), *build_args(cache, None))
    assert result.exit_code == 1
    assert (
        f"a literal secret would travel with the kit: /global/{key} (line 8): "
        "a literal value under a secret-looking key"
    ) in result.stderr
    assert CANARY not in result.output
    assert not out.exists()


def test_literal_secret_refuses_the_kit(tmp_path: Path, cache: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(FIXTURE.read_text().replace("${OPENAI_API_KEY}", CANARY, 1))
    out = tmp_path / "kit.tar.gz"
    result = invoke("bundle", str(contract), "--out", str(out), *build_args(cache, None))
    assert result.exit_code == 1
    assert "a literal secret would travel with the kit: /models/1/apiKey" in result.stderr
    assert "no kit was written" in result.stderr
    assert CANARY not in result.output
    assert not out.exists()


def test_invalid_contract_refuses_the_kit(tmp_path: Path, cache: Path) -> None:
    contract = tmp_path / "install-contract.yaml"
    contract.write_text(FIXTURE.read_text().replace("    apiVersion: '2024-10-21'\n", ""))
    result = invoke("bundle", str(contract), "--out", str(tmp_path / "k.tar.gz"), *build_args(cache, None))
    assert result.exit_code == 1
    assert f"{contract}:" in result.stderr and "IC301" in result.stderr
    assert not (tmp_path / "k.tar.gz").exists()


def test_usage_errors(tmp_path: Path, cache: Path) -> None:
    lock = tmp_path / "lock"
    lock.write_text("busybox:1.36\n")
    no_digest = invoke("bundle", str(FIXTURE), "--out", str(tmp_path / "k"), "--images-lock", str(lock))
    assert no_digest.exit_code == 2
    assert f"{lock}:1" in no_digest.stderr and "no @sha256" in no_digest.stderr
    assert invoke("bundle", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "k")).exit_code == 2
    assert invoke("bundle", str(FIXTURE), "--out", "k", "--registry", "https://x").exit_code == 2
    assert invoke("bundle", str(FIXTURE)).exit_code == 2  # --out is required
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("mine")
    full = invoke("bundle", str(FIXTURE), "--out", str(tmp_path / "full"), *build_args(cache, None))
    assert full.exit_code == 2
    assert "not an empty directory" in full.stderr
    assert (tmp_path / "full" / "x").read_text() == "mine"
    epoch = invoke("bundle", str(FIXTURE), "--out", "k.tar.gz", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert epoch.exit_code == 2


def test_bundle_group_help_and_explicit_build() -> None:
    help_text = invoke("bundle", "--help")
    assert help_text.exit_code == 0
    assert "verify" in help_text.stdout and "build" in help_text.stdout
    assert invoke("bundle", "verify", "--help").exit_code == 0
    assert "--out" in invoke("bundle", "build", "--help").stdout


# ---------------------------------------------------------------------------- offline install


def test_offline_install_from_the_wheelhouse(built: dict[str, Path], tmp_path: Path) -> None:
    """A fresh venv, no index at all, no pip configuration: the kit's wheels are enough."""
    kit = built["dir"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1"}
    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    wheelhouse = str(kit / "wheelhouse")
    install = subprocess.run(
        [*pip, "install", "-q", "--no-index", "--find-links", wheelhouse, "install-contract"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )
    assert install.returncode == 0, install.stderr
    hashed = subprocess.run(
        [
            *pip,
            "download",
            "-q",
            "--no-index",
            "--find-links",
            wheelhouse,
            "--require-hashes",
            "-r",
            str(kit / "wheelhouse" / "requirements.txt"),
            "-d",
            str(tmp_path / "dl"),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )
    assert hashed.returncode == 0, hashed.stderr
    tool = str(venv / "bin" / "install-contract")
    work = tmp_path / "elsewhere"
    work.mkdir()
    ran = subprocess.run(
        [tool, "validate", str(kit / "install-contract.yaml")],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rendered = subprocess.run(
        [tool, "render", str(kit / "install-contract.yaml"), "--out", str(work / "out")],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert rendered.returncode == 0, rendered.stderr
    ours = {
        p.relative_to(work / "out").as_posix(): p.read_bytes()
        for p in (work / "out").rglob("*")
        if p.is_file()
    }
    theirs = {
        p.relative_to(kit / "rendered").as_posix(): p.read_bytes()
        for p in (kit / "rendered").rglob("*")
        if p.is_file()
    }
    assert ours == theirs
    checked = subprocess.run(
        [tool, "bundle", "verify", str(built["archive"])],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import contract; print(contract.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert str(venv) in where.stdout
