"""scripts/sandbox with all three systems: the admin-API test server, the real Unleash 8.2.0 on
PostgreSQL 15 and kmock. The README's walk (plan -> apply -> plan with no changes) points the
contract's flags at the new rows, then Ctrl-C stops every server and removes the database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.sandbox import closed, interrupt, sandbox, walk_plan_apply_plan
from tests.support.unleash_peer import PG_BIN, UNLEASH_VERSION, unleash_node

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sandbox_with_unleash(tmp_path: Path) -> None:
    if unleash_node() is None or not (PG_BIN / "initdb").exists():
        message = (
            f"unleash-server=={UNLEASH_VERSION} (scripts/peers/install-unleash) and PostgreSQL 15 are needed"
        )
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sandbox(tmp_path / "sb") as box:
        text = "\n".join(box.banner)
        assert "export UNLEASH_ADMIN_TOKEN=" in text
        unleash = box.url("Unleash")
        database = next(line for line in box.banner if line.strip().startswith("PostgreSQL")).split()
        postgres, data = database[1].replace("postgresql://", "http://"), Path(database[4].rstrip(","))
        assert data.is_dir()
        admin, kube = box.url("admin API"), box.url("Kubernetes")
        first, _ = walk_plan_apply_plan(box)
        assert "unleash" in first and "DEFAULT_WORKFLOW_STEP_MODEL" in first
        assert "skipped" not in first
        code, said = interrupt(box.process)
    assert code == 0, said
    assert said.rstrip().endswith("install-contract sandbox: stopped")
    assert closed(admin) and closed(kube) and closed(unleash)
    assert closed(postgres) and not data.exists()  # the database is stopped and removed
