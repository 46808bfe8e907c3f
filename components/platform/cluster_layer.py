"""What the platform puts on each cluster and around its vector stores, shared by the AWS and GCP halves."""

from __future__ import annotations

import pulumi

from aistacks import aws as aws_components
from aistacks import gcp as gcp_components
from aistacks.catalog import Cloud
from aistacks.compute import ClusterPlan
from aistacks.k8s import SCRATCH_SUFFIX, WorkloadNamespaces, apply_manifest, role_namespaces
from aistacks.k8s.namespaces import VECTOR_NAMESPACE
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.snapshots import SnapshotPlan
from aistacks.plan import BucketPlan, PlatformPlan, VectorPlan

QDRANT_NAMESPACE = VECTOR_NAMESPACE
SNAPSHOT_WRITER = "qdrant-snapshots"
"""The ServiceAccount of the snapshot job, the only identity that writes the snapshot bucket."""
VECTOR_CLIENT = "vector-client"
"""The ServiceAccount a workload namespace runs as to use a managed vector store."""
VectorOutputs = dict[str, dict[str, pulumi.Input[str]]]
"""What clients of each vector database need, by engine."""


def snapshot_bucket(plan: PlatformPlan, cloud: Cloud) -> BucketPlan | None:
    """The snapshot bucket, on the cloud that hosts Qdrant."""
    hosts = any(vector.engine == "qdrant" and vector.cloud == cloud for vector in plan.vectors)
    return plan.snapshot_bucket if hosts else None


def hosted_qdrant(plan: PlatformPlan, cloud: Cloud, cluster: ClusterPlan) -> VectorPlan | None:
    """The Qdrant database ``cluster`` hosts, if any."""
    return next(
        (v for v in plan.vectors if v.engine == "qdrant" and (v.cloud, v.cluster) == (cloud, cluster.name)), None
    )


def in_cluster_layer(
    name: str,
    plan: PlatformPlan,
    cluster: ClusterPlan,
    k8s_cluster: aws_components.EksCluster | gcp_components.GkeCluster,
    qdrant: VectorPlan | None,
    snapshots: SnapshotPlan | None,
    *,
    gke: bool,
) -> tuple[WorkloadNamespaces, VectorDatabase | None]:
    """The workload namespaces of a cluster and, where the plan puts it (``qdrant``), Qdrant."""
    namespaces = WorkloadNamespaces(
        f"{name}-namespaces",
        role_namespaces(cluster.role, cluster.max_gpus, gke=gke, vector=qdrant is not None),
        k8s_cluster.provider,
        opts=pulumi.ResourceOptions(parent=k8s_cluster),
    )
    if qdrant is None:
        return namespaces, None
    database = VectorDatabase(
        f"{name}-vector",
        QdrantPlan(
            namespace=QDRANT_NAMESPACE,
            replicas=qdrant.replicas,
            storage_class=k8s_cluster.storage_class,
            snapshot_storage_class=k8s_cluster.storage_class + SCRATCH_SUFFIX,
            storage_gib=qdrant.storage_gib,
            protect=plan.protect,
        ),
        k8s_cluster.provider,
        snapshots,
        opts=pulumi.ResourceOptions(parent=k8s_cluster, depends_on=[namespaces]),
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
    annotations: dict[str, pulumi.Input[str]],
    k8s_cluster: aws_components.EksCluster | gcp_components.GkeCluster,
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
                "annotations": annotations,
            },
        },
        pulumi.ResourceOptions(parent=k8s_cluster, provider=k8s_cluster.provider, depends_on=[namespaces]),
    )
