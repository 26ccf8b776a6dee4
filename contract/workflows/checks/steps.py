"""The seed's verification steps, as data and judgements shared by both runners.

For every entry, `plan` works out the endpoint and the requests of each step:

| step | for | request | passes when |
|---|---|---|---|
| `dns` | every entry with a known host | resolve the host of `apiBase` (or the provider's default base URL) | it resolves |
| `models` | every entry | `GET /v1/models` or the provider's equivalent, with the entry's key | 200; self-hosted: the served name is listed and its `max_model_len` (when reported) ≥ `contextWindow`; Ollama: the model is pulled (`name` is `name:latest`) |
| `tool-call` | self-hosted CHAT (Text Generation) | the seed's `get_weather` chat request, `tool_choice: auto` | the reply has a `tool_calls` entry naming `get_weather` |
| `embeddings` | Embeddings entries | one short input | a non-empty vector |

Provider protocols (from the catalog's provider table, `contract/data/providers.json`):
OpenAI-compatible servers and clouds send `Authorization: Bearer`; Anthropic `x-api-key` and
`anthropic-version`; Azure OpenAI `api-key` and `api-version` on `/openai/...`; Gemini
`x-goog-api-key` (never the `?key=` query, which would end up in messages); Ollama its
`/api/tags`. Bedrock needs AWS SigV4 request signing and Vertex AI Application Default
Credentials: their HTTP steps are `skip` with that reason.

Runners (`local.py`, `pods.py`) only send `Call`s and hand the answers to the `judge_*`
functions, so a verdict reads the same from here and from a pod. A key travels in
`Call.secret_headers` only and never into a detail: `mask` is the last guard.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from contract.knowledge import catalog, envref
from contract.knowledge import entries as entry_facts
from contract.knowledge.facts import ollama_server
from contract.knowledge.secrets import mask, refuse_header_value
from contract.pipeline.model import ModelEntry

StepName = Literal["dns", "models", "tool-call", "embeddings"]
Status = Literal["pass", "fail", "skip"]
STEP_ORDER: tuple[StepName, ...] = ("dns", "models", "tool-call", "embeddings")

ANTHROPIC_VERSION = "2023-06-01"
EMBEDDING_INPUT = "install-contract check"
# The seed's tool-call smoke test (seed 002, "Step 3").
TOOL_PROMPT = "What is the weather in SF?"
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get current weather for a location",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}
_MAX_LISTED = 8
_MAX_EXCERPT = 160


@dataclass(frozen=True)
class StepResult:
    """One step's verdict: pass, fail or skip, how long it took, and a one-line reason."""

    name: StepName
    status: Status
    ms: int
    detail: str


@dataclass(frozen=True)
class EntryResult:
    """Every step of one entry, in order."""

    model: str
    endpoint: str
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        """No step failed (a step skipped for want of a protocol is not a failure)."""
        return all(step.status != "fail" for step in self.steps)


