"""The Kubernetes Cluster Autoscaler's objects as plain manifests (pure functions), on any cloud: the cloud's
part (its provider flags, its identity annotation, its environment) comes in as arguments.

The RBAC is the upstream example manifest's (kubernetes/autoscaler,
cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml at tag
cluster-autoscaler-1.35.2, read 2026-11-30), with what the releases need beyond it noted where it is added.
Every manifest here is validated strictly against the Kubernetes OpenAPI schema in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aistacks.k8s.manifests import Manifest, app_labels, app_selector, non_root_pod_security

NAME = "cluster-autoscaler"
"""Every object's name, as upstream: leader election and the status ConfigMap use it too."""
METRICS_PORT = 8085
"""``--address``: Prometheus metrics (``/metrics``) and the health check (``/health-check``). Source:
cluster-autoscaler/main.go and config/flags/flags.go at cluster-autoscaler-1.35.2 (read 2026-11-30)."""
HEALTH_PATH = "/health-check"
"""Answers 500 once the leader has not finished a loop for too long; standby replicas always answer 200."""
BINARY = "/cluster-autoscaler"
"""Where the release images put the binary (cluster-autoscaler/Dockerfile, ``COPY … /cluster-autoscaler``,
at every tag from 1.30.7 to 1.35.2; read 2026-11-30)."""
NONROOT_ID = 65534
"""The user, group and fsGroup of the upstream manifest; the group lets the non-root process read the
projected identity token."""

_READ = ("watch", "list", "get")


def _metadata(namespace: str | None = None, annotations: Mapping[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": NAME, "labels": app_labels(NAME)}
    if namespace is not None:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = dict(annotations)
    return metadata


def cluster_role_rules(*, dynamic_resource_allocation: bool) -> list[dict[str, Any]]:
    """What the autoscaler reads and changes cluster-wide: the upstream manifest's ClusterRole, plus the
    DRA objects a release that always handles them reads."""
    dra = {"apiGroups": ["resource.k8s.io"], "resources": ["deviceclasses", "resourceslices", "resourceclaims"]}
    return [
        {"apiGroups": [""], "resources": ["events", "endpoints"], "verbs": ["create", "patch"]},
        {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["pods/status"], "verbs": ["update"]},
        {"apiGroups": [""], "resources": ["endpoints"], "resourceNames": [NAME], "verbs": ["get", "update"]},
        {"apiGroups": [""], "resources": ["nodes"], "verbs": ["watch", "list", "get", "update"]},
        {
            "apiGroups": [""],
            "resources": [
                "namespaces",
                "pods",
                "services",
                "replicationcontrollers",
                "persistentvolumeclaims",
                "persistentvolumes",
            ],
            "verbs": [*_READ],
        },
        {"apiGroups": ["extensions"], "resources": ["replicasets", "daemonsets"], "verbs": [*_READ]},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["watch", "list"]},
        {"apiGroups": ["apps"], "resources": ["statefulsets", "replicasets", "daemonsets"], "verbs": [*_READ]},
        # Releases that handle DRA objects unconditionally (1.35) read them; the upstream manifest grants
        # this since 71612d6 (2026-04-14), after the 1.35.2 tag's copy was cut.
        *([{**dra, "verbs": [*_READ]}] if dynamic_resource_allocation else []),
        # volumeattachments: in the manifest from 1.33 on (upstream fix 442ad2d, "Fix failed to watch
        # *v1.VolumeAttachment", 2025-05-20); read-only, so granted to the older releases too.
        {
            "apiGroups": ["storage.k8s.io"],
            "resources": ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
            "verbs": [*_READ],
        },
        {"apiGroups": ["batch", "extensions"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "patch"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        {
            "apiGroups": ["coordination.k8s.io"],
            "resourceNames": [NAME],
            "resources": ["leases"],
            "verbs": ["get", "update"],
        },
    ]


def cluster_autoscaler_rbac(namespace: str, *, dynamic_resource_allocation: bool) -> list[Manifest]:
    """The ClusterRole, the Role on its status and priority-expander ConfigMaps in ``namespace``, and
    their bindings to the ``cluster-autoscaler`` ServiceAccount."""
    subject = [{"kind": "ServiceAccount", "name": NAME, "namespace": namespace}]
    rbac = "rbac.authorization.k8s.io/v1"
    return [
        {
            "apiVersion": rbac,
            "kind": "ClusterRole",
            "metadata": _metadata(),
            "rules": cluster_role_rules(dynamic_resource_allocation=dynamic_resource_allocation),
        },
        {
            "apiVersion": rbac,
            "kind": "Role",
            "metadata": _metadata(namespace),
            "rules": [
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "list", "watch"]},
                {
                    "apiGroups": [""],
                    "resources": ["configmaps"],
                    "resourceNames": ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"],
                    "verbs": ["delete", "get", "update", "watch"],
                },
            ],
        },
        {
            "apiVersion": rbac,
            "kind": "ClusterRoleBinding",
            "metadata": _metadata(),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
            "subjects": subject,
        },
        {
            "apiVersion": rbac,
            "kind": "RoleBinding",
            "metadata": _metadata(namespace),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
            "subjects": subject,
        },
    ]


def cluster_autoscaler_service_account(namespace: str, annotations: Mapping[str, Any]) -> Manifest:
    """The ServiceAccount, with what makes it act as its cloud identity (EKS: the IAM role's ARN)."""
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _metadata(namespace, annotations)}


