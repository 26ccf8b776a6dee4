"""Environments (contract/pipeline/rules/environments.py, IC701-IC703).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

The resolver of `environments:` and validation per environment are tested in tests/test_environments.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.pipeline.validate import Selection, validate_text
from tests.support.environment_contracts import contract
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import family_codes, family_fixtures, fixture_codes

FAMILY = "environments"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- branch by branch --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "code", "pointer", "at"),
    [
        ("  dev:\n    only: [a, c]\n", "IC701", "/environments/dev/only/1", "c]"),
        ("  dev:\n    except: [zz]\n", "IC701", "/environments/dev/except/0", "zz]"),
        (
            "  dev:\n    overrides:\n      bb: {maxTokens: 1}\n",
            "IC701",
            "/environments/dev/overrides/bb",
            "bb:",
        ),
        (
            "  dev:\n    variables: {HF_TOKEN: x}\n",
            "IC702",
            "/environments/dev/variables/HF_TOKEN",
            "HF_TOKEN",
        ),
        ("  dev:\n    only: [b]\n    except: [b]\n", "IC703", "/environments/dev/only", "[b]\n    except"),
        ("  dev:\n    except: [a, b]\n", "IC703", "/environments/dev/except", "[a, b]"),
    ],
)
def test_each_branch_of_the_environment_rules(tail: str, code: str, pointer: str, at: str) -> None:
    text = contract("a", "b", tail="environments:\n" + tail)
    (diag,) = validate_text(text, file="c.yaml").diagnostics
    assert (diag.code, diag.path) == (code, pointer)
    offset = text.index(at)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    assert (diag.line, diag.column) == (line, column)
    assert diag.message.startswith("environment dev: ")


def test_a_secret_written_as_a_variable_is_masked_in_every_report() -> None:
    from contract.reporting.diagnostics import REPORTERS

    text = contract(
        "a", tail="environments:\n  dev:\n    variables: {OPENAI_KEY_DEV: sk-live-5566778899}\n"
    ).replace("${OPENAI_API_KEY}", "${OPENAI_KEY_DEV}")
    result = validate_text(text, file="c.yaml")
    assert [d.code for d in result.diagnostics] == ["IC702"]
    for name, report in REPORTERS.items():
        shown = report([result], False)
        assert "sk-live-5566778899" not in shown, name
    ignored = validate_text(text, file="c.yaml", selection=Selection(ignore=("IC702",)))
    assert "sk-live-5566778899" in ignored.secrets
