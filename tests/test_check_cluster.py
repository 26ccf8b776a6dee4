"""`check --where cluster` with the real kubernetes client against kmock, the test playing the kubelet.

The kubelet here runs what a pod asks for: the `check` container's own shell script with the
real `curl` against real servers on 127.0.0.1 (the Secret's files mounted from a temporary
directory), and the `dns` container's `nslookup HOST` answered in busybox's words from this
machine's resolver. It reports container states and logs as a kubelet would, or fails an
image pull when told to.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from contract.clients.kube import Kube, KubeConflict
from contract.pipeline._pydantic import parse
from contract.pipeline.model import ModelEntry
from contract.workflows.checks.pods import MOUNT, PodOptions, parse_log, run_pods
from contract.workflows.checks.steps import plan
from tests.support.check_entries import ENV, KEY, embedding_entry, entry
from tests.support.check_servers import Behaviour, closed_port, interruptible, model_server
from tests.support.kube_mock import KubeCluster

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the kubelet runs the pods' curl")

PODS = "/api/v1/namespaces/platform/pods"
SECRETS = "/api/v1/namespaces/platform/secrets"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Kubelet:
    """Runs the containers of every pod created (see the module docstring)."""

    def __init__(
        self, cluster: KubeCluster, pull_failures: frozenset[str] = frozenset(), start: bool = True
    ) -> None:
        self.cluster = cluster
        self.pull_failures = pull_failures
        self.start = start
        self.pods: list[dict[str, Any]] = []
        self.secrets_seen: list[dict[str, Any]] = []
        cluster.on_pod_created(self)

    def __call__(self, pod: dict[str, Any]) -> None:
        self.pods.append(pod)
        if not self.start:
            return
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        spec = pod["spec"]
        statuses: dict[str, list[dict[str, Any]]] = {"initContainerStatuses": [], "containerStatuses": []}
        phase = "Succeeded"
        for kind, key in (("initContainers", "initContainerStatuses"), ("containers", "containerStatuses")):
            for container in spec.get(kind) or []:
                if container["image"] in self.pull_failures:
                    statuses[key].append(
                        {
                            "name": container["name"],
                            "image": container["image"],
                            "ready": False,
                            "state": {
                                "waiting": {
                                    "reason": "ImagePullBackOff",
                                    "message": f'Back-off pulling image "{container["image"]}"',
                                }
                            },
                        }
                    )
                    self.cluster.set_pod_status(namespace, name, {"phase": "Pending", **statuses})
                    return
                started = _now()
                code, log = self.run(pod, container)
                self.cluster.set_pod_log(namespace, name, log, container=container["name"])
                statuses[key].append(
                    {
                        "name": container["name"],
                        "image": container["image"],
                        "ready": False,
                        "state": {
                            "terminated": {
                                "exitCode": code,
                                "reason": "Completed" if code == 0 else "Error",
                                "startedAt": started,
                                "finishedAt": _now(),
                            }
                        },
                    }
                )
                if code != 0:
                    phase = "Failed"
                    if kind == "initContainers":
                        self.cluster.set_pod_status(namespace, name, {"phase": phase, **statuses})
                        return
        self.cluster.set_pod_status(namespace, name, {"phase": phase, **statuses})

    def run(self, pod: dict[str, Any], container: dict[str, Any]) -> tuple[int, str]:
        command = container["command"]
        if command[0] == "nslookup":
            return self.nslookup(command[1])
        assert command[:2] == ["sh", "-c"], command
        with tempfile.TemporaryDirectory() as mount:
            for volume in pod["spec"].get("volumes") or []:
                secret_name = volume["secret"]["secretName"]
                secret = next(
                    s
                    for s in self.cluster.objects(
                        f"/api/v1/namespaces/{pod['metadata']['namespace']}/secrets"
                    )
                    if s["metadata"]["name"] == secret_name
                )
                self.secrets_seen.append(secret)
                for item in volume["secret"]["items"]:
                    Path(mount, item["path"]).write_text(secret["stringData"][item["key"]], encoding="utf-8")
            script = command[2].replace(MOUNT, mount)
            done = subprocess.run(
                ["sh", "-c", script],
                capture_output=True,
                text=True,
                env={"PATH": os.environ["PATH"], "HOME": mount},
                timeout=60,
                check=False,
            )
        return done.returncode, done.stdout + done.stderr

    @staticmethod
    def nslookup(host: str) -> tuple[int, str]:
        """busybox 1.36's nslookup, answered from this machine's resolver."""
        head = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        try:
            addresses = sorted(
                {info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
            )
        except OSError:
            return 1, head + f"** server can't find {host}: NXDOMAIN\n"
        return 0, head + "".join(f"Name:\t{host}\nAddress: {address}\n" for address in addresses)


@pytest.fixture
def kubelet(kube_cluster: KubeCluster) -> Kubelet:
    return Kubelet(kube_cluster)


@pytest.fixture
def check(kube_cluster: KubeCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)

    def _run(models: list[dict[str, Any]], *args: str, platform: dict[str, Any] | None = None) -> Result:
        path = tmp_path / "install-contract.yaml"
        document: dict[str, Any] = {"models": models}
        if platform:
            document["platform"] = platform
        path.write_text(json.dumps(document), encoding="utf-8")
        result = CliRunner().invoke(
            main,
            [
                "check",
                str(path),
                "--kubeconfig",
                kube_cluster.kubeconfig,
                "--timeout",
                "3",
                "-f",
                "json",
                *args,
            ],
            env={**ENV, "KUBECONFIG": kube_cluster.kubeconfig},
            catch_exceptions=False,
        )
        assert KEY not in result.stdout and KEY not in result.stderr
        return result

    yield _run


def _steps(result: Result, model: int = 0) -> list[tuple[str, str, str]]:
    return [
        (s["name"], s["status"], s["detail"]) for s in json.loads(result.stdout)["results"][model]["steps"]
    ]


def _nothing_left(cluster: KubeCluster, namespace: str = "platform") -> None:
    assert cluster.objects(f"/api/v1/namespaces/{namespace}/pods") == []
    assert cluster.objects(f"/api/v1/namespaces/{namespace}/secrets") == []


def test_every_step_passes_from_restricted_pods(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    with model_server(Behaviour(served=("qwen3", "nomic-embed"), max_model_len=32768, key=KEY)) as (
        origin,
        seen,
    ):
        port = origin.rsplit(":", 1)[1]
        result = check(
            [entry("qwen3", f"http://localhost:{port}/v1"), embedding_entry("nomic-embed", origin + "/v1")]
        )
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["where"] == "cluster" and report["ok"] is True  # a context is configured: cluster
    dns, models, tool = _steps(result)
    assert dns[:2] == ("dns", "pass") and dns[2].startswith("localhost → ")
    assert models == ("models", "pass", "qwen3 served, max_model_len 32768")
    assert tool == ("tool-call", "pass", "tool_calls names get_weather")
    assert _steps(result, 1)[0] == ("dns", "pass", "127.0.0.1 is an address: nothing to resolve")
    assert _steps(result, 1)[2] == ("embeddings", "pass", "a vector of 8 dimensions")
    assert seen.seen[0].headers["authorization"] == f"Bearer {KEY}"  # the key came through the Secret

    assert len(kubelet.pods) == 2
    for pod in kubelet.pods:
        assert KEY not in json.dumps(pod)  # never in a pod spec or a command line
        meta, spec = pod["metadata"], pod["spec"]
        assert meta["namespace"] == "platform"  # the kube context's namespace
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "install-contract"
        assert meta["labels"]["install-contract/run-id"]
        assert meta["annotations"]["sidecar.istio.io/inject"] == "false"
        assert spec["restartPolicy"] == "Never"
        assert spec["activeDeadlineSeconds"] > 0
        assert spec["automountServiceAccountToken"] is False
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 65534
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"] == {"drop": ["ALL"]}
            assert security["readOnlyRootFilesystem"] is True
            assert security["runAsNonRoot"] is True
            resources = container["resources"]
            assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
            assert (
                resources["limits"]["memory"].endswith("Mi")
                and int(resources["limits"]["memory"][:-2]) <= 128
            )
            assert "env" not in container
    images = {
        c["image"]
        for p in kubelet.pods
        for c in [*p["spec"].get("initContainers", []), *p["spec"]["containers"]]
    }
    assert images == {"busybox:1.36", "curlimages/curl:8.10.1"}
    # the key travelled in the run's Secret, which is gone now, as are the pods
    assert any(KEY in json.dumps(s) for s in kubelet.secrets_seen)
    _nothing_left(kube_cluster)
    assert ("POST", SECRETS) in kube_cluster.requests


def test_failures_read_from_container_state_and_logs(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    refused_port = closed_port()
    with model_server(Behaviour(served=("qwen3-coder",), tool_reply="text")) as (origin, _):
        result = check(
            [
                entry("qwen3-coder", origin + "/v1"),
                entry("qwen3-coder-30b", origin + "/v1"),
                entry("gone", "http://vllm-gone.inference.invalid:8000/v1"),
                entry("refused", f"http://127.0.0.1:{refused_port}/v1"),
            ]
        )
    assert result.exit_code == 3
    assert _steps(result, 0)[2][:2] == ("tool-call", "fail")
    assert _steps(result, 0)[2][2].startswith("tool-call parser missing or wrong")
    assert _steps(result, 1)[1][2].startswith("served names: qwen3-coder; expected qwen3-coder-30b")
    assert _steps(result, 1)[2] == ("tool-call", "skip", "not run: models failed")
    assert _steps(result, 2) == [
        (
            "dns",
            "fail",
            "cannot resolve vllm-gone.inference.invalid: ** server can't find vllm-gone.inference.invalid: "
            "NXDOMAIN: check the host name and the cluster's DNS",
        ),
        ("models", "skip", "not run: dns failed"),
        ("tool-call", "skip", "not run: dns failed"),
    ]
    assert _steps(result, 3)[1] == (
        "models",
        "fail",
        f"connection refused at 127.0.0.1:{refused_port}: is the server running and listening on that port?",
    )
    _nothing_left(kube_cluster)


def test_pod_that_never_starts(check: Any, kube_cluster: KubeCluster) -> None:
    kubelet = Kubelet(kube_cluster, pull_failures=frozenset({"mirror.local/busybox:1.36"}))
    result = check([entry("qwen3", "http://vllm.inference.svc:8000/v1")], "--image-registry", "mirror.local")
    assert result.exit_code == 3
    dns, models, _ = _steps(result)
    assert dns[:2] == ("dns", "fail")
    assert dns[2].startswith(
        "the pod never started: image mirror.local/busybox:1.36 cannot be pulled (ImagePullBackOff"
    )
    assert models == ("models", "skip", "not run: dns failed")
    pod = kubelet.pods[0]
    assert pod["spec"]["containers"][0]["image"] == "mirror.local/curlimages/curl:8.10.1"
    _nothing_left(kube_cluster)


def test_namespace_image_overrides_pull_secrets_and_openshift_uids(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    kube_cluster.put(
        "/api/v1/namespaces",
        {"metadata": {"name": "team", "annotations": {"openshift.io/sa.scc.uid-range": "1000680000/10000"}}},
    )
    with model_server() as (origin, _):
        result = check(
            [entry("qwen3", origin + "/v1")],
            "--curl-image",
            "registry.local/curl:8.10.1",
            "--image-pull-secret",
            "mirror-pull",
            platform={"kubernetes": {"namespace": "team"}},
        )
    assert result.exit_code == 0, result.stdout
    pod = kubelet.pods[0]
    assert pod["metadata"]["namespace"] == "team"  # platform.kubernetes.namespace wins over the context's
    assert pod["spec"]["imagePullSecrets"] == [{"name": "mirror-pull"}]
    assert pod["spec"]["containers"][0]["image"] == "registry.local/curl:8.10.1"
    # OpenShift assigns the UID from the namespace's range: the pod must not pick one
    assert "runAsUser" not in pod["spec"]["securityContext"]
    assert all("runAsUser" not in c["securityContext"] for c in pod["spec"]["containers"])
    _nothing_left(kube_cluster, "team")


def test_private_ca_reaches_the_pod(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster, tmp_path: Path
) -> None:
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with model_server(Behaviour(), tls=context) as (origin, _):
        untrusted = check([entry("qwen3", origin + "/v1")])
        trusted = check([entry("qwen3", origin + "/v1")], "--ca-bundle", str(bundle))
    assert untrusted.exit_code == 3
    assert _steps(untrusted)[1][2].startswith("TLS failure:")
    assert trusted.exit_code == 0, trusted.stdout
    _nothing_left(kube_cluster)


def test_pods_are_bounded_by_concurrency(kube_cluster: KubeCluster, kubelet: Kubelet) -> None:
    with model_server(Behaviour(served=tuple(f"m{i}" for i in range(5)))) as (origin, _):
        targets = [
            plan(
                parse(ModelEntry, {**entry(f"m{i}", origin + "/v1"), "apiKey": None}),
                {},
                self_hosted=True,
            )
            for i in range(5)
        ]
        alive: list[int] = []
        kube_cluster.on_pod_created(lambda pod: alive.append(len(kube_cluster.objects(PODS))))
        with Kube(kube_cluster.target(), timeout=5) as kube:
            results = run_pods(
                targets,
                kube,
                PodOptions(namespace="platform", poll_interval=0.05),
                timeout=3,
                concurrency=2,
            )
    assert [r.ok for r in results] == [True] * 5
    assert len(alive) == 5 and max(alive) <= 2
    creates = [i for i, r in enumerate(kube_cluster.requests) if r == ("POST", PODS)]
    assert len(creates) == 5
    _nothing_left(kube_cluster)


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_interrupted_run_leaves_nothing_behind(
    kube_cluster: KubeCluster, tmp_path: Path, signum: int, code: int
) -> None:
    """Ctrl-C, CI cancelling the job (SIGTERM) and a closed terminal (SIGHUP) alike."""
    Kubelet(kube_cluster, start=False)  # pods stay Pending: the run waits until interrupted
    path = tmp_path / "install-contract.yaml"
    path.write_text(
        json.dumps({"models": [entry("a", "http://a.svc:8000/v1"), entry("b", "http://b.svc:8000/v1")]})
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "check",
            str(path),
            "--kubeconfig",
            kube_cluster.kubeconfig,
            "-f",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **ENV, "HOME": str(tmp_path)},
        cwd=Path(__file__).resolve().parent.parent,
        preexec_fn=interruptible,
    )
    try:
        deadline = time.monotonic() + 60
        while len(kube_cluster.objects(PODS)) < 2:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no pods were created"
            time.sleep(0.1)
        assert kube_cluster.objects(SECRETS)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, stderr
    assert b"interrupted" in stderr and KEY.encode() not in stdout + stderr
    _nothing_left(kube_cluster)


def test_parse_log_reads_each_answer() -> None:
    log = (
        "@@step models\n"
        '{"data": [{"id": "x"}]}\n'
        "@@http 200 0.012\n"
        "@@curl 0\n"
        "@@step tool-call\n"
        "curl: (28) Operation timed out after 3000 milliseconds\n"
        "@@http 000 3.001\n"
        "@@curl 28\n"
    )
    first, second = parse_log(log)
    assert (first.step, first.http, first.curl_exit, first.body) == (
        "models",
        200,
        0,
        b'{"data": [{"id": "x"}]}',
    )
    assert int(first.seconds * 1000) == 12
    assert (second.step, second.http, second.curl_exit) == ("tool-call", 0, 28)
    assert second.message.startswith("curl: (28)")


def test_unset_key_runs_dns_only_and_sends_nothing(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    result = check([entry("qwen3", "http://localhost:8000/v1", apiKey="${NOT_SET_ANYWHERE}")])
    assert result.exit_code == 3
    dns, models, tool = _steps(result)
    assert dns[:2] == ("dns", "pass")
    assert models == (
        "models",
        "fail",
        "apiKey names ${NOT_SET_ANYWHERE}, which is not set here: export it and run again",
    )
    assert tool == ("tool-call", "skip", "not run: models failed")
    assert [c["name"] for c in kubelet.pods[0]["spec"]["containers"]] == ["dns"]  # no request was sent
    assert ("POST", SECRETS) not in kube_cluster.requests  # and no Secret was needed
    _nothing_left(kube_cluster)


def test_missing_namespace_is_an_outside_failure(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    with model_server() as (origin, _):
        result = check([entry("qwen3", origin + "/v1")], "--namespace", "nope")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert 'namespaces "nope" not found' in result.stderr
    assert kubelet.pods == []


# ------------------------------------------------------------------ nothing left behind


@pytest.mark.parametrize("collection", [SECRETS, PODS])
def test_a_lost_create_answer_is_adopted(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster, collection: str
) -> None:
    """The create commits, its answer is lost (504), the retry meets 409: the object is this
    run's (its run-id label says so), so it is adopted, used and deleted at the end."""
    kube_cluster.fail("POST", collection, 504, after_commit=True)
    with model_server(Behaviour(key=KEY)) as (origin, seen):
        result = check([entry("qwen3", origin + "/v1")])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [r for r in kube_cluster.requests if r == ("POST", collection)] == [("POST", collection)] * 2
    assert seen.seen and seen.seen[0].headers["authorization"] == f"Bearer {KEY}"
    _nothing_left(kube_cluster)


