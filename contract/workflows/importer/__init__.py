"""Existing configurations turned into contract entries: `install-contract import litellm`.

    read_config(path) / fetch_model_info(url, key)   a LiteLLM config.yaml, or a proxy's /model/info
        │
        ▼
    import_litellm(document)  ─►  Imported: entries, groups of one name, what was kept out,
        │                         the side file (`extra`), variables to set
        ├─ contract_text(imported)            a new contract
        └─ plan_imported_add(path, imported)  appended through `contract.workflows.edit.append_entry`

`command.import_command(ImportRequest)` is the command as one call: it checks the options,
reads, imports, writes (atomically) what --out, --add and --keep-extra ask for, and returns an
`ImportOutcome` that `contract/reporting/importer.py` reports.

`contract.pipeline.render.extra` reads the side file back and merges it into the LiteLLM config
`render` writes (`render --litellm-extra FILE`). Nothing here prints; httpx is imported only
by `fetch_model_info`.
"""

from __future__ import annotations

from contract.pipeline.render.extra import read_config
from contract.workflows.importer.litellm import (
    TODO,
    DuplicateGroup,
    ImportAdd,
    Imported,
    ImportedEntry,
    contract_text,
    extra_text,
    import_litellm,
    plan_imported_add,
)
from contract.workflows.importer.proxy import fetch_model_info

__all__ = [
    "TODO",
    "DuplicateGroup",
    "ImportAdd",
    "Imported",
    "ImportedEntry",
    "contract_text",
    "extra_text",
    "fetch_model_info",
    "import_litellm",
    "plan_imported_add",
    "read_config",
]
