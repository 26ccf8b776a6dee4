"""What a command's workflow returns: a status, the diagnostics it found, and its payload.

Every command has the same shape (CONTRIBUTING.md): the CLI parses options into a frozen
request, calls one library function, gets an `Outcome` subclass back, hands it to the reporter
registered for its type and format (`contract/reporting/`) and turns `status` into the exit
code (`cli/_exit.py`, the one table). A workflow never prints and never exits; operational
failures it cannot turn into an outcome are the exceptions drawn in `contract/errors.py`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from contract.diagnostics import Diagnostic


class Status(enum.Enum):
    """How a command ended, in the words of its exit code (`cli/_exit.py` maps each to one)."""

    OK = "ok"  # done; warnings allowed
    INVALID = "invalid"  # the contract has errors (or warnings under --strict); a kit that does not verify
    REJECTED = "rejected"  # a change was refused as asked: nothing was written (add, remove, init, bundle)
    DIFFERS = "differs"  # render --check: DIR is stale; diff: the two environments differ
    REFUSED = "refused"  # the request cannot be done as asked (usage, unreadable input)
    UNREACHABLE = "unreachable"  # an outside system failed or refused
    CHANGES_PENDING = "changes-pending"  # plan --exit-code: changes are pending


@dataclass(frozen=True)
class Outcome:
    """Base of every workflow's result; subclasses add their payload as frozen fields."""

    status: Status
    diagnostics: tuple[Diagnostic, ...] = ()
