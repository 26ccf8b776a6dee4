"""README.md renders as written, and its quick-start commands work on the bundled example.

A code fence left open turns the rest of the page into code (the semantic-router `curl` block
once swallowed "Plan and apply" and everything after it), so every fence must close where the
author meant it to. The blocks marked `<!-- quick-start -->` are run, command by command.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARK = "<!-- quick-start"
# Steps of the first block that this test stands in for: it runs inside the installed venv
# (creating one and pip-installing needs the package index and a minute), and it is itself
# part of ./scripts/test.
SETUP = (re.compile(r"^python3 -m venv "), re.compile(r"^\S*pip install "), re.compile(r"^\./scripts/test\b"))


def fences(text: str) -> list[Token]:
    return [t for t in MarkdownIt("commonmark").parse(text) if t.type == "fence"]


def unclosed_fences(text: str) -> list[str]:
    """Each fence that does not end where its author closed it, as `line N: why`."""
    lines = text.splitlines()
    problems = []
    for token in fences(text):
        assert token.map is not None
        start, end = token.map
        marker = token.markup
        last = lines[end - 1].strip() if end - 1 < len(lines) else ""
        if end - 1 <= start or not (last.startswith(marker[0] * len(marker)) and last.strip(marker[0]) == ""):
            problems.append(f"line {start + 1}: the {marker} fence is never closed")
            continue
        # A fence opener with an info string inside a block: the block before it was not closed.
        for offset, line in enumerate(token.content.splitlines(), start=start + 2):
            if re.match(r"^\s*(```|~~~)\s*[A-Za-z]", line):
                problems.append(
                    f"line {offset}: {line.strip()!r} is inside the code block that starts at line {start + 1}"
                )
    return problems


def test_every_fence_of_the_readme_is_closed() -> None:
    assert unclosed_fences(README.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_unclosed_fence() -> None:
    broken = "# t\n\n```sh\ncurl x\n## Next\n\n```sh\nls\n```\n\ntext\n"
    assert unclosed_fences(broken) == ["line 7: '```sh' is inside the code block that starts at line 3"]
    assert unclosed_fences("# t\n\n```sh\nls\n") == ["line 3: the ``` fence is never closed"]
    assert unclosed_fences("# t\n\n```sh\nls\n```\n") == []


def test_development_lists_each_script_once() -> None:
    """No list item of "Development" repeats another's opening command (a line once was)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Development\n", 1)[1].split("\n## ", 1)[0]
    openings = re.findall(r"^- (`[^`]+`)", section, flags=re.MULTILINE)
    assert openings and len(openings) == len(set(openings)), openings


def quick_start_blocks(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(text)
    blocks = []
    for before, token in itertools.pairwise(tokens):
        if token.type == "fence" and before.type == "html_block" and before.content.startswith(MARK):
            blocks.append(token.content)
    return blocks


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments dropped, `&&` chains split."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        for part in line.split(" && "):
            words = shlex.split(part, comments=True)
            if words:
                out.append(shlex.join(words))
    return out


def test_the_quick_start_blocks_are_found() -> None:
    blocks = quick_start_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) == 3
    first = commands(blocks[0])
    assert first[-2] == ".venv/bin/install-contract validate fixtures/install-contract.yaml"


@pytest.mark.slow
def test_every_quick_start_command_runs(tmp_path: Path) -> None:
    """The first block from the repository (it validates the bundled example); each other block
    in a directory of its own holding the bundled example as ./install-contract.yaml, except
    one that starts with `init`, which starts from nothing. Every command exits 0."""
    blocks = quick_start_blocks(README.read_text(encoding="utf-8"))
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NO_COLOR": "1",
        "LC_ALL": "C.UTF-8",
    }
    ran = []
    for index, block in enumerate(blocks):
        workdir = tmp_path / f"block-{index}"
        workdir.mkdir()
        if not commands(block)[0].startswith("install-contract init"):
            shutil.copy(ROOT / "fixtures" / "install-contract.yaml", workdir / "install-contract.yaml")
        for command in commands(block):
            if any(pattern.search(command) for pattern in SETUP):
                continue
            command = command.replace(".venv/bin/install-contract", "install-contract")
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=ROOT if index == 0 else workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, f"{command!r} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            ran.append(command)
    assert any(c.startswith("install-contract validate fixtures/") for c in ran)
    assert any(c.startswith("install-contract add ") for c in ran)
    assert any(c.endswith("--check") for c in ran)
    assert (tmp_path / "block-2" / "rendered" / "vllm" / "nemotron.sh").is_file()  # the bundled example's
