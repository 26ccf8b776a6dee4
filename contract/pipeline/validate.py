"""The validation pipeline: bytes → positions → typed entries → rules → sorted diagnostics.

Every problem in the file is collected in one run. An entry that cannot be typed still gets
its structural diagnostics; the semantic rules run on every entry whose required fields are
sound (an invalid optional field is set aside for them), so one root cause gives one report.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gc
import os
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from contract.diagnostics import Diagnostic, Path, Severity, json_pointer
from contract.errors import InputError
from contract.knowledge import catalog, secrets
from contract.pipeline._fast import construct
from contract.pipeline.load import Document, LoadProblem, Mark, SourceMap, decode, load
from contract.pipeline.model import ROUTER_NAME_PATTERN, FeatureFlags, ModelEntry, Platform
from contract.pipeline.rules import RULES, ContractView, Entry, Finding, Named, Options, Rule, matches

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    from contract.pipeline.routers import Router


class Positions(Protocol):
    """Marks by path in the contract's document: of a value, or of a key (`SourceMap`)."""

    def value(self, path: Path) -> Mark: ...
    def key(self, path: Path) -> Mark: ...


@dataclass(frozen=True)
class TypedContract:
    """The entries and blocks that passed typing (an entry with broken fields is left out)."""

    models: tuple[ModelEntry, ...]
    feature_flags: FeatureFlags | None
    platform: Platform | None
    # Indexes of `models:` entries that could not be typed (always with an error diagnostic):
    # a compiler must refuse such a contract rather than leave the entries out.
    left_out: tuple[int, ...] = ()
    # The routers that passed typing, by name (a router with a broken field is left out).
    routers: Mapping[str, Router] = field(default_factory=dict)
    # Where each value of this contract stands in its file (an environment's: where it was
    # written), for what is found after validation: see `diagnose`.
    positions: Positions = field(kw_only=True, repr=False, compare=False)


@dataclass(frozen=True)
class Result:
    """The outcome of validating one file."""

    file: str
    diagnostics: tuple[Diagnostic, ...]
    source: str | None = field(default=None, repr=False)  # the text, for reporters that quote lines
    # Literal secret values found in the file (never printed: reporters mask them), and the
    # lines that continue a multi-line one (masked whole).
    secrets: frozenset[str] = field(default=frozenset(), repr=False)
    secret_lines: frozenset[int] = field(default=frozenset(), repr=False)
    # The typed contract, for the commands that compile it (render, apply); None when the
    # file could not be read as a contract at all.
    contract: TypedContract | None = field(default=None, repr=False)
    # Each validated environment's resolved contract (`environments:`), by name.
    environments: Mapping[str, TypedContract] = field(default_factory=dict, repr=False)
    # Every environment the file declares, in its order (validated or not).
    declared_environments: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def said(self, d: Diagnostic) -> tuple[str, str | None]:
        """`d`'s message and hint with every literal secret value of the file masked.

        Rules never quote a secret; this is the second line of defence, used by every
        reporter and by the language server."""
        if not self.secrets:
            return d.message, d.hint
        return secrets.mask(d.message, self.secrets), secrets.mask(d.hint, self.secrets) if d.hint else None

    def masked(self) -> tuple[Diagnostic, ...]:
        """The diagnostics as they may be shown: each message and hint masked (`said`)."""
        if not self.secrets:
            return self.diagnostics
        out = []
        for d in self.diagnostics:
            message, hint = self.said(d)
            out.append(dataclasses.replace(d, message=message, hint=hint))
        return tuple(out)


