"""NVIDIA's DCGM exporter: GPU utilisation, memory, power and profiling metrics of every GPU node, per GPU and
per pod using it, on port 9400 for the in-cluster collector (:mod:`aistacks.k8s.prometheus_agent`). Pure
functions returning manifests.

The objects are those of NVIDIA's chart ``dcgm-exporter`` 4.8.2 (appVersion 4.8.2; NVIDIA/dcgm-exporter tag
``4.5.3-4.8.2``, 691c927, 2026-05-06: ``deployment/values.yaml`` and ``deployment/templates/``) rendered with
its default values, except:

* which nodes (a node affinity on one label's values, where the chart takes a ``nodeSelector``) and
  ``tolerations`` are the caller's: the GPU pools' nodes, never a node without an NVIDIA GPU, where the
  exporter fails;
* no ServiceMonitor: the chart enables one by default, which needs the Prometheus Operator's CRD; the
  collector scrapes the pods itself (:func:`dcgm_scrape_target`);
* no Role ``dcgm-exporter-read-cm`` and RoleBinding, which the chart always creates: they grant ``get`` on
  the metrics ConfigMap, read through the API only with ``-m <namespace>:<name>``, which the default arguments
  do not pass, and the pods mount no API token (``automountServiceAccountToken`` false, as in the chart), so
  nothing could use the grant;
* labels in aistacks' form (``app.kubernetes.io/name``, ``managed-by``), not Helm's release labels.

What the chart itself decides, kept: root (``runAsUser: 0``) with ``SYS_ADMIN`` added, "Required for
profiling metrics (DCGM_FI_PROF_*)", every other capability dropped and no privilege escalation; the kubelet's
pod-resources directory mounted read-only from the host (the GPUs' pods); the metrics list of the chart's
ConfigMap, which enables three profiling metrics (``DCGM_FI_PROF_*``) over the image's own default list.
A hostPath volume and an added ``SYS_ADMIN`` are each beyond Pod Security "baseline" (Kubernetes docs, "Pod
Security Standards"), so the exporter needs a "privileged" namespace: :data:`DCGM_NAMESPACE` is
``kube-system``, which carries no Pod Security label on EKS and where the device plugin already runs
(:func:`aistacks.k8s.nvidia_device_plugin`). The chart installs into the release's namespace and names none;
AWS's blueprint (awslabs/ai-on-eks, infra/base/terraform/monitoring/dcgm.yaml) puts it with its device
plugin chart; the EKS user guide does not cover DCGM.

GPUs without a GPU request: the image sets ``NVIDIA_VISIBLE_DEVICES=all`` (docker/Dockerfile at the tag), and
on the EKS AL2023 NVIDIA AMIs containerd's default runtime is NVIDIA's (awslabs/amazon-eks-ami,
nodeadm/internal/containerd/runtime_config_nvidia.go), which exposes them all to the container.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aistacks.k8s.manifests import Manifest, app_labels, app_selector
from aistacks.k8s.prometheus_agent import ScrapeTarget

DCGM_NAMESPACE = "kube-system"
"""Where the exporter runs: a namespace that admits privileged pods (module doc)."""
NAME = "dcgm-exporter"
"""The chart's fullname for a release named ``dcgm-exporter``: the DaemonSet, ServiceAccount and Service."""
CHART_VERSION = "4.8.2"
# The chart's default image (values.yaml ``image.repository`` and ``image.tag``), by tag: public repositories
# pin two different digests for it (read 2026-12-01), so none is pinned here.
DCGM_EXPORTER_IMAGE = "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless"
METRICS_PORT = 9400
"""``service.port`` and ``service.address`` (``:9400``); the container port is named ``metrics``."""
METRICS_CONFIG_MAP = "exporter-metrics-config-map"
"""The chart's ConfigMap of metrics (a fixed name, not the release's)."""
COUNTERS_FILE = "/etc/dcgm-exporter/default-counters.csv"
KUBELET_POD_RESOURCES = "/var/lib/kubelet/pod-resources"

