"""The editor's questions answered by the library (`contract.workflows.editor`), without a language server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text
from contract.reporting.diagnostics import report_object
from contract.workflows.editor.analysis import analyse
from contract.workflows.editor.completion import complete
from contract.workflows.editor.context import ITEM, context_at
from contract.workflows.editor.fixes import Edit, apply_edits, fixes_for
from contract.workflows.editor.hover import hover
from contract.workflows.editor.rules_doc import rule_url, rules_markdown
from tests.support.corpus import INVALID, VALID
from tests.support.environment_contracts import contract as contract_from_entries

REPO = Path(__file__).resolve().parent.parent

CONTRACTS = sorted((REPO / "tests" / "contracts").rglob("*.yaml"))


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_analysis_is_validate_json(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    records = report_object(validate_text(text, file=str(path), options=Options(env={})))["diagnostics"]
    assert [dict(p.record) for p in analyse(text, str(path), env={}).problems] == records


def test_a_problem_covers_its_token() -> None:
    text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
    [problem] = analyse(text, "c.yaml", env={}).problems
    line = text.splitlines()[problem.line]
    assert line[problem.column : problem.end_column] == "http://deephat-v2.inference.svc.cluster.local:8000"


def _fixed(path: Path) -> list[tuple[str, str, str]]:
    text = path.read_text(encoding="utf-8")
    out = []
    for problem in analyse(text, str(path), env={}).problems:
        for fix in fixes_for(text, problem):
            after = analyse(apply_edits(text, fix.edits), str(path), env={})
            still = [
                p
                for p in after.problems
                if p.code == problem.code and p.record["path"] == problem.record["path"]
            ]
            assert not still, f"{fix.title} left {still[0].record['message']}"
            out.append((problem.code, fix.title, apply_edits(text, fix.edits)))
    return out


EXPECTED_FIXES = {
    "IC005": "Rename maxToken to maxTokens",
    "IC102": "Write anthropic/claude-sonnet-4-20250514",
    "IC104": "Write litellmModel: openai/deephat-v2",
    "IC105": "Write apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1",
    "IC201": "Write contextWindow: 128000",
    "IC202": "Write contextWindow: 128000",
    "IC203": "Write maxTokens: 16384",
    "IC403": "Add toolCallParser: qwen3_coder and enableAutoToolChoice: true",
    "IC404": "Write toolCallParser: qwen3_coder",
}


@pytest.mark.parametrize("code", sorted(EXPECTED_FIXES))
def test_each_listed_kind_of_fix_removes_its_diagnostic(code: str) -> None:
    titles = [(c, t) for path in INVALID if path.name.startswith(code) for c, t, _ in _fixed(path)]
    assert (code, EXPECTED_FIXES[code]) in titles


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_fix_offered_removes_its_diagnostic(path: Path) -> None:
    _fixed(path)  # asserts inside


def test_an_added_field_lands_in_the_block_with_its_indentation() -> None:
    path = next(p for p in INVALID if p.name.startswith("IC403"))
    [(_, _, after)] = [f for f in _fixed(path) if f[0] == "IC403"]
    block = after.split("    vllm:\n", 1)[1]
    assert "      toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n" in block
    assert (
        after.replace("      toolCallParser: qwen3_coder\n      enableAutoToolChoice: true\n", "")
        == path.read_text()
    )


def test_a_hint_with_a_placeholder_offers_no_fix() -> None:
    text = (REPO / "tests/contracts/invalid/IC103-prefix-provider-mismatch.yaml").read_text()
    [problem] = analyse(text, "c.yaml", env={}).problems
    # "use openai/… for provider 'OpenAI', or set provider: Anthropic": only the exact half
    assert [f.title for f in fixes_for(text, problem)] == ["Write provider: Anthropic"]


def test_edits_apply_from_the_end() -> None:
    text = "a: 1\nb: 2\n"
    edits = [Edit(0, 3, 0, 4, "10"), Edit(1, 3, 1, 4, "20"), Edit(2, 0, 2, 0, "c: 3\n")]
    assert apply_edits(text, edits) == "a: 10\nb: 20\nc: 3\n"


DOC = """models:
  - litellmModelName: gpt-4o
    litellmModel: anthropic/claude-sonnet-4-2
    type: CH
    metadataType: Em
    costTier: HI
    vllm:
      model: foo
      tool
    con
  - litellmModelName: embed
    litellmModel: anth
