"""`--help`: every command lists its exit codes, the top level shows every summary whole, and
`render --target` names every target."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cli.main import main
from contract.knowledge.targets import TARGETS


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand, as the words that name it."""
    ctx = click.Context(group)
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
    return paths


def help_of(*words: str) -> str:
    result = CliRunner().invoke(main, [*words, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def exit_codes(text: str) -> dict[int, str]:
    """The `Exit codes:` section of a help text: code -> meaning."""
    assert "Exit codes:" in text, text
    section = text.split("Exit codes:", 1)[1]
    return {int(code): meaning for code, meaning in re.findall(r"^\s+(\d+)\s+(\S.*)$", section, re.MULTILINE)}


def flat(text: str) -> str:
    """Help text with its wrapping undone (a hyphenated word split over two lines joined)."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", re.sub(r"\s+", " ", text))


def test_the_walk_finds_every_command() -> None:
    paths = command_paths()
    for expected in [("validate",), ("render",), ("plan",), ("apply",), ("bundle",), ("bundle", "verify")]:
        assert expected in paths


@pytest.mark.parametrize("path", [(), *command_paths()], ids=lambda p: " ".join(p) or "install-contract")
def test_every_help_lists_exit_codes(path: tuple[str, ...]) -> None:
    codes = exit_codes(help_of(*path))
    assert 0 in codes and 2 in codes, codes
    assert all(meaning.strip() for meaning in codes.values())


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("validate",), {0, 1, 2}),
        (("render",), {0, 1, 2}),
        (("check",), {0, 1, 2, 3, 130}),
        (("plan",), {0, 1, 2, 3, 4}),
        (("apply",), {0, 1, 2, 3}),
        (("bundle", "build"), {0, 1, 2, 3}),
        (("bundle", "verify"), {0, 1, 2}),
        ((), {0, 1, 2, 3, 4, 70, 130}),
    ],
)
def test_the_codes_are_the_commands_own(path: tuple[str, ...], expected: set[int]) -> None:
    assert set(exit_codes(help_of(*path))) == expected


def test_top_level_help_shows_each_summary_whole() -> None:
    text = help_of()
    listing = flat(text.split("Commands:", 1)[1].split("Exit codes:", 1)[0])
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None and command.help
        first = " ".join(command.help.split("\n\n", 1)[0].split())
        assert f"{name} {first}" in listing, (name, first)
    assert "..." not in listing
    assert "Explain rule CODE (e.g. IC301), with failing and passing examples" in listing


def test_render_target_help_names_every_target() -> None:
    text = flat(help_of("render"))
    option = text.split("--target", 1)[1].split(" --templates", 1)[0]
    for target in TARGETS:
        assert target in option, target
    assert "router" in option
