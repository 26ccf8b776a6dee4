"""The names of render's targets, in a module of their own: the command line lists them in
`render --help` and completes them without importing the renderer.
"""

from __future__ import annotations

TARGETS = ("litellm", "vllm", "helm-platform", "helm-production-stack", "helm-litellm", "router")
# Targets that only exist for entries with a `vllm:` block.
SELF_HOSTED_TARGETS = frozenset({"vllm", "helm-platform", "helm-production-stack"})