@dataclass(frozen=True)
class Selection:
    """--select / --ignore: codes or code prefixes."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if self.select and not matches(code, self.select):
            return False
        return not (self.ignore and matches(code, self.ignore))


def check_codes(patterns: Iterable[str]) -> list[str]:
    """The patterns that select no rule at all (for a usage error)."""
    return [p for p in patterns if not any(matches(code, (p,)) for code in RULES)]


def read_contract(path: str) -> bytes:
    """Read a contract file, raising InputError with one clear line when that is impossible."""
    try:
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, not a contract file")
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def validate_file(path: str, options: Options | None = None, selection: Selection | None = None) -> Result:
    return validate_bytes(read_contract(path), file=path, options=options, selection=selection)


def validate_bytes(
    raw: bytes, *, file: str, options: Options | None = None, selection: Selection | None = None
) -> Result:
    """Validate contract bytes. Never raises for any content."""
    options = options or Options()
    selection = selection or Selection()
    text, problem = decode(raw)
    if text is None:
        assert problem is not None
        diag = _load_diagnostic(problem)
        return Result(file, tuple(d for d in [diag] if selection.wants(d.code)), None)
    return validate_text(text, file=file, options=options, selection=selection)


def validate_text(
    text: str, *, file: str, options: Options | None = None, selection: Selection | None = None
) -> Result:
    options = options or Options()
    selection = selection or Selection()
    with _collector_paused():
        doc = load(text)
        run = _Validation(doc, options, selection)
        run.execute()
    diagnostics = sorted((d for d in run.diagnostics if selection.wants(d.code)), key=Diagnostic.sort_key)
    return Result(
        file,
        tuple(diagnostics),
        text,
        frozenset(doc.secrets),
        frozenset(doc.secret_lines),
        run.typed_contract,
        run.environments,
        run.declared_environments,
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a contract is read and judged: it would walk the
    growing tree again and again (a tenth of the time at 10,000 models), and the tree holds
    no cycles for it to find."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def diagnose(contract: TypedContract, code: str, findings: Iterable[Finding]) -> tuple[Diagnostic, ...]:
    """Rule `code`'s diagnostics for `findings` made after validation (IC5xx: from what the
    platform answered), at their place in the contract's file, sorted as `validate` sorts."""
    rule = RULES[code]
    out = []
    for finding in findings:
        where = contract.positions
        mark = where.key(finding.path) if finding.at_key else where.value(finding.path)
        out.append(
            _diagnostic(
                rule, finding.message, finding.path, mark.line, mark.column, finding.hint, finding.severity
            )
        )
    return tuple(sorted(out, key=Diagnostic.sort_key))


def _diagnostic(
    rule: Rule,
    message: str,
    path: Path,
    line: int,
    column: int,
    hint: str | None,
    severity: Severity | None = None,
) -> Diagnostic:
    return Diagnostic(
        rule.code, rule.name, severity or rule.severity, message, json_pointer(path), line, column, hint
    )


def _load_diagnostic(problem: LoadProblem) -> Diagnostic:
    mark = problem.mark
    return _diagnostic(
        RULES[problem.code], problem.message, problem.path, mark.line, mark.column, problem.hint
    )


