"""What each command does beyond the pipeline: one module or package per workflow.

`validation` (validate), `reference` (explain, schema), `listing` (catalog), `editing` (add,
remove and init over `edit` and `starter`), `rendering` (render), `environments` (resolve, diff
over `envdiff`), `checks/` (check: `checks.command`), `apply/` (plan, apply), `bundle/`
(`bundle.command`), `discover/`, `importer/` (import litellm), `editor/` (the language server's
pure core). Shared by several of them: `entry_edit` (an entry built from facts and appended to a
file, for add and discover) over `yaml_edit` (the round-trip text edit), and `managed` (how the
tool marks the objects it writes, for apply and check).

A workflow takes a frozen request, calls the pipeline and the clients, and returns an outcome
(contract/outcome.py); it never prints and never exits.
"""