def cluster_autoscaler_deployment(
    namespace: str,
    *,
    image: str,
    args: Sequence[str],
    env: Mapping[str, Any],
    replicas: int,
    node_selector: Mapping[str, str],
    cpu_request: str,
    memory: str,
    priority_class: str,
) -> Manifest:
    """The autoscaler on the nodes ``node_selector`` picks, running ``image`` with ``args`` (its flags;
    ``--address`` is set here, for the probes) and ``env``: non-root, read-only, no capabilities, the
    runtime's seccomp profile; probed on its health check; spread over nodes when there are several."""
    pod_labels = app_labels(NAME)
    probe = {"httpGet": {"path": HEALTH_PATH, "port": "metrics"}, "periodSeconds": 10, "timeoutSeconds": 5}
    spec: dict[str, Any] = {
        "serviceAccountName": NAME,
        "priorityClassName": priority_class,
        "nodeSelector": dict(node_selector),
        "securityContext": non_root_pod_security(NONROOT_ID, NONROOT_ID, NONROOT_ID),
        "containers": [
            {
                "name": NAME,
                "image": image,
                "command": [BINARY, *args, f"--address=:{METRICS_PORT}"],
                "env": [{"name": key, "value": value} for key, value in env.items()],
                "ports": [{"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"}],
                "livenessProbe": probe,
                "readinessProbe": probe,
                "resources": {
                    "requests": {"cpu": cpu_request, "memory": memory},
                    "limits": {"memory": memory},
                },
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "runAsNonRoot": True,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
    if replicas > 1:
        # The standby should not share the leader's node: losing that node would stop both.
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": app_selector(NAME)},
            }
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(namespace),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": app_selector(NAME)},
            "template": {"metadata": {"labels": pod_labels}, "spec": spec},
        },
    }


def cluster_autoscaler_disruption_budget(namespace: str) -> Manifest:
    """At most one autoscaler pod down at a time through voluntary disruptions (node drains, upgrades)."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(namespace),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": app_selector(NAME)}},
    }


def cluster_autoscaler_manifests(
    namespace: str,
    *,
    service_account_annotations: Mapping[str, Any],
    dynamic_resource_allocation: bool,
    image: str,
    args: Sequence[str],
    env: Mapping[str, Any],
    replicas: int,
    node_selector: Mapping[str, str],
    cpu_request: str,
    memory: str,
    priority_class: str,
) -> list[Manifest]:
    """Every object of the autoscaler, in the order they are applied: ServiceAccount, RBAC, Deployment,
    and a PodDisruptionBudget when there is more than one replica (with one, a budget of zero unavailable
    would block every node drain, and one of one protects nothing)."""
    manifests = [
        cluster_autoscaler_service_account(namespace, service_account_annotations),
        *cluster_autoscaler_rbac(namespace, dynamic_resource_allocation=dynamic_resource_allocation),
        cluster_autoscaler_deployment(
            namespace,
            image=image,
            args=args,
            env=env,
            replicas=replicas,
            node_selector=node_selector,
            cpu_request=cpu_request,
            memory=memory,
            priority_class=priority_class,
        ),
    ]
    if replicas > 1:
        manifests.append(cluster_autoscaler_disruption_budget(namespace))
    return manifests
