"""`render --target gitops`: a tree an engineer commits as it is, for Argo CD and Flux.

| path | what |
|---|---|
| base/kustomization.yaml | the LiteLLM proxy (Deployment, Service) and its ConfigMap, generated from base/config.yaml |
| base/config.yaml | the base contract's LiteLLM config, as `render` writes it |
| base/litellm.yaml | the proxy's Deployment (reads the ConfigMap and the Secret) and Service |
| overlays/<env>/kustomization.yaml | namespace, labels, the patch, a ConfigMap generator replacing the config |
| overlays/<env>/namespace.yaml | the environment's Namespace (Flux applies no namespace it is not given) |
| overlays/<env>/config.yaml | the environment's LiteLLM config, byte-identical to `render --env`'s |
| overlays/<env>/litellm-deployment.yaml | the patch: the environment's Secret, and which keys it must hold |
| overlays/<env>/externalsecret-<name>.yaml | with `gitops.externalSecrets`: an ExternalSecret stub per Secret |
| argocd/applicationset.yaml | one Application per environment (list generator): its cluster and overlay |
| argocd/vllm-stack.applicationset.yaml | self-hosted models: the vllm-stack chart as an Argo CD Helm source per environment |
| flux/clusters/<env>/kustomization.yaml | a Kustomize config listing the Flux objects of the cluster |
| flux/clusters/<env>/install-contract.yaml | the Flux Kustomization of the overlay (prune: true) |
| flux/clusters/<env>/vllm-stack.yaml, vllm-stack-repository.yaml | self-hosted models: a Flux HelmRelease of the vllm-stack chart and its HelmRepository |
| manifest.json | every file's sha256 |

The ConfigMap is generated (Kustomize appends a hash of its content to the name and rewrites
the Deployment's reference), so a new config rolls the LiteLLM pods. Secrets are named with
the keys they must hold, never written. Self-hosted models are served by the vllm-stack chart
(vllm-project/production-stack) with the values `render --target helm-production-stack`
writes: Flux gets a HelmRelease (`spec.values`), Argo CD a Helm source (`helm.values`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contract import __version__
from contract.errors import UsageError
from contract.knowledge import images
from contract.pipeline.render._yamlout import block

if TYPE_CHECKING:
    from contract.pipeline.validate import Result

__all__ = ["VLLM_STACK_CHART", "VLLM_STACK_REPOSITORY", "VLLM_STACK_VERSION", "render_gitops"]

# vllm-project/production-stack's chart (the version whose values render targets).
VLLM_STACK_REPOSITORY = "https://vllm-project.github.io/production-stack"
VLLM_STACK_CHART = "vllm-stack"
VLLM_STACK_VERSION = "0.1.12"
IN_CLUSTER = "https://kubernetes.default.svc"
LITELLM_PORT = 4000
CONFIG_DIR = "/etc/litellm"


def _doc(value: Any, header: str = "") -> bytes:
    return (header + block(value) + "\n").encode("utf-8")


def _key_refs(values: dict[str, Any], keys: Sequence[tuple[str, str]], secret: str) -> None:
    """Point each chart key (`servingEngineSpec.vllmApiKey`, `servingEngineSpec.modelSpec[0].hf_token`)
    at `secret`'s key named after its variable: `{secretName, secretKey}`, the chart's reference form."""
    for path, variable in keys:
        node: Any = values
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[parts[-1]] = {"secretName": secret, "secretKey": variable}


def _header(what: str, file_name: str) -> str:
    return f"# {what}: rendered by install-contract {__version__} from {file_name}. Commit it as it is.\n"


def render_gitops(
    result: Result,
    text: str,
    file_name: str,
    envs: Sequence[str],
    raw: bytes,
    *,
    catalog_path: str | None = None,
    templates: str | None = None,
    registry: str | None = None,
    litellm_extra: Any = None,
) -> dict[str, bytes]:
    """The GitOps tree of the chosen environments (see the module's table)."""
    from contract.pipeline.load import load
    from contract.pipeline.render import MANIFEST, MANIFEST_FORMAT, render
    from contract.pipeline.render import _views as views
    from contract.pipeline.render.environments import resolved_name, resolved_text, top_manifest

    doc = load(text)
    data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
    gitops: dict[str, Any] = data["gitops"] if isinstance(data.get("gitops"), dict) else {}
    repo = gitops.get("repoURL")
    if not isinstance(repo, str) or not repo:
        raise UsageError(
            "--target gitops needs gitops.repoURL: the Git repository Argo CD and Flux read the tree from"
        )
    root = str(gitops.get("path") or "").strip("/")
    revision = str(gitops.get("revision") or "main")
    flux_source = str(gitops.get("fluxSource") or "flux-system")
    external = gitops.get("externalSecrets") if isinstance(gitops.get("externalSecrets"), dict) else None
    options = {
        "catalog_path": catalog_path,
        "templates": templates,
        "registry": registry,
        "litellm_extra": litellm_extra,
    }

    def in_repo(path: str) -> str:
        return f"{root}/{path}" if root else path

    base = result.contract
    if base is None:
        raise UsageError(f"{file_name}: the contract has errors; nothing was rendered")
    names = _litellm_names(base.platform)
    base_config = render(base, source_name=file_name, source_bytes=raw, targets=["litellm"], **options).files[
        "litellm/config.yaml"
    ]
    files: dict[str, bytes] = {
        "base/kustomization.yaml": _doc(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["litellm.yaml"],
                "configMapGenerator": [{"name": names["configMap"], "files": ["config.yaml"]}],
            },
            _header("The LiteLLM proxy of every environment", file_name),
        ),
        "base/config.yaml": base_config,
        "base/litellm.yaml": _litellm_objects(names, registry, file_name),
    }
    elements: list[dict[str, str]] = []
    helm_elements: list[dict[str, str]] = []
    envs_data: dict[str, Any] = data["environments"] if isinstance(data.get("environments"), dict) else {}
    for env in envs:
        contract = result.environments.get(env)
        if contract is None:
            raise UsageError(f"environment {env} has errors; nothing was rendered")
        source = resolved_text(text, env, file_name)
        source_name = resolved_name(file_name, env)
        served = [m for m in contract.models if m.vllm is not None]
        targets = ["litellm", *(["helm-production-stack"] if served else [])]
        rendering = render(
            contract, source_name=source_name, source_bytes=source.encode("utf-8"), targets=targets, **options
        )
        env_names = _litellm_names(contract.platform)
        for key in ("configMap", "deployment"):
            if env_names[key] != names[key]:
                raise UsageError(
                    f"environment {env} names the LiteLLM {key} {env_names[key]!r}, the base {names[key]!r}: "
                    "the GitOps tree takes these names from the base (set platform.litellm there); "
                    "only the Secret may differ per environment"
                )
        namespace = _namespace(contract.platform, env)
        raw_env: dict[str, Any] = envs_data[env] if isinstance(envs_data.get(env), dict) else {}
        cluster = str(raw_env.get("cluster") or IN_CLUSTER)
        secrets: dict[str, list[str]] = {env_names["secret"]: rendering.env.all()}
        # The chart's keys: `render` passes them to `helm upgrade` from the environment; a GitOps
        # controller has no environment, so the values name the environment's Secret instead.
        chart_keys = views.production_stack_keys(served) if served else []
        for _, variable in chart_keys:
            keys = secrets[env_names["secret"]]
            if variable not in keys:
                keys.append(variable)
        overlay = f"overlays/{env}"
        resources = ["../../base", "namespace.yaml"]
        files[f"{overlay}/namespace.yaml"] = _doc(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
            _header(f"Environment {env}'s namespace", file_name),
        )
        if external is not None:
            for secret, keys in secrets.items():
                path = f"externalsecret-{secret}.yaml"
                resources.append(path)
                files[f"{overlay}/{path}"] = _external_secret(secret, keys, env, external, file_name)
        listed = "; ".join(f"Secret {s} with keys {', '.join(k)}" for s, k in secrets.items())
        files[f"{overlay}/kustomization.yaml"] = _doc(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "namespace": namespace,
                "resources": resources,
                "labels": [
                    {
                        "pairs": {"install-contract/environment": env},
                        "includeSelectors": False,
                        "includeTemplates": True,
                    }
                ],
                "configMapGenerator": [
                    {"name": names["configMap"], "behavior": "replace", "files": ["config.yaml"]}
                ],
                "patches": [{"path": "litellm-deployment.yaml"}],
            },
            _header(f"Environment {env}", file_name)
            + f"# Secrets are references, never values: in namespace {namespace}, {listed}"
            + (" (filled by the ExternalSecrets below)" if external is not None else " must exist")
            + ".\n",
        )
        files[f"{overlay}/config.yaml"] = rendering.files["litellm/config.yaml"]
        files[f"{overlay}/litellm-deployment.yaml"] = _patch(names, env_names, secrets, env, file_name)
        elements.append({"env": env, "cluster": cluster, "namespace": namespace, "path": in_repo(overlay)})
        cluster_dir = f"flux/clusters/{env}"
        flux_files = ["install-contract.yaml"]
        files[f"{cluster_dir}/install-contract.yaml"] = _doc(
            {
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": {"name": f"install-contract-{env}", "namespace": "flux-system"},
                "spec": {
                    "interval": "10m",
                    "path": "./" + in_repo(overlay),
                    "prune": True,
                    "sourceRef": {"kind": "GitRepository", "name": flux_source},
                    "targetNamespace": namespace,
                },
            },
            _header(f"Flux: environment {env}'s overlay", file_name),
        )
        if served:
            values = load(rendering.files["helm/production-stack.values.yaml"].decode("utf-8")).data
            _key_refs(values, chart_keys, env_names["secret"])
            values_text = block(values) + "\n"
            flux_files += ["vllm-stack-repository.yaml", "vllm-stack.yaml"]
            files[f"{cluster_dir}/vllm-stack-repository.yaml"] = _doc(
                {
                    "apiVersion": "source.toolkit.fluxcd.io/v1",
                    "kind": "HelmRepository",
                    "metadata": {"name": VLLM_STACK_CHART, "namespace": "flux-system"},
                    "spec": {"interval": "1h", "url": VLLM_STACK_REPOSITORY},
                },
                _header("Flux: the vllm-stack chart's repository", file_name),
            )
            files[f"{cluster_dir}/vllm-stack.yaml"] = _doc(
                {
                    "apiVersion": "helm.toolkit.fluxcd.io/v2",
                    "kind": "HelmRelease",
                    "metadata": {"name": f"vllm-stack-{env}", "namespace": "flux-system"},
                    "spec": {
                        "interval": "10m",
                        "releaseName": VLLM_STACK_CHART,
                        "targetNamespace": namespace,
                        "chart": {
                            "spec": {
                                "chart": VLLM_STACK_CHART,
                                "version": VLLM_STACK_VERSION,
                                "sourceRef": {
                                    "kind": "HelmRepository",
                                    "name": VLLM_STACK_CHART,
                                    "namespace": "flux-system",
                                },
                            }
                        },
                        "values": values,
                    },
                },
                _header(f"Flux: environment {env}'s self-hosted models (vllm-stack)", file_name),
            )
            helm_elements.append(
                {"env": env, "cluster": cluster, "namespace": namespace, "values": values_text}
            )
        files[f"{cluster_dir}/kustomization.yaml"] = _doc(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": flux_files,
            },
            _header(f"Flux: what cluster {env} reconciles (point its flux bootstrap --path here)", file_name),
        )
    files["argocd/applicationset.yaml"] = _doc(
        _application_set(
            "install-contract",
            elements,
            {"repoURL": repo, "targetRevision": revision, "path": "{{.path}}"},
            "install-contract-{{.env}}",
        ),
        _header("Argo CD: one Application per environment", file_name),
    )
    if helm_elements:
        files["argocd/vllm-stack.applicationset.yaml"] = _doc(
            _application_set(
                "install-contract-vllm-stack",
                helm_elements,
                {
                    "repoURL": VLLM_STACK_REPOSITORY,
                    "chart": VLLM_STACK_CHART,
                    "targetRevision": VLLM_STACK_VERSION,
                    "helm": {"releaseName": VLLM_STACK_CHART, "values": "{{.values}}"},
                },
                "vllm-stack-{{.env}}",
            ),
            _header("Argo CD: the self-hosted models of each environment (vllm-stack)", file_name),
        )
    ordered = dict(sorted(files.items()))
    ordered[MANIFEST] = top_manifest(file_name, raw, envs, ordered, MANIFEST_FORMAT)
    return ordered


