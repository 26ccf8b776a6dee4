"""`check`'s small judgements, each pinned in its own words: why a pod did not start, what a
failure says, how an answer is judged, how a result is finished."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract.pipeline._pydantic import parse
from contract.pipeline.model import ModelEntry
from contract.workflows.checks.pods import _stuck, _why_not_started, image
from contract.workflows.checks.steps import (
    StepResult,
    finish,
    judge_embeddings,
    judge_models,
    judge_status,
    judge_tool_call,
    plan,
    problem_result,
    refused,
    timed_out,
    tls_failed,
    unresolvable,
)
from tests.support.check_entries import embedding_entry, entry

KEY = "sk-details-0123456789"


def _target(**fields: Any) -> Any:
    return plan(
        parse(ModelEntry, entry("qwen3", "http://vllm.svc:8000/v1", **fields)),
        {"VLLM_API_KEY": KEY},
        self_hosted=True,
    )


def test_why_a_pod_did_not_start() -> None:
    assert _why_not_started(None) == "the pod disappeared before it finished"
    unschedulable = {
        "status": {
            "phase": "Pending",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/3 nodes",
                },
            ],
        }
    }
    assert _why_not_started(unschedulable) == "the pod could not be scheduled: 0/3 nodes"
    no_message = {
        "status": {"conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}
    }
    assert _why_not_started(no_message) == "the pod could not be scheduled: Unschedulable"
    scheduled = {"status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True"}]}}
    assert _why_not_started(scheduled) == "the pod did not finish in time (phase Pending)"
    evicted = {"status": {"reason": "Evicted", "message": "low on memory"}}
    assert _why_not_started(evicted) == "the pod stopped: Evicted: low on memory"
    deadline = {"status": {"reason": "DeadlineExceeded"}}
    assert _why_not_started(deadline) == "the pod stopped: DeadlineExceeded"
    assert (
        _why_not_started({"status": {"phase": "Running"}}) == "the pod did not finish in time (phase Running)"
    )
    assert _why_not_started({}) == "the pod did not finish in time (phase Pending)"


def test_a_stuck_container_says_what_to_do() -> None:
    pulling = {"state": {"waiting": {"reason": "ErrImagePull", "message": "not found"}}}
    assert _stuck(pulling, "m/busybox:1.36") == (
        "the pod never started: image m/busybox:1.36 cannot be pulled (ErrImagePull: not found); "
        "mirror it and pass --image-registry, or --dns-image/--curl-image and --image-pull-secret"
    )
    config = {"state": {"waiting": {"reason": "CreateContainerConfigError"}}}
    assert _stuck(config, "x") == "the pod never started: CreateContainerConfigError"
    assert _stuck({"state": {"waiting": {"reason": "ContainerCreating"}}}, "x") is None
    assert _stuck({}, "x") is None
    assert image("busybox:1.36", None) == "busybox:1.36"
    assert image("busybox:1.36", "mirror.local/") == "mirror.local/busybox:1.36"


def test_failure_words() -> None:
    target = _target()
    assert refused(target) == (
        "connection refused at vllm.svc:8000: is the server running and listening on that port?"
    )
    assert timed_out(target, 2.5) == (
        "no answer from vllm.svc:8000 within 2.5 s: a firewall dropping packets, "
        "or the server is overloaded (raise --timeout if it is only slow)"
    )
    assert (
        tls_failed("bad") == "TLS failure: bad: for a private CA pass --ca-bundle FILE (or set SSL_CERT_FILE)"
    )
    assert unresolvable("h", "gone") == "cannot resolve h: gone: check the host name and the cluster's DNS"


def test_a_problem_fails_its_step_and_finish_orders_and_skips() -> None:
    target = _target(apiKey="${NOT_SET_HERE}")
    assert problem_result(target) == StepResult(
        "models", "fail", 0, "apiKey names ${NOT_SET_HERE}, which is not set here: export it and run again"
    )
    done = finish(target, [StepResult("models", "fail", 3, "x"), StepResult("dns", "pass", 1, "ok")])
    assert [(s.name, s.status, s.detail) for s in done.steps] == [
        ("dns", "pass", "ok"),
        ("models", "fail", "x"),
        ("tool-call", "skip", "not run: models failed"),
    ]
    assert done.ok is False and done.model == "qwen3" and done.endpoint == "http://vllm.svc:8000/v1"
    passed = finish(target, [StepResult("dns", "pass", 1, "ok")])
    assert [(s.name, s.status, s.detail) for s in passed.steps][1:] == [
        ("models", "skip", "not run"),
        ("tool-call", "skip", "not run"),
    ]
    assert passed.ok is True


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [
        (200, b"", None),
        (
            401,
            b'{"error": {"message": "bad key"}}',
            "HTTP 401 at GET /v1/models: the key was refused: check ${VLLM_API_KEY} (bad key)",
        ),
        (403, b"", "HTTP 403 at GET /v1/models: the key was refused: check ${VLLM_API_KEY}"),
        (
            404,
            b'{"detail": "Not Found"}',
            "HTTP 404 at GET /v1/models: wrong path: check that apiBase ends in /v1 (or the provider's path) (Not Found)",
        ),
        (429, b'{"message": "quota"}', "HTTP 429 at GET /v1/models: rate limited or out of quota (quota)"),
        (500, b'{"error": "boom"}', "HTTP 500 at GET /v1/models (boom)"),
        (502, b"  bad\n  gateway  ", "HTTP 502 at GET /v1/models (bad gateway)"),
        (503, b"x" * 300, "HTTP 503 at GET /v1/models (" + "x" * 159 + "…)"),
    ],
)
def test_judge_status(status: int, body: bytes, detail: str | None) -> None:
    target = _target()
    assert judge_status(target, target.calls["models"], status, body) == detail


def test_judge_status_without_a_key() -> None:
    target = plan(
        parse(ModelEntry, {**entry("qwen3", "http://vllm.svc:8000/v1"), "apiKey": None}), {}, self_hosted=True
    )
    assert judge_status(target, target.calls["models"], 401, b"") == (
        "HTTP 401 at GET /v1/models: the server wants a key and the entry has none: set apiKey"
    )
    literal = plan(
        parse(ModelEntry, entry("qwen3", "http://vllm.svc:8000/v1", apiKey="sk-literal-123456")),
        {},
        self_hosted=True,
    )
    assert judge_status(literal, literal.calls["models"], 401, b"").endswith(
        "the key was refused: check apiKey"
    )


def test_judge_models() -> None:
    target = _target()
    assert judge_models(target, b"[]") == (
        "fail",
        "the model list is not a JSON object: is apiBase pointing at the model server?",
    )
    assert judge_models(target, b'{"data": 3}') == ("fail", "the answer has no model list (no `data` array)")
    many = b'{"data": [' + b",".join(b'{"id": "m%d"}' % i for i in range(10)) + b"]}"
    status, detail = judge_models(target, many)
    assert status == "fail" and detail.startswith(
        "served names: m0, m1, m2, m3, m4, m5, m6, m7 (+2 more); expected qwen3"
    )
    assert judge_models(target, b'{"data": []}')[1].startswith("served names: none; expected qwen3")
    assert judge_models(target, b'{"data": [{"id": "qwen3", "max_model_len": 32768}]}') == (
        "pass",
        "qwen3 served, max_model_len 32768",
    )
    assert judge_models(target, b'{"data": [{"id": "qwen3", "max_model_len": 100}]}') == (
        "fail",
        "qwen3: the server's max_model_len 100 is below contextWindow 32768: raise --max-model-len or lower contextWindow",
    )
    assert judge_models(target, b'{"data": [{"id": "qwen3", "max_model_len": true}]}') == (
        "pass",
        "qwen3 served",
    )
    assert judge_models(target, b'{"models": [{"name": "qwen3"}, "junk", {"id": 3}]}') == (
        "pass",
        "qwen3 served",
    )
    cloud = plan(
        parse(ModelEntry, entry("gpt", "https://api.openai.com/v1", litellmModel="openai/gpt-4o")),
        {"VLLM_API_KEY": KEY},
        self_hosted=False,
    )
    assert judge_models(cloud, b'{"data": [{"id": "a"}]}') == ("pass", "1 model listed")
    assert judge_models(cloud, b'{"data": [{"id": "a"}, {"id": "b"}]}') == ("pass", "2 models listed")


def test_judge_tool_call_and_embeddings() -> None:
    target = _target()
    assert judge_tool_call(target, b"{}") == (
        "fail",
        "the answer is not a chat completion (no choices[0].message)",
    )
    other = b'{"choices": [{"message": {"tool_calls": [{"function": {"name": "lookup"}}, "junk"]}}]}'
    assert judge_tool_call(target, other) == (
        "fail",
        "tool_calls names lookup, not get_weather: tool-call parser wrong",
    )
    assert judge_tool_call(target, b'{"choices": [{"message": {"content": "sunny"}}]}')[1].startswith(
        "tool-call parser missing or wrong: the reply was plain text"
    )
    embedding = plan(
        parse(ModelEntry, embedding_entry("nomic", "http://vllm.svc:8000/v1")),
        {"VLLM_API_KEY": KEY},
        self_hosted=True,
    )
    assert judge_embeddings(embedding, b'{"data": [{"embedding": [0.1, 2]}]}') == (
        "pass",
        "a vector of 2 dimensions",
    )
    assert judge_embeddings(embedding, b'{"embedding": {"values": [1, 2, 3]}}') == (
        "pass",
        "a vector of 3 dimensions",
    )
    assert judge_embeddings(embedding, b'{"embeddings": [[1.5]]}') == ("pass", "a vector of 1 dimensions")
    for bad in (
        b'{"data": []}',
        b'{"data": [{"embedding": []}]}',
        b'{"data": [{"embedding": ["x"]}]}',
        b"[]",
    ):
        assert judge_embeddings(embedding, bad) == (
            "fail",
            "no embedding vector in the answer (expected data[0].embedding with numbers)",
        )


def test_transport_failures_from_here_in_words() -> None:
    import httpx

    from contract.workflows.checks.local import _transport_failure

    target = _target()
    assert _transport_failure(target, httpx.ReadTimeout("slow"), 2.0) == timed_out(target, 2.0)
    assert _transport_failure(target, httpx.ConnectTimeout("slow"), 3.0) == timed_out(target, 3.0)
    assert _transport_failure(
        target, httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed"), 1
    ) == (tls_failed("self-signed"))
    assert _transport_failure(target, httpx.ConnectError("TLS handshake"), 1) == tls_failed("TLS handshake")
    assert _transport_failure(target, httpx.ConnectError("[Errno 111] Connection REFUSED"), 1) == refused(
        target
    )
    assert _transport_failure(target, httpx.ConnectError(f"no route, key {KEY}"), 1) == (
        "cannot connect to vllm.svc:8000: no route, key ****"
    )
    assert _transport_failure(target, httpx.RemoteProtocolError("x"), 1) == (
        "vllm.svc:8000 closed the connection without an answer: is it an HTTP server (http vs https)?"
    )
    assert (
        _transport_failure(target, httpx.ProxyError(f"proxy said {KEY}"), 1) == "ProxyError: proxy said ****"
    )


def test_curl_failures_in_the_cluster_in_words() -> None:
    from contract.workflows.checks.pods import _Answer, _curl_failure

    target = _target()

    def answer(code: int, message: str = "") -> _Answer:
        return _Answer("models", code, 0, 0.0, b"", message)

    assert _curl_failure(target, answer(6), 3) == unresolvable("vllm.svc", "curl could not resolve it")
    assert _curl_failure(target, answer(7), 3) == refused(target)
    assert _curl_failure(target, answer(28), 4) == timed_out(target, 4)
    assert _curl_failure(target, answer(60, f"curl: (60) bad cert {KEY}"), 3) == tls_failed(
        "curl: (60) bad cert ****"
    )
    assert _curl_failure(target, answer(35), 3) == tls_failed("curl exit 35")
    assert _curl_failure(target, answer(52), 3) == (
        "vllm.svc:8000 closed the connection without an answer: is it an HTTP server?"
    )
    assert (
        _curl_failure(target, answer(3, f"curl: (3) URL {KEY}"), 3)
        == "curl failed (exit 3): curl: (3) URL ****"
    )


def test_summary_timestamps_and_expiry_labels() -> None:
    import datetime as dt

    from contract.workflows.checks import summarize
    from contract.workflows.checks.pods import EXPIRES_LABEL, _expiry, _timestamp
    from contract.workflows.checks.steps import EntryResult

    ok = EntryResult("a", "", (StepResult("dns", "pass", 1, "ok"),))
    bad = EntryResult(
        "b", "", (StepResult("dns", "pass", 1, "ok"), StepResult("models", "fail", 2, "HTTP 401"))
    )
    worse = EntryResult(
        "c", "", (StepResult("dns", "fail", 2, "gone"), StepResult("models", "skip", 0, "not run"))
    )
    assert summarize([ok, ok]) == "2 endpoint(s) passed"
    assert summarize([ok, bad, worse]) == "2 of 3 endpoint(s) failed: b (models: HTTP 401); c (dns: gone)"
    assert _timestamp("2026-01-02T03:04:05Z") == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert _timestamp("2026-01-02 03:04:05") is None and _timestamp(None) is None and _timestamp(5) is None
    assert _expiry({"metadata": {"labels": {EXPIRES_LABEL: "1700000000"}}}) == 1700000000
    assert _expiry({"metadata": {"labels": {EXPIRES_LABEL: "soon"}}}) is None
    assert _expiry({"metadata": {"labels": {}}}) is None and _expiry({}) is None


def test_an_excerpt_of_an_empty_or_odd_answer() -> None:
    from contract.workflows.checks.steps import _excerpt

    target = _target()
    assert _excerpt(target, b"") == ""
    assert _excerpt(target, b'{"error": {"message": 5}}') == '{"error": {"message": 5}}'
    assert _excerpt(target, b'{"error": "", "message": "m"}') == "m"
    assert _excerpt(target, b"\xff\xfe oops") == "\ufffd\ufffd oops"


def test_the_text_report_exactly() -> None:
    from contract.reporting.checks import render_text
    from contract.workflows.checks import CheckReport
    from contract.workflows.checks.steps import EntryResult

    results = (
        EntryResult(
            "qwen3", "http://vllm.svc:8000/v1", (StepResult("dns", "pass", 3, "vllm.svc → 10.0.0.1"),)
        ),
        EntryResult(
            "b", "", (StepResult("dns", "fail", 0, "no endpoint"), StepResult("models", "skip", 0, "not run"))
        ),
    )
    cluster = render_text(CheckReport("c.yaml", "cluster", results))
    assert cluster == (
        "c.yaml: checked 2 model(s) from inside the cluster\n"
        "\n"
        "MODEL  STEP        RESULT      MS  DETAIL\n"
        "qwen3  http://vllm.svc:8000/v1\n"
        "       dns         pass         3  vllm.svc → 10.0.0.1\n"
        "b      (no endpoint)\n"
        "       dns         FAIL         0  no endpoint\n"
        "       models      skip         0  not run\n"
        "\n"
        "1 of 2 failed: b\n"
    )
    local = render_text(CheckReport("c.yaml", "local", results[:1]))
    assert local.splitlines()[0] == "c.yaml: checked 1 model(s) from here (local)"
    assert local.splitlines()[2] == "MODEL  STEP        RESULT      MS  DETAIL"
    assert local.endswith("\nall 1 passed\n")
    coloured = render_text(CheckReport("c.yaml", "local", results), colour=True)
    assert "\x1b[1mMODEL" in coloured and "\x1b[31m\x1b[1mFAIL  \x1b[0m" in coloured
    assert "\x1b[32m\x1b[22mpass  \x1b[0m" in coloured and "\x1b[33m\x1b[22mskip  \x1b[0m" in coloured


def _cloud(litellm_model: str, **fields: Any) -> Any:
    return parse(
        ModelEntry,
        {
            "litellmModelName": "m",
            "litellmModel": litellm_model,
            "displayName": "M",
            "provider": "Some Cloud",
            "type": "CHAT",
            "metadataType": "Text Generation",
            "contextWindow": 8192,
            **fields,
        },
    )


def test_plan_without_an_endpoint_or_a_known_protocol() -> None:
    vertex = plan(_cloud("vertex_ai/gemini-2.5-pro"), {}, self_hosted=False)
    why = "Vertex AI's endpoint is per project and region; not checked"
    assert (vertex.endpoint, vertex.host, vertex.port, vertex.calls) == ("", None, None, {})
    assert vertex.skips == {"dns": why, "models": why} and vertex.problem is None
    bedrock = plan(_cloud("bedrock/anthropic.claude-v2"), {}, self_hosted=False)
    why = "Bedrock needs awsRegion to know its endpoint"
    assert bedrock.skips == {"dns": why, "models": why} and bedrock.problem is None
    unknown = plan(_cloud("nowhere/model", apiKey="${UNSET_KEY}"), {}, self_hosted=False)
    assert unknown.skips == {} and unknown.problem_step == "dns"
    # the unset key is the first problem; without it, the missing base URL is
    assert unknown.problem == "apiKey names ${UNSET_KEY}, which is not set here: export it and run again"
    unknown = plan(_cloud("nowhere/model"), {}, self_hosted=False)
    assert (unknown.problem, unknown.problem_step) == (
        "no apiBase and no default base URL for provider 'Some Cloud': set apiBase",
        "dns",
    )
    listed = plan(_cloud("vertex_ai/gemini-2.5-pro", apiBase="https://[::1]:8443/v1/"), {}, self_hosted=False)
    assert (listed.endpoint, listed.host, listed.port, listed.calls) == (
        "https://[::1]:8443/v1/",
        "::1",
        8443,
        {},
    )
    assert listed.skips == {"models": "no known protocol for prefix 'vertex_ai'; not checked"}


def test_plan_unset_variables_and_a_model_without_a_prefix() -> None:
    base = plan(_cloud("gpt-x", apiBase="${UNSET_BASE}/v1", apiKey="${UNSET_KEY}"), {}, self_hosted=False)
    assert (base.problem, base.problem_step) == ("apiBase names ${UNSET_BASE}, which is not set here", "dns")
    version = plan(
        _cloud("azure/dep", apiBase="https://res.example", apiKey="${K}", apiVersion="${UNSET_VERSION}"),
        {"K": KEY},
        self_hosted=False,
    )
    assert (version.problem, version.problem_step) == (
        "apiVersion names ${UNSET_VERSION}, which is not set here",
        "models",
    )
    bare = plan(_cloud("gpt-x", apiBase="http://10.0.0.5/v1"), {}, self_hosted=True)
    assert (bare.served_name, bare.port, bare.scheme) == ("gpt-x", 80, "http")
    assert bare.calls["tool-call"].body["model"] == "gpt-x" and not bare.calls["models"].secret_headers


class _Logs:
    """The one thing a verdict asks of the cluster: a container's log."""

    def __init__(self, **logs: str) -> None:
        self.logs = logs

    def text(self, path: str, params: dict[str, str]) -> str:
        assert path == "/api/v1/namespaces/platform/pods/ic-check-r1-0/log"
        return self.logs.get(params["container"], "")


