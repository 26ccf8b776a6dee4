"""Reading and typing (contract/pipeline/rules/structure.py, IC001-IC006): where a broken field is
reported, and one report per root cause.

Each rule of the family: the fixture that triggers it alone (tests/contracts/invalid/CODE-*.yaml),
every example of its documentation (tests/support/rule_docs.py), then its branches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.diagnostics import Severity
from tests.support.rule_docs import assert_documented_example, documented_examples
from tests.support.rules import ENTRY, diagnostics, family_codes, family_fixtures, fixture_codes

FAMILY = "structure"


@pytest.mark.parametrize("path", family_fixtures(FAMILY), ids=lambda p: p.stem)
def test_invalid_fixture_triggers_its_rule_and_nothing_else(path: Path) -> None:
    raised, expected = fixture_codes(path)
    assert raised == expected


@pytest.mark.parametrize(("code", "passing", "index", "example"), documented_examples(family_codes(FAMILY)))
def test_documented_example(code: str, passing: bool, index: int, example: str) -> None:
    assert_documented_example(code, passing, example)


# -- positions and root causes ---------------------------------------------------------------------


def test_missing_field_points_at_the_entry_first_line(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("    displayName: GPT-4o\n", ""))
    assert [(d.code, d.line, d.column, d.path) for d in found] == [("IC003", 2, 5, "/models/0/displayName")]


def test_unknown_field_points_at_the_key_with_closest_name(write) -> None:  # type: ignore[no-untyped-def]
    found = diagnostics(write, ENTRY.replace("maxTokens", "max_tokens"))
    assert [(d.code, d.line, d.column, d.hint) for d in found] == [("IC005", 9, 5, "did you mean maxTokens?")]
    assert found[0].severity is Severity.WARNING


def test_broken_required_field_still_gets_unrelated_rules(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("type: CHAT", "type: chat").replace("${OPENAI_API_KEY}", "sk-proj-literal")
    assert {d.code for d in diagnostics(write, text)} == {"IC004", "IC303"}


def test_broken_optional_value_is_one_report_not_two(write) -> None:  # type: ignore[no-untyped-def]
    text = ENTRY.replace("maxTokens: 16384", "maxTokens: lots")
    assert [d.code for d in diagnostics(write, text)] == ["IC004"]


def test_misspelt_tool_parser_key_is_judged_as_what_render_would_write(write) -> None:  # type: ignore[no-untyped-def]
    # The unknown key is set aside and the entry judged as render would compile it: without a
    # tool parser (an error), with the warning that names the key that was meant.
    text = (
        "models:\n  - litellmModelName: deephat-v2\n    litellmModel: openai/deephat-v2\n"
        "    displayName: D\n    provider: Self-Hosted\n    type: CHAT\n    metadataType: Text Generation\n"
        "    contextWindow: 250000\n    apiBase: http://d:8000/v1\n    vllm:\n      model: DeepHat/DeepHat-V2-ext\n"
        "      gpus: {count: 2, memoryGiB: 80}\n"
        "      toolCallParserr: qwen3_coder\n      enableAutoToolChoice: true\n"
    )
    found = diagnostics(write, text)
    assert [(d.code, d.severity.value) for d in found] == [("IC403", "error"), ("IC005", "warning")]
    assert found[1].hint == "did you mean toolCallParser?"
