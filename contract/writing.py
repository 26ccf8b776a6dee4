"""Writing files as a careful editor does: a reader never sees half of one.

`write_atomic` writes a temporary file beside the target, syncs it and renames it into
place. An existing file keeps its permission bits; a new one gets the umask's default
(0666 & ~umask), not mkstemp's 0600. A symbolic link is written through: its target is
replaced and the link stays a link.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


def _umask() -> int:
    # os.umask only reads by writing; set it back at once (the CLI is single-threaded here).
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to a temporary file beside `path`'s real target, then rename it into place."""
    target = os.path.realpath(path)  # through symlinks (a chain, or a relative one)
    directory = os.path.dirname(target)
    try:
        mode: int = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
