"""Qdrant, the in-cluster vector database: manifests (pure functions) and the component.

Modelled on the official chart (qdrant/qdrant-helm, charts/qdrant, appVersion v1.15.4; read
2026-11-27): the same ports, bootstrap script, probes and unprivileged security context, plus what
the chart leaves off by default: a generated API key, zone anti-affinity, a disruption budget and a
network policy for peer traffic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.manifests import Manifest, app_labels, app_selector
from aistacks.k8s.namespaces import VECTOR_NAMESPACE
from aistacks.k8s.snapshots import SnapshotPlan, snapshot_manifests

TYPE_TOKEN = "aistacks:k8s:VectorDatabase"
QDRANT_IMAGE = "docker.io/qdrant/qdrant:v1.15.4"
HTTP_PORT, GRPC_PORT, P2P_PORT = 6333, 6334, 6335
API_KEY_SECRET_KEY = "api-key"


@dataclass(frozen=True)
class QdrantPlan:
    name: str = "qdrant"
    namespace: str = VECTOR_NAMESPACE
    replicas: int = 1
    storage_class: str = "encrypted-gp3"
    storage_gib: int = 50
    cpu: str = "1"
    memory: str = "4Gi"
    protect: bool = True
    """Protect the StatefulSet (its volumes hold the data) and the API key. Default: on."""
    snapshot_storage_class: str | None = None
    """Where snapshots wait for the snapshot job: a per-pod volume of this StorageClass, which must delete
    its volumes (reclaimPolicy Delete, such as the clusters' ``<class>-scratch``), else every pod leaves
    a disk behind. Default: the node's disk (emptyDir)."""

    @property
    def labels(self) -> dict[str, str]:
        return app_labels(self.name)

    @property
    def selector(self) -> dict[str, str]:
        return app_selector(self.name)

    @property
    def secret_name(self) -> str:
        return f"{self.name}-api-key"

    def metadata(self, name: str) -> dict[str, Any]:
        return {"name": name, "namespace": self.namespace, "labels": self.labels}


def _bootstrap_script(plan: QdrantPlan) -> str:
    peer = f"{plan.name}-0.{plan.name}-headless:{P2P_PORT}"
    return "\n".join(
        [
            "#!/bin/sh",
            "SET_INDEX=${HOSTNAME##*-}",
            'if [ "$SET_INDEX" = "0" ]; then',
            f"  exec ./entrypoint.sh --uri 'http://{peer}'",
            "else",
            f"  exec ./entrypoint.sh --bootstrap 'http://{peer}' "
            f"--uri 'http://{plan.name}-'\"$SET_INDEX\"'.{plan.name}-headless:{P2P_PORT}'",
            "fi",
            "",
        ]
    )


def _snapshot_volume(plan: QdrantPlan) -> dict[str, Any]:
    """Snapshots wait here until the snapshot job has streamed them away: on an encrypted volume that
    dies with the pod, not the node's disk, which a large collection could fill."""
    if plan.snapshot_storage_class is None:
        return {"name": "snapshots", "emptyDir": {}}
    claim = {
        "storageClassName": plan.snapshot_storage_class,
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{plan.storage_gib}Gi"}},
    }
    return {
        "name": "snapshots",
        "ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": plan.labels}, "spec": claim}},
    }


