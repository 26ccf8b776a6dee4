"""`${VAR}` references in contract strings: found, named and resolved, in one place.

The one reference syntax (`ANY_REF`, `WHOLE_REF`) and the one expander, `expand`, whose
policy for a variable that is not set is explicit (`Unset`): `apply` and environments leave
the reference as it is (`"keep"`), `check` sends an empty value and reports the name
(`"empty"`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

# What `expand` puts where a variable is not set: the reference as written, or nothing.
Unset = Literal["keep", "empty"]

# A variable's name, as a shell writes it (also what `--api-key-env` and `os.environ/NAME` take).
VAR_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# One whole-value reference, the form secrets must take.
WHOLE_REF = re.compile(rf"^\$\{{({VAR_NAME})\}}$")
ANY_REF = re.compile(rf"\$\{{({VAR_NAME})\}}")
# `$VAR` or `${VAR` written by mistake: looks like a reference, is a literal.
NEAR_REF = re.compile(rf"^\$\{{?({VAR_NAME})\}}?$")


def whole_ref(value: str, *, strip: bool = False) -> str | None:
    """The variable name if `value` is exactly `${VAR}`, else None. With `strip`, whitespace
    around it is ignored (a block scalar's newline, `secrets.is_reference`)."""
    m = WHOLE_REF.match(value.strip() if strip else value)
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
    """The names among `names` that `env` does not set, or sets to an empty value."""
    return [n for n in names if not env.get(n)]


def expand(value: str, env: Mapping[str, str], *, unset: Unset) -> str:
    """`value` with every `${VAR}` replaced by its value in `env`.

    A variable `env` lacks is left as written (`unset="keep"`: the reference still says where
    the value comes from) or replaced by nothing (`unset="empty"`: what a shell does; the
    caller reports the name, see `unset`). A variable set to "" is "" either way.
    """
    if "${" not in value:
        return value
    if unset == "keep":
        return ANY_REF.sub(lambda m: env.get(m.group(1), m.group(0)), value)
    return ANY_REF.sub(lambda m: env.get(m.group(1), ""), value)


def literal_var(entry_name: str, field: str) -> str:
    """The variable a literal secret should move to: `gpt-4o` + `apiKey` -> GPT_4O_API_KEY.

    Named after the entry, so two entries of one provider with different keys never collide;
    `render` writes it into the LiteLLM config and IC303's hint suggests the same name.
    """
    from contract.knowledge.naming import snake as to_snake

    snake = to_snake(field)
    return re.sub(r"[^A-Z0-9]+", "_", f"{entry_name}_{snake}".upper()).strip("_")
