"""contract/pipeline/_fast.py: typing without pydantic's validator never accepts what pydantic refuses,
builds exactly what pydantic builds, and really is the path valid contracts take."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.pipeline._fast import construct
from contract.pipeline._pydantic import yaml_keys
from contract.pipeline.load import load
from contract.pipeline.model import FeatureFlags, ModelEntry, Platform
from tests.support.corpus import FIXTURES, VALID
from tests.support.typing_twins import same

REPO = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=600, deadline=None, derandomize=True, database=None)


def _entries() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in VALID:
        data = load(path.read_text(encoding="utf-8")).data
        found.extend(data["models"])
    return found


ENTRIES = _entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["litellmModelName"])
def test_valid_entries_take_the_fast_path(entry: dict[str, Any]) -> None:
    assert construct(ModelEntry, entry) is not None
    same(ModelEntry, entry)


def test_fixture_blocks_take_the_fast_path() -> None:
    data = load((FIXTURES / "install-contract.yaml").read_text(encoding="utf-8")).data
    for cls, key in ((FeatureFlags, "featureFlags"), (Platform, "platform")):
        assert construct(cls, data[key]) is not None
        same(cls, data[key])


# Values of every kind the contract's fields could be given, right or wrong.
values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-3, max_value=10**6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["", "x", "CHAT", "INTERNAL", "Embeddings", "LOW", "bfloat16", "${VAR}", "8000"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["count", "memoryGiB", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)


@SETTINGS
@given(st.data())
def test_mutated_entries_agree_with_pydantic(data: st.DataObject) -> None:
    entry = dict(data.draw(st.sampled_from(ENTRIES), label="entry"))
    keys = [*entry, *yaml_keys(ModelEntry), "bogus"]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        key = data.draw(st.sampled_from(keys), label="key")
        if data.draw(st.booleans(), label="delete") and key in entry:
            del entry[key]
        else:
            entry[key] = data.draw(values, label="value")
    if isinstance(entry.get("vllm"), dict) and data.draw(st.booleans(), label="vllm edit"):
        vllm = dict(entry["vllm"])
        vllm[data.draw(st.sampled_from(["gpus", "port", "dtype", "extraArgs", "model", "hfToken"]))] = (
            data.draw(values)
        )
        entry["vllm"] = vllm
    same(ModelEntry, entry)


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["TOOL_CALLING_MODELS", "EMBEDDING_MODELS", "OTHER_FLAG"]), values, max_size=3
    )
)
def test_flags_agree_with_pydantic(raw: dict[str, Any]) -> None:
    same(FeatureFlags, raw)


def test_validate_never_imports_pydantic_for_a_valid_contract() -> None:
    probe = (
        "import sys\n"
        "from contract.pipeline.validate import validate_file\n"
        "r = validate_file('fixtures/install-contract.yaml')\n"
        "assert r.valid and not r.diagnostics, r.diagnostics\n"
        "assert 'pydantic' not in sys.modules, 'a valid contract needs no pydantic'\n"
        "assert 'importlib.metadata' not in sys.modules\n"
        "r = validate_file('tests/contracts/invalid/IC004-invalid-value.yaml')\n"
        "assert [d.code for d in r.diagnostics] == ['IC004'], r.diagnostics\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
