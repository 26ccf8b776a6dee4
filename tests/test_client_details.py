"""The clients' small parts, each pinned: failure words, bounded DNS, requests as sent, errors.

Over httpx.MockTransport and a monkeypatched resolver; the real servers' behaviour is proven in
test_apply_admin.py (the admin API test server), test_kube.py (kmock) and the integration tests.
"""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina

from contract.clients import http
from contract.clients.admin_api import AdminApiClient, AdminApiError
from contract.clients.unleash import UnleashClient, UnleashConflict, UnleashError
from contract.pipeline._pydantic import parse
from contract.pipeline.model import Unleash

ONCE = http.RetryPolicy(attempts=1)


@pytest.fixture(autouse=True)
def _no_waiting() -> Iterator[None]:
    stamina.set_testing(True, attempts=3)
    yield
    stamina.set_testing(False)


# ------------------------------------------------------------------ failure words


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectTimeout("x"), "connection timed out"),
        (httpx.ReadTimeout("x"), "no answer before the timeout"),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] bad"),
            "TLS failure: [SSL: CERTIFICATE_VERIFY_FAILED] bad",
        ),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx.ConnectError("cannot resolve x.test: unknown"), "cannot resolve x.test: unknown"),
        (httpx.ConnectError("[Errno 113] No route to host"), "cannot connect: [Errno 113] No route to host"),
        (httpx.RemoteProtocolError("x"), "the server closed the connection"),
        (httpx.ProxyError("x"), "ProxyError"),
    ],
)
def test_transport_failures_in_words(exc: httpx.TransportError, words: str) -> None:
    assert http.describe_transport_error(exc) == words
    assert http.describe_failure(exc) == words


def test_other_failures_in_words() -> None:
    assert http.describe_failure(http._RetryableStatus(httpx.Response(503))) == "HTTP 503"
    assert http.describe_failure(ValueError("odd")) == "odd"
    assert http.describe_failure(ValueError()) == "ValueError"
    assert str(http._RetryableStatus(httpx.Response(429))) == "HTTP 429"
    assert str(http._WaitTooLong(httpx.Response(503), 90.0)) == "HTTP 503"
    assert str(http.RetryNotice("", "HTTP 503", 3, 6, 0.25)) == "HTTP 503; retry 3 of 6 in 0.2 s"
    assert (
        str(http.RetryNotice("Unleash", "HTTP 502", 2, 3, 4.06)) == "Unleash: HTTP 502; retry 2 of 3 in 4.1 s"
    )


def test_retry_after_forms() -> None:
    assert http.retry_after(httpx.Response(429, headers={"Retry-After": "nan"})) is None
    assert http.retry_after(httpx.Response(429, headers={"Retry-After": "-5"})) == 0.0
    assert http.retry_after(httpx.Response(429, headers={"Retry-After": "2.5"})) == 2.5
    import email.utils
    import time

    soon = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 < (http.retry_after(httpx.Response(503, headers={"Retry-After": soon})) or 0) <= 20


def test_the_backoff_overflow_is_the_cap() -> None:
    policy = http.RetryPolicy(wait_initial=1.0, wait_max=7.0, wait_jitter=0.0)
    assert http._wait_for(5000, policy) == 7.0
    assert not math.isnan(http._wait_for(2, policy)) and http._wait_for(2, policy) == 2.0


