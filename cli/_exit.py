"""The one place where outcomes become exit codes.

| code | meaning |
|---|---|
| 0 | no errors (warnings allowed, unless --strict) |
| 1 | the contract has errors (or warnings under --strict); a template override is broken |
| 2 | usage error, or input that cannot be read (missing file, directory, I/O error) |
| 3 | a system outside the tool failed (API down, check failed) |
| 130, 141 | interrupted; stdout closed by its reader (`| head`) |
| 70 | a bug in the tool: one line on stderr; INSTALL_CONTRACT_DEBUG=1 shows the traceback |
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from contract.errors import ExternalError, InputError, InstallContractError, TemplateError, UsageError

OK, FAILED, USAGE, EXTERNAL, INTERNAL = 0, 1, 2, 3, 70

F = TypeVar("F", bound=Callable[..., Any])


def code_for(exc: BaseException) -> int:
    if isinstance(exc, (InputError, UsageError)):
        return USAGE
    if isinstance(exc, ExternalError):
        return EXTERNAL
    if isinstance(exc, TemplateError):
        return FAILED
    return INTERNAL


def validation_code(results: Sequence[Any], strict: bool) -> int:
    if any(r.errors for r in results):
        return FAILED
    if strict and any(r.warnings for r in results):
        return FAILED
    return OK


def handled(fn: F) -> F:
    """Turn library exceptions into one line on stderr and the right exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except InstallContractError as exc:
            click.echo(f"install-contract: {exc}", err=True)
            sys.exit(code_for(exc))
        except BrokenPipeError:
            # `install-contract explain | head`: the reader left; say nothing more.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except KeyboardInterrupt:
            click.echo("install-contract: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("INSTALL_CONTRACT_DEBUG"):
                raise
            click.echo(
                f"install-contract: internal error: {type(exc).__name__}: {exc} "
                "(please report it; INSTALL_CONTRACT_DEBUG=1 shows the traceback)",
                err=True,
            )
            sys.exit(INTERNAL)

    return wrapper  # type: ignore[return-value]
