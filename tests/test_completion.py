"""Shell completion, through a real bash: the script `completion bash` prints is sourced, and
its function is asked for the candidates of a partial word, as bash does on <Tab>."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from contract.knowledge.targets import TARGETS
from contract.pipeline.rules import RULES
from tests.support.corpus import FIXTURES

BIN = str(Path(sys.executable).parent)
FIXTURE = FIXTURES / "install-contract.yaml"
FIXTURE_NAMES = [
    "claude-sonnet-4-20250514",
    "gpt-4o",
    "gemini-2.5-pro",
    "claude-sonnet-4-bedrock",
    "azure-gpt-4o",
    "text-embedding-3-small",
    "qwen3-coder-30b",
    "deephat-v2",
    "nemotron",
]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def env() -> dict[str, str]:
    return {"PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/")}


def candidates(*words: str, cwd: Path | None = None) -> list[str]:
    """What bash offers for the last of `words`, with the completion script loaded."""
    script = CliRunner().invoke(main, ["completion", "bash"]).stdout
    program = f"""
{script}
COMP_WORDS=({" ".join(shlex.quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMPREPLY=()
_install_contract_completion install-contract
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_script_is_clicks_own() -> None:
    result = CliRunner().invoke(main, ["completion", "bash"])
    assert result.exit_code == 0
    assert "_INSTALL_CONTRACT_COMPLETE=bash_complete" in result.stdout
    assert "complete -o nosort -F _install_contract_completion install-contract" in result.stdout


def test_zsh_and_fish_scripts() -> None:
    zsh = CliRunner().invoke(main, ["completion", "zsh"])
    assert zsh.exit_code == 0 and zsh.stdout.startswith("#compdef install-contract")
    fish = CliRunner().invoke(main, ["completion", "fish"])
    assert fish.exit_code == 0 and "complete --no-files --command install-contract" in fish.stdout
    other = CliRunner().invoke(main, ["completion", "powershell"])
    assert other.exit_code == 2


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_callbacks_answer(shell: str) -> None:
    """Neither shell is installed here: the call their scripts make is made directly."""
    done = subprocess.run(
        ["install-contract"],
        env={
            **env(),
            "_INSTALL_CONTRACT_COMPLETE": f"{shell}_complete",
            "COMP_WORDS": "install-contract explain IC40",
            # bash and zsh pass the index of the word; fish passes the word itself
            "COMP_CWORD": "2" if shell == "zsh" else "IC40",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "IC405" in done.stdout and "flag-reference" in done.stdout  # the code, with its name as help


def test_commands() -> None:
    assert candidates("install-contract", "comp") == ["completion"]
    assert "explain" in candidates("install-contract", "")


def test_rule_codes_for_explain() -> None:
    assert candidates("install-contract", "explain", "IC30") == sorted(
        c for c in RULES if c.startswith("IC30")
    )
    assert candidates("install-contract", "explain", "IC10")[0] == "IC101"
    assert len(candidates("install-contract", "explain", "")) == len(RULES)


def test_model_names_for_check_model(tmp_path: Path) -> None:
    # the contract named on the command line
    assert candidates("install-contract", "check", str(FIXTURE), "--model", "") == FIXTURE_NAMES
    assert candidates("install-contract", "check", str(FIXTURE), "--model", "claude") == [
        "claude-sonnet-4-20250514",
        "claude-sonnet-4-bedrock",
    ]
    # else ./install-contract.yaml
    assert candidates("install-contract", "check", "--model", "q", cwd=FIXTURES) == ["qwen3-coder-30b"]
    # a contract that cannot be read offers nothing, and says nothing
    (tmp_path / "install-contract.yaml").write_text("models: [\n")
    assert candidates("install-contract", "check", "--model", "", cwd=tmp_path) == []
    (tmp_path / "empty").mkdir()
    assert candidates("install-contract", "check", "--model", "", cwd=tmp_path / "empty") == []
    # the positional FILE before an option that waits for its value, and after it
    assert candidates("install-contract", "check", "--model", "gpt-4o", str(FIXTURE), "--model", "n") == [
        "nemotron"
    ]


def test_model_names_for_remove() -> None:
    # the contract of --file
    assert candidates("install-contract", "remove", "--file", str(FIXTURE), "g") == [
        "gpt-4o",
        "gemini-2.5-pro",
    ]
    assert candidates("install-contract", "remove", "--file", str(FIXTURE), "") == FIXTURE_NAMES
    # else ./install-contract.yaml
    assert candidates("install-contract", "remove", "d", cwd=FIXTURES) == ["deephat-v2"]
    assert candidates("install-contract", "remove", "--from-flags", "n", cwd=FIXTURES) == ["nemotron"]


def test_targets_for_render() -> None:
    assert candidates("install-contract", "render", "--target", "") == list(TARGETS)
    assert candidates("install-contract", "render", "-t", "r") == ["router"]
    assert candidates("install-contract", "render", "--target", "litellm,h") == [
        "litellm,helm-platform",
        "litellm,helm-production-stack",
        "litellm,helm-litellm",
    ]
