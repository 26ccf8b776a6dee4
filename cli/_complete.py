"""Shell completion: what the shell is offered for rule codes, model names and render targets.

`install-contract completion bash|zsh|fish` prints click's own script; the script calls the
program back with `_INSTALL_CONTRACT_COMPLETE=<shell>_complete`, and click asks these
functions (attached with `shell_complete=`) for the candidates of the word being typed.
They never fail: a contract that cannot be read offers no names. Attach them as

    @click.argument("name", shell_complete=complete_model_names)        # e.g. `remove NAME`
    @click.option("--model", shell_complete=complete_model_names)       # `check --model`
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem

from cli import DEFAULT_FILE

PROG = "install-contract"
COMPLETE_VAR = "_INSTALL_CONTRACT_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
# The parameter that names the contract, by the names commands give it (FILE, --file).
_FILE_PARAMS = ("file", "path", "contract")


def script(shell: str, cli: click.Command) -> str:
    """click's completion script for `shell`, for the program `install-contract`."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:  # pragma: no cover - SHELLS are click's own
        raise click.UsageError(f"no completion for {shell}")
    return completion(cli, {}, PROG, COMPLETE_VAR).source()


def complete_rule_codes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Rule codes starting with what was typed (any case), each with its name as help."""
    from contract.pipeline.rules import RULES

    typed = incomplete.upper()
    return [
        CompletionItem(code, help=f"{rule.name}: {rule.summary}")
        for code, rule in sorted(RULES.items())
        if code.startswith(typed)
    ]


def complete_targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """render's targets; after a comma, the next target of a list (`litellm,v` -> `litellm,vllm`)."""
    from contract.knowledge.targets import TARGETS

    done, _, typed = incomplete.rpartition(",")
    chosen = set(done.split(",")) if done else set()
    prefix = f"{done}," if done else ""
    return [CompletionItem(prefix + t) for t in TARGETS if t.startswith(typed) and t not in chosen]


def contract_path(ctx: click.Context) -> str:
    """The contract the command line names so far (its FILE or --file), else the default."""
    from click.core import ParameterSource

    given = dict(ctx.params)
    # While an option still waits for its value (`check FILE --model <Tab>`), click stops
    # parsing and leaves the positional words in ctx.args: give them to the arguments in order.
    if ctx.args:
        arguments = [
            p.name
            for p in ctx.command.params
            if isinstance(p, click.Argument)
            and ctx.get_parameter_source(p.name or "") is ParameterSource.DEFAULT
        ]
        words = [a for a in ctx.args if not a.startswith("-")]
        given.update({name: word for name, word in zip(arguments, words, strict=False) if name})
    for name in _FILE_PARAMS:
        value = given.get(name)
        if isinstance(value, str) and value and value != "-":
            return value
    return DEFAULT_FILE


def model_names(path: str) -> list[str]:
    """Every `litellmModelName` of the contract at `path`, in file order; [] when unreadable."""
    from contract.pipeline.load import load

    try:
        if os.path.getsize(path) > 16 * 1024 * 1024:
            return []
        with open(path, encoding="utf-8") as handle:
            document = load(handle.read())
    except Exception:  # a completion never fails: whatever the file holds, no names
        return []
    data = document.data
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list):
        return []
    names = []
    for entry in models:
        name = entry.get("litellmModelName") if isinstance(entry, dict) else None
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


def complete_model_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The contract's model names (litellmModelName) starting with what was typed."""
    return [CompletionItem(name) for name in model_names(contract_path(ctx)) if name.startswith(incomplete)]
