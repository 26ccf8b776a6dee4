"""`bundle [FILE] --out PATH` and `bundle verify PATH` as one call each, returning an outcome."""

from __future__ import annotations

from dataclasses import dataclass

from contract.outcome import Outcome, Status
from contract.workflows.bundle.build import BuildOptions, Kit, Refused
from contract.workflows.bundle.verify import Report


@dataclass(frozen=True)
class Built(Outcome):
    """The kit written to `out`, or (INVALID, nothing written) why the contract must not travel."""

    out: str = ""
    kit: Kit | None = None
    refused: Refused | None = None


@dataclass(frozen=True)
class Verified(Outcome):
    """The verification of the kit at `path`: OK when verified, else INVALID."""

    path: str = ""
    report: Report | None = None


def build_bundle(file: str, options: BuildOptions, out: str) -> Built:
    """Build the kit of the contract `file` and write it to `out` (a .tar.gz or a new directory)."""
    from contract.workflows.bundle.build import build_kit, write_kit

    kit = build_kit(file, options)
    if isinstance(kit, Refused):
        return Built(Status.INVALID, kit.result.diagnostics, out=out, refused=kit)
    write_kit(kit, out, options.mtime)
    return Built(Status.OK, out=out, kit=kit)


def verify_bundle(path: str, key_file: str | None = None, *, require_signature: bool = False) -> Verified:
    """Verify the kit at `path` offline, against the OpenSSH public key in `key_file` when given."""
    from contract.workflows.bundle.signing import read_public_key
    from contract.workflows.bundle.verify import verify_kit

    public_key = read_public_key(key_file) if key_file else None
    report = verify_kit(path, public_key, require_signature=require_signature)
    return Verified(Status.OK if report.verified else Status.INVALID, path=path, report=report)
