"""Kubernetes: which context and namespace a run uses, and raw JSON calls to the API.

The official client (`kubernetes`) loads the kubeconfig (contexts, client certificates, exec
plugins, tokens) and holds the connection pool; the calls themselves are raw REST on API
paths with JSON dicts in and out. The typed `CoreV1Api`/`AppsV1Api` modules are not imported:
they cost ~2.9 s of start-up here against ~0.8 s for `config` + `ApiClient`, and a dict is what
the callers (check's pods, apply's ConfigMap/Secret/Deployment, KServe discovery) work with.

    kube = Kube(KubeTarget(context=None, namespace="platform"))
    kube.create("/api/v1/namespaces/platform/pods", pod)
    kube.list("/api/v1/namespaces/platform/pods", label_selector="install-contract/run-id=abc")

Failures follow the shared policy of `contract.clients.http`: connection errors, 429 and 5xx
are retried with backoff; anything else is raised at once as a `KubeError` carrying the API's
own `message` and status (never a request body, which may hold a Secret).

`kubernetes` is imported inside functions only, so `validate` never pays for it.
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict
from urllib.parse import urlencode

from contract.clients.http import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    MERGE_PATCH,
    OnRetry,
    RetryPolicy,
    retry_call,
)
from contract.errors import ExternalError

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "Kube",
    "KubeConflict",
    "KubeError",
    "KubeNotFound",
    "KubeTarget",
    "configured_context",
    "context_namespace",
    "kubeconfig_paths",
]

PATCH_TYPES = {
    "merge": MERGE_PATCH,
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
}
# 500 included: an API server answering 500 is usually mid-restart or its etcd is.
_TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class KubeError(ExternalError):
    """The Kubernetes API refused a call or could not be reached; `.status` is its HTTP status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KubeNotFound(KubeError):
    """404: the object (or its namespace) does not exist."""


class KubeConflict(KubeError):
    """409: the object already exists, or it changed since it was read."""


@dataclass(frozen=True)
class KubeTarget:
    """Where a run talks to: a kubeconfig context (None: the current one) and a namespace."""

    context: str | None
    namespace: str
    kubeconfig: str | None = None


# ------------------------------------------------------------------ kubeconfig