def test_a_secret_whose_create_never_answered_is_deleted_by_label(
    check: Any, kubelet: Kubelet, kube_cluster: KubeCluster
) -> None:
    """The first create committed but answered 504; every retry failed: the run stops with
    the API's error, and clean-up still finds the Secret holding the keys by its label."""
    kube_cluster.fail("POST", SECRETS, 504, after_commit=True)
    kube_cluster.fail("POST", SECRETS, 503, times=10)
    result = check([entry("qwen3", "http://127.0.0.1:9/v1")])
    assert result.exit_code == 3
    assert "HTTP 503" in result.stderr or "injected" in result.stderr
    assert kubelet.pods == []
    _nothing_left(kube_cluster)


def test_a_conflict_with_another_runs_object_is_not_adopted(kube_cluster: KubeCluster) -> None:
    from contract.workflows.checks.pods import _PodRun

    kube_cluster.put(
        SECRETS,
        {"metadata": {"name": "install-contract-check-abc", "labels": {"install-contract/run-id": "other"}}},
    )
    with Kube(kube_cluster.target(), timeout=5) as kube:
        run = _PodRun(kube, [], PodOptions(namespace="platform", run_id="abc"), timeout=3)
        with pytest.raises(KubeConflict):
            run._create(SECRETS, {"metadata": {"name": "install-contract-check-abc"}})


