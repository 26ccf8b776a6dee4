"""KServe and OpenShift AI: Ready `InferenceService` and `LLMInferenceService` objects.

InferenceService (serving.kserve.io/v1beta1): the served name is `metadata.name` (OpenShift AI's
vLLM runtimes pass `--served-model-name={{.Name}}`; an explicit `--served-model-name` in the
predictor's args wins), `apiBase` is `status.address.url` + `/v1` (cluster-internal).
LLMInferenceService (v1alpha2, else v1alpha1): the served name is `spec.model.name` (default
`metadata.name`), `apiBase` the first cluster-internal `status.addresses[].url`, else
`status.url`. The window is the runtime's `--max-model-len`, else the `--context-window`
given, else the catalog's for the Hugging Face id in `storageUri` / `spec.model.uri`, else
the candidate is refused. The mode comes from the runtime (`--runner pooling`/`--convert
embed`: embeddings) or else the catalog, through the same table as every source
(`_model.MODES`): a Whisper model is a Transcription model, not CHAT.
The OpenShift AI dashboard and model-registry labels are shown so the engineer can pick
what the platform approved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contract.knowledge.entries import in_cluster
from contract.workflows.discover._model import (
    Candidate,
    SourceReport,
    discovered_entry,
    kind_for_mode,
    refused_mode,
)
from contract.workflows.entry_edit import entry_fields

if TYPE_CHECKING:
    from contract.knowledge.catalog import ModelFacts

SOURCE = "kserve"
GROUP = "serving.kserve.io"
LLM_VERSIONS = ("v1alpha2", "v1alpha1")
# Labels (or annotations) of OpenShift AI / Open Data Hub worth showing.
_MARKERS = (
    "opendatahub.io/dashboard",
    "opendatahub.io/genai-asset",
    "alpha.maas.opendatahub.io/tiers",
    "modelregistry.opendatahub.io/registered-model-id",
    "modelregistry.opendatahub.io/model-version-id",
    "modelregistry.opendatahub.io/name",
)


def _get(obj: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            obj = obj[key] if isinstance(obj, list) and -len(obj) <= key < len(obj) else None
        else:
            obj = obj.get(key) if isinstance(obj, Mapping) else None
    return obj


def ready(obj: Mapping[str, Any]) -> bool:
    conditions = _get(obj, "status", "conditions") or []
    return any(
        isinstance(c, Mapping) and c.get("type") == "Ready" and c.get("status") == "True" for c in conditions
    )


def _flag(args: Sequence[Any], name: str) -> str | None:
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(args) and isinstance(args[i + 1], str):
            return str(args[i + 1])
    return None


def _runtime_mode(args: Sequence[Any]) -> str | None:
    """The mode vLLM's arguments fix: `--convert embed` (or `--runner pooling`) serves embeddings."""
    convert = _flag(args, "--convert")
    if convert == "classify":
        return "classify"
    if convert == "embed" or _flag(args, "--runner") == "pooling":
        return "embedding"
    return None


def _hf_id(uri: Any) -> str | None:
    if isinstance(uri, str) and uri.startswith("hf://"):
        return uri[len("hf://") :].strip("/") or None
    return None


def markers(obj: Mapping[str, Any]) -> dict[str, str]:
    labels = _get(obj, "metadata", "labels") or {}
    annotations = _get(obj, "metadata", "annotations") or {}
    out = {}
    for key in _MARKERS:
        value = labels.get(key, annotations.get(key)) if isinstance(labels, Mapping) else None
        if value is None and isinstance(annotations, Mapping):
            value = annotations.get(key)
        if isinstance(value, str):
            out[key] = value
    return out


def _internal(url: Any) -> bool:
    return isinstance(url, str) and in_cluster(url)


def _service(obj: Mapping[str, Any], name: str) -> tuple[str, str, str | None, list[Any], Any]:
    """(kind, served name, Hugging Face id, runtime args, address) of an (LLM)InferenceService."""
    kind = obj.get("kind") or (
        "LLMInferenceService" if _get(obj, "spec", "model", "uri") else "InferenceService"
    )
    if kind == "LLMInferenceService":
        served = _get(obj, "spec", "model", "name") or name
        hf = _hf_id(_get(obj, "spec", "model", "uri"))
        args = [a for c in _get(obj, "spec", "template", "containers") or [] for a in _get(c, "args") or []]
        addresses = [_get(a, "url") for a in _get(obj, "status", "addresses") or []]
        url = next((u for u in addresses if _internal(u)), None) or _get(obj, "status", "url")
    else:
        model = _get(obj, "spec", "predictor", "model") or {}
        args = list(_get(model, "args") or [])
        served = _flag(args, "--served-model-name") or name
        hf = _hf_id(_get(model, "storageUri"))
        url = _get(obj, "status", "address", "url")
    return kind, served, hf, args, url


