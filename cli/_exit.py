"""The one place where outcomes become exit codes.

| code | meaning |
|---|---|
| 0 | no errors (warnings allowed, unless --strict) |
| 1 | the contract has errors (or warnings under --strict); a template override is broken |
| 2 | usage error, or input that cannot be read (missing file, directory, I/O error) |
| 3 | a system outside the tool failed (API down, check failed) |
| 130, 141 | interrupted (Ctrl-C); stdout closed by its reader (`| head`) |
| 129, 143 | hung up (SIGHUP) or terminated (SIGTERM: CI cancelling a job, `timeout`): cleaned up as on Ctrl-C |
| 70 | a bug in the tool: one line on stderr; INSTALL_CONTRACT_DEBUG=1 shows the traceback |
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
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
