"""`docs/rules.md`: every rule's `explain` text as one page, and the address of a rule in it.

The page is generated from the rules' docstrings (`python -m contract.workflows.editor.rules_doc >
docs/rules.md`); a test keeps the checked-in copy current. It travels in the wheel, so the
link a diagnostic carries opens offline, air-gapped installs included.
"""

from __future__ import annotations

import sys


def rules_markdown() -> str:
    from contract.pipeline.rules import RULES

    out = [
        "# Rules",
        "",
        "Every rule `install-contract validate` applies, as `install-contract explain CODE` prints it.",
        "Generated from the rules' docstrings by `python -m contract.workflows.editor.rules_doc`; do not edit.",
        "",
    ]
    for code in sorted(RULES):
        rule = RULES[code]
        out += [
            f"## {code}",
            "",
            f"`{rule.name}` (default severity: {rule.severity.value})",
            "",
            "```text",
            rule.doc.rstrip(),
            "```",
            "",
        ]
    return "\n".join(out)


def rule_url(code: str, template: str | None = None) -> str:
    """Where a rule's documentation is: `template` with `{code}`/`{anchor}` filled in, else the
    section of the installed `docs/rules.md`."""
    anchor = code.lower()
    if template:
        return template.replace("{code}", code).replace("{anchor}", anchor)
    from contract.resources import resource_dir

    return (resource_dir("docs") / "rules.md").as_uri() + f"#{anchor}"


if __name__ == "__main__":
    sys.stdout.write(rules_markdown())