def _state(name: str, **state: Any) -> dict[str, Any]:
    return {"name": name, "state": state}


def _verdict(kube: Any, target: Any, pod: Any, overdue: bool = False, dns_in_pod: bool = True) -> Any:
    from contract.workflows.checks.pods import PodOptions, _Plan, _PodRun

    options = PodOptions("platform", run_id="r1", registry="registry.local/mirror")
    steps = tuple(s for s in target.steps if s != "dns")
    run = _PodRun(kube, [target], options, 3.0)
    result = run.verdict(_Plan(0, target, "ic-check-r1-0", dns_in_pod, steps, None), pod, overdue)
    return None if result is None else [(s.name, s.status, s.ms, s.detail) for s in result.steps]


def test_pod_verdicts_of_the_dns_and_the_check_container() -> None:
    target = _target()
    resolved = {
        "terminated": {
            "exitCode": 0,
            "startedAt": "2026-01-01T00:00:00Z",
            "finishedAt": "2026-01-01T00:00:02Z",
        }
    }
    dns_log = "Server: 10.96.0.10\nAddress: 10.96.0.10:53\n\nName: vllm.svc\nAddress: 10.0.0.7\n"
    assert _verdict(_Logs(), target, None) is None
    waiting = {"status": {"phase": "Pending", "initContainerStatuses": [_state("dns", waiting={})]}}
    assert _verdict(_Logs(), target, waiting) is None
    assert _verdict(_Logs(), target, waiting, overdue=True) == [
        ("dns", "fail", 0, "the pod did not finish in time (phase Pending)"),
        ("models", "skip", 0, "not run: dns failed"),
        ("tool-call", "skip", 0, "not run: dns failed"),
    ]
    running = {"status": {"initContainerStatuses": [_state("dns", **resolved)], "containerStatuses": []}}
    assert _verdict(_Logs(dns=dns_log), target, running) is None
    pulling = {
        "status": {
            "initContainerStatuses": [_state("dns", **resolved)],
            "containerStatuses": [_state("check", waiting={"reason": "ImagePullBackOff"})],
        }
    }
    assert _verdict(_Logs(dns=dns_log), target, pulling)[:2] == [
        ("dns", "pass", 2000, "vllm.svc → 10.0.0.7"),
        (
            "models",
            "fail",
            0,
            "the pod never started: image registry.local/mirror/curlimages/curl:8.10.1 cannot be pulled "
            "(ImagePullBackOff); mirror it and pass --image-registry, or --dns-image/--curl-image and "
            "--image-pull-secret",
        ),
    ]
    crashed = {
        "status": {
            "initContainerStatuses": [_state("dns", terminated={"exitCode": 0})],
            "containerStatuses": [_state("check", terminated={"exitCode": 137, "reason": "OOMKilled"})],
        }
    }
    log = f"@@step models\ncurl: out of memory {KEY}\n"
    assert _verdict(_Logs(dns="Address: 1.2.3.4", check=log), target, crashed) == [
        ("dns", "pass", 0, "vllm.svc → resolved"),
        ("models", "fail", 0, "the check container exited with 137 (OOMKilled): curl: out of memory ****"),
        ("tool-call", "skip", 0, "not run: models failed"),
    ]
    crashed["status"]["containerStatuses"] = [_state("check", terminated={"exitCode": 2})]
    assert (
        _verdict(_Logs(check="@@step models\n"), target, crashed)[1][3] == "the check container exited with 2"
    )


