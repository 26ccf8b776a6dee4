"""Container image references: parsing, the mirror rule, and the images an install needs.

One rule for mirrors (`--registry HOST[/PREFIX]` on `render` and `bundle`): drop the source
registry host, keep the repository path, with Docker Hub's implicit `library/` made explicit,
and keep the tag and digest:

    vllm/vllm-openai:v0.33.0           -> HOST/PREFIX/vllm/vllm-openai:v0.33.0
    busybox:1.36                       -> HOST/PREFIX/library/busybox:1.36
    ghcr.io/berriai/litellm:v1.106.2   -> HOST/PREFIX/berriai/litellm:v1.106.2

Shared by render (Helm values), bundle (images.txt) and check (its pod images), so it lives
here rather than under one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contract.errors import UsageError

DOCKER_HUB = "docker.io"
# What the tool renders when a `vllm:` entry names no image (see render/_views.py).
DEFAULT_VLLM_IMAGE = "vllm/vllm-openai:v0.33.0"
# The LiteLLM version the rendered config targets, and the image its Helm chart runs
# (the chart's default repository is litellm-database; releases are tagged v<version>).
LITELLM_VERSION = "1.106.2"
LITELLM_IMAGE = f"ghcr.io/berriai/litellm-database:v{LITELLM_VERSION}"
# `check`'s default pod images: the seed's verification steps (nslookup, curl).
DNS_IMAGE = "busybox:1.36"
CURL_IMAGE = "curlimages/curl:8.10.1"
CHECK_IMAGES = (DNS_IMAGE, CURL_IMAGE)

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# distribution/reference's domain: dot-separated labels that start and end with a letter or
# digit (so no `reg..local`, no `-reg`), or a bracketed IPv6 address; then an optional port.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$")


@dataclass(frozen=True)
class ImageRef:
    """A parsed reference: `registry/path[:tag][@digest]`, the registry always explicit."""

    registry: str
    path: str  # repository path, e.g. library/busybox, vllm/vllm-openai
    tag: str | None = None
    digest: str | None = None  # sha256:<64 hex>

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    def without_digest(self) -> ImageRef:
        return ImageRef(self.registry, self.path, self.tag, None)


def parse(reference: str) -> ImageRef:
    """Parse a reference as Docker does; raise UsageError naming it when it is not one."""
    text = reference.strip()
    if not text or any(c.isspace() for c in text) or "://" in text:
        raise UsageError(f"{reference!r} is not an image reference (expected [host/]path[:tag][@sha256:…])")
    name, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        raise UsageError(f"{reference!r}: the digest must be sha256:<64 lower-case hex digits>")
    last = name.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        name, _, tag = name.rpartition(":")
        if not _TAG.match(tag):
            raise UsageError(f"{reference!r}: {tag!r} is not a valid tag")
    if not name or name.endswith("/"):
        raise UsageError(
            f"{reference!r} names no image before its tag or digest (expected [host/]path[:tag])"
        )
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not path or not all(_COMPONENT.match(part) for part in path.split("/")):
        raise UsageError(
            f"{reference!r}: {path!r} is not a valid repository path (lower case, a-z 0-9 . _ -)"
        )
    return ImageRef(registry, path, tag, digest or None)


def check_registry(registry: str) -> str:
    """`HOST[/PREFIX]` without a scheme or trailing slash; raise UsageError otherwise."""
    text = registry.strip().rstrip("/")
    host, _, prefix = text.partition("/")
    if not text or "://" in text or not _HOST.match(host) or any(c.isspace() for c in text):
        raise UsageError(f"--registry {registry!r}: expected HOST[:PORT][/PREFIX], e.g. registry.internal/ai")
    if prefix and not all(_COMPONENT.match(part) for part in prefix.split("/")):
        raise UsageError(f"--registry {registry!r}: {prefix!r} is not a valid repository path prefix")
    return text


def mirror(reference: str | ImageRef, registry: str | None) -> ImageRef:
    """The reference as the mirror serves it (unchanged when `registry` is None)."""
    ref = parse(reference) if isinstance(reference, str) else reference
    if registry is None:
        return ref
    target = check_registry(registry)
    host, _, prefix = target.partition("/")
    path = f"{prefix}/{ref.path}" if prefix else ref.path
    return ImageRef(host, path, ref.tag, ref.digest)


def name_tag_digest(reference: str) -> tuple[str, str | None, str | None]:
    """`reference` as written, split into name (host and path as written), tag and digest.

    Raises UsageError when it is not a reference (see `parse`).
    """
    ref = parse(reference)
    name = reference.strip().partition("@")[0]
    if ref.tag is not None:
        name = name[: -len(ref.tag) - 1]
    return name, ref.tag, ref.digest


def chart_tag(tag: str | None, digest: str | None) -> str:
    """The `tag` value of a chart that builds its image as `repository:tag`: a digest rides in
    it (`v0.33.0@sha256:…`); no tag means Docker's `latest`. A digest alone has no such form."""
    if tag is None and digest is not None:
        raise UsageError(
            f"@{digest} has no tag: a chart that writes repository:tag cannot pull it "
            "(write the tag it was built from, e.g. vllm/vllm-openai:v0.33.0@sha256:…)"
        )
    return (tag or "latest") + (f"@{digest}" if digest else "")


def mirror_all(references: list[str], registry: str | None) -> dict[str, ImageRef]:
    """Each reference as the mirror serves it; UsageError naming both when two different
    images would land on one mirror reference (quay.io/x/y:1 and docker.io/x/y:1)."""
    mirrored: dict[str, ImageRef] = {}
    seen: dict[str, str] = {}
    for reference in references:
        source = parse(reference)
        target = mirror(source, registry)
        other = seen.setdefault(str(target), str(source))
        if other != str(source):
            raise UsageError(
                f"--registry {registry}: {other} and {source} would both be mirrored as {target}; "
                "one would overwrite the other (use one of them, or mirror them under different prefixes)"
            )
        mirrored[reference] = target
    return mirrored
