"""install-contract: compile and validate the `models:` of install-contract.yaml.

The library in layers. A module imports from its own layer and the layers below it, never
above; import-linter checks this in ./scripts/test (`[tool.importlinter]` in pyproject.toml),
and a `_private` module is imported only from inside its own package.

    cli/                  the click application: options → request → workflow → outcome →
                          reporter → exit code (outside this package)
    contract.reporting    outcomes as text for people and CI: text, json, github, sarif, tables
    contract.workflows    what each command does: edit (add/remove), starter (init), listing
                          (catalog), envdiff (diff), checks, apply, bundle, discover, importer,
                          editor (the language server's core)
    contract.clients      the outside world: one HTTP policy; admin API, Kubernetes, Unleash
    contract.pipeline     the compiler: load → type (model) → rules → validate → render
    contract.knowledge    what the tool knows: catalog, families, sizing, vLLM flags, images,
                          secrets and ${VAR} references, derived names
    contract.errors, .diagnostics, .writing, .resources
                          the foundation: exceptions, the diagnostic record, atomic writes,
                          packaged data

The package import is kept free of heavy modules so that `install-contract --help` and
`validate` start fast; submodules import what they need.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