def kubeconfig_paths(kubeconfig: str | None = None) -> list[Path]:
    """The kubeconfig files in kubectl's order: `kubeconfig`, else `$KUBECONFIG` (a path
    list), else `~/.kube/config`."""
    if kubeconfig:
        return [Path(kubeconfig).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _load_kubeconfigs(kubeconfig: str | None) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    documents: list[dict[str, Any]] = []
    for path in kubeconfig_paths(kubeconfig):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            data = yaml.load(text)
        except YAMLError:
            continue
        if isinstance(data, dict):
            documents.append(data)
    return documents


def configured_context(context: str | None = None, kubeconfig: str | None = None) -> str | None:
    """The context a run would use: `context` if given, else the kubeconfig's current-context
    (the first file that sets one wins, as with kubectl), else None when none is configured."""
    if context:
        return context
    for document in _load_kubeconfigs(kubeconfig):
        current = document.get("current-context")
        if isinstance(current, str) and current:
            return current
    return None


def context_namespace(context: str | None = None, kubeconfig: str | None = None) -> str | None:
    """The namespace the context names, if any."""
    documents = _load_kubeconfigs(kubeconfig)
    name = context or configured_context(None, kubeconfig)
    if not name:
        return None
    for document in documents:
        for entry in document.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                body = entry.get("context")
                namespace = body.get("namespace") if isinstance(body, dict) else None
                return namespace if isinstance(namespace, str) and namespace else None
    return None


# ---------------------------------------------------------------------- client


class _Transient(Exception):
    def __init__(self, reason: str, status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _api_message(status: int, data: bytes) -> str:
    """The `message` of the API's Status answer, else the HTTP status alone."""
    try:
        payload = json.loads(data)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str) and payload["message"]:
        return str(payload["message"])
    return f"HTTP {status}"


class _Send(TypedDict, total=False):
    """What a JSON call sends besides its method and path (`Kube._request`'s keywords)."""

    params: Mapping[str, Any] | None
    body: Any
    content_type: str


class Kube:
    """One connection to one cluster for a run; safe to share between threads.

    Paths are API paths (`/api/v1/namespaces/{ns}/pods`, `/apis/apps/v1/...`); bodies and
    answers are JSON dicts.
    """

    def __init__(
        self,
        target: KubeTarget,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        on_retry: OnRetry | None = None,
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.retry = retry
        self.on_retry = on_retry
        self._api = self._client(target)
        self._resolve_api_server()

    def _resolve_api_server(self) -> None:
        """Look the API server's host up under the timeout first: urllib3's own lookup has no
        bound, and a resolver that never answers would hold the run for minutes."""
        from urllib.parse import urlsplit

        from contract.clients.http import _is_address, resolve

        server = urlsplit(str(self._api.configuration.host))
        if not server.hostname or _is_address(server.hostname):
            return
        try:
            resolve(server.hostname, server.port or 443, self.timeout)
        except TimeoutError:
            self._api.close()
            raise KubeError(
                f"cannot resolve the API server {server.hostname}: no answer within {self.timeout:g} s"
            ) from None
        except (OSError, UnicodeError):
            return  # the first request says it in the client's own words

    @staticmethod
    def _client(target: KubeTarget) -> Any:
        from kubernetes import config
        from kubernetes.client.api_client import ApiClient
        from kubernetes.client.configuration import Configuration
        from kubernetes.config.config_exception import ConfigException

        configuration = Configuration()
        try:
            if target.kubeconfig is None and target.context is None and _in_cluster():
                config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            else:
                # The files named now, not the $KUBECONFIG the client library read at import.
                files = os.pathsep.join(str(p) for p in kubeconfig_paths(target.kubeconfig))
                config.load_kube_config(  # type: ignore[no-untyped-call]
                    config_file=files,
                    context=target.context,
                    client_configuration=configuration,
                    persist_config=False,
                )
        except (ConfigException, OSError, ValueError) as exc:
            where = f"context {target.context!r}" if target.context else "the current context"
            raise KubeError(f"cannot load the kubeconfig for {where}: {exc}") from None
        # Retries are the shared policy's (stamina), not urllib3's on top of it.
        configuration.retries = False
        configuration.connection_pool_maxsize = 32
        return ApiClient(configuration)

    # -- the verbs

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The object at `path`, or None when it does not exist."""
        try:
            return self._json("GET", path, params=params)
        except KubeNotFound:
            return None

    def list(self, path: str, label_selector: str | None = None) -> list[dict[str, Any]]:
        """The items of the collection at `path`, optionally filtered by labels."""
        params = {"labelSelector": label_selector} if label_selector else None
        answer = self._json("GET", path, params=params)
        items = answer.get("items") or []
        return [item for item in items if isinstance(item, dict)]

    def create(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST to the collection at `path`; raises `KubeConflict` when it already exists."""
        return self._json("POST", path, body=dict(body))

    def patch(
        self,
        path: str,
        body: Mapping[str, Any] | builtins.list[Any],
        patch_type: Literal["merge", "strategic", "json"] = "merge",
    ) -> dict[str, Any]:
        """PATCH the object at `path` (merge patch, strategic merge patch or JSON patch)."""
        payload: Any = list(body) if isinstance(body, list) else dict(body)
        return self._json("PATCH", path, body=payload, content_type=PATCH_TYPES[patch_type])

    def replace(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """PUT the whole object at `path` (its `resourceVersion`, if set, guards the write)."""
        return self._json("PUT", path, body=dict(body))

    def delete(self, path: str) -> bool:
        """Delete the object at `path`; False when it was already gone."""
        try:
            self._request("DELETE", path, body={"propagationPolicy": "Background"})
        except KubeNotFound:
            return False
        return True

    def text(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """A plain-text answer, such as a pod's log (`…/pods/{name}/log`)."""
        data = self._request("GET", path, params=params, accept="text/plain, */*")
        return data.decode("utf-8", errors="replace")

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> Kube:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing

    def _json(self, method: str, path: str, **send: Unpack[_Send]) -> dict[str, Any]:
        """`_request`'s answer, which must be a JSON object."""
        data = self._request(method, path, **send)
        try:
            answer = json.loads(data) if data else {}
        except ValueError:
            raise KubeError(f"{method} {path}: the API answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise KubeError(f"{method} {path}: the API answered JSON that is not an object")
        return answer

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> bytes:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        # param_serialize adds the credentials (bearer token, exec plugin) to the headers.
        method, url, headers, body, _ = self._api.param_serialize(
            method, path, header_params=headers, body=body, auth_settings=["BearerToken"]
        )
        if query:
            url += "?" + urlencode(query)
        try:
            status, data = retry_call(
                lambda: self._attempt(method, path, url, headers, body),
                on=lambda exc: isinstance(exc, _Transient),
                retry=self.retry,
                system="Kubernetes API",
                on_retry=self.on_retry,
                describe=lambda exc: exc.reason if isinstance(exc, _Transient) else str(exc),
            )
        except _Transient as exc:
            raise KubeError(
                f"{method} {path}: {exc.reason} after {self.retry.attempts} attempts", exc.status
            ) from None
        if status < 400:
            return data
        message = f"{method} {path}: {_api_message(status, data)}"
        if status == 404:
            raise KubeNotFound(message, status)
        if status == 409:
            raise KubeConflict(message, status)
        raise KubeError(message, status)

    def _attempt(self, method: str, path: str, url: str, headers: Any, body: Any) -> tuple[int, bytes]:
        """One try: the status and body, _Transient for what a retry may cure, else KubeError."""
        import urllib3

        try:
            response = self._api.call_api(
                method, url, header_params=headers, body=body, _request_timeout=self.timeout
            )
            data: bytes = response.read() or b""
        except urllib3.exceptions.HTTPError as exc:
            raise _Transient(_describe_urllib3(exc), None) from None
        except OSError as exc:
            raise _Transient(f"cannot connect: {exc.strerror or type(exc).__name__}", None) from None
        except Exception as exc:  # the client's ApiException (TLS failures arrive that way)
            status = getattr(exc, "status", None)
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise KubeError(f"{method} {path}: {str(reason).splitlines()[0]}", status or None) from None
        if response.status in _TRANSIENT_STATUSES:
            raise _Transient(_api_message(response.status, data), response.status)
        return response.status, data


def _describe_urllib3(exc: Exception) -> str:
    import urllib3

    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    # NewConnectionError is a ConnectTimeoutError in urllib3: ask for it first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "cannot connect to the API server"
    if isinstance(exc, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return "no answer before the timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS failure: {exc}"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "the API server closed the connection"
    return type(exc).__name__


def _in_cluster() -> bool:
    """Running in a pod with a service account and no kubeconfig of its own."""
    if os.environ.get("KUBECONFIG") or (Path.home() / ".kube" / "config").exists():
        return False
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
