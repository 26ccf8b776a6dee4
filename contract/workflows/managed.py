"""How the tool marks what it writes, so that it finds its own objects again and leaves others'."""

from __future__ import annotations

# The admin API's `managedBy`, and the value of MANAGED_LABEL on the Kubernetes objects that
# `apply` (LiteLLM's Secret and ConfigMap) and `check --where cluster` (pods, Secret) create.
MANAGED_BY = "install-contract"
MANAGED_LABEL = "app.kubernetes.io/managed-by"
