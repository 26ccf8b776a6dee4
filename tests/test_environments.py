"""`environments:`: the resolver, and validation of every environment's resolved contract."""

from __future__ import annotations

from typing import Any

import pytest

from contract.pipeline.environments import environment_names, merge, resolve, substitute
from contract.pipeline.load import load
from contract.pipeline.rules import Options
from contract.pipeline.validate import validate_text
from tests.support.environment_contracts import THREE, contract


def data(text: str) -> dict:  # type: ignore[type-arg]
    doc = load(text)
    assert doc.ok
    assert isinstance(doc.data, dict)
    return doc.data


# -- resolving ---------------------------------------------------------------------------------


def test_merge_maps_merge_lists_replace_and_null_removes() -> None:
    base = {"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "gone": "here"}
    out = merge(base, {"m": {"y": 3, "z": 4}, "l": [9], "gone": None})
    assert out == {"a": 1, "m": {"x": 1, "y": 3, "z": 4}, "l": [9]}
    assert base["m"] == {"x": 1, "y": 2}  # the base is not changed


def test_substitute_fills_variables_but_never_a_secret() -> None:
    node = {
        "apiBase": "http://${HOST}:8000/v1",
        "apiKey": "${HOST}",
        "vllm": {"hfToken": "${HOST}", "extraArgs": ["--x=${HOST}"]},
        "other": "${UNSET}",
    }
    out = substitute(node, {"HOST": "vllm.svc"})
    assert out["apiBase"] == "http://vllm.svc:8000/v1"
    assert out["apiKey"] == "${HOST}"
    assert out["vllm"]["hfToken"] == "${HOST}"
    assert out["vllm"]["extraArgs"] == ["--x=vllm.svc"]
    assert out["other"] == "${UNSET}"


def test_resolve_the_three_environments() -> None:
    raw = data(THREE.read_text())
    assert environment_names(raw) == ["dev", "staging", "prod"]
    dev = resolve(raw, "dev")
    assert [m["litellmModelName"] for m in dev.data["models"]] == ["gpt-4o", "text-embedding-3-small"]
    assert "environments" not in dev.data
    assert dev.data["platform"]["kubernetes"] == {"context": "dev", "namespace": "ai-dev"}
    assert dev.data["platform"]["unleash"]["environments"] == ["development"]  # kept from the base
    staging = resolve(raw, "staging")
    assert len(staging.data["models"]) == 3
    assert staging.data["platform"]["unleash"]["environments"] == ["staging"]  # a list replaces
    prod = resolve(raw, "prod")
    qwen = prod.data["models"][2]
    assert qwen["apiBase"] == "http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1"
    assert qwen["vllm"]["toolCallParser"] == "qwen3_coder"  # maps merge
    assert qwen["vllm"]["enablePrefixCaching"] is True
    assert prod.data["featureFlags"] == {
        "DEFAULT_WORKFLOW_STEP_MODEL": "qwen3-coder-30b",
        "TOOL_CALLING_MODELS": ["gpt-4o", "qwen3-coder-30b"],
    }
    assert raw["models"][2]["apiBase"].startswith("http://vllm-qwen.inference.svc")  # base untouched


def test_resolve_except_and_unknown_environment() -> None:
    raw = data(contract("a", "b", "c", tail="environments:\n  x:\n    except: [b]\n"))
    assert [m["litellmModelName"] for m in resolve(raw, "x").data["models"]] == ["a", "c"]
    assert resolve(raw, "x").index == (0, 2)
    with pytest.raises(KeyError):
        resolve(raw, "nope")


def test_origin_points_at_the_override_when_it_set_the_value() -> None:
    raw = data(THREE.read_text())
    prod = resolve(raw, "prod")
    own = ("environments", "prod", "overrides", "qwen3-coder-30b")
    assert prod.origin(("models", 2, "apiBase")) == (*own, "apiBase")
    assert prod.origin(("models", 2, "vllm", "enablePrefixCaching")) == (*own, "vllm", "enablePrefixCaching")
    assert prod.origin(("models", 2, "vllm", "toolCallParser")) == ("models", 2, "vllm", "toolCallParser")
    assert prod.origin(("models", 0, "maxTokens")) == ("models", 0, "maxTokens")
    assert prod.origin(("featureFlags", "TOOL_CALLING_MODELS", 1)) == (
        "environments",
        "prod",
        "featureFlags",
        "TOOL_CALLING_MODELS",
        1,
    )
    assert prod.origin(("platform", "adminApi")) == ("platform", "adminApi")
    dev = resolve(raw, "dev")
    assert dev.origin(("models", 1, "contextWindow")) == ("models", 1, "contextWindow")
    # dev keeps models 0 and 1; staging all three: resolved index -> base index
    raw2 = data(contract("a", "b", "c", tail="environments:\n  x:\n    only: [c]\n"))
    assert resolve(raw2, "x").origin(("models", 0, "maxTokens")) == ("models", 2, "maxTokens")


# -- validating --------------------------------------------------------------------------------


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_three_environment_fixture_validates_with_a_typed_contract_per_environment() -> None:
    result = validate_text(THREE.read_text(), file="c.yaml")
    assert result.diagnostics == ()
    assert set(result.environments) == {"dev", "staging", "prod"}
    assert [m.litellm_model_name for m in result.environments["dev"].models] == [
        "gpt-4o",
        "text-embedding-3-small",
    ]
    prod = result.environments["prod"]
    assert prod.models[2].api_base == "http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1"
    assert prod.platform is not None and prod.platform.kubernetes is not None
    assert prod.platform.kubernetes.namespace == "ai-prod"


def test_a_mistake_in_an_override_points_at_the_override_and_names_the_environment() -> None:
    text = contract(
        "a",
        "b",
        tail="environments:\n  dev: {}\n  prod:\n    overrides:\n      b:\n        maxTokens: 999999\n"
        "        contexWindow: 5\n",
    )
    result = validate_text(text, file="c.yaml")
    found = {(d.code, d.line, d.path): d for d in result.diagnostics}
    big = found[("IC203", line_of(text, "maxTokens: 999999"), "/environments/prod/overrides/b/maxTokens")]
    assert big.message.startswith("environment prod: ")
    assert big.column == 20
    unknown = found[
        ("IC005", line_of(text, "contexWindow: 5"), "/environments/prod/overrides/b/contexWindow")
    ]
    assert unknown.column == 9 and unknown.hint == "did you mean contextWindow?"
    assert len(result.diagnostics) == 2  # dev has no mistake of its own


def test_a_base_mistake_is_reported_once_not_again_per_environment() -> None:
    text = contract("a", tail="environments:\n  dev: {}\n  prod: {}\n").replace(
        "maxTokens: 16384", "maxTokens: 999999"
    )
    result = validate_text(text, file="c.yaml")
    assert [(d.code, d.message.startswith("environment")) for d in result.diagnostics] == [("IC203", False)]


def test_what_only_an_environment_breaks_is_reported_at_the_base_line_with_its_name() -> None:
    # the flag names b, which dev leaves out
    text = contract(
        "a", "b", tail="featureFlags:\n  TOOL_CALLING_MODELS: [a, b]\nenvironments:\n  dev:\n    only: [a]\n"
    )
    result = validate_text(text, file="c.yaml")
    (diag,) = result.diagnostics
    assert diag.code == "IC405"
    assert diag.message.startswith("environment dev: ")
    assert (diag.line, diag.path) == (
        line_of(text, "TOOL_CALLING_MODELS"),
        "/featureFlags/TOOL_CALLING_MODELS/1",
    )
    assert diag.hint is not None
    assert diag.hint.endswith("Or set it for this environment under environments.dev.")
    assert not result.valid  # dev is typed, but its error makes the file invalid: nothing compiles it


def test_environment_blocks_are_typed() -> None:
    text = contract(
        "a",
        tail="environments:\n  Dev_1: {}\n  ok:\n    onyl: [a]\n    variables: {HOST: 3}\n"
        "gitops:\n  revision: 7\n",
    )
    found = {(d.code, d.path) for d in validate_text(text, file="c.yaml").diagnostics}
    assert found == {
        ("IC004", "/environments/Dev_1"),
        ("IC005", "/environments/ok/onyl"),
        ("IC004", "/environments/ok/variables/HOST"),
        ("IC004", "/gitops/revision"),
    }
    messages = {d.path: d.message for d in validate_text(text, file="c.yaml").diagnostics}
    assert messages["/environments/ok/onyl"] == "environment ok: unknown field 'onyl'"
    assert messages["/environments/ok/variables/HOST"].startswith("environment ok: ")
    assert not messages["/gitops/revision"].startswith("environment")
    bad = validate_text(contract("a", tail="environments: [dev]\n"), file="c.yaml")
    assert [(d.code, d.path) for d in bad.diagnostics] == [("IC004", "/environments")]


def test_only_the_chosen_environments_are_validated() -> None:
    text = contract(
        "a",
        tail="environments:\n  dev:\n    overrides: {a: {maxTokens: 0}}\n  prod:\n    overrides: {a: {maxTokens: -1}}\n",
    )
    every = validate_text(text, file="c.yaml").diagnostics
    assert {d.message.split(":")[0] for d in every} == {"environment dev", "environment prod"}
    dev = validate_text(text, file="c.yaml", options=Options(environments=("dev",))).diagnostics
    assert {d.message.split(":")[0] for d in dev} == {"environment dev"}


def test_a_contract_without_environments_is_unchanged() -> None:
    result = validate_text(contract("a"), file="c.yaml")
    assert result.diagnostics == () and result.environments == {}


# -- typing without pydantic -------------------------------------------------------------------


def test_environments_and_gitops_are_typed_without_pydantic() -> None:
    from contract.pipeline._fast import construct
    from contract.pipeline.model import Environment, GitOps
    from tests.support.typing_twins import same

    raw = data(THREE.read_text())
    for body in raw["environments"].values():
        assert construct(Environment, body) is not None
        same(Environment, body)
    assert construct(GitOps, raw["gitops"]) is not None
    same(GitOps, raw["gitops"])
    for wrong in (
        {"variables": {"HOST": 3}},
        {"variables": {1: "x"}},
        {"overrides": {"a": [1]}},
        {"overrides": []},
        {"only": []},
        {"except": "a"},
    ):
        assert construct(Environment, wrong) is None
        same(Environment, wrong)


def test_validating_environments_does_not_import_pydantic() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from contract.pipeline.validate import validate_file; "
        f"r = validate_file({str(THREE)!r}); "
        "assert r.valid and set(r.environments) == {'dev', 'staging', 'prod'}; "
        "print('pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- any environments block ----------------------------------------------------------------------

_KEYS = [
    "only",
    "except",
    "overrides",
    "platform",
    "featureFlags",
    "variables",
    "cluster",
    "a",
    "b",
    "apiBase",
    "apiKey",
    "maxTokens",
    "vllm",
    "kubernetes",
    "namespace",
    "TOOL_CALLING_MODELS",
    "HOST",
]


def _json() -> Any:
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 300000),
        st.sampled_from(["a", "b", "${HOST}", "http://${HOST}/v1", "sk-x", ""]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
        ),
        max_leaves=12,
    )


