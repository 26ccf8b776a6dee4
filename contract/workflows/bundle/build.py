"""Build an air-gapped install kit from a contract.

The layout (at the top of the archive, no enclosing folder):

| path | what |
|---|---|
| install-contract.yaml | the contract as given, byte for byte |
| rendered/ | `render`'s full output, rendered from that bundled copy with the bundled catalog |
| images.txt | every container image the install needs, sorted (pinned by digest with a lock) |
| models.txt | `<Hugging Face id> <revision>` of each `vllm:` entry (`unpinned` without one) and `ollama:<tag> unpinned` of each Ollama entry (`ollama pull <tag>`), sorted |
| wheelhouse/ | this tool and its runtime dependencies as wheels, and a hashed requirements.txt |
| catalog/litellm_models.json | the model map the tool validates with |
| manifest.json | tool version, contract sha256, registry, images, and every other file's size and sha256 |
| SHA256SUMS | coreutils format over every file but itself and the signature |
| SHA256SUMS.sig | with a signing key: an OpenSSH signature (namespace install-contract) of SHA256SUMS |

Rendering and listing are functions of the kit's own files (`derive`), so `bundle verify`
repeats them on the other side and compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

from contract import __version__
from contract.errors import InputError, UsageError
from contract.knowledge import images
from contract.knowledge.facts import OLLAMA_PREFIXES
from contract.pipeline.validate import Result, TypedContract
from contract.workflows.bundle import archive, signing
from contract.workflows.bundle.wheelhouse import Target, build_wheelhouse

CONTRACT = "install-contract.yaml"
RENDERED = "rendered/"
IMAGES = "images.txt"
MODELS = "models.txt"
CATALOG = "catalog/litellm_models.json"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
WHEELHOUSE_REQUIREMENTS = "wheelhouse/requirements.txt"
UNPINNED = "unpinned"


@dataclass(frozen=True)
class Image:
    ref: str  # as images.txt lists it: mirrored, with @digest when pinned
    source: str  # the reference the install names, canonical
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "source": self.source, "digest": self.digest, "pinned": self.pinned}


@dataclass(frozen=True)
class Derived:
    """What a kit's contract, catalog, registry and digests determine."""

    rendered: dict[str, bytes]  # under rendered/
    images: tuple[Image, ...]
    models: tuple[str, ...]  # models.txt lines
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class BuildOptions:
    registry: str | None = None
    images_lock: str | None = None
    sign_key: str | None = None
    catalog_path: str | None = None
    target: Target = field(default_factory=Target)
    tool_wheel: str | None = None
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    mtime: int = 0  # SOURCE_DATE_EPOCH


@dataclass(frozen=True)
class Kit:
    files: dict[str, bytes]  # every file of the layout, sorted by path
    warnings: tuple[str, ...]
    images: tuple[Image, ...]
    signed: bool


@dataclass(frozen=True)
class Refused:
    """A contract that must not travel: its validation result and the reasons."""

    result: Result
    reasons: tuple[str, ...]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------ lists


