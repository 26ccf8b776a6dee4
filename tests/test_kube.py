"""contract/clients/kube.py with the real kubernetes client against kmock (tests/support/kube_mock.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina

from contract.clients.http import RetryPolicy
from contract.clients.kube import (
    Kube,
    KubeConflict,
    KubeError,
    KubeNotFound,
    KubeTarget,
    configured_context,
    context_namespace,
)
from tests.support.kube_mock import KubeCluster, label_selector_matches

PODS = "/api/v1/namespaces/platform/pods"
FAST = RetryPolicy(attempts=3, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=3)
    yield
    stamina.set_testing(False)


@pytest.fixture
def kube(kube_cluster: KubeCluster) -> Iterator[Kube]:
    with Kube(kube_cluster.target(), timeout=5, retry=FAST) as client:
        yield client


def _pod(**meta: Any) -> dict[str, Any]:
    return {"metadata": meta, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}


# ------------------------------------------------------------------ kubeconfig


def _kubeconfig(path: Path, current: str | None, contexts: dict[str, str | None]) -> str:
    document: dict[str, Any] = {
        "contexts": [
            {"name": name, "context": {"cluster": "c", **({"namespace": ns} if ns else {})}}
            for name, ns in contexts.items()
        ]
    }
    if current:
        document["current-context"] = current
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_configured_context_explicit_wins(tmp_path: Path) -> None:
    config = _kubeconfig(tmp_path / "a", "prod", {"prod": "ns1"})
    assert configured_context("other", config) == "other"
    assert configured_context(None, config) == "prod"
    assert context_namespace(None, config) == "ns1"
    assert context_namespace("missing", config) is None


def test_configured_context_from_kubeconfig_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _kubeconfig(tmp_path / "a", None, {"dev": None})
    second = _kubeconfig(tmp_path / "b", "dev", {})
    third = _kubeconfig(tmp_path / "c", "later", {})
    monkeypatch.setenv("KUBECONFIG", ":".join([first, str(tmp_path / "absent"), second, third]))
    assert configured_context() == "dev"  # the first file that sets one wins, as with kubectl
    assert context_namespace() is None  # dev names no namespace


def test_no_context_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert configured_context() is None
    assert context_namespace() is None
    (tmp_path / "broken").write_text("{not yaml: [", encoding="utf-8")
    assert configured_context(kubeconfig=str(tmp_path / "broken")) is None


def test_missing_context_is_a_kube_error(kube_cluster: KubeCluster) -> None:
    target = KubeTarget(context="nope", namespace="platform", kubeconfig=kube_cluster.kubeconfig)
    with pytest.raises(KubeError, match="context 'nope'"):
        Kube(target)


def test_kubeconfig_set_after_the_client_library_was_imported_is_the_one_used(
    kube_cluster: KubeCluster, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import kubernetes.config  # noqa: F401  (reads $KUBECONFIG once, at import)

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'absent'}:{kube_cluster.kubeconfig}")
    with Kube(KubeTarget(context=None, namespace="platform", kubeconfig=None), timeout=5, retry=FAST) as kube:
        kube.create(PODS, _pod(name="found"))
        assert kube.get(f"{PODS}/found") is not None


# ------------------------------------------------------------------- the verbs


def test_create_fills_server_fields_and_get(kube: Kube) -> None:
    created = kube.create(PODS, _pod(generateName="check-"))
    meta = created["metadata"]
    assert meta["name"].startswith("check-") and len(meta["name"]) > len("check-")
    assert meta["namespace"] == "platform" and meta["uid"] and meta["resourceVersion"]
    assert created["kind"] == "Pod" and created["apiVersion"] == "v1"
    assert kube.get(f"{PODS}/{meta['name']}") == created
    assert kube.get(f"{PODS}/absent") is None


def test_create_twice_conflicts(kube: Kube) -> None:
    kube.create(PODS, _pod(name="p"))
    with pytest.raises(KubeConflict) as info:
        kube.create(PODS, _pod(name="p"))
    assert info.value.status == 409
    assert 'pods "p" already exists' in str(info.value)


def test_create_in_missing_namespace(kube: Kube) -> None:
    with pytest.raises(KubeNotFound, match='namespaces "elsewhere" not found'):
        kube.create("/api/v1/namespaces/elsewhere/pods", _pod(name="p"))


def test_list_with_label_selector(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube.create(PODS, _pod(name="a", labels={"run": "1", "tier": "x"}))
    kube.create(PODS, _pod(name="b", labels={"run": "2"}))
    kube_cluster.put("/api/v1/namespaces/default/pods", _pod(name="c", labels={"run": "1"}))
    assert [p["metadata"]["name"] for p in kube.list(PODS)] == ["a", "b"]
    assert [p["metadata"]["name"] for p in kube.list(PODS, "run=1")] == ["a"]
    assert [p["metadata"]["name"] for p in kube.list(PODS, "run!=1")] == ["b"]
    assert [p["metadata"]["name"] for p in kube.list("/api/v1/pods", "run=1")] == [
        "c",
        "a",
    ]  # by namespace, name


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("a=1", True),
        ("a==1", True),
        ("a=2", False),
        ("a!=2", True),
        ("b", True),
        ("!b", False),
        ("!zz", True),
        ("a in (1, 3)", True),
        ("a notin (1,3)", False),
        ("zz notin (1)", True),
        ("zz in (1)", False),
        ("a=1,b=x", True),
        ("a in (1,3),b=y", False),
    ],
)
def test_label_selector_semantics(selector: str, expected: bool) -> None:
    assert label_selector_matches(selector, {"a": "1", "b": "x"}) is expected


def test_patch_kinds(kube: Kube) -> None:
    kube.create(PODS, _pod(name="p", labels={"a": "1", "b": "2"}))
    path = f"{PODS}/p"
    merged = kube.patch(path, {"metadata": {"labels": {"a": None, "c": "3"}}})
    assert merged["metadata"]["labels"] == {"b": "2", "c": "3"}
    strategic = kube.patch(path, {"metadata": {"annotations": {"x": "y"}}}, "strategic")
    assert strategic["metadata"]["annotations"] == {"x": "y"}
    patched = kube.patch(path, [{"op": "replace", "path": "/metadata/labels/b", "value": "9"}], "json")
    assert patched["metadata"]["labels"]["b"] == "9"
    assert int(patched["metadata"]["resourceVersion"]) > int(merged["metadata"]["resourceVersion"])
    with pytest.raises(KubeNotFound):
        kube.patch(f"{PODS}/absent", {"metadata": {}})


def test_replace_guards_resource_version(kube: Kube) -> None:
    created = kube.create(
        "/api/v1/namespaces/platform/configmaps", {"metadata": {"name": "cm"}, "data": {"k": "1"}}
    )
    path = "/api/v1/namespaces/platform/configmaps/cm"
    replaced = kube.replace(path, {**created, "data": {"k": "2"}})
    assert replaced["data"] == {"k": "2"}
    assert replaced["metadata"]["uid"] == created["metadata"]["uid"]
    with pytest.raises(KubeConflict, match="has been modified"):
        kube.replace(path, {**created, "data": {"k": "3"}})  # the stale resourceVersion


def test_delete_then_gone(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube.create(PODS, _pod(name="p"))
    assert kube.delete(f"{PODS}/p") is True
    assert kube.delete(f"{PODS}/p") is False
    assert kube_cluster.objects(PODS) == []
    kube.create(PODS, _pod(name="p"))  # the name can be used again
    assert [p["metadata"]["name"] for p in kube_cluster.objects(PODS)] == ["p"]


def test_pod_logs_and_kubelet_helpers(kube: Kube, kube_cluster: KubeCluster) -> None:
    started = threading.Event()

    def kubelet(pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        kube_cluster.set_pod_log("platform", name, "line one\nline two\n")
        kube_cluster.set_pod_status(
            "platform",
            name,
            {
                "phase": "Succeeded",
                "containerStatuses": [{"name": "c", "state": {"terminated": {"exitCode": 0}}}],
            },
        )
        started.set()

    kube_cluster.on_pod_created(kubelet)
    kube.create(PODS, _pod(name="waiting"))
    assert started.wait(10)
    assert kube.text(f"{PODS}/waiting/log") == "line one\nline two\n"
    kube_cluster.set_pod_log("platform", "waiting", "from init\n", container="init")
    assert kube.text(f"{PODS}/waiting/log", {"container": "init"}) == "from init\n"
    assert kube.text(f"{PODS}/waiting/log", {"container": "c"}) == "line one\nline two\n"
    pod = kube.get(f"{PODS}/waiting")
    assert pod is not None and pod["status"]["phase"] == "Succeeded"


def test_log_of_a_pod_not_started(kube: Kube) -> None:
    kube.create(PODS, _pod(name="p"))
    with pytest.raises(KubeError, match="waiting to start") as info:
        kube.text(f"{PODS}/p/log")
    assert info.value.status == 400


def test_namespaces_and_custom_resources(kube: Kube, kube_cluster: KubeCluster) -> None:
    assert kube.get("/api/v1/namespaces/platform") is not None
    assert kube.get("/api/v1/namespaces/absent") is None
    kube.create("/api/v1/namespaces", {"metadata": {"name": "team", "labels": {"x": "y"}}})
    assert [n["metadata"]["name"] for n in kube.list("/api/v1/namespaces", "x=y")] == ["team"]
    isvc = "/apis/serving.kserve.io/v1beta1/namespaces/platform/inferenceservices"
    kube_cluster.put(isvc, {"metadata": {"name": "qwen"}, "spec": {"predictor": {}}})
    items = kube.list(isvc)
    assert [(i["kind"], i["apiVersion"]) for i in items] == [
        ("InferenceService", "serving.kserve.io/v1beta1")
    ]


def test_requests_are_recorded(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube.list(PODS)
    kube.create(PODS, _pod(name="p"))
    kube.delete(f"{PODS}/p")
    assert kube_cluster.requests == [("GET", PODS), ("POST", PODS), ("DELETE", f"{PODS}/p")]
    assert kube_cluster.writes() == [("POST", PODS), ("DELETE", f"{PODS}/p")]


# ---------------------------------------------------------------- the policy


def test_transient_failures_are_retried(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.fail("GET", PODS, 503, times=2)
    assert kube.list(PODS) == []
    assert kube_cluster.requests.count(("GET", PODS)) == 3


def test_transient_failures_give_up(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.fail("GET", PODS, 429, times=10)
    with pytest.raises(KubeError, match="after 3 attempts") as info:
        kube.list(PODS)
    assert info.value.status == 429


def test_other_errors_are_not_retried(kube: Kube, kube_cluster: KubeCluster) -> None:
    kube_cluster.fail("POST", PODS, 403)
    with pytest.raises(KubeError, match="injected HTTP 403") as info:
        kube.create(PODS, _pod(name="p"))
    assert info.value.status == 403
    assert kube_cluster.requests == [("POST", PODS)]


def test_a_connection_lost_below_urllib3_is_retried_then_named(
    kube: Kube, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def reset(method: str, url: str, **_: Any) -> Any:
        calls.append(method)
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(kube._api, "call_api", reset)
    with pytest.raises(KubeError) as info:
        kube.list(PODS)
    assert str(info.value) == f"GET {PODS}: cannot connect: Connection reset by peer after 3 attempts"
    assert info.value.status is None and calls == ["GET", "GET", "GET"]


def test_unreachable_api_server(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "kubeconfig"
    config.write_text(
        json.dumps(
            {
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "sk-canary-token-123"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        ),
        encoding="utf-8",
    )
    with (
        Kube(KubeTarget(None, "default", str(config)), timeout=2, retry=FAST) as kube,
        pytest.raises(KubeError, match="cannot connect") as info,
    ):
        kube.get("/api/v1/namespaces/default/pods/x")
    assert "sk-canary-token-123" not in str(info.value)


def test_secret_data_never_in_errors(kube: Kube) -> None:
    secret = {"metadata": {"name": "keys"}, "stringData": {"OPENAI_API_KEY": "sk-canary-secret-456"}}
    kube.create("/api/v1/namespaces/platform/secrets", secret)
    with pytest.raises(KubeConflict) as info:
        kube.create("/api/v1/namespaces/platform/secrets", secret)
    assert "sk-canary-secret-456" not in str(info.value)


def test_the_mock_refuses_a_request_without_the_token_as_the_api_server_does(
    kube_cluster: KubeCluster,
) -> None:
    import urllib.error
    import urllib.request

    url = kube_cluster.url + "/api/v1/namespaces/platform/pods"
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer other"}, 401),
        ({"Authorization": "Bearer kmock-test-token", "Accept": "application/yaml"}, 406),
    ):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
        info.value.close()
        assert info.value.code == status
    request = urllib.request.Request(url, headers={"Authorization": "Bearer kmock-test-token"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
