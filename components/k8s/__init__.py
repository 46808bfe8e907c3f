"""In-cluster layer on any cluster: workload namespaces, the device plugin, encrypted storage, Qdrant and its
snapshots, model servers scaled on their queue. A cluster is anything that satisfies :class:`KubernetesCluster`
(EKS, GKE), or just a ``kubernetes.Provider`` for the components that take one."""

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.cluster import KubernetesCluster, WorkloadIdentity
from aistacks.k8s.cluster_autoscaler import cluster_autoscaler_manifests
from aistacks.k8s.inference import InferenceService, WeightsLoader, gcs_loader, inference_manifests, s3_loader
from aistacks.k8s.layer import WorkloadNamespaces
from aistacks.k8s.manifests import (
    SCRATCH_SUFFIX,
    encrypted_storage_class,
    encrypted_storage_classes,
    nvidia_device_plugin,
)
from aistacks.k8s.namespaces import MetadataServer, NamespaceSpec, address_egress, role_namespaces
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.queue_scaling import PrometheusSource, QueueAutoscaler, keda_values, queue_scaling_manifests
from aistacks.k8s.snapshots import SnapshotPlan

__all__ = [
    "SCRATCH_SUFFIX",
    "InferenceService",
    "KubernetesCluster",
    "MetadataServer",
    "NamespaceSpec",
    "PrometheusSource",
    "QdrantPlan",
    "QueueAutoscaler",
    "SnapshotPlan",
    "VectorDatabase",
    "WeightsLoader",
    "WorkloadIdentity",
    "WorkloadNamespaces",
    "address_egress",
    "apply_manifest",
    "cluster_autoscaler_manifests",
    "encrypted_storage_class",
    "encrypted_storage_classes",
    "gcs_loader",
    "inference_manifests",
    "keda_values",
    "nvidia_device_plugin",
    "queue_scaling_manifests",
    "role_namespaces",
    "s3_loader",
]
