"""The mock Kubernetes API server: every object gets its name, a uid and a resource version."""

from __future__ import annotations

from typing import Any

from aistacks.engine.cloud.base import CloudModel, Created, stable_uuid


def metadata(c: Created) -> tuple[str, dict[str, Any]]:
    """What the API server adds to any object: the same for every kind, so it also answers kinds not listed."""
    fields = dict(c.inputs.get("metadata") or {})
    name = fields.get("name") or c.physical_name
    namespace = fields.get("namespace")
    fields |= {"name": name, "uid": stable_uuid("k8s", c.type, name), "resourceVersion": "1"}
    return (f"{namespace}/{name}" if namespace else name), {"metadata": fields}


def release(c: Created) -> tuple[str, dict[str, Any]]:
    """A Helm release once installed: its status, as pulumi-kubernetes reports it (helm.sh/v3 Release
    ``status``: name, namespace, chart, version, revision, status)."""
    name = c.inputs.get("name") or c.physical_name
    namespace = c.inputs.get("namespace") or "default"
    status = {
        "name": name,
        "namespace": namespace,
        "chart": c.inputs.get("chart", ""),
        "version": c.inputs.get("version", ""),
        "revision": 1,
        "status": "deployed",
    }
    return f"{namespace}/{name}", {"name": name, "status": status}


MODEL = CloudModel(
    package="kubernetes",
    resources=dict.fromkeys(
        (
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:LimitRange",
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:ResourceQuota",
            "kubernetes:core/v1:Secret",
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            "kubernetes:rbac.authorization.k8s.io/v1:Role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            "kubernetes:storage.k8s.io/v1:StorageClass",
            # The custom resources aistacks applies (KEDA's, Managed Service for Prometheus's).
            "kubernetes:keda.sh/v1alpha1:ScaledObject",
            "kubernetes:keda.sh/v1alpha1:TriggerAuthentication",
            "kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
        ),
        metadata,
    )
    | {"kubernetes:helm.sh/v3:Release": release},
)
