"""The exception tree (contract/errors.py) and the one exit-code table (cli/_exit.py)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import contract
import contract.errors
from cli._exit import ERROR_CODES, INTERNAL, STATUS_CODES, error_code, status_code
from contract.outcome import Status


def _modules() -> list[str]:
    names = ["contract"]
    for info in pkgutil.walk_packages(contract.__path__, "contract."):
        names.append(info.name)
    return names


def _exception_classes() -> list[type[BaseException]]:
    """Every exception class defined in a module under contract/ (each module imported)."""
    found: dict[str, type[BaseException]] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


CLASSES = _exception_classes()
PUBLIC = [c for c in CLASSES if not c.__name__.startswith("_")]
RAISED = [c for c in PUBLIC if c is not contract.errors.InstallContractError]
PRIVATE = [c for c in CLASSES if c.__name__.startswith("_")]


def test_the_walk_finds_the_classes_of_every_layer() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {
        "InputError",
        "EditError",
        "KubeConflict",
        "UnleashConflict",
        "ProbeFailed",
        "Incomplete",
    } <= names
    assert {"_Refused", "_Transient"} <= names


@pytest.mark.parametrize("kind", RAISED, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_no_exception_of_the_library_is_an_internal_error(kind: type[BaseException]) -> None:
    assert issubclass(kind, contract.errors.InstallContractError), kind
    assert error_code(kind) != INTERNAL


@pytest.mark.parametrize("kind", PUBLIC, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_the_tree_in_errors_py_draws_every_class(kind: type[BaseException]) -> None:
    drawn = contract.errors.__doc__ or ""
    assert f" {kind.__name__} " in drawn or f"── {kind.__name__}" in drawn, kind


@pytest.mark.parametrize("kind", PRIVATE, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_a_private_exception_is_caught_in_the_module_that_raises_it(kind: type[BaseException]) -> None:
    """A `_private` exception is control flow: an `except` of its own module catches it, and
    errors.py names it as such."""
    module = importlib.import_module(kind.__module__)
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    caught = {
        ast.unparse(handler.type)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try)
        for handler in node.handlers
        if handler.type is not None
    }
    assert any(kind.__name__ in text for text in caught), kind
    assert f"`{kind.__name__}`" in (contract.errors.__doc__ or "")


def test_the_base_class_is_never_raised_itself() -> None:
    root = Path(contract.__file__).parent
    for path in root.rglob("*.py"):
        assert "raise InstallContractError(" not in path.read_text(encoding="utf-8"), path


def test_every_status_has_one_exit_code() -> None:
    assert set(STATUS_CODES) == set(Status)
    assert status_code(Status.OK) == 0
    assert status_code(Status.INVALID) == status_code(Status.REJECTED) == status_code(Status.DIFFERS) == 1
    assert status_code(Status.REFUSED) == 2
    assert status_code(Status.UNREACHABLE) == 3
    assert status_code(Status.CHANGES_PENDING) == 4


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("InputError", 2),
        ("UsageError", 2),
        ("TemplateError", 1),
        ("RefusedError", 1),
        ("ExternalError", 3),
        ("InstallContractError", INTERNAL),
    ],
)
def test_each_branch_of_the_tree_has_its_code(name: str, code: int) -> None:
    assert error_code(getattr(contract.errors, name)) == code


def test_only_the_table_exits() -> None:
    """A command ends with cli/_report.finish (its outcome's status) or raises (the tree): no
    other module of cli/ calls sys.exit with a code of its own."""
    root = Path(contract.__file__).parent.parent
    exiting = set()
    for path in sorted((root / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "ctx.exit", "exit"):
                exiting.add(path.name)
    assert exiting == {"_exit.py", "_report.py"}


def test_the_table_maps_only_classes_of_errors_py() -> None:
    assert all(kind.__module__ == "contract.errors" for kind in ERROR_CODES)


def test_a_subclass_takes_its_ancestors_code() -> None:
    from contract.clients.kube import KubeConflict
    from contract.workflows.discover._http import ProbeFailed
    from contract.workflows.yaml_edit import EditError

    assert error_code(KubeConflict) == 3
    assert error_code(ProbeFailed) == 3
    assert error_code(EditError) == 1
    assert error_code(KeyError) == INTERNAL


def test_writing_a_refused_edit_is_a_refused_error_not_a_value_error(tmp_path: Path) -> None:
    from contract.errors import RefusedError
    from contract.workflows.edit import AddOutcome, RemoveOutcome, apply_add, apply_remove

    path = str(tmp_path / "install-contract.yaml")
    with pytest.raises(RefusedError, match="the add was refused"):
        apply_add(AddOutcome(created=False, error="no"), path)
    with pytest.raises(RefusedError, match="the removal was refused"):
        apply_remove(RemoveOutcome(error="no"), path)
    assert not (tmp_path / "install-contract.yaml").exists()
