"""The real Unleash 8.2.0 on a real PostgreSQL 15, both on 127.0.0.1, for the flag tests.

Unleash comes from `.peers/unleash` (scripts/peers/install-unleash); PostgreSQL from the
machine's `/usr/lib/postgresql/15/bin` (or `$PG_BIN`). A fresh cluster lives in a temporary
directory for the whole session: as root, PostgreSQL runs through `runuser -u postgres` in a
directory that user owns (initdb refuses root). A missing peer skips the tests on a
developer's machine and fails them under `CI=true`.

Fixtures never reset flags by archiving and deleting them (that crashes 8.2.0 with an
unhandled foreign-key error): each test uses flag names of its own (`unique_flag`).

    def test_x(unleash: UnleashServer) -> None:        # registered in tests/conftest.py
        unleash.admin_token, unleash.url, unleash.client_features("production")
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.peers import PEERS_DIR, PeerStartError, free_port

UNLEASH_VERSION = "8.2.0"
UNLEASH_DIR = PEERS_DIR / "unleash"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ENVIRONMENTS = ("development", "production")
# Tokens only the local test server knows; never a real credential.
ADMIN_TOKEN = "*:*.install-contract-test-admin"
CLIENT_TOKENS = {env: f"default:{env}.install-contract-test-client" for env in ENVIRONMENTS}


def unique_flag(stem: str) -> str:
    """A flag name no other test uses (flags cannot be reset safely)."""
    return f"{stem}_{uuid.uuid4().hex[:12]}"


def _missing(message: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def unleash_node() -> str | None:
    """The node that runs the installed Unleash, or None when Unleash is not installed."""
    if not (UNLEASH_DIR / f".installed-{UNLEASH_VERSION}").is_file():
        return None
    recorded = UNLEASH_DIR / "node-path"
    node = recorded.read_text().strip() if recorded.is_file() else shutil.which("node")
    return node if node and Path(node).exists() else None


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


class PostgreSQL:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (trust authentication, user postgres)."""

    def __init__(self) -> None:
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="unleash-pg-"))
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_postgres, str(PG_BIN / tool), *args]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False, cwd=self.root
        )
        if done.returncode != 0:
            raise PeerStartError(
                f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{_tail(self.log)}"
            )

    def start(self) -> PostgreSQL:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.port = free_port()
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start"
        )
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "unleash")
        return self

    def stop(self) -> None:
        with contextlib.suppress(PeerStartError, subprocess.TimeoutExpired):
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class UnleashServer:
    url: str
    admin_token: str
    environments: tuple[str, ...]
    log_path: Path

    def client_features(self, environment: str) -> dict[str, dict[str, Any]]:
        """Every flag as the platform's SDKs see it (`/api/client/features`), by name."""
        request = urllib.request.Request(
            f"{self.url}/api/client/features", headers={"Authorization": CLIENT_TOKENS[environment]}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
        return {f["name"]: f for f in body["features"]}

    def log(self) -> str:
        return _tail(self.log_path, 200)


class Unleash:
    """`node -e "require('unleash-server').start()"` configured by environment variables."""

    def __init__(self, node: str, postgres: PostgreSQL) -> None:
        self.node = node
        self.postgres = postgres
        self.port = 0
        self.log_path = postgres.root.parent / f"{postgres.root.name}-unleash.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout: float = 240.0) -> UnleashServer:
        self.port = free_port()
        home = Path(tempfile.mkdtemp(prefix="unleash-home-"))
        env = {
            "PATH": f"{Path(self.node).parent}{os.pathsep}{os.defpath.lstrip(os.pathsep)}",
            "HOME": str(home),
            "NODE_ENV": "production",
            "DATABASE_HOST": "127.0.0.1",
            "DATABASE_PORT": str(self.postgres.port),
            "DATABASE_NAME": "unleash",
            "DATABASE_USERNAME": "postgres",
            "DATABASE_PASSWORD": "unused-trust-auth",
            "DATABASE_SSL": "false",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "INIT_ADMIN_API_TOKENS": ADMIN_TOKEN,
            "INIT_CLIENT_API_TOKENS": ",".join(CLIENT_TOKENS.values()),
            "SEND_TELEMETRY": "false",
            "CHECK_VERSION": "false",
            "LOG_LEVEL": "warn",
        }
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [self.node, "-e", "require('unleash-server').start()"],
                cwd=UNLEASH_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{self.port}"
        while True:
            if self._process.poll() is not None:
                raise PeerStartError(
                    f"unleash exited with {self._process.returncode}\n{_tail(self.log_path)}"
                )
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(f"{url}/health", timeout=2) as response,
            ):
                if response.status == 200:
                    break
            if time.monotonic() - started > ready_timeout:
                self.stop()
                raise PeerStartError(
                    f"unleash not healthy after {ready_timeout:.0f} s\n{_tail(self.log_path)}"
                )
            time.sleep(0.3)
        return UnleashServer(url, ADMIN_TOKEN, ENVIRONMENTS, self.log_path)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


@contextlib.contextmanager
def running_unleash() -> Iterator[UnleashServer]:
    """Unleash 8.2.0 on PostgreSQL 15, both on 127.0.0.1 (the session's `unleash` fixture of
    tests/conftest.py); skips, or fails under CI=true, when either is not installed."""
    node = unleash_node()
    if node is None:
        _missing(
            f"real peer unleash-server=={UNLEASH_VERSION} is not installed in .peers/unleash: "
            "run scripts/peers/install-unleash"
        )
    if not (PG_BIN / "initdb").exists():
        _missing(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb is missing; set PG_BIN)")
    assert node is not None
    postgres = PostgreSQL()
    server: Unleash | None = None
    try:
        postgres.start()
        server = Unleash(node, postgres)
        yield server.start()
    finally:
        if server is not None:
            server.stop()
            with contextlib.suppress(OSError):
                server.log_path.unlink()
        postgres.stop()
