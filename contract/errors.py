"""Operational failures: the only exceptions the library raises on purpose.

Problems in a contract are never exceptions; they are diagnostics. These are for when the
work itself cannot be done. The whole tree, with the exit code `cli/_exit.py` gives each
branch (a subclass takes its nearest ancestor's code):

    InstallContractError                       (the base; never raised itself)
    ├── InputError        2  the input cannot be read at all (missing file, directory, I/O error)
    ├── UsageError        2  the request makes no sense (unknown rule code, bad option value)
    ├── TemplateError     1  a user's template override cannot be rendered (syntax, undefined name)
    ├── RefusedError      1  a change was refused: nothing was written
    │   └── EditError            contract.workflows.yaml_edit: an add/remove the file cannot take
    └── ExternalError     3  an outside system failed (API down, check failed)
        ├── Unavailable          contract.clients.http: unreachable, or 429/5xx after every retry
        ├── AdminApiError        contract.clients.admin_api: a 4xx (or 500) it will repeat
        ├── KubeError            contract.clients.kube: the Kubernetes API refused or is down
        │   ├── KubeNotFound         404
        │   └── KubeConflict         409
        ├── UnleashError         contract.clients.unleash: Unleash refused a request
        │   └── UnleashConflict      409
        ├── ProbeFailed          contract.workflows.discover._http: a server `discover` probes
        ├── Incomplete           contract.workflows.apply.run: a system failed during apply
        └── CheckFailed          contract.workflows.apply.run: apply's check step failed

The subclasses live next to the code that raises them, because they carry that code's facts
(an HTTP status, the changes done and not done, a check report) and the foundation imports
nothing above it; each derives from a class here, so the exit-code table needs no entry of
its own for them. tests/test_errors.py imports every module under contract/ and checks that
this drawing names every public exception class and that none falls through to exit 70.

Private control flow, caught in the module that raises it and never seen by a caller:
`_Refused` (pipeline.load), `_Unsupported` (pipeline._fast), `_RetryableStatus` and
`_WaitTooLong` (clients.http), `_Transient` (clients.kube).
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


class RefusedError(InstallContractError):
    """A change was refused and nothing was written; `hint` says what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ExternalError(InstallContractError):
    """A system outside this tool failed or refused."""