def _window(args: Sequence[Any], context_window: int | None, facts: ModelFacts | None) -> int | None:
    """The runtime's --max-model-len (never overridden), else --context-window, else the catalog's."""
    max_len = _flag(args, "--max-model-len")
    if max_len is not None and max_len.isdigit() and int(max_len) > 0:
        return int(max_len)  # what the runtime serves: --context-window never overrides it
    if context_window is not None:
        return context_window
    return facts.context_window if facts is not None else None


def candidate(obj: Mapping[str, Any], *, context_window: int | None = None) -> Candidate:
    """The entry for one InferenceService or LLMInferenceService object."""
    from contract.knowledge.catalog import load_catalog

    namespace = _get(obj, "metadata", "namespace") or ""
    name = str(_get(obj, "metadata", "name") or "")
    where = f"{namespace}/{name}"
    labels = markers(obj)
    kind, served, hf, args, url = _service(obj, name)
    facts_info = {"kind": kind, "huggingFaceId": hf}
    if not ready(obj):
        return Candidate(SOURCE, where, name, None, refused="not Ready", labels=labels, facts=facts_info)
    if not isinstance(url, str) or not url:
        return Candidate(SOURCE, where, name, None, refused="no address in its status", labels=labels)
    facts = load_catalog().lookup(f"openai/{served}", vllm_model=hf) if hf else None
    window = _window(args, context_window, facts)
    if window is None:
        return Candidate(
            SOURCE,
            where,
            name,
            None,
            refused="no --max-model-len in its runtime arguments and no catalog window for its model",
            hint="pass --context-window",
            labels=labels,
            facts=facts_info,
        )
    mode = _runtime_mode(args) or (facts.mode if facts and facts.mode else "chat")
    if kind_for_mode(mode) is None:
        return Candidate(
            SOURCE, where, name, None, refused=refused_mode(mode), labels=labels, facts=facts_info
        )
    entry = discovered_entry(
        served=str(served),
        litellm_model=f"openai/{served}",
        display=hf or str(served),
        provider="Self-Hosted",
        mode=mode,
        window=window,
        cost_of=hf or str(served),
        api_base=url.rstrip("/") + "/v1",
    )
    return Candidate(SOURCE, where, name, entry_fields(entry), labels=labels, facts=facts_info)


def probe(
    *,
    context: str | None = None,
    namespace: str | None = None,
    all_namespaces: bool = False,
    context_window: int | None = None,
    kubeconfig: str | None = None,
) -> SourceReport:
    """List the cluster's InferenceServices and LLMInferenceServices (raises KubeError if it cannot)."""
    import os

    from contract.clients.kube import Kube, KubeError, KubeTarget, configured_context, context_namespace

    # The kubernetes client reads $KUBECONFIG once, when it is imported; read it now instead.
    kubeconfig = kubeconfig or os.environ.get("KUBECONFIG") or None
    context = configured_context(context, kubeconfig)
    ns = namespace or context_namespace(context, kubeconfig) or "default"
    kube = Kube(KubeTarget(context=context, namespace=ns, kubeconfig=kubeconfig))
    scope = "" if all_namespaces else f"/namespaces/{ns}"
    objects = [
        {"kind": "InferenceService", **o}
        for o in kube.list(f"/apis/{GROUP}/v1beta1{scope}/inferenceservices")
    ]
    for version in LLM_VERSIONS:
        try:
            llm = kube.list(f"/apis/{GROUP}/{version}{scope}/llminferenceservices")
        except KubeError as exc:
            if exc.status == 404:
                continue
            raise
        objects += [{"kind": "LLMInferenceService", **o} for o in llm]
        break
    found = tuple(candidate(o, context_window=context_window) for o in objects)
    where = f"context {context or '(default)'}, " + (
        "all namespaces" if all_namespaces else f"namespace {ns}"
    )
    return SourceReport(SOURCE, where, "running", f"{len(found)} service(s)", found)
