"""The kit's wheelhouse: this tool and every runtime dependency as wheels for the target.

The tool's own wheel is built from the checkout it runs from (`pip wheel --no-deps`; hatchling
writes reproducible wheels) or taken from `tool_wheel`. Its dependencies come from
`pip download` for the target interpreter and platform (`--only-binary :all:`, so nothing is
built on the air-gapped side), from the package index or, with `no_index`, from `find_links`
only. `requirements.txt` pins every wheel with `==` and `--hash`, so
`pip install --require-hashes -r requirements.txt` works there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contract.errors import ExternalError, InputError, UsageError

TIMEOUT = 900
_SOURCE = Path(__file__).resolve().parents[3]  # the checkout, when running from one
_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


@dataclass(frozen=True)
class Target:
    python_version: str = "3.11"
    platform: str = "manylinux_2_17_x86_64"

    def pip_args(self) -> list[str]:
        if not re.fullmatch(r"3\.\d{1,2}", self.python_version):
            raise UsageError(f"--python {self.python_version!r}: expected a version like 3.11")
        if not re.fullmatch(r"[a-z0-9_]+", self.platform):
            raise UsageError(
                f"--platform {self.platform!r}: expected a wheel platform tag like manylinux_2_17_x86_64"
            )
        nodot = self.python_version.replace(".", "")
        return [
            "--only-binary=:all:",
            "--python-version",
            self.python_version,
            "--implementation",
            "cp",
            "--abi",
            f"cp{nodot}",
            "--platform",
            self.platform,
        ]


def _pip(args: Sequence[str], what: str) -> None:
    env = dict(os.environ)
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExternalError(f"{what}: pip did not finish within {TIMEOUT} s") from None
    if proc.returncode != 0:
        lines = [
            line
            for line in (proc.stderr + proc.stdout).splitlines()
            if line.strip() and "is ignored: it is neither a file nor a directory" not in line
        ]
        detail = _CREDENTIALS.sub(r"\1****@", " / ".join(lines[-3:]) or "no output")
        raise ExternalError(f"{what} failed: {detail}")


def source_tree() -> Path | None:
    """The checkout this tool runs from, or None when it was installed from a wheel."""
    return _SOURCE if (_SOURCE / "pyproject.toml").is_file() and (_SOURCE / "contract").is_dir() else None


def build_tool_wheel(out: Path) -> Path:
    source = source_tree()
    if source is None:
        raise UsageError(
            "this install-contract was not installed from a checkout, so it cannot build its own "
            "wheel: pass --tool-wheel (the install_contract-*.whl it was installed from)"
        )
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    _pip(["wheel", "--no-deps", *isolation, "-q", "-w", str(out), str(source)], "building the tool's wheel")
    wheels = sorted(out.glob("install_contract-*.whl"))
    if len(wheels) != 1:
        raise ExternalError(f"building the tool's wheel gave {len(wheels)} wheels")
    return wheels[0]


def _project(filename: str) -> tuple[str, str]:
    """(normalised name, version) from a wheel file name."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) < 5:
        raise ExternalError(f"{filename}: not a wheel file name")
    return re.sub(r"[-_.]+", "-", parts[0]).lower(), parts[1]


def requirements(wheels: dict[str, bytes]) -> bytes:
    """`name==version --hash=sha256:…` for every wheel, sorted by name."""
    lines = []
    for filename, data in sorted(wheels.items(), key=lambda item: _project(item[0])):
        name, version = _project(filename)
        lines.append(f"{name}=={version} --hash=sha256:{hashlib.sha256(data).hexdigest()}\n")
    return "".join(lines).encode("utf-8")


def build_wheelhouse(
    target: Target,
    *,
    tool_wheel: str | None = None,
    find_links: Sequence[str] = (),
    no_index: bool = False,
) -> dict[str, bytes]:
    """`wheelhouse/` relative path -> bytes: every wheel and requirements.txt."""
    with tempfile.TemporaryDirectory(prefix="ic-wheelhouse-") as tmp:
        work = Path(tmp)
        if tool_wheel is not None:
            wheel = Path(tool_wheel)
            if (
                not wheel.is_file()
                or not wheel.name.startswith("install_contract-")
                or wheel.suffix != ".whl"
            ):
                raise InputError(f"--tool-wheel {tool_wheel}: not an install_contract-*.whl file")
        else:
            (work / "tool").mkdir()
            wheel = build_tool_wheel(work / "tool")
        dest = work / "wheels"
        index = ["--no-index"] if no_index else []
        links = [arg for link in find_links for arg in ("--find-links", link)]
        _pip(
            ["download", "-q", *index, *links, *target.pip_args(), "-d", str(dest), str(wheel)],
            "downloading the wheelhouse",
        )
        wheels = {p.name: p.read_bytes() for p in sorted(dest.glob("*.whl"))}
        others = sorted(p.name for p in dest.iterdir() if p.suffix != ".whl")
        if others:
            raise ExternalError(f"pip downloaded files that are not wheels: {', '.join(others)}")
    files = {f"wheelhouse/{name}": data for name, data in wheels.items()}
    files["wheelhouse/requirements.txt"] = requirements(wheels)
    return files
