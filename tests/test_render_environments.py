"""`render --env/--all-envs`, `validate --env`, `resolve`, `diff` and `plan/apply/check --env`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from tests.support.admin_contracts import contract as admin_contract
from tests.support.environment_contracts import THREE, contract

ENV = {"OPENAI_API_KEY": "sk-test", "VLLM_API_KEY": "vllm-test"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def three(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "install-contract.yaml"
    path.parent.mkdir()
    shutil.copy(THREE, path)
    return path


def test_every_environment_is_byte_identical_to_rendering_its_resolved_contract_alone(
    three: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run("render", str(three), "--all-envs", "-o", str(out))
    assert result.exit_code == 0, result.output
    rendered = tree(out)
    top = json.loads(rendered.pop("manifest.json"))
    assert top["environments"] == ["dev", "staging", "prod"]
    assert set(top["files"]) == set(rendered)
    for env in ("dev", "staging", "prod"):
        resolved = run("resolve", str(three), "--env", env)
        assert resolved.exit_code == 0, resolved.output
        alone = tmp_path / "alone" / f"install-contract.{env}.yaml"
        alone.parent.mkdir(exist_ok=True)
        alone.write_text(resolved.stdout)
        assert run("validate", str(alone)).exit_code == 0
        own_out = tmp_path / f"alone-{env}"
        assert run("render", str(alone), "-o", str(own_out)).exit_code == 0
        mine = {p.split("/", 1)[1]: b for p, b in rendered.items() if p.startswith(f"{env}/")}
        assert mine == tree(own_out), env
    assert "vllm/qwen3-coder-30b.sh" not in {p.split("/", 1)[1] for p in rendered if p.startswith("dev/")}
    prod = rendered["prod/litellm/config.yaml"].decode()
    assert "api_base: http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1" in prod
    assert b"inference-prod" not in rendered["staging/litellm/config.yaml"]


def test_render_one_environment_and_refresh_it(three: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", str(three), "--env", "dev", "-o", str(out)).exit_code == 0
    assert {p.split("/")[0] for p in tree(out)} == {"dev", "manifest.json"}
    assert run("render", str(three), "--env", "dev", "-o", str(out), "--check").exit_code == 0
    (out / "dev" / "litellm" / "config.yaml").write_text("changed\n")
    stale = run("render", str(three), "--env", "dev", "-o", str(out), "--check")
    assert stale.exit_code == 1 and "changed: dev/litellm/config.yaml" in stale.stdout
    assert run("render", str(three), "--env", "dev", "-o", str(out)).exit_code == 0  # replaces its own tree


def test_check_shows_a_diff_and_quiet_prints_nothing_but_errors_for_environments(
    three: Path, tmp_path: Path
) -> None:
    """What `render --check` and `--quiet` promise for one contract holds for its environments."""
    out = tmp_path / "out"
    quiet = run("render", str(three), "--all-envs", "-o", str(out), "--quiet")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert run("render", str(three), "--all-envs", "-o", str(out), "--check", "-q").exit_code == 0
    config = out / "prod" / "litellm" / "config.yaml"
    config.write_text(config.read_text().replace("max_input_tokens: 128000", "max_input_tokens: 1", 1))
    stale = run("render", str(three), "--all-envs", "-o", str(out), "--check")
    assert stale.exit_code == 1
    assert "changed: prod/litellm/config.yaml\n" in stale.stdout
    assert f"--- {out}/prod/litellm/config.yaml (on disk)" in stale.stdout
    assert "-      max_input_tokens: 1\n+      max_input_tokens: 128000\n" in stale.stdout
    silent = run("render", str(three), "--all-envs", "-o", str(out), "--check", "--quiet")
    assert (silent.exit_code, silent.stdout, silent.stderr) == (1, "", "")


def test_renders_warnings_name_their_environment(three: Path, tmp_path: Path) -> None:
    """production-stack's one key, which a second served model's own key would not pass."""
    second = """
  - litellmModelName: qwen3-8b
    litellmModel: openai/qwen3-8b
    displayName: Qwen3 8B
    provider: Self-Hosted
    type: CHAT
    metadataType: Text Generation
    contextWindow: 32768
    apiBase: http://vllm-qwen8.inference.svc.cluster.local:8000/v1
    apiKey: ${QWEN_KEY}
    vllm: {model: Qwen/Qwen3-8B, gpus: {count: 1, memoryGiB: 80}, toolCallParser: hermes, enableAutoToolChoice: true}
