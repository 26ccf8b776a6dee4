"""Semantic routers (contract/pipeline/rules/routers.py, IC601-IC606).

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.

The `routers:` block's typing and rendering are tested in tests/test_routers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.router_contracts import found
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import family_codes, family_fixtures, fixture_codes

FAMILY = "routers"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- signals and conditions --------------------------------------------------------------------------


def test_nested_conditions_and_complexity_levels_resolve(write) -> None:  # type: ignore[no-untyped-def]
    text = """\
  coding:
    default: qwen3-8b
    signals:
      keywords: [{name: code_keywords, operator: OR, keywords: [code]}]
      complexity: [{name: reasoning, threshold: 0.5}]
    decisions:
      - name: hard_code
        priority: 10
        rules:
          operator: AND
          conditions:
            - {type: complexity, name: "reasoning:hard"}
            - operator: NOT
              conditions: [{type: keyword, name: code_keyword}]
        modelRefs: [{model: llama-3.3-70b}]
"""
    assert found(write, text) == [
        ("IC605", "/routers/coding/signals/keywords/0/name"),
        ("IC602", "/routers/coding/decisions/0/rules/conditions/1/conditions/0/name"),
    ]


def test_projection_conditions_are_reported(write) -> None:  # type: ignore[no-untyped-def]
    text = (
        "  coding:\n    default: qwen3-8b\n    decisions:\n      - name: p\n        priority: 1\n"
        "        rules: {operator: OR, conditions: [{type: projection, name: x}]}\n"
        "        modelRefs: [{model: qwen3-8b}]\n"
    )
    assert found(write, text) == [("IC602", "/routers/coding/decisions/0/rules/conditions/0/type")]
