"""The AWS half of a platform, built from its plan (:class:`aistacks.plan.AwsPlan`)."""

from __future__ import annotations

from functools import cached_property

import pulumi
import pulumi_aws as aws

from aistacks import aws as aws_components
from aistacks.k8s import WorkloadNamespaces, apply_manifest, nvidia_device_plugin
from aistacks.plan import AwsPlan, BucketPlan, EksClusterPlan, VectorPlan
from aistacks.plan.aws import DEVICE_PLUGIN_LABEL
from aistacks.platform.cluster_layer import VECTOR_CLIENT, client_service_account
from aistacks.platform.stores import CloudStores


class AwsStores(
    CloudStores[
        AwsPlan,
        aws_components.KmsKey,
        aws_components.Network,
        aws_components.EncryptedBucket,
        aws_components.EksCluster,
        aws_components.AuditTrail,
    ]
):
    """The AWS half of a platform: provider, key, network, EKS clusters with their GPU pools and
    in-cluster layer, the vector databases hosted or managed there, data buckets and the audit trail."""

    TYPE_TOKEN = "aistacks:platform:AwsStores"
    SNAPSHOT_STORE = "s3"

    def _make_provider(self) -> aws.Provider:
        return aws.Provider(
            f"{self.plan.resource_name}-provider",
            region=self.plan.region,
            allowed_account_ids=[self.plan.account_id] if self.plan.account_id else None,
            default_tags={"tags": dict(self.plan.tags)},
            opts=pulumi.ResourceOptions(parent=self),
        )

    @cached_property
    def _account_id(self) -> pulumi.Output[str]:
        return aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self, provider=self.provider)).account_id

    def _physical_bucket_name(self, stem: str) -> pulumi.Output[str]:
        # Fixed, globally unique names (the account ID makes them so): known at preview, so the
        # guardrails verify bucket policies before the update.
        return self._account_id.apply(lambda account: f"{stem}-{account}")

    def _make_key(self) -> aws_components.KmsKey:
        plan = self.plan
        autoscaling_role = (
            aws.iam.ServiceLinkedRole(
                f"{plan.resource_name}-autoscaling-role",
                aws_service_name="autoscaling.amazonaws.com",
                opts=self._children,
            )
            if plan.create_autoscaling_service_role
            else None
        )
        return aws_components.KmsKey(
            f"{plan.resource_name}-key",
            aws_components.KmsKeyArgs(
                description=plan.key_description,
                rotation_period_days=plan.key.rotation_period_days,
                deletion_window_days=plan.key.deletion_window_days,
                services=plan.key_services,
                autoscaling_role_arn=autoscaling_role.arn if autoscaling_role else None,
                alias=plan.key_alias,
                protect=plan.protect,
            ),
            opts=self._children,
        )

    def _make_network(self) -> aws_components.Network:
        network = self.plan.network
        return aws_components.Network(
            f"{self.plan.resource_name}-network",
            aws_components.NetworkArgs(
                flow_log_key_arn=self.key.arn,
                cidr=network.cidr,
                zone_count=network.zones,
                subnets=network.subnets,
                nat=network.nat,
                flow_log_retention_days=network.flow_log_retention_days,
                cluster_names=network.cluster_names,
                protect=self.plan.protect,
            ),
            opts=self._children,
        )

    def _make_bucket(self, bucket: BucketPlan) -> aws_components.EncryptedBucket:
        return aws_components.EncryptedBucket(
            bucket.resource_name,
            aws_components.EncryptedBucketArgs(
                kms_key_arn=self.key.arn,
                bucket_name=self._physical_bucket_name(bucket.resource_name),
                noncurrent_version_days=bucket.noncurrent_version_days,
                expiration_days=bucket.expiration_days,
                force_destroy=bucket.force_destroy,
                protect=self.plan.protect,
            ),
            opts=self._children,
        )

    def _make_cluster(self, plan: EksClusterPlan) -> aws_components.EksCluster:
        eks = aws_components.EksCluster(
            plan.resource_name,
            aws_components.EksClusterArgs(
                kubernetes_version=plan.kubernetes_version,
                subnet_ids=self.network.private_subnet_ids,
                kms_key_arn=self.key.arn,
                role=plan.role,
                public_endpoint=plan.public_endpoint,
                log_retention_days=plan.log_retention_days,
                deletion_protection=plan.deletion_protection,
                protect=plan.protect,
                system_nodes=plan.system_nodes,
                system_instance_type=plan.system_instance_type,
                admin_role_arns=plan.admin_role_arns,
                api_access_cidrs=plan.api_access_cidrs,
            ),
            opts=self._children,
        )
        for pool in plan.gpu_pools:
            aws_components.GpuNodePool(
                pool.resource_name,
                aws_components.GpuNodePoolArgs(
                    cluster_name=eks.cluster.name,
                    autoscaler_cluster_name=plan.resource_name,
                    node_role_arn=eks.node_role.arn,
                    subnet_ids=self.network.private_subnet_ids,
                    kms_key_arn=self.key.arn,
                    pool=pool,
                ),
                opts=pulumi.ResourceOptions(parent=eks),
            )
        if plan.device_plugin:
            apply_manifest(
                f"{plan.resource_name}-nvidia-device-plugin",
                nvidia_device_plugin(DEVICE_PLUGIN_LABEL),
                pulumi.ResourceOptions(parent=eks, provider=eks.provider),
            )
        return eks

    def _grant_snapshot_writer(self, bucket: aws_components.EncryptedBucket, principal: aws.iam.Role) -> None:
        bucket.grant_write(principal)

    def _make_managed_store(
        self, vector: VectorPlan, client: aws_components.EksCluster, namespaces: WorkloadNamespaces
    ) -> tuple[pulumi.Resource, dict[str, pulumi.Input[str]]]:
        """The OpenSearch Serverless collection and the identity its client cluster's workloads use."""
        client_plan = self.plan.cluster(vector.cluster)
        role = client_plan.role
        reader = client.workload_identity(role, VECTOR_CLIENT, self.plan.tags)
        collection = aws_components.VectorCollection(
            vector.resource_name,
            aws_components.VectorCollectionArgs(
                collection_name=vector.name,
                vpc_id=self.network.vpc.id,
                subnet_ids=self.network.private_subnet_ids,
                security_group_ids=[self.network.endpoint_security_group.id],
                kms_key_arn=self.key.arn if vector.customer_managed_key else None,
                reader_role_arns=[reader.principal.arn],
                standby_replicas=vector.replicas > 1,
                public_access=vector.public_access,
                protect=self.plan.protect,
                tags=dict(self.plan.tags),
            ),
            opts=self._children,
        )
        collection.grant_api_access(reader.principal)
        client_service_account(
            f"{client_plan.resource_name}-{VECTOR_CLIENT}", role, reader.annotations, client, namespaces
        )
        outputs: dict[str, pulumi.Input[str]] = {
            "endpoint": collection.endpoint,
            "collection_id": collection.collection_id,
            "service_account": f"{role}/{VECTOR_CLIENT}",
        }
        return collection, outputs

    def _make_audit(self) -> aws_components.AuditTrail:
        audit = self.plan.audit
        return aws_components.AuditTrail(
            audit.resource_name,
            aws_components.AuditTrailArgs(
                kms_key_arn=self.key.arn,
                trail_name=audit.resource_name,
                bucket_name=self._physical_bucket_name(audit.bucket_name_stem),
                log_retention_days=audit.log_retention_days,
                object_lock=aws_components.ObjectLock(mode=audit.object_lock_mode, days=audit.object_lock_days),
                data_event_bucket_arns=[
                    bucket.arn for bucket in [*self.buckets.values(), *filter(None, [self.snapshot_bucket])]
                ],
                noncurrent_version_days=audit.log_retention_days,
                protect=self.plan.protect,
            ),
            opts=self._children,
        )

    def outputs(self) -> dict[str, pulumi.Input[str]]:
        return {"key_arn": self.key.arn, "trail_arn": self.audit.trail.arn}
