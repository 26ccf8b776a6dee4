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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contract import __version__
from contract.errors import UsageError
from contract.knowledge import images
from contract.pipeline.render.yamlout import block

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


@dataclass(frozen=True)
class _Tree:
    """What every file of the tree reads: the `gitops:` settings, the source, render's options."""

    file_name: str
    text: str
    raw: bytes
    repo: str
    root: str
    revision: str
    flux_source: str
    external: Mapping[str, Any] | None  # gitops.externalSecrets
    environments: Mapping[str, Any]  # `environments:` as written
    options: Mapping[str, Any]  # render's keyword arguments
    names: Mapping[str, str]  # the base's LiteLLM ConfigMap, Secret and Deployment

    def in_repo(self, path: str) -> str:
        return f"{self.root}/{path}" if self.root else path

    def header(self, what: str) -> str:
        return _header(what, self.file_name)


@dataclass(frozen=True)
class _Env:
    """One environment of the tree: where it goes, its LiteLLM names, the Secrets it reads."""

    name: str
    namespace: str
    cluster: str
    names: Mapping[str, str]
    secrets: dict[str, list[str]]  # Secret -> the keys it must hold
    chart_keys: list[tuple[str, str]]  # the vllm-stack chart's keys: (values path, variable)
    overlay: str


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
    from contract.pipeline.render import MANIFEST, MANIFEST_FORMAT
    from contract.pipeline.render.environments import top_manifest

    options = {
        "catalog_path": catalog_path,
        "templates": templates,
        "registry": registry,
        "litellm_extra": litellm_extra,
    }
    tree = _tree(result, text, file_name, raw, options)
    files = _base(tree, result)
    elements: list[dict[str, str]] = []
    helm_elements: list[dict[str, str]] = []
    for env in envs:
        element, helm_element = _environment(tree, result, env, files)
        elements.append(element)
        if helm_element is not None:
            helm_elements.append(helm_element)
    _argocd(tree, elements, helm_elements, files)
    ordered = dict(sorted(files.items()))
    ordered[MANIFEST] = top_manifest(file_name, raw, envs, ordered, MANIFEST_FORMAT)
    return ordered


def _tree(result: Result, text: str, file_name: str, raw: bytes, options: Mapping[str, Any]) -> _Tree:
    """The `gitops:` settings of the file (gitops.repoURL required) and the base's names."""
    from contract.pipeline.load import load

    doc = load(text)
    data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
    gitops: dict[str, Any] = data["gitops"] if isinstance(data.get("gitops"), dict) else {}
    repo = gitops.get("repoURL")
    if not isinstance(repo, str) or not repo:
        raise UsageError(
            "--target gitops needs gitops.repoURL: the Git repository Argo CD and Flux read the tree from"
        )
    if result.contract is None:
        raise UsageError(f"{file_name}: the contract has errors; nothing was rendered")
    return _Tree(
        file_name,
        text,
        raw,
        repo,
        root=str(gitops.get("path") or "").strip("/"),
        revision=str(gitops.get("revision") or "main"),
        flux_source=str(gitops.get("fluxSource") or "flux-system"),
        external=gitops.get("externalSecrets") if isinstance(gitops.get("externalSecrets"), dict) else None,
        environments=data["environments"] if isinstance(data.get("environments"), dict) else {},
        options=options,
        names=_litellm_names(result.contract.platform),
    )


def _base(tree: _Tree, result: Result) -> dict[str, bytes]:
    """base/: the LiteLLM proxy of every environment, with the base contract's config."""
    from contract.pipeline.render import render

    assert result.contract is not None  # _tree refused a contract with errors
    base_config = render(
        result.contract,
        source_name=tree.file_name,
        source_bytes=tree.raw,
        targets=["litellm"],
        **tree.options,
    ).files["litellm/config.yaml"]
    return {
        "base/kustomization.yaml": _doc(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["litellm.yaml"],
                "configMapGenerator": [{"name": tree.names["configMap"], "files": ["config.yaml"]}],
            },
            tree.header("The LiteLLM proxy of every environment"),
        ),
        "base/config.yaml": base_config,
        "base/litellm.yaml": _litellm_objects(tree.names, tree.options["registry"], tree.file_name),
    }