def qdrant_manifests(plan: QdrantPlan) -> list[Manifest]:
    """Everything but the API key Secret (whose value is generated at deploy time)."""
    ports = [
        {"name": "http", "port": HTTP_PORT, "targetPort": HTTP_PORT, "protocol": "TCP"},
        {"name": "grpc", "port": GRPC_PORT, "targetPort": GRPC_PORT, "protocol": "TCP"},
    ]
    container_ports = [{"name": p["name"], "containerPort": p["port"], "protocol": "TCP"} for p in ports]
    container_ports.append({"name": "p2p", "containerPort": P2P_PORT, "protocol": "TCP"})
    pod_spec: dict[str, Any] = {
        "serviceAccountName": plan.name,
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "runAsGroup": 2000,
            "fsGroup": 3000,
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [
            {
                "name": "qdrant",
                "image": QDRANT_IMAGE,
                "command": ["/bin/bash", "-c"],
                "args": ["./config/initialize.sh"],
                "env": [
                    {"name": "QDRANT_INIT_FILE_PATH", "value": "/qdrant/init/.qdrant-initialized"},
                    {"name": "QDRANT__CLUSTER__ENABLED", "value": "true"},
                    {"name": "QDRANT__CLUSTER__P2P__PORT", "value": str(P2P_PORT)},
                    {
                        "name": "QDRANT__SERVICE__API_KEY",
                        "valueFrom": {"secretKeyRef": {"name": plan.secret_name, "key": API_KEY_SECRET_KEY}},
                    },
                ],
                "ports": container_ports,
                "readinessProbe": {
                    "httpGet": {"path": "/readyz", "port": HTTP_PORT},
                    "initialDelaySeconds": 5,
                    "periodSeconds": 5,
                    "failureThreshold": 6,
                },
                "livenessProbe": {
                    "httpGet": {"path": "/", "port": HTTP_PORT},
                    "initialDelaySeconds": 30,
                    "periodSeconds": 10,
                    "failureThreshold": 6,
                },
                "resources": {
                    "requests": {"cpu": plan.cpu, "memory": plan.memory},
                    "limits": {"memory": plan.memory},
                },
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "privileged": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                },
                "volumeMounts": [
                    {"name": "storage", "mountPath": "/qdrant/storage"},
                    {"name": "snapshots", "mountPath": "/qdrant/snapshots"},
                    {"name": "init", "mountPath": "/qdrant/init"},
                    {"name": "config", "mountPath": "/qdrant/config/initialize.sh", "subPath": "initialize.sh"},
                ],
            }
        ],
        "volumes": [
            {"name": "config", "configMap": {"name": plan.name, "defaultMode": 0o755}},
            _snapshot_volume(plan),
            {"name": "init", "emptyDir": {}},
        ],
    }
    if plan.replicas > 1:
        # One replica per zone: a zone outage takes one copy, never the quorum.
        pod_spec["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": plan.selector}, "topologyKey": "topology.kubernetes.io/zone"}
                ]
            }
        }
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": plan.metadata(plan.name),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": plan.metadata(plan.name),
            "data": {"initialize.sh": _bootstrap_script(plan)},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": plan.metadata(f"{plan.name}-headless"),
            "spec": {
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": plan.selector,
                "ports": [*ports, {"name": "p2p", "port": P2P_PORT, "targetPort": P2P_PORT, "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": plan.metadata(plan.name),
            "spec": {"type": "ClusterIP", "selector": plan.selector, "ports": ports},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": plan.metadata(plan.name),
            "spec": {
                "replicas": plan.replicas,
                "serviceName": f"{plan.name}-headless",
                "podManagementPolicy": "Parallel",
                "selector": {"matchLabels": plan.selector},
                "template": {"metadata": {"labels": plan.labels}, "spec": pod_spec},
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "storage", "labels": plan.labels},
                        "spec": {
                            "storageClassName": plan.storage_class,
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": f"{plan.storage_gib}Gi"}},
                        },
                    }
                ],
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": plan.metadata(plan.name),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": plan.selector}},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": plan.metadata(f"{plan.name}-peers"),
            "spec": {
                "podSelector": {"matchLabels": plan.selector},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {
                        "from": [{"podSelector": {"matchLabels": plan.selector}}],
                        "ports": [{"protocol": "TCP", "port": port} for port in (HTTP_PORT, GRPC_PORT, P2P_PORT)],
                    }
                ],
                "egress": [
                    {
                        "to": [{"podSelector": {"matchLabels": plan.selector}}],
                        "ports": [{"protocol": "TCP", "port": port} for port in (HTTP_PORT, GRPC_PORT, P2P_PORT)],
                    }
                ],
            },
        },
    ]


def api_key_secret(plan: QdrantPlan, api_key: Any) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": plan.metadata(plan.secret_name),
        "type": "Opaque",
        "stringData": {API_KEY_SECRET_KEY: api_key},
    }


class VectorDatabase(pulumi.ComponentResource):
    """Qdrant on any cluster: replicated across zones on the encrypted StorageClass, an API key
    generated at deploy time into a Secret, reachable only inside the cluster (ClusterIP), from the
    cluster's workload namespace and the snapshot job (NetworkPolicies)."""

    endpoint: str
    secret_name: str

    def __init__(
        self,
        name: str,
        plan: QdrantPlan,
        provider: k8s.Provider,
        snapshots: SnapshotPlan | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """``snapshots``: where and when to snapshot every collection (see :mod:`aistacks.k8s.snapshots`).
        Default: no scheduled snapshots."""
        super().__init__(TYPE_TOKEN, name, None, opts)
        key = random.RandomPassword(
            f"{name}-api-key", length=48, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        keep = pulumi.ResourceOptions(
            parent=self, provider=provider, protect=plan.protect, retain_on_delete=plan.protect
        )
        secret = apply_manifest(f"{name}-api-key", api_key_secret(plan, key.result), keep)
        for manifest in qdrant_manifests(plan):
            kind = manifest["kind"].lower()
            stateful = manifest["kind"] == "StatefulSet"
            apply_manifest(
                f"{name}-{kind}-{manifest['metadata']['name']}",
                manifest,
                pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(depends_on=[secret]))
                if stateful
                else pulumi.ResourceOptions(parent=self, provider=provider),
            )
        if snapshots is not None:
            for manifest in snapshot_manifests(
                snapshots,
                namespace=plan.namespace,
                statefulset=plan.name,
                replicas=plan.replicas,
                volume_gib=plan.storage_gib,
                headless=f"{plan.name}-headless",
                port=HTTP_PORT,
                database_selector=plan.selector,
                api_key_secret=plan.secret_name,
                api_key_field=API_KEY_SECRET_KEY,
            ):
                apply_manifest(
                    f"{name}-{manifest['kind'].lower()}-{manifest['metadata']['name']}",
                    manifest,
                    pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[secret]),
                )
        self.endpoint = f"http://{plan.name}.{plan.namespace}.svc.cluster.local:{HTTP_PORT}"
        self.secret_name = plan.secret_name
        self.register_outputs({"endpoint": self.endpoint, "secret_name": self.secret_name})
