"""Kubernetes objects aistacks installs into clusters, as plain manifests (pure functions).

Every manifest here is validated strictly against the Kubernetes OpenAPI schema of the cluster's
version in the tests (kubernetes-validate).
"""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

# The NVIDIA device plugin, pinned. Source: NVIDIA/k8s-device-plugin, deployments/static/
# nvidia-device-plugin.yml (image nvcr.io/nvidia/k8s-device-plugin:v0.17.1; read 2026-11-27).
NVIDIA_DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"


def nvidia_device_plugin(node_label: str) -> Manifest:
    """The device plugin DaemonSet on the nodes labelled ``node_label=true`` (nodes whose image has the
    driver but not the plugin), tolerating the GPU taint."""
    labels = {"app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/managed-by": "aistacks"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "nvidia-device-plugin", "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "nvidia-device-plugin"}},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": {node_label: "true"},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                    "priorityClassName": "system-node-critical",
                    "containers": [
                        {
                            "name": "nvidia-device-plugin",
                            "image": NVIDIA_DEVICE_PLUGIN_IMAGE,
                            "env": [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}],
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]},
                            },
                            "resources": {
                                "requests": {"cpu": "50m", "memory": "64Mi"},
                                "limits": {"memory": "256Mi"},
                            },
                            "volumeMounts": [
                                {"name": "device-plugins", "mountPath": "/var/lib/kubelet/device-plugins"}
                            ],
                        }
                    ],
                    "volumes": [
                        {
                            "name": "device-plugins",
                            "hostPath": {"path": "/var/lib/kubelet/device-plugins", "type": "Directory"},
                        }
                    ],
                },
            },
        },
    }


def encrypted_storage_class(name: str, provisioner: str, parameters: dict[str, Any], *, default: bool) -> Manifest:
    """A StorageClass whose volumes are encrypted with the stack's key, bound when a pod lands (so the
    volume is created in the pod's zone)."""
    metadata: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/managed-by": "aistacks"}}
    if default:
        metadata["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": metadata,
        "provisioner": provisioner,
        "parameters": parameters,
        "reclaimPolicy": "Retain",
        "allowVolumeExpansion": True,
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def ebs_storage_class(kms_key_arn: Any) -> Manifest:
    """EBS CSI gp3 volumes encrypted with ``kms_key_arn``. Parameter names: aws-ebs-csi-driver,
    docs/parameters.md (``type``, ``encrypted``, ``kmsKeyId``; read 2026-11-27)."""
    return encrypted_storage_class(
        "encrypted-gp3",
        "ebs.csi.aws.com",
        {"type": "gp3", "encrypted": "true", "kmsKeyId": kms_key_arn, "csi.storage.k8s.io/fstype": "ext4"},
        default=True,
    )
