"""Every rule, by family. Importing this package fills `RULES`; see CONTRIBUTING.md to add one.

| family | module | codes |
|---|---|---|
| reading and typing | structure.py | IC001–IC006 |
| names, prefixes, endpoints | names.py | IC101–IC109 |
| windows, limits, GPUs | limits.py | IC201–IC206, IC209 |
| vLLM extra arguments | vllm_args.py | IC207, IC208, IC210 |
| credentials | credentials.py | IC3xx |
| what a model is for: types, tools, flags | purpose.py | IC4xx |
| what only the platform can tell (run by `plan`) | platform.py | IC5xx |
| semantic routers | routers.py | IC601–IC606 |
| environments | environments.py | IC701–IC703 |
"""

from contract.pipeline.rules import (
    credentials,
    environments,
    limits,
    names,
    platform,
    purpose,
    routers,
    structure,
    vllm_args,
)
from contract.pipeline.rules._context import ContractView, Entry, Named, Options
from contract.pipeline.rules.registry import RULES, Finding, Rule, matches

__all__ = [
    "RULES",
    "ContractView",
    "Entry",
    "Finding",
    "Named",
    "Options",
    "Rule",
    "credentials",
    "environments",
    "limits",
    "matches",
    "names",
    "platform",
    "purpose",
    "routers",
    "structure",
    "vllm_args",
]
