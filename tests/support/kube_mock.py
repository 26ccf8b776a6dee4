"""A Kubernetes API on 127.0.0.1 for the real (synchronous) kubernetes client: kmock 0.8.

No kube-apiserver can run here. kmock's `KubernetesEmulator` serves the API over real HTTP
from an in-memory store; this plugin runs it on its own asyncio loop in a background thread
and fills the gaps of kmock 0.8 measured here (`../shared/reference/README.md`):

- `/api/v1/namespaces[/NAME]` (kmock parses NAME as a namespace), and a 404 when an object is
  created in a namespace that does not exist (`platform` and `default` exist);
- `generateName` → name, `uid`, `resourceVersion` (bumped on every write), `creationTimestamp`;
- label selectors (`a=b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`) and the
  `metadata.name`/`metadata.namespace` field selectors on lists;
- `kind`/`apiVersion` on lists; a Status answer (not a 500) after a delete;
- PUT (replace, 409 on a stale `resourceVersion`), merge and JSON patches (a strategic merge
  patch is applied as a merge patch: lists are replaced, not merged by key);
- a 401 without the kubeconfig user's bearer token, a 406 for an Accept it cannot serve;
- pod logs as `text/plain` (`set_pod_log`, per container with `?container=`); 400 while the pod
  has none, as for a container still waiting to start;
- injected faults (`fail`): an answer instead of the request, or, with `after_commit=True`,
  the request done and its answer lost: the API server's own 504 "Timeout: request did not
  complete within requested timeout" after a write that etcd committed anyway (what a client
  sees when its create's answer times out; its retry then meets 409 AlreadyExists).

Discovery (`/api`, `/apis/...`) and watches are kmock's own (watches still ignore selectors).

    def test_x(kube_cluster):
        kube = Kube(kube_cluster.target())
        kube_cluster.on_pod_created(lambda pod: ...)      # play the kubelet
        kube_cluster.requests                             # [("POST", "/api/v1/..."), ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import itertools
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from contract.clients.kube import KubeTarget

try:  # a test dependency (Python >= 3.11); the fixture skips without it, or fails under CI=true
    import kmock
    from aiohttp import web as aiohttp_web
except ImportError:  # pragma: no cover
    kmock = None

T = TypeVar("T")
Obj = dict[str, Any]
TOKEN = "kmock-test-token"  # the kubeconfig user's bearer token, required on every request

# plural -> kind, for list kinds and objects created without one
KINDS = {
    "pods": "Pod",
    "secrets": "Secret",
    "configmaps": "ConfigMap",
    "namespaces": "Namespace",
    "services": "Service",
    "serviceaccounts": "ServiceAccount",
    "events": "Event",
    "deployments": "Deployment",
    "statefulsets": "StatefulSet",
    "replicasets": "ReplicaSet",
    "jobs": "Job",
    "inferenceservices": "InferenceService",
    "servingruntimes": "ServingRuntime",
}

_NAMESPACES = re.compile(r"/api/v1/namespaces/?")
_PATH = re.compile(r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))(?P<rest>(?:/[^/]+)*)/?$")


class _Path:
    """An API path split into group, version, namespace, plural, name and subresource."""

    def __init__(self, group: str, version: str, parts: list[str]) -> None:
        self.group, self.version = group, version
        self.namespace: str | None = None
        # /api/v1/namespaces/NS/PLURAL... is namespaced; /api/v1/namespaces[/NAME[/status]] is not
        if len(parts) >= 3 and parts[0] == "namespaces" and parts[2] not in ("status", "finalize"):
            self.namespace, parts = parts[1], parts[2:]
        self.plural = parts[0] if parts else ""
        self.name = parts[1] if len(parts) > 1 else None
        self.subresource = "/".join(parts[2:]) or None

    @classmethod
    def parse(cls, path: str) -> _Path | None:
        match = _PATH.match(path)
        if not match or not match["rest"]:
            return None
        group = "" if match["core"] else match["group"]
        version = match["core"] or match["version"]
        return cls(group, version, [p for p in match["rest"].split("/") if p])

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> Any:
        return kmock.resource(group=self.group, version=self.version, plural=self.plural)

    @property
    def kind(self) -> str:
        return KINDS.get(
            self.plural, self.plural[:-1].capitalize() if self.plural.endswith("s") else self.plural
        )


def _status(code: int, reason: str, message: str) -> Any:
    return aiohttp_web.json_response(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success" if code < 400 else "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        },
        status=code,
    )


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


_SET = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_selector(selector: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def label_selector_matches(selector: str, labels: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (equality- and set-based)."""
    for term in _split_selector(selector):
        if match := _SET.match(term):
            key, op, values = match[1], match[2], {v.strip() for v in match[3].split(",") if v.strip()}
            inside = key in labels and labels[key] in values
            if inside != (op == "in"):
                return False
            continue
        if "!=" in term:
            key, value = (s.strip() for s in term.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = (s.strip() for s in term.replace("==", "=").split("=", 1))
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


def _field_selector_matches(selector: str, obj: Obj) -> bool:
    meta = obj.get("metadata") or {}
    for term in _split_selector(selector):
        negate = "!=" in term
        key, value = (s.strip() for s in re.split(r"!=|==|=", term, maxsplit=1))
        actual = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace")}.get(key)
        if (actual == value) == negate:
            return False
    return True


class _Emulator(kmock.KubernetesEmulator if kmock else object):  # type: ignore[misc]
    """kmock's emulator with the CRUD verbs served here (see the module docstring)."""

    harness: KubeCluster

    async def __call__(self, raw_request: Any) -> Any:
        # kmock 0.8 cannot even parse the namespaces collection path: serve it without kmock.
        if _NAMESPACES.fullmatch(raw_request.path):
            body = await raw_request.read()
            try:
                data = json.loads(body) if body else None
            except ValueError:
                data = None
            request = _RawRequest(
                raw_request.method, raw_request.url, dict(raw_request.query), raw_request.headers, data
            )
            return await self._handle(request)
        return await super().__call__(raw_request)

    async def _handle(self, request: Any) -> Any:
        harness = self.harness
        method = request.method.value
        path = request.url.path
        harness._requests.append((method, path))
        parsed = _Path.parse(path)
        if parsed is None or (method == "GET" and request.params.get("watch") in ("true", "1")):
            if isinstance(request, _RawRequest):
                return _status(400, "BadRequest", "kube_mock: watching namespaces is not supported")
            return await super()._handle(request)  # discovery and watches: kmock's own
        headers = {k.lower(): v for k, v in request.headers.items()}
        # As the API server: no bearer token of the kubeconfig's user, no answer (401); an
        # Accept it cannot serve, 406.
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return _status(401, "Unauthorized", "Unauthorized")
        accept = headers.get("accept", "*/*")
        if not any(kind in accept for kind in ("application/json", "*/*", "text/plain")):
            return _status(406, "NotAcceptable", f"only the following media types are accepted: {accept}")
        fault = harness._take_fault(method, path)
        if fault is not None and not fault[1]:
            return _status(fault[0], "Injected", f"injected HTTP {fault[0]}")
        async with self._lock:
            answer = await self._serve(request, method, parsed)
        if fault is not None:  # committed; the answer is lost on its way back
            return _status(fault[0], "Timeout", "Timeout: request did not complete within requested timeout")
        return answer

    async def _serve(self, request: Any, method: str, path: _Path) -> Any:
        harness = self.harness
        if path.name is None:
            if method == "GET":
                return self._list(request, path)
            if method == "POST":
                if not isinstance(request.data, dict):
                    return _status(400, "BadRequest", "the body must be a JSON object")
                return await self._create(path, request.data)
            return _status(405, "MethodNotAllowed", f"{method} is not allowed on a collection")

        key = (path.resource, path.namespace, path.name)
        current = self._current(key)
        if current is None:
            return _status(404, "NotFound", f'{path.plural} "{path.name}" not found')
        if path.subresource == "log" and path.plural == "pods":
            container = request.params.get("container")
            text = harness._logs.get((path.namespace, path.name, container))
            if text is None:
                text = harness._logs.get((path.namespace, path.name, None))
            if text is None:
                return _status(
                    400,
                    "BadRequest",
                    f'container in pod "{path.name}" is waiting to start: ContainerCreating',
                )
            return aiohttp_web.Response(text=text, content_type="text/plain")
        if method == "GET":
            return aiohttp_web.json_response(current)
        if method == "DELETE":
            self._objects[key].delete()
            await self._buses[path.resource].put({"type": "DELETED", "object": current})
            if path.plural == "pods":
                for log_key in [k for k in harness._logs if k[:2] == (path.namespace, path.name)]:
                    del harness._logs[log_key]
            return _status(200, "", f'{path.plural} "{path.name}" deleted')
        if method == "PUT":
            body = request.data
            if not isinstance(body, dict):
                return _status(400, "BadRequest", "the body must be a JSON object")
            wanted = (body.get("metadata") or {}).get("resourceVersion")
            if wanted and wanted != current["metadata"]["resourceVersion"]:
                return _status(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {path.plural} "{path.name}": the object has been modified',
                )
            new = copy.deepcopy(body)
        elif method == "PATCH":
            content_type = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
            if "json-patch" in content_type:
                import jsonpatch

                try:
                    new = jsonpatch.apply_patch(current, request.data)
                except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as exc:
                    return _status(422, "Invalid", f"the JSON patch cannot be applied: {exc}")
            elif not isinstance(request.data, dict):
                return _status(400, "BadRequest", "the patch must be a JSON object")
            else:  # merge and strategic merge (approximated: lists are replaced)
                new = _merge_patch(current, request.data)
        else:
            return _status(405, "MethodNotAllowed", f"{method} is not allowed on an object")
        meta = new.setdefault("metadata", {})
        for field in ("name", "namespace", "uid", "creationTimestamp"):
            if field in current["metadata"]:
                meta[field] = current["metadata"][field]
        meta["resourceVersion"] = harness._next_version()
        new.setdefault("kind", current.get("kind"))
        new.setdefault("apiVersion", current.get("apiVersion"))
        self._objects[key].create(new)
        await self._buses[path.resource].put({"type": "MODIFIED", "object": new})
        return aiohttp_web.json_response(new)

    def _current(self, key: Any) -> Obj | None:
        if key not in self._objects or self._objects[key].deleted:
            return None
        return copy.deepcopy(self._objects[key].raw)

    def _namespace_exists(self, name: str) -> bool:
        namespaces = kmock.resource(group="", version="v1", plural="namespaces")
        return self._current((namespaces, None, name)) is not None

    async def _create(self, path: _Path, body: Obj) -> Any:
        harness = self.harness
        obj = copy.deepcopy(body)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        if not meta.get("name"):
            return _status(422, "Invalid", "metadata.name or metadata.generateName is required")
        if path.namespace is not None:
            if meta.get("namespace") not in (None, path.namespace):
                return _status(400, "BadRequest", "the namespace of the object does not match the path")
            if not self._namespace_exists(path.namespace):
                return _status(404, "NotFound", f'namespaces "{path.namespace}" not found')
            meta["namespace"] = path.namespace
        key = (path.resource, path.namespace, meta["name"])
        if self._current(key) is not None:
            return _status(409, "AlreadyExists", f'{path.plural} "{meta["name"]}" already exists')
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = harness._next_version()
        meta["creationTimestamp"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        obj.setdefault("kind", path.kind)
        obj.setdefault("apiVersion", path.api_version)
        if key in self._objects:
            self._objects[key].create(obj)
        else:
            self._objects[key] = obj
        await self._buses[path.resource].put({"type": "ADDED", "object": obj})
        if path.plural == "pods":
            for callback in list(harness._pod_callbacks):
                harness._run_callback(callback, copy.deepcopy(obj))
        return aiohttp_web.json_response(obj, status=201)

    def _list(self, request: Any, path: _Path) -> Any:
        labels = request.params.get("labelSelector")
        fields = request.params.get("fieldSelector")
        items = []
        for (resource, namespace, _name), stored in self._objects.items():
            if resource != path.resource or stored.deleted:
                continue
            if path.namespace is not None and namespace != path.namespace:
                continue
            obj = copy.deepcopy(stored.raw)
            if labels and not label_selector_matches(labels, (obj.get("metadata") or {}).get("labels") or {}):
                continue
            if fields and not _field_selector_matches(fields, obj):
                continue
            items.append(obj)
        items.sort(key=lambda o: (o["metadata"].get("namespace") or "", o["metadata"].get("name") or ""))
        return aiohttp_web.json_response(
            {
                "kind": f"{path.kind}List",
                "apiVersion": path.api_version,
                "metadata": {"resourceVersion": str(self.harness._version)},
                "items": items,
            }
        )


class KubeCluster:
    """The running emulator, its kubeconfig and the kubelet-playing helpers (see the module)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._requests: list[tuple[str, str]] = []
        self._logs: dict[tuple[str | None, str, str | None], str] = {}
        self._pod_callbacks: list[Callable[[Obj], None]] = []
        self._faults: list[list[Any]] = []
        self._errors: list[BaseException] = []
        self._counter = itertools.count(1)
        self._version = 0
        self._callbacks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kubelet")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kmock", daemon=True)
        self._stop: asyncio.Event | None = None
        self._served: Any = None
        self.url = ""
        self.kubeconfig = ""

    # -- lifecycle

    def start(self) -> None:
        self._thread.start()
        ready: asyncio.Future[None] = asyncio.run_coroutine_threadsafe(self._start(), self._loop)  # type: ignore[assignment]
        ready.result(timeout=30)
        for namespace in ("platform", "default"):
            self.put("/api/v1/namespaces", {"metadata": {"name": namespace}})
        self.kubeconfig = str(self._directory / "kubeconfig")
        Path(self.kubeconfig).write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "kmock", "cluster": {"server": self.url}}],
                    "users": [{"name": "tester", "user": {"token": TOKEN}}],
                    "contexts": [
                        {
                            "name": "test",
                            "context": {"cluster": "kmock", "user": "tester", "namespace": "platform"},
                        }
                    ],
                    "current-context": "test",
                }
            ),
            encoding="utf-8",
        )

    async def _start(self) -> None:
        self._stop = asyncio.Event()
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._served = asyncio.get_running_loop().create_task(self._serve(started))
        await started

    async def _serve(self, started: asyncio.Future[None]) -> None:
        assert self._stop is not None
        emulator = _Emulator()
        emulator.harness = self
        self._emulator = emulator
        async with emulator, kmock.Server(emulator) as server:
            self.url = str(server.url).rstrip("/")
            started.set_result(None)
            await self._stop.wait()

    def stop(self) -> None:
        async def _halt() -> None:
            assert self._stop is not None
            self._stop.set()
            await self._served

        try:
            asyncio.run_coroutine_threadsafe(_halt(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()
            self._callbacks.shutdown(wait=True)
        if self._errors:
            raise self._errors[0]

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    # -- what tests use

    def target(self, namespace: str = "platform") -> KubeTarget:
        return KubeTarget(context="test", namespace=namespace, kubeconfig=self.kubeconfig)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request received, in order."""
        return list(self._requests)

    def writes(self) -> list[tuple[str, str]]:
        """The requests that would change something (POST, PUT, PATCH, DELETE)."""
        return [r for r in self._requests if r[0] in ("POST", "PUT", "PATCH", "DELETE")]

    def objects(self, path: str) -> list[Obj]:
        """What the server holds now in the collection at `path`."""
        parsed = _Path.parse(path)
        assert parsed is not None and parsed.name is None, f"not a collection path: {path}"

        async def read() -> list[Obj]:
            async with self._emulator._lock:
                response = self._emulator._list(_FakeRequest({}), parsed)
            items: list[Obj] = json.loads(response.body)["items"]
            return items

        return self._call(read())

    def put(self, path: str, obj: Obj) -> Obj:
        """Seed an object (created, or replaced when it exists) at a collection or object path."""
        name = (obj.get("metadata") or {}).get("name")
        if (
            name
            and path.rstrip("/").endswith("/" + name)
            and not path.rstrip("/").endswith("/namespaces/" + name)
        ):
            path = path.rstrip("/").rsplit("/", 1)[0]
        parsed = _Path.parse(path)
        assert parsed is not None and parsed.name is None, f"not a collection or object path: {path}"

        async def write() -> Obj:
            emulator = self._emulator
            async with emulator._lock:
                key = (parsed.resource, parsed.namespace, name)
                if name and emulator._current(key) is not None:
                    emulator._objects[key].delete()
                response = await emulator._create(parsed, obj)
            created: Obj = json.loads(response.body)
            if response.status >= 400:
                raise AssertionError(f"cannot seed {path}: {created.get('message')}")
            return created

        return self._call(write())

    def set_pod_status(self, namespace: str, name: str, status: Obj) -> None:
        """Play the kubelet: replace the pod's `status` (phase, containerStatuses, …)."""

        async def write() -> None:
            emulator = self._emulator
            pods = kmock.resource(group="", version="v1", plural="pods")
            async with emulator._lock:
                current = emulator._current((pods, namespace, name))
                if current is None:
                    raise AssertionError(f"no pod {namespace}/{name}")
                current["status"] = copy.deepcopy(status)
                current["metadata"]["resourceVersion"] = self._next_version()
                emulator._objects[(pods, namespace, name)].create(current)
                await emulator._buses[pods].put({"type": "MODIFIED", "object": current})

        self._call(write())

    def set_pod_log(self, namespace: str, name: str, text: str, container: str | None = None) -> None:
        """The log served for the pod (`?container=NAME` picks one; None: any container)."""
        self._logs[(namespace, name, container)] = text

    def on_pod_created(self, callback: Callable[[Obj], None]) -> None:
        """Call `callback(pod)` (in a worker thread) whenever a pod is created."""
        self._pod_callbacks.append(callback)

    def fail(
        self, method: str, path: str, status: int, times: int = 1, *, after_commit: bool = False
    ) -> None:
        """Answer the next `times` requests `method path` (a regex) with `status`; with
        `after_commit`, do the request first (its answer is lost: a 504 Timeout comes back)."""
        self._faults.append([method.upper(), re.compile(path), status, times, after_commit])

    # -- internals

    def _next_version(self) -> str:
        self._version = next(self._counter)
        return str(self._version)

    def _take_fault(self, method: str, path: str) -> tuple[int, bool] | None:
        for fault in self._faults:
            if fault[0] == method and fault[1].fullmatch(path) and fault[3] > 0:
                fault[3] -= 1
                return int(fault[2]), bool(fault[4])
        return None

    def _run_callback(self, callback: Callable[[Obj], None], pod: Obj) -> None:
        def run() -> None:
            try:
                callback(pod)
            except BaseException as exc:
                self._errors.append(exc)

        self._callbacks.submit(run)


class _RawRequest:
    """The parts of a kmock Request that `_Emulator` reads, for paths kmock cannot parse."""

    def __init__(self, method: str, url: Any, params: dict[str, str], headers: Any, data: Any) -> None:
        self.method = type("_Method", (), {"value": method.upper()})()
        self.url, self.params, self.headers, self.data = url, params, headers, data


class _FakeRequest:
    def __init__(self, params: dict[str, str]) -> None:
        self.params = params


@contextlib.contextmanager
def running_cluster(directory: Path) -> Iterator[KubeCluster]:
    """kmock's Kubernetes emulator on 127.0.0.1 with a kubeconfig (context `test`, namespace
    `platform`) in `directory`; fails the test if a kubelet callback raised (the `kube_cluster`
    fixture of tests/conftest.py)."""
    if kmock is None:  # pragma: no cover
        message = "kmock==0.8 is not installed (pip install -e '.[test]', Python >= 3.11)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    cluster = KubeCluster(directory)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
