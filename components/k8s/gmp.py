"""Google Cloud Managed Service for Prometheus on GKE: the PodMonitoring that has GKE's managed collectors
scrape a workload, and where those collectors run (for the NetworkPolicy that lets them in).

Source: GoogleCloudPlatform/prometheus-engine 2ffde4e (read 2026-12-01): the PodMonitoring CRD
(charts/operator/crds/monitoring.googleapis.com_podmonitorings.yaml, version v1) and the collector DaemonSet
(manifests/operator.yaml: namespace ``gmp-system``, no host network, so a NetworkPolicy can admit them by
namespace; the pods' labels are the open-source manifests', not documented for GKE's managed collection).
"""

from __future__ import annotations

from collections.abc import Mapping

from aistacks.k8s.manifests import Manifest

COLLECTOR_NAMESPACE = "gmp-system"


def pod_monitoring(
    namespace: str, name: str, selector: Mapping[str, str], port: str, path: str, interval_seconds: int
) -> Manifest:
    """Scrape ``path`` on the named container ``port`` of the pods ``selector`` picks, every
    ``interval_seconds``."""
    return {
        "apiVersion": "monitoring.googleapis.com/v1",
        "kind": "PodMonitoring",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "aistacks"}},
        "spec": {
            "selector": {"matchLabels": dict(selector)},
            "endpoints": [{"port": port, "path": path, "interval": f"{interval_seconds}s"}],
        },
    }
