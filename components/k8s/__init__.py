"""In-cluster layer on any cluster: manifests (device plugin, encrypted storage) and applying them."""

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.layer import WorkloadNamespaces
from aistacks.k8s.manifests import ebs_storage_class, encrypted_storage_class, nvidia_device_plugin
from aistacks.k8s.namespaces import NamespaceSpec, role_namespaces

__all__ = [
    "NamespaceSpec",
    "WorkloadNamespaces",
    "apply_manifest",
    "ebs_storage_class",
    "encrypted_storage_class",
    "nvidia_device_plugin",
    "role_namespaces",
]
