"""`plan` and `apply`, built like Terraform: desired state from the contract, observed state read
from each system, a plan that is a pure function of the two, and a separate step that executes it.

    changes.py    the plan's records (`Change`, `Plan`), shared by every system
    desired.py    contract -> desired state of every system (pure)
    admin.py      admin API: observe, diff (pure), execute
    flags.py      Unleash: observe, diff (pure), execute
    litellm.py    Kubernetes (LiteLLM Secret, ConfigMap, Deployment annotation): observe, diff, execute
    run.py        the order: models -> flags (they need the models' IDs) -> LiteLLM

The clients these use live in `contract/clients/`; nothing here prints.
"""
