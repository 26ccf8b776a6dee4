"""A contract with a `routers:` block: the valid example's models and any routers, validated.

Not a test module: `from tests.support.router_contracts import ...`.
"""

from __future__ import annotations

from pathlib import Path

from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_file
from tests.support.corpus import CONTRACTS, EXPORTED

OPTIONS = Options(check_env=True, env=EXPORTED)
VALID_ROUTER = (CONTRACTS / "valid" / "router-coding.yaml").read_text(encoding="utf-8")
HEAD, ROUTERS = VALID_ROUTER.split("\nrouters:\n", 1)


def run(write, routers: str):  # type: ignore[no-untyped-def]
    """Validate the example's models with these `routers:` (YAML under the key), written by `write`."""
    path: Path = write(HEAD + "\nrouters:\n" + routers)
    return validate_file(str(path), OPTIONS)


def found(write, routers: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(code, path) of each diagnostic of `run`."""
    return [(d.code, d.path) for d in run(write, routers).diagnostics]
