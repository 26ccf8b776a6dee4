"""LiteLLM's objects in the Kubernetes emulator: where they live, the Deployment a platform runs, and
how to read one back.

Not a test module: `from tests.support.litellm_kube import ...`.
"""

from __future__ import annotations

from typing import Any

from tests.support.kube_mock import KubeCluster

NS = "platform"
SECRETS = f"/api/v1/namespaces/{NS}/secrets"
CONFIG_MAPS = f"/api/v1/namespaces/{NS}/configmaps"
DEPLOYMENTS = f"/apis/apps/v1/namespaces/{NS}/deployments"


DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "litellm", "labels": {"app": "litellm"}, "annotations": {"team": "platform"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "litellm"}},
        "template": {
            "metadata": {"labels": {"app": "litellm"}, "annotations": {"prometheus.io/scrape": "true"}},
            "spec": {
                "containers": [
                    {
                        "name": "litellm",
                        "image": "ghcr.io/berriai/litellm:v1.106.2",
                        "args": ["--config", "/etc/litellm/config.yaml"],
                        "envFrom": [{"secretRef": {"name": "litellm-credentials"}}],
                    }
                ]
            },
        },
    },
}


def stored(cluster: KubeCluster, collection: str, name: str) -> dict[str, Any]:
    return next(o for o in cluster.objects(collection) if o["metadata"]["name"] == name)