featureFlags:
  TOOL_CALLING_MODELS:
    - gp
  DEF
  EMBEDDING_MODELS: em
"""
LINES = DOC.splitlines()


def _at(line: int) -> list[str]:
    return [c.label for c in complete(LINES, line, len(LINES[line])).candidates]


def test_context_knows_the_enclosing_keys() -> None:
    assert context_at(LINES, 8, len(LINES[8])).path == ("models", ITEM, "vllm")
    assert context_at(LINES, 3, len(LINES[3])).key == "type"
    flag_item = context_at(LINES, 14, len(LINES[14]))
    assert (flag_item.path, flag_item.key, flag_item.partial) == (
        ("featureFlags",),
        "TOOL_CALLING_MODELS",
        "gp",
    )


def test_completion_of_fields_enums_prefixes_ids_flags_and_names() -> None:
    assert _at(9) == ["contextWindow"]  # `con` in a models item; costTier is already there
    assert _at(8) == ["toolCallParser"]  # `tool` inside vllm:
    assert _at(3) == ["CHAT"]
    assert _at(4) == ["Embeddings"]
    assert _at(5) == ["HIGH"]
    assert "anthropic/" in _at(11) and all(label.startswith("anth") for label in _at(11))
    assert "anthropic/claude-sonnet-4-20250514" in _at(2)
    assert _at(15) == ["DEFAULT_WORKFLOW_STEP_MODEL"]
    assert _at(14) == ["gpt-4o"]
    assert _at(16) == ["embed"]


def test_completion_replaces_the_word_typed() -> None:
    found = complete(LINES, 2, len(LINES[2]))
    assert (found.line, found.column) == (2, LINES[2].index("anthropic/"))


def test_hover_on_a_field_a_model_and_a_rule() -> None:
    lines = [
        "models:",
        "  - litellmModelName: a",
        "    litellmModel: anthropic/claude-sonnet-4-20250514",
        "    # IC303",
    ]
    field = hover(lines, 2, 6)
    assert field is not None and "Provider-prefixed LiteLLM model id" in field
    row = hover(lines, 2, 30)
    assert row is not None and "| 200,000 | 64,000 | chat | yes |" in row
    rule = hover(lines, 3, 8)
    assert rule is not None and rule.startswith("**IC303 inline-secret**")


def test_hover_on_a_diagnostic_explains_its_rule() -> None:
    text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
    analysis = analyse(text, "c.yaml", env={})
    [problem] = analysis.problems
    said = hover(analysis.lines, problem.line, problem.column + 3, analysis.problems)
    assert said is not None and "**IC105 base-url-path**" in said


def test_the_rules_page_is_current() -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_markdown(), (
        "regenerate: python -m contract.workflows.editor.rules_doc > docs/rules.md"
    )


def test_a_rule_url_is_its_section() -> None:
    assert rule_url("IC105").endswith("docs/rules.md#ic105")
    assert rule_url("IC105", "https://example.test/rules#{anchor}") == "https://example.test/rules#ic105"


def test_valid_contracts_have_nothing_to_fix() -> None:
    for path in VALID:
        assert analyse(path.read_text(), str(path), env={}).problems == ()


def test_a_value_that_came_through_an_alias_is_not_edited_at_the_alias() -> None:
    text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
    second = text.split("models:\n", 1)[1].replace("deephat-v2", "deephat-v3")
    text = text.replace("apiBase: http", "apiBase: &base http") + second.replace(
        "apiBase: http://deephat-v3.inference.svc.cluster.local:8000", "apiBase: *base"
    )
    problems = [p for p in analyse(text, "c.yaml", env={}).problems if p.code == "IC105"]
    assert len(problems) == 2
    first, aliased = sorted(problems, key=lambda p: p.line)
    assert [f.title for f in fixes_for(text, first)] == [
        "Write apiBase: http://deephat-v2.inference.svc.cluster.local:8000/v1"
    ]
    assert fixes_for(text, aliased) == []


def test_flag_names_include_the_platforms_known_flags() -> None:
    lines = [
        "models:",
        "  - litellmModelName: a",
        "featureFlags:",
        "  CODE",
        "platform:",
        "  unleash:",
        "    knownFlags: [CODE_REVIEW_MODELS]",
    ]
    assert [c.label for c in complete(lines, 3, len(lines[3])).candidates] == ["CODE_REVIEW_MODELS"]


@pytest.mark.parametrize(
    ("newline", "last"), [("\n", "\n"), ("\r\n", "\r\n"), ("\n", ""), ("\r\n", "")], ids=repr
)
def test_an_added_field_keeps_the_files_line_endings_and_its_last_line(newline: str, last: str) -> None:
    path = next(p for p in INVALID if p.name.startswith("IC403"))
    text = path.read_text().rstrip("\n").replace("\n", newline) + last
    [problem] = analyse(text, "c.yaml", env={}).problems
    [fix] = fixes_for(text, problem)
    after = apply_edits(text, fix.edits)
    assert analyse(after, "c.yaml", env={}).problems == ()
    added = f"      toolCallParser: qwen3_coder{newline}      enableAutoToolChoice: true"
    assert after == text.rstrip("\r\n") + newline + added + last


def _labels(text: str, line: int) -> list[str]:
    lines = text.splitlines()
    return [c.label for c in complete(lines, line, len(lines[line])).candidates]


ENVS = """models:
  - litellmModelName: alpha
  - litellmModelName: beta
