"""What the platform puts on every cluster, whichever cloud runs it: the workload namespaces and, where the
plan hosts it, Qdrant with its snapshots; and the ServiceAccount a managed vector store's clients run as."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from aistacks.k8s import SCRATCH_SUFFIX, KubernetesCluster, WorkloadNamespaces, apply_manifest, role_namespaces
from aistacks.k8s.cluster import WorkloadIdentity
from aistacks.k8s.inference import InferenceService, gcs_loader, s3_loader, selector
from aistacks.k8s.namespaces import VECTOR_NAMESPACE, collector_ingress, service_ingress
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.queue_scaling import PrometheusSource, QueueAutoscaler
from aistacks.k8s.snapshots import ObjectStore, SnapshotPlan
from aistacks.plan import ClusterPlan, GpuPoolPlan
from aistacks.plan.inference import MODEL_DIRECTORY
from aistacks.plan.model import InferencePlan, ServingMetricsPlan

QDRANT_NAMESPACE = VECTOR_NAMESPACE
SNAPSHOT_WRITER = "qdrant-snapshots"
"""The ServiceAccount of the snapshot job, the only identity that writes the snapshot bucket."""
VECTOR_CLIENT = "vector-client"
"""The ServiceAccount a workload namespace runs as to use a managed vector store."""
VectorOutputs = dict[str, dict[str, pulumi.Input[str]]]
"""What clients of each vector database need, by engine."""
LOADERS = {"s3": s3_loader, "gcs": gcs_loader}
"""How a model server copies its weights from each cloud's object store."""


def in_cluster_layer(
    plan: ClusterPlan[GpuPoolPlan], cluster: KubernetesCluster[Any], snapshots: SnapshotPlan | None
) -> tuple[WorkloadNamespaces, VectorDatabase | None]:
    """The workload namespaces of a cluster and, where the plan puts it, Qdrant (snapshotted per
    ``snapshots``)."""
    namespaces = WorkloadNamespaces(
        f"{plan.resource_name}-namespaces",
        role_namespaces(
            plan.role,
            plan.max_gpus,
            metadata_server=cluster.metadata_server,
            vector=plan.qdrant is not None,
            serving_ports=[service.engine.port for service in plan.inference],
        ),
        cluster.provider,
        opts=pulumi.ResourceOptions(parent=cluster.component),
    )
    if plan.qdrant is None:
        return namespaces, None
    database = VectorDatabase(
        plan.qdrant.resource_name,
        QdrantPlan(
            name=plan.qdrant.name,
            namespace=QDRANT_NAMESPACE,
            replicas=plan.qdrant.replicas,
            storage_class=cluster.storage_class,
            snapshot_storage_class=cluster.storage_class + SCRATCH_SUFFIX,
            storage_gib=plan.qdrant.storage_gib,
            cpu=plan.qdrant.cpu,
            memory=plan.qdrant.memory,
            protect=plan.protect,
        ),
        cluster.provider,
        snapshots,
        opts=pulumi.ResourceOptions(parent=cluster.component, depends_on=[namespaces]),
        # Its volumes need the cluster's storage driver, its peers each other's names.
        wait_for=cluster.ready,
    )
    return namespaces, database


def qdrant_outputs(database: VectorDatabase, snapshots: SnapshotPlan | None) -> dict[str, pulumi.Input[str]]:
    """What Qdrant's clients and operators need: the endpoint, the API key Secret, the snapshot bucket."""
    outputs: dict[str, pulumi.Input[str]] = {"endpoint": database.endpoint, "api_key_secret": database.secret_name}
    if snapshots is not None:
        outputs["snapshot_bucket"] = snapshots.bucket
    return outputs


