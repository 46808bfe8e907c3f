"""AiPlatform: one environment's infrastructure, composed from one validated spec."""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from aistacks import aws as aws_components
from aistacks import gcp as gcp_components
from aistacks.aws.nodes import DEVICE_PLUGIN_LABEL, needs_device_plugin
from aistacks.compute import ClusterPlan
from aistacks.k8s import WorkloadNamespaces, apply_manifest, nvidia_device_plugin, role_namespaces
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.plan import PlatformPlan, plan_platform
from aistacks.spec import AwsSpec, GcpSpec, PlatformSpec

TYPE_TOKEN = "aistacks:platform:AiPlatform"
AUDIT_BUCKET = "audit-logs"
"""The short name of the audit log bucket; data buckets may not take it."""


class AwsStores(pulumi.ComponentResource):
    """The AWS half of a platform: provider, key, network, EKS clusters with their GPU pools and
    in-cluster layer, the vector database where it is hosted, data buckets and the audit trail."""

    provider: aws.Provider
    key: aws_components.KmsKey
    network: aws_components.Network
    clusters: dict[str, aws_components.EksCluster]
    vector: VectorDatabase | None = None
    buckets: dict[str, aws_components.EncryptedBucket]
    audit: aws_components.AuditTrail

    def __init__(self, name: str, plan: PlatformPlan, cloud: AwsSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aistacks:platform:AwsStores", name, None, opts)
        tags = dict(plan.tags)
        # Every AWS resource of the platform goes through this provider, so its region is the one
        # the spec validated against the jurisdiction; the stack's `aws:region` plays no part.
        self.provider = aws.Provider(
            f"{name}-provider",
            region=cloud.region,
            allowed_account_ids=[cloud.account_id] if cloud.account_id else None,
            default_tags={"tags": tags},
            opts=pulumi.ResourceOptions(parent=self),
        )
        children = pulumi.ResourceOptions(parent=self, providers={"aws": self.provider})
        autoscaling_role = (
            aws.iam.ServiceLinkedRole(
                f"{name}-autoscaling-role", aws_service_name="autoscaling.amazonaws.com", opts=children
            )
            if cloud.create_autoscaling_service_role
            else None
        )
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOptions(parent=self, provider=self.provider)
        ).account_id

        def bucket_name(short: str) -> pulumi.Output[str]:
            # Fixed, globally unique names (the account ID makes them so): known at preview, so
            # the guardrails verify bucket policies before the update.
            return account_id.apply(lambda account: f"{plan.prefix}-{short}-{account}")

        self.key = aws_components.KmsKey(
            f"{name}-key",
            aws_components.KmsKeyArgs(
                description=f"{plan.prefix}: buckets, audit trail and logs",
                rotation_period_days=plan.key.rotation_period_days,
                deletion_window_days=plan.key.deletion_window_days,
                services=("cloudtrail", "logs", "autoscaling"),
                autoscaling_role_arn=autoscaling_role.arn if autoscaling_role else None,
                alias=plan.prefix,
                protect=plan.protect,
            ),
            opts=children,
        )
        network = plan.aws_network
        assert network is not None  # planned whenever the spec names AWS
        self.network = aws_components.Network(
            f"{name}-network",
            aws_components.NetworkArgs(
                flow_log_key_arn=self.key.arn,
                cidr=network.cidr,
                zone_count=network.zones,
                nat=network.nat,
                flow_log_retention_days=plan.audit.log_retention_days,
                cluster_names=[f"{plan.prefix}-{cluster.name}" for cluster in plan.aws_clusters],
                protect=plan.protect,
            ),
            opts=children,
        )
        self.clusters = {cluster.name: self._cluster(plan, cluster, children) for cluster in plan.aws_clusters}
        self.buckets = {
            bucket.name: aws_components.EncryptedBucket(
                f"{plan.prefix}-{bucket.name}",
                aws_components.EncryptedBucketArgs(
                    kms_key_arn=self.key.arn,
                    bucket_name=bucket_name(bucket.name),
                    noncurrent_version_days=bucket.noncurrent_version_days,
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )
            for bucket in plan.buckets
        }
        self.audit = aws_components.AuditTrail(
            f"{plan.prefix}-audit",
            aws_components.AuditTrailArgs(
                kms_key_arn=self.key.arn,
                trail_name=f"{plan.prefix}-audit",
                bucket_name=bucket_name(AUDIT_BUCKET),
                log_retention_days=plan.audit.log_retention_days,
                object_lock=aws_components.ObjectLock(
                    mode=plan.audit.object_lock_mode, days=plan.audit.object_lock_days
                ),
                data_event_bucket_arns=[bucket.arn for bucket in self.buckets.values()],
                noncurrent_version_days=plan.audit.log_retention_days,
                protect=plan.protect,
            ),
            opts=children,
        )
        self.register_outputs({"key_arn": self.key.arn, "trail_arn": self.audit.trail.arn})

    def _cluster(
        self, plan: PlatformPlan, cluster: ClusterPlan, children: pulumi.ResourceOptions
    ) -> aws_components.EksCluster:
        name = f"{plan.prefix}-{cluster.name}"
        eks = aws_components.EksCluster(
            name,
            aws_components.EksClusterArgs(
                kubernetes_version=cluster.kubernetes_version,
                subnet_ids=self.network.private_subnet_ids,
                kms_key_arn=self.key.arn,
                role=cluster.role,
                public_endpoint=cluster.public_endpoint,
                log_retention_days=plan.audit.log_retention_days,
                deletion_protection=cluster.deletion_protection,
                protect=plan.protect,
                system_nodes=cluster.system_nodes,
                admin_role_arns=cluster.admin_role_arns,
                api_access_cidrs=cluster.api_access_cidrs,
            ),
            opts=children,
        )
        pools = [
            aws_components.GpuNodePool(
                f"{name}-{pool.name}",
                aws_components.GpuNodePoolArgs(
                    cluster_name=eks.cluster.name,
                    autoscaler_cluster_name=name,
                    node_role_arn=eks.node_role.arn,
                    subnet_ids=self.network.private_subnet_ids,
                    kms_key_arn=self.key.arn,
                    pool=pool,
                ),
                opts=pulumi.ResourceOptions(parent=eks),
            )
            for pool in cluster.gpu_pools
        ]
        # Every cluster gets its namespaces; one of them may host the vector database.
        self.vector = _in_cluster_layer(name, plan, "aws", cluster, eks, "encrypted-gp3") or self.vector
        if any(needs_device_plugin(pool.ami_type) for pool in pools):
            apply_manifest(
                f"{name}-nvidia-device-plugin",
                nvidia_device_plugin(DEVICE_PLUGIN_LABEL),
                pulumi.ResourceOptions(parent=eks, provider=eks.provider),
            )
        return eks


class GcpStores(pulumi.ComponentResource):
    """The Google Cloud half of a platform: provider, key, network, GKE clusters with their GPU pools
    and in-cluster layer, the vector database where it is hosted, data buckets and the audit sink."""

    provider: gcp.Provider
    key: gcp_components.KmsKey
    network: gcp_components.Network
    clusters: dict[str, gcp_components.GkeCluster]
    vector: VectorDatabase | None = None
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
        self.clusters = {cluster.name: self._cluster(plan, cluster, cloud, children) for cluster in plan.gcp_clusters}
        self.buckets = {
            bucket.name: gcp_components.EncryptedBucket(
                f"{plan.prefix}-{bucket.name}",
                gcp_components.EncryptedBucketArgs(
                    kms_key=self.key,
                    project=cloud.project,
                    location=cloud.region,
                    noncurrent_version_days=bucket.noncurrent_version_days,
                    soft_delete_days=bucket.soft_delete_days,
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )
            for bucket in plan.buckets
        }
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
        self.vector = _in_cluster_layer(name, plan, "gcp", cluster, gke, "encrypted-pd-balanced") or self.vector
        return gke


def _in_cluster_layer(
    name: str,
    plan: PlatformPlan,
    cloud: Literal["aws", "gcp"],
    cluster: ClusterPlan,
    k8s_cluster: aws_components.EksCluster | gcp_components.GkeCluster,
    storage_class: str,
) -> VectorDatabase | None:
    """The workload namespaces of a cluster and, where the plan puts it, the vector database."""
    vector = (
        plan.vector
        if plan.vector is not None and (plan.vector.cloud, plan.vector.cluster) == (cloud, cluster.name)
        else None
    )
    namespaces = WorkloadNamespaces(
        f"{name}-namespaces",
        role_namespaces(cluster.role, cluster.max_gpus, gke=cloud == "gcp", vector=vector is not None),
        k8s_cluster.provider,
        opts=pulumi.ResourceOptions(parent=k8s_cluster),
    )
    if vector is None:
        return None
    return VectorDatabase(
        f"{name}-vector",
        QdrantPlan(
            replicas=vector.replicas, storage_class=storage_class, storage_gib=vector.storage_gib, protect=plan.protect
        ),
        k8s_cluster.provider,
        opts=pulumi.ResourceOptions(parent=k8s_cluster, depends_on=[namespaces]),
    )


class AiPlatform(pulumi.ComponentResource):
    """Everything one environment runs, on every cloud its spec names."""

    plan: PlatformPlan
    aws: AwsStores | None
    gcp: GcpStores | None

    def __init__(self, name: str, spec: PlatformSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.plan = plan_platform(spec)
        here = pulumi.ResourceOptions(parent=self)
        self.aws = AwsStores(f"{self.plan.prefix}-aws", self.plan, spec.aws, here) if spec.aws else None
        self.gcp = GcpStores(f"{self.plan.prefix}-gcp", self.plan, spec.gcp, here) if spec.gcp else None
        self.register_outputs({})

    def bucket_names(self) -> dict[str, pulumi.Output[str]]:
        """Physical bucket names, keyed ``<cloud>/<bucket>``."""
        names: dict[str, pulumi.Output[str]] = {}
        if self.aws:
            names |= {f"aws/{key}": bucket.bucket_name for key, bucket in self.aws.buckets.items()}
        if self.gcp:
            names |= {f"gcp/{key}": bucket.bucket_name for key, bucket in self.gcp.buckets.items()}
        return names
