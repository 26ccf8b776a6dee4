"""Options several commands take have one definition (cli/_options.py): the same name, default,
type and help wherever they appear."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import pytest

from cli._options import (
    CA_BUNDLE,
    TIMEOUT,
    check_options,
    env_option,
    file_option,
    format_option,
    kube_options,
)
from cli.main import main


def command(*path: str) -> click.Command:
    ctx = click.Context(main)
    found: Any = main
    for name in path:
        found = found.get_command(ctx, name)
    assert isinstance(found, click.Command)
    return found


def option(cmd: click.Command, name: str) -> dict[str, Any]:
    (found,) = [p for p in cmd.params if name in p.opts]
    return found.to_info_dict()


def defined(decorator: Callable[..., Any]) -> dict[str, dict[str, Any]]:
    """The options a decorator of cli/_options.py adds, by their long name."""

    def fn() -> None: ...

    decorator(fn)
    params: list[click.Parameter] = fn.__click_params__  # type: ignore[attr-defined]
    return {p.opts[-1]: p.to_info_dict() for p in params}


@pytest.mark.parametrize("name", ["plan", "apply", "check"])
def test_check_s_shared_options_are_the_one_definition(name: str) -> None:
    shared = {**defined(TIMEOUT), **defined(CA_BUNDLE), **defined(kube_options)}
    for long, info in shared.items():
        assert option(command(name), long) == info
    assert option(command(name), "--env")["name"] == "env_name"


def test_apply_takes_every_check_option_as_check_does() -> None:
    for long, info in defined(check_options).items():
        assert option(command("apply"), long) == info == option(command("check"), long)


def test_the_env_option_says_what_each_command_does_with_it() -> None:
    (use,) = defined(env_option()).values()
    (check,) = defined(env_option("Check")).values()
    assert option(command("plan"), "--env") == use == option(command("apply"), "--env")
    assert option(command("check"), "--env") == check
    assert check["help"] == "Check environment NAME's resolved contract (environments: in the contract)."


def test_file_and_format_options_differ_only_in_their_help() -> None:
    for cmd, help_text in [
        (command("discover"), "Append the chosen candidates to FILE."),
        (command("import", "litellm"), "Append to the contract FILE (names already there are skipped)."),
    ]:
        assert option(cmd, "--add") == defined(file_option("--add", "add_path", help=help_text))["--add"]
    assert option(command("discover"), "--format") == defined(format_option("table", "json"))["--format"]
    assert option(command("check"), "--format") == defined(format_option("text", "json"))["--format"]
    assert option(command("plan"), "--format")["default"] == "text"