def _litellm_names(platform: Any) -> dict[str, str]:
    from contract.pipeline.model import Litellm

    litellm = platform.litellm if platform is not None and platform.litellm is not None else Litellm()
    return {"configMap": litellm.config_map, "secret": litellm.secret, "deployment": litellm.deployment}


def _namespace(platform: Any, env: str) -> str:
    kube = platform.kubernetes if platform is not None else None
    return kube.namespace if kube is not None and kube.namespace else env


def _litellm_objects(names: Mapping[str, str], registry: str | None, file_name: str) -> bytes:
    image = images.LITELLM_IMAGE if registry is None else str(images.mirror(images.LITELLM_IMAGE, registry))
    labels = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": names["deployment"]}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": names["deployment"], "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "litellm",
                            "image": image,
                            "args": ["--config", f"{CONFIG_DIR}/config.yaml", "--port", str(LITELLM_PORT)],
                            "ports": [{"name": "http", "containerPort": LITELLM_PORT}],
                            "envFrom": [{"secretRef": {"name": names["secret"]}}],
                            "volumeMounts": [{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
                            "readinessProbe": {
                                "httpGet": {"path": "/health/readiness", "port": "http"},
                                "periodSeconds": 10,
                            },
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": names["configMap"]}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": names["deployment"], "labels": labels},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": LITELLM_PORT, "targetPort": "http"}]},
    }
    header = _header("The LiteLLM proxy (reads the ConfigMap and the Secret)", file_name)
    return (header + block(deployment) + "\n---\n" + block(service) + "\n").encode("utf-8")


