"""Kits on disk: a reproducible tar.gz or a directory, written whole, and read back safely.

Writing: entries sorted, directories made explicit, mtime fixed (`SOURCE_DATE_EPOCH` or 0),
uid/gid 0 with empty owner names, modes 0644 (0755 for directories and shell scripts), and a
gzip header with no file name and the same fixed mtime. The same files give the same bytes.

Reading (`scan`) never extracts: it streams every member through sha256 and keeps the bytes
of the small files the caller asks for, at most `MAX_KEPT` bytes of them in all (a file that
would go over is hashed and named, not kept). A member that could escape or surprise an
extractor is refused by name, and nothing of it is read: an absolute path, a `..` component,
a link of any kind (a kit has none; one pointing outside is called out as such), a device,
FIFO or other special file, a setuid, setgid or world-writable mode, a member over 4 GiB, a
name seen twice, or more than 100,000 members. After the tar's end-of-archive marker only the
zeros of its padding may follow: `tar -i` (and other readers that skip zero blocks) would
extract a second archive hidden there over the verified files.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from contract.errors import InputError, UsageError

MAX_MEMBERS = 100_000
MAX_MEMBER_SIZE = 4 * 1024**3
CHUNK = 1024 * 1024
# The most bytes of a kit `scan` holds in memory at once (the files the caller keeps): the
# contract, catalog, manifest, lists and sums of a kit are a few MB; everything else streams.
MAX_KEPT = 64 * 1024 * 1024
# A tar ends with two 512-byte zero blocks (then zeros up to its 10 KiB record).
_END_OF_ARCHIVE = 2 * tarfile.BLOCKSIZE
ARCHIVE_SUFFIX = ".tar.gz"


def is_archive_path(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).endswith(ARCHIVE_SUFFIX)


def _mode(relative: str) -> int:
    return 0o755 if relative.endswith(".sh") else 0o644


def _directories(paths: list[str]) -> list[str]:
    found: set[str] = set()
    for path in paths:
        parent = posixpath.dirname(path)
        while parent:
            found.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(found)


def archive_bytes(files: Mapping[str, bytes], mtime: int = 0) -> bytes:
    """The reproducible tar.gz of `files` (relative POSIX path -> bytes), layout at the top."""
    paths = sorted(files)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        entries = [(d, True) for d in _directories(paths)] + [(p, False) for p in paths]
        for name, is_dir in sorted(entries):
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if is_dir:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                data = files[name]
                info.size = len(data)
                info.mode = _mode(name)
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    # filename="" keeps this machine's path out of the gzip header; mtime is fixed too.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=mtime, compresslevel=6) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def write_directory(out_dir: str | os.PathLike[str], files: Mapping[str, bytes]) -> None:
    """Write `files` into a new (or empty) directory, all at once: staged beside it, then renamed."""
    target = Path(out_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: exists and is not an empty directory; choose a new --out")
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(_mode(relative))
        staging.chmod(0o755)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Member:
    """A regular file of a kit: its size and sha256."""

    size: int
    sha256: str


@dataclass
class Scan:
    """What a kit holds: regular files, the bytes of the kept ones, and refused members."""

    files: dict[str, Member] = field(default_factory=dict)
    kept: dict[str, bytes] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (member, why)
    too_large: dict[str, int] = field(default_factory=dict)  # wanted, but over MAX_KEPT: size
    bytes_hashed: int = 0
    held: int = 0  # bytes reserved for `kept`

    def reserve(self, name: str, size: int) -> int | None:
        """Room to keep `name` (`size` bytes): the limit to read it with, or None (over MAX_KEPT)."""
        if self.held + size > MAX_KEPT:
            self.too_large[name] = size
            return None
        self.held += size
        return size


def _digest(
    stream: IO[bytes], keep: int | None, pool: ThreadPoolExecutor | None = None
) -> tuple[str, int, bytes | None]:
    """sha256, size and (when `keep` is a limit) the bytes of a stream, if no more than `keep`.

    With a `pool`, hashing a chunk overlaps reading (inflating) the next one: zlib and
    hashlib both release the GIL, so an archive uses two cores instead of one.
    """
    digest = hashlib.sha256()
    size = 0
    kept = bytearray() if keep is not None else None
    pending: Future[None] | None = None
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        if pending is not None:
            pending.result()
        if pool is None:
            digest.update(chunk)
        else:
            pending = pool.submit(digest.update, chunk)
        size += len(chunk)
        if kept is not None:
            if keep is not None and size > keep:
                kept = None  # the file grew past what was reserved: hash it, hold nothing
            else:
                kept += chunk
    if pending is not None:
        pending.result()
    return digest.hexdigest(), size, bytes(kept) if kept is not None else None


def _digest_file(path: Path, keep: int | None) -> tuple[str, int, bytes | None]:
    with open(path, "rb") as stream:
        return _digest(stream, keep)


def unsafe_name(name: str) -> str | None:
    """Why a member name could land outside the target, or None when it cannot."""
    if not name or "\x00" in name:
        return "an empty name or a NUL byte"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "a '..' component (it would land outside the kit)"
    return None


def _link_reason(name: str, target: str, hard: bool) -> str:
    kind = "a hard link" if hard else "a symbolic link"
    base = "" if hard else posixpath.dirname(name)
    joined = posixpath.normpath(posixpath.join(base, target))
    if target.startswith("/") or joined == ".." or joined.startswith("../"):
        return f"{kind} to {target!r}, outside the kit"
    return f"{kind} to {target!r} (a kit holds no links)"


def unsafe_mode(mode: int) -> str | None:
    """Why a member's permission bits would surprise whoever extracts it, or None."""
    if mode & (stat.S_ISUID | stat.S_ISGID):
        return f"mode {stat.S_IMODE(mode):04o}: setuid or setgid (a kit holds neither)"
    if mode & stat.S_IWOTH:
        return f"mode {stat.S_IMODE(mode):04o}: world-writable (anyone could change it once extracted)"
    return None


