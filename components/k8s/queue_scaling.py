"""Scaling a model server on its queue: KEDA's ScaledObject and TriggerAuthentication for one server, and
KEDA itself (its Helm chart). Pure functions return the manifests and the chart's values;
:class:`QueueAutoscaler` installs KEDA, :class:`aistacks.k8s.inference.InferenceService` applies a server's
objects when it is given a :class:`PrometheusSource`.

The trigger is KEDA's Prometheus scaler on ``sum(<queue gauge>{namespace, model_name, ...})``: the sum,
because the scaler errors on a result of more than one series (one per replica and engine here; KEDA 2.20
docs, "Prometheus" scaler, read 2026-12-01). The target is the plan's waiting requests per replica
(``AverageValue``, the scaler's default: replicas = ceil(sum / target)).

Known limit: a floor of 0 does not wake. A server at 0 replicas exports no queue, so the query is empty
(0 with ``ignoreNullValues``) and never above the activation threshold; waking it needs a signal from
outside the servers (a request-holding proxy such as the KEDA HTTP add-on), which this module does not
install. A plan with ``min_replicas`` 0 therefore stays at 0 once idle until its floor is raised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.manifests import Manifest
from aistacks.plan.model import InferencePlan, KedaPlan

KedaIdentity = Literal["aws", "gcp"]
"""KEDA's pod identity providers this library uses: the operator's IRSA role on EKS (SigV4, service
``aps``), its Workload Identity on GKE (an OAuth token from the metadata server)."""

FALLBACK_FAILURES = 3
"""Design choice: after three failed reads of the queue in a row KEDA applies the fallback: keep the
replicas there are, or the floor if there are fewer (``currentReplicasIfHigher``): a metrics outage never
scales a server down."""


@dataclass(frozen=True)
class PrometheusSource:
    """Where KEDA reads a server's queue: a Prometheus query API, and how it authenticates."""

    server_address: pulumi.Input[str]
    """The API's base URL, without ``/api/v1/query`` (KEDA adds it): an AMP workspace's
    ``prometheus_endpoint`` without its trailing slash, GMP's
    ``https://monitoring.googleapis.com/v1/projects/<project>/location/global/prometheus``, or a
    Prometheus in the cluster (``http://prometheus.monitoring:9090``)."""
    identity: KedaIdentity | None = None
    """How KEDA's operator authenticates (its own cloud identity); none for an unauthenticated server.
    Default: none."""
    aws_region: str | None = None
    """With ``aws``: the workspace's region (SigV4). Default: none."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels every query also matches: the cluster, where one store holds several clusters' series (GMP
    queries cover the whole project). Default: none."""
    polling_interval_seconds: int = 30
    """How often KEDA reads the queue. Default: 30 (the scrape interval: faster reads the same samples)."""
    cooldown_seconds: int = 300
    """Seconds of an empty queue before a floor of 0 is reached. Default: 300 (KEDA's)."""
    scale_down_window_seconds: int = 600
    """Seconds of a low queue before a replica goes. Default: 600."""

    def __post_init__(self) -> None:
        if self.identity == "aws" and not self.aws_region:
            raise ValueError("PrometheusSource: identity 'aws' signs requests for a region: give aws_region")


def _quoted(value: str) -> str:
    # A PromQL string literal unquotes as a Go string does: JSON's escapes for quotes, backslashes and control
    # characters are Go's too; other characters go as they are (JSON's surrogate pairs are not Go escapes).
    return json.dumps(value, ensure_ascii=False)


def queue_query(plan: InferencePlan, labels: Mapping[str, str] | None = None) -> str:
    """``sum(<queue gauge>{namespace="…",model_name="…",…})``: the server's waiting requests over its replicas.
    vLLM labels its gauges with the served model name (the plan's model id)."""
    matchers = {**(labels or {}), "namespace": plan.namespace, "model_name": plan.model}
    selector = ",".join(f"{name}={_quoted(value)}" for name, value in sorted(matchers.items()))
    return f"sum({plan.engine.queue_metric}{{{selector}}})"


def authentication_name(plan: InferencePlan) -> str:
    return f"{plan.name}-queue"


def trigger_authentication(plan: InferencePlan, source: PrometheusSource) -> Manifest | None:
    """The TriggerAuthentication that has KEDA's operator use its own cloud identity; none without one."""
    if source.identity is None:
        return None
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "TriggerAuthentication",
        "metadata": {"name": authentication_name(plan), "namespace": plan.namespace},
        "spec": {"podIdentity": {"provider": source.identity}},
    }


