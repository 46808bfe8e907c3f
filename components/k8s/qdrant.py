"""Qdrant, the in-cluster vector database: manifests (pure functions) and the component.

Modelled on the official chart (qdrant/qdrant-helm, charts/qdrant, appVersion v1.15.4; read
2026-11-27): the same ports, bootstrap script, probes and unprivileged security context, plus what
the chart leaves off by default: a generated API key, zone anti-affinity, a disruption budget and a
network policy for peer traffic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from aistacks.defaults import DEFAULT_QDRANT_CPU, DEFAULT_QDRANT_MEMORY, DEFAULT_QDRANT_STORAGE_GIB
from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.manifests import Manifest, app_labels, app_selector, non_root_pod_security
from aistacks.k8s.namespaces import VECTOR_NAMESPACE
from aistacks.k8s.snapshots import SnapshotPlan, SnapshotSource, snapshot_manifests

TYPE_TOKEN = "aistacks:k8s:VectorDatabase"
QDRANT_IMAGE = "docker.io/qdrant/qdrant:v1.15.4"
HTTP_PORT, GRPC_PORT, P2P_PORT = 6333, 6334, 6335
API_KEY_SECRET_KEY = "api-key"


@dataclass(frozen=True, kw_only=True)
class QdrantPlan:
    """One Qdrant deployment."""

    storage_class: str
    """The StorageClass of the data volumes: one the cluster encrypts with your key. Required."""
    name: str = "qdrant"
    namespace: str = VECTOR_NAMESPACE
    replicas: int = 1
    storage_gib: int = DEFAULT_QDRANT_STORAGE_GIB
    cpu: str = DEFAULT_QDRANT_CPU
    memory: str = DEFAULT_QDRANT_MEMORY
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

    @property
    def headless(self) -> str:
        """The Service that names each pod (``qdrant-0.qdrant-headless``) for peers and snapshots."""
        return f"{self.name}-headless"

    def metadata(self, name: str) -> dict[str, Any]:
        return {"name": name, "namespace": self.namespace, "labels": self.labels}

    def snapshot_source(self) -> SnapshotSource:
        """What the snapshot job needs to know of this deployment."""
        return SnapshotSource(
            namespace=self.namespace,
            statefulset=self.name,
            replicas=self.replicas,
            volume_gib=self.storage_gib,
            headless=self.headless,
            port=HTTP_PORT,
            selector=self.selector,
            api_key_secret=self.secret_name,
            api_key_field=API_KEY_SECRET_KEY,
        )


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


SERVICE_PORTS: tuple[tuple[str, int], ...] = (("http", HTTP_PORT), ("grpc", GRPC_PORT))
"""What clients use; peers also talk on the p2p port."""


def qdrant_manifests(plan: QdrantPlan) -> list[Manifest]:
    """Everything but the API key Secret (whose value is generated at deploy time)."""
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
        *_services(plan),
        _statefulset(plan),
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": plan.metadata(plan.name),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": plan.selector}},
        },
        _peer_policy(plan),
    ]


def _service_ports() -> list[dict[str, Any]]:
    return [{"name": name, "port": port, "targetPort": port, "protocol": "TCP"} for name, port in SERVICE_PORTS]


def _services(plan: QdrantPlan) -> list[Manifest]:
    """The headless Service that names every pod (peers, snapshots) and the ClusterIP clients use."""
    p2p = {"name": "p2p", "port": P2P_PORT, "targetPort": P2P_PORT, "protocol": "TCP"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": plan.metadata(plan.headless),
            "spec": {
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": plan.selector,
                "ports": [*_service_ports(), p2p],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": plan.metadata(plan.name),
            "spec": {"type": "ClusterIP", "selector": plan.selector, "ports": _service_ports()},
        },
    ]


def _container(plan: QdrantPlan) -> dict[str, Any]:
    """The chart's container: its bootstrap script, probes and read-only, unprivileged context."""
    container_ports = [{"name": name, "containerPort": port, "protocol": "TCP"} for name, port in SERVICE_PORTS]
    container_ports.append({"name": "p2p", "containerPort": P2P_PORT, "protocol": "TCP"})
    return {
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


def _pod_spec(plan: QdrantPlan) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {
        "serviceAccountName": plan.name,
        "automountServiceAccountToken": False,
        "securityContext": non_root_pod_security(1000, 2000, 3000, fs_group_change_on_mismatch=True),
        "containers": [_container(plan)],
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
    return pod_spec


def _statefulset(plan: QdrantPlan) -> Manifest:
    """Pods start in parallel (the bootstrap script joins them); claims outlive the set."""
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": plan.metadata(plan.name),
        "spec": {
            "replicas": plan.replicas,
            "serviceName": plan.headless,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": plan.selector},
            "template": {"metadata": {"labels": plan.labels}, "spec": _pod_spec(plan)},
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
    }


def _peer_policy(plan: QdrantPlan) -> Manifest:
    """Qdrant's pods reach each other on every port; who else reaches them is the namespace's policies'."""
    ports = [{"protocol": "TCP", "port": port} for port in (HTTP_PORT, GRPC_PORT, P2P_PORT)]
    peers = [{"podSelector": {"matchLabels": plan.selector}}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": plan.metadata(f"{plan.name}-peers"),
        "spec": {
            "podSelector": {"matchLabels": plan.selector},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": peers, "ports": ports}],
            "egress": [{"to": peers, "ports": ports}],
        },
    }


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
        *,
        wait_for: Sequence[pulumi.Resource] = (),
    ):
        """``snapshots``: where and when to snapshot every collection (see :mod:`aistacks.k8s.snapshots`).
        Default: no scheduled snapshots. ``wait_for``: what the StatefulSet's volumes and peers need in the
        cluster first, its storage driver and DNS (:attr:`aistacks.k8s.KubernetesCluster.ready`). Default:
        nothing."""
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
                pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(depends_on=[secret, *wait_for]))
                if stateful
                else pulumi.ResourceOptions(parent=self, provider=provider),
            )
        if snapshots is not None:
            for manifest in snapshot_manifests(snapshots, plan.snapshot_source()):
                apply_manifest(
                    f"{name}-{manifest['kind'].lower()}-{manifest['metadata']['name']}",
                    manifest,
                    pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[secret]),
                )
        self.endpoint = f"http://{plan.name}.{plan.namespace}.svc.cluster.local:{HTTP_PORT}"
        self.secret_name = plan.secret_name
        self.register_outputs({"endpoint": self.endpoint, "secret_name": self.secret_name})
