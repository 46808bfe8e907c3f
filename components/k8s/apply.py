"""Creating a manifest as a Pulumi resource, field for field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.manifests import Manifest

# Built-in kinds go through their typed classes, which carry the canonical type tokens
# (`kubernetes:core/v1:Namespace`); custom resources through CustomResource.
_BUILT_IN_KINDS: Mapping[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ResourceQuota"): k8s.core.v1.ResourceQuota,
    ("v1", "LimitRange"): k8s.core.v1.LimitRange,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("apps/v1", "DaemonSet"): k8s.apps.v1.DaemonSet,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("apps/v1", "StatefulSet"): k8s.apps.v1.StatefulSet,
    ("batch/v1", "CronJob"): k8s.batch.v1.CronJob,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("storage.k8s.io/v1", "StorageClass"): k8s.storage.v1.StorageClass,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): k8s.rbac.v1.ClusterRoleBinding,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def apply_manifest(name: str, manifest: Manifest, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """The manifest as a resource of its own kind (``kubernetes:apps/v1:DaemonSet``, …) with its fields
    as written (outputs may stand inside them), so what is validated is what is applied."""
    api_version, kind = manifest["apiVersion"], manifest["kind"]
    fields: dict[str, Any] = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")}
    typed = _BUILT_IN_KINDS.get((api_version, kind))
    if typed is not None:
        return typed(name, metadata=manifest["metadata"], opts=opts, **{_snake(k): v for k, v in fields.items()})
    if set(fields) - {"spec"}:
        extra = ", ".join(sorted(set(fields) - {"spec"}))
        raise ValueError(f"{kind} has fields beside spec ({extra}); add its class to _BUILT_IN_KINDS")
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, metadata=manifest["metadata"], spec=fields.get("spec"), opts=opts
    )
