"""`install-contract apply` through the CLI against all three systems: the admin-API test server,
the real Unleash 8.2.0 on PostgreSQL 15, and kmock with the real kubernetes client. After it,
the flags (read through Unleash's client API, as the platform reads them) point at the rows
the admin API assigned, the ConfigMap holds render's config, and a second apply writes nothing."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import stamina
from click.testing import CliRunner

from cli.main import main
from tests.support.admin_api_server import admin_api
from tests.support.kube_mock import KubeCluster
from tests.support.litellm_kube import CONFIG_MAPS, DEPLOYMENT, DEPLOYMENTS, NS, stored
from tests.support.unleash_peer import UnleashServer, unique_flag

pytestmark = pytest.mark.integration

CANARY = "sk-e2e-canary-77d1c0"


def contract(admin_url: str, unleash: UnleashServer, flag: str) -> str:
    environments = ", ".join(unleash.environments)
    return f"""
platform:
  adminApi: {{url: "{admin_url}"}}
  unleash: {{url: "{unleash.url}", environments: [{environments}]}}
  kubernetes: {{context: test, namespace: {NS}}}
featureFlags:
  {flag}: [gpt-4o, embed-small]
models:
  - litellmModelName: gpt-4o
    litellmModel: openai/gpt-4o-2024-08-06
    displayName: GPT-4o
    provider: OpenAI
    type: CHAT
    metadataType: Text Generation
    contextWindow: 128000
    maxTokens: 16384
    apiKey: ${{OPENAI_API_KEY}}
  - litellmModelName: embed-small
    litellmModel: openai/text-embedding-3-small
    displayName: Embeddings
    provider: OpenAI
    type: INTERNAL
    metadataType: Embeddings
    contextWindow: 8191
    apiKey: ${{OPENAI_API_KEY}}
"""


def seen_by_sdks(unleash: UnleashServer, environment: str, flag: str) -> tuple[bool, dict[str, str]]:
    """The flag as the platform's SDKs read it (the client API), waiting out the few seconds
    Unleash may serve its cached answer after a write."""
    deadline = time.monotonic() + 10
    while True:
        feature = unleash.client_features(environment).get(flag) or {"enabled": False, "variants": []}
        seen = (bool(feature["enabled"]), {v["name"]: v["payload"]["value"] for v in feature["variants"]})
        if (seen[0] and seen[1]) or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_apply_all_three_systems_then_nothing(
    unleash: UnleashServer, kube_cluster: KubeCluster, tmp_path: Path
) -> None:
    stamina.set_testing(True, attempts=3)
    try:
        flag = unique_flag("E2E_MODELS")
        kube_cluster.put(DEPLOYMENTS, copy.deepcopy(DEPLOYMENT))
        with admin_api() as admin:
            path = tmp_path / "install-contract.yaml"
            path.write_text(contract(admin.url, unleash, flag), encoding="utf-8")
            env = {
                "ADMIN_API_TOKEN": admin.state.token,
                "UNLEASH_ADMIN_TOKEN": unleash.admin_token,
                "OPENAI_API_KEY": CANARY,
                "KUBECONFIG": kube_cluster.kubeconfig,
                "LITELLM_MASTER_KEY": "",
            }
            argv = ["apply", "--skip-check", "--yes", "-f", "json", str(path)]
            first = CliRunner().invoke(main, argv, env=env)
            assert first.exit_code == 0, first.stderr
            report = json.loads(first.stdout)
            systems = {(c["system"], c["kind"]) for c in report["changes"] if c["action"] != "keep"}
            assert {("admin-api", "model"), ("unleash", "flag"), ("kubernetes", "configmap")} <= systems
            ids = {name: row["id"] for name, row in admin.state.by_name().items()}
            assert report["models"] == ids

            for environment in unleash.environments:
                assert seen_by_sdks(unleash, environment, flag) == (True, ids)
            config = stored(kube_cluster, CONFIG_MAPS, "litellm-config")["data"]["config.yaml"]
            assert "gpt-4o" in config and CANARY not in config

            admin_writes = len(admin.state.writes())
            kube_writes = len(kube_cluster.writes())
            second = CliRunner().invoke(main, ["apply", "--skip-check", "--yes", str(path)], env=env)
            assert second.exit_code == 0, second.stderr
            assert "No changes" in second.stdout
            assert len(admin.state.writes()) == admin_writes
            assert len(kube_cluster.writes()) == kube_writes
            for result in (first, second):
                assert CANARY not in result.stdout and CANARY not in result.stderr
            for seen in admin.state.seen:
                assert CANARY not in seen.body.decode() and CANARY not in json.dumps(seen.headers)
            assert admin.state.violations == []
    finally:
        stamina.set_testing(False)