def _environment(
    tree: _Tree, result: Result, env: str, files: dict[str, bytes]
) -> tuple[dict[str, str], dict[str, str] | None]:
    """Environment `env`'s overlay and Flux files; its Argo CD elements (LiteLLM, vllm-stack or None)."""
    from contract.pipeline.render import _views as views
    from contract.pipeline.render import render
    from contract.pipeline.render.environments import resolved_name, resolved_text

    contract = result.environments.get(env)
    if contract is None:
        raise UsageError(f"environment {env} has errors; nothing was rendered")
    source = resolved_text(tree.text, env, tree.file_name)
    served = [m for m in contract.models if m.vllm is not None]
    targets = ["litellm", *(["helm-production-stack"] if served else [])]
    rendering = render(
        contract,
        source_name=resolved_name(tree.file_name, env),
        source_bytes=source.encode("utf-8"),
        targets=targets,
        **tree.options,
    )
    env_names = _litellm_names(contract.platform)
    for key in ("configMap", "deployment"):
        if env_names[key] != tree.names[key]:
            raise UsageError(
                f"environment {env} names the LiteLLM {key} {env_names[key]!r}, the base {tree.names[key]!r}: "
                "the GitOps tree takes these names from the base (set platform.litellm there); "
                "only the Secret may differ per environment"
            )
    raw_env: dict[str, Any] = tree.environments[env] if isinstance(tree.environments.get(env), dict) else {}
    secrets: dict[str, list[str]] = {env_names["secret"]: rendering.env.all()}
    # The chart's keys: `render` passes them to `helm upgrade` from the environment; a GitOps
    # controller has no environment, so the values name the environment's Secret instead.
    chart_keys = views.production_stack_keys(served) if served else []
    for _, variable in chart_keys:
        keys = secrets[env_names["secret"]]
        if variable not in keys:
            keys.append(variable)
    place = _Env(
        env,
        _namespace(contract.platform, env),
        str(raw_env.get("cluster") or IN_CLUSTER),
        env_names,
        secrets,
        chart_keys,
        f"overlays/{env}",
    )
    files.update(_overlay(tree, place, rendering.files["litellm/config.yaml"]))
    stack = rendering.files["helm/production-stack.values.yaml"] if served else None
    element = {
        "env": env,
        "cluster": place.cluster,
        "namespace": place.namespace,
        "path": tree.in_repo(place.overlay),
    }
    return element, _flux(tree, place, stack, files)


def _overlay(tree: _Tree, env: _Env, config: bytes) -> dict[str, bytes]:
    """overlays/<env>/: namespace, labels, the environment's config and Secret (and its stubs)."""
    files: dict[str, bytes] = {}
    resources = ["../../base", "namespace.yaml"]
    files[f"{env.overlay}/namespace.yaml"] = _doc(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": env.namespace}},
        tree.header(f"Environment {env.name}'s namespace"),
    )
    if tree.external is not None:
        for secret, keys in env.secrets.items():
            path = f"externalsecret-{secret}.yaml"
            resources.append(path)
            files[f"{env.overlay}/{path}"] = _external_secret(
                secret, keys, env.name, tree.external, tree.file_name
            )
    listed = "; ".join(f"Secret {s} with keys {', '.join(k)}" for s, k in env.secrets.items())
    files[f"{env.overlay}/kustomization.yaml"] = _doc(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": env.namespace,
            "resources": resources,
            "labels": [
                {
                    "pairs": {"install-contract/environment": env.name},
                    "includeSelectors": False,
                    "includeTemplates": True,
                }
            ],
            "configMapGenerator": [
                {"name": tree.names["configMap"], "behavior": "replace", "files": ["config.yaml"]}
            ],
            "patches": [{"path": "litellm-deployment.yaml"}],
        },
        tree.header(f"Environment {env.name}")
        + f"# Secrets are references, never values: in namespace {env.namespace}, {listed}"
        + (" (filled by the ExternalSecrets below)" if tree.external is not None else " must exist")
        + ".\n",
    )
    files[f"{env.overlay}/config.yaml"] = config
    files[f"{env.overlay}/litellm-deployment.yaml"] = _patch(
        tree.names, env.names, env.secrets, env.name, tree.file_name
    )
    return files