@dataclass(frozen=True)
class Call:
    """One HTTP request of a step. `secret_headers` carry the key and are never shown."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    secret_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    body: Any = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class Target:
    """What to check for one entry: its endpoint, the steps that apply, their requests."""

    model: str
    endpoint: str  # shown in reports: no userinfo, no query
    host: str | None
    port: int | None
    scheme: str
    steps: tuple[StepName, ...]
    calls: Mapping[str, Call]
    # Steps that cannot run, with the reason (`skip`), or that fail before running (`fail`).
    skips: Mapping[str, str] = field(default_factory=dict)
    # A step that fails before anything is sent: an unset ${VAR} in apiBase (dns) or in
    # apiKey/apiVersion (models, after dns ran), or no endpoint at all (dns).
    problem: str | None = None
    problem_step: StepName = "dns"
    served_name: str | None = None  # self-hosted: the name the server must list
    pulled: str | None = None  # Ollama: the model /api/tags must list (`llama3.1` = `llama3.1:latest`)
    context_window: int = 0
    key_variable: str | None = None  # for "check ${VAR}" hints
    secrets: frozenset[str] = field(default=frozenset(), repr=False)

    def mask(self, text: str) -> str:
        return mask(text, self.secrets)


# ------------------------------------------------------------------------- plan


def _resolve(value: str | None, env: Mapping[str, str]) -> tuple[str | None, list[str]]:
    """Expand `${VAR}` references; the names of unset variables come back too."""
    if value is None:
        return None, []
    return envref.expand(value, env, unset="empty"), envref.unset(envref.refs(value), env)


def _display_url(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def _protocol(entry: ModelEntry, self_hosted: bool) -> str:
    """The API to speak to the entry: derived from the provider table (`contract.knowledge.entries`)."""
    return entry_facts.protocol(entry, self_hosted=self_hosted)


@dataclass(frozen=True)
class _Values:
    """An entry's connection fields with `${VAR}` expanded, and the first one naming an unset
    variable (`problem`, failing `problem_step`)."""

    api_base: str | None
    key: str | None
    key_variable: str | None
    api_version: str | None
    region: str | None
    problem: str | None
    problem_step: StepName


def _values(entry: ModelEntry, env: Mapping[str, str]) -> _Values:
    api_base, base_missing = _resolve(entry.api_base, env)
    key_ref = entry.api_key.get_secret_value() if entry.api_key is not None else None
    key, key_missing = _resolve(key_ref, env)
    key_variable = envref.whole_ref(key_ref) if key_ref else None
    if key:
        holder = f"${key_variable}" if key_variable else "the literal apiKey"
        refuse_header_value(key, f"{holder} (the apiKey of {entry.litellm_model_name})")
    api_version, version_missing = _resolve(entry.api_version, env)
    region, _ = _resolve(entry.aws_region, env)
    problem = None
    problem_step: StepName = "models"
    if base_missing:
        problem, problem_step = f"apiBase names ${{{base_missing[0]}}}, which is not set here", "dns"
    elif key_missing:
        problem = f"apiKey names ${{{key_missing[0]}}}, which is not set here: export it and run again"
    elif version_missing:
        problem = f"apiVersion names ${{{version_missing[0]}}}, which is not set here"
    return _Values(api_base, key, key_variable, api_version, region, problem, problem_step)


def _steps(entry: ModelEntry, self_hosted: bool) -> tuple[StepName, ...]:
    steps: list[StepName] = ["dns", "models"]
    chat = entry.metadata_type == "Text Generation" and entry.type == "CHAT"
    if self_hosted and chat:
        steps.append("tool-call")
    if entry.metadata_type == "Embeddings":
        steps.append("embeddings")
    return tuple(steps)


# --------------------------------------------------------- requests per protocol

_ACCEPT_JSON = (("Accept", "application/json"),)
_SEND_JSON = (("Content-Type", "application/json"), ("Accept", "application/json"))


@dataclass(frozen=True)
class _Endpoint:
    """What a protocol's requests are built from."""

    base: str
    model: str  # litellmModel without its provider prefix
    key: str | None
    api_version: str | None


def _openai_calls(at: _Endpoint) -> dict[str, Call]:
    bearer = (("Authorization", f"Bearer {at.key}"),) if at.key else ()
    chat = {
        "model": at.model,
        "messages": [{"role": "user", "content": TOOL_PROMPT}],
        "tools": [TOOL],
        "tool_choice": "auto",
        "max_tokens": 256,
    }
    return {
        "models": Call("GET", _join(at.base, "models"), _ACCEPT_JSON, bearer),
        "tool-call": Call("POST", _join(at.base, "chat/completions"), _SEND_JSON, bearer, chat),
        "embeddings": Call(
            "POST",
            _join(at.base, "embeddings"),
            _SEND_JSON,
            bearer,
            {"model": at.model, "input": EMBEDDING_INPUT},
        ),
    }


def _anthropic_calls(at: _Endpoint) -> dict[str, Call]:
    root = at.base if at.base.rstrip("/").endswith("/v1") else _join(at.base, "v1")
    headers = (("anthropic-version", ANTHROPIC_VERSION), ("Accept", "application/json"))
    return {"models": Call("GET", _join(root, "models"), headers, (("x-api-key", at.key),) if at.key else ())}


