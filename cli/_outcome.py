"""An outcome's status as an exit code (`contract.outcome.Status`), for the commands that return one."""

from __future__ import annotations

from cli._exit import EXTERNAL, FAILED, OK, USAGE
from contract.outcome import Status

CHANGES_PENDING = 4

CODES = {
    Status.OK: OK,
    Status.INVALID: FAILED,
    Status.REFUSED: USAGE,
    Status.UNREACHABLE: EXTERNAL,
    Status.CHANGES_PENDING: CHANGES_PENDING,
}