environments:
  dev:
"""


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("    on", ["only"]),
        ("    only:\n      - al", ["alpha"]),
        ("    except: [alpha, be", ["beta"]),
        ("    overrides:\n      be", ["beta"]),
        ("    overrides:\n      alpha: {maxTokens: 1}\n      ", ["beta"]),
        ("    overrides:\n      alpha:\n        apiB", ["apiBase"]),
        ("    overrides:\n      alpha:\n        type: IN", ["INTERNAL"]),
        ("    overrides:\n      alpha:\n        vllm:\n          toolC", ["toolCallParser"]),
        ("    featureFlags:\n      DEF", ["DEFAULT_WORKFLOW_STEP_MODEL"]),
        ("    featureFlags:\n      TOOL_CALLING_MODELS:\n        - be", ["beta"]),
        ("    platform:\n      kubernetes:\n        nam", ["namespace"]),
    ],
)
def test_completion_inside_an_environment(tail: str, expected: list[str]) -> None:
    text = ENVS + tail
    assert _labels(text, len(text.splitlines()) - 1) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  - {litellmModelName: a, litellmModel: openai/gpt-4o, ty", ["type"]),
        ("  - {litellmModelName: a, type: CHAT, metadataType: Emb", ["Embeddings"]),
        (
            "  - {litellmModelName: a, litellmModel: anthropic/claude-sonnet-4-2",
            ["anthropic/claude-sonnet-4-20250514"],
        ),
        ("  - {litellmModelName: a, vllm: {model: x, gpus: {count: 2, mem", ["memoryGiB"]),
        ("  - {litellmModelName: a, vllm: {model: x, gpus: {count: 2}, toolC", ["toolCallParser"]),
    ],
)
def test_completion_inside_a_flow_mapping(line: str, expected: list[str]) -> None:
    assert _labels("models:\n" + line, 1) == expected


def test_completion_inside_a_flow_mapping_leaves_out_its_keys_and_replaces_the_word() -> None:
    lines = ["models:", "  - {litellmModelName: a, metadataType: Embeddings, m"]
    found = complete(lines, 1, len(lines[1]))
    labels = [c.label for c in found.candidates]
    assert "maxTokens" in labels and "metadataType" not in labels
    assert (found.line, found.column) == (1, len(lines[1]) - 1)


def test_completion_of_flag_names_in_a_flow_list() -> None:
    text = "models:\n  - litellmModelName: alpha\n  - litellmModelName: beta\nfeatureFlags:\n"
    assert _labels(text + "  TOOL_CALLING_MODELS: [alpha, be", 4) == ["beta"]


FLOW_ENTRY = (
    "models:\n  - {litellmModelName: deephat, litellmModel: openai/deephat, displayName: Dé😀,"
    " provider: Self-Hosted, type: CHAT, metadataType: Text Generation, contextWindow: 32768,"
    " apiBase: BASE, apiKey: '${VLLM_API_KEY}'}\n"
)


@pytest.mark.parametrize(
    ("flow", "written", "fixed"),
    [
        (True, "'http://deephat.svc:8000'", "'http://deephat.svc:8000/v1'"),
        (True, '"http://deephat.svc:8000"', '"http://deephat.svc:8000/v1"'),
        (False, "'http://deephat.svc:8000'", "'http://deephat.svc:8000/v1'"),
        (False, '"http://deephat.svc:8000"', '"http://deephat.svc:8000/v1"'),
        (False, "http://deephat.svc:8000", "http://deephat.svc:8000/v1"),
    ],
)
def test_a_value_fixed_keeps_its_quotes_and_a_flow_mapping_parses(
    flow: bool, written: str, fixed: str
) -> None:
    if flow:
        text = FLOW_ENTRY.replace("BASE", written)
    else:
        text = (REPO / "tests/contracts/invalid/IC105-base-url-path.yaml").read_text()
        text = text.replace("http://deephat-v2.inference.svc.cluster.local:8000", "BASE").replace(
            "BASE", written
        )
    [problem] = [p for p in analyse(text, "c.yaml", env={}).problems if p.code == "IC105"]
    [fix] = fixes_for(text, problem)
    after = apply_edits(text, fix.edits)
    assert after == text.replace(written, fixed)
    assert [p.code for p in analyse(after, "c.yaml", env={}).problems] == []


def test_a_value_with_a_colon_fixed_in_a_flow_mapping_is_quoted() -> None:
    text = (
        "models:\n  - {litellmModelName: c, litellmModel: bedrock/anthropic.claude-3-5-sonnet-20240620,"
        " displayName: D, provider: AWS Bedrock, type: CHAT, metadataType: Text Generation,"
        " contextWindow: 200000, awsRegion: us-east-1}\n"
    )
    [problem] = analyse(text, "c.yaml", env={}).problems
    [fix] = fixes_for(text, problem)
    after = apply_edits(text, fix.edits)
    assert "litellmModel: 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0'," in after
    assert [p.code for p in analyse(after, "c.yaml", env={}).problems] == []


def test_hover_inside_a_flow_mapping_and_an_environment_override() -> None:
    flow = [
        "models:",
        "  - {litellmModelName: a, litellmModel: anthropic/claude-sonnet-4-20250514, type: CHAT}",
    ]
    at = flow[1].index
    field = hover(flow, 1, at("type") + 1)
    assert field is not None and field.startswith("**type**") and "One of: `CHAT`" in field
    row = hover(flow, 1, at("claude") + 1)
    assert row is not None and "| 200,000 | 64,000 | chat | yes |" in row
    nested = ["models:", "  - litellmModelName: a", "    vllm: {model: x, toolCallParser: hermes}"]
    said = hover(nested, 2, nested[2].index("toolCall") + 1)
    assert said is not None and said.startswith("**toolCallParser**")
    override = (ENVS + "    overrides:\n      alpha:\n        contextWindow: 4096").splitlines()
    said = hover(override, len(override) - 1, 10)
    assert said is not None and said.startswith("**contextWindow**")


@pytest.mark.parametrize(
    ("stem", "title", "line"),
    [
        ("IC005-environment-override-field", "Rename maxTokns to maxTokens", "        maxTokens: 4096"),
        (
            "IC105-environment-override",
            "Write apiBase: http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1",
            "        apiBase: http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1",
        ),
    ],
)
def test_a_fix_of_an_environment_override_edits_the_overrides_line(stem: str, title: str, line: str) -> None:
    path = REPO / "tests/contracts/invalid" / f"{stem}.yaml"
    text = path.read_text()
    [problem] = analyse(text, str(path), env={}).problems
    assert problem.record["path"].startswith("/environments/prod/overrides/")
    assert problem.line == len(text.splitlines()) - 1  # the override is the file's last line
    [(_, got, after)] = _fixed(path)
    assert got == title
    assert after.splitlines()[:-1] == text.splitlines()[:-1] and after.splitlines()[-1] == line


_TYPED = st.text(alphabet="{}[],:'\" -#\t\r\nab1😀é", max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.sampled_from(CONTRACTS),
    st.integers(min_value=0),
    st.integers(min_value=0),
    _TYPED,
    st.integers(0, 200),
)
def test_completion_and_hover_answer_anywhere_in_any_half_typed_text(
    path: Path, at: int, column: int, typed: str, where: int
) -> None:
    text = path.read_text(encoding="utf-8")
    where = min(where * 17, len(text))
    lines = (text[:where] + typed + text[where:]).splitlines() or [""]
    line = at % len(lines)
    column %= len(lines[line]) + 1
    found = complete(lines, line, column)
    assert (found.line, 0) <= (found.line, found.column) and found.column <= column
    hover(lines, line, column)


def test_a_key_with_a_stray_quote_is_renamed_and_its_value_kept() -> None:
    text = (REPO / "tests/contracts/invalid/IC005-unknown-field.yaml").read_text()
    text = text.replace("maxToken:", 'maxTokens":')
    [problem] = [p for p in analyse(text, "c.yaml", env={}).problems if p.code == "IC005"]
    assert problem.hint == "did you mean maxTokens?"
    [fix] = fixes_for(text, problem)
    assert fix.title == 'Rename maxTokens" to maxTokens'
    assert apply_edits(text, fix.edits) == text.replace('maxTokens":', "maxTokens:")


def test_a_hint_with_an_example_region_or_a_flow_value_offers_no_fix() -> None:
    bedrock = (REPO / "tests/contracts/invalid/IC302-bedrock-incomplete.yaml").read_text()
    [problem] = analyse(bedrock, "c.yaml", env={}).problems
    assert fixes_for(bedrock, problem) == []  # the region is the engineer's to say, not us-west-2
    text = (REPO / "tests/contracts/invalid/IC403-tool-parser-missing.yaml").read_text()
    [problem] = analyse(text, "c.yaml", env={}).problems
    flow = dataclasses.replace(problem, record={**problem.record, "hint": "add nodeSelector: {gpu: a100}"})
    assert fixes_for(text, flow) == []


CHAT_AS_EMBEDDINGS = """models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Embeddings
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${OPENAI_API_KEY}
"""


@pytest.mark.parametrize(
    ("text", "code", "title"),
    [
        (CHAT_AS_EMBEDDINGS, "IC402", "Write metadataType: Text Generation"),
        (
            (REPO / "tests/contracts/invalid/IC103-prefix-provider-mismatch.yaml")
            .read_text()
            .replace("anthropic/", "bedrock/anthropic.")
            .replace("claude-sonnet-4-20250514", "claude-3-5-sonnet-20240620-v1:0"),
            "IC103",
            "Write provider: AWS Bedrock",
        ),
    ],
)
def test_a_value_of_several_words_is_written_whole(text: str, code: str, title: str) -> None:
    [problem] = [p for p in analyse(text, "c.yaml", env={}).problems if p.code == code]
    [fix] = [f for f in fixes_for(text, problem) if f.title == title]
    after = analyse(apply_edits(text, fix.edits), "c.yaml", env={}).problems
    assert not [p for p in after if p.code in (code, "IC004", "IC001")]


def test_a_value_ends_with_its_sentence() -> None:
    # what only an environment breaks is reported at the base line, its hint then goes on
    text = contract_of_two(
        "environments:\n  prod:\n    overrides:\n      b:\n        apiBase: http://x.svc:8000/v1\n"
    )
    [problem] = analyse(text, "c.yaml", env={}).problems
    assert problem.hint == (
        "write litellmModel: openai/b. Or set it for this environment under environments.prod."
    )
    [fix] = fixes_for(text, problem)
    assert fix.title == "Write litellmModel: openai/b"
    assert [e.text for e in fix.edits] == ["openai/b"]


def contract_of_two(tail: str) -> str:
    return contract_from_entries("a", "b", tail=tail)


_EDITS = st.sampled_from(
    ["{", "}", "[", "]", ",", ":", "'", '"', " ", "-", "#", "😀", "\r\n", "\n", "  ", "&a ", "*a"]
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.sampled_from(INVALID), st.lists(st.tuples(st.integers(0, 10**6), _EDITS), max_size=3))
def test_a_fix_offered_on_a_half_edited_contract_removes_its_diagnostic_and_keeps_the_yaml(
    path: Path, typed: list[tuple[int, str]]
) -> None:
    text = path.read_text(encoding="utf-8")
    for at, piece in typed:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    before = analyse(text, "c.yaml", env={}).problems
    for problem in before:
        for fix in fixes_for(text, problem):
            after = analyse(apply_edits(text, fix.edits), "c.yaml", env={}).problems
            if "IC001" not in {p.code for p in before}:
                assert "IC001" not in {p.code for p in after}, fix
            assert dict(problem.record) not in [dict(p.record) for p in after], fix


def test_completing_inside_a_word_replaces_the_whole_word() -> None:
    lines = ["models:", "  - litellmModelName: a", "    type: CHAT", "    contextWin: 5"]
    found = complete(lines, 2, len("    type: CH"))
    assert [c.label for c in found.candidates] == ["CHAT"]
    assert (found.column, found.end_column) == (len("    type: "), len("    type: CHAT"))
    key = complete(lines, 3, len("    contextW"))
    assert [(c.label, c.insert) for c in key.candidates] == [("contextWindow", "contextWindow")]
    assert key.end_column == len("    contextWin")