def _azure_calls(at: _Endpoint) -> dict[str, Call]:
    query = f"?api-version={at.api_version}" if at.api_version else ""
    secret = (("api-key", at.key),) if at.key else ()
    embeddings = _join(at.base, f"openai/deployments/{at.model}/embeddings") + query
    return {
        "models": Call("GET", _join(at.base, "openai/models") + query, _ACCEPT_JSON, secret),
        "embeddings": Call("POST", embeddings, _SEND_JSON, secret, {"input": EMBEDDING_INPUT}),
    }


def _gemini_calls(at: _Endpoint) -> dict[str, Call]:
    secret = (("x-goog-api-key", at.key),) if at.key else ()
    content = {"content": {"parts": [{"text": EMBEDDING_INPUT}]}}
    return {
        "models": Call("GET", _join(at.base, "models"), _ACCEPT_JSON, secret),
        "embeddings": Call(
            "POST", _join(at.base, f"models/{at.model}:embedContent"), _SEND_JSON, secret, content
        ),
    }


def _ollama_calls(at: _Endpoint) -> dict[str, Call]:
    server = ollama_server(at.base)  # an apiBase written as …/api/chat: LiteLLM takes it whole
    return {
        "models": Call("GET", _join(server, "api/tags"), _ACCEPT_JSON),
        "embeddings": Call(
            "POST", _join(server, "api/embed"), _SEND_JSON, (), {"model": at.model, "input": EMBEDDING_INPUT}
        ),
    }


# The HTTP requests of each protocol `_protocol` names; a protocol not here is not checked.
_REQUESTS: Mapping[str, Callable[[_Endpoint], dict[str, Call]]] = {
    "openai": _openai_calls,
    "anthropic": _anthropic_calls,
    "azure": _azure_calls,
    "gemini": _gemini_calls,
    "ollama": _ollama_calls,
}


def _not_checked(protocol: str, prefix: str) -> str:
    if protocol == "aws":
        return "Bedrock needs AWS SigV4 request signing, which check does not do; not checked"
    return f"no known protocol for prefix {prefix!r}; not checked"


def _no_endpoint(entry: ModelEntry, protocol: str, steps: tuple[StepName, ...], values: _Values) -> Target:
    """The target of an entry without a base URL: skipped (Bedrock, Vertex AI) or failed."""
    why = {
        "aws": "Bedrock needs awsRegion to know its endpoint",
        "adc": "Vertex AI's endpoint is per project and region; not checked",
    }.get(protocol, f"no apiBase and no default base URL for provider {entry.provider!r}: set apiBase")
    skips: dict[str, str] = {}
    problem, problem_step = values.problem, values.problem_step
    if protocol in ("aws", "adc"):
        skips = dict.fromkeys(steps, why)
    else:
        problem, problem_step = problem or why, "dns"
    return Target(
        model=entry.litellm_model_name,
        endpoint="",
        host=None,
        port=None,
        scheme="",
        steps=steps,
        calls={},
        skips=skips,
        problem=problem,
        problem_step=problem_step,
        context_window=entry.context_window,
        key_variable=values.key_variable,
        secrets=frozenset(s for s in (values.key,) if s),
    )


def plan(entry: ModelEntry, env: Mapping[str, str], *, self_hosted: bool) -> Target:
    """The checks of one entry: endpoint, applicable steps and their requests."""
    name = entry.litellm_model_name
    prefix = entry_facts.prefix(entry.litellm_model) or ""
    suffix = entry_facts.suffix(entry.litellm_model)
    protocol = _protocol(entry, self_hosted)
    provider = catalog.provider_for_prefix(prefix) if prefix else None

    values = _values(entry, env)
    steps = _steps(entry, self_hosted)
    base = values.api_base or (provider.base_url if provider else None)
    if protocol == "aws" and values.region:
        base = f"https://bedrock-runtime.{values.region}.amazonaws.com"
    if not base:
        return _no_endpoint(entry, protocol, steps, values)

    parts = urlsplit(base)
    build = _REQUESTS.get(protocol)
    calls = build(_Endpoint(base, suffix, values.key, values.api_version)) if build else {}
    skips: dict[str, str] = {} if build else dict.fromkeys(steps[1:], _not_checked(protocol, prefix))
    return Target(
        model=name,
        endpoint=_display_url(base),
        host=parts.hostname,
        port=parts.port or (443 if parts.scheme == "https" else 80),
        scheme=parts.scheme,
        steps=steps,
        calls=calls,
        skips=skips,
        problem=values.problem,
        problem_step=values.problem_step,
        served_name=suffix if self_hosted else None,
        pulled=suffix if protocol == "ollama" else None,
        context_window=entry.context_window,
        key_variable=values.key_variable,
        secrets=frozenset(s for s in (values.key,) if s),
    )


