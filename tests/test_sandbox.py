"""scripts/sandbox end to end: start it, walk plan -> apply -> plan (no changes) through it as
the README's "Try apply locally" does, stop it with Ctrl-C (SIGINT) and find every port closed.
And the admin-API test server's own __main__, which the sandbox runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox import ROOT, closed, interrupt, sandbox, wait_for, walk_plan_apply_plan

# --------------------------------------------------------------------------- the admin API's __main__


def test_the_admin_api_test_server_runs_on_its_own() -> None:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "support" / "admin_api_server.py"), "--token", "t0ken"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        first = wait_for(process, "admin API: http", 60)[-1]
        url = first.split(": ", 1)[1]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api")
        providers = httpx.get(f"{url}/v1/model-providers", headers={"Authorization": "Bearer t0ken"})
        assert providers.status_code == 200 and "Anthropic" in providers.text
        assert httpx.get(f"{url}/v1/models").status_code == 401  # as strict as in the tests
    finally:
        code, said = interrupt(process)
    assert code == 0, said
    assert "stopped" in said
    assert closed(url)


# --------------------------------------------------------------------------- the sandbox


@pytest.mark.slow
def test_sandbox_without_unleash(tmp_path: Path) -> None:
    with sandbox(tmp_path / "sb", "--no-unleash") as box:
        text = "\n".join(box.banner)
        assert "Unleash     skipped (--no-unleash)" in text
        assert "export KINDO_ADMIN_TOKEN=sandbox-admin-token" in text  # the fixture's tokenEnv
        assert f"export KUBECONFIG={tmp_path / 'sb' / 'kubeconfig'}" in text
        assert "export VAR=" not in text  # a ${VAR} in a comment is not a reference
        assert (box.directory / "install-contract.yaml").read_text().startswith("# yaml-language-server")
        admin, kube = box.url("admin API"), box.url("Kubernetes")
        first, _ = walk_plan_apply_plan(box)
        assert "note: unleash: skipped" in first
        assert "deployment  litellm" in first  # the sandbox's Deployment is there to annotate
        code, said = interrupt(box.process)
    assert code == 0, said
    assert said.rstrip().endswith("install-contract sandbox: stopped")
    assert closed(admin) and closed(kube)
