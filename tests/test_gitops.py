"""`render --target gitops`, proved by the tools that read the tree.

* `kubectl kustomize` (kubectl 1.32, Kustomize 5.5) builds every overlay; the objects it
  builds validate with kubernetes-validate against Kubernetes 1.32, strictly.
* The ConfigMap built for each environment holds exactly `render --env`'s LiteLLM config,
  under a hashed name the Deployment follows (a new config rolls the pods).
* The Argo CD ApplicationSets and the Flux Kustomizations, HelmRepositories and HelmReleases
  validate against their published schemas (@kubernetes-models/argo-cd and flux-cd, npm,
  under node: scripts/peers/install-kubernetes-models).
* The three-environment fixture's tree is a snapshot.

kubectl and node are real peers: missing, they skip a test here and fail it in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from cli.main import main
from tests.support.environment_contracts import THREE

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / ".peers" / "kubernetes-models"
ENVS = ("dev", "staging", "prod")
ENV = {"OPENAI_API_KEY": "sk-test", "VLLM_API_KEY": "vllm-test"}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{tool} is not installed; CI must have it")
        pytest.skip(f"{tool} is not installed")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=ENV)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d]


def kustomize(path: Path) -> list[dict[str, Any]]:
    built = subprocess.run(
        [need("kubectl"), "kustomize", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert built.returncode == 0, built.stderr
    return documents(built.stdout)


@pytest.fixture(scope="module")
def gitops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gitops")
    src = root / "src" / "install-contract.yaml"
    src.parent.mkdir()
    shutil.copy(THREE, src)
    result = run("render", str(src), "--target", "gitops", "-o", str(root / "out"))
    assert result.exit_code == 0, result.output
    for env in ENVS:
        assert run("render", str(src), "--env", env, "-o", str(root / f"env-{env}")).exit_code == 0
    return root


def test_the_tree_of_the_three_environment_fixture(gitops: Path, snapshot: Any) -> None:
    files = tree(gitops / "out")
    manifest = json.loads(files.pop("manifest.json"))
    assert set(manifest["files"]) == set(files)
    assert manifest["environments"] == list(ENVS)
    assert {p: b.decode() for p, b in files.items()} == snapshot


def test_every_overlay_builds_and_its_configmap_is_render_envs_config(gitops: Path) -> None:
    for env in ENVS:
        objects = kustomize(gitops / "out" / "overlays" / env)
        by_kind = {o["kind"]: o for o in objects}
        assert set(by_kind) == {"Namespace", "ConfigMap", "Deployment", "Service"}
        assert by_kind["Namespace"]["metadata"]["name"] == f"ai-{env}"
        config_map = by_kind["ConfigMap"]
        own = (gitops / f"env-{env}" / env / "litellm" / "config.yaml").read_text()
        assert config_map["data"]["config.yaml"] == own  # byte for byte
        assert config_map["metadata"]["name"].startswith("litellm-config-")  # hashed
        namespace = f"ai-{env}"
        assert {o["metadata"]["namespace"] for o in objects if o["kind"] != "Namespace"} == {namespace}
        pod = by_kind["Deployment"]["spec"]["template"]["spec"]
        assert pod["volumes"][0]["configMap"]["name"] == config_map["metadata"]["name"]
        assert pod["containers"][0]["envFrom"] == [{"secretRef": {"name": "litellm-credentials"}}]
        keys = by_kind["Deployment"]["metadata"]["annotations"]["install-contract/secret-keys"]
        assert keys.split(",") == (
            ["LITELLM_MASTER_KEY", "OPENAI_API_KEY"]
            if env == "dev"
            else ["LITELLM_MASTER_KEY", "OPENAI_API_KEY", "VLLM_API_KEY"]
        )


def test_a_new_config_is_a_new_configmap_name(gitops: Path, tmp_path: Path) -> None:
    out = tmp_path / "tree"
    shutil.copytree(gitops / "out", out)
    before = next(o for o in kustomize(out / "overlays" / "prod") if o["kind"] == "ConfigMap")
    config = out / "overlays" / "prod" / "config.yaml"
    config.write_text(config.read_text().replace("max_output_tokens: 16384", "max_output_tokens: 8192", 1))
    after = kustomize(out / "overlays" / "prod")
    name = next(o for o in after if o["kind"] == "ConfigMap")["metadata"]["name"]
    assert name != before["metadata"]["name"]
    deployment = next(o for o in after if o["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == name


def test_built_objects_validate_against_kubernetes_1_32_strictly(gitops: Path) -> None:
    import kubernetes_validate

    for env in ENVS:
        for obj in kustomize(gitops / "out" / "overlays" / env):
            kubernetes_validate.validate(obj, "1.32.0", strict=True)
    wrong = next(o for o in kustomize(gitops / "out" / "overlays" / "dev") if o["kind"] == "Deployment")
    wrong["spec"]["template"]["spec"]["containers"][0]["envFromm"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, "1.32.0", strict=True)


def published_schemas(objects: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    node = need("node")
    if not (MODELS / "node_modules").is_dir():
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail("run scripts/peers/install-kubernetes-models")
        pytest.skip("run scripts/peers/install-kubernetes-models")
    return subprocess.run(
        [node, str(ROOT / "scripts" / "peers" / "kubernetes_models_validate.mjs"), str(MODELS)],
        input=json.dumps(objects),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_argo_cd_and_flux_objects_validate_against_their_published_schemas(gitops: Path) -> None:
    out = gitops / "out"
    objects: list[dict[str, Any]] = []
    for path in sorted((out / "argocd").glob("*.yaml")):
        objects += documents(path.read_text())
    for env in ENVS:
        objects += kustomize(out / "flux" / "clusters" / env)
    checked = published_schemas(objects)
    assert checked.returncode == 0, checked.stderr
    kinds = [line.split()[2] for line in checked.stdout.splitlines()]
    assert kinds.count("ApplicationSet") == 2
    assert kinds.count("Kustomization") == 3  # one Flux Kustomization per environment
    assert kinds.count("HelmRelease") == 2  # staging and prod serve qwen3-coder-30b; dev does not
    broken = next(o for o in objects if o["kind"] == "Kustomization")
    broken["spec"]["prune"] = "yes"
    assert published_schemas([broken]).returncode == 1


def test_the_application_set_has_one_element_per_environment(gitops: Path) -> None:
    (appset,) = documents((gitops / "out" / "argocd" / "applicationset.yaml").read_text())
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert elements == [
        {
            "env": "dev",
            "cluster": "https://kubernetes.default.svc",
            "namespace": "ai-dev",
            "path": "deploy/ai-models/overlays/dev",
        },
        {
            "env": "staging",
            "cluster": "https://staging.k8s.example.internal",
            "namespace": "ai-staging",
            "path": "deploy/ai-models/overlays/staging",
        },
        {
            "env": "prod",
            "cluster": "https://prod.k8s.example.internal",
            "namespace": "ai-prod",
            "path": "deploy/ai-models/overlays/prod",
        },
    ]
    source = appset["spec"]["template"]["spec"]["source"]
    assert source["repoURL"] == "https://git.example.internal/platform/ai-models.git"
    for env in ENVS:
        (flux,) = [
            o for o in kustomize(gitops / "out" / "flux" / "clusters" / env) if o["kind"] == "Kustomization"
        ]
        assert flux["spec"]["prune"] is True
        assert flux["spec"]["path"] == f"./deploy/ai-models/overlays/{env}"
    helm = next(
        o for o in kustomize(gitops / "out" / "flux" / "clusters" / "prod") if o["kind"] == "HelmRelease"
    )
    assert (
        helm["spec"]["values"]["servingEngineSpec"]["modelSpec"][0]["vllmConfig"]["enablePrefixCaching"]
        is True
    )


def test_secrets_are_references_and_external_secret_stubs(tmp_path: Path) -> None:
    text = THREE.read_text().replace(
        "  path: deploy/ai-models\n",
        "  path: deploy/ai-models\n  externalSecrets: {store: vault, kind: SecretStore}\n",
    )
    src = tmp_path / "c.yaml"
    src.write_text(text)
    result = run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    files = tree(tmp_path / "out")
    stub = documents(files["overlays/prod/externalsecret-litellm-credentials.yaml"].decode())[0]
    assert stub["spec"]["secretStoreRef"] == {"name": "vault", "kind": "SecretStore"}
    assert stub["spec"]["target"]["name"] == "litellm-credentials"
    assert [d["secretKey"] for d in stub["spec"]["data"]] == [
        "LITELLM_MASTER_KEY",
        "OPENAI_API_KEY",
        "VLLM_API_KEY",
    ]
    # the chart's vLLM key is read from the environment's one Secret, which the stub fills
    assert [name for name in files if "externalsecret" in name and "/prod/" in name] == [
        "overlays/prod/externalsecret-litellm-credentials.yaml"
    ]
    release = documents(files["flux/clusters/prod/vllm-stack.yaml"].decode())[0]
    assert release["spec"]["values"]["servingEngineSpec"]["vllmApiKey"] == {
        "secretName": "litellm-credentials",
        "secretKey": "VLLM_API_KEY",
    }
    built = kustomize(tmp_path / "out" / "overlays" / "prod")
    assert {o["kind"] for o in built} == {"Namespace", "ConfigMap", "Deployment", "Service", "ExternalSecret"}
    assert all(o["kind"] != "Secret" for o in built)
    stubs = [o for o in built if o["kind"] == "ExternalSecret"]
    checked = published_schemas(stubs)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("valid external-secrets.io/v1 ExternalSecret")
    for value in ENV.values():
        assert all(value.encode() not in data for data in files.values())


def test_gitops_needs_a_repository_and_stands_alone(tmp_path: Path) -> None:
    src = tmp_path / "c.yaml"
    src.write_text(
        THREE.read_text().replace("  repoURL: https://git.example.internal/platform/ai-models.git\n", "")
    )
    result = run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "gitops.repoURL" in result.stderr
    mixed = run("render", str(THREE), "-t", "gitops,litellm", "-o", str(tmp_path / "out"))
    assert mixed.exit_code == 2
    (tmp_path / "plain.yaml").write_text(THREE.read_text().split("\nenvironments:\n")[0] + "\n")
    plain = run("render", str(tmp_path / "plain.yaml"), "-t", "gitops", "-o", str(tmp_path / "out"))
    assert plain.exit_code == 2 and "declares no environments" in plain.stderr


def test_an_environment_may_not_rename_the_litellm_objects_but_may_change_its_secret(tmp_path: Path) -> None:
    src = tmp_path / "c.yaml"
    renamed = THREE.read_text().replace(
        "      kubernetes: {context: dev, namespace: ai-dev}\n",
        "      kubernetes: {context: dev, namespace: ai-dev}\n      litellm: {deployment: litellm-dev}\n",
    )
    src.write_text(renamed)
    result = run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out"))
    assert (
        result.exit_code == 2
        and "environment dev names the LiteLLM deployment 'litellm-dev'" in result.stderr
    )
    src.write_text(renamed.replace("{deployment: litellm-dev}", "{secret: litellm-dev-credentials}"))
    assert run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out")).exit_code == 0
    dev = kustomize(tmp_path / "out" / "overlays" / "dev")
    pod = next(o for o in dev if o["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert pod["containers"][0]["envFrom"] == [{"secretRef": {"name": "litellm-dev-credentials"}}]
    # a second render replaces its own tree; --check finds it current
    assert run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out")).exit_code == 0
    assert run("render", str(src), "-t", "gitops", "-o", str(tmp_path / "out"), "--check").exit_code == 0


def test_gitops_for_one_environment(tmp_path: Path) -> None:
    result = run("render", str(THREE), "-t", "gitops", "--env", "prod", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    files = tree(tmp_path / "out")
    assert {p.split("/")[1] for p in files if p.startswith("overlays/")} == {"prod"}
    (appset,) = documents(files["argocd/applicationset.yaml"].decode())
    assert [e["env"] for e in appset["spec"]["generators"][0]["list"]["elements"]] == ["prod"]
