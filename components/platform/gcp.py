"""The Google Cloud half of a platform."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from aistacks import gcp as gcp_components
from aistacks.compute import ClusterPlan
from aistacks.k8s import apply_manifest
from aistacks.k8s.namespaces import vector_search_egress
from aistacks.k8s.qdrant import VectorDatabase
from aistacks.k8s.snapshots import SnapshotPlan
from aistacks.plan import BucketPlan, PlatformPlan, VectorPlan
from aistacks.platform.cluster_layer import (
    QDRANT_NAMESPACE,
    SNAPSHOT_WRITER,
    VECTOR_CLIENT,
    VectorOutputs,
    hosted_qdrant,
    in_cluster_layer,
    qdrant_outputs,
    snapshot_bucket,
)
from aistacks.spec import GcpSpec


class GcpStores(pulumi.ComponentResource):
    """The Google Cloud half of a platform: provider, key, network, GKE clusters with their GPU pools
    and in-cluster layer, the vector database where it is hosted, data buckets and the audit sink."""

    provider: gcp.Provider
    key: gcp_components.KmsKey
    network: gcp_components.Network
    clusters: dict[str, gcp_components.GkeCluster]
    snapshot_bucket: gcp_components.EncryptedBucket | None
    """Where Qdrant's scheduled snapshots go, when Qdrant runs on a GKE cluster."""
    vectors: dict[str, VectorDatabase | gcp_components.VectorSearchIndex]
    """The vector databases on Google Cloud, by engine."""
    vector_outputs: VectorOutputs
    buckets: dict[str, gcp_components.EncryptedBucket]
    audit: gcp_components.AuditSink

    def __init__(self, name: str, plan: PlatformPlan, cloud: GcpSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aistacks:platform:GcpStores", name, None, opts)
        labels = dict(plan.tags)
        self.provider = gcp.Provider(
            f"{name}-provider",
            project=cloud.project,
            region=cloud.region,
            default_labels=labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        children = pulumi.ResourceOptions(parent=self, providers={"gcp": self.provider})
        self.key = gcp_components.KmsKey(
            f"{name}-key",
            gcp_components.KmsKeyArgs(
                project=cloud.project,
                location=cloud.region,
                rotation_period_days=plan.key.rotation_period_days,
                destroy_scheduled_days=plan.key.deletion_window_days,
                hsm=plan.key.hsm,
                protect=plan.protect,
            ),
            opts=children,
        )
        cluster_names = [f"{plan.prefix}-{cluster.name}" for cluster in plan.gcp_clusters]
        self.network = gcp_components.Network(
            f"{name}-network",
            gcp_components.NetworkArgs(
                project=cloud.project, region=cloud.region, cidr=cloud.cidr, clusters=cluster_names
            ),
            opts=children,
        )

        def encrypted_bucket(bucket: BucketPlan) -> gcp_components.EncryptedBucket:
            return gcp_components.EncryptedBucket(
                f"{plan.prefix}-{bucket.name}",
                gcp_components.EncryptedBucketArgs(
                    kms_key=self.key,
                    project=cloud.project,
                    location=cloud.region,
                    noncurrent_version_days=bucket.noncurrent_version_days,
                    expiration_days=bucket.expiration_days,
                    soft_delete_days=bucket.soft_delete_days,
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )

        self.buckets = {bucket.name: encrypted_bucket(bucket) for bucket in plan.buckets}
        snapshots = snapshot_bucket(plan, "gcp")
        self.snapshot_bucket = encrypted_bucket(snapshots) if snapshots else None
        self.vectors, self.vector_outputs, self._namespaces = {}, {}, {}
        self.clusters = {cluster.name: self._cluster(plan, cluster, cloud, children) for cluster in plan.gcp_clusters}
        for vector in plan.vectors:
            if vector.engine == "vertex-vector-search":
                self._vector_search(plan, vector, cloud, children)
        self.audit = gcp_components.AuditSink(
            f"{plan.prefix}-audit",
            gcp_components.AuditSinkArgs(
                kms_key=self.key,
                project=cloud.project,
                location=cloud.region,
                retention_days=plan.audit.log_retention_days,
                locked=plan.audit.lock_log_bucket,
                protect=plan.protect,
            ),
            opts=children,
        )
        self.register_outputs({"key_id": self.key.key_id, "log_bucket": self.audit.log_bucket.id})

    def _cluster(
        self, plan: PlatformPlan, cluster: ClusterPlan, cloud: GcpSpec, children: pulumi.ResourceOptions
    ) -> gcp_components.GkeCluster:
        name = f"{plan.prefix}-{cluster.name}"
        (ranges,) = [r for r in self.network.ranges.clusters if r.cluster == name]
        gke = gcp_components.GkeCluster(
            name,
            gcp_components.GkeClusterArgs(
                project=cloud.project,
                region=cloud.region,
                kubernetes_version=cluster.kubernetes_version,
                network=self.network.network.id,
                subnetwork=self.network.subnetwork.id,
                pods_range=ranges.pods_name,
                services_range=ranges.services_name,
                master_authorized_cidr=str(self.network.ranges.primary),
                api_access_cidrs=cluster.api_access_cidrs,
                kms_key=self.key,
                role=cluster.role,
                public_endpoint=cluster.public_endpoint,
                release_channel="STABLE" if plan.tier == "prod" else "REGULAR",
                deletion_protection=cluster.deletion_protection,
                protect=plan.protect,
                labels=dict(plan.tags),
            ),
            opts=children,
        )
        for pool in cluster.gpu_pools:
            gcp_components.GpuNodePool(f"{name}-{pool.name}", gke, pool, opts=pulumi.ResourceOptions(parent=gke))
        qdrant = hosted_qdrant(plan, "gcp", cluster)
        snapshots = None
        if qdrant is not None and self.snapshot_bucket is not None:
            writer = gke.workload_principal(QDRANT_NAMESPACE, SNAPSHOT_WRITER)
            self.snapshot_bucket.grant_write(writer)
            # `gcloud storage cp` looks the destination up (objects.get, objects.list) before writing.
            self.snapshot_bucket.grant_read(writer)
            snapshots = SnapshotPlan(
                "gcs", self.snapshot_bucket.bucket_name, qdrant.snapshot_schedule, name=SNAPSHOT_WRITER
            )
        namespaces, database = in_cluster_layer(name, plan, cluster, gke, qdrant, snapshots, gke=True)
        self._namespaces[cluster.name] = namespaces
        if database is not None:
            self.vectors["qdrant"] = database
            self.vector_outputs["qdrant"] = qdrant_outputs(database, snapshots)
        return gke

    def _vector_search(
        self, plan: PlatformPlan, vector: VectorPlan, cloud: GcpSpec, children: pulumi.ResourceOptions
    ) -> None:
        """The Vector Search index and, when it is private, the egress its client workloads need."""
        (client,) = [cluster for cluster in plan.gcp_clusters if cluster.name == vector.cluster]
        gke = self.clusters[client.name]
        index = gcp_components.VectorSearchIndex(
            f"{plan.prefix}-vectors",
            gcp_components.VectorSearchIndexArgs(
                project=cloud.project,
                region=cloud.region,
                display_name=vector.name,
                dimensions=vector.dimensions,
                distance=vector.distance,
                network=self.network.network.id,
                subnetwork=self.network.subnetwork.id,
                kms_key=self.key if vector.customer_managed_key else None,
                min_replicas=vector.replicas,
                public_access=vector.public_access,
                client_service_accounts=[gke.node_service_account.email],
                protect=plan.protect,
                labels=dict(plan.tags),
            ),
            opts=children,
        )
        if index.private_address is not None:
            apply_manifest(
                f"{plan.prefix}-{client.name}-{VECTOR_CLIENT}-egress",
                vector_search_egress(client.role, index.private_address.address),
                pulumi.ResourceOptions(parent=gke, provider=gke.provider, depends_on=[self._namespaces[client.name]]),
            )
        self.vectors[vector.engine] = index
        self.vector_outputs[vector.engine] = {
            "endpoint": index.endpoint,
            "index_id": index.index.id,
            "index_endpoint_id": index.index_endpoint.id,
            "deployed_index_id": index.deployed_index.deployed_index_id,
        }
