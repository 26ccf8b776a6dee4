"""An import-linter contract type: a `_private` module is imported only from inside its package.

`contract.pipeline.render._views` may be imported by `contract.pipeline.render.gitops`, not by
`cli.main` or `contract.workflows.bundle`: what another package needs is made public first.
Registered in pyproject.toml (`contract_types`) and run by `lint-imports` in ./scripts/test.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def _owner(module: str) -> str | None:
    """The package a private module belongs to (`a.b._c.d` -> `a.b`), or None for a public one."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:index])
    return None


class PrivateModulesContract(Contract):
    """Every import of a `_private` module comes from inside the package that owns it."""

    containers = fields.ListField(subfield=fields.StringField())
    # "importer -> imported" pairs tolerated for now; each should go
    allow = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        roots = tuple(str(c) for c in self.containers)  # type: ignore[attr-defined]
        allowed = {str(a).replace(" ", "") for a in self.allow}  # type: ignore[attr-defined]
        broken: list[dict[str, Any]] = []
        for imported in sorted(graph.modules):
            owner = _owner(imported)
            if owner is None or not imported.startswith(roots):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if importer == owner or importer.startswith(owner + "."):
                    continue
                if f"{importer}->{imported}" in allowed:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = sorted({d["line_number"] for d in details})
                broken.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(f"{item['importer']} imports private {item['imported']} ({lines})", bold=False)
        output.new_line()
        output.print_error(
            "make what the other package needs public (drop the underscore or move it), "
            "or keep the import inside the owning package",
            bold=False,
        )
