"""The fixtures every test may request by name (helpers are in tests/support/, never imported from here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.admin_api_server import AdminApiServer
    from tests.support.kube_mock import KubeCluster
    from tests.support.unleash_peer import UnleashServer


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
