"""What the platform puts on every cluster, whichever cloud runs it: the workload namespaces and, where the
plan hosts it, Qdrant with its snapshots; and the ServiceAccount a managed vector store's clients run as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from aistacks.k8s import SCRATCH_SUFFIX, KubernetesCluster, WorkloadNamespaces, apply_manifest, role_namespaces
from aistacks.k8s.cluster import WorkloadIdentity
from aistacks.k8s.inference import InferenceService, gcs_loader, s3_loader, selector
from aistacks.k8s.namespaces import VECTOR_NAMESPACE, service_ingress
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.snapshots import ObjectStore, SnapshotPlan
from aistacks.plan import ClusterPlan, GpuPoolPlan
from aistacks.plan.inference import MODEL_DIRECTORY
from aistacks.plan.model import InferencePlan

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


def model_server(
    plan: InferencePlan,
    cluster: KubernetesCluster[Any],
    namespaces: WorkloadNamespaces,
    identity: WorkloadIdentity[Any],
    weights: tuple[ObjectStore, pulumi.Input[str]] | None,
) -> InferenceService:
    """A model server on ``cluster`` running as ``identity``, its weights copied from ``weights`` (the object
    store and bucket name; none: from the Hub), admitting only its client namespaces."""
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
        opts=pulumi.ResourceOptions(parent=cluster.component, depends_on=[namespaces]),
        wait_for=cluster.ready,
    )
    apply_manifest(
        f"{plan.resource_name}-clients",
        service_ingress(plan.namespace, plan.name, selector(plan), plan.clients, plan.engine.port),
        pulumi.ResourceOptions(parent=server, provider=cluster.provider, depends_on=[namespaces]),
    )
    return server
