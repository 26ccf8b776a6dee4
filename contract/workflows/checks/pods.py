"""Run the steps inside the cluster: one short-lived, restricted pod per entry.

Each pod has an init container `dns` (busybox: `nslookup HOST`) and a container `check`
(curl) that runs the entry's HTTP steps in order and prints, for each, the answer's status
and body between markers. The verdicts are the same `steps.judge` functions the local runner
uses, read from the container's own exit state and log, never from the pod phase.

Keys reach the pods in one short-lived Secret created for the run: each pod mounts only its
own header file and curl reads it with `-H @file`, so a key is neither in a pod spec, nor in
an environment variable, nor on a command line. A private CA (`--ca-bundle`, `SSL_CERT_FILE`)
travels in the same Secret.

The pods meet the *restricted* Pod Security Standard. Every pod and the Secret are deleted at
the end: after success, after a failure, and on Ctrl-C (the CLI turns SIGTERM and SIGHUP into
the same interruption). Clean-up finds them by the run's label, so an object whose create
answer was lost is deleted too; a create whose answer was lost and whose retry met a 409 is
adopted when the object carries this run's label.

A run killed outright (SIGKILL, a node lost) cannot clean up: every object carries the label
`install-contract/expires` (Unix seconds) after which no run still uses it, and each cluster
run first deletes the expired leftovers of earlier runs in its namespace, and says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shlex
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.errors import ExternalError, InputError
from contract.knowledge.images import CURL_IMAGE, DNS_IMAGE
from contract.workflows.checks.steps import (
    EntryResult,
    StepName,
    StepResult,
    Target,
    finish,
    is_address,
    judge,
    problem_result,
    refused,
    timed_out,
    tls_failed,
    unresolvable,
)
from contract.workflows.managed import MANAGED_BY, MANAGED_LABEL

if TYPE_CHECKING:
    from contract.clients.kube import Kube

RUN_LABEL = "install-contract/run-id"
EXPIRES_LABEL = "install-contract/expires"
# Beyond its own time limit, how long an object is kept for a run that is slow to delete it.
EXPIRY_MARGIN = 300
MOUNT = "/run/install-contract"
NOBODY = 65534
# The kubelet's reasons for a container that will not start without someone fixing something.
STUCK = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
_CURL_TLS = frozenset({35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91})

OnResult = Callable[[EntryResult], None]
OnNotice = Callable[[str], None]


@dataclass(frozen=True)
class PodOptions:
    """Where and how the check pods run."""

    namespace: str
    run_id: str = ""
    dns_image: str = DNS_IMAGE
    curl_image: str = CURL_IMAGE
    registry: str | None = None  # a mirror prefix: registry.local/mirror → registry.local/mirror/busybox:1.36
    pull_secrets: tuple[str, ...] = ()
    ca_bundle: str | None = None
    start_timeout: float = 120.0  # scheduling and image pulls
    poll_interval: float = 1.0


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]


def image(name: str, registry: str | None) -> str:
    return f"{registry.rstrip('/')}/{name}" if registry else name


# ------------------------------------------------------------------ pod specs


@dataclass(frozen=True)
class _Plan:
    index: int
    target: Target
    name: str
    dns_in_pod: bool
    http_steps: tuple[StepName, ...]
    header_key: str | None  # the Secret key holding this entry's header file


def _http_steps(target: Target) -> tuple[StepName, ...]:
    return tuple(s for s in target.steps if s != "dns" and s not in target.skips and s in target.calls)


def _container_security(assign_uid: bool) -> dict[str, Any]:
    context: dict[str, Any] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if assign_uid:
        context["runAsUser"] = NOBODY
        context["runAsGroup"] = NOBODY
    return context


_RESOURCES = {
    "requests": {"cpu": "10m", "memory": "16Mi"},
    "limits": {"cpu": "200m", "memory": "64Mi"},
}


def check_script(
    target: Target, steps: Sequence[str], timeout: float, header_file: bool, ca_file: bool
) -> str:
    """The `check` container's shell script: each step's answer between markers, in order."""
    seconds = max(1, round(timeout))
    lines = [
        "set -u",
        "step() {",
        "  name=$1; shift",
        f"  out=$(curl -sS -m {seconds} -w '\\n@@http %{{http_code}} %{{time_total}}' \"$@\" 2>&1)",
        "  rc=$?",
        '  printf \'@@step %s\\n%s\\n@@curl %s\\n\' "$name" "$out" "$rc"',
        '  [ "$rc" -eq 0 ] || exit 0',
        "  case \"$out\" in *'@@http 200 '*) ;; *) exit 0 ;; esac",
        "}",
    ]
    for step in steps:
        call = target.calls[step]
        args = ["-X", call.method]
        for name, value in call.headers:
            args += ["-H", f"{name}: {value}"]
        quoted = " ".join(shlex.quote(a) for a in args)
        if header_file and call.secret_headers:
            quoted += f" -H @{MOUNT}/headers"
        if ca_file:
            quoted += f" --cacert {MOUNT}/ca.pem"
        if call.body is not None:
            import json

            quoted += " --data-binary " + shlex.quote(json.dumps(call.body, separators=(",", ":")))
        lines.append(f"step {step} {quoted} {shlex.quote(call.url)}")
        if step == "models" and target.served_name:
            # a served name missing fails `models`: do not send the later requests
            lines.append(
                f'case "$out" in *{shlex.quote(chr(34) + target.served_name + chr(34))}*) ;; *) exit 0 ;; esac'
            )
    return "\n".join(lines) + "\n"


def _check_container(
    plan: _Plan, options: PodOptions, timeout: float, secret_name: str | None, ca_file: bool, assign_uid: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The curl container that sends the HTTP steps, and the Secret volume it mounts (if any)."""
    check: dict[str, Any] = {
        "name": "check",
        "image": image(options.curl_image, options.registry),
        "command": [
            "sh",
            "-c",
            check_script(plan.target, plan.http_steps, timeout, plan.header_key is not None, ca_file),
        ],
        "securityContext": _container_security(assign_uid),
        "resources": _RESOURCES,
    }
    items = []
    if plan.header_key is not None:
        items.append({"key": plan.header_key, "path": "headers"})
    if ca_file:
        items.append({"key": "ca.pem", "path": "ca.pem"})
    volumes: list[dict[str, Any]] = []
    if items and secret_name:
        volumes.append(
            {"name": "check", "secret": {"secretName": secret_name, "items": items, "defaultMode": 0o444}}
        )
        check["volumeMounts"] = [{"name": "check", "mountPath": MOUNT, "readOnly": True}]
    return check, volumes


