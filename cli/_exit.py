"""The one place where outcomes and exceptions become exit codes.

| code | meaning |
|---|---|
| 0 | no errors (warnings allowed, unless --strict) |
| 1 | the contract has errors (or warnings under --strict); a template override is broken; a change refused; a difference found |
| 2 | usage error, or input that cannot be read (missing file, directory, I/O error) |
| 3 | a system outside the tool failed (API down, check failed) |
| 4 | plan --exit-code: changes are pending |
| 130, 141 | interrupted (Ctrl-C); stdout closed by its reader (`| head`) |
| 129, 143 | hung up (SIGHUP) or terminated (SIGTERM: CI cancelling a job, `timeout`): cleaned up as on Ctrl-C |
| 70 | a bug in the tool: one line on stderr; INSTALL_CONTRACT_DEBUG=1 shows the traceback |

`STATUS_CODES` maps each `Status` of an outcome (contract/outcome.py), `ERROR_CODES` each
branch of the exception tree (contract/errors.py); a subclass takes its nearest ancestor's code.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import click

from contract.errors import (
    ExternalError,
    InputError,
    InstallContractError,
    RefusedError,
    TemplateError,
    UsageError,
)
from contract.outcome import Status

OK, FAILED, USAGE, EXTERNAL, CHANGES_PENDING, INTERNAL = 0, 1, 2, 3, 4, 70

STATUS_CODES: dict[Status, int] = {
    Status.OK: OK,
    Status.INVALID: FAILED,
    Status.REJECTED: FAILED,
    Status.DIFFERS: FAILED,
    Status.REFUSED: USAGE,
    Status.UNREACHABLE: EXTERNAL,
    Status.CHANGES_PENDING: CHANGES_PENDING,
}

ERROR_CODES: dict[type[InstallContractError], int] = {
    InputError: USAGE,
    UsageError: USAGE,
    TemplateError: FAILED,
    RefusedError: FAILED,
    ExternalError: EXTERNAL,
}

F = TypeVar("F", bound=Callable[..., Any])


def status_code(status: Status) -> int:
    """The exit code of an outcome's status."""
    return STATUS_CODES[status]


def error_code(kind: type[BaseException]) -> int:
    """The exit code of an exception class: its nearest ancestor's in `ERROR_CODES`, else 70."""
    for ancestor in kind.__mro__:
        if ancestor in ERROR_CODES:
            return ERROR_CODES[ancestor]
    return INTERNAL


def code_for(exc: BaseException) -> int:
    return error_code(type(exc))


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread like Ctrl-C: whatever cleans up on an
    interruption (the check's pods and Secret) cleans up on these too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def handled(fn: F) -> F:
    """Turn library exceptions into one line on stderr and the right exit code; SIGTERM and
    SIGHUP interrupt the command as Ctrl-C does (exit 143 and 129)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                # A signal the caller ignores stays ignored (`nohup` ignores SIGHUP).
                if signal.getsignal(signum) is signal.SIG_DFL:
                    previous[signum] = signal.signal(signum, _terminate)
        try:
            return _run(fn, args, kwargs)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    return wrapper  # type: ignore[return-value]


def _run(fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
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
    except Terminated as exc:
        click.echo(f"install-contract: interrupted ({signal.Signals(exc.signum).name})", err=True)
        sys.exit(128 + exc.signum)
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
