"""`resolve --env NAME` and `diff --env A --env B`: environments as commands, one outcome each."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contract.errors import InputError, UsageError
from contract.outcome import Outcome, Status
from contract.workflows.envdiff import Change

if TYPE_CHECKING:
    from contract.pipeline.validate import Result


@dataclass(frozen=True)
class Resolved(Outcome):
    """`resolve`: environment `env`'s contract as a file of its own."""

    text: str = ""


@dataclass(frozen=True)
class Diffed(Outcome):
    """`diff`: what differs between environments `a` and `b` (DIFFERS when anything does).

    `secrets`: the contract's literal secret values, masked wherever the report would show one;
    INVALID: the file is not a contract (`problem`); REFUSED with `usage`: it is not UTF-8."""

    file: str = ""
    a: str = ""
    b: str = ""
    changes: tuple[Change, ...] = ()
    secrets: frozenset[str] = frozenset()
    problem: str | None = None
    usage: str | None = None


def only_environment(result: Result, env: str | None) -> Result:
    """`result` with its contract replaced by environment `env`'s (None: unchanged), and
    without the diagnostics of the other environments (each names its environment first).

    An environment the file does not declare is a usage error; one with errors has no
    contract, so the caller's "the contract has errors" applies."""
    if env is None:
        return result
    from contract.pipeline.render.environments import choose

    choose(result.declared_environments, (env,), False)
    others = tuple(f"environment {o}: " for o in result.declared_environments if o != env)
    own = tuple(d for d in result.diagnostics if not d.message.startswith(others or ("\0",)))
    return dataclasses.replace(result, diagnostics=own, contract=result.environments.get(env))


def _read(file: str, stdin: Callable[[], bytes] | None) -> bytes:
    from contract.pipeline.validate import read_contract

    if file == "-":
        return stdin() if stdin is not None else b""
    return read_contract(file)


def resolve_environment(file: str, env_name: str, stdin: Callable[[], bytes] | None = None) -> Resolved:
    """Environment `env_name` of the contract `file` resolved; UsageError when it holds a literal
    secret (nothing is shown then: write it as ${VAR})."""
    from contract.knowledge.secrets import literal_places, mask
    from contract.pipeline.load import decode, load
    from contract.pipeline.render.environments import resolved_text

    text, problem = decode(_read(file, stdin))
    if text is None:
        raise InputError(f"{file}: {problem.message if problem else 'cannot be read'}")
    resolved = resolved_text(text, env_name, file)
    if mask(resolved, load(text).secrets) != resolved:
        places = [
            "/" + "/".join(str(part) for part in path) for path, _ in literal_places(load(resolved).data)
        ]
        raise UsageError(
            f"{file}: environment {env_name} holds a literal secret"
            f" ({', '.join(places) or 'IC303'}); nothing was printed: "
            "write it as ${VAR} and keep the value in the environment"
        )
    return Resolved(Status.OK, text=resolved)


def diff_files(file: str, a: str, b: str) -> Diffed:
    """What differs between environments `a` and `b` of the contract `file`."""
    from contract.pipeline.environments import environment_names
    from contract.pipeline.load import load
    from contract.pipeline.render.environments import choose
    from contract.pipeline.validate import read_contract
    from contract.workflows.envdiff import diff_environments

    raw = read_contract(file)
    try:
        doc = load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Diffed(Status.REFUSED, file=file, a=a, b=b, usage=f"{file}: is not UTF-8 text")
    if not doc.ok or not isinstance(doc.data, dict):
        problem = f"{file} cannot be read as a contract; run validate"
        return Diffed(Status.INVALID, file=file, a=a, b=b, problem=problem)
    choose(environment_names(doc.data), (a, b), False)
    changes = tuple(diff_environments(doc.data, a, b))
    status = Status.DIFFERS if changes else Status.OK
    return Diffed(status, file=file, a=a, b=b, changes=changes, secrets=frozenset(doc.secrets))
