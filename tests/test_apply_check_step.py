"""`apply`'s check step is `check`: the same options, the same choice of where, the same table.

And `plan`/`apply` take `check`'s `--context`, `--kubeconfig` and `--namespace` for LiteLLM's
objects, and every command checks that `--ca-bundle` exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner, Result

from cli.main import main
from contract.workflows.apply import run
from contract.workflows.checks import CheckReport
from tests.support.admin_api_server import AdminApiServer
from tests.support.check_entries import KEY, entry
from tests.support.check_servers import Behaviour, model_server, tls_context
from tests.support.kube_mock import KubeCluster

TOKEN = "test-admin-token"
ENV = {"ADMIN_API_TOKEN": TOKEN, "VLLM_API_KEY": KEY}


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=2)
    yield
    stamina.set_testing(False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No kube context anywhere, no CA from the environment."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    return tmp_path


def write(
    tmp_path: Path, url: str, models: list[dict[str, Any]], platform: dict[str, Any] | None = None
) -> Path:
    path = tmp_path / "install-contract.yaml"
    document = {"platform": {"adminApi": {"url": url}, **(platform or {})}, "models": models}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})
    assert KEY not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
    return result


def test_apply_checks_from_here_with_the_ca_bundle(
    server: AdminApiServer,
    home: Path,
    private_ca: Any,
) -> None:
    _, cert, bundle = private_ca
    with model_server(Behaviour(key=KEY), tls=tls_context(cert)) as (origin, seen):
        path = write(home, server.url, [entry("qwen3", origin + "/v1")])
        untrusted = cli("apply", str(path), "--yes", "--check-where", "local")
        assert untrusted.exit_code == 3
        assert "TLS failure" in untrusted.stderr and server.state.seen == []
        result = cli("apply", str(path), "--yes", "--check-where", "local", "--ca-bundle", bundle)
    assert result.exit_code == 0, result.stderr
    assert "check: 1 endpoint(s) passed" in result.stderr
    assert seen.seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert server.state.names() == ["qwen3"]


def test_apply_without_a_kube_context_checks_from_here_as_check_does(
    server: AdminApiServer, home: Path
) -> None:
    with model_server(Behaviour(key=KEY)) as (origin, _):
        path = write(home, server.url, [entry("qwen3", origin + "/v1")])
        result = cli("apply", str(path), "--yes")
    assert result.exit_code == 0, result.stderr
    assert "no kube context configured: checking from here" in result.stderr
    assert "check: 1 endpoint(s) passed" in result.stderr


def test_an_error_of_the_check_step_names_the_step_and_the_ways_on(
    server: AdminApiServer, home: Path
) -> None:
    path = write(home, server.url, [entry("qwen3", "http://127.0.0.1:9/v1")])
    result = cli("apply", str(path), "--yes", "--check-where", "cluster")
    assert result.exit_code == 3
    assert "check step (cluster): cannot load the kubeconfig" in result.stderr
    assert "run the check from here with --check-where local, or skip it with --skip-check" in result.stderr
    assert server.state.seen == []


def test_a_failed_check_prints_checks_table(server: AdminApiServer, home: Path) -> None:
    with model_server(Behaviour(key="another-key")) as (origin, _):
        path = write(home, server.url, [entry("qwen3", origin + "/v1")])
        result = cli("apply", str(path), "--yes", "--check-where", "local")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert any(line.startswith("MODEL") and "STEP" in line and "DETAIL" in line for line in lines)
    assert any(" models " in line and "FAIL" in line and "the key was refused" in line for line in lines)
    assert "check step: 1 of 1 endpoint(s) failed; nothing was written" in result.stderr


@pytest.mark.parametrize("command", ["check", "plan", "apply"])
def test_ca_bundle_must_exist_on_every_command(command: str, server: AdminApiServer, home: Path) -> None:
    path = write(home, server.url, [entry("qwen3", "http://127.0.0.1:9/v1")])
    result = cli(command, str(path), "--ca-bundle", str(home / "missing.pem"))
    assert result.exit_code == 2
    assert "missing.pem" in result.stderr and "does not exist" in result.stderr
    assert server.state.seen == []


def test_apply_hands_every_check_option_to_check(
    server: AdminApiServer, home: Path, monkeypatch: pytest.MonkeyPatch, kube_cluster: KubeCluster
) -> None:
    seen: list[Any] = []

    def checker(_contract: Any, options: Any, _env: Any) -> CheckReport:
        seen.append(options)
        return CheckReport("", options.where, ())

    monkeypatch.setattr(run, "default_checker", checker)
    kubeconfig = kube_cluster.kubeconfig
    kube_cluster.put("/api/v1/namespaces", {"metadata": {"name": "team"}})
    path = write(home, server.url, [entry("qwen3", "http://127.0.0.1:9/v1")])
    every_option = (
        "--check-where",
        "cluster",
        "--timeout",
        "4",
        "--concurrency",
        "5",
        "--context",
        "test",
        "--kubeconfig",
        kubeconfig,
        "--namespace",
        "team",
        "--image-registry",
        "mirror.local",
        "--dns-image",
        "busybox:1.37",
        "--curl-image",
        "curl:8.11",
        "--image-pull-secret",
        "pull-a",
        "--image-pull-secret",
        "pull-b",
    )
    result = cli("apply", str(path), "--yes", *every_option, "--skip-check")
    assert result.exit_code == 0, result.stderr
    assert seen == []  # --skip-check skips it
    result = cli("apply", str(path), "--yes", *every_option)
    assert result.exit_code == 0, result.stderr
    (options,) = seen
    assert (options.where, options.timeout, options.concurrency) == ("cluster", 4.0, 5)
    assert (options.context, options.kubeconfig, options.namespace) == ("test", kubeconfig, "team")
    assert (options.image_registry, options.dns_image, options.curl_image) == (
        "mirror.local",
        "busybox:1.37",
        "curl:8.11",
    )
    assert options.pull_secrets == ("pull-a", "pull-b")


def test_plan_takes_context_kubeconfig_and_namespace_for_litellm(
    server: AdminApiServer, home: Path, kube_cluster: KubeCluster
) -> None:
    path = write(home, server.url, [entry("qwen3", "http://127.0.0.1:9/v1")])
    without = cli("plan", str(path))
    assert without.exit_code == 0, without.stderr
    assert "kubernetes: skipped" in without.stdout + without.stderr
    kube_cluster.put("/api/v1/namespaces", {"metadata": {"name": "team"}})
    result = cli(
        "plan",
        str(path),
        "--kubeconfig",
        kube_cluster.kubeconfig,
        "--context",
        "test",
        "--namespace",
        "team",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert "kubernetes: skipped" not in result.stdout + result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert any(c["system"] == "kubernetes" for c in changes)
    assert any(path.startswith("/api/v1/namespaces/team/") for _, path in kube_cluster.requests)
    assert not any(path.startswith("/api/v1/namespaces/platform/") for _, path in kube_cluster.requests)
