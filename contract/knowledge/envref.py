"""`${VAR}` references in contract strings: parsed and named, never resolved here."""

from __future__ import annotations

import re
from collections.abc import Mapping

# One whole-value reference, the form secrets must take.
WHOLE_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
ANY_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# `$VAR` or `${VAR` written by mistake: looks like a reference, is a literal.
NEAR_REF = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


def whole_ref(value: str) -> str | None:
    """The variable name if `value` is exactly `${VAR}`, else None."""
    m = WHOLE_REF.match(value)
    return m.group(1) if m else None


def refs(value: str) -> list[str]:
    """Every variable a string names, in order."""
    return ANY_REF.findall(value)


def near_ref(value: str) -> str | None:
    """The intended variable of a malformed reference like `$VAR` or `${VAR`."""
    if WHOLE_REF.match(value):
        return None
    m = NEAR_REF.match(value)
    return m.group(1) if m else None


def unset(names: list[str], env: Mapping[str, str]) -> list[str]:
    return [n for n in names if not env.get(n)]


def literal_var(entry_name: str, field: str) -> str:
    """The variable a literal secret should move to: `gpt-4o` + `apiKey` -> GPT_4O_API_KEY.

    Named after the entry, so two entries of one provider with different keys never collide;
    `render` writes it into the LiteLLM config and IC303's hint suggests the same name.
    """
    from contract.knowledge.naming import snake as to_snake

    snake = to_snake(field)
    return re.sub(r"[^A-Z0-9]+", "_", f"{entry_name}_{snake}".upper()).strip("_")
