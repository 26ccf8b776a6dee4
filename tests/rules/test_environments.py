"""Environments (contract/pipeline/rules/environments.py, IC701-IC703).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py).

The resolver of `environments:`, with more IC7xx branches, is tested in tests/test_environments.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
