"""The published pre-commit hooks, run by the real pre-commit in a throw-away repository.

A snapshot of this repository's working tree (what a tag would hold) is committed into a
temporary git repository; a second repository uses it by path and `rev` in its
`.pre-commit-config.yaml`, installs the git hook and commits: a contract with an error fails
the commit with the diagnostic, a good one passes, and a stale `rendered/` fails with a diff.

The hooks are `language: python`: pre-commit builds this project into a virtualenv of its own
with pip, from the package index pip is configured with (no other network).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.corpus import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# What `pip install .` needs: the project without its tests.
SNAPSHOT = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "contract",
    "cli",
    "schemas",
    "templates",
    "docs",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def run(
    *args: str | Path, cwd: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    keep = {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in ("LANG", "SSL_CERT_FILE")}
    return {
        **keep,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """This repository's working tree, committed: (its path, the commit to use as rev)."""
    source = tmp_path_factory.mktemp("install-contract-hooks")
    for name in SNAPSHOT:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    run("git", "init", "-q", "-b", "main", cwd=source, env=env)
    run("git", "add", "-A", cwd=source, env=env)
    run("git", "commit", "-q", "-m", "snapshot", cwd=source, env=env)
    rev = run("git", "rev-parse", "HEAD", cwd=source, env=env).stdout.strip()
    return source, rev


@pytest.fixture
def user_repo(tmp_path: Path, hooks_repo: tuple[Path, str], env: dict[str, str]) -> Path:
    source, rev = hooks_repo
    repo = tmp_path / "platform"
    repo.mkdir()
    run("git", "init", "-q", "-b", "main", cwd=repo, env=env)
    (repo / ".pre-commit-config.yaml").write_text(
        f"""repos:
  - repo: {source}
    rev: {rev}
    hooks:
      - id: install-contract-validate
      - id: install-contract-render-check
        args: [install-contract.yaml, --out, rendered]
""",
        encoding="utf-8",
    )
    run("pre-commit", "install", cwd=repo, env=env)
    return repo


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    run("git", "add", "-A", cwd=repo, env=env)
    return run("git", "commit", "-m", message, cwd=repo, env=env, check=False)


def test_a_bad_contract_fails_the_commit_and_a_good_one_passes(user_repo: Path, env: dict[str, str]) -> None:
    good = (FIXTURES / "install-contract.yaml").read_text(encoding="utf-8")
    bad = good.replace("litellmModel: openai/deephat-v2", "litellmModel: openai/deephat", 1)
    assert bad != good
    (user_repo / "install-contract.yaml").write_text(bad, encoding="utf-8")

    refused = commit(user_repo, env, "a served-name mismatch")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "install-contract validate" in output and "Failed" in output
    assert "install-contract.yaml:" in output and "error IC104" in output  # the diagnostic, with its place
    assert "hint:" in output
    assert run("git", "rev-list", "--all", cwd=user_repo, env=env).stdout == ""  # nothing was committed

    (user_repo / "install-contract.yaml").write_text(good, encoding="utf-8")
    run("install-contract", "render", "install-contract.yaml", "--out", "rendered", cwd=user_repo, env=env)
    passed = commit(user_repo, env, "the platform's models")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    output = passed.stdout + passed.stderr
    assert "install-contract validate" in output and "Passed" in output
    assert "install-contract render --check" in output and "Failed" not in output

    config = user_repo / "rendered" / "litellm" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("gpt-4o", "gpt-4o-mini", 1), encoding="utf-8"
    )
    stale = commit(user_repo, env, "an edit by hand")
    output = stale.stdout + stale.stderr
    assert stale.returncode != 0, output
    assert "changed: litellm/config.yaml" in output and "rendered: stale, render again" in output
    assert any(line.startswith("-") and "gpt-4o-mini" in line for line in output.splitlines()), output
