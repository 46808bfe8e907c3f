"""The Google Cloud half of a platform, built from its plan (:class:`aistacks.plan.GcpPlan`)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from aistacks import gcp as gcp_components
from aistacks.gcp.vector_search import client_egress
from aistacks.k8s import WorkloadNamespaces, apply_manifest
from aistacks.plan import BucketPlan, GcpPlan, GkeClusterPlan, VectorPlan
from aistacks.platform.cluster_layer import VECTOR_CLIENT
from aistacks.platform.stores import CloudStores


class GcpStores(
    CloudStores[
        GcpPlan,
        gcp_components.KmsKey,
        gcp_components.Network,
        gcp_components.EncryptedBucket,
        gcp_components.GkeCluster,
        gcp_components.AuditSink,
    ]
):
    """The Google Cloud half of a platform: provider, key, network, GKE clusters with their GPU pools
    and in-cluster layer, the vector databases hosted or managed there, data buckets and the audit sink."""

    TYPE_TOKEN = "aistacks:platform:GcpStores"
    SNAPSHOT_STORE = "gcs"

    def _make_provider(self) -> gcp.Provider:
        return gcp.Provider(
            f"{self.plan.resource_name}-provider",
            project=self.plan.project,
            region=self.plan.region,
            default_labels=dict(self.plan.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _make_key(self) -> gcp_components.KmsKey:
        plan = self.plan
        return gcp_components.KmsKey(
            f"{plan.resource_name}-key",
            gcp_components.KmsKeyArgs(
                project=plan.project,
                location=plan.region,
                rotation_period_days=plan.key.rotation_period_days,
                destroy_scheduled_days=plan.key.deletion_window_days,
                hsm=plan.key.hsm,
                protect=plan.protect,
            ),
            opts=self._children,
        )

    def _make_network(self) -> gcp_components.Network:
        return gcp_components.Network(
            f"{self.plan.resource_name}-network",
            gcp_components.NetworkArgs(project=self.plan.project, region=self.plan.region, ranges=self.plan.ranges),
            opts=self._children,
        )

    def _make_bucket(self, bucket: BucketPlan) -> gcp_components.EncryptedBucket:
        return gcp_components.EncryptedBucket(
            bucket.resource_name,
            gcp_components.EncryptedBucketArgs(
                kms_key=self.key,
                project=self.plan.project,
                location=self.plan.region,
                noncurrent_version_days=bucket.noncurrent_version_days,
                expiration_days=bucket.expiration_days,
                soft_delete_days=bucket.soft_delete_days,
                force_destroy=bucket.force_destroy,
                protect=self.plan.protect,
            ),
            opts=self._children,
        )

    def _make_cluster(self, plan: GkeClusterPlan) -> gcp_components.GkeCluster:
        gke = gcp_components.GkeCluster(
            plan.resource_name,
            gcp_components.GkeClusterArgs(
                project=self.plan.project,
                region=self.plan.region,
                kubernetes_version=plan.kubernetes_version,
                network=self.network.network.id,
                subnetwork=self.network.subnetwork.id,
                pods_range=plan.ranges.pods_name,
                services_range=plan.ranges.services_name,
                master_authorized_cidr=plan.master_authorized_cidr,
                api_access_cidrs=plan.api_access_cidrs,
                kms_key=self.key,
                role=plan.role,
                public_endpoint=plan.public_endpoint,
                release_channel=plan.release_channel,
                deletion_protection=plan.deletion_protection,
                protect=plan.protect,
                system_nodes_per_zone=plan.system_nodes_per_zone,
                system_machine_type=plan.system_machine_type,
                node_service_account_id=plan.node_service_account_id,
                labels=dict(self.plan.tags),
            ),
            opts=self._children,
        )
        for pool in plan.gpu_pools:
            gcp_components.GpuNodePool(pool.resource_name, gke, pool, opts=pulumi.ResourceOptions(parent=gke))
        return gke

    def _grant_snapshot_writer(
        self, bucket: gcp_components.EncryptedBucket, principal: gcp_components.WorkloadPrincipal
    ) -> None:
        bucket.grant_write(principal)
        # `gcloud storage cp` looks the destination up (objects.get, objects.list) before writing.
        bucket.grant_read(principal)

    def _make_managed_store(
        self, vector: VectorPlan, client: gcp_components.GkeCluster, namespaces: WorkloadNamespaces
    ) -> tuple[pulumi.Resource, dict[str, pulumi.Input[str]]]:
        """The Vector Search index and, when it is private, the egress its client workloads need."""
        index = gcp_components.VectorSearchIndex(
            vector.resource_name,
            gcp_components.VectorSearchIndexArgs(
                project=self.plan.project,
                region=self.plan.region,
                display_name=vector.name,
                dimensions=vector.dimensions,
                distance=vector.distance,
                network=self.network.network.id,
                subnetwork=self.network.subnetwork.id,
                kms_key=self.key if vector.customer_managed_key else None,
                min_replicas=vector.replicas,
                public_access=vector.public_access,
                client_service_accounts=[client.node_service_account.email],
                protect=self.plan.protect,
                labels=dict(self.plan.tags),
            ),
            opts=self._children,
        )
        client_plan = self.plan.cluster(vector.cluster)
        if index.private_address is not None:
            apply_manifest(
                f"{client_plan.resource_name}-{VECTOR_CLIENT}-egress",
                client_egress(client_plan.role, index.private_address.address),
                pulumi.ResourceOptions(parent=client, provider=client.provider, depends_on=[namespaces]),
            )
        outputs: dict[str, pulumi.Input[str]] = {
            "endpoint": index.endpoint,
            "index_id": index.index.id,
            "index_endpoint_id": index.index_endpoint.id,
            "deployed_index_id": index.deployed_index.deployed_index_id,
        }
        return index, outputs

    def _make_audit(self) -> gcp_components.AuditSink:
        audit = self.plan.audit
        return gcp_components.AuditSink(
            audit.resource_name,
            gcp_components.AuditSinkArgs(
                kms_key=self.key,
                project=self.plan.project,
                location=self.plan.region,
                retention_days=audit.log_retention_days,
                locked=audit.lock_log_bucket,
                protect=self.plan.protect,
            ),
            opts=self._children,
        )

    def outputs(self) -> dict[str, pulumi.Input[str]]:
        return {"key_id": self.key.key_id, "audit_log_bucket": self.audit.log_bucket.id}