def test_pod_verdicts_of_the_http_steps() -> None:
    target = _target(apiBase="http://10.0.0.9:8000/v1")
    done = {"status": {"containerStatuses": [_state("check", terminated={"exitCode": 0})]}}
    listed = json.dumps({"data": [{"id": "qwen3"}]})
    refused_log = (
        f"@@step models\n{listed}\n@@http 200 0.012\n@@curl 0\n@@step tool-call\ncurl: (7)\n@@curl 7\n"
    )
    assert _verdict(_Logs(check=refused_log), target, done, dns_in_pod=False) == [
        ("dns", "pass", 0, "10.0.0.9 is an address: nothing to resolve"),
        ("models", "pass", 12, "qwen3 served"),
        ("tool-call", "fail", 0, refused(target)),
    ]
    cut = f"@@step models\n{listed}\n@@http 200 0.5\n@@curl 0\n"
    assert _verdict(_Logs(check=cut), target, done, dns_in_pod=False)[1:] == [
        ("models", "pass", 500, "qwen3 served"),
        ("tool-call", "skip", 0, "not run"),
    ]
    wrong = '@@step models\n{"error": "bad key"}\n@@http 401 0.25\n@@curl 0\n'
    assert _verdict(_Logs(check=wrong), target, done, dns_in_pod=False)[1:] == [
        (
            "models",
            "fail",
            250,
            "HTTP 401 at GET /v1/models: the key was refused: check ${VLLM_API_KEY} (bad key)",
        ),
        ("tool-call", "skip", 0, "not run: models failed"),
    ]