def _patch(
    names: Mapping[str, str],
    env_names: Mapping[str, str],
    secrets: Mapping[str, list[str]],
    env: str,
    file_name: str,
) -> bytes:
    keys = secrets[env_names["secret"]]
    return _doc(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": names["deployment"],
                "annotations": {
                    "install-contract/secret": env_names["secret"],
                    "install-contract/secret-keys": ",".join(keys),
                },
            },
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "litellm", "envFrom": [{"secretRef": {"name": env_names["secret"]}}]}
                        ]
                    }
                }
            },
        },
        _header(f"Environment {env}: the Secret LiteLLM reads, and the keys it must hold", file_name),
    )


def _external_secret(
    secret: str, keys: Sequence[str], env: str, external: Mapping[str, Any], file_name: str
) -> bytes:
    return _doc(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": secret},
            "spec": {
                "refreshInterval": str(external.get("refreshInterval") or "1h"),
                "secretStoreRef": {
                    "name": str(external.get("store")),
                    "kind": str(external.get("kind") or "ClusterSecretStore"),
                },
                "target": {"name": secret, "creationPolicy": "Owner"},
                "data": [{"secretKey": key, "remoteRef": {"key": f"{env}/{key}"}} for key in keys],
            },
        },
        _header(f"A stub: point each remoteRef at where {env}'s value is kept in the store", file_name),
    )


def _application_set(
    name: str, elements: list[dict[str, str]], source: dict[str, Any], app_name: str
) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {"name": app_name},
                "spec": {
                    "project": "default",
                    "source": source,
                    "destination": {"server": "{{.cluster}}", "namespace": "{{.namespace}}"},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": ["CreateNamespace=true"],
                    },
                },
            },
        },
    }