def _leftover(kind: str, name: str, expires: int) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/managed-by": "install-contract",
        "install-contract/run-id": name[-4:],
        "install-contract/expires": str(expires),
    }
    body: dict[str, Any] = {"metadata": {"name": name, "labels": labels}}
    if kind == "pod":
        body["spec"] = {
            "containers": [
                {"name": "check", "image": "curlimages/curl:8.10.1", "command": ["sh", "-c", "true"]}
            ]
        }
    return body


def test_expired_leftovers_of_killed_runs_are_deleted_and_said(check: Any, kube_cluster: KubeCluster) -> None:
    now = int(time.time())
    kube_cluster.put(SECRETS, _leftover("secret", "install-contract-check-dead", now - 60))
    kube_cluster.put(PODS, _leftover("pod", "ic-check-dead-0", now - 60))
    # a run still going in the same namespace: not expired, not touched
    kube_cluster.put(SECRETS, _leftover("secret", "install-contract-check-live", now + 600))
    # not a check object at all
    kube_cluster.put(SECRETS, {"metadata": {"name": "litellm-keys", "labels": {"app": "litellm"}}})
    kubelet = Kubelet(kube_cluster)  # after the seeding: it plays only this run's pods
    with model_server(Behaviour(key=KEY)) as (origin, _):
        result = check([entry("qwen3", origin + "/v1")])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "deleted 2 expired leftover(s) of earlier check runs in namespace platform: "
        "pod/ic-check-dead-0, secret/install-contract-check-dead"
    ) in result.stderr
    names = sorted(s["metadata"]["name"] for s in kube_cluster.objects(SECRETS))
    assert names == ["install-contract-check-live", "litellm-keys"]
    assert kube_cluster.objects(PODS) == []
    # this run's own objects said when they expire: after the run, within the margin
    pod = next(p for p in kubelet.pods if p["metadata"]["name"].startswith("ic-check-"))
    expires = int(pod["metadata"]["labels"]["install-contract/expires"])
    assert now + 120 < expires < now + 120 + 3 * 4 + 40 + 300 + 60
    secret_posts = [r for r in kube_cluster.requests if r == ("POST", SECRETS)]
    assert len(secret_posts) == 1