def scaled_object(plan: InferencePlan, source: PrometheusSource) -> Manifest:
    """The ScaledObject that keeps the server's Deployment between its floor and ceiling, at the plan's
    waiting requests per replica."""
    metadata: dict[str, Any] = {
        "serverAddress": source.server_address,
        "query": queue_query(plan, source.labels),
        "threshold": str(plan.queue_per_replica),
        # A query that finds no series is an error, not 0, while a replica runs: a broken scrape shows as
        # KEDA errors and the fallback instead of silently holding the floor.
        "ignoreNullValues": "false" if plan.min_replicas > 0 else "true",
    }
    if source.aws_region:
        metadata["awsRegion"] = source.aws_region
    trigger: dict[str, Any] = {"type": "prometheus", "name": "queue", "metadata": metadata}
    if source.identity is not None:
        trigger["authenticationRef"] = {"name": authentication_name(plan)}
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": plan.name, "namespace": plan.namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": plan.name},
            "minReplicaCount": plan.min_replicas,
            "maxReplicaCount": plan.max_replicas,
            "pollingInterval": source.polling_interval_seconds,
            "cooldownPeriod": source.cooldown_seconds,
            "fallback": {
                "failureThreshold": FALLBACK_FAILURES,
                "replicas": plan.min_replicas,
                "behavior": "currentReplicasIfHigher",
            },
            "advanced": {
                "horizontalPodAutoscalerConfig": {
                    "behavior": {
                        # Up at once (the pool's nodes and the model load take minutes already); down one
                        # replica a minute after the queue stayed low for the window.
                        "scaleUp": {"stabilizationWindowSeconds": 0},
                        "scaleDown": {
                            "stabilizationWindowSeconds": source.scale_down_window_seconds,
                            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                        },
                    }
                }
            },
            "triggers": [trigger],
        },
    }


def queue_scaling_manifests(plan: InferencePlan, source: PrometheusSource) -> list[Manifest]:
    """The server's TriggerAuthentication (with a cloud identity) and ScaledObject."""
    authentication = trigger_authentication(plan, source)
    return [*([authentication] if authentication else []), scaled_object(plan, source)]


# Where KEDA's metrics server and admission webhooks listen on GKE: 10250, which GKE's own firewall rule lets
# the control plane reach on the nodes of a private cluster peered with the control plane's range ("-master":
# tcp 443 and 10250 from the control plane's /28; GKE docs, "Automatically created firewall rules"). KEDA's
# defaults (6443, 9443) need a rule of their own there (KEDA docs, "Troubleshooting": "in GKE private cluster
# add port 6443"); Google moved its own Managed Prometheus webhooks to 10250 for the same reason
# (GoogleCloudPlatform/prometheus-engine#212). Clusters on Private Service Connect (these, with no
# master_ipv4_cidr_block) reach pods through the Konnectivity agents, for which any port works; 10250 serves
# both. A pod's own port: nothing collides with the kubelet's. All read 2026-12-01.
GKE_CONTROL_PLANE_PORT = 10250


def keda_values(
    plan: KedaPlan,
    *,
    node_selector: Mapping[str, str],
    aws_role_arn: pulumi.Input[str] | None = None,
    control_plane_port: int | None = None,
) -> dict[str, Any]:
    """The chart's values: KEDA's pods on ``node_selector`` (the system nodes), the operator's IRSA role
    (``aws_role_arn``), and the port the control plane calls the metrics server and webhooks on
    (``control_plane_port``; default: the chart's). Everything else is the chart's default, reviewed: every
    Service ClusterIP, non-root pods with read-only root filesystems (kedacore/charts v2.20.2 values.yaml)."""
    values: dict[str, Any] = {
        "operator": {"replicaCount": plan.replicas, "nodeSelector": dict(node_selector)},
        "metricsServer": {"nodeSelector": dict(node_selector)},
        "webhooks": {"replicaCount": plan.replicas, "nodeSelector": dict(node_selector)},
        "podDisruptionBudget": (
            {"operator": {"minAvailable": 1}, "webhooks": {"minAvailable": 1}} if plan.replicas > 1 else {}
        ),
    }
    if aws_role_arn is not None:
        values["podIdentity"] = {"aws": {"irsa": {"enabled": True, "roleArn": aws_role_arn}}}
    if control_plane_port is not None:
        values["service"] = {"portHttpsTarget": control_plane_port}
        values["webhooks"]["port"] = control_plane_port
    return values


def keda_namespace(plan: KedaPlan) -> Manifest:
    """KEDA's namespace, enforcing Pod Security "restricted", which its pods meet."""
    levels = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": plan.namespace, "labels": {**levels, "app.kubernetes.io/managed-by": "aistacks"}},
    }


RELEASE_TIMEOUT_SECONDS = 600
"""How long Helm waits for KEDA's pods (its default is 300 s; the first system nodes may still be joining)."""


class QueueAutoscaler(pulumi.ComponentResource):
    """KEDA on a cluster: its namespace and its chart at the plan's pinned version."""

    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        plan: KedaPlan,
        provider: k8s.Provider,
        *,
        values: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        wait_for: Sequence[pulumi.Resource] = (),
    ):
        """``values``: :func:`keda_values`. ``wait_for``: what KEDA's pods need first (the system nodes, DNS).
        Default: nothing."""
        super().__init__("aistacks:k8s:QueueAutoscaler", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        namespace = apply_manifest(f"{name}-namespace", keda_namespace(plan), child)
        self.release = k8s.helm.v3.Release(
            name,
            name="keda",
            chart=plan.chart.chart,
            version=plan.chart.version,
            repository_opts={"repo": plan.chart.repository},
            namespace=plan.namespace,
            values=dict(values),
            atomic=True,
            cleanup_on_fail=True,
            timeout=RELEASE_TIMEOUT_SECONDS,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[namespace, *wait_for])),
        )
        self.register_outputs({"release": self.release.status})
