"""Thin clients for the systems outside the tool, one module per system.

    http.py        the one timeout/TLS/retry policy every client uses (httpx + stamina)
    kube.py        Kubernetes: kubeconfig context and namespace, raw JSON calls (check, apply, discover)
    admin_api.py   the platform's admin API (apply)
    unleash.py     Unleash's admin API (apply)

Clients return plain data or raise `contract.errors.ExternalError` subclasses; they never print.
Each module imports its heavy library (httpx, kubernetes) itself, so importing `contract` for
`validate` costs nothing.
"""

import sys

# httpx imports its own command line (click, rich, pygments) whenever those are installed, and
# rich is (the plan table): ~0.3 s of every run that talks HTTP, for a CLI the tool never uses.
# A None entry makes httpx's `from ._main import main` fail, and httpx falls back without it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
