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
        ),
        metadata,
    ),
)