def read_lock(path: str) -> dict[str, str]:
    """`--images-lock`: lines `ref@sha256:<64 hex>` -> {canonical ref without digest: digest}."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--images-lock {path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"--images-lock {path}: not UTF-8 text") from None
    lock: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            ref = images.parse(line)
        except UsageError as exc:
            raise UsageError(f"--images-lock {path}:{number}: {exc}") from None
        if ref.digest is None:
            raise UsageError(f"--images-lock {path}:{number}: {line!r} has no @sha256:<digest>")
        lock[str(ref.without_digest())] = ref.digest
    return lock


def needed_images(contract: TypedContract) -> list[str]:
    """Every image the install pulls: each vLLM image, LiteLLM's, and check's defaults."""
    refs = {m.vllm.image or images.DEFAULT_VLLM_IMAGE for m in contract.models if m.vllm is not None}
    refs |= {images.LITELLM_IMAGE, *images.CHECK_IMAGES}
    return sorted(refs)


def image_list(
    contract: TypedContract, registry: str | None, lock: Mapping[str, str]
) -> tuple[tuple[Image, ...], list[str]]:
    found: dict[str, Image] = {}
    unpinned: set[str] = set()  # two spellings of one image (`vllm/x:1`, `docker.io/vllm/x:1`): once
    for reference in needed_images(contract):
        source = images.parse(reference)
        digest = source.digest or lock.get(str(source.without_digest()))
        pinned = images.ImageRef(source.registry, source.path, source.tag, digest)
        image = Image(str(images.mirror(pinned, registry)), str(source.without_digest()), digest)
        found[image.ref] = image
        if digest is None:
            unpinned.add(image.source)
    warnings = [
        f"{IMAGES}: {source} is not pinned by digest (add it to --images-lock)" for source in sorted(unpinned)
    ]
    return tuple(sorted(found.values(), key=lambda i: i.ref)), warnings


def ollama_tag(litellm_model: str) -> str | None:
    """The Ollama model an `ollama/` or `ollama_chat/` entry calls, with Ollama's `:latest` rule."""
    from contract.knowledge.entries import prefix, suffix

    name = suffix(litellm_model)
    if prefix(litellm_model) not in OLLAMA_PREFIXES or not name:
        return None
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def model_list(contract: TypedContract) -> tuple[tuple[str, ...], list[str]]:
    lines = set()
    unpinned: dict[str, list[str]] = {}  # HF id -> the entries that serve it without a revision
    for entry in contract.models:
        tag = ollama_tag(entry.litellm_model)
        if tag is not None:
            lines.add(f"ollama:{tag} {UNPINNED}")
        if entry.vllm is None:
            continue
        lines.add(f"{entry.vllm.model} {entry.vllm.revision or UNPINNED}")
        if entry.vllm.revision is None:
            unpinned.setdefault(entry.vllm.model, []).append(entry.litellm_model_name)
    warnings = [
        f"{MODELS}: {model} ({', '.join(names)}) has no vllm.revision; the weights are not pinned"
        for model, names in sorted(unpinned.items())
    ]
    return tuple(sorted(lines)), warnings


def egress_warnings(contract: TypedContract) -> list[str]:
    """One warning naming the entries that call an API outside the site (they need egress)."""
    from contract.knowledge.entries import in_cluster, is_self_hosted, prefix

    outside = []
    for entry in contract.models:
        if is_self_hosted(entry) or ollama_tag(entry.litellm_model) is not None:
            continue
        base = entry.api_base
        if base is not None and (in_cluster(base) or _on_site(base)):
            continue
        where = _host(base) if base else f"{prefix(entry.litellm_model) or entry.litellm_model} API"
        outside.append(f"{entry.litellm_model_name} ({where})")
    if not outside:
        return []
    return [
        f"{CONTRACT}: {len(outside)} cloud entr{'y calls' if len(outside) == 1 else 'ies call'} an API "
        f"outside the site, which an air-gapped install cannot reach without egress: {', '.join(outside)}"
    ]


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url.strip()).hostname or url
    except ValueError:
        return url


