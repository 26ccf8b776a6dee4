"""Typed entries without pydantic's validator, for input that is already exactly right.

Building pydantic's validators costs more than the rest of a `validate` run (its core schema
is generated in Python, and its plugin lookup imports `importlib.metadata` to scan every
installed package). The contract's models are therefore declared with `defer_build=True`,
and a contract whose values already have exactly the declared types (the common case: a
contract that validates) is typed here, from the models' own field declarations, with
`model_construct`. Anything this module is not sure about (a wrong type, a missing required
field, an unknown key, a violated bound, a field kind it does not know) returns None, and the
caller falls back to pydantic's validation, which builds the validator on first use and
reports the errors. So this module may refuse more than pydantic does, never accept more;
`tests/test_fast_typing.py` checks both directions against pydantic on generated input.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, SecretStr

__all__ = ["construct"]

# A field's check: the typed value, or _REFUSE.
_REFUSE: Any = object()
Check = Callable[[Any], Any]


class _Unsupported(Exception):
    """A declaration this module does not type itself (the model always falls back)."""


def construct(cls: type[BaseModel], raw: Any) -> BaseModel | None:
    """`cls` built from `raw` when `raw` has exactly the declared types; None when unsure."""
    plan = _plan(cls)
    if plan is None:
        return None
    value = plan(raw)
    return None if value is _REFUSE else value


@functools.cache
def _plan(cls: type[BaseModel]) -> Check | None:
    try:
        return _model_check(cls)
    except _Unsupported:
        return None


def _model_check(cls: type[BaseModel]) -> Check:
    config = cls.model_config
    if not config.get("strict") or config.get("populate_by_name"):
        raise _Unsupported(cls.__name__)  # lax coercions are pydantic's alone
    fields: dict[str, tuple[str, Check, bool]] = {}  # YAML key -> (attribute, check, required)
    for name, info in cls.model_fields.items():
        key = info.alias or name
        fields[key] = (name, _bounded(_type_check(info.annotation), info.metadata), info.is_required())
    required = frozenset(key for key, (_, _, needed) in fields.items() if needed)

    def check(raw: Any) -> Any:
        if type(raw) is not dict or not required <= raw.keys():
            return _REFUSE
        values: dict[str, Any] = {}
        for key, item in raw.items():
            spec = fields.get(key)
            if spec is None:
                # Unknown keys: an error (extra="forbid") or typed extras (featureFlags):
                # either way pydantic's business.
                return _REFUSE
            typed = spec[1](item)
            if typed is _REFUSE:
                return _REFUSE
            values[spec[0]] = typed
        return cls.model_construct(**values)

    return check


def _type_check(annotation: Any) -> Check:
    if annotation is str:
        return lambda v: v if type(v) is str else _REFUSE
    if annotation is bool:
        return lambda v: v if type(v) is bool else _REFUSE
    if annotation is int:
        return lambda v: v if type(v) is int else _REFUSE
    if annotation is float:
        # Strict floats take ints and store them as floats; nan and infinities go to pydantic.
        return lambda v: float(v) if type(v) in (int, float) and math.isfinite(v) else _REFUSE
    if annotation is SecretStr:
        return lambda v: SecretStr(v) if type(v) is str else _REFUSE
    if annotation is Any:
        return lambda v: v
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_check(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal and all(type(a) is str for a in args):
        allowed = frozenset(args)
        return lambda v: v if type(v) is str and v in allowed else _REFUSE
    if origin is list and len(args) == 1:
        item = _type_check(args[0])

        def check_list(v: Any) -> Any:
            if type(v) is not list:
                return _REFUSE
            out = [item(x) for x in v]
            return _REFUSE if any(x is _REFUSE for x in out) else out

        return check_list
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        nullable = len(options) < len(args)
        members = [_type_check(a) for a in options]

        def check_union(v: Any) -> Any:
            if v is None:
                return None if nullable else _REFUSE
            # Smart-mode unions pick the member whose type matches exactly; the members used
            # here (str, list, models, numbers) never overlap, so the first match is the one.
            for member in members:
                typed = member(v)
                if typed is not _REFUSE:
                    return typed
            return _REFUSE

        if len([a for a in options if a in (int, float)]) > 1:
            raise _Unsupported(str(annotation))  # int | float: pydantic's choice
        return check_union
    raise _Unsupported(str(annotation))


def _bounded(check: Check, metadata: list[Any]) -> Check:
    """`check`, then the field's constraints (ge, gt, le, lt, min_length)."""
    import operator

    # annotated_types constraint -> (its attribute, the comparison that must hold)
    known: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
        "Ge": ("ge", operator.ge),
        "Gt": ("gt", operator.gt),
        "Le": ("le", operator.le),
        "Lt": ("lt", operator.lt),
        "MinLen": ("min_length", lambda v, b: len(v) >= b),
    }
    tests: list[tuple[Callable[[Any, Any], bool], Any]] = []
    for constraint in metadata:
        kind = type(constraint).__name__
        if kind not in known:
            raise _Unsupported(kind)
        attribute, holds = known[kind]
        tests.append((holds, getattr(constraint, attribute)))
    if not tests:
        return check

    def check_bounded(v: Any) -> Any:
        typed = check(v)
        if typed is _REFUSE or typed is None:
            return typed
        return typed if all(holds(typed, bound) for holds, bound in tests) else _REFUSE

    return check_bounded