# ------------------------------------------------------------------- judging


def ollama_tag(name: str) -> str:
    """Ollama's full name of a model: a name without a tag means `:latest` (`mistral` is
    `mistral:latest`; `llama3.1:8b` is itself)."""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _excerpt(target: Target, body: bytes) -> str:
    """The server's own error message, shortened and masked."""
    payload = _parse(body)
    message: Any = None
    if isinstance(payload, dict):
        error = payload.get("error")
        message = (error.get("message") if isinstance(error, dict) else error) or payload.get("message")
        message = message or payload.get("detail")
    if not isinstance(message, str):
        message = body.decode("utf-8", errors="replace") if body else ""
    # Masked before it is cut: a key cut in half would no longer match the mask.
    shown = " ".join(target.mask(message).split())
    if len(shown) > _MAX_EXCERPT:
        shown = shown[: _MAX_EXCERPT - 1] + "…"
    return shown


def judge_status(target: Target, call: Call, status: int, body: bytes) -> str | None:
    """The failure of a non-200 answer, saying what to do; None for a 200."""
    if status == 200:
        return None
    where = f"{call.method} {call.path}"
    server = _excerpt(target, body)
    said = f" ({server})" if server else ""
    key = f"${{{target.key_variable}}}" if target.key_variable else "apiKey"
    if status in (401, 403):
        if not call.secret_headers:
            return (
                f"HTTP {status} at {where}: the server wants a key and the entry has none: set apiKey{said}"
            )
        return f"HTTP {status} at {where}: the key was refused: check {key}{said}"
    if status == 404:
        return (
            f"HTTP 404 at {where}: wrong path: check that apiBase ends in /v1 (or the provider's path){said}"
        )
    if status == 429:
        return f"HTTP 429 at {where}: rate limited or out of quota{said}"
    return f"HTTP {status} at {where}{said}"


def judge_models(target: Target, body: bytes) -> tuple[Status, str]:
    """A 200 from the model list: the served name is there and long enough."""
    payload = _parse(body)
    if not isinstance(payload, dict):
        return "fail", "the model list is not a JSON object: is apiBase pointing at the model server?"
    items = payload.get("data")
    if items is None:
        items = payload.get("models")  # Anthropic, Gemini and Ollama list under other keys
    if not isinstance(items, list):
        return "fail", "the answer has no model list (no `data` array)"
    ids: list[str] = []
    by_id: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, dict):
            ident = item.get("id") or item.get("name")
            if isinstance(ident, str):
                ids.append(ident)
                by_id.setdefault(ident, item)
    if target.pulled is not None:
        return _judge_pulled(target.pulled, ids)
    if target.served_name is None:
        return "pass", f"{len(ids)} model{'s' if len(ids) != 1 else ''} listed"
    served = target.served_name
    if served not in by_id:
        listed = ", ".join(ids[:_MAX_LISTED]) + (
            f" (+{len(ids) - _MAX_LISTED} more)" if len(ids) > _MAX_LISTED else ""
        )
        return "fail", (
            f"served names: {listed or 'none'}; expected {served}: "
            "make --served-model-name (vllm.servedModelName) match the entry's model"
        )
    max_len = by_id[served].get("max_model_len")
    if isinstance(max_len, int) and not isinstance(max_len, bool):
        if max_len < target.context_window:
            return "fail", (
                f"{served}: the server's max_model_len {max_len} is below contextWindow "
                f"{target.context_window}: raise --max-model-len or lower contextWindow"
            )
        return "pass", f"{served} served, max_model_len {max_len}"
    return "pass", f"{served} served"


