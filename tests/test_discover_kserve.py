"""discover --kserve: the real kubernetes client against kmock serving KServe objects."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from cli.main import main as cli
from contract.workflows.discover import kserve
from tests.support.kube_mock import KubeCluster

ISVC = "/apis/serving.kserve.io/v1beta1/namespaces/{ns}/inferenceservices"
LLMISVC = "/apis/serving.kserve.io/v1alpha2/namespaces/{ns}/llminferenceservices"
READY = {"conditions": [{"type": "PredictorReady", "status": "True"}, {"type": "Ready", "status": "True"}]}
NOT_READY = {"conditions": [{"type": "Ready", "status": "False", "reason": "PredictorNotReady"}]}


def isvc(
    name: str,
    ns: str,
    status: dict[str, Any],
    *,
    args: list[str] | None = None,
    uri: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    model: dict[str, Any] = {"modelFormat": {"name": "vLLM"}, "runtime": "vllm-cuda-runtime"}
    if args is not None:
        model["args"] = args
    if uri:
        model["storageUri"] = uri
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "annotations": annotations or {}},
        "spec": {"predictor": {"model": model}},
        "status": {
            **status,
            "url": f"https://{name}-{ns}.apps.example.com",
            "address": {"url": f"http://{name}-predictor.{ns}.svc.cluster.local"},
        },
    }


def seed(cluster: KubeCluster) -> None:
    cluster.put(
        ISVC.format(ns="platform"),
        isvc(
            "granite-8b",
            "platform",
            READY,
            args=["--max-model-len=32768", "--dtype=bfloat16"],
            labels={
                "opendatahub.io/dashboard": "true",
                "modelregistry.opendatahub.io/registered-model-id": "7",
            },
            annotations={"opendatahub.io/genai-asset": "true"},
        ),
    )
    cluster.put(
        ISVC.format(ns="platform"), isvc("warming-up", "platform", NOT_READY, args=["--max-model-len=8192"])
    )
    cluster.put(
        ISVC.format(ns="platform"),
        isvc(
            "qwen-coder",
            "platform",
            READY,
            args=["--served-model-name", "qwen3-coder-30b"],
            uri="hf://Qwen/Qwen3-Coder-30B-A3B-Instruct",
        ),
    )
    cluster.put(ISVC.format(ns="platform"), isvc("unknown-size", "platform", READY, uri="s3://bucket/model"))
    cluster.put("/api/v1/namespaces", {"metadata": {"name": "other"}})
    cluster.put(ISVC.format(ns="other"), isvc("elsewhere", "other", READY, args=["--max-model-len=4096"]))
    cluster.put(
        LLMISVC.format(ns="platform"),
        {
            "apiVersion": "serving.kserve.io/v1alpha2",
            "kind": "LLMInferenceService",
            "metadata": {
                "name": "qwen-llmd",
                "namespace": "platform",
                "annotations": {"alpha.maas.opendatahub.io/tiers": '["free"]'},
            },
            "spec": {
                "model": {"uri": "hf://Qwen/Qwen3-8B", "name": "qwen3-8b"},
                "template": {"containers": [{"name": "main", "args": ["--max-model-len=40960"]}]},
            },
            "status": {
                **READY,
                "url": "https://qwen-llmd.apps.example.com",
                "addresses": [
                    {"url": "https://qwen-llmd.apps.example.com"},
                    {"url": "http://qwen-llmd-inference.platform.svc.cluster.local"},
                ],
            },
        },
    )


def run(cluster: KubeCluster, *args: str) -> Any:
    return CliRunner(env={"KUBECONFIG": cluster.kubeconfig}).invoke(cli, ["discover", "--kserve", *args])


def test_ready_services_become_candidates(kube_cluster: KubeCluster) -> None:
    seed(kube_cluster)
    result = run(kube_cluster, "-f", "json")
    assert result.exit_code == 0, result.output
    (source,) = json.loads(result.output)["sources"]
    found = {c["discovered"]: c for c in source["candidates"]}
    assert set(found) == {"granite-8b", "warming-up", "qwen-coder", "unknown-size", "qwen-llmd"}

    granite = found["granite-8b"]
    assert granite["valid"]
    assert granite["entry"]["litellmModelName"] == "granite-8b"
    assert granite["entry"]["litellmModel"] == "openai/granite-8b"
    assert granite["entry"]["provider"] == "Self-Hosted"
    assert granite["entry"]["contextWindow"] == 32768
    assert granite["entry"]["apiBase"] == "http://granite-8b-predictor.platform.svc.cluster.local/v1"
    assert granite["labels"] == {
        "opendatahub.io/dashboard": "true",
        "opendatahub.io/genai-asset": "true",
        "modelregistry.opendatahub.io/registered-model-id": "7",
    }

    assert found["warming-up"]["entry"] is None and found["warming-up"]["refused"] == "not Ready"

    coder = found["qwen-coder"]
    assert coder["entry"]["litellmModelName"] == "qwen3-coder-30b"  # --served-model-name wins
    assert coder["entry"]["contextWindow"] == 262144  # the catalog's, by the Hugging Face id
    assert coder["valid"]

    assert found["unknown-size"]["entry"] is None
    assert found["unknown-size"]["hint"] == "pass --context-window"

    qwen = found["qwen-llmd"]
    assert qwen["entry"]["litellmModelName"] == "qwen3-8b"  # spec.model.name
    assert qwen["entry"]["contextWindow"] == 40960
    assert qwen["entry"]["apiBase"] == "http://qwen-llmd-inference.platform.svc.cluster.local/v1"
    assert qwen["labels"] == {"alpha.maas.opendatahub.io/tiers": '["free"]'}
    assert qwen["valid"]
    writes = [m for m, _ in kube_cluster.requests if m not in ("GET",)]
    assert writes == []


def test_namespace_option_wins_and_all_namespaces(kube_cluster: KubeCluster) -> None:
    seed(kube_cluster)
    result = run(kube_cluster, "--namespace", "other", "-f", "json")
    assert result.exit_code == 0, result.output
    only_other = json.loads(result.output)
    assert [c["discovered"] for c in only_other["sources"][0]["candidates"]] == ["elsewhere"]
    result = run(kube_cluster, "--all-namespaces", "-f", "json")
    assert result.exit_code == 0, result.output
    everything = json.loads(result.output)
    names = {c["discovered"] for c in everything["sources"][0]["candidates"]}
    assert {"elsewhere", "granite-8b", "qwen-llmd"} <= names


def test_table_shows_the_openshift_ai_labels(kube_cluster: KubeCluster) -> None:
    seed(kube_cluster)
    result = run(kube_cluster)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "granite-8b" in line)
    assert "opendatahub.io/dashboard=true" in line


def test_an_unreachable_cluster_exits_3(tmp_path: Any) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: u, namespace: ns}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
    )
    result = CliRunner(env={"KUBECONFIG": str(kubeconfig)}).invoke(cli, ["discover", "--kserve"])
    assert result.exit_code == 3, result.output


def test_candidate_pure_step_reads_separated_max_model_len() -> None:
    obj = isvc("m", "ns", READY, args=["--max-model-len", "4096"])
    found = kserve.candidate(obj)
    assert found.fields is not None and found.fields["contextWindow"] == 4096
    # --context-window fills only what the runtime does not say
    assert kserve.candidate(obj, context_window=2048).fields["contextWindow"] == 4096  # type: ignore[index]
    silent = isvc("m", "ns", READY, args=["--dtype=bfloat16"])
    assert kserve.candidate(silent).fields is None
    assert kserve.candidate(silent, context_window=2048).fields["contextWindow"] == 2048  # type: ignore[index]
    whisper = isvc("whisper", "ns", READY, uri="hf://openai/whisper-large-v3")
    assert kserve.candidate(whisper, context_window=448).fields["contextWindow"] == 448  # type: ignore[index]


def test_one_mode_table_for_every_source() -> None:
    """A transcription or embedding model is never CHAT, whichever source found it."""
    from contract.workflows.discover import _model, ollama, openai_compatible

    whisper = kserve.candidate(
        isvc("whisper", "ns", READY, args=["--max-model-len=448"], uri="hf://openai/whisper-large-v3")
    )
    assert whisper.fields is not None
    assert (whisper.fields["type"], whisper.fields["metadataType"]) == ("INTERNAL", "Transcription")
    assert "maxTokens" not in whisper.fields
    same = openai_compatible.candidate(
        "vllm", "http://h:8000", {"id": "whisper", "root": "openai/whisper-large-v3", "max_model_len": 448}
    )
    assert same.fields is not None
    assert (same.fields["type"], same.fields["metadataType"]) == ("INTERNAL", "Transcription")
    embed = kserve.candidate(
        isvc("bge", "ns", READY, args=["--max-model-len=8192", "--convert", "embed"], uri="hf://acme/unknown")
    )
    assert embed.fields is not None and embed.fields["metadataType"] == "Embeddings"
    rerank = kserve.candidate(isvc("rr", "ns", READY, args=["--max-model-len=512", "--convert=classify"]))
    assert rerank.fields is None and rerank.refused is not None and "classify" in rerank.refused
    show = {"model_info": {"bert.context_length": 512}, "capabilities": ["embedding"]}
    assert ollama.candidate("http://h:11434", "e:1", show).fields["metadataType"] == "Embeddings"  # type: ignore[index]
    assert _model.MODES["audio_transcription"] == ("INTERNAL", "Transcription")


def test_llminferenceservices_fall_back_to_v1alpha1(kube_cluster: KubeCluster, monkeypatch: Any) -> None:
    from contract.clients import kube as kube_module

    real_list = kube_module.Kube.list

    def without_v1alpha2(self: Any, path: str, label_selector: str | None = None) -> list[dict[str, Any]]:
        if "/v1alpha2/" in path:  # a KServe release that serves only v1alpha1
            raise kube_module.KubeNotFound("the server could not find the requested resource", 404)
        return real_list(self, path, label_selector)

    monkeypatch.setattr(kube_module.Kube, "list", without_v1alpha2)
    obj = {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "LLMInferenceService",
        "metadata": {"name": "old-llmd", "namespace": "platform"},
        "spec": {"model": {"uri": "hf://Qwen/Qwen3-Coder-30B-A3B-Instruct"}},
        "status": {**READY, "url": "http://old-llmd.platform.svc.cluster.local"},
    }
    kube_cluster.put("/apis/serving.kserve.io/v1alpha1/namespaces/platform/llminferenceservices", obj)
    report = kserve.probe(kubeconfig=kube_cluster.kubeconfig)
    (found,) = report.candidates
    assert found.fields is not None
    assert found.fields["litellmModelName"] == "old-llmd"  # spec.model.name defaults to the name
    assert found.fields["apiBase"] == "http://old-llmd.platform.svc.cluster.local/v1"  # status.url
    assert (
        "GET",
        "/apis/serving.kserve.io/v1alpha1/namespaces/platform/llminferenceservices",
    ) in kube_cluster.requests
