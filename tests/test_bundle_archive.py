"""Kit archives: reproducible bytes, and safe reading of crafted archives (no pip, no network)."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from contract.errors import InputError, UsageError
from contract.workflows.bundle import archive

FILES = {
    "b.txt": b"bee\n",
    "a/x.sh": b"#!/bin/sh\n",
    "a/deeper/y.json": b"{}\n",
}


def test_same_files_same_bytes_whatever_the_order() -> None:
    first = archive.archive_bytes(FILES)
    second = archive.archive_bytes(dict(reversed(list(FILES.items()))))
    assert first == second


def test_members_are_sorted_owned_by_root_with_fixed_times_and_modes() -> None:
    data = archive.archive_bytes(FILES, mtime=1_700_000_000)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == ["a", "a/deeper", "a/deeper/y.json", "a/x.sh", "b.txt"]
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {(0, 0, "", "", 1_700_000_000)}
    modes = {m.name: m.mode for m in members}
    assert modes == {"a": 0o755, "a/deeper": 0o755, "a/deeper/y.json": 0o644, "a/x.sh": 0o755, "b.txt": 0o644}


def test_gzip_header_has_no_file_name_and_the_fixed_mtime() -> None:
    data = archive.archive_bytes(FILES, mtime=1_234_567)
    assert data[:2] == b"\x1f\x8b"
    flags = data[3]
    assert flags & 0x08 == 0  # FNAME
    assert int.from_bytes(data[4:8], "little") == 1_234_567
    assert archive.archive_bytes(FILES, mtime=0)[4:8] == b"\0\0\0\0"


def test_write_directory_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not an empty directory"):
        archive.write_directory(tmp_path / "kit", FILES)
    assert sorted(p.name for p in (tmp_path / "kit").iterdir()) == ["keep.txt"]
    archive.write_directory(tmp_path / "new", FILES)
    assert (tmp_path / "new" / "a" / "x.sh").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "new" / "b.txt").read_bytes() == b"bee\n"


# ------------------------------------------------------------------------------ reading


def _crafted(tmp_path: Path, *members: tarfile.TarInfo, data: dict[str, bytes] | None = None) -> Path:
    path = tmp_path / "crafted.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info in members:
            payload = (data or {}).get(info.name)
            if payload is not None:
                info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "", size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = size
    return info


def _scan(path: Path) -> archive.Scan:
    return archive.scan(path, lambda name: True)


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (_info("../evil.txt"), "'..' component"),
        (_info("rendered/../../evil.txt"), "'..' component"),
        (_info("/etc/evil.txt"), "absolute path"),
        (_info("link", tarfile.SYMTYPE, "../../etc/passwd"), "symbolic link to '../../etc/passwd', outside"),
        (_info("link", tarfile.SYMTYPE, "/etc/passwd"), "outside the kit"),
        (_info("hard", tarfile.LNKTYPE, "../outside"), "hard link to '../outside', outside"),
        (_info("inside", tarfile.SYMTYPE, "images.txt"), "a kit holds no links"),
        (_info("dev", tarfile.CHRTYPE), "device, FIFO"),
        (_info("blk", tarfile.BLKTYPE), "device, FIFO"),
        (_info("fifo", tarfile.FIFOTYPE), "device, FIFO"),
    ],
)
def test_unsafe_members_are_refused_by_name(tmp_path: Path, member: tarfile.TarInfo, reason: str) -> None:
    ok = _info("images.txt")
    path = _crafted(tmp_path, ok, member, data={"images.txt": b"busybox\n"})
    result = _scan(path)
    assert [name for name, _ in result.refused] == [member.name]
    assert reason in result.refused[0][1]
    assert member.name.lstrip("/") not in result.files  # never read
    assert result.files["images.txt"].size == len(b"busybox\n")  # the rest is still hashed
    assert not (tmp_path.parent / "evil.txt").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_a_member_over_4_gib_is_refused_unread(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        big = _info("wheelhouse/huge.whl", size=5 * 1024**3)
        tar.addfile(big)  # header only: the data would be 5 GiB
    path = tmp_path / "big.tar.gz"
    path.write_bytes(gzip.compress(raw.getvalue()))
    result = _scan(path)
    assert result.refused[0][0] == "wheelhouse/huge.whl"
    assert "over the 4 GiB limit" in result.refused[0][1]
    assert result.files == {}


def test_too_many_members_stop_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    path = _crafted(tmp_path, *(_info(f"f{i}") for i in range(8)))
    result = _scan(path)
    assert result.refused == [("f5", "more than 5 members; not read further")]
    assert sorted(result.files) == [f"f{i}" for i in range(5)]


def test_a_name_seen_twice_is_refused(tmp_path: Path) -> None:
    path = _crafted(tmp_path, _info("a.txt"), _info("a.txt"), data={"a.txt": b"1"})
    result = _scan(path)
    assert result.refused == [("a.txt", "a second member with this name (it would overwrite the first)")]


def test_a_damaged_archive_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "kit.tar.gz"
    whole = archive.archive_bytes({"a.txt": b"x" * 100_000})
    path.write_bytes(whole[:-10])  # the tar is complete; the gzip trailer is cut
    result = _scan(path)
    assert result.refused[-1][0] == "(archive)"
    assert "damaged" in result.refused[-1][1]
    path.write_bytes(whole + b"junk after the end")
    assert _scan(path).refused[-1][0] == "(archive)"
    path.write_bytes(b"not gzip at all")
    assert _scan(path).refused[-1][0] == "(archive)"
    path.write_bytes(whole)
    assert _scan(path).refused == []


def test_a_missing_kit_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such kit"):
        _scan(tmp_path / "nothing.tar.gz")


def test_directory_scan_refuses_links_and_special_files_without_following_them(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    (kit / "rendered").mkdir(parents=True)
    (kit / "images.txt").write_bytes(b"x\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not in the kit")
    (kit / "rendered" / "out").symlink_to(outside)
    (kit / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(kit / "pipe")
    result = _scan(kit)
    refused = dict(result.refused)
    assert "outside the kit" in refused["passwd"]
    assert "outside the kit" in refused["rendered/out"]
    assert "FIFO" in refused["pipe"]
    assert sorted(result.files) == ["images.txt"]
    assert result.kept == {"images.txt": b"x\n"}


def test_hashes_are_sha256_of_the_bytes(tmp_path: Path) -> None:
    import hashlib

    data = os.urandom(3 * archive.CHUNK + 17)
    path = tmp_path / "kit.tar.gz"
    path.write_bytes(archive.archive_bytes({"w.whl": data}))
    result = archive.scan(path, lambda name: False)
    assert result.files["w.whl"] == archive.Member(len(data), hashlib.sha256(data).hexdigest())
    assert result.kept == {}
    assert result.bytes_hashed == len(data)


# ------------------------------------------------------------------------------ SHA256SUMS


def test_parse_sums_reads_coreutils_lines_and_names_bad_ones() -> None:
    from contract.workflows.bundle.verify import parse_sums

    good = "a" * 64
    sums, bad = parse_sums(
        f"{good}  images.txt\n{good}  images.txt\nnot a line\n{'A' * 64}  upper.txt\n{good} one-space.txt\n".encode()
    )
    assert sums == {"images.txt": good}
    assert bad == [
        "line 2 lists images.txt twice",
        "line 3 is not '<sha256>  <path>'",
        "line 4 is not '<sha256>  <path>'",
        "line 5 is not '<sha256>  <path>'",
    ]


def test_sums_that_list_themselves_are_refused(tmp_path: Path) -> None:
    import hashlib

    from contract.workflows.bundle.verify import verify_kit

    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "SHA256SUMS.sig").write_bytes(b"sig")
    (kit / "SHA256SUMS").write_text(f"{hashlib.sha256(b'sig').hexdigest()}  SHA256SUMS.sig\n")
    report = verify_kit(str(kit))
    assert ("SHA256SUMS", "lists SHA256SUMS.sig, which it cannot cover") in {
        (p.file, p.reason) for p in report.problems
    }
    assert not report.verified


def _mode(name: str, mode: int) -> tarfile.TarInfo:
    info = _info(name)
    info.mode = mode
    return info


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (_mode("wheelhouse/setuid", 0o4755), "mode 4755: setuid or setgid"),
        (_mode("wheelhouse/setgid", 0o2755), "mode 2755: setuid or setgid"),
        (_mode("images.txt", 0o666), "mode 0666: world-writable"),
        (_mode("rendered", 0o777), "mode 0777: world-writable"),
    ],
)
def test_setuid_setgid_and_world_writable_members_are_refused(
    tmp_path: Path, member: tarfile.TarInfo, reason: str
) -> None:
    directory = member.name == "rendered"
    if directory:
        member.type = tarfile.DIRTYPE
    path = _crafted(tmp_path, _info("models.txt"), member, data={} if directory else {member.name: b"x\n"})
    result = _scan(path)
    assert result.refused == [(member.name, reason + _WHY[reason.split(": ")[1].split(" ")[0]])]
    assert member.name not in result.files
    assert "models.txt" in result.files


_WHY = {
    "setuid": " (a kit holds neither)",
    "world-writable": " (anyone could change it once extracted)",
}


def test_directory_scan_refuses_setuid_and_world_writable_files(tmp_path: Path) -> None:
    (tmp_path / "images.txt").write_text("busybox\n")
    (tmp_path / "shared.txt").write_text("x\n")
    (tmp_path / "shared.txt").chmod(0o666)
    (tmp_path / "run").write_text("x\n")
    (tmp_path / "run").chmod(0o4755)
    result = _scan(tmp_path)
    assert sorted(result.refused) == [
        ("run", "mode 4755: setuid or setgid (a kit holds neither)"),
        ("shared.txt", "mode 0666: world-writable (anyone could change it once extracted)"),
    ]
    assert set(result.files) == {"images.txt"}


def _two_archives(tmp_path: Path, first: bytes, second: bytes) -> Path:
    path = tmp_path / "kit.tar.gz"
    path.write_bytes(first + second)
    return path


def test_a_second_archive_after_the_end_marker_is_refused(tmp_path: Path) -> None:
    honest = archive.archive_bytes({"install-contract.yaml": b"models: []\n"})
    hidden = archive.archive_bytes({"install-contract.yaml": b"models: [evil]\n"})
    path = _two_archives(tmp_path, honest, hidden)
    # The premise: a reader that skips zero blocks (tar -i) finds the hidden contract.
    with tarfile.open(path, ignore_zeros=True) as tar:
        assert tar.getnames().count("install-contract.yaml") == 2
    result = _scan(path)
    assert len(result.refused) == 1
    member, why = result.refused[0]
    assert member == "(archive)"
    assert why.endswith(
        "bytes of data after the tar end-of-archive marker "
        "(an appended archive that `tar -i` would extract over the verified files)"
    )
    # Only the first archive's file was hashed.
    assert result.files["install-contract.yaml"].size == len(b"models: []\n")


@pytest.mark.parametrize("where", ["in the same gzip stream", "right after the marker"])
def test_data_hidden_in_the_tar_padding_is_refused(tmp_path: Path, where: str) -> None:
    raw = gzip.decompress(archive.archive_bytes({"a.txt": b"a\n"}))
    # a.txt's header and data: 2 blocks; the end marker starts at 1024.
    at = 1024 + (2 * tarfile.BLOCKSIZE if where == "in the same gzip stream" else 0)
    tampered = raw[:at] + b"X" + raw[at + 1 :]
    path = tmp_path / "kit.tar.gz"
    path.write_bytes(gzip.compress(tampered))
    result = _scan(path)
    assert result.refused == [
        (
            "(archive)",
            f"{len(raw) - at:,} bytes of data after the tar end-of-archive marker "
            "(an appended archive that `tar -i` would extract over the verified files)",
        )
    ]


def test_an_archive_without_its_end_marker_is_refused(tmp_path: Path) -> None:
    raw = gzip.decompress(archive.archive_bytes({"a.txt": b"a\n"}))
    path = tmp_path / "kit.tar.gz"
    path.write_bytes(gzip.compress(raw[:1024]))
    assert _scan(path).refused == [("(archive)", "no tar end-of-archive marker: the archive is truncated")]


def test_honest_archives_end_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "kit.tar.gz"
    path.write_bytes(archive.archive_bytes(FILES))
    assert _scan(path).refused == []
    with tarfile.open(path, "w:gz") as tar:  # Python's own writer pads to a 10 KiB record
        tar.addfile(_info("x"), io.BytesIO(b""))
    assert _scan(path).refused == []


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def test_scan_holds_only_what_it_keeps_within_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kit.tar.gz"
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name in ("rendered/a", "rendered/b", "small.txt"):
            info = _info(name, size=3 if name == "small.txt" else 16 * 1024**2)
            tar.addfile(info, io.BufferedReader(_Zeros(info.size)))
    monkeypatch.setattr(archive, "MAX_KEPT", 20 * 1024**2)
    result = archive.scan(path, lambda name: True)
    assert set(result.kept) == {"rendered/a", "small.txt"}
    assert result.too_large == {"rendered/b": 16 * 1024**2}
    assert result.files["rendered/b"].size == 16 * 1024**2  # hashed all the same
    assert result.held <= archive.MAX_KEPT


def test_verify_holds_no_rendered_file_in_memory(tmp_path: Path) -> None:
    """Two 64 MiB members of zeros under rendered/: verify streams them (the bound is MAX_KEPT)."""
    import tracemalloc

    from contract.workflows.bundle.verify import verify_kit

    path = tmp_path / "kit.tar.gz"
    size = 64 * 1024**2
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name in ("rendered/a", "rendered/b"):
            tar.addfile(_info(name, size=size), io.BufferedReader(_Zeros(size)))
    tracemalloc.start()
    try:
        report = verify_kit(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.bytes_hashed == 2 * size
    assert peak < 16 * 1024**2, f"peak {peak:,} bytes"


def test_damage_zlib_finds_inside_a_member_refuses_the_archive(tmp_path: Path) -> None:
    # A flipped byte in the deflate stream can be zlib's own error ("invalid code lengths set"),
    # which tarfile wraps only while it reads a header: inside a member's data it came through as
    # an internal error (exit 70 from `bundle verify`). It is damage like any other.
    import random
    import zlib

    rng = random.Random(7)
    data = bytes(rng.choice(b"abcdefgh \n") for _ in range(200_000))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("rendered/big.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()

    def zlib_fails_after(candidate: bytes) -> int | None:
        """How many bytes inflate before zlib itself refuses the stream (None: it does not)."""
        inflated = 0
        with gzip.GzipFile(fileobj=io.BytesIO(candidate)) as stream:
            try:
                while chunk := stream.read(4096):
                    inflated += len(chunk)
            except zlib.error:
                return inflated
            except (OSError, EOFError):
                return None
        return None

    def in_the_data(candidate: bytes) -> bool:
        failed_at = zlib_fails_after(candidate)
        return failed_at is not None and failed_at > 4096  # past the member's header

    flips = (raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1 :] for i in range(len(raw) // 3, len(raw) - 8))
    kit = tmp_path / "kit.tar.gz"
    kit.write_bytes(next(candidate for candidate in flips if in_the_data(candidate)))
    scanned = archive.scan_archive(kit, lambda name: False)
    assert [name for name, _ in scanned.refused] == ["(archive)"]
    assert scanned.refused[0][1].startswith("damaged or not a tar.gz: ")