def pod_spec(
    plan: _Plan,
    options: PodOptions,
    *,
    timeout: float,
    secret_name: str | None,
    ca_file: bool,
    assign_uid: bool,
    expires: int = 0,
) -> dict[str, Any]:
    """A pod meeting the restricted Pod Security Standard that runs one entry's steps."""
    target = plan.target
    deadline = int(options.start_timeout + timeout * (len(plan.http_steps) + 1) + 30)
    dns_container = {
        "name": "dns",
        "image": image(options.dns_image, options.registry),
        "command": ["nslookup", target.host or ""],
        "securityContext": _container_security(assign_uid),
        "resources": _RESOURCES,
    }
    containers: list[dict[str, Any]] = []
    init: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    if plan.http_steps:
        check, volumes = _check_container(plan, options, timeout, secret_name, ca_file, assign_uid)
        containers.append(check)
        if plan.dns_in_pod:
            init.append(dns_container)
    else:
        containers.append(dns_container)
    pod_security: dict[str, Any] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    if assign_uid:
        pod_security.update(runAsUser=NOBODY, runAsGroup=NOBODY)
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "activeDeadlineSeconds": deadline,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security,
        "containers": containers,
    }
    if init:
        spec["initContainers"] = init
    if volumes:
        spec["volumes"] = volumes
    if options.pull_secrets:
        spec["imagePullSecrets"] = [{"name": name} for name in options.pull_secrets]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": plan.name,
            "namespace": options.namespace,
            "labels": _labels(options.run_id, expires),
            "annotations": {"sidecar.istio.io/inject": "false", "install-contract/model": target.model},
        },
        "spec": spec,
    }


def _labels(run_id: str, expires: int) -> dict[str, str]:
    labels = {MANAGED_LABEL: MANAGED_BY, RUN_LABEL: run_id}
    if expires:
        labels[EXPIRES_LABEL] = str(expires)
    return labels


def _expiry(obj: Mapping[str, Any]) -> int | None:
    value = ((obj.get("metadata") or {}).get("labels") or {}).get(EXPIRES_LABEL)
    return int(value) if isinstance(value, str) and value.isdigit() else None


