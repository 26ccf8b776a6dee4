"""`--env NAME` for the commands that compile one contract (plan, apply, check): the validation
result narrowed to one environment."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract.pipeline.validate import Result


def chosen(result: Result, env: str | None) -> Result:
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
