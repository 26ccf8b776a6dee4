"""Prove a kit offline: checksums, completeness, signature, and that it renders the same.

In order, each finding naming the file and why:

1. the kit is read safely (`archive.scan`): unsafe members are refused, never read, and
   verify holds at most `archive.MAX_KEPT` bytes of it in memory: the small fixed files
   (`_SMALL`); everything else, rendered/ included, is compared by sha256;
2. the layout: every fixed file (`REQUIRED`) present and listed in SHA256SUMS;
3. SHA256SUMS: every listed file present with that sha256, no file that it does not list;
4. manifest.json (required) agrees with SHA256SUMS (size and sha256 of every other file)
   and with the contract's sha256;
5. the signature, when a public key is given (a key and no signature, or a signature by
   another key: tampered); a signature and no key, or no signature at all, is a warning
   (an error with `require_signature`);
6. the bundled contract validates with the bundled catalog, and rendering it again with the
   manifest's registry reproduces rendered/ byte for byte, images.txt and models.txt too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract import __version__
from contract.errors import InputError, UsageError
from contract.workflows.bundle import archive, build, signing

# Files whose bytes verify needs (everything else is only hashed).
_SMALL = (
    build.SUMS,
    build.SIGNATURE,
    build.MANIFEST,
    build.CONTRACT,
    build.CATALOG,
    build.IMAGES,
    build.MODELS,
)
# The fixed files of the layout (see build.py): a kit without one of them is not a kit.
REQUIRED = (
    build.CONTRACT,
    build.CATALOG,
    build.IMAGES,
    build.MODELS,
    build.MANIFEST,
    build.SUMS,
    build.WHEELHOUSE_REQUIREMENTS,
)
UNSIGNED_WARNING = (
    f"{build.SIGNATURE}: none; nobody vouches for this kit "
    "(sign it with `bundle --sign-key KEY`, check it with `bundle verify --key PUBKEY`)"
)


@dataclass(frozen=True)
class Problem:
    file: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass(frozen=True)
class Report:
    kit: str
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]
    signature: str  # verified | none | not-checked | invalid | missing
    files: int
    bytes_hashed: int
    built_by: str | None = None

    @property
    def verified(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "kit": self.kit,
            "verified": self.verified,
            "signature": self.signature,
            "files": self.files,
            "bytes": self.bytes_hashed,
            "problems": [p.as_dict() for p in self.problems],
            "warnings": list(self.warnings),
        }


@dataclass
class _Findings:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, file: str, reason: str) -> None:
        self.problems.append(Problem(file, reason))


def _keep(name: str) -> bool:
    return name in _SMALL


def _check_layout(scan: archive.Scan, sums: Mapping[str, str] | None, findings: _Findings) -> None:
    for path in REQUIRED:
        listed = sums is not None and path in sums
        if path not in scan.files and not listed and path != build.SUMS:
            findings.add(path, "missing: every kit has it (and SHA256SUMS does not list it)")
    for path, size in sorted(scan.too_large.items()):
        findings.add(
            path,
            f"{size:,} bytes: over the {archive.MAX_KEPT // 1024**2} MiB verify holds in memory "
            "(a kit's is a few MB)",
        )


def parse_sums(data: bytes) -> tuple[dict[str, str], list[str]]:
    """SHA256SUMS lines -> {path: sha256}, and the lines that are not `<64 hex>  <path>`."""
    sums: dict[str, str] = {}
    bad = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or not path:
            bad.append(f"line {number} is not '<sha256>  <path>'")
        elif path in sums:
            bad.append(f"line {number} lists {path} twice")
        else:
            sums[path] = digest
    return sums, bad


def _check_sums(scan: archive.Scan, findings: _Findings) -> dict[str, str] | None:
    data = scan.kept.get(build.SUMS)
    if data is None:
        findings.add(build.SUMS, "missing: nothing can be checked without it")
        return None
    sums, bad = parse_sums(data)
    for reason in bad:
        findings.add(build.SUMS, reason)
    for path, digest in sorted(sums.items()):
        member = scan.files.get(path)
        if member is None:
            findings.add(path, "missing (listed in SHA256SUMS)")
        elif member.sha256 != digest:
            findings.add(path, f"changed: sha256 {member.sha256} is not {digest} (SHA256SUMS)")
    for path in sorted(set(scan.files) - set(sums) - {build.SUMS, build.SIGNATURE}):
        findings.add(path, "extra: not listed in SHA256SUMS")
    for path in (build.SUMS, build.SIGNATURE):
        if path in sums:
            findings.add(build.SUMS, f"lists {path}, which it cannot cover")
    return sums


def _load_manifest(scan: archive.Scan, findings: _Findings) -> dict[str, Any] | None:
    data = scan.kept.get(build.MANIFEST)
    if data is None:
        return None  # reported by the layout or the checksums
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        findings.add(build.MANIFEST, f"not JSON: {exc}")
        return None
    if not isinstance(manifest, dict):
        findings.add(build.MANIFEST, "not a JSON object")
        return None
    return manifest


def _check_manifest(
    manifest: Mapping[str, Any], scan: archive.Scan, sums: Mapping[str, str], findings: _Findings
) -> None:
    if manifest.get("tool") != "install-contract":
        findings.add(build.MANIFEST, "not an install-contract manifest (its tool is not install-contract)")
    recorded_file = manifest.get("contract")
    if isinstance(recorded_file, dict) and recorded_file.get("file") != build.CONTRACT:
        findings.add(build.MANIFEST, f"names a contract other than {build.CONTRACT}")
    listed = manifest.get("files")
    rows: dict[str, tuple[int, str]] = {}
    if isinstance(listed, list):
        for row in listed:
            if isinstance(row, dict) and isinstance(row.get("path"), str):
                rows[row["path"]] = (row.get("size", -1), row.get("sha256", ""))
    else:
        findings.add(build.MANIFEST, "has no files list")
    expected = set(sums) - {build.MANIFEST}
    for path in sorted(expected - set(rows)):
        findings.add(path, "in SHA256SUMS but not in manifest.json")
    for path in sorted(set(rows) - expected):
        findings.add(path, "in manifest.json but not in SHA256SUMS")
    for path in sorted(expected & set(rows)):
        size, digest = rows[path]
        if digest != sums[path]:
            findings.add(path, "manifest.json and SHA256SUMS disagree on its sha256")
        member = scan.files.get(path)
        if member is not None and size != member.size:
            findings.add(path, f"size {member.size} is not {size} (manifest.json)")
    contract = scan.kept.get(build.CONTRACT)
    recorded = manifest.get("contract")
    if contract is not None and (
        not isinstance(recorded, dict) or recorded.get("sha256") != build.sha256(contract)
    ):
        findings.add(build.CONTRACT, "its sha256 is not the one manifest.json records")
    if build.MANIFEST not in sums:
        findings.add(build.MANIFEST, "not covered by SHA256SUMS")


def _check_signature(
    scan: archive.Scan, public_key: str | None, findings: _Findings, required: bool = False
) -> str:
    signature = scan.kept.get(build.SIGNATURE)
    sums = scan.kept.get(build.SUMS)
    if public_key is None:
        if signature is not None:
            findings.warnings.append(f"{build.SIGNATURE}: present but not checked (pass --key PUBKEY)")
            return "not-checked"
        if required:
            findings.add(build.SIGNATURE, "missing: the kit is not signed (--require-signature)")
        else:
            findings.warnings.append(UNSIGNED_WARNING)
        return "none"
    if signature is None:
        findings.add(build.SIGNATURE, "missing, but a key was given: the kit is not signed by it")
        return "missing"
    if sums is None:
        return "invalid"
    why = signing.verify(public_key, sums, signature)
    if why is not None:
        findings.add(build.SIGNATURE, why)
        return "invalid"
    return "verified"


def _lock(manifest: Mapping[str, Any]) -> dict[str, str]:
    lock = {}
    for row in manifest.get("images") or []:
        if (
            isinstance(row, dict)
            and isinstance(row.get("source"), str)
            and isinstance(row.get("digest"), str)
        ):
            lock[row["source"]] = row["digest"]
    return lock


def _check_rebuild(scan: archive.Scan, manifest: Mapping[str, Any], findings: _Findings) -> None:
    raw = scan.kept.get(build.CONTRACT)
    catalog = scan.kept.get(build.CATALOG)
    if raw is None or catalog is None:
        return  # reported as missing
    registry = manifest.get("registry")
    if registry is not None and not isinstance(registry, str):
        findings.add(build.MANIFEST, "registry is not a string")
        return
    try:
        result, derived = build.derive(raw, catalog, registry, _lock(manifest))
    except UsageError as exc:
        findings.add(build.MANIFEST, f"cannot be rendered again: {exc}")
        return
    except InputError as exc:
        findings.add(build.CATALOG, f"cannot be used: {exc}")
        return
    if derived is None:
        first = next((d for d in result.diagnostics if d.severity.value == "error"), None)
        detail = f": {first.code} line {first.line}: {first.message}" if first else ""
        findings.add(
            build.CONTRACT, f"does not validate with the bundled catalog ({result.errors} errors){detail}"
        )
        return
    version = manifest.get("version")
    hint = (
        f" (the kit was built by install-contract {version}; this is {__version__})"
        if version != __version__
        else ""
    )
    on_disk = {p for p in scan.files if p.startswith(build.RENDERED)}
    for path, data in sorted(derived.rendered.items()):
        # By sha256: rendered/ is streamed, never held (a kit's may be any size).
        if path not in on_disk:
            findings.add(path, "missing from rendered/: a fresh render writes it")
        elif scan.files[path].sha256 != build.sha256(data):
            findings.add(path, f"differs from a fresh render of install-contract.yaml{hint}")
    for path in sorted(on_disk - set(derived.rendered)):
        findings.add(path, "extra in rendered/: a fresh render does not write it")
    expected_images = build.lines_text([i.ref for i in derived.images])
    if build.IMAGES in scan.kept and scan.kept[build.IMAGES] != expected_images:
        findings.add(
            build.IMAGES, "does not list exactly the images the contract needs (with the manifest's digests)"
        )
    if build.MODELS in scan.kept and scan.kept[build.MODELS] != build.lines_text(derived.models):
        findings.add(build.MODELS, "does not list exactly the contract's vllm models and revisions")
    findings.warnings.extend(derived.warnings)


def verify_kit(path: str, public_key: str | None = None, *, require_signature: bool = False) -> Report:
    """Verify the kit at `path` (a directory or a .tar.gz). InputError when it is missing.

    `public_key` is the text of an OpenSSH public key (see `signing.read_public_key`).
    With `require_signature`, a kit without a signature is refused instead of warned about.
    """
    scan = archive.scan(path, _keep)
    findings = _Findings()
    for member, why in scan.refused:
        findings.add(member, f"unsafe, refused: {why}")
    sums = _check_sums(scan, findings)
    _check_layout(scan, sums, findings)
    manifest = _load_manifest(scan, findings)
    if manifest is not None and sums is not None:
        _check_manifest(manifest, scan, sums, findings)
    signature = _check_signature(scan, public_key, findings, require_signature)
    if manifest is not None and not scan.refused:
        _check_rebuild(scan, manifest, findings)
    built_by = manifest.get("version") if manifest else None
    return Report(
        kit=path,
        problems=tuple(findings.problems),
        warnings=tuple(dict.fromkeys(findings.warnings)),  # each once
        signature=signature,
        files=len(scan.files),
        bytes_hashed=scan.bytes_hashed,
        built_by=built_by if isinstance(built_by, str) else None,
    )
