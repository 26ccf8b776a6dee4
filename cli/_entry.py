"""The console script `install-contract`: the CLI, started with the cyclic garbage collector
paused, and left at once when a short command is done.

Start-up creates tens of thousands of objects that live as long as the process (classes,
compiled patterns, click's parameters, the rule table) and no garbage cycles; the collector
would walk them again and again, about a tenth of a `validate` run's time. `cli.main` turns
it back on for every command but the short ones that make no cyclic garbage
(`_Commands.COLLECTOR_PAUSED`). When such a command is done, tearing the interpreter down
(every module, every object, a last collection) would take as long again as its start-up:
its output is flushed and the process ends.
"""

from __future__ import annotations

import gc
import os
import sys


def run() -> None:
    gc.disable()
    from cli.main import main

    try:
        main()
    except SystemExit as done:
        if not gc.isenabled():  # a short command ran, or none did (--help, --version, bad usage)
            _leave(done.code)
        raise


def _leave(code: object) -> None:
    """End the process with `code` once its output is out; return when that cannot be done
    here (a message as the code, or output that cannot be flushed: the usual exit reports it)."""
    if code is not None and not isinstance(code, int):
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # (None: the descriptor was closed when Python started)
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)
