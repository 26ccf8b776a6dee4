"""Property tests: the pipeline never raises, and every diagnostic it makes is well formed.

Runs derandomized (a fixed seed, no example database) so that a run is repeatable; a failure
prints the minimal example to paste into a regular test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.diagnostics import Severity
from contract.pipeline._pydantic import yaml_keys
from contract.pipeline.load import load
from contract.pipeline.model import ModelEntry
from contract.pipeline.validate import Result, validate_bytes, validate_text

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "install-contract.yaml"
CODE = re.compile(r"^IC\d{3}$")

FAST = settings(max_examples=1000, deadline=None, derandomize=True, database=None)
SLOWER = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def check(result: Result, text: str | None = None) -> None:
    """Every diagnostic is positioned, coded and addressed; the list is sorted."""
    assert isinstance(result, Result)
    for d in result.diagnostics:
        assert isinstance(d.line, int) and d.line >= 1, d
        assert isinstance(d.column, int) and d.column >= 1, d
        assert CODE.match(d.code), d
        assert isinstance(d.severity, Severity), d
        assert d.path == "" or d.path.startswith("/"), d
        assert isinstance(d.message, str) and d.message, d
        assert d.hint is None or isinstance(d.hint, str), d
        assert d.as_dict()["code"] == d.code
    keys = [d.sort_key() for d in result.diagnostics]
    assert keys == sorted(keys)
    assert result.valid == (result.errors == 0)
    if text is not None:
        assert result.source == text
        # a position never lies beyond the end of the text (YAML also breaks lines at \r)
        breaks = (
            text.count("\n")
            + text.count("\r")
            + text.count("\x85")
            + text.count("\u2028")
            + text.count("\u2029")
        )
        for d in result.diagnostics:
            assert d.line <= breaks + 1, (d, text)


# --- (a) arbitrary text ---------------------------------------------------------------------

FRAGMENTS = [
    *(f"{key}:" for key in yaml_keys(ModelEntry)),
    "models:",
    "featureFlags:",
    "platform:",
    "routers:",
    "vllm:",
    "gpus:",
    "count:",
    "memoryGiB:",
    "TOOL_CALLING_MODELS:",
    "<<:",
    "? ",
    ": ",
    "- ",
    "  ",
    "    ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    ",",
    ":",
    "&a",
    "*a",
    "&b ",
    "*b",
    "*nope",
    "!!",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!python/name:os.system ",
    "!Ref ",
    "!",
    "{",
    "}",
    "[",
    "]",
    '"',
    "'",
    "#",
    "# c\n",
    "---",
    "---\n",
    "...",
    "|",
    ">",
    "%YAML 1.2\n",
    "${X}",
    "${OPENAI_API_KEY}",
    "$",
    "\\",
    "\\u00e9",
    "\ufeff",
    "\x85",
    "\u2028",
    "\x00",
    "\x7f",
    "\ud7ff",
    "0",
    "1",
    "-1",
    "1e9",
    "0x1F",
    "0o17",
    ".inf",
    ".nan",
    "null",
    "~",
    "true",
    "yes",
    "on",
    "2024-10-21",
    "128000",
    "99999999999999999999999",
    "CHAT",
    "INTERNAL",
    "Text Generation",
    "Embeddings",
    "openai/gpt-4o",
    "gpt-4o",
    "anthropic/claude",
    "hosted_vllm/x",
    "OpenAI",
    "Self-Hosted",
]

yaml_like = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.text(max_size=4),
    ),
    max_size=60,
).map("".join)


@FAST
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    check(validate_text(text, file="x.yaml"), text)


@FAST
@given(yaml_like)
def test_yaml_like_text_never_raises(text: str) -> None:
    check(validate_text(text, file="x.yaml"), text)


def _contract_fragments() -> list[str]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    return lines


@SLOWER
@given(st.lists(st.sampled_from(_contract_fragments()), min_size=1, max_size=40))
def test_shuffled_fixture_lines_never_raise(lines: list[str]) -> None:
    # lines of a real contract in any order: plausible indentation mistakes and broken entries
    text = "".join(lines)
    check(validate_text(text, file="x.yaml"), text)


@SLOWER
@given(st.data())
def test_mutated_fixture_never_raises(data: st.DataObject) -> None:
    # a real contract with a few characters replaced, inserted or deleted
    text = FIXTURE.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="edits")):
        at = data.draw(st.integers(min_value=0, max_value=len(text)), label="at")
        piece = data.draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=2)), label="piece")
        cut = data.draw(st.integers(min_value=0, max_value=3), label="cut")
        text = text[:at] + piece + text[at + cut :]
    check(validate_text(text, file="x.yaml"), text)


# --- (b) arbitrary bytes --------------------------------------------------------------------


@FAST
@given(st.binary())
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    check(validate_bytes(raw, file="x.yaml"))


@FAST
@given(yaml_like, st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]))
def test_encoded_yaml_like_bytes_never_raise(text: str, encoding: str) -> None:
    check(validate_bytes(text.encode(encoding, "replace"), file="x.yaml"))


# --- (c) generated contracts: deterministic results ------------------------------------------

REQUIRED = (
    "litellmModelName",
    "litellmModel",
    "displayName",
    "provider",
    "type",
    "metadataType",
    "contextWindow",
)


def _fixture_entries() -> list[dict[str, Any]]:
    doc = load(FIXTURE.read_text(encoding="utf-8"))
    assert doc.ok and not doc.problems
    entries = doc.data["models"]
    assert entries
    return [dict(e) for e in entries]


BASES = _fixture_entries()
# characters YAML allows unescaped (JSON does not escape DEL, C1 controls or U+FFFE)
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0xFFFD, exclude_categories=("Cc", "Cs"))
names = st.from_regex(r"[a-z][a-z0-9._-]{0,30}", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    entry = dict(draw(st.sampled_from(BASES)))
    entry["litellmModelName"] = draw(names, label="name")
    if draw(st.booleans(), label="new display name"):
        entry["displayName"] = draw(st.text(PRINTABLE, min_size=1, max_size=20), label="displayName")
    window = draw(st.integers(min_value=1, max_value=2_000_000), label="contextWindow")
    entry["contextWindow"] = window
    if "vllm" in entry and isinstance(entry["vllm"], dict) and "maxModelLen" in entry["vllm"]:
        entry["vllm"] = {**entry["vllm"], "maxModelLen": window}
    if draw(st.booleans(), label="maxTokens"):
        entry["maxTokens"] = draw(st.integers(min_value=1, max_value=window), label="maxTokens")
    else:
        entry.pop("maxTokens", None)
    for field in draw(st.sets(st.sampled_from(REQUIRED), max_size=2), label="dropped"):
        entry.pop(field, None)
    return entry


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def to_block(value: Any, indent: int = 0) -> str:
    """Block-style YAML for plain data (strings JSON-quoted, which YAML reads back the same)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_scalar(key)}:\n{to_block(item, indent + 2)}")
            else:
                out.append(f"{pad}{_scalar(key)}: {to_block(item).strip()}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            body = to_block(item, indent + 2)
            out.append(f"{pad}- {body.lstrip()}")
        return "".join(out)
    return pad + _scalar(value) + "\n"


@SLOWER
@given(st.lists(entries(), min_size=1, max_size=5), st.booleans())
def test_generated_contracts_are_deterministic(models: list[dict[str, Any]], block: bool) -> None:
    contract = {"models": models}
    text = to_block(contract) if block else json.dumps(contract, ensure_ascii=False, indent=1)
    first = validate_text(text, file="x.yaml")
    second = validate_text(text, file="x.yaml")
    assert first == second
    assert validate_bytes(text.encode("utf-8"), file="x.yaml") == first
    check(first, text)
    # the text reads back as exactly the generated data
    doc = load(text)
    assert doc.ok and doc.data == contract
    # every dropped required field is reported where the entry is
    # (the pointer names the entry, or the missing field in it)
    for index, entry in enumerate(models):
        missing = [f for f in REQUIRED if f not in entry]
        for field in missing:
            assert any(
                d.code == "IC003"
                and d.path in (f"/models/{index}", f"/models/{index}/{field}")
                and repr(field) in d.message
                for d in first.diagnostics
            ), (field, first.diagnostics)
        if not missing:
            assert not any(
                d.code == "IC003" and (d.path + "/").startswith(f"/models/{index}/")
                for d in first.diagnostics
            ), first.diagnostics


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(entries(), min_size=1, max_size=3))
def test_validation_does_not_depend_on_earlier_runs(models: list[dict[str, Any]]) -> None:
    # a run in between (of a different contract) leaves no trace in the next result
    text = json.dumps({"models": models})
    before = validate_text(text, file="x.yaml")
    validate_text(FIXTURE.read_text(encoding="utf-8") + "\n# changed\n", file="y.yaml")
    validate_bytes(b"models: [1, *nope]", file="z.yaml")
    assert validate_text(text, file="x.yaml") == before