def client_service_account(
    name: str,
    namespace: str,
    annotations: Mapping[str, pulumi.Input[str]],
    cluster: KubernetesCluster[Any],
    namespaces: WorkloadNamespaces,
) -> None:
    """The ServiceAccount workloads in ``namespace`` run as to use a managed vector store."""
    apply_manifest(
        name,
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": VECTOR_CLIENT,
                "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": "aistacks"},
                "annotations": dict(annotations),
            },
        },
        pulumi.ResourceOptions(parent=cluster.component, provider=cluster.provider, depends_on=[namespaces]),
    )


@dataclass(frozen=True)
class ServingMetrics:
    """What scrapes a cluster's model servers and scales them on their queue."""

    source: PrometheusSource
    """Where KEDA reads the queue."""
    autoscaler: pulumi.Resource
    """KEDA: a ScaledObject needs its CRDs."""
    collector_namespace: str
    collector_selector: Mapping[str, str] | None
    """The collector's pods, which the servers' NetworkPolicy lets scrape them (none: every pod of its
    namespace)."""


def queue_autoscaler(
    plan: ServingMetricsPlan,
    cluster: KubernetesCluster[Any],
    values: Mapping[str, Any],
    after: Sequence[pulumi.Resource] = (),
) -> QueueAutoscaler:
    """KEDA on ``cluster``, with the chart ``values`` of its cloud (:func:`aistacks.k8s.keda_values`), once
    its operator's identity may read the metrics (``after``)."""
    return QueueAutoscaler(
        plan.keda.resource_name,
        plan.keda,
        cluster.provider,
        values=values,
        opts=pulumi.ResourceOptions(parent=cluster.component),
        wait_for=[*cluster.ready, *after],
    )


def prometheus_source(plan: ServingMetricsPlan, server_address: pulumi.Input[str], **auth: Any) -> PrometheusSource:
    """The query API at ``server_address``, read at the plan's pace; ``auth``: how KEDA authenticates."""
    return PrometheusSource(
        server_address,
        polling_interval_seconds=plan.scrape_interval_seconds,
        cooldown_seconds=plan.cooldown_seconds,
        scale_down_window_seconds=plan.scale_down_window_seconds,
        **auth,
    )


def model_server(
    plan: InferencePlan,
    cluster: KubernetesCluster[Any],
    namespaces: WorkloadNamespaces,
    identity: WorkloadIdentity[Any],
    weights: tuple[ObjectStore, pulumi.Input[str]] | None,
    metrics: ServingMetrics | None,
) -> InferenceService:
    """A model server on ``cluster`` running as ``identity``, its weights copied from ``weights`` (the object
    store and bucket name; none: from the Hub), admitting only its client namespaces and, with ``metrics``,
    the collector (on the same port), scaled on its queue by KEDA."""
    loader = None
    if weights is not None:
        store, bucket = weights
        loader = LOADERS[store](bucket, plan.model, MODEL_DIRECTORY)
    server = InferenceService(
        plan.resource_name,
        plan,
        cluster.provider,
        # The weights are a copy: their volume goes with the pod.
        storage_class=cluster.storage_class + SCRATCH_SUFFIX,
        annotations=dict(identity.annotations),
        loader=loader,
        autoscaling=metrics.source if metrics else None,
        opts=pulumi.ResourceOptions(parent=cluster.component, depends_on=[namespaces]),
        wait_for=[*cluster.ready, *([metrics.autoscaler] if metrics else [])],
    )
    policies = [service_ingress(plan.namespace, plan.name, selector(plan), plan.clients, plan.engine.port)]
    if metrics is not None:
        policies.append(
            collector_ingress(
                plan.namespace,
                plan.name,
                selector(plan),
                metrics.collector_namespace,
                metrics.collector_selector,
                plan.engine.port,
            )
        )
    for policy in policies:
        apply_manifest(
            f"{plan.resource_name}-{policy['metadata']['name'].removeprefix(f'allow-{plan.name}-')}",
            policy,
            pulumi.ResourceOptions(parent=server, provider=cluster.provider, depends_on=[namespaces]),
        )
    return server
