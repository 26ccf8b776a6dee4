"""An outcome's status as an exit code: the names `plan`/`apply` and `discover` use, kept as
aliases of the one table in cli/_exit.py (`STATUS_CODES`)."""

from __future__ import annotations

from cli._exit import CHANGES_PENDING, STATUS_CODES

CODES = STATUS_CODES

__all__ = ["CHANGES_PENDING", "CODES"]
