"""The AWS half of a platform."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aistacks import aws as aws_components
from aistacks.aws.nodes import DEVICE_PLUGIN_LABEL, needs_device_plugin
from aistacks.compute import ClusterPlan
from aistacks.k8s import apply_manifest, nvidia_device_plugin
from aistacks.k8s.qdrant import VectorDatabase
from aistacks.k8s.snapshots import IRSA_ANNOTATION, SnapshotPlan
from aistacks.plan import BucketPlan, PlatformPlan, VectorPlan
from aistacks.platform.cluster_layer import (
    QDRANT_NAMESPACE,
    SNAPSHOT_WRITER,
    VECTOR_CLIENT,
    VectorOutputs,
    client_service_account,
    hosted_qdrant,
    in_cluster_layer,
    qdrant_outputs,
    snapshot_bucket,
)
from aistacks.spec import AUDIT_BUCKET, AwsSpec


class AwsStores(pulumi.ComponentResource):
    """The AWS half of a platform: provider, key, network, EKS clusters with their GPU pools and
    in-cluster layer, the vector database where it is hosted, data buckets and the audit trail."""

    provider: aws.Provider
    key: aws_components.KmsKey
    network: aws_components.Network
    clusters: dict[str, aws_components.EksCluster]
    snapshot_bucket: aws_components.EncryptedBucket | None
    """Where Qdrant's scheduled snapshots go, when Qdrant runs on an EKS cluster."""
    vectors: dict[str, VectorDatabase | aws_components.VectorCollection]
    """The vector databases on AWS, by engine."""
    vector_outputs: VectorOutputs
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

        def encrypted_bucket(bucket: BucketPlan) -> aws_components.EncryptedBucket:
            return aws_components.EncryptedBucket(
                f"{plan.prefix}-{bucket.name}",
                aws_components.EncryptedBucketArgs(
                    kms_key_arn=self.key.arn,
                    bucket_name=bucket_name(bucket.name),
                    noncurrent_version_days=bucket.noncurrent_version_days,
                    expiration_days=bucket.expiration_days,
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )

        self.buckets = {bucket.name: encrypted_bucket(bucket) for bucket in plan.buckets}
        snapshots = snapshot_bucket(plan, "aws")
        self.snapshot_bucket = encrypted_bucket(snapshots) if snapshots else None
        self.vectors, self.vector_outputs, self._namespaces = {}, {}, {}
        self.clusters = {cluster.name: self._cluster(plan, cluster, children) for cluster in plan.aws_clusters}
        for vector in plan.vectors:
            if vector.engine == "opensearch-serverless":
                self._collection(plan, vector, children)
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
                data_event_bucket_arns=[
                    bucket.arn for bucket in [*self.buckets.values(), *filter(None, [self.snapshot_bucket])]
                ],
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
        qdrant = hosted_qdrant(plan, "aws", cluster)
        snapshots = None
        if qdrant is not None and self.snapshot_bucket is not None:
            writer = eks.workload_role(f"{name}-{SNAPSHOT_WRITER}", f"{QDRANT_NAMESPACE}:{SNAPSHOT_WRITER}", plan.tags)
            self.snapshot_bucket.grant_write(writer)
            snapshots = SnapshotPlan(
                "s3",
                self.snapshot_bucket.bucket_name,
                qdrant.snapshot_schedule,
                name=SNAPSHOT_WRITER,
                annotations={IRSA_ANNOTATION: writer.arn},
            )
        namespaces, database = in_cluster_layer(name, plan, cluster, eks, qdrant, snapshots, gke=False)
        self._namespaces[cluster.name] = namespaces
        if database is not None:
            self.vectors["qdrant"] = database
            self.vector_outputs["qdrant"] = qdrant_outputs(database, snapshots)
        if any(needs_device_plugin(pool.ami_type) for pool in pools):
            apply_manifest(
                f"{name}-nvidia-device-plugin",
                nvidia_device_plugin(DEVICE_PLUGIN_LABEL),
                pulumi.ResourceOptions(parent=eks, provider=eks.provider),
            )
        return eks

    def _collection(self, plan: PlatformPlan, vector: VectorPlan, children: pulumi.ResourceOptions) -> None:
        """The OpenSearch Serverless collection and the identity its client cluster's workloads use."""
        (client,) = [cluster for cluster in plan.aws_clusters if cluster.name == vector.cluster]
        eks = self.clusters[client.name]
        name = f"{plan.prefix}-{client.name}"
        reader = eks.workload_role(f"{name}-{VECTOR_CLIENT}", f"{client.role}:{VECTOR_CLIENT}", plan.tags)
        collection = aws_components.VectorCollection(
            f"{plan.prefix}-vectors",
            aws_components.VectorCollectionArgs(
                collection_name=vector.name,
                vpc_id=self.network.vpc.id,
                subnet_ids=self.network.private_subnet_ids,
                security_group_ids=[self.network.endpoint_security_group.id],
                kms_key_arn=self.key.arn if vector.customer_managed_key else None,
                reader_role_arns=[reader.arn],
                standby_replicas=vector.replicas > 1,
                public_access=vector.public_access,
                protect=plan.protect,
                tags=dict(plan.tags),
            ),
            opts=children,
        )
        collection.grant_api_access(reader)
        client_service_account(
            f"{name}-{VECTOR_CLIENT}", client.role, {IRSA_ANNOTATION: reader.arn}, eks, self._namespaces[client.name]
        )
        self.vectors[vector.engine] = collection
        self.vector_outputs[vector.engine] = {
            "endpoint": collection.endpoint,
            "collection_id": collection.collection_id,
            "service_account": f"{client.role}/{VECTOR_CLIENT}",
        }
