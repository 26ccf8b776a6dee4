"""Operational failures: the only exceptions the library raises on purpose.

Problems in a contract are never exceptions; they are diagnostics. These are for when the
work itself cannot be done:

    InstallContractError
    ├── InputError        the input cannot be read at all (missing file, directory, I/O error)
    ├── UsageError        the request makes no sense (unknown rule code, bad option value)
    ├── TemplateError     a user's template override cannot be rendered (syntax, undefined name)
    └── ExternalError     an outside system failed (API down, check failed)

`cli/_exit.py` maps them to exit codes in one place: 2, 2, 1 and 3.
"""

from __future__ import annotations


class InstallContractError(Exception):
    """Base of every deliberate failure of the library."""


class InputError(InstallContractError):
    """The input could not be read (it is missing, a directory, or unreadable)."""


class UsageError(InstallContractError):
    """The caller asked for something that does not exist or cannot be combined."""


class TemplateError(InstallContractError):
    """A template cannot be rendered: the message names the template file and line."""


class ExternalError(InstallContractError):
    """A system outside this tool failed or refused."""
