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


def non_root_pod_security(
    user: int, group: int, fs_group: int | None = None, *, fs_group_change_on_mismatch: bool = False
) -> dict[str, Any]:
    """A pod securityContext of Pod Security "restricted": a non-root ``user`` and ``group``, RuntimeDefault
    seccomp; with ``fs_group``, volumes (and projected identity tokens) owned by that group, changed only
    when their root does not match already (``fs_group_change_on_mismatch``: large volumes mount fast)."""
    context: dict[str, Any] = {"runAsNonRoot": True, "runAsUser": user, "runAsGroup": group}
    if fs_group is not None:
        context["fsGroup"] = fs_group
        if fs_group_change_on_mismatch:
            context["fsGroupChangePolicy"] = "OnRootMismatch"
    context["seccompProfile"] = {"type": "RuntimeDefault"}
    return context


def app_selector(app: str) -> dict[str, str]:
    """The label that selects the pods of one aistacks app (Qdrant, its snapshot job)."""
    return {"app.kubernetes.io/name": app}


def app_labels(app: str) -> dict[str, str]:
    """The labels of every object of one aistacks app: its selector, and who manages it."""
    return {**app_selector(app), "app.kubernetes.io/managed-by": "aistacks"}


SCRATCH_SUFFIX = "-scratch"
"""The StorageClass for volumes that die with their pod (generic ephemeral volumes): ``<class>-scratch``."""


def encrypted_storage_class(
    name: str, provisioner: str, parameters: dict[str, Any], *, default: bool, retain: bool = True
) -> Manifest:
    """A StorageClass whose volumes are encrypted with the stack's key, bound when a pod lands (so the
    volume is created in the pod's zone). ``retain``: a released volume is kept (data); otherwise it is
    deleted with its claim (scratch space, which would otherwise leave a disk behind per pod)."""
    metadata: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/managed-by": "aistacks"}}
    if default:
        metadata["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": metadata,
        "provisioner": provisioner,
        "parameters": parameters,
        "reclaimPolicy": "Retain" if retain else "Delete",
        "allowVolumeExpansion": True,
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def encrypted_storage_classes(name: str, provisioner: str, parameters: dict[str, Any]) -> list[Manifest]:
    """The cluster's default class ``name`` (volumes retained) and its ``<name>-scratch`` twin (deleted)."""
    return [
        encrypted_storage_class(name, provisioner, parameters, default=True),
        encrypted_storage_class(name + SCRATCH_SUFFIX, provisioner, parameters, default=False, retain=False),
    ]
