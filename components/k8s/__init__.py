"""In-cluster layer on any cluster: manifests (device plugin, encrypted storage) and applying them."""

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.manifests import ebs_storage_class, encrypted_storage_class, nvidia_device_plugin

__all__ = ["apply_manifest", "ebs_storage_class", "encrypted_storage_class", "nvidia_device_plugin"]