def test_any_environments_block_validates_without_raising() -> None:
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = data(contract("a", "b"))

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(st.dictionaries(st.sampled_from(["dev", "prod", "Bad_Name"]), _json(), max_size=3))
    def check(envs: dict[str, Any]) -> None:
        text = json.dumps({**base, "environments": envs}, indent=1)
        result = validate_text(text, file="c.yaml")
        lines = text.count("\n") + 1
        for d in result.diagnostics:
            assert 1 <= d.line <= lines and d.column >= 1, d
        for name in result.environments:
            assert name in envs

    check()


def test_a_list_an_override_replaces_is_reported_inside_the_override() -> None:
    raw = THREE.read_text().replace(
        "        vllm: {gpus: {count: 2, memoryGiB: 80}, enablePrefixCaching: true}\n",
        "        vllm:\n          enablePrefixCaching: true\n          extraArgs: [--max-num-seqs=8, --no-such-flag]\n",
    )
    (diag,) = validate_text(raw, file="c.yaml").diagnostics
    assert diag.code == "IC207" and diag.message.startswith("environment prod: ")
    assert diag.path == "/environments/prod/overrides/qwen3-coder-30b/vllm/extraArgs/1"
    line = line_of(raw, "--no-such-flag")
    assert (diag.line, diag.column) == (line, raw.splitlines()[line - 1].index("--no-such-flag") + 1)
