"""Names derived from a model's name: one place, so that rules and render derive the same ones."""

from __future__ import annotations

import re


def k8s_name(name: str) -> str:
    """A DNS-1123 name for Kubernetes objects: `Qwen3.Coder_30B` -> qwen3-coder-30b."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