class _Validation:
    def __init__(self, doc: Document, options: Options, selection: Selection) -> None:
        self.doc = doc
        self.map: SourceMap = doc.source_map
        self.options = options
        self.selection = selection
        self.diagnostics: list[Diagnostic] = []
        self.typed_contract: TypedContract | None = None
        self.environments: dict[str, TypedContract] = {}
        self.declared_environments: tuple[str, ...] = ()

    # -- reporting -----------------------------------------------------------------------
    def report(self, code: str, finding: Finding, base: Path = ()) -> None:
        path = (*base, *finding.path)
        mark = self.map.key(path) if finding.at_key else self.map.value(path)
        self.diagnostics.append(
            _diagnostic(
                RULES[code], finding.message, path, mark.line, mark.column, finding.hint, finding.severity
            )
        )

    # -- stages --------------------------------------------------------------------------
    def execute(self) -> None:
        self.diagnostics.extend(_load_diagnostic(problem) for problem in self.doc.problems)
        if not self.doc.ok:
            return
        data = self.doc.data
        if not isinstance(data, dict):
            what = "empty" if data is None else f"a {_kind(data)}"
            self.report(
                "IC006",
                Finding(
                    f"the contract is {what}; it must be a mapping with a models: list",
                    hint="start the file with `models:` and one entry per model (see `install-contract init`)",
                ),
            )
            return
        models = data.get("models")
        entries, names = self.type_models(data)
        flags = self.type_block("featureFlags", FeatureFlags, data)
        platform = self.type_block("platform", Platform, data)
        sound = {e.index for e in entries if not e.broken}
        routers = self.type_routers(data)
        self.typed_contract = TypedContract(
            tuple(e.model for e in entries if not e.broken),
            flags if isinstance(flags, FeatureFlags) else None,
            platform if isinstance(platform, Platform) else None,
            tuple(i for i in range(len(models)) if i not in sound) if isinstance(models, list) else (),
            routers,
            positions=self.map,
        )
        raw_flags = data.get("featureFlags") if isinstance(data.get("featureFlags"), dict) else None
        unleash = platform.unleash if isinstance(platform, Platform) else None
        known_flags = tuple(unleash.known_flags) if unleash is not None else ()
        view = ContractView(names, entries, raw_flags, self.options, routers, known_flags)
        self.run_rules(entries, view)
        if "environments" in data or "gitops" in data:
            from contract.pipeline.environments import environment_names
            from contract.pipeline.envrun import run_environments

            self.declared_environments = tuple(environment_names(data))
            self.environments = run_environments(self, data)

    def type_models(self, data: dict[str, Any]) -> tuple[list[Entry], list[Named]]:
        """Each entry of `models:` typed on its own, and the name of each entry that has one."""
        models = data.get("models")
        entries: list[Entry] = []
        names: list[Named] = []
        if "models" not in data:
            self.report(
                "IC006",
                Finding("the contract has no models: list", hint="add `models:` with one entry per model"),
            )
        elif not isinstance(models, list):
            self.report(
                "IC006",
                Finding(
                    f"models: must be a list of entries, not a {_kind(models)}",
                    ("models",),
                    hint="write each model as a list item starting with `- litellmModelName:`",
                ),
            )
        elif not models:
            self.report(
                "IC006", Finding("models: is empty", ("models",), hint="add at least one model entry")
            )
        else:
            for index, raw in enumerate(models):
                entry = self.type_entry(index, raw)
                if entry is not None:
                    entries.append(entry)
                if isinstance(raw, dict) and isinstance(raw.get("litellmModelName"), str):
                    names.append(Named(index, raw["litellmModelName"], entry))
        return entries, names

    def type_entry(self, index: int, raw: Any) -> Entry | None:
        path: Path = ("models", index)
        if not isinstance(raw, dict):
            self.report(
                "IC004",
                Finding(
                    f"models[{index}] must be a mapping of fields, not a {_kind(raw)}",
                    path,
                    hint="start the entry with `- litellmModelName: <name>` and indent its fields under it",
                ),
            )
            return None
        model, broken = self.typed(ModelEntry, raw, path)
        if not isinstance(model, ModelEntry):
            return None
        return Entry(index, model, raw, self.options, frozenset(broken))

    def type_block(self, key: str, cls: type[Any], data: dict[str, Any]) -> Any | None:
        if key not in data or data[key] is None:
            return None
        model, broken = self.typed(cls, data[key], (key,))
        return None if broken else model

    def type_routers(self, data: dict[str, Any]) -> dict[str, Router]:
        """Each router of `routers:` typed on its own, so one broken router hides no other."""
        raw = data.get("routers")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.report(
                "IC004",
                Finding(
                    f"routers must be a mapping of router names to routers, not a {_kind(raw)}",
                    ("routers",),
                    hint="write `routers:` then `  <name>:` with default, signals and decisions under it",
                ),
            )
            return {}
        from contract.pipeline.routers import Router

        routers: dict[str, Router] = {}
        for name, body in raw.items():
            if not isinstance(name, str) or not re.match(ROUTER_NAME_PATTERN, name):
                self.report(
                    "IC004",
                    Finding(
                        f"router name {name!r} must be lower-case letters, digits and dashes",
                        ("routers", str(name)),
                        hint="it names the file router/<name>.yaml and Kubernetes objects: e.g. coding",
                        at_key=True,
                    ),
                )
                continue
            router, broken = self.typed(Router, body, ("routers", name))
            if isinstance(router, Router) and not broken:
                routers[name] = router
        return routers

    def typed(self, cls: type[Any], raw: Any, path: Path) -> tuple[Any | None, set[str]]:
        """Type `raw` as the contract class `cls` (or a pydantic model), reporting every error.

        Returns the typed value and the top-level fields that were broken. A broken optional
        value is set aside, a broken required one replaced by a placeholder (see
        `_PLACEHOLDERS`), so that rules reading other fields still run. Input that is exactly
        right is typed without pydantic; pydantic's twin of `cls` explains the rest.
        """
        if dataclasses.is_dataclass(cls):
            fast = construct(cls, raw)
            if fast is not None:
                return fast, set()
        from pydantic import ValidationError

        from contract.pipeline._pydantic import from_twin, twin

        # A contract dataclass is validated by its pydantic twin; a pydantic model of its own
        # (a router) by itself.
        own = not dataclasses.is_dataclass(cls)
        model = cls if own else twin(cls)

        def typed(value: Any) -> Any:
            return value if own else from_twin(cls, value)

        try:
            return typed(model.model_validate(raw)), set()
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
        seen: set[tuple[str, Path]] = set()
        broken: set[str] = set()
        repaired = raw
        placeholders = _PLACEHOLDERS.get(cls.__name__, {})
        for error in errors:
            loc = _real_loc(raw, tuple(error["loc"]))
            code, finding = _describe(error, loc, model)
            if path[:1] == ("environments",) and len(path) == 2:  # say which environment, as its rules do
                finding = dataclasses.replace(finding, message=f"environment {path[1]}: {finding.message}")
            if (code, loc) not in seen:
                seen.add((code, loc))
                self.report(code, finding, path)
            if not loc or not isinstance(loc[0], str):
                return None, {"*"}
            if error["type"] == "extra_forbidden":
                # An unknown key (a warning) is set aside; the entry itself stays whole.
                repaired = _without(repaired, loc)
                continue
            top = loc[0]
            broken.add(top)
            if top in placeholders:
                repaired = {**repaired, top: placeholders[top]}
            elif error["type"] == "missing" and len(loc) > 1:
                repaired = _without(repaired, (top,))  # a nested block missing a field: set it aside
            elif error["type"] == "missing":
                return None, broken
            else:
                repaired = _without(repaired, loc)
        try:
            return typed(model.model_validate(repaired)), broken
        except ValidationError:
            return None, broken

    def run_rules(self, entries: list[Entry], view: ContractView) -> None:
        for rule in RULES.values():
            if rule.check is None or not self.selection.wants(rule.code):
                continue
            if rule.scope == "entry":
                for entry in entries:
                    if entry.broken and (rule.uses is None or rule.uses & entry.broken):
                        continue
                    for finding in rule.check(entry):
                        self.report(rule.code, finding, entry.path)
            elif rule.scope == "contract":
                for finding in rule.check(view):
                    self.report(rule.code, finding)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null value"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