def _on_site(url: str) -> bool:
    """A loopback or private address, or a `.local`/`.internal` name: inside the site."""
    import ipaddress

    host = _host(url).rstrip(".").casefold()
    if host == "localhost" or host.endswith((".local", ".internal", ".lan", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def derive(
    raw: bytes,
    catalog_bytes: bytes,
    registry: str | None,
    lock: Mapping[str, str],
    file: str = CONTRACT,
) -> tuple[Result, Derived | None]:
    """Validate the kit's contract and derive rendered/, the image and the model lists."""
    from contract.pipeline.render import render
    from contract.pipeline.rules import Options
    from contract.pipeline.validate import validate_bytes

    with tempfile.TemporaryDirectory(prefix="ic-kit-catalog-") as tmp:
        catalog_path = os.path.join(tmp, os.path.basename(CATALOG))
        Path(catalog_path).write_bytes(catalog_bytes)
        try:
            result = validate_bytes(raw, file=file, options=Options(catalog_path=catalog_path))
            if result.errors or result.contract is None:
                return result, None
            rendering = render(
                result.contract,
                source_name=CONTRACT,
                source_bytes=raw,
                catalog_path=catalog_path,
                registry=registry,
            )
        except InputError as exc:
            # name the kit's file, not the private copy
            raise InputError(str(exc).replace(catalog_path, CATALOG)) from None
    image_rows, image_warnings = image_list(result.contract, registry, lock)
    model_rows, model_warnings = model_list(result.contract)
    warnings = image_warnings + model_warnings + egress_warnings(result.contract)
    warnings += [f"{RENDERED.rstrip('/')}: {warning}" for warning in rendering.warnings]
    rendered = {RENDERED + path: data for path, data in rendering.files.items()}
    return result, Derived(rendered, image_rows, model_rows, tuple(dict.fromkeys(warnings)))


def literal_secrets(result: Result) -> list[str]:
    """Every literal secret of the contract, anywhere in it, as `/pointer (line N)`: never its value."""
    from contract.diagnostics import json_pointer
    from contract.knowledge.secrets import literal_places
    from contract.pipeline.load import load

    if result.source is None:
        return []
    document = load(result.source)
    return [
        f"{json_pointer(path)} (line {document.source_map.value(path).line}): {what}"
        for path, what in literal_places(document.data)
    ]


def packaged_catalog() -> bytes:
    return (package_files("contract") / "data" / "litellm_models.json").read_bytes()


def catalog_bytes(catalog_path: str | None) -> bytes:
    chosen = catalog_path or os.environ.get("INSTALL_CONTRACT_CATALOG") or None
    if chosen is None:
        return packaged_catalog()
    from contract.knowledge.catalog import load_catalog

    load_catalog(chosen)  # an unreadable or foreign file fails here with its own message
    return Path(chosen).read_bytes()


# ------------------------------------------------------------------------------ build


def lines_text(lines: Sequence[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def manifest_bytes(
    raw: bytes, registry: str | None, image_rows: Sequence[Image], files: Mapping[str, bytes]
) -> bytes:
    manifest = {
        "tool": "install-contract",
        "version": __version__,
        "contract": {"file": CONTRACT, "sha256": sha256(raw)},
        "registry": registry,
        "images": [image.as_dict() for image in image_rows],
        "files": [{"path": p, "size": len(files[p]), "sha256": sha256(files[p])} for p in sorted(files)],
    }
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


def sums_bytes(files: Mapping[str, bytes]) -> bytes:
    """coreutils `sha256sum` format: `<hex>  <path>`, sorted by path."""
    return "".join(f"{sha256(files[p])}  {p}\n" for p in sorted(files)).encode("utf-8")


def build_kit(contract_path: str, options: BuildOptions) -> Kit | Refused:
    """Everything but the writing: validate, refuse secrets, render, list, download, hash, sign."""
    from contract.pipeline.validate import read_contract

    registry = images.check_registry(options.registry) if options.registry is not None else None
    lock = read_lock(options.images_lock) if options.images_lock else {}
    raw = read_contract(contract_path)
    catalog = catalog_bytes(options.catalog_path)
    result, derived = derive(raw, catalog, registry, lock, file=contract_path)
    # Wherever it stands (`global.postgresPassword` too, not only a model's apiKey).
    secrets = literal_secrets(result)
    if derived is None or secrets:
        reasons = [f"a literal secret would travel with the kit: {s}" for s in secrets]
        if result.errors:
            reasons.append(f"the contract has {result.errors} error(s)")
        return Refused(result, tuple(reasons))
    if options.sign_key is not None:
        signing.check_private_key(options.sign_key)  # before the wheelhouse, not after
    files: dict[str, bytes] = {CONTRACT: raw, CATALOG: catalog, **derived.rendered}
    files[IMAGES] = lines_text([image.ref for image in derived.images])
    files[MODELS] = lines_text(derived.models)
    files.update(
        build_wheelhouse(
            options.target,
            tool_wheel=options.tool_wheel,
            find_links=options.find_links,
            no_index=options.no_index,
        )
    )
    files[MANIFEST] = manifest_bytes(raw, registry, derived.images, files)
    files[SUMS] = sums_bytes(files)
    if options.sign_key is not None:
        files[SIGNATURE] = signing.sign(options.sign_key, files[SUMS])
    return Kit(dict(sorted(files.items())), derived.warnings, derived.images, options.sign_key is not None)


def write_kit(kit: Kit, out: str, mtime: int = 0) -> None:
    """A `.tar.gz` (written atomically) or a new directory, by the name of `out`."""
    if archive.is_archive_path(out):
        from contract.writing import write_atomic

        if os.path.isdir(out):
            raise UsageError(f"{out}: is a directory")
        parent = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(parent):
            raise UsageError(f"{out}: the folder {parent} does not exist")
        write_atomic(out, archive.archive_bytes(kit.files, mtime))
    else:
        archive.write_directory(out, kit.files)