def _judge_pulled(wanted: str, names: list[str]) -> tuple[Status, str]:
    """Ollama's /api/tags lists every pulled model by its full name (`llama3.1:latest`)."""
    full = ollama_tag(wanted)
    if any(ollama_tag(name) == full for name in names):
        return "pass", f"{full} pulled"
    listed = ", ".join(names[:_MAX_LISTED]) + (
        f" (+{len(names) - _MAX_LISTED} more)" if len(names) > _MAX_LISTED else ""
    )
    return "fail", f"pulled: {listed or 'none'}; {full} is not: run `ollama pull {wanted}` on the server"


def judge_tool_call(target: Target, body: bytes) -> tuple[Status, str]:
    payload = _parse(body)
    choices = payload.get("choices") if isinstance(payload, dict) else None
    message = (
        choices[0].get("message")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict)
        else None
    )
    if not isinstance(message, dict):
        return "fail", "the answer is not a chat completion (no choices[0].message)"
    calls = message.get("tool_calls") or []
    names = [
        c["function"].get("name")
        for c in calls
        if isinstance(c, dict) and isinstance(c.get("function"), dict)
    ]
    if "get_weather" in names:
        return "pass", "tool_calls names get_weather"
    if names:
        return (
            "fail",
            f"tool_calls names {', '.join(map(str, names))}, not get_weather: tool-call parser wrong",
        )
    return "fail", (
        "tool-call parser missing or wrong: the reply was plain text; "
        "set vllm.toolCallParser for the family and enableAutoToolChoice"
    )


def judge_embeddings(target: Target, body: bytes) -> tuple[Status, str]:
    payload = _parse(body)
    vector: Any = None
    if isinstance(payload, dict):
        data = payload.get("data")
        if isinstance(data, list) and data and isinstance(data[0], dict):
            vector = data[0].get("embedding")  # OpenAI, Azure
        elif isinstance(payload.get("embedding"), dict):
            vector = payload["embedding"].get("values")  # Gemini
        elif isinstance(payload.get("embeddings"), list) and payload["embeddings"]:
            vector = payload["embeddings"][0]  # Ollama
    if isinstance(vector, list) and vector and all(isinstance(v, (int, float)) for v in vector[:8]):
        return "pass", f"a vector of {len(vector)} dimensions"
    return "fail", "no embedding vector in the answer (expected data[0].embedding with numbers)"


JUDGES = {"models": judge_models, "tool-call": judge_tool_call, "embeddings": judge_embeddings}


def judge(target: Target, step: str, status: int, body: bytes) -> tuple[Status, str]:
    """The verdict of one HTTP step from its answer."""
    failure = judge_status(target, target.calls[step], status, body)
    if failure is not None:
        return "fail", failure
    verdict, detail = JUDGES[step](target, body)
    return verdict, target.mask(detail)


# ------------------------------------------------------------- failure words


def refused(target: Target) -> str:
    return f"connection refused at {target.host}:{target.port}: is the server running and listening on that port?"


def timed_out(target: Target, timeout: float) -> str:
    return (
        f"no answer from {target.host}:{target.port} within {timeout:g} s: a firewall dropping packets, "
        "or the server is overloaded (raise --timeout if it is only slow)"
    )


def tls_failed(reason: str) -> str:
    return f"TLS failure: {reason}: for a private CA pass --ca-bundle FILE (or set SSL_CERT_FILE)"


def unresolvable(host: str, reason: str) -> str:
    return f"cannot resolve {host}: {reason}: check the host name and the cluster's DNS"


def is_address(host: str) -> bool:
    """An IP literal: there is nothing to resolve."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def not_run(failed: str) -> str:
    return f"not run: {failed} failed"


def problem_result(target: Target) -> StepResult:
    assert target.problem is not None
    return StepResult(target.problem_step, "fail", 0, target.problem)


def finish(target: Target, done: list[StepResult]) -> EntryResult:
    """The entry's result: steps that did not run become `skip` after the first failure."""
    results = list(done)
    names = {r.name for r in results}
    failed = next((r.name for r in results if r.status == "fail"), None)
    for step in target.steps:
        if step not in names:
            reason = not_run(failed) if failed else target.skips.get(step, "not run")
            results.append(StepResult(step, "skip", 0, reason))
    order = {name: i for i, name in enumerate(STEP_ORDER)}
    results.sort(key=lambda r: order[r.name])
    return EntryResult(target.model, target.endpoint, tuple(results))
