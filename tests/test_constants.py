"""Each constant is defined in one module and imported where else it is needed.

A module-level UPPER_CASE name bound to a string literal is a constant; the same string bound
in two modules of contract/ or cli/ is a copy that can drift, unless it names different things.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One spelling, several things: each module keeps its own constant, under its own name.
SAME_SPELLING = {
    "install-contract": "the program's name as the CLI's prog name, the ssh-keygen signing "
    "namespace and principal, Kubernetes' field manager and the managed-by mark",
    "install-contract.yaml": "the CLI's default FILE and the contract's member name in a bundle",
    "manifest.json": "render's manifest and a bundle's manifest are two documents",
    "vllm-stack": "production-stack's chart (gitops) and the release its install script names",
}
# Names that may stand for one spelling in several modules (the things differ all the same).
SAME_NAME = {("MANIFEST", "manifest.json")}


def _string_constants() -> dict[str, set[tuple[str, str]]]:
    """value -> {(module, name)} for every module-level UPPER_CASE name bound to a string."""
    places: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in sorted([*ROOT.joinpath("contract").rglob("*.py"), *ROOT.joinpath("cli").rglob("*.py")]):
        module = path.relative_to(ROOT).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                continue
            for target in targets:
                if isinstance(target, ast.Name) and target.id.lstrip("_").isupper():
                    places[value.value].add((module, target.id))
    return places


def test_a_string_constant_is_defined_in_one_module() -> None:
    copies = {
        value: sorted(where)
        for value, where in _string_constants().items()
        if len({module for module, _ in where}) > 1 and value not in SAME_SPELLING
    }
    assert copies == {}


def test_one_spelling_for_several_things_is_never_the_same_name_twice() -> None:
    copies = {}
    for value, where in _string_constants().items():
        modules_by_name: dict[str, list[str]] = defaultdict(list)
        for module, name in where:
            modules_by_name[name].append(module)
        for name, modules in modules_by_name.items():
            if len(modules) > 1 and (name, value) not in SAME_NAME:
                copies[name] = sorted(modules)
    assert copies == {}