def sweep_expired(kube: Kube, namespace: str, now: float | None = None) -> list[str]:
    """Delete the pods and Secrets of earlier check runs whose `expires` label has passed;
    what was deleted (`pod/NAME`, `secret/NAME`). Objects of a run still going are not
    touched: their label is in the future."""
    from contract.clients.kube import KubeError

    now = time.time() if now is None else now
    selector = f"{MANAGED_LABEL}={MANAGED_BY},{RUN_LABEL},{EXPIRES_LABEL}"
    deleted: list[str] = []
    for plural, kind in (("pods", "pod"), ("secrets", "secret")):
        path = f"/api/v1/namespaces/{namespace}/{plural}"
        for obj in kube.list(path, label_selector=selector):
            expires = _expiry(obj)
            name = (obj.get("metadata") or {}).get("name")
            if expires is None or expires >= now or not isinstance(name, str):
                continue
            try:
                if kube.delete(f"{path}/{name}"):
                    deleted.append(f"{kind}/{name}")
            except KubeError:
                continue  # not ours to force: the next run tries again
    return deleted


def _header_file(target: Target, step_calls: Sequence[str]) -> str | None:
    headers: dict[str, str] = {}
    for step in step_calls:
        headers.update(dict(target.calls[step].secret_headers))
    if not headers:
        return None
    return "".join(f"{name}: {value}\n" for name, value in headers.items())


def _assigns_uids(kube: Kube, namespace: str) -> bool:
    """OpenShift assigns each namespace a UID range: then the pod must not pick its own UID."""
    from contract.clients.kube import KubeError

    try:
        found = kube.get(f"/api/v1/namespaces/{namespace}")
    except KubeError:
        return False  # not allowed to read namespaces: assume a plain cluster
    annotations = ((found or {}).get("metadata") or {}).get("annotations") or {}
    return "openshift.io/sa.scc.uid-range" in annotations


# -------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class _Answer:
    step: str
    curl_exit: int
    http: int
    seconds: float
    body: bytes
    message: str  # the last line curl printed before its marker (an error, when it failed)


_HTTP_LINE = re.compile(r"@@http (\d{3}) ([0-9.]+)\s*$")


def parse_log(log: str) -> list[_Answer]:
    """The answers the check container printed, in order."""
    answers: list[_Answer] = []
    step: str | None = None
    lines: list[str] = []
    for line in log.splitlines():
        if line.startswith("@@step "):
            step, lines = line[len("@@step ") :].strip(), []
        elif line.startswith("@@curl ") and step is not None:
            code = int(line.split()[1]) if line.split()[1:] and line.split()[1].isdigit() else -1
            http, seconds, body_lines = 0, 0.0, lines
            if lines and (match := _HTTP_LINE.search(lines[-1])):
                http, seconds = int(match[1]), float(match[2])
                body_lines = [*lines[:-1], lines[-1][: match.start()]]
            text = "\n".join(body_lines).strip()
            message = text.splitlines()[-1] if text else ""
            answers.append(_Answer(step, code, http, seconds, text.encode(), message))
            step = None
        elif step is not None:
            lines.append(line)
    return answers


