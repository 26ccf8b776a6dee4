"""scripts/sandbox driven as a user would: started, waited for, walked through plan -> apply -> plan,
and stopped with Ctrl-C.

Not a test module: `from tests.support.sandbox import ...`.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SANDBOX = ROOT / "scripts" / "sandbox"


def closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) != 0


def wait_for(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    """stdout lines up to and including the one that holds `marker`."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(
        f"no {marker!r} within {timeout:.0f} s (exit {process.poll()}):\n" + "\n".join(lines)
    )


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group the process leads
    (started with `start_new_session`); (exit code, what it said after)."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        rest, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("did not stop within 90 s of SIGINT") from None
    return process.returncode, rest


@dataclass
class Sandbox:
    process: subprocess.Popen[str]
    directory: Path
    banner: list[str]

    @property
    def env(self) -> dict[str, str]:
        """env.sh, as `source` would set it, over a minimal environment."""
        env = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(self.directory)}
        for line in (self.directory / "env.sh").read_text(encoding="utf-8").splitlines():
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                env[name] = shlex.split(value)[0]
        return env

    def url(self, label: str) -> str:
        line = next(line for line in self.banner if line.strip().startswith(label))
        return line.split()[1]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["install-contract", *args],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@contextmanager
def sandbox(directory: Path, *options: str) -> Iterator[Sandbox]:
    process = subprocess.Popen(
        [str(SANDBOX), "--dir", str(directory), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        banner = wait_for(process, "sandbox ready", 300)
        yield Sandbox(process, directory, banner)
    finally:
        if process.poll() is None:  # the test failed: let the sandbox stop its servers
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def walk_plan_apply_plan(box: Sandbox) -> tuple[str, str]:
    """README "Try apply locally": plan, apply, plan --exit-code; (first plan, last plan)."""
    contract = "install-contract.yaml"
    first = box.cli("plan", contract)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "admin-api" in first.stdout and "create" in first.stdout
    applied = box.cli("apply", "--yes", "--skip-check", contract)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Applied" in applied.stdout
    again = box.cli("plan", "--exit-code", contract)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout
    for result in (first, applied, again):
        assert "placeholder" not in result.stdout + result.stderr  # the keys stay in the Secret
    return first.stdout + first.stderr, again.stdout + again.stderr
