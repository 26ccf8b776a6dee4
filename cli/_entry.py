"""The console script `install-contract`: the CLI, started with the cyclic garbage collector paused.

Start-up creates tens of thousands of objects that live as long as the process (classes,
compiled patterns, click's parameters, the rule table) and no garbage cycles; the collector
would walk them again and again, about a tenth of a `validate` run's time. `cli.main` turns
it back on for every command but the short ones that make no cyclic garbage
(`_Commands.COLLECTOR_PAUSED`).
"""

from __future__ import annotations

import gc


def run() -> None:
    gc.disable()
    from cli.main import main

    main()
