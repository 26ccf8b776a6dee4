"""A plan that shows values: old → new for updates (long strings cut in the middle), the fields
a create writes, the variants a flag gains and loses, a unified diff of LiteLLM's config.yaml,
only the names of the Secret's keys, and orphans — through the CLI against the admin-API test
server and kmock, and the report's pure functions."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner, Result

from cli.main import main
from contract.pipeline.model import Unleash
from contract.reporting.plan import cut, render_json, render_table, values
from contract.workflows.apply.changes import Change, FieldDiff, Plan
from contract.workflows.apply.flags import (
    DesiredFlag,
    ObservedEnvironment,
    ObservedFlag,
    ObservedFlags,
    Variant,
    diff_flags,
)
from tests.support.admin_api_server import AdminApiServer
from tests.support.kube_mock import KubeCluster
from tests.support.litellm_kube import CONFIG_MAPS, DEPLOYMENT, DEPLOYMENTS, NS, SECRETS, stored

TOKEN = "test-admin-token"
KEY_1 = "sk-plan-canary-first-0d91"
KEY_2 = "sk-plan-canary-second-7a3e"


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=4)
    yield
    stamina.set_testing(False)


def model(name: str, description: str = "") -> str:
    text = (
        f"  - litellmModelName: {name}\n"
        "    litellmModel: openai/gpt-4o-2024-08-06\n"
        f"    displayName: GPT-4o {name}\n"
        "    provider: OpenAI\n"
        "    type: CHAT\n"
        "    metadataType: Text Generation\n"
        "    contextWindow: 128000\n"
        "    apiKey: ${OPENAI_API_KEY}\n"
    )
    return text + (f"    description: {description}\n" if description else "")


def contract(url: str, *models: str) -> str:
    return (
        f"platform:\n  adminApi:\n    url: {url}\n"
        f"  kubernetes:\n    context: test\n    namespace: {NS}\n"
        "  litellm:\n    secret: proxy-keys\n    configMap: proxy-config\n"
        "models:\n" + "".join(models)
    )


def cli(cluster: KubeCluster, path: Path, *args: str, key: str | None = KEY_1) -> Result:
    env = {"ADMIN_API_TOKEN": TOKEN, "KUBECONFIG": cluster.kubeconfig, "LITELLM_MASTER_KEY": ""}
    env["OPENAI_API_KEY"] = key or ""
    return CliRunner().invoke(main, [*args, str(path)], env=env)


def no_key_in(*results: Result) -> None:
    for result in results:
        for key in (KEY_1, KEY_2, TOKEN):
            assert key not in result.stdout and key not in result.stderr


def test_plan_and_apply_through_all_of_litellm(
    server: AdminApiServer, kube_cluster: KubeCluster, write: Any
) -> None:
    kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
    long = "x" * 40 + "-the-middle-" + "y" * 40
    path = write(contract(server.url, model("a", long)))

    # 3. plan needs no data-plane key: the unset key is a warning, not an error
    keyless = cli(kube_cluster, path, "plan", key=None)
    assert keyless.exit_code == 0, keyless.stderr
    assert "warning: Secret key OPENAI_API_KEY: unset; apply will refuse" in keyless.stdout
    refused = cli(kube_cluster, path, "apply", "--skip-check", "--yes", key=None)
    assert refused.exit_code == 1 and "IC304" in refused.stderr
    assert server.state.writes() == [] and kube_cluster.writes() == []

    # a create lists what it writes; the Secret only its keys
    first = cli(kube_cluster, path, "plan")
    assert first.exit_code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert '      + litellmModel: "openai/gpt-4o-2024-08-06"' in lines
    assert "      + contextWindow: 128000" in lines
    assert any(line.startswith('      + description: "xxxx') and "…" in line for line in lines)
    assert "      keys added: OPENAI_API_KEY" in lines
    assert any(line.startswith("      + config.yaml: ") and line.endswith(" lines") for line in lines)

    applied = cli(kube_cluster, path, "apply", "--skip-check", "--yes")
    assert applied.exit_code == 0, applied.stderr
    # apply wrote LiteLLM's objects, not only the admin API's rows
    config = stored(kube_cluster, CONFIG_MAPS, "proxy-config")["data"]["config.yaml"]
    assert "model_name: a" in config and f"from {path.name}." in config.splitlines()[0]
    assert "OPENAI_API_KEY" in stored(kube_cluster, SECRETS, "proxy-keys")["data"]
    annotations = stored(kube_cluster, DEPLOYMENTS, "litellm")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["install-contract/secret-version"] == str(
        stored(kube_cluster, SECRETS, "proxy-keys")["metadata"]["resourceVersion"]
    )

    # an update: old → new, the config's unified diff, the Secret's changed key by name only
    server.state.add_row("orphan", **{**server.state.by_name()["a"], "name": "orphan", "id": None})
    bigger = write(contract(server.url, model("a", "short now"), model("b")), name="bigger.yaml")
    second = cli(kube_cluster, bigger, "plan", key=KEY_2)
    assert second.exit_code == 0, second.stderr
    out = second.stdout
    assert f'      description: "{"x" * 29}…{"y" * 28}" → "short now"' in out
    assert "      --- config.yaml\n      +++ config.yaml\n      @@" in out
    assert "\n      +  - model_name: b\n" in out
    assert "      keys changed: OPENAI_API_KEY" in out
    assert (
        "orphan: admin-api model orphan (managed by install-contract, not in the contract): kept; `--prune` deletes"
        in out
    )
    as_json = json.loads(cli(kube_cluster, bigger, "plan", "-f", "json", key=KEY_2).stdout)
    by_kind = {c["kind"]: c for c in as_json["changes"] if c["action"] != "keep"}
    assert by_kind["secret"]["diff"] == {"OPENAI_API_KEY": {"changed": True}}
    assert by_kind["configmap"]["fields"] == ["config.yaml"]
    assert "model_name: b" in by_kind["configmap"]["diff"]["config.yaml"]["new"]
    assert as_json["orphans"] == ["admin-api model orphan"]
    no_key_in(keyless, refused, first, applied, second)


# --------------------------------------------------------------------------- pure


def test_long_values_are_cut_in_the_middle() -> None:
    assert cut("short") == "short"
    text = "a" * 50 + "b" * 50
    assert cut(text) == "a" * 30 + "…" + "b" * 29 and len(cut(text)) == 60
    assert len(cut("z" * 61)) == 60 and cut("z" * 60) == "z" * 60
    from contract.reporting.plan import shown

    assert shown("é") == '"é"' and shown(None) == "null"


def test_secret_fields_show_no_value_in_text_or_json() -> None:
    change = Change(
        "kubernetes",
        "secret",
        "litellm-credentials",
        "update",
        ("A_KEY", "B_KEY", "C_KEY"),
        diff=(
            FieldDiff("A_KEY", "old-secret-1", "new-secret-1", secret=True, how="changed"),
            FieldDiff("B_KEY", None, "new-secret-2", secret=True, how="added"),
            FieldDiff("C_KEY", "old-secret-3", None, secret=True, how="removed"),
        ),
    )
    assert values(change) == ["keys added: B_KEY", "keys changed: A_KEY", "keys removed: C_KEY"]
    blob = render_json("f.yaml", Plan((change,)), applied=False, models={}) + render_table(Plan((change,)))
    assert "secret-" not in blob
    assert json.loads(render_json("f.yaml", Plan((change,)), applied=False, models={}))["changes"][0][
        "diff"
    ] == {
        "A_KEY": {"changed": True},
        "B_KEY": {"changed": True},
        "C_KEY": {"changed": True},
    }
    assert "secret-" not in repr(change)


SETTINGS = Unleash(url="http://unleash:4242", environments=["production"])


def test_a_flag_update_lists_the_variants_added_and_removed() -> None:
    flag = DesiredFlag("TOOL_CALLING_MODELS", ("a", "c"))
    observed = ObservedFlags(
        {
            "TOOL_CALLING_MODELS": ObservedFlag(
                "TOOL_CALLING_MODELS",
                {"production": ObservedEnvironment(False, (Variant("a", "mdl_1"), Variant("b", "mdl_2")))},
            )
        }
    )
    (change,) = diff_flags([flag], observed, {"a": "mdl_1", "c": "mdl_3"}, SETTINGS)
    assert values(change) == ["enabled: false → true", "variants: + c=mdl_3", "variants: - b=mdl_2"]
    assert change.to_json()["diff"] == {
        "enabled": {"old": False, "new": True},
        "variants": {"old": ["a=mdl_1", "b=mdl_2"], "new": ["a=mdl_1", "c=mdl_3"]},
    }
    (created,) = diff_flags([flag], ObservedFlags({"TOOL_CALLING_MODELS": None}), {"a": "mdl_1"}, SETTINGS)
    assert values(created) == ["variants: + a=mdl_1", "variants: + c=(known after apply)", "+ enabled: true"]


def test_the_table_puts_values_under_their_line() -> None:
    plan = Plan(
        (
            Change(
                "admin-api",
                "model",
                "b",
                "update",
                ("contextWindow",),
                diff=(FieldDiff("contextWindow", 4096, 8192),),
            ),
            Change("admin-api", "model", "gone", "delete"),
        ),
        orphans=(),
    )
    assert render_table(plan).splitlines()[:4] == [
        "   system     kind   name  changes",
        "~  admin-api  model  b     update: contextWindow",
        "      contextWindow: 4096 → 8192",
        "-  admin-api  model  gone  delete",
    ]


def test_values_are_coloured_like_their_sign() -> None:
    plan = Plan(
        (
            Change(
                "unleash",
                "flag",
                "F",
                "update",
                ("variants",),
                diff=(FieldDiff("variants", ["a=mdl_1"], ["b=mdl_2"]),),
            ),
            Change(
                "kubernetes",
                "secret",
                "s",
                "update",
                ("K", "R"),
                diff=(FieldDiff("K", secret=True, how="added"), FieldDiff("R", secret=True, how="removed")),
            ),
            Change("admin-api", "model", "m", "create", ("name",), diff=(FieldDiff("name", None, "m"),)),
        )
    )
    coloured = render_table(plan, colour=True)
    assert "\x1b[32m      variants: + b=mdl_2" in coloured
    assert "\x1b[31m      variants: - a=mdl_1" in coloured
    assert "\x1b[32m      keys added: K" in coloured and "\x1b[31m      keys removed: R" in coloured
    assert '\x1b[32m      + name: "m"' in coloured
    assert "      variants" not in render_table(Plan()) and "\x1b" not in render_table(plan)
    assert "+  admin-api   model   m     create\n" in render_table(plan)
    plain = Plan(
        (
            Change(
                "admin-api",
                "model",
                "b",
                "update",
                ("maxTokens",),
                diff=(FieldDiff("maxTokens", 4096, 8192),),
            ),
            Change(
                "kubernetes",
                "configmap",
                "c",
                "update",
                ("config.yaml",),
                diff=(FieldDiff("config.yaml", "a\nb\n", "a\nc\n"),),
            ),
        )
    )
    coloured = render_table(plain, colour=True)
    assert "\n      maxTokens: 4096 → 8192\n" in coloured  # neither coloured nor highlighted
    assert "\x1b[31m      -b" in coloured and "\x1b[32m      +c" in coloured


def test_secret_and_plain_values_together_and_a_list_from_nothing() -> None:
    mixed = Change(
        "kubernetes",
        "secret",
        "s",
        "update",
        ("A", "B", "x"),
        diff=(
            FieldDiff("A", secret=True, how="added"),
            FieldDiff("B", secret=True, how="added"),
            FieldDiff("x", 1, 2),
        ),
    )
    assert values(mixed) == ["keys added: A, B", "x: 1 → 2"]
    listed = Change(
        "unleash", "flag", "F", "update", ("variants",), diff=(FieldDiff("variants", None, ["a=1"]),)
    )
    assert values(listed) == ["variants: + a=1"]


def test_the_summary_counts_every_action() -> None:
    from contract.reporting.plan import summary

    plan = Plan(
        (
            Change("admin-api", "model", "a", "create"),
            Change("admin-api", "model", "b", "update"),
            Change("admin-api", "model", "c", "delete"),
            Change("admin-api", "model", "d", "keep"),
        )
    )
    assert summary(plan) == "Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged."


def test_variants_that_differ_only_in_their_settings_say_so() -> None:
    same = Change(
        "unleash", "flag", "F", "update", ("variants",), diff=(FieldDiff("variants", ["a=1"], ["a=1"]),)
    )
    assert values(same) == ["variants: same names and ids, other settings differ"]
    created = Change(
        "unleash", "flag", "F", "create", ("variants",), diff=(FieldDiff("variants", [], ["a=1"]),)
    )
    assert values(created) == ["variants: + a=1"]


def test_a_config_diff_keeps_blank_context_lines() -> None:
    change = Change(
        "kubernetes",
        "configmap",
        "c",
        "update",
        ("config.yaml",),
        diff=(FieldDiff("config.yaml", "a\n\nb\n", "a\n\nc\n"),),
    )
    assert values(change) == ["--- config.yaml", "+++ config.yaml", "@@ -2,2 +2,2 @@", " ", "-b", "+c"]


def test_the_json_report_is_indented_and_keeps_non_ascii() -> None:
    plan = Plan((Change("admin-api", "model", "é", "delete"),), orphans=("admin-api model ü",))
    assert render_json("f.yaml", plan, applied=True, models={"é": "mdl_1"}) == (
        "{\n"
        '  "file": "f.yaml",\n'
        '  "changes": [\n'
        "    {\n"
        '      "system": "admin-api",\n'
        '      "kind": "model",\n'
        '      "name": "é",\n'
        '      "action": "delete",\n'
        '      "fields": [],\n'
        '      "diff": {}\n'
        "    }\n"
        "  ],\n"
        '  "orphans": [\n'
        '    "admin-api model ü"\n'
        "  ],\n"
        '  "applied": true,\n'
        '  "models": {\n'
        '    "é": "mdl_1"\n'
        "  }\n"
        "}\n"
    )


def test_progress_after_a_failure() -> None:
    from contract.reporting.plan import render_progress

    assert render_progress([Change("admin-api", "model", "a", "create")], []) == (
        "done (1):\n  create admin-api model a\nnot done (0):\n  nothing\n"
        "run `install-contract apply` again once the system is back: it converges\n"
    )
    assert render_progress([], [Change("unleash", "flag", "F", "update")]).splitlines()[:3] == [
        "done (0):",
        "  nothing",
        "not done (1):",
    ]
