"""Typed entries without pydantic, for input that is already exactly right.

Importing pydantic and building its validators costs more than the rest of a `validate` run.
The contract's classes (`contract/pipeline/model.py`) are therefore plain dataclasses, and a block
whose values already have exactly the declared types (the common case: a contract that
validates) is typed here, from the classes' own field declarations. Anything this module is
not sure about (a wrong type, a missing required field, an unknown key, a violated bound)
returns None, and the caller asks the pydantic twin (`contract/pipeline/_pydantic.py`), which reports
the errors. So this module may refuse more than pydantic does, never accept more;
`tests/test_fast_typing.py` checks both directions against pydantic on generated input.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

from contract.pipeline.model import Secret, camel

__all__ = ["construct"]

# What a field's check returns for a value it refuses.
_REFUSE: Any = object()
Check = Callable[[Any], Any]


class _Unsupported(Exception):
    """A declaration this module does not type itself (the class always falls back)."""


def construct(cls: type[Any], raw: Any) -> Any | None:
    """`cls` built from `raw` when `raw` has exactly the declared types; None when unsure."""
    plan = _plan(cls)
    if plan is None:
        return None
    value = plan(raw)
    return None if value is _REFUSE else value


_PLANS: dict[type[Any], Check | None] = {}


def _plan(cls: type[Any]) -> Check | None:
    if cls not in _PLANS:
        try:
            _PLANS[cls] = _class_check(cls)
        except _Unsupported:
            _PLANS[cls] = None
    return _PLANS[cls]


def _class_check(cls: type[Any]) -> Check:
    hints = typing.get_type_hints(cls)
    fields: dict[str, tuple[str, Check]] = {}  # YAML key -> (attribute, check)
    required: set[str] = set()
    for f in dataclasses.fields(cls):
        if f.name == "extra" and getattr(cls, "__extra__", "forbid") == "allow":
            continue  # extras are left to pydantic: any unknown key is refused below
        key = f.metadata.get("alias") or camel(f.name)
        if f.metadata.get("twin"):
            # A block typed by pydantic in its own module: absent is fine, anything else is its call.
            fields[key] = (f.name, lambda v: None if v is None else _REFUSE)
        else:
            fields[key] = (f.name, _bounded(_type_check(hints[f.name]), f.metadata.get("bounds", {})))
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.add(key)
    needed = frozenset(required)

    def check(raw: Any) -> Any:
        if type(raw) is not dict or not needed <= raw.keys():
            return _REFUSE
        values: dict[str, Any] = {}
        for key, item in raw.items():
            spec = fields.get(key)
            if spec is None:
                return _REFUSE  # an unknown key: an error, or a typed extra; pydantic's call
            typed = spec[1](item)
            if typed is _REFUSE:
                return _REFUSE
            values[spec[0]] = typed
        return cls(**values)

    return check


# The check of each scalar declaration, matched by identity (exact types, as pydantic's strict
# mode): strict floats take ints and store them as floats; nan and infinities go to pydantic.
_SCALARS: tuple[tuple[Any, Check], ...] = (
    (str, lambda v: v if type(v) is str else _REFUSE),
    (bool, lambda v: v if type(v) is bool else _REFUSE),
    (int, lambda v: v if type(v) is int else _REFUSE),
    (float, lambda v: float(v) if type(v) in (int, float) and math.isfinite(v) else _REFUSE),
    (Secret, lambda v: Secret(v) if type(v) is str else _REFUSE),
    (Any, lambda v: v),
)


def _type_check(annotation: Any) -> Check:
    for declared, scalar in _SCALARS:
        if annotation is declared:
            return scalar
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _class_check(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal and all(type(a) is str for a in args):
        allowed = frozenset(args)
        return lambda v: v if type(v) is str and v in allowed else _REFUSE
    if origin is list and len(args) == 1:
        return _list_check(_type_check(args[0]))
    if origin is dict and len(args) == 2 and args[0] is str:
        return _dict_check(_type_check(args[1]))
    if origin in (typing.Union, types.UnionType):
        return _union_check(annotation, args)
    raise _Unsupported(str(annotation))


def _list_check(item: Check) -> Check:
    def check_list(v: Any) -> Any:
        if type(v) is not list:
            return _REFUSE
        out = [item(x) for x in v]
        return _REFUSE if any(x is _REFUSE for x in out) else out

    return check_list


def _dict_check(value_check: Check) -> Check:
    def check_dict(v: Any) -> Any:
        if type(v) is not dict or any(type(k) is not str for k in v):
            return _REFUSE
        out = {k: value_check(x) for k, x in v.items()}
        return _REFUSE if any(x is _REFUSE for x in out.values()) else out

    return check_dict


def _union_check(annotation: Any, args: tuple[Any, ...]) -> Check:
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


def _bounded(check: Check, bounds: dict[str, Any]) -> Check:
    """`check`, then the field's constraints (ge, gt, le, lt, min_length)."""
    import operator

    # bound -> the comparison that must hold
    known: dict[str, Callable[[Any, Any], bool]] = {
        "ge": operator.ge,
        "gt": operator.gt,
        "le": operator.le,
        "lt": operator.lt,
        "min_length": lambda v, b: len(v) >= b,
        "max_length": lambda v, b: len(v) <= b,
        # pydantic's `pattern` searches (an unanchored pattern may match anywhere)
        "pattern": lambda v, b: re.search(b, v) is not None,
    }
    tests: list[tuple[Callable[[Any, Any], bool], Any]] = []
    for name, bound in bounds.items():
        if name not in known:
            raise _Unsupported(name)
        tests.append((known[name], bound))
    if not tests:
        return check

    def check_bounded(v: Any) -> Any:
        typed = check(v)
        if typed is _REFUSE or typed is None:
            return typed
        for holds, bound in tests:  # (a loop, not all() over a generator: once per field)
            if not holds(typed, bound):
                return _REFUSE
        return typed

    return check_bounded
