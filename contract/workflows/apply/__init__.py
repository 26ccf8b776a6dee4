"""`plan` and `apply`, built like Terraform: desired state from the contract, observed state read
from each system, a plan that is a pure function of the two, and a separate step that executes it.

    changes.py    the plan's records (`Change`, its `FieldDiff` values, `Plan`), shared by every system
    desired.py    contract -> desired state of every system (pure)
    admin.py      admin API (providers, models): observe, diff (pure), execute
    flags.py      Unleash: observe, diff (pure), execute
    litellm.py    Kubernetes (LiteLLM Secret, ConfigMap, Deployment annotation): observe, diff, execute
    report.py     the plan as a table with values, or JSON
    run.py        the order: providers -> models -> flags (they need the models' IDs) -> LiteLLM
                  -> the deletes of --prune (once no flag points at them)

The clients these use live in `contract/clients/`; nothing here prints.
"""
