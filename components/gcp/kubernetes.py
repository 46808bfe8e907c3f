"""What Kubernetes on GKE needs that is Google Cloud's own: the encrypted Persistent Disk StorageClasses
and the GKE metadata server pods may reach."""

from __future__ import annotations

from typing import Any

from aistacks.k8s.manifests import Manifest, encrypted_storage_classes
from aistacks.k8s.namespaces import MetadataServer

PD_STORAGE_CLASS = "encrypted-pd-balanced"
GKE_METADATA_SERVER = MetadataServer("gke-metadata-server", "169.254.169.254/32")
"""With the GKE_METADATA node mode, pods reach the GKE metadata server at 169.254.169.254, which serves
only their own Workload Identity, never the node's credentials. Source: GKE docs, "About Workload
Identity Federation for GKE", metadata server (read 2026-11-27)."""


def pd_storage_classes(key_name: Any) -> list[Manifest]:
    """Balanced Persistent Disks encrypted with ``key_name``. Parameter names: GKE docs, "Use
    customer-managed encryption keys (CMEK)", StorageClass ``disk-encryption-kms-key`` (read 2026-11-27)."""
    parameters = {"type": "pd-balanced", "disk-encryption-kms-key": key_name}
    return encrypted_storage_classes(PD_STORAGE_CLASS, "pd.csi.storage.gke.io", parameters)
