"""write_atomic: keeps an existing file's mode, gives a new one the umask's, writes through links."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from contract.writing import write_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600, 0o664, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, existing: int) -> None:
    path = tmp_path / "install-contract.yaml"
    path.write_text("old\n")
    path.chmod(existing)
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert mode(path) == existing


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_umask_default(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.yaml", b"x\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.yaml") == 0o666 & ~umask


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "install-contract.yaml"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "install-contract.yaml"
    link.symlink_to(os.path.relpath(real, tmp_path))
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n" and mode(real) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["install-contract.yaml", "real"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["install-contract.yaml"]  # no temporary left


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "c.yaml"
    link.symlink_to(tmp_path / "target.yaml")
    write_atomic(link, b"x\n")
    assert link.is_symlink() and (tmp_path / "target.yaml").read_bytes() == b"x\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(path, b"new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_init_and_add_keep_the_mode_and_the_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.chdir(tmp_path)
    real = tmp_path / "kept" / "install-contract.yaml"
    real.parent.mkdir()
    real.write_text("placeholder\n")
    real.chmod(0o640)
    (tmp_path / "install-contract.yaml").symlink_to(real)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--force"]).exit_code == 0
    added = runner.invoke(main, ["add", "openai", "gpt-4o"])
    assert added.exit_code == 0, added.output
    assert (tmp_path / "install-contract.yaml").is_symlink()
    assert "gpt-4o" in real.read_text() and mode(real) == 0o640
