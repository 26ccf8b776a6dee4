"""OpenSSH signatures over SHA256SUMS (namespace `install-contract`), made and checked by ssh-keygen.

The air-gapped side must be able to check a kit with stock tools; using `ssh-keygen -Y`
here too means the tool and those tools agree by construction, and no crypto library joins
the runtime dependencies. Ed25519 and RSA signatures are deterministic, so a signed kit
stays reproducible.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from contract.errors import ExternalError, InputError, UsageError

NAMESPACE = "install-contract"
PRINCIPAL = "install-contract"
TIMEOUT = 60


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise ExternalError("ssh-keygen not found: install OpenSSH (the openssh-client package)")
    return found


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def check_private_key(key_path: str) -> None:
    """Refuse, before any work, a --sign-key that is no key ssh-keygen can sign with.

    ssh-keygen takes an OpenSSH private key (or a PEM one), or a public key whose private half
    it finds beside it or in ssh-agent; given anything else it says only that it cannot load
    a public key.
    """
    try:
        with open(key_path, "rb") as handle:
            head = handle.read(4096).lstrip()
    except FileNotFoundError:
        raise InputError(f"--sign-key {key_path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"--sign-key {key_path}: is a directory, not a key") from None
    except OSError as exc:
        raise InputError(f"--sign-key {key_path}: cannot be read ({exc.strerror or exc})") from None
    first = head.split(b"\n", 1)[0].strip()
    private = first.startswith(b"-----BEGIN ") and first.endswith(b"PRIVATE KEY-----")
    public = first.startswith((b"ssh-", b"ecdsa-", b"sk-")) and b" AAAA" in first
    if not (private or public):
        raise UsageError(
            f"--sign-key {key_path}: not an OpenSSH private key (expected a file beginning "
            "'-----BEGIN OPENSSH PRIVATE KEY-----', as `ssh-keygen -t ed25519 -N '' -f KEY` writes)"
        )


def sign(key_path: str, data: bytes) -> bytes:
    """The armored SSH signature of `data` by the private key at `key_path`."""
    check_private_key(key_path)
    with tempfile.TemporaryDirectory(prefix="ic-sign-") as tmp:
        message = Path(tmp) / "SHA256SUMS"
        message.write_bytes(data)
        try:
            proc = subprocess.run(
                [_ssh_keygen(), "-q", "-Y", "sign", "-n", NAMESPACE, "-f", key_path, str(message)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                start_new_session=True,  # no terminal: a passphrase prompt fails instead of hanging
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExternalError(f"ssh-keygen did not sign within {TIMEOUT} s") from None
        signature = Path(f"{message}.sig")
        if proc.returncode != 0 or not signature.is_file():
            said = _tail(proc.stderr)
            if "passphrase" in said.lower():
                raise UsageError(
                    f"--sign-key {key_path}: the key has a passphrase, and signing runs without a "
                    "terminal: use a key without one, or load it into ssh-agent and pass KEY.pub"
                )
            raise UsageError(f"--sign-key {key_path}: ssh-keygen could not sign with it ({said})")
        return signature.read_bytes()


def allowed_signers_line(public_key: str) -> str:
    """The allowed-signers line for an OpenSSH public key (`type base64 [comment]`)."""
    fields = public_key.split()
    if len(fields) < 2 or not (
        fields[0].startswith(("ssh-", "ecdsa-", "sk-")) and fields[1].startswith("AAAA")
    ):
        raise UsageError(
            "--key: not an OpenSSH public key (expected a line like 'ssh-ed25519 AAAA… comment')"
        )
    return f'{PRINCIPAL} namespaces="{NAMESPACE}" {fields[0]} {fields[1]}\n'


def read_public_key(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"--key {path}: cannot be read ({exc.strerror or exc})") from None
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise UsageError(f"--key {path}: empty; expected an OpenSSH public key")
    allowed_signers_line(lines[0])
    return lines[0]


def verify(public_key: str, data: bytes, signature: bytes) -> str | None:
    """None when `signature` is `public_key`'s signature of `data`; else why not."""
    with tempfile.TemporaryDirectory(prefix="ic-verify-") as tmp:
        allowed = Path(tmp) / "allowed_signers"
        allowed.write_text(allowed_signers_line(public_key))
        sig = Path(tmp) / "SHA256SUMS.sig"
        sig.write_bytes(signature)
        try:
            proc = subprocess.run(
                [
                    _ssh_keygen(),
                    "-Y",
                    "verify",
                    "-f",
                    str(allowed),
                    "-I",
                    PRINCIPAL,
                    "-n",
                    NAMESPACE,
                    "-s",
                    str(sig),
                ],
                input=data,
                capture_output=True,
                timeout=TIMEOUT,
                start_new_session=True,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExternalError(f"ssh-keygen did not verify within {TIMEOUT} s") from None
    if proc.returncode == 0:
        return None
    said = _tail((proc.stderr + proc.stdout).decode(errors="replace"))
    return f"not a valid signature of SHA256SUMS by the given key ({said})"