# The chart's metrics (templates/metrics-configmap.yaml, the lines not commented out): DCGM field, Prometheus
# type, help. The exporter reads "field, type, help" per line and trims the spaces around each
# (internal/pkg/counters/counter_config.go, ExtractCounters).
METRICS: tuple[tuple[str, str, str], ...] = (
    ("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."),
    ("DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz)."),
    ("DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C)."),
    ("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."),
    ("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."),
    ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ)."),
    ("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries."),
    ("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."),
    ("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %)."),
    ("DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %)."),
    ("DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %)."),
    ("DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."),
    ("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
    ("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
    ("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "counter", "Total number of NVLink bandwidth counters for all lanes."),
    ("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "vGPU License status"),
    ("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for uncorrectable errors"),
    ("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for correctable errors"),
    ("DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed"),
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active."),
    ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "Ratio of cycles the tensor (HMMA) pipe is active."),
    (
        "DCGM_FI_PROF_DRAM_ACTIVE",
        "gauge",
        "Ratio of cycles the device memory interface is active sending or receiving data.",
    ),
    (
        "DCGM_FI_PROF_PCIE_TX_BYTES",
        "gauge",
        "The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads"
        " - in bytes per second.",
    ),
    (
        "DCGM_FI_PROF_PCIE_RX_BYTES",
        "gauge",
        "The rate of data received over the PCIe bus - including both protocol headers and data payloads"
        " - in bytes per second.",
    ),
)


def dcgm_selector() -> dict[str, str]:
    """The labels of the exporter's pods (the DaemonSet's and the Service's selector)."""
    return app_selector(NAME)


def _labels() -> dict[str, str]:
    return {**app_labels(NAME), "app.kubernetes.io/version": CHART_VERSION}


def _metadata(name: str = NAME) -> dict[str, Any]:
    return {"name": name, "namespace": DCGM_NAMESPACE, "labels": _labels()}


def metrics_csv() -> str:
    """The metrics file the exporter reads (``-f``): a header comment, then one ``field, type, help`` a line."""
    header = ["# Format", "# DCGM FIELD, Prometheus metric type, help message"]
    return "\n".join([*header, *(", ".join(row) for row in METRICS)]) + "\n"


def dcgm_scrape_target() -> ScrapeTarget:
    """What the collector scrapes: ``/metrics`` on the exporter pods' ``metrics`` port. The exporter labels each
    GPU's series with the pod using it (``namespace``, ``pod``, ``container``); the collector's own target
    labels take those names, so the GPU's pod arrives as ``exported_namespace`` / ``exported_pod`` (Prometheus
    keeps target labels on a conflict unless ``honor_labels``, as the chart's ServiceMonitor, honorLabels
    false)."""
    return ScrapeTarget(job=NAME, namespace=DCGM_NAMESPACE, selector=dcgm_selector(), port="metrics")


def _probe(*, period_seconds: int | None) -> dict[str, Any]:
    probe: dict[str, Any] = {
        "httpGet": {"path": "/health", "port": METRICS_PORT, "scheme": "HTTP"},
        "initialDelaySeconds": 45,
    }
    if period_seconds is not None:
        probe["periodSeconds"] = period_seconds
    return probe


def _daemon_set(nodes: tuple[str, Sequence[str]], tolerations: Sequence[Mapping[str, Any]]) -> Manifest:
    container = {
        "name": "exporter",
        "securityContext": {
            "runAsNonRoot": False,
            "runAsUser": 0,
            "capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]},
            "allowPrivilegeEscalation": False,
        },
        "image": DCGM_EXPORTER_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "args": ["-f", COUNTERS_FILE],
        "env": [
            {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
            {"name": "DCGM_EXPORTER_LISTEN", "value": f":{METRICS_PORT}"},
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        ],
        "ports": [{"name": "metrics", "containerPort": METRICS_PORT}],
        "volumeMounts": [
            {"name": "pod-gpu-resources", "readOnly": True, "mountPath": KUBELET_POD_RESOURCES},
            {"name": "exporter-metrics-volume", "mountPath": COUNTERS_FILE, "subPath": "default-counters.csv"},
        ],
        "livenessProbe": _probe(period_seconds=5),
        "readinessProbe": _probe(period_seconds=None),
        "resources": {"limits": {"cpu": "200m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
    }
    pod_spec: dict[str, Any] = {
        "priorityClassName": "system-node-critical",
        "hostPID": False,
        "serviceAccountName": NAME,
        "automountServiceAccountToken": False,
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": nodes[0], "operator": "In", "values": list(nodes[1])}]}
                    ]
                }
            }
        },
        **({"tolerations": [dict(toleration) for toleration in tolerations]} if tolerations else {}),
        "volumes": [
            {"name": "pod-gpu-resources", "hostPath": {"path": KUBELET_POD_RESOURCES}},
            {
                "name": "exporter-metrics-volume",
                "configMap": {
                    "name": METRICS_CONFIG_MAP,
                    "items": [{"key": "metrics", "path": "default-counters.csv"}],
                },
            },
        ],
        "containers": [container],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _metadata(),
        "spec": {
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
            "selector": {"matchLabels": dcgm_selector()},
            "template": {"metadata": {"labels": _labels()}, "spec": pod_spec},
        },
    }


def dcgm_exporter_manifests(
    *, nodes: tuple[str, Sequence[str]], tolerations: Sequence[Mapping[str, Any]]
) -> list[Manifest]:
    """The ServiceAccount, the metrics ConfigMap, the DaemonSet and its ClusterIP Service, in
    :data:`DCGM_NAMESPACE`.

    ``nodes``: a node label and the values that mark NVIDIA GPU nodes (``("aistacks.io/pool", ["l40s"])``);
    the exporter runs on those only. ``tolerations``: the GPU nodes' taints, which replace the chart's
    default (the control-plane taint).
    """
    if not nodes[1]:
        raise ValueError("dcgm_exporter_manifests: no GPU nodes to run on (nodes names no label value)")
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _metadata(),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _metadata(METRICS_CONFIG_MAP),
            "data": {"metrics": metrics_csv()},
        },
        _daemon_set(nodes, tolerations),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _metadata(),
            "spec": {
                "type": "ClusterIP",
                "internalTrafficPolicy": "Cluster",
                "ports": [{"name": "metrics", "port": METRICS_PORT, "targetPort": METRICS_PORT, "protocol": "TCP"}],
                "selector": dcgm_selector(),
            },
        },
    ]