def test_entries_that_need_no_pod_are_judged_without_the_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    from contract.workflows.checks.pods import PodOptions, _PodRun

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    no_base = _target(apiBase="${UNSET_BASE}")
    address = _target(apiBase="http://10.0.0.9:8000/v1", apiKey="${UNSET_KEY}")
    vertex = plan(_cloud("vertex_ai/gemini-2.5-pro"), {}, self_hosted=False)
    heard: list[str] = []
    run = _PodRun(object(), [no_base, address, vertex], PodOptions("platform", run_id="r1"), 3.0)
    results = run.run(4, lambda r: heard.append(r.steps[0].detail))
    assert [[(s.name, s.status, s.detail) for s in r.steps] for r in results] == [
        [
            ("dns", "fail", "apiBase names ${UNSET_BASE}, which is not set here"),
            ("models", "skip", "not run: dns failed"),
            ("tool-call", "skip", "not run: dns failed"),
        ],
        [
            ("dns", "pass", "10.0.0.9 is an address: nothing to resolve"),
            ("models", "fail", "apiKey names ${UNSET_KEY}, which is not set here: export it and run again"),
            ("tool-call", "skip", "not run: models failed"),
        ],
        [
            ("dns", "skip", "Vertex AI's endpoint is per project and region; not checked"),
            ("models", "skip", "Vertex AI's endpoint is per project and region; not checked"),
        ],
    ]
    assert heard == [
        "apiBase names ${UNSET_BASE}, which is not set here",
        "10.0.0.9 is an address: nothing to resolve",
        "Vertex AI's endpoint is per project and region; not checked",
    ]
    assert run.created_pods == set() and not run.secret_created