def _curl_failure(target: Target, answer: _Answer, timeout: float) -> str:
    code = answer.curl_exit
    if code == 6:
        return unresolvable(target.host or "", "curl could not resolve it")
    if code == 7:
        return refused(target)
    if code == 28:
        return timed_out(target, timeout)
    if code in _CURL_TLS:
        return tls_failed(target.mask(answer.message or f"curl exit {code}"))
    if code == 52:
        return f"{target.host}:{target.port} closed the connection without an answer: is it an HTTP server?"
    return target.mask(f"curl failed (exit {code}): {answer.message}")


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _container(pod: Mapping[str, Any], name: str) -> dict[str, Any]:
    status = pod.get("status") or {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for entry in status.get(key) or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                return entry
    return {}


def _stuck(state: Mapping[str, Any], image_name: str) -> str | None:
    waiting = (state.get("state") or {}).get("waiting") or {}
    reason = waiting.get("reason")
    if reason not in STUCK:
        return None
    message = f": {waiting['message']}" if waiting.get("message") else ""
    if "Image" in str(reason):
        return (
            f"the pod never started: image {image_name} cannot be pulled ({reason}{message}); "
            "mirror it and pass --image-registry, or --dns-image/--curl-image and --image-pull-secret"
        )
    return f"the pod never started: {reason}{message}"


def _why_not_started(pod: Mapping[str, Any] | None) -> str:
    if pod is None:
        return "the pod disappeared before it finished"
    status = pod.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return f"the pod could not be scheduled: {condition.get('message') or condition.get('reason')}"
    if status.get("reason"):
        return f"the pod stopped: {status['reason']}: {status.get('message', '')}".rstrip(": ")
    return f"the pod did not finish in time (phase {status.get('phase') or 'Pending'})"


def _address_pass(target: Target) -> StepResult:
    return StepResult("dns", "pass", 0, f"{target.host} is an address: nothing to resolve")


def _without_pod(target: Target, dns_runs: bool) -> EntryResult:
    """The result of an entry that needs no pod: an unset ${VAR} in apiBase, or only an address."""
    early: list[StepResult] = []
    if target.problem and target.problem_step == "dns":
        early.append(problem_result(target))
    else:
        if dns_runs:
            early.append(_address_pass(target))
        if target.problem:
            early.append(problem_result(target))
    return finish(target, early)


def _dns_result(target: Target, terminated: Mapping[str, Any], log: str) -> StepResult:
    """The `dns` step from the init container's exit and its nslookup output."""
    started, ended = _timestamp(terminated.get("startedAt")), _timestamp(terminated.get("finishedAt"))
    ms = int((ended - started).total_seconds() * 1000) if started and ended else 0
    if terminated.get("exitCode") == 0:
        addresses = re.findall(r"Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)", log.split("Name:", 1)[-1])
        found = ", ".join(addresses[:3]) if "Name:" in log and addresses else "resolved"
        return StepResult("dns", "pass", ms, f"{target.host} → {found}")
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    reason = lines[-1] if lines else f"nslookup exited with {terminated.get('exitCode')}"
    return StepResult("dns", "fail", ms, unresolvable(target.host or "", target.mask(reason)))


def _exited(target: Target, step: StepName, terminated: Mapping[str, Any], log: str) -> StepResult:
    """The first HTTP step failed: the check container itself exited non-zero."""
    lines = [ln for ln in log.splitlines() if ln.strip() and not ln.startswith("@@")]
    tail = f": {target.mask(lines[-1].strip())}" if lines else ""
    reason = f" ({terminated['reason']})" if terminated.get("reason") else ""
    return StepResult(
        step, "fail", 0, f"the check container exited with {terminated.get('exitCode')}{reason}{tail}"
    )


def _http_results(target: Target, steps: Sequence[StepName], log: str, timeout: float) -> list[StepResult]:
    """The HTTP steps judged from the check container's log, up to the first failure."""
    done: list[StepResult] = []
    answers = {a.step: a for a in parse_log(log)}
    for step in steps:
        answer = answers.get(step)
        if answer is None:
            break
        ms = int(answer.seconds * 1000)
        if answer.curl_exit != 0:
            done.append(StepResult(step, "fail", ms, _curl_failure(target, answer, timeout)))
            break
        status, detail = judge(target, step, answer.http, answer.body)
        done.append(StepResult(step, status, ms, detail))
        if status == "fail":
            break
    return done


class _PodRun:
    """One cluster run: the Secret, the pods, their verdicts, and the clean-up."""

    def __init__(self, kube: Kube, targets: Sequence[Target], options: PodOptions, timeout: float) -> None:
        self.kube = kube
        self.targets = targets
        self.options = options
        self.timeout = timeout
        self.pods_path = f"/api/v1/namespaces/{options.namespace}/pods"
        self.secrets_path = f"/api/v1/namespaces/{options.namespace}/secrets"
        self.secret_name = f"install-contract-check-{options.run_id}"
        # Asked for, whether or not the answer came back: clean-up deletes them all.
        self.created_pods: set[str] = set()
        self.secret_created = False

    def _limit(self, plan: _Plan) -> float:
        """Seconds a pod may take before its entry is judged overdue."""
        return self.options.start_timeout + self.timeout * (len(plan.http_steps) + 1) + 40

    def _create(self, path: str, body: dict[str, Any]) -> None:
        """Create, adopting an object of this run that a lost answer already created (409)."""
        from contract.clients.kube import KubeConflict

        try:
            self.kube.create(path, body)
        except KubeConflict:
            name = body["metadata"]["name"]
            found = self.kube.get(f"{path}/{name}")
            labels = ((found or {}).get("metadata") or {}).get("labels") or {}
            if labels.get(RUN_LABEL) != self.options.run_id:
                raise

    def _log(self, name: str, container: str) -> str:
        from contract.clients.kube import KubeError

        try:
            return self.kube.text(f"{self.pods_path}/{name}/log", {"container": container})
        except KubeError:
            return ""

    def verdict(self, plan: _Plan, pod: Mapping[str, Any] | None, overdue: bool) -> EntryResult | None:
        """The entry's result once its pod has said all it will; None while it is still running."""
        target = plan.target
        done: list[StepResult] = []
        if not plan.dns_in_pod and "dns" in target.steps and target.host and is_address(target.host):
            done.append(_address_pass(target))
        if pod is None and not overdue:
            return None
        if plan.dns_in_pod:
            dns = self._dns_verdict(plan, pod, overdue)
            if dns is None:
                return None
            done.append(dns)
            if dns.status == "fail":
                return finish(target, done)
        if not plan.http_steps:
            if target.problem:
                done.append(problem_result(target))
            return finish(target, done)
        http = self._http_verdicts(plan, pod, overdue)
        return None if http is None else finish(target, done + http)

    def _dns_verdict(self, plan: _Plan, pod: Mapping[str, Any] | None, overdue: bool) -> StepResult | None:
        """The `dns` init container's verdict; None while it has neither ended nor given up."""
        state = _container(pod or {}, "dns")
        terminated = (state.get("state") or {}).get("terminated")
        if terminated:
            return _dns_result(plan.target, terminated, self._log(plan.name, "dns"))
        stuck = _stuck(state, image(self.options.dns_image, self.options.registry))
        if stuck or overdue:
            return StepResult("dns", "fail", 0, stuck or _why_not_started(pod))
        return None

    def _http_verdicts(
        self, plan: _Plan, pod: Mapping[str, Any] | None, overdue: bool
    ) -> list[StepResult] | None:
        """The `check` container's verdicts; None while it has neither ended nor given up."""
        state = _container(pod or {}, "check")
        terminated = (state.get("state") or {}).get("terminated")
        if not terminated:
            stuck = _stuck(state, image(self.options.curl_image, self.options.registry))
            if stuck or overdue:
                return [StepResult(plan.http_steps[0], "fail", 0, stuck or _why_not_started(pod))]
            return None
        log = self._log(plan.name, "check")
        if terminated.get("exitCode") != 0:
            return [_exited(plan.target, plan.http_steps[0], terminated, log)]
        return _http_results(plan.target, plan.http_steps, log, self.timeout)

    def _plan(self, index: int, target: Target, secret_data: dict[str, str]) -> _Plan | EntryResult:
        """The pod of one entry (its header file added to `secret_data`), or its result when
        it needs no pod."""
        # An entry with a problem (an unset ${VAR}) sends nothing: at most its DNS runs.
        http_steps = () if target.problem else _http_steps(target)
        dns_runs = "dns" in target.steps and "dns" not in target.skips and bool(target.host)
        dns_in_pod = dns_runs and not is_address(target.host or "")
        if (target.problem and target.problem_step == "dns") or not (dns_in_pod or http_steps):
            return _without_pod(target, dns_runs)
        header = _header_file(target, http_steps)
        key = f"h{index}" if header else None
        if header and key:
            secret_data[key] = header
        name = f"ic-check-{self.options.run_id}-{index}"
        return _Plan(index, target, name, dns_in_pod, http_steps, key)

    def run(self, concurrency: int, on_result: OnResult | None) -> list[EntryResult]:
        results: dict[int, EntryResult] = {}
        plans: list[_Plan] = []
        secret_data: dict[str, str] = {}
        for index, target in enumerate(self.targets):
            planned = self._plan(index, target, secret_data)
            if isinstance(planned, _Plan):
                plans.append(planned)
                continue
            results[index] = planned
            if on_result:
                on_result(planned)

        ca_text = self._ca_text()
        if ca_text is not None and plans:
            secret_data["ca.pem"] = ca_text
        if plans:
            for index, result in self._pods(plans, secret_data, ca_text is not None, max(1, concurrency)):
                results[index] = result
                if on_result:
                    on_result(result)
        return [results[i] for i in range(len(self.targets))]

    def _create_secret(self, secret_data: dict[str, str], plans: Sequence[_Plan], concurrency: int) -> None:
        # The Secret lives as long as the slowest possible run: every pod overdue.
        waves = -(-len(plans) // concurrency)
        expires = int(time.time() + waves * max(self._limit(p) for p in plans) + EXPIRY_MARGIN)
        self.secret_created = True
        self._create(
            self.secrets_path,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {"name": self.secret_name, "labels": _labels(self.options.run_id, expires)},
                "stringData": secret_data,
            },
        )

    def _pods(
        self, plans: Sequence[_Plan], secret_data: dict[str, str], ca_file: bool, concurrency: int
    ) -> Iterator[tuple[int, EntryResult]]:
        """Run the pods, at most `concurrency` at once; each entry's index and result as its pod
        finishes (the pod already deleted)."""
        assign_uid = not _assigns_uids(self.kube, self.options.namespace)
        if secret_data:
            self._create_secret(secret_data, plans, concurrency)
        queue = deque(plans)
        active: dict[str, tuple[_Plan, float]] = {}
        selector = f"{RUN_LABEL}={self.options.run_id}"
        while queue or active:
            while queue and len(active) < concurrency:
                plan = queue.popleft()
                spec = pod_spec(
                    plan,
                    self.options,
                    timeout=self.timeout,
                    secret_name=self.secret_name if self.secret_created else None,
                    ca_file=ca_file,
                    assign_uid=assign_uid,
                    expires=int(time.time() + self._limit(plan) + EXPIRY_MARGIN),
                )
                self.created_pods.add(plan.name)
                self._create(self.pods_path, spec)
                active[plan.name] = (plan, time.monotonic())
            pods = {p["metadata"]["name"]: p for p in self.kube.list(self.pods_path, label_selector=selector)}
            for name, (plan, started) in list(active.items()):
                overdue = time.monotonic() - started > self._limit(plan)
                verdict = self.verdict(plan, pods.get(name), overdue)
                if verdict is None:
                    continue
                del active[name]
                self.kube.delete(f"{self.pods_path}/{name}")
                self.created_pods.discard(name)
                yield plan.index, verdict
            if active:
                time.sleep(self.options.poll_interval)

    def _ca_text(self) -> str | None:
        import os

        path = self.options.ca_bundle or os.environ.get("SSL_CERT_FILE")
        if not path:
            return None
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the CA bundle {path}: {exc}") from None

    def clean_up(self) -> list[str]:
        """Delete every pod and the Secret this run created, found by name and by the run's
        label (a create whose answer was lost is found too); what could not be deleted."""
        from contract.clients.kube import KubeError

        left: list[str] = []
        selector = f"{RUN_LABEL}={self.options.run_id}"
        pods = set(self.created_pods)
        secrets = {self.secret_name} if self.secret_created else set()
        for path, names in ((self.pods_path, pods), (self.secrets_path, secrets)):
            with contextlib.suppress(KubeError):
                names |= {o["metadata"]["name"] for o in self.kube.list(path, label_selector=selector)}
        paths = [f"{self.pods_path}/{name}" for name in sorted(pods)]
        paths += [f"{self.secrets_path}/{name}" for name in sorted(secrets)]
        for path in paths:
            try:
                self.kube.delete(path)
            except KubeError:
                left.append(path.rsplit("/", 2)[-2].rstrip("s") + "/" + path.rsplit("/", 1)[-1])
        return left


def run_pods(
    targets: Sequence[Target],
    kube: Kube,
    options: PodOptions,
    *,
    timeout: float,
    concurrency: int,
    on_result: OnResult | None = None,
    on_notice: OnNotice | None = None,
) -> list[EntryResult]:
    """Check every target from a pod in `options.namespace`, at most `concurrency` pods at once.

    First deletes the expired leftovers of earlier runs (`sweep_expired`; `on_notice` hears
    which). Everything this run created is deleted before this returns or raises (Ctrl-C
    included).
    """
    from contract.clients.kube import KubeNotFound

    if not options.run_id:
        options = PodOptions(**{**options.__dict__, "run_id": new_run_id()})
    try:
        swept = sweep_expired(kube, options.namespace)
    except KubeNotFound:
        swept = []  # no such namespace: the first create says so in its own words
    if swept and on_notice is not None:
        on_notice(
            f"deleted {len(swept)} expired leftover(s) of earlier check runs in namespace "
            f"{options.namespace}: {', '.join(swept)}"
        )
    run = _PodRun(kube, targets, options, timeout)
    interrupted: BaseException | None = None
    try:
        return run.run(concurrency, on_result)
    except BaseException as exc:
        interrupted = exc
        raise
    finally:
        left = _clean_up_anyway(run)
        if left and interrupted is None:
            raise ExternalError(
                f"could not delete {', '.join(left)}: delete them with "
                f"`kubectl -n {options.namespace} delete pod,secret -l {RUN_LABEL}={options.run_id}`"
            )


def _clean_up_anyway(run: _PodRun) -> list[str]:
    """Clean up even when a second Ctrl-C arrives meanwhile (then re-raise it after)."""
    try:
        return run.clean_up()
    except KeyboardInterrupt:
        run.clean_up()
        raise
