from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.admin_api_server import AdminApiServer
    from tests.support.kube_mock import KubeCluster
    from tests.support.unleash_peer import UnleashServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CONTRACTS = Path(__file__).resolve().parent / "contracts"
INVALID = sorted((CONTRACTS / "invalid").glob("*.yaml"))
VALID = sorted([*FIXTURES.glob("*.yaml"), *(CONTRACTS / "valid").glob("*.yaml")])

# Every variable the test contracts reference, as if exported (IC304 runs with --check-env).
EXPORTED = {
    name: "test-value"
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AZURE_API_KEY",
        "VLLM_API_KEY",
        "HF_TOKEN",
    )
}


def expected_code(path: Path) -> str:
    """tests/contracts/invalid/IC301-azure-incomplete.yaml expects IC301."""
    return path.name.split("-", 1)[0]


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _write(text: str | bytes, name: str = "install-contract.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def kube_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """The Kubernetes emulator (kmock) with a kubeconfig: see tests/support/kube_mock.py."""
    from tests.support.kube_mock import running_cluster

    with running_cluster(tmp_path_factory.mktemp("kube")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def unleash() -> Iterator[UnleashServer]:
    """Unleash 8.2.0 on PostgreSQL 15 for the whole session: see tests/support/unleash_peer.py."""
    from tests.support.unleash_peer import running_unleash

    with running_unleash() as server:
        yield server


@pytest.fixture
def server() -> Iterator[AdminApiServer]:
    """The admin API test server (tests/support/admin_api_server.py), strict to its OpenAPI document."""
    from tests.support.admin_api_server import admin_api

    with admin_api() as running:
        yield running


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A private CA (trustme), a certificate for 127.0.0.1 it signed, and its bundle file."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return ca, cert, str(bundle)
