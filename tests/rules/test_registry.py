"""Every rule at once: the registry (codes unique, named, documented, each with a fixture), silence on
valid contracts, selection by code, secrets never in a diagnostic, and each family's test module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contract.pipeline.rules import RULES
from contract.pipeline.validate import Selection, validate_file
from tests.support.corpus import INVALID, VALID, expected_code
from tests.support.rule_docs import examples
from tests.support.rules import ENTRY, OPTIONS, diagnostics, families, family_fixtures


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_contracts_are_silent(path: Path) -> None:
    result = validate_file(str(path), OPTIONS)
    assert result.diagnostics == ()
    assert result.valid


def test_registry_codes_are_unique_well_formed_and_named() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, rule in RULES.items():
        assert re.fullmatch(r"IC\d{3}", code)
        assert rule.code == code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_documented_with_examples(code: str) -> None:
    doc = RULES[code].doc
    assert "Fails" in doc and "Passes" in doc, f"{code} needs a failing and a passing example"
    assert len(doc.splitlines()[0]) > 20


# IC5xx need the platform's answers: tests/test_apply_admin.py triggers them through `plan`.
@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.scope != "platform"))
def test_every_rule_has_a_triggering_fixture(code: str) -> None:
    assert any(expected_code(p) == code for p in INVALID), f"no tests/contracts/invalid/{code}-*.yaml"


def test_design_codes_of_this_stage_are_all_registered() -> None:
    wanted = {
        "IC001",
        "IC002",
        "IC003",
        "IC004",
        "IC005",
        "IC006",
        "IC101",
        "IC102",
        "IC103",
        "IC104",
        "IC105",
        "IC108",
        "IC203",
        "IC204",
        "IC206",
        "IC301",
        "IC302",
        "IC303",
        "IC304",
        "IC305",
        "IC401",
        "IC403",
        "IC404",
        "IC405",
    }
    assert wanted <= set(RULES)


def test_entry_rules_declare_the_fields_they_read() -> None:
    for rule in RULES.values():
        if rule.scope == "entry":
            assert rule.uses is not None, f"{rule.code} must declare uses=(...)"


def test_select_and_ignore_by_code_and_prefix() -> None:
    path = next(p for p in INVALID if expected_code(p) == "IC303")
    assert not validate_file(str(path), OPTIONS, Selection(ignore=("IC3",))).diagnostics
    assert not validate_file(str(path), OPTIONS, Selection(select=("IC1",))).diagnostics
    assert validate_file(str(path), OPTIONS, Selection(select=("IC303",))).diagnostics


def test_secret_values_never_appear_in_diagnostics(write) -> None:  # type: ignore[no-untyped-def]
    canary = "sk-CANARY-9f8e7d6c"
    text = (
        ENTRY.replace("${OPENAI_API_KEY}", canary)
        + "    awsAccessKeyId: "
        + canary
        + "\n    bogusKey: "
        + canary
        + "\n"
    )
    for d in diagnostics(write, text):
        assert canary not in repr(d)


def test_catalog_is_not_loaded_when_no_catalog_rule_runs(write) -> None:  # type: ignore[no-untyped-def]
    from contract.pipeline.rules import _context

    _context._CATALOGS.clear()
    validate_file(str(write(ENTRY)), OPTIONS, Selection(select=("IC3",)))
    assert _context._CATALOGS == {}
    validate_file(str(write(ENTRY)), OPTIONS, Selection(select=("IC202",)))
    assert list(_context._CATALOGS) == [None]


# -- the documentation's examples (each family runs its own: test_documented_example) --------


def test_every_rule_has_both_kinds_of_example() -> None:
    for code, rule in RULES.items():
        assert examples(rule.doc, "Fails") and examples(rule.doc, "Passes"), code


def test_examples_split_where_a_key_repeats() -> None:
    doc = "X.\n\nFails:\n\n    a: 1\n    b: {c: 1,\n        d: 2}\n    a: 2\n\nPasses:\n\n    a: 3\n"
    assert examples(doc, "Fails") == ["a: 1\nb: {c: 1,\n    d: 2}\n", "a: 2\n"]
    assert examples(doc, "Passes") == ["a: 3\n"]


# -- one test module per family, so that no rule goes untested --------------------------------


def test_every_code_belongs_to_one_family() -> None:
    owners = [code for found in families().values() for code in found]
    assert sorted(owners) == sorted(RULES)  # each registered code, read from exactly one module


def test_every_family_has_its_test_module_running_its_fixtures_and_examples() -> None:
    here = Path(__file__).parent
    for family, found in families().items():
        module = here / f"test_{family}.py"
        assert module.is_file(), f"tests/rules/test_{family}.py is missing for {family}: {found}"
        defined = {
            node.name
            for node in ast.parse(module.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef)
        }
        assert "test_documented_example" in defined, module.name
        if family_fixtures(family):
            assert "test_invalid_fixture_triggers_its_rule_and_nothing_else" in defined, module.name
    assert {p.stem.removeprefix("test_") for p in here.glob("test_*.py")} == {*families(), "registry"}