# ------------------------------------------------------------------ bounded DNS


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`*.dns.test` answers from this table: a list of addresses, or an exception."""
    table: dict[str, Any] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".dns.test"):
            answer = table[host]
            if isinstance(answer, BaseException):
                raise answer
            assert kwargs.get("type") == socket.SOCK_STREAM
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answer]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def test_resolve_answers_every_address_once_sorted(resolver: dict[str, Any]) -> None:
    resolver["api.dns.test"] = ["10.0.0.2", "10.0.0.1", "10.0.0.2"]
    assert http.resolve("api.dns.test", 443, 1.0) == ["10.0.0.1", "10.0.0.2"]
    resolver["gone.dns.test"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with pytest.raises(socket.gaierror):
        http.resolve("gone.dns.test", 443, 1.0)
    resolver["odd.dns.test"] = UnicodeError("label too long")
    with pytest.raises(UnicodeError):
        http.resolve("odd.dns.test", 443, 1.0)


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps({"host": self.headers.get("Host")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hello() -> Iterator[int]:
    """A server on 127.0.0.3 only: 127.0.0.1 on its port refuses."""
    server = ThreadingHTTPServer(("127.0.0.3", 0), _Hello)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_client_connects_to_the_next_address_when_one_refuses(resolver: dict[str, Any], hello: int) -> None:
    resolver["svc.dns.test"] = ["127.0.0.1", "127.0.0.3"]
    with http.new_client(timeout=2.0) as client:
        answer = client.get(f"http://svc.dns.test:{hello}/")
    assert answer.json() == {"host": f"svc.dns.test:{hello}"}  # the name, not the address, is sent


def test_a_client_says_which_name_does_not_resolve(resolver: dict[str, Any]) -> None:
    resolver["gone.dns.test"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    with http.new_client(timeout=1.0) as client, pytest.raises(httpx.ConnectError) as info:
        client.get("http://gone.dns.test:8000/")
    assert str(info.value) == "cannot resolve gone.dns.test: Name or service not known"
    assert (
        http.describe_transport_error(info.value) == "cannot resolve gone.dns.test: Name or service not known"
    )


def test_a_client_refused_on_every_address_says_so(resolver: dict[str, Any], hello: int) -> None:
    resolver["down.dns.test"] = ["127.0.0.1", "127.0.0.2"]
    with http.new_client(timeout=1.0) as client, pytest.raises(httpx.ConnectError, match="refused"):
        client.get(f"http://down.dns.test:{hello}/")


def test_an_address_is_not_looked_up(hello: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lookup(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an address was looked up")

    monkeypatch.setattr(http, "resolve", no_lookup)
    with http.new_client(timeout=1.0) as client:
        assert client.get(f"http://127.0.0.3:{hello}/").status_code == 200
    assert http._is_address("[::1]") and http._is_address("10.1.2.3") and not http._is_address("a.test")


# ------------------------------------------------------------------ Unleash as sent


def _unleash(
    answers: dict[tuple[str, str], httpx.Response], seen: list[httpx.Request], **settings: Any
) -> UnleashClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.get((request.method, request.url.raw_path.decode()), httpx.Response(200, json={}))

    config = parse(Unleash, {"url": "http://unleash.test/api/", **settings})
    return UnleashClient.from_settings(
        config,
        {"UNLEASH_ADMIN_TOKEN": "*:*.tok-123456"},
        timeout=3,
        retry=ONCE,
        transport=httpx.MockTransport(handler),
    )


def test_unleash_requests_as_sent() -> None:
    seen: list[httpx.Request] = []
    base = "/api/admin/projects/team%2Fa/features"
    answers = {
        ("GET", f"{base}/F%201"): httpx.Response(200, json={"name": "F 1", "environments": []}),
        ("GET", f"{base}/F%201/environments/prod%2Fx/variants"): httpx.Response(
            200, json={"variants": [{"name": "a"}, "junk", {"name": "b"}]}
        ),
    }
    client = _unleash(answers, seen, project="team/a")
    assert client.url == "http://unleash.test" and client.project == "team/a"
    assert client.feature("F 1") == {"name": "F 1", "environments": []}
    assert client.environment_variants("F 1", "prod/x") == [{"name": "a"}, {"name": "b"}]
    client.create_feature("F 1")
    client.create_feature("F 1", flag_type="kill-switch")
    client.set_variants("F 1", [{"name": "a", "weight": 1000}], ["prod", "dev"])
    client.enable("F 1", "prod/x")
    client.close()
    sent = [(r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None) for r in seen]
    assert sent == [
        ("GET", f"{base}/F%201", None),
        ("GET", f"{base}/F%201/environments/prod%2Fx/variants", None),
        ("POST", base, {"name": "F 1", "type": "release"}),
        ("POST", base, {"name": "F 1", "type": "kill-switch"}),
        (
            "PUT",
            f"{base}/F%201/variants-batch",
            {"variants": [{"name": "a", "weight": 1000}], "environments": ["prod", "dev"]},
        ),
        ("POST", f"{base}/F%201/environments/prod%2Fx/on", None),
    ]
    assert all(r.headers["authorization"] == "*:*.tok-123456" for r in seen)
    assert all(r.headers["accept"] == "application/json" for r in seen)


def test_unleash_errors_in_its_own_words() -> None:
    seen: list[httpx.Request] = []
    long = "word " * 200
    answers = {
        ("GET", "/api/admin/projects/default/features/A"): httpx.Response(500, json={"message": long}),
        ("GET", "/api/admin/projects/default/features/B"): httpx.Response(502, text="x"),
        ("GET", "/api/admin/projects/default/features/C"): httpx.Response(
            307, headers={"Location": "http://x"}
        ),
        ("POST", "/api/admin/projects/default/features"): httpx.Response(
            409, json={"details": [{"message": "taken by *:*.tok-123456"}]}
        ),
        ("GET", "/api/admin/projects/default/features/D"): httpx.Response(400, json={"details": ["odd"]}),
        ("GET", "/api/admin/projects/default/features/E"): httpx.Response(200, json=[1, 2]),
    }
    client = _unleash(answers, seen)
    with pytest.raises(UnleashError) as info:
        client.feature("A")
    assert (
        str(info.value).startswith("Unleash: read flag A: HTTP 500: word word") and info.value.status == 500
    )
    assert len(str(info.value)) == len("Unleash: read flag A: HTTP 500: ") + 500
    with pytest.raises(Exception, match="HTTP 502"):
        client.feature("B")
    with pytest.raises(
        UnleashError, match="read flag C: HTTP 307: redirected, which is not followed"
    ) as moved:
        client.feature("C")
    assert moved.value.status == 307
    with pytest.raises(UnleashConflict) as conflict:
        client.create_feature("F")
    assert str(conflict.value) == "Unleash: create flag F: taken by ****" and conflict.value.status == 409
    with pytest.raises(UnleashError, match=r"^Unleash: read flag D: HTTP 400: Bad Request$"):
        client.feature("D")
    with pytest.raises(
        UnleashError, match=r"^Unleash: read flag E: the answer is not a JSON object$"
    ) as shape:
        client.feature("E")
    assert shape.value.status == 200


# ------------------------------------------------------------------ the admin API as sent


def _admin(handler: Any, token: str = "adm-token-123456") -> tuple[AdminApiClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = AdminApiClient.connect(
        "http://admin.test/api/", token, timeout=2, retry=ONCE, transport=httpx.MockTransport(record)
    )
    return client, seen


ROW = {"id": "mdl/1", "name": "a", "etag": "e1"}


def test_delete_sends_one_request_with_the_etag() -> None:
    client, seen = _admin(lambda r: httpx.Response(204))
    client.delete(dict(ROW), lambda _fresh: True)
    assert [(r.method, r.url.raw_path.decode(), r.headers["if-match"]) for r in seen] == [
        ("DELETE", "/api/v1/models/mdl%2F1", "e1")
    ]
    gone, seen_gone = _admin(lambda r: httpx.Response(404, json={"error": {"code": "not_found"}}))
    gone.delete(dict(ROW), lambda _fresh: True)
    assert len(seen_gone) == 1


def test_delete_after_412_deletes_only_what_is_still_ours() -> None:
    answers = iter(
        [httpx.Response(412), httpx.Response(200, json={**ROW, "etag": "e2", "managedBy": "someone"})]
    )
    client, seen = _admin(lambda r: next(answers))
    client.delete(dict(ROW), lambda fresh: fresh.get("managedBy") == "install-contract")
    assert [r.method for r in seen] == ["DELETE", "GET"]
    refused = httpx.Response(403, json={"error": {"code": "forbidden", "message": "no"}})
    client, _ = _admin(lambda r: refused)
    with pytest.raises(AdminApiError) as info:
        client.delete(dict(ROW), lambda _fresh: True)
    assert str(info.value).startswith(
        "admin API: delete model a: HTTP 403 forbidden: the admin API refused the token"
    )


def test_update_sends_a_merge_patch_and_reads_again_after_412() -> None:
    answers = iter(
        [
            httpx.Response(412),
            httpx.Response(200, json={**ROW, "etag": "e2", "displayName": "x"}),
            httpx.Response(200, json={**ROW, "etag": "e3", "displayName": "A"}),
        ]
    )
    client, seen = _admin(lambda r: next(answers))
    row = client.update(
        dict(ROW), lambda current: {"displayName": "A"} if current.get("displayName") != "A" else {}
    )
    assert row["etag"] == "e3"
    patches = [r for r in seen if r.method == "PATCH"]
    assert [(r.headers["if-match"], r.headers["content-type"], json.loads(r.content)) for r in patches] == [
        ("e1", "application/merge-patch+json", {"displayName": "A"}),
        ("e2", "application/merge-patch+json", {"displayName": "A"}),
    ]
    deleted = iter([httpx.Response(412), httpx.Response(404)])
    client, _ = _admin(lambda r: next(deleted))
    with pytest.raises(AdminApiError) as info:
        client.update(dict(ROW), lambda _current: {"displayName": "A"})
    assert str(info.value) == "admin API: update model a: HTTP 404 not_found: deleted meanwhile"
    assert info.value.status == 404 and info.value.code == "not_found"


def test_admin_errors_name_what_failed() -> None:
    client, _ = _admin(lambda r: httpx.Response(500, text="oops"))
    with pytest.raises(AdminApiError) as info:
        client.get("mdl_1")
    assert str(info.value) == "admin API: GET model mdl_1: HTTP 500 error: Internal Server Error"
    client, _ = _admin(lambda r: httpx.Response(200, json={"id": "x"}))
    with pytest.raises(AdminApiError, match=r"get model: HTTP 200 bad_response: the answer is not a Model"):
        client.get("mdl_1")
    client, _ = _admin(lambda r: httpx.Response(200, text="<html>"))
    with pytest.raises(AdminApiError, match=r"GET v1/model-providers: HTTP 200 bad_response: not JSON"):
        client.providers()
    client, _ = _admin(lambda r: httpx.Response(200, json={"items": [1]}))
    with pytest.raises(AdminApiError, match=r"list providers: HTTP 200 bad_response: no items list"):
        client.providers()


# ------------------------------------------------------------------ kube helpers


def test_in_cluster_only_without_a_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from contract.clients.kube import _in_cluster

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert _in_cluster() is False
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    assert _in_cluster() is True
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "k"))
    assert _in_cluster() is False
    monkeypatch.delenv("KUBECONFIG")
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text("{}", encoding="utf-8")
    assert _in_cluster() is False


def test_urllib3_failures_in_words() -> None:
    import urllib3

    from contract.clients.kube import _api_message, _describe_urllib3

    pool = urllib3.HTTPConnectionPool("api.test")
    new = urllib3.exceptions.NewConnectionError(pool, "refused")
    assert (
        _describe_urllib3(urllib3.exceptions.MaxRetryError(pool, "/", new))
        == "cannot connect to the API server"
    )
    assert (
        _describe_urllib3(urllib3.exceptions.ConnectTimeoutError(pool, "slow"))
        == "no answer before the timeout"
    )
    assert (
        _describe_urllib3(urllib3.exceptions.ReadTimeoutError(pool, "/", "slow"))
        == "no answer before the timeout"
    )
    assert _describe_urllib3(urllib3.exceptions.SSLError("bad cert")) == "TLS failure: bad cert"
    assert (
        _describe_urllib3(urllib3.exceptions.ProtocolError("reset")) == "the API server closed the connection"
    )
    assert _describe_urllib3(urllib3.exceptions.DecodeError("x")) == "DecodeError"
    assert _describe_urllib3(urllib3.exceptions.MaxRetryError(pool, "/", None)) == "MaxRetryError"
    assert _api_message(404, b'{"message": "pods \\"x\\" not found"}') == 'pods "x" not found'
    assert _api_message(500, b'{"message": ""}') == "HTTP 500"
    assert _api_message(502, b"<html>") == "HTTP 502"
    assert _api_message(503, b'["x"]') == "HTTP 503"


def test_unleash_names_each_call_in_its_errors() -> None:
    seen: list[httpx.Request] = []
    base = "/api/admin/projects/default/features"
    fail = httpx.Response(500, json={"message": "x"})
    answers = {
        ("GET", f"{base}/F/environments/prod/variants"): fail,
        ("POST", base): fail,
        ("PUT", f"{base}/F/variants-batch"): fail,
        ("POST", f"{base}/F/environments/prod/on"): fail,
        ("GET", f"{base}/F"): httpx.Response(401, json={"message": "no"}),
    }
    client = _unleash(answers, seen)
    calls = [
        (
            lambda: client.environment_variants("F", "prod"),
            "Unleash: read the variants of F in prod: HTTP 500: x",
        ),
        (lambda: client.create_feature("F"), "Unleash: create flag F: HTTP 500: x"),
        (
            lambda: client.set_variants("F", [], ["prod", "dev"]),
            "Unleash: set the variants of F in prod, dev: HTTP 500: x",
        ),
        (lambda: client.enable("F", "prod"), "Unleash: enable F in prod: HTTP 500: x"),
        (
            lambda: client.feature("F"),
            "Unleash refused the token in $UNLEASH_ADMIN_TOKEN (read flag F: HTTP 401): no; "
            "it needs an admin API token for this project",
        ),
    ]
    for call, message in calls:
        with pytest.raises(UnleashError) as info:
            call()
        assert str(info.value) == message
        assert info.value.status in (500, 401)
    empty = _unleash({("GET", f"{base}/F/environments/prod/variants"): httpx.Response(200, json={})}, seen)
    with pytest.raises(UnleashError) as shape:
        empty.environment_variants("F", "prod")
    assert str(shape.value) == "Unleash: read the variants of F in prod: the answer has no variants list"
    assert shape.value.status == 200


def test_unleash_defaults_timeout_ca_bundle_and_retry_notices(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    answers = iter([httpx.Response(503), httpx.Response(401, json={"message": "no"})])
    notices: list[http.RetryNotice] = []
    client = UnleashClient(
        "http://unleash.test/",
        "tok-123456",
        timeout=3.5,
        retry=http.RetryPolicy(attempts=3),
        transport=httpx.MockTransport(lambda r: seen.append(r) or next(answers)),
        on_retry=notices.append,
    )
    assert client._http.timeout == httpx.Timeout(3.5)
    with pytest.raises(UnleashError, match=r"^Unleash refused the token in the Unleash token \(read flag F"):
        client.feature("F")
    assert [r.url.path for r in seen] == ["/api/admin/projects/default/features/F"] * 2
    assert [(n.system, n.reason, n.attempt) for n in notices] == [("Unleash", "HTTP 503", 2)]
    from contract.errors import ExternalError

    with pytest.raises(ExternalError, match="cannot read the CA bundle"):
        UnleashClient("http://unleash.test", "tok", ca_bundle=str(tmp_path / "missing.pem"))
    config = parse(Unleash, {"url": "http://unleash.test"})
    with pytest.raises(ExternalError, match="cannot read the CA bundle"):
        UnleashClient.from_settings(
            config, {"UNLEASH_ADMIN_TOKEN": "tok"}, timeout=1, ca_bundle=str(tmp_path / "missing.pem")
        )
    later = UnleashClient.from_settings(
        config,
        {"UNLEASH_ADMIN_TOKEN": "tok"},
        timeout=2.5,
        on_retry=notices.append,
        transport=httpx.MockTransport(
            lambda r: httpx.Response(502) if len(notices) < 2 else httpx.Response(404)
        ),
    )
    assert later._http.timeout == httpx.Timeout(2.5)
    assert later.feature("F") is None and notices[-1].system == "Unleash"


def _kubeconfig(tmp_path: Path, server: str) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        ),
        encoding="utf-8",
    )
    return str(path)


def test_an_api_server_that_never_answers_is_bounded_by_the_timeout(tmp_path: Path) -> None:
    import time

    from contract.clients.kube import Kube, KubeError, KubeTarget
    from tests.support.check_servers import silent_port

    with silent_port() as port:
        target = KubeTarget("x", "default", _kubeconfig(tmp_path, f"http://127.0.0.1:{port}"))
        start = time.monotonic()
        with (
            Kube(target, timeout=0.5, retry=http.RetryPolicy(attempts=2)) as kube,
            pytest.raises(KubeError) as info,
        ):
            kube.get("/api/v1/namespaces/default/pods/p")
    assert time.monotonic() - start < 5
    assert str(info.value) == (
        "GET /api/v1/namespaces/default/pods/p: no answer before the timeout after 2 attempts"
    )
    assert info.value.status is None


def test_a_tls_failure_of_the_api_server_is_said_once(tmp_path: Path, hello: int) -> None:
    """https to a server speaking plain HTTP: the kubernetes client raises its own exception,
    which is a local mistake (the kubeconfig's), not retried."""
    from contract.clients.kube import Kube, KubeError, KubeTarget

    target = KubeTarget("x", "default", _kubeconfig(tmp_path, f"https://127.0.0.3:{hello}"))
    notices: list[http.RetryNotice] = []
    with (
        Kube(target, timeout=2, retry=http.RetryPolicy(attempts=3), on_retry=notices.append) as kube,
        pytest.raises(KubeError) as info,
    ):
        kube.list("/api/v1/namespaces/default/pods")
    assert str(info.value) == "GET /api/v1/namespaces/default/pods: SSLError"
    assert info.value.status is None and notices == []


def test_update_and_delete_give_up_on_a_row_that_keeps_changing() -> None:
    from contract.clients.admin_api import MAX_CONFLICT_RETRIES

    def changing(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={**ROW, "etag": "e9"})
        return httpx.Response(412)

    client, seen = _admin(changing)
    with pytest.raises(AdminApiError) as update:
        client.update(dict(ROW), lambda _current: {"displayName": "A"})
    assert str(update.value) == (
        f"admin API: update model a: HTTP 412 etag_mismatch: the row kept changing under {MAX_CONFLICT_RETRIES} attempts"
    )
    assert [r.method for r in seen].count("PATCH") == MAX_CONFLICT_RETRIES
    client, seen = _admin(changing)
    with pytest.raises(AdminApiError) as delete:
        client.delete(dict(ROW), lambda _fresh: True)
    assert str(delete.value) == (
        f"admin API: delete model a: HTTP 412 etag_mismatch: the row kept changing under {MAX_CONFLICT_RETRIES} attempts"
    )
    assert [r.method for r in seen].count("DELETE") == MAX_CONFLICT_RETRIES
    refused, _ = _admin(lambda r: httpx.Response(422, json={"error": {"code": "invalid", "message": "bad"}}))
    with pytest.raises(AdminApiError, match=r"^admin API: update model a: HTTP 422 invalid: bad$"):
        refused.update(dict(ROW), lambda _current: {"displayName": "A"})
    odd, _ = _admin(lambda r: httpx.Response(200, json={"id": "x"}))
    with pytest.raises(AdminApiError, match=r"^admin API: update model: HTTP 200 bad_response"):
        odd.update(dict(ROW), lambda _current: {"displayName": "A"})


def test_models_follow_the_cursor_and_stop_a_cursor_that_never_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    from contract.clients import admin_api
    from contract.errors import ExternalError

    def pages(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        assert request.url.params["limit"] == "2"
        if cursor is None:
            return httpx.Response(200, json={"items": [{"id": "1"}, {"id": "2"}], "nextCursor": "c2"})
        return httpx.Response(200, json={"items": [{"id": "3"}], "nextCursor": None})

    client, seen = _admin(pages)
    assert [r["id"] for r in client.models(page_size=2)] == ["1", "2", "3"]
    assert [r.url.params.get("cursor") for r in seen] == [None, "c2"]
    monkeypatch.setattr(admin_api, "MAX_PAGES", 3)
    endless, seen = _admin(lambda r: httpx.Response(200, json={"items": [], "nextCursor": "again"}))
    with pytest.raises(ExternalError) as info:
        endless.models(page_size=2)
    assert str(info.value) == "admin API: list models: more than 3 pages; the cursor never ends"
    assert len(seen) == 3
    broken, _ = _admin(lambda r: httpx.Response(200, json={"items": "x"}))
    with pytest.raises(AdminApiError, match=r"^admin API: list models: HTTP 200 bad_response: no items list"):
        broken.models()
