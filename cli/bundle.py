"""`install-contract bundle [FILE] --out PATH` and `install-contract bundle verify PATH`."""

from __future__ import annotations

import os

import click

from cli import DEFAULT_FILE
from cli._exit import handled
from cli._help import USAGE_MEANING, Group, exit_codes
from cli._options import catalog_option, format_option
from cli._report import finish


class _BundleGroup(Group):
    """A group whose first argument is a contract FILE unless it names a subcommand.

    `bundle FILE --out PATH` builds (the `build` subcommand, implied); `bundle verify PATH`
    verifies. A contract file literally named `verify` is built with `bundle build verify`.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["build", *args]
        return super().parse_args(ctx, args)


_BUILD_CODES = {
    0: "built (warnings allowed)",
    1: "the contract has errors or a literal secret",
    2: USAGE_MEANING,
    3: "pip or the package index failed",
}
_VERIFY_CODES = {0: "verified", 1: "tampered, invalid or unsafe", 2: "missing or unreadable"}


@click.group(
    cls=_BundleGroup,
    epilog=exit_codes(
        {
            0: "built, or verified",
            1: "build: contract errors or a literal secret; verify: tampered, invalid or unsafe",
            2: USAGE_MEANING,
            3: "build: pip or the package index failed",
        }
    ),
)
def bundle() -> None:
    """Build an air-gapped install kit (`bundle [FILE] --out PATH`) or verify one (`bundle verify PATH`).

    The kit holds the contract, its rendered output, the image and model lists, a hashed
    wheelhouse of this tool, the catalog, manifest.json and SHA256SUMS (signed with
    --sign-key). The same inputs give the same bytes.
    """


def _source_date_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return 0
    if not value.isdigit():
        raise click.UsageError(f"SOURCE_DATE_EPOCH={value!r}: expected seconds since 1970 (an integer)")
    return int(value)


@bundle.command(epilog=exit_codes(_BUILD_CODES))
@click.argument("file", default=DEFAULT_FILE)
@click.option(
    "-o",
    "--out",
    required=True,
    metavar="PATH",
    help="PATH ending in .tar.gz: one archive; otherwise a new directory.",
)
@click.option("--registry", metavar="HOST[/PREFIX]", help="Mirror registry for every image reference.")
@click.option(
    "--images-lock", metavar="FILE", help="Lines ref@sha256:<digest>: pin the kit's images by digest."
)
@click.option(
    "--sign-key", metavar="KEY", help="OpenSSH private key: sign SHA256SUMS (writes SHA256SUMS.sig)."
)
@catalog_option()
@click.option("--python", "python_version", default="3.11", show_default=True, help="Target Python version.")
@click.option(
    "--platform", default="manylinux_2_17_x86_64", show_default=True, help="Target wheel platform tag."
)
@click.option("--tool-wheel", metavar="FILE", help="This tool's wheel (default: built from the checkout).")
@click.option(
    "--find-links", multiple=True, metavar="DIR|URL", help="Where else pip may find wheels (repeatable)."
)
@click.option("--no-index", is_flag=True, help="Do not use the package index: only --find-links.")
@handled
def build(
    file: str,
    out: str,
    registry: str | None,
    images_lock: str | None,
    sign_key: str | None,
    catalog_path: str | None,
    python_version: str,
    platform: str,
    tool_wheel: str | None,
    find_links: tuple[str, ...],
    no_index: bool,
) -> None:
    """Build the kit of FILE (default: ./install-contract.yaml) at PATH (the default subcommand).

    Exit 0 built (warnings allowed), 1 the contract has errors or a literal secret, 2 usage
    or unreadable input, 3 the package index or pip failed.
    """
    from contract.workflows.bundle.build import BuildOptions
    from contract.workflows.bundle.command import build_bundle
    from contract.workflows.bundle.wheelhouse import Target

    options = BuildOptions(
        registry=registry,
        images_lock=images_lock,
        sign_key=sign_key,
        catalog_path=catalog_path,
        target=Target(python_version, platform),
        tool_wheel=tool_wheel,
        find_links=find_links,
        no_index=no_index,
        mtime=_source_date_epoch(),
    )
    finish(build_bundle(file, options, out))


@bundle.command(epilog=exit_codes(_VERIFY_CODES))
@click.argument("path")
@click.option("--key", metavar="PUBKEY", help="OpenSSH public key the kit must be signed by.")
@click.option("--require-signature", is_flag=True, help="Refuse an unsigned kit (without it: a warning).")
@format_option("text", "json")
@handled
def verify(path: str, key: str | None, require_signature: bool, fmt: str) -> None:
    """Verify the kit at PATH offline: the layout, checksums, no file missing or extra, the
    manifest, the signature (with --key), the contract, and that rendering it again gives
    rendered/ byte for byte. Holds at most 64 MiB of the kit in memory, whatever its size.

    Exit 0 verified (warnings allowed), 1 tampered, incomplete, invalid, unsafe or (with
    --require-signature) unsigned, 2 missing or unreadable.
    """
    from contract.workflows.bundle.command import verify_bundle

    finish(verify_bundle(path, key, require_signature=require_signature), fmt)