def _flux(tree: _Tree, env: _Env, stack: bytes | None, files: dict[str, bytes]) -> dict[str, str] | None:
    """flux/clusters/<env>/: the overlay's Flux Kustomization, and with self-hosted models
    (`stack`: their production-stack values) the vllm-stack HelmRelease; returns then the
    environment's element of Argo CD's vllm-stack ApplicationSet."""
    cluster_dir = f"flux/clusters/{env.name}"
    flux_files = ["install-contract.yaml"]
    files[f"{cluster_dir}/install-contract.yaml"] = _doc(
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": f"install-contract-{env.name}", "namespace": "flux-system"},
            "spec": {
                "interval": "10m",
                "path": "./" + tree.in_repo(env.overlay),
                "prune": True,
                "sourceRef": {"kind": "GitRepository", "name": tree.flux_source},
                "targetNamespace": env.namespace,
            },
        },
        tree.header(f"Flux: environment {env.name}'s overlay"),
    )
    helm_element = None
    if stack is not None:
        flux_files += ["vllm-stack-repository.yaml", "vllm-stack.yaml"]
        helm_element = _vllm_stack(tree, env, stack, cluster_dir, files)
    files[f"{cluster_dir}/kustomization.yaml"] = _doc(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": flux_files,
        },
        tree.header(f"Flux: what cluster {env.name} reconciles (point its flux bootstrap --path here)"),
    )
    return helm_element


def _vllm_stack(
    tree: _Tree, env: _Env, stack: bytes, cluster_dir: str, files: dict[str, bytes]
) -> dict[str, str]:
    """The vllm-stack chart for Flux (a HelmRepository and a HelmRelease), its keys read from the
    environment's Secret; returns the environment's element of Argo CD's ApplicationSet."""
    from contract.pipeline.load import load

    values = load(stack.decode("utf-8")).data
    _key_refs(values, env.chart_keys, env.names["secret"])
    values_text = block(values) + "\n"
    files[f"{cluster_dir}/vllm-stack-repository.yaml"] = _doc(
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": {"name": VLLM_STACK_CHART, "namespace": "flux-system"},
            "spec": {"interval": "1h", "url": VLLM_STACK_REPOSITORY},
        },
        tree.header("Flux: the vllm-stack chart's repository"),
    )
    chart_ref = {"kind": "HelmRepository", "name": VLLM_STACK_CHART, "namespace": "flux-system"}
    files[f"{cluster_dir}/vllm-stack.yaml"] = _doc(
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": f"vllm-stack-{env.name}", "namespace": "flux-system"},
            "spec": {
                "interval": "10m",
                "releaseName": VLLM_STACK_CHART,
                "targetNamespace": env.namespace,
                "chart": {
                    "spec": {"chart": VLLM_STACK_CHART, "version": VLLM_STACK_VERSION, "sourceRef": chart_ref}
                },
                "values": values,
            },
        },
        tree.header(f"Flux: environment {env.name}'s self-hosted models (vllm-stack)"),
    )
    return {"env": env.name, "cluster": env.cluster, "namespace": env.namespace, "values": values_text}


def _argocd(
    tree: _Tree, elements: list[dict[str, str]], helm_elements: list[dict[str, str]], files: dict[str, bytes]
) -> None:
    """argocd/: an Application per environment, and the vllm-stack chart where models are served."""
    files["argocd/applicationset.yaml"] = _doc(
        _application_set(
            "install-contract",
            elements,
            {"repoURL": tree.repo, "targetRevision": tree.revision, "path": "{{.path}}"},
            "install-contract-{{.env}}",
        ),
        tree.header("Argo CD: one Application per environment"),
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
            tree.header("Argo CD: the self-hosted models of each environment (vllm-stack)"),
        )


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