"""
    text = three.read_text()
    three.write_text(text.replace("\nfeatureFlags:", second + "\nfeatureFlags:", 1))
    result = run("render", str(three), "--all-envs", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert [line.split(": production-stack: ")[0] for line in said] == [
        "warning: environment staging",
        "warning: environment prod",
    ]  # dev serves only cloud models
    assert all("LiteLLM calls qwen3-8b with $QWEN_KEY" in line for line in said)
    quiet = run("render", str(three), "--all-envs", "-o", str(tmp_path / "out"), "-q")
    assert (quiet.exit_code, quiet.stderr) == (0, "")


def test_an_unknown_environment_is_a_usage_error_with_the_nearest_name(three: Path, tmp_path: Path) -> None:
    for args in (
        ("render", str(three), "--env", "prd", "-o", str(tmp_path / "o")),
        ("validate", str(three), "--env", "prd"),
        ("resolve", str(three), "--env", "prd"),
        ("diff", str(three), "--env", "prd", "--env", "dev"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "prd" in result.stderr
        if args[0] != "resolve":
            assert "did you mean prod?" in result.stderr, args


def test_all_envs_needs_environments(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(contract("a"))
    result = run("render", str(path), "--all-envs", "-o", str(tmp_path / "o"))
    assert result.exit_code == 2 and "declares no environments" in result.stderr
    assert run("validate", str(path), "--all-envs").exit_code == 2
    assert run("validate", str(path)).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("models: [\n")
    unreadable = run("validate", str(broken), "--env", "dev")
    assert unreadable.exit_code == 1 and "IC001" in unreadable.stdout


def test_validate_env_reports_only_that_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        contract(
            "a",
            tail="environments:\n  dev:\n    overrides: {a: {maxTokens: 0}}\n  prod:\n    overrides: {a: {}}\n",
        )
    )
    assert run("validate", str(path)).exit_code == 1
    assert run("validate", str(path), "--all-envs").exit_code == 1
    assert run("validate", str(path), "--env", "prod").exit_code == 0
    dev = run("validate", str(path), "--env", "dev")
    assert dev.exit_code == 1 and "environment dev: maxTokens" in dev.stdout
    # render --env prod validates the base and prod: dev's mistake is not prod's
    assert run("render", str(path), "--env", "prod", "-o", str(tmp_path / "o")).exit_code == 0
    assert run("render", str(path), "--env", "dev", "-o", str(tmp_path / "o")).exit_code == 1
    assert run("render", str(path), "--all-envs", "-o", str(tmp_path / "o")).exit_code == 1


def test_diff_shows_models_fields_flags_and_platform(three: Path) -> None:
    result = run("diff", str(three), "--env", "staging", "--env", "prod")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "--- staging",
        "+++ prod",
        "~ qwen3-coder-30b.apiBase: http://vllm-qwen.inference.svc.cluster.local:8000/v1 -> "
        "http://vllm-qwen.inference-prod.svc.cluster.local:8000/v1",
        "~ qwen3-coder-30b.vllm.enablePrefixCaching: (absent) -> true",
        "~ featureFlags.DEFAULT_WORKFLOW_STEP_MODEL: gpt-4o -> qwen3-coder-30b",
        "~ featureFlags.TOOL_CALLING_MODELS: [gpt-4o] -> [gpt-4o, qwen3-coder-30b]",
        "~ platform.kubernetes.namespace: ai-staging -> ai-prod",
        "~ platform.kubernetes.context: staging -> prod",
        "~ platform.unleash.url: https://unleash.staging.example.internal -> https://unleash.example.internal",
        "~ platform.unleash.environments: [staging] -> [production]",
    ]
    dev = run("diff", str(three), "--env", "dev", "--env", "staging", "-f", "json")
    assert {"kind": "model", "where": "qwen3-coder-30b", "a": "(absent)", "b": "present"} in json.loads(
        dev.stdout
    )
    same = run("diff", str(three), "--env", "prod", "--env", "prod")
    assert same.exit_code == 0 and "the same" in same.stdout
    assert run("diff", str(three), "--env", "prod").exit_code == 2


def test_diff_never_shows_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        contract(
            "a", tail="environments:\n  dev: {}\n  prod:\n    overrides: {a: {apiKey: sk-live-1234567}}\n"
        )
    )
    result = run("diff", str(path), "--env", "dev", "--env", "prod")
    assert result.exit_code == 1
    assert "sk-live-1234567" not in result.output
    assert "~ a.apiKey: ${OPENAI_API_KEY} -> ****" in result.stdout
    url = contract(
        "a",
        tail="environments:\n  dev: {}\n  prod:\n    overrides: {a: {apiBase: 'https://u:pw-9876543@h/v1'}}\n",
    )
    path.write_text(url)
    for fmt in ("text", "json"):
        shown = run("diff", str(path), "--env", "dev", "--env", "prod", "-f", fmt)
        assert (
            shown.exit_code == 1
            and "pw-9876543" not in shown.output
            and "https://u:****@h/v1" in shown.stdout
        )


def test_resolve_never_prints_a_literal_secret(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        contract(
            "a", tail="environments:\n  dev: {}\n  prod:\n    overrides: {a: {apiKey: sk-live-1234567}}\n"
        )
    )
    assert "${OPENAI_API_KEY}" in run("resolve", str(path), "--env", "dev").stdout
    result = run("resolve", str(path), "--env", "prod")
    assert result.exit_code == 2 and "literal secret (/models/0/apiKey)" in result.stderr
    assert "sk-live-1234567" not in result.output
    # a URL's password, which IC303 (entries only) does not report: the place is named
    path.write_text(
        contract(
            "a", tail="environments:\n  dev:\n    platform: {adminApi: {url: 'https://u:pw-live-99@admin'}}\n"
        )
    )
    assert run("validate", str(path)).exit_code == 0
    result = run("resolve", str(path), "--env", "dev")
    assert result.exit_code == 2 and "literal secret (/platform/adminApi/url)" in result.stderr
    assert "pw-live-99" not in result.output


def test_plan_env_uses_the_environments_models_and_platform(server: Any, tmp_path: Path) -> None:
    text = admin_contract("http://127.0.0.1:9/unused", 3) + (
        "environments:\n"
        "  dev:\n"
        "    only: [gpt-4o-1]\n"
        f"    platform: {{adminApi: {{url: '{server.url}'}}}}\n"
        "  prod:\n"
        "    overrides: {gpt-4o-2: {maxTokens: 0}}\n"
    )
    path = tmp_path / "c.yaml"
    path.write_text(text)
    from tests.support.admin_contracts import cli

    planned = cli(path, "plan", "--env", "dev", "-f", "json")
    assert planned.exit_code == 0, planned.output
    assert list(json.loads(planned.stdout)["models"]) == ["gpt-4o-1"]
    assert "environment prod" not in planned.stderr  # another environment's mistake is not this one's
    assert cli(path, "plan", "--env", "prod").exit_code == 1  # prod's own mistake blocks prod
    assert cli(path, "plan", "--env", "qa").exit_code == 2
    assert cli(path, "check", "--env", "qa").exit_code == 2
    assert cli(path, "apply", "--env", "qa").exit_code == 2
    assert server.state.writes() == []


def test_check_env_probes_the_environments_endpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.check_entries import KEY, entry
    from tests.support.check_servers import Behaviour, model_server

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    with model_server(Behaviour(served=("qwen3",), max_model_len=32768, key=KEY)) as (origin, _seen):
        body = {
            "models": [entry("qwen3", "http://127.0.0.1:1/v1")],
            "environments": {"prod": {"overrides": {"qwen3": {"apiBase": origin + "/v1"}}}},
        }
        path = tmp_path / "c.yaml"
        path.write_text(json.dumps(body))
        args = ["check", str(path), "--where", "local", "--timeout", "2", "-f", "json"]
        env = {"VLLM_API_KEY": KEY}
        prod = CliRunner().invoke(main, [*args, "--env", "prod"], env=env)
        assert prod.exit_code == 0, prod.output
        assert json.loads(prod.stdout)["results"][0]["endpoint"] == origin + "/v1"
        base = CliRunner().invoke(main, args, env=env)
        assert base.exit_code == 3  # the base's endpoint is closed
