"""The pydantic twin of each contract class, built on first use from `contract/pipeline/model.py`.

`validate` uses a twin to report what is wrong with an entry (pydantic's error types and
locations become IC003/IC004/IC005), then turns the validated twin back into the contract's
own dataclass; `schema` asks the twin of `Contract` for the JSON Schema. Nothing here is
imported on a run where every entry is typed correctly (see `contract/pipeline/_fast.py`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from contract.pipeline.model import Secret, camel

T = TypeVar("T")

__all__ = ["from_twin", "parse", "twin", "yaml_keys"]


def yaml_keys(cls: type[Any]) -> dict[str, str]:
    """YAML key -> attribute, for the declared fields of a contract class."""
    return {
        (f.metadata.get("alias") or camel(f.name)): f.name
        for f in dataclasses.fields(cls)
        if not _is_extra(cls, f)
    }


def _is_extra(cls: type[Any], f: dataclasses.Field[Any]) -> bool:
    return getattr(cls, "__extra__", "forbid") == "allow" and f.name == "extra"


def _own_doc(cls: type[Any]) -> str | None:
    doc = cls.__dict__.get("__doc__")
    # dataclass() writes a signature as __doc__ where the class has none
    return None if not doc or doc.startswith(f"{cls.__name__}(") else str(doc)


_TWINS: dict[type[Any], type[BaseModel]] = {}


def twin(cls: type[Any]) -> type[BaseModel]:
    """The pydantic model that validates exactly what `cls` declares (strict, frozen)."""
    if cls not in _TWINS:
        _TWINS[cls] = _build_twin(cls)
    return _TWINS[cls]


def _build_twin(cls: type[Any]) -> type[BaseModel]:
    hints = typing.get_type_hints(cls)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__name__}
    for f in dataclasses.fields(cls):
        if _is_extra(cls, f):
            # Unknown keys of an open block (featureFlags) are typed like its declared fields.
            annotations["__pydantic_extra__"] = _twin_type(hints[f.name])
            namespace["__pydantic_extra__"] = Field(init=False)
            continue
        meta = f.metadata
        kwargs: dict[str, Any] = dict(meta.get("bounds", {}))
        if meta.get("description"):
            kwargs["description"] = meta["description"]
        kwargs["alias"] = meta.get("alias") or camel(f.name)
        if f.default_factory is not dataclasses.MISSING:
            kwargs["default_factory"] = f.default_factory
        elif f.default is not dataclasses.MISSING:
            kwargs["default"] = f.default
        annotations[f.name] = _imported(meta["twin"]) if meta.get("twin") else _twin_type(hints[f.name])
        namespace[f.name] = Field(**kwargs)
    config = ConfigDict(
        populate_by_name=False, strict=True, frozen=True, extra=getattr(cls, "__extra__", "forbid")
    )
    if getattr(cls, "__title__", None):
        config["title"] = cls.__title__
    namespace["model_config"] = config
    namespace["__annotations__"] = annotations
    doc = _own_doc(cls)
    if doc is not None:
        namespace["__doc__"] = doc
    return typing.cast("type[BaseModel]", type(cls.__name__, (BaseModel,), namespace))


def _imported(reference: str) -> Any:
    import importlib

    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _twin_type(annotation: Any) -> Any:
    if annotation is Secret:
        return SecretStr
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return twin(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        members = tuple(_twin_type(a) for a in args)
        return typing.Union[members]  # noqa: UP007 - built from a tuple
    if origin is list:
        return list[_twin_type(args[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[_twin_type(args[0]), _twin_type(args[1])]  # type: ignore[misc]
    if origin is Literal or origin is None:
        return annotation
    raise TypeError(f"no pydantic twin for {annotation!r}")


def parse(cls: type[T], raw: Any) -> T:
    """`cls` from plain data, validated by its twin (raises pydantic's ValidationError)."""
    return typing.cast("T", from_twin(cls, twin(cls).model_validate(raw)))


def from_twin(cls: type[Any], model: BaseModel) -> Any:
    """The contract dataclass for a validated twin."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if _is_extra(cls, f):
            values[f.name] = {k: _plain(v) for k, v in (model.__pydantic_extra__ or {}).items()}
            continue
        values[f.name] = _convert(hints[f.name], getattr(model, f.name))
    return cls(**values)


def _convert(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        return Secret(value.get_secret_value())
    if isinstance(value, BaseModel):
        target = _dataclass_in(annotation)
        assert target is not None, annotation
        return from_twin(target, value)
    if isinstance(value, list):
        return [_convert(_item_type(annotation), item) for item in value]
    return value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _dataclass_in(annotation: Any) -> type[Any] | None:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    for arg in typing.get_args(annotation):
        found = _dataclass_in(arg)
        if found is not None:
            return found
    return None


def _item_type(annotation: Any) -> Any:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
    return Any