def test_a_pod_without_http_steps_reports_the_entrys_problem() -> None:
    target = _target(apiKey="${UNSET_KEY}")
    done = {"status": {"initContainerStatuses": [_state("dns", terminated={"exitCode": 1})]}}
    assert _verdict(_Logs(), target, done) == [
        ("dns", "fail", 0, unresolvable("vllm.svc", "nslookup exited with 1")),
        ("models", "skip", 0, "not run: dns failed"),
        ("tool-call", "skip", 0, "not run: dns failed"),
    ]
    from contract.workflows.checks.pods import PodOptions, _Plan, _PodRun

    ok = {"status": {"initContainerStatuses": [_state("dns", terminated={"exitCode": 0})]}}
    run = _PodRun(
        _Logs(dns="Name: vllm.svc\nAddress 1: 10.0.0.7 vllm\n"), [target], PodOptions("platform"), 3.0
    )
    result = run.verdict(_Plan(0, target, "ic-check-r1-0", True, (), None), ok, False)
    assert result is not None
    assert [(s.name, s.status, s.detail) for s in result.steps] == [
        ("dns", "pass", "vllm.svc → 10.0.0.7"),
        ("models", "fail", "apiKey names ${UNSET_KEY}, which is not set here: export it and run again"),
        ("tool-call", "skip", "not run: models failed"),
    ]
    result = run.verdict(_Plan(0, _target(), "ic-check-r1-0", True, (), None), ok, False)
    assert result is not None
    assert [(s.name, s.status, s.detail) for s in result.steps] == [
        ("dns", "pass", "vllm.svc → 10.0.0.7"),
        ("models", "skip", "not run"),
        ("tool-call", "skip", "not run"),
    ]
