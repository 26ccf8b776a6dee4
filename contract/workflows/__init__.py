"""What each command does beyond the pipeline: one module or package per workflow.

`edit` (add, remove), `starter` (init), `listing` (catalog), `envdiff` (diff), `checks/` (check),
`apply/` (plan, apply), `bundle/`, `discover/`, `importer/` (import litellm), `editor/` (the
language server's pure core). A workflow takes a request, calls the pipeline and the clients, and
returns an outcome; it never prints and never exits.
"""