class _Tail:
    """A reader that counts what it hands on and remembers the last `limit` bytes of it.

    tarfile's stream mode reads ahead in 10 KiB records: when it stops at the end-of-archive
    marker, what follows the marker may already be in its buffer, so the bytes after
    `tar.offset` are taken from here, and the rest of the stream read through it.
    """

    def __init__(self, stream: io.BufferedIOBase, limit: int = 4 * CHUNK) -> None:
        self.stream = stream
        self.limit = limit
        self.position = 0
        self._chunks: deque[bytes] = deque()
        self._held = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.position += len(data)
        if data:
            self._chunks.append(data)
            self._held += len(data)
            while self._held - len(self._chunks[0]) >= self.limit:
                self._held -= len(self._chunks.popleft())
        return data

    def since(self, offset: int) -> bytes | None:
        """The bytes read from `offset` on, or None when they are no longer held."""
        start = self.position - offset
        if start > self._held or start < 0:
            return None
        return b"".join(self._chunks)[self._held - start :]


def _after_the_end(tail: _Tail, offset: int) -> str | None:
    """Why the data after the end-of-archive marker (at `offset`) is not just tar's padding."""
    seen = tail.since(offset)
    if seen is None:
        return "the end of the archive cannot be told apart from what follows it"
    zeros = len(seen) - len(seen.lstrip(b"\0"))
    extra = len(seen) - zeros
    total = len(seen)
    while True:
        chunk = tail.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if extra == 0:
            stripped = chunk.lstrip(b"\0")
            zeros += len(chunk) - len(stripped)
            extra += len(stripped)
        else:
            extra += len(chunk)
    if extra:
        return (
            f"{extra:,} bytes of data after the tar end-of-archive marker "
            "(an appended archive that `tar -i` would extract over the verified files)"
        )
    if zeros < _END_OF_ARCHIVE:
        return "no tar end-of-archive marker: the archive is truncated"
    return None


def _clean(name: str) -> str:
    name = name[2:] if name.startswith("./") else name
    return name.rstrip("/")


def _why_refused(info: tarfile.TarInfo, name: str, seen: set[str]) -> str | None:
    """Why a member cannot be unpacked safely (by name, duplicate, link, kind or mode), or None."""
    why = unsafe_name(info.name)
    if why is None and name in seen:
        why = "a second member with this name (it would overwrite the first)"
    if why is None and (info.issym() or info.islnk()):
        why = _link_reason(name, info.linkname, info.islnk())
    if why is None and not (info.isfile() or info.isdir()):
        why = "a device, FIFO or other special file"
    if why is None:
        why = unsafe_mode(info.mode)
    return why


