"""What Kubernetes on EKS needs that is AWS's own: the EBS StorageClasses, and how a ServiceAccount acts
as an IAM role (IRSA)."""

from __future__ import annotations

from typing import Any

from aistacks.k8s.manifests import Manifest, encrypted_storage_classes

EBS_STORAGE_CLASS = "encrypted-gp3"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
"""The ServiceAccount annotation that names the IAM role its pods assume. Source: Amazon EKS User
Guide, "Assign IAM roles to Kubernetes service accounts" (read 2026-11-27)."""


def ebs_storage_classes(kms_key_arn: Any) -> list[Manifest]:
    """EBS CSI gp3 volumes encrypted with ``kms_key_arn``. Parameter names: aws-ebs-csi-driver,
    docs/parameters.md (``type``, ``encrypted``, ``kmsKeyId``; read 2026-11-27)."""
    return encrypted_storage_classes(
        EBS_STORAGE_CLASS,
        "ebs.csi.aws.com",
        {"type": "gp3", "encrypted": "true", "kmsKeyId": kms_key_arn, "csi.storage.k8s.io/fstype": "ext4"},
    )
