"""`plan` and `apply`, built like Terraform: desired state from the contract, observed state read
from each system, a plan that is a pure function of the two, and a separate step that executes it.

    changes.py    the plan's records (`Change`, its `FieldDiff` values, `Plan`), shared by every system
    desired.py    contract -> desired state of every system (pure)
    admin.py      admin API (providers, models): observe, diff (pure), execute
    flags.py      Unleash: observe, diff (pure), execute
    litellm.py    Kubernetes (LiteLLM Secret, ConfigMap, Deployment annotation): observe, diff, execute
    run.py        the steps, in order: providers -> models -> flags (they need the models' IDs) ->
                  LiteLLM -> the deletes of --prune (once no flag points at them)
    workflow.py   `plan` and `apply` as one call: an ApplyRequest in, an ApplyOutcome out

The clients these use live in `contract/clients/`, the plan's table and JSON in
`contract/reporting/plan.py`; nothing here prints.
"""
