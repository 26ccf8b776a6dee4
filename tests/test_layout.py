"""Where tests and their helpers live, and how they are imported.

Test modules are tests/**/test_*.py, fixtures are declared in conftest.py files, and everything
else the tests share is a module of tests/support/, imported as `tests.support.NAME` (by tests
and by scripts/): no test module imports another, nothing imports a conftest.py, and no helper
sits in tests/ or goes unused.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.support.corpus import ROOT

TESTS = ROOT / "tests"
SUPPORT = TESTS / "support"
HELPERS = {p.stem for p in SUPPORT.glob("*.py") if p.stem != "__init__"}


def python_files() -> list[Path]:
    """Every Python file of tests/, and the Python scripts of scripts/ (no suffix, a shebang)."""
    scripts = [p for p in sorted((ROOT / "scripts").iterdir()) if p.is_file() and p.suffix == ""]
    return sorted(TESTS.rglob("*.py")) + [p for p in scripts if "python" in p.read_text().split("\n", 1)[0]]


@cache
def imports(path: Path) -> tuple[tuple[int, str], ...]:
    """(line, dotted name) of every module `path` imports, at the top or inside a function."""
    return tuple(_imports(path))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            # `from tests import test_x` or `from tests.support import peers` names a module too
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def offenders(paths: list[Path], wrong: object) -> list[str]:
    found: dict[str, str] = {}  # one per import statement
    for path in paths:
        for line, name in imports(path):
            if wrong(name):  # type: ignore[operator]
                found.setdefault(f"{path.relative_to(ROOT)}:{line}", name)
    return [f"{where} imports {name}" for where, name in found.items()]


def test_no_test_module_imports_another_or_a_conftest() -> None:
    def wrong(name: str) -> bool:
        parts = name.split(".")
        return any(part.startswith("test_") or part == "conftest" for part in parts) and (
            parts[0] in ("tests", "conftest") or parts[0].startswith("test_")
        )

    found = offenders(sorted(TESTS.rglob("*.py")), wrong)
    assert not found, "what tests share goes to tests/support/ (fixtures: a conftest.py):\n" + "\n".join(
        found
    )


def test_helpers_are_imported_as_tests_support_everywhere() -> None:
    def wrong(name: str) -> bool:
        parts = name.split(".")
        if parts[0] in HELPERS:  # `from peers import ...` through a sys.path entry
            return True
        return parts[0] == "tests" and len(parts) > 1 and parts[1] not in ("support", "conftest")

    found = offenders(python_files(), wrong)
    assert not found, "import a helper as `from tests.support.NAME import ...`:\n" + "\n".join(found)


def test_no_helper_module_sits_among_the_tests() -> None:
    stray = [
        str(p.relative_to(ROOT))
        for p in TESTS.rglob("*.py")
        if SUPPORT not in p.parents
        and not (p.name.startswith("test_") or p.name in ("conftest.py", "__init__.py"))
    ]
    assert not stray, f"move these to tests/support/: {stray}"


@pytest.mark.parametrize("helper", sorted(HELPERS))
def test_every_support_module_is_imported_by_a_test(helper: str) -> None:
    users = [
        p
        for p in TESTS.rglob("*.py")
        if (p.name.startswith("test_") or p.name == "conftest.py")
        and any(name == f"tests.support.{helper}" for _, name in imports(p))
    ]
    assert users, f"tests/support/{helper}.py is imported by no test: use it or remove it"


def test_the_private_modules_contract_refuses_an_import_from_outside_the_package() -> None:
    # tests/support/import_contracts.py, the import-linter contract type [tool.importlinter] names
    import grimp

    from tests.support.import_contracts import PrivateModulesContract

    graph = grimp.ImportGraph()
    graph.add_import(importer="pkg.a", imported="pkg.b._p", line_number=3, line_contents="import pkg.b._p")
    graph.add_import(importer="pkg.b.c", imported="pkg.b._p", line_number=4, line_contents="import pkg.b._p")
    graph.add_import(importer="pkg.b._p", imported="pkg._q.r", line_number=5, line_contents="import pkg._q.r")
    graph.add_import(importer="other.x", imported="pkg._q.r", line_number=6, line_contents="import pkg._q.r")

    def check(**options: object) -> object:
        contract = PrivateModulesContract(
            name="private", session_options={}, contract_options={"containers": ["pkg"], **options}
        )
        return contract.check(graph, verbose=False)

    refused = check()
    assert not refused.kept  # type: ignore[attr-defined]
    assert refused.metadata["broken"] == [  # type: ignore[attr-defined]
        {"importer": "other.x", "imported": "pkg._q.r", "lines": [6]},
        {"importer": "pkg.a", "imported": "pkg.b._p", "lines": [3]},
    ]
    allowed = check(allow=["pkg.a -> pkg.b._p", "other.x -> pkg._q.r"])
    assert allowed.kept  # type: ignore[attr-defined]


def test_the_function_length_check_names_a_long_function(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(ROOT / "scripts" / "function-length"))
    (tmp_path / "contract").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    (tmp_path / "contract" / "fits.py").write_text(f"def fits():\n{body}")  # 60 lines
    (tmp_path / "contract" / "long.py").write_text(f"def too_long():\n{body}    return x0\n")  # 61
    assert script["offenders"](tmp_path) == [("contract/long.py:1: too_long", 61)]
    assert script["offenders"]() == []  # and the tree itself has none