# Typed stand-ins for broken required fields, by class name (routers' class is imported only
# when a contract has routers); rules reading those fields do not run.
_PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "ModelEntry": {
        "litellmModelName": "-",
        "litellmModel": "-/-",
        "displayName": "-",
        "provider": "-",
        "type": "CHAT",
        "metadataType": "Text Generation",
        "contextWindow": 1,
    },
    "Router": {"default": "-"},
}

_UNION_TAG = re.compile(r"^(?:str|int|float|bool|[a-z]+\[.*\]|function-.*)$")


def _real_loc(raw: Any, loc: tuple[Any, ...]) -> Path:
    """The part of a pydantic error location that exists in the data, plus a missing key.

    Union members add tags such as 'str' or 'list[str]' to locations; they are dropped.
    """
    path: list[str | int] = []
    node = raw
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _UNION_TAG.match(part):
            path.append(part)  # a missing key: named in the message, nothing exists below it
            break
        else:
            break
        path.append(part)
    return tuple(path)


def _without(raw: Any, loc: Path) -> Any:
    """A copy of `raw` without the value at `loc` (copying only along the path)."""
    if not loc:
        return raw
    head, rest = loc[0], loc[1:]
    if isinstance(raw, dict) and head in raw:
        out = dict(raw)
        if rest:
            out[head] = _without(raw[head], rest)
        else:
            del out[head]
        return out
    if isinstance(raw, list) and isinstance(head, int) and 0 <= head < len(raw):
        items = list(raw)
        if rest:
            items[head] = _without(raw[head], rest)
        else:
            del items[head]
        return items
    return copy.copy(raw)