def test_the_secret_expires_after_the_slowest_possible_run(kube_cluster: KubeCluster) -> None:
    from contract.workflows.checks.pods import EXPIRES_LABEL

    Kubelet(kube_cluster)
    secrets: list[dict[str, Any]] = []
    targets = [
        plan(parse(ModelEntry, entry(f"m{i}", "http://127.0.0.1:9/v1")), ENV, self_hosted=True)
        for i in range(5)
    ]
    real_create = Kube.create

    def spy(self: Kube, path: str, body: Any) -> Any:
        if path == SECRETS:
            secrets.append(body)
        return real_create(self, path, body)

    now = time.time()
    with Kube(kube_cluster.target(), timeout=5) as kube:
        kube.create = spy.__get__(kube)  # type: ignore[method-assign]
        run_pods(
            targets, kube, PodOptions(namespace="platform", poll_interval=0.05), timeout=3, concurrency=2
        )
    expires = int(secrets[0]["metadata"]["labels"][EXPIRES_LABEL])
    per_pod = 120 + 3 * 3 + 40  # start_timeout + timeout * (http steps + 1) + 40
    waves = 3  # 5 pods, 2 at once
    assert now + waves * per_pod + 300 - 2 <= expires <= time.time() + waves * per_pod + 300 + 2
    _nothing_left(kube_cluster)
