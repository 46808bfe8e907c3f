"""In-cluster layer on any cluster: manifests (device plugin, encrypted storage) and applying them."""

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.layer import WorkloadNamespaces
from aistacks.k8s.manifests import (
    SCRATCH_SUFFIX,
    ebs_storage_classes,
    encrypted_storage_class,
    encrypted_storage_classes,
    nvidia_device_plugin,
)
from aistacks.k8s.namespaces import NamespaceSpec, role_namespaces
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.snapshots import SnapshotPlan

__all__ = [
    "SCRATCH_SUFFIX",
    "NamespaceSpec",
    "QdrantPlan",
    "SnapshotPlan",
    "VectorDatabase",
    "WorkloadNamespaces",
    "apply_manifest",
    "ebs_storage_classes",
    "encrypted_storage_class",
    "encrypted_storage_classes",
    "nvidia_device_plugin",
    "role_namespaces",
]