def _fields(cls: type[BaseModel], loc: Path) -> dict[str, FieldInfo]:
    """The fields, by YAML name, of the object that holds the last key of `loc`."""
    owner: type[BaseModel] | None = cls
    for part in loc[:-1]:
        if owner is not None and isinstance(part, str):
            owner = _nested_model(owner, part)
    if owner is None:
        return {}
    return {(info.alias or name): info for name, info in owner.model_fields.items()}


def _nested_model(cls: type[BaseModel], key: str) -> type[BaseModel] | None:
    for name, info in cls.model_fields.items():
        if (info.alias or name) == key:
            return _model_in(info.annotation)
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _describe(error: Mapping[str, Any], loc: Path, cls: type[BaseModel]) -> tuple[str, Finding]:
    kind = error["type"]
    dotted = ".".join(str(p) for p in loc) or "value"
    fields = _fields(cls, loc) if loc else {}
    key = loc[-1] if loc else None
    if kind == "missing":
        info = fields.get(str(key))
        what = f" ({info.description.rstrip('.')})" if info is not None and info.description else ""
        # The pointer names the missing field; its position falls back to the entry's first line.
        return "IC003", Finding(
            f"missing required field {key!r}{what}",
            loc,
            hint=f"add {key}: to this {'entry' if len(loc) == 1 else 'block'}",
        )
    if kind == "extra_forbidden":
        nearest = catalog.nearest(str(key), fields) if fields else None
        known = f"did you mean {nearest}?" if nearest else f"remove it; known fields: {', '.join(fields)}"
        return "IC005", Finding(f"unknown field {key!r}", loc, hint=known, at_key=True)
    message, hint = _invalid_value(kind, dotted, error)
    if key in secrets.SECRET_FIELDS or key in secrets.VLLM_SECRET_FIELDS:
        hint = "write it as ${VAR}, a reference to an environment variable"
    return "IC004", Finding(message, loc, hint=hint)


# pydantic error type -> (message after the field name, hint). {bound} and {expected} come
# from the error's context; the input value is never quoted (it may be a secret).
_INVALID: dict[str, tuple[str, str | None]] = {
    "string_type": ("must be a string", "quote the value"),
    "string_too_short": ("must not be empty", "give it a value or remove the field"),
    "int_type": ("must be a whole number", "write digits without quotes, e.g. 128000"),
    "int_parsing": ("must be a whole number", "write digits without quotes, e.g. 128000"),
    "int_from_float": ("must be a whole number", "write digits without a decimal point"),
    "float_type": ("must be a number", "write a number without quotes"),
    "bool_type": ("must be true or false", "write true or false without quotes"),
    "literal_error": ("must be {expected}", "write one of {expected}"),
    "greater_than_equal": ("must be at least {bound}", None),
    "greater_than": ("must be more than {bound}", None),
    "less_than_equal": ("must be at most {bound}", None),
    "less_than": ("must be less than {bound}", None),
    "list_type": ("must be a list", "write it as a YAML list (- item)"),
    "too_short": ("must not be empty", None),
    "model_type": ("must be a mapping of fields", None),
    "dict_type": ("must be a mapping of fields", None),
    "model_attributes_type": ("must be a mapping of fields", None),
}


def _invalid_value(kind: str, dotted: str, error: Mapping[str, Any]) -> tuple[str, str | None]:
    if kind not in _INVALID:
        return f"{dotted}: {error.get('msg', 'invalid value')}", None
    ctx = error.get("ctx") or {}
    values = {"expected": ctx.get("expected", ""), "bound": next(iter(ctx.values()), "")}
    message, hint = _INVALID[kind]
    return f"{dotted} {message.format(**values)}", hint.format(**values) if hint else None
