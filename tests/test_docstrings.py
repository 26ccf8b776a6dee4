"""What the code's own prose names exists: paths, modules and the rule families' codes."""

from __future__ import annotations

import ast
import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

from contract.pipeline import rules
from contract.pipeline.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.joinpath("contract").rglob("*.py"), *ROOT.joinpath("cli").rglob("*.py")])
# `contract/…` in prose; a path with a placeholder (`<env>`, `{name}`, `*`) is not checked.
PATH = re.compile(r"(?<![\w./-])((?:contract|cli)/[\w./<>{}*-]*[\w/>}*])")
# `contract.…` or `cli.…` written in backticks: a module, or a name inside one.
DOTTED = re.compile(r"`((?:contract|cli)(?:\.\w+)+)`")
# Only in the built wheel (pyproject.toml's force-include), never in a checkout.
WHEEL_ONLY = "contract/_bundled"


def _prose(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every docstring and comment of a Python file."""
    text = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                found.append((node.body[0].lineno, doc))
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string))
    return found


def _all_prose() -> list[tuple[str, str]]:
    places = [(f"{p.relative_to(ROOT)}:{line}", text) for p in SOURCES for line, text in _prose(p)]
    for doc in ("README.md", "CONTRIBUTING.md"):
        for line, text in enumerate(ROOT.joinpath(doc).read_text(encoding="utf-8").splitlines(), 1):
            places.append((f"{doc}:{line}", text))
    return places


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for size in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:size]))
        except ModuleNotFoundError:
            continue
        for name in parts[size:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_path_the_prose_names_exists() -> None:
    missing = [
        f"{where}: {path}"
        for where, text in _all_prose()
        for path in PATH.findall(text)
        if not any(mark in path for mark in "<>{}*")
        and not path.startswith(WHEEL_ONLY)
        and not ROOT.joinpath(path).exists()
    ]
    assert missing == []


def test_every_module_the_prose_names_exists() -> None:
    missing = [
        f"{where}: {dotted}"
        for where, text in _all_prose()
        for dotted in DOTTED.findall(text)
        if not _resolves(dotted)
    ]
    assert missing == []


# `name.py` alone in prose (`report.py  the plan as a table`): a module beside the one that says it.
BESIDE = re.compile(r"(?<![\w./-])(\w+\.py)\b")


def test_every_module_a_package_lists_beside_it_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in SOURCES
        for line, text in _prose(path)
        for name in BESIDE.findall(text)
        if not path.with_name(name).exists()
    ]
    assert missing == []


def _family_table() -> dict[str, set[str]]:
    """module -> the codes the table in contract/pipeline/rules/__init__.py gives it."""
    table: dict[str, set[str]] = {}
    for row in re.findall(r"^\|[^|]*\| (\w+)\.py \| ([^|]*) \|$", rules.__doc__ or "", re.M):
        module, spec = row
        codes: set[str] = set()
        for part in spec.split(","):
            first, _, last = part.strip().partition("–")
            if first.endswith("xx"):  # IC3xx: every code of the hundred
                codes |= {c for c in RULES if c.startswith(first[:3])}
            else:
                end = int((last or first)[2:])
                codes |= {f"IC{n:03d}" for n in range(int(first[2:]), end + 1)}
        table[module] = codes
    return table


@pytest.mark.parametrize("code", sorted(RULES))
def test_the_family_table_names_each_code_where_it_is_defined(code: str) -> None:
    check = RULES[code].check
    module = check.__module__.rsplit(".", 1)[-1] if check is not None else "structure"
    owners = sorted(m for m, codes in _family_table().items() if code in codes)
    assert owners == [module]