def _scan_members(
    tar: tarfile.TarFile, tail: _Tail, keep: Callable[[str], bool], pool: ThreadPoolExecutor, result: Scan
) -> None:
    """Hash the members into `result`, refusing unsafe ones, then check what follows the tar."""
    seen: set[str] = set()
    members: Iterator[tarfile.TarInfo] = iter(tar)
    for count, info in enumerate(members, start=1):
        if count > MAX_MEMBERS:
            result.refused.append((info.name, f"more than {MAX_MEMBERS:,} members; not read further"))
            return
        name = _clean(info.name)
        why = _why_refused(info, name, seen)
        if why is None and info.size > MAX_MEMBER_SIZE:
            # Skipping it would mean inflating gigabytes for nothing: stop here.
            result.refused.append((info.name, f"{info.size:,} bytes, over the 4 GiB limit; not read further"))
            return
        if why is not None:
            result.refused.append((info.name, why))
            continue
        seen.add(name)
        if info.isdir():
            continue
        stream = tar.extractfile(info)
        assert stream is not None  # a regular file always has a stream
        limit = result.reserve(name, info.size) if keep(name) else None
        sha, size, data = _digest(stream, limit, pool)
        result.files[name] = Member(size, sha)
        result.bytes_hashed += size
        if data is not None:
            result.kept[name] = data
    # Draining the stream also checks the CRC and length in gzip's trailer.
    why = _after_the_end(tail, tar.offset)
    if why is not None:
        result.refused.append(("(archive)", why))


def scan_archive(path: str | os.PathLike[str], keep: Callable[[str], bool]) -> Scan:
    """Hash every member of a tar.gz kit without extracting it; refuse unsafe members by name.

    Raises InputError when the file cannot be opened; a corrupt archive is reported as a
    refused member `(archive)` so that the caller can say the kit is damaged.
    """
    result = Scan()
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, with the tar stream
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; pass the kit directory without {ARCHIVE_SUFFIX}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with handle, contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="ic-hash"))
        try:
            # gzip itself (not tarfile's stream) so that draining it below checks the CRC and
            # length in the trailer: a truncated or padded kit is damaged even when the tar ends.
            unzipped = stack.enter_context(gzip.GzipFile(fileobj=handle, mode="rb"))
            tail = _Tail(unzipped)
            # (typeshed wants a whole file object; stream mode only ever calls read)
            tar = stack.enter_context(tarfile.open(fileobj=tail, mode="r|"))  # type: ignore[call-overload]
            _scan_members(tar, tail, keep, pool, result)
        # zlib.error: damage in the deflate stream, which tarfile wraps only in a header's read.
        except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile, zlib.error) as exc:
            result.refused.append(("(archive)", f"damaged or not a tar.gz: {exc}"))
    return result


def scan_directory(root: str | os.PathLike[str], keep: Callable[[str], bool]) -> Scan:
    """Hash every file under a kit directory, never following a link; refuse special files."""
    result = Scan()
    base = Path(root)
    count = 0
    regular: list[tuple[str, Path, int]] = []
    for current, dirs, names in os.walk(base, followlinks=False):
        here = Path(current)
        for name in sorted(dirs + names):
            path = here / name
            relative = path.relative_to(base).as_posix()
            count += 1
            if count > MAX_MEMBERS:
                result.refused.append((relative, f"more than {MAX_MEMBERS:,} entries; not read further"))
                return result
            try:
                status = path.lstat()
            except OSError as exc:
                result.refused.append((relative, f"cannot be read ({exc.strerror or exc})"))
                continue
            if stat.S_ISLNK(status.st_mode):
                target = os.readlink(path)
                result.refused.append((relative, _link_reason(relative, target, hard=False)))
                if name in dirs:
                    dirs.remove(name)
                continue
            if not (stat.S_ISDIR(status.st_mode) or stat.S_ISREG(status.st_mode)):
                result.refused.append((relative, "a device, FIFO or other special file"))
                continue
            why = unsafe_mode(status.st_mode)
            if why is not None:
                result.refused.append((relative, why))
                continue
            if stat.S_ISREG(status.st_mode):
                regular.append((relative, path, status.st_size))
    # Files are hashed on every core: hashlib releases the GIL, and a kit has many wheels.
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ic-hash") as pool:
        futures = [
            (
                relative,
                pool.submit(_digest_file, path, result.reserve(relative, size) if keep(relative) else None),
            )
            for relative, path, size in regular
        ]
        for relative, future in futures:
            try:
                sha, size, data = future.result()
            except OSError as exc:
                result.refused.append((relative, f"cannot be read ({exc.strerror or exc})"))
                continue
            result.files[relative] = Member(size, sha)
            result.bytes_hashed += size
            if data is not None:
                result.kept[relative] = data
            elif relative not in result.too_large and keep(relative):
                result.too_large[relative] = size  # it grew while it was read
    return result


def scan(path: str | os.PathLike[str], keep: Callable[[str], bool]) -> Scan:
    """A kit directory or a `.tar.gz` kit; InputError when it is missing."""
    if os.path.isdir(path):
        return scan_directory(path, keep)
    if not os.path.lexists(path):
        raise InputError(f"{path}: no such kit")
    return scan_archive(path, keep)
