"""The AWS half of a platform, built from its plan (:class:`aistacks.plan.AwsPlan`)."""

from __future__ import annotations

from functools import cached_property

import pulumi
import pulumi_aws as aws

from aistacks import aws as aws_components
from aistacks.k8s import WorkloadNamespaces, apply_manifest, nvidia_device_plugin
from aistacks.k8s.prometheus_agent import MONITORING_NAMESPACE, collector_selector
from aistacks.k8s.queue_scaling import keda_values
from aistacks.plan import AwsPlan, BucketPlan, EksClusterPlan, VectorPlan
from aistacks.plan.autoscaler import SYSTEM_NODE_SELECTOR
from aistacks.plan.aws import DEVICE_PLUGIN_LABEL, ExistingVpcPlan
from aistacks.plan.model import ServingMetricsPlan
from aistacks.platform.cluster_layer import (
    VECTOR_CLIENT,
    ServingMetrics,
    client_service_account,
    prometheus_source,
    queue_autoscaler,
)
from aistacks.platform.stores import CloudStores


class AwsStores(
    CloudStores[
        AwsPlan,
        EksClusterPlan,
        aws_components.KmsKey,
        aws_components.NetworkRef,
        aws_components.EncryptedBucket,
        aws_components.EksCluster,
        aws_components.AuditTrail,
    ]
):
    """The AWS half of a platform: provider, key, network, EKS clusters with their GPU pools and
    in-cluster layer, the vector databases hosted or managed there, data buckets and the audit trail."""

    TYPE_TOKEN = "aistacks:platform:AwsStores"
    PACKAGE = "aws"
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
        role = None
        if self.plan.create_autoscaling_service_role:
            service = "autoscaling.amazonaws.com"
            name = f"{self.plan.resource_name}-autoscaling-role"
            role = aws.iam.ServiceLinkedRole(name, aws_service_name=service, opts=self._children)
        args = aws_components.KmsKeyArgs.from_plan(self.plan, role.arn if role else None)
        return aws_components.KmsKey(f"{self.plan.resource_name}-key", args, opts=self._children)

    def _make_network(self) -> aws_components.NetworkRef:
        network = self.plan.network
        if isinstance(network, ExistingVpcPlan):
            return aws_components.ExistingNetwork(network.resource_name, network, opts=self._children)
        args = aws_components.NetworkArgs.from_plan(self.plan, network, self.key.arn)
        return aws_components.Network(network.resource_name, args, opts=self._children)

    def _make_bucket(self, bucket: BucketPlan) -> aws_components.EncryptedBucket:
        name = self._physical_bucket_name(bucket.resource_name)
        args = aws_components.EncryptedBucketArgs.from_plan(bucket, self.plan, self.key.arn, name)
        return aws_components.EncryptedBucket(bucket.resource_name, args, opts=self._children)

    def _make_cluster(self, plan: EksClusterPlan) -> aws_components.EksCluster:
        subnets = self.network.private_subnet_ids
        args = aws_components.EksClusterArgs.from_plan(plan, subnets, self.key.arn, self.plan.tags)
        eks = aws_components.EksCluster(plan.resource_name, args, opts=self._children)
        for pool in plan.gpu_pools:
            pool_args = aws_components.GpuNodePoolArgs(
                cluster_name=eks.cluster.name,
                autoscaler_cluster_name=plan.resource_name,
                node_role_arn=eks.node_role.arn,
                subnet_ids=subnets,
                kms_key_arn=self.key.arn,
                pool=pool,
                tags=self.plan.tags,
                compute_dependencies=eks.compute_dependencies,
            )
            aws_components.GpuNodePool(pool.resource_name, pool_args, opts=pulumi.ResourceOptions(parent=eks))
        if plan.autoscaler is not None:
            autoscaler = aws_components.ClusterAutoscalerArgs.from_plan(plan.autoscaler, eks, self.plan.tags, eks.ready)
            aws_components.ClusterAutoscaler(
                plan.autoscaler.resource_name, autoscaler, opts=pulumi.ResourceOptions(parent=eks)
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

    def _grant_model_reader(self, bucket: aws_components.EncryptedBucket, principal: aws.iam.Role) -> None:
        bucket.grant_read(principal)

    def _make_serving_metrics(
        self,
        plan: EksClusterPlan,
        metrics: ServingMetricsPlan,
        cluster: aws_components.EksCluster,
        namespaces: WorkloadNamespaces,
    ) -> ServingMetrics:
        """An AMP workspace on the stack key that a Prometheus agent in the cluster writes the servers' and
        GPUs' metrics to, and KEDA reading the queue back as its operator's IRSA role (SigV4 in the
        cluster's region)."""
        args = aws_components.ServingMetricsArgs(
            plan=metrics,
            cluster_name=plan.resource_name,
            region=self.plan.region,
            kms_key_arn=self.key.arn,
            servers=plan.inference,
            gpu_pools=plan.gpu_pools,
            tags=self.plan.tags,
        )
        store = aws_components.ServingMetrics(
            metrics.resource_name, args, cluster, opts=pulumi.ResourceOptions(parent=cluster), wait_for=[namespaces]
        )
        values = keda_values(metrics.keda, node_selector=SYSTEM_NODE_SELECTOR, aws_role_arn=store.keda_role.arn)
        return ServingMetrics(
            source=prometheus_source(
                metrics,
                store.query_endpoint,
                identity="aws",
                aws_region=self.plan.region,
                labels={"cluster": plan.resource_name},
            ),
            autoscaler=queue_autoscaler(metrics, cluster, values, after=[store.keda_grant]),
            collector_namespace=MONITORING_NAMESPACE,
            collector_selector=collector_selector(),
        )

    def _make_managed_store(
        self, vector: VectorPlan, client: aws_components.EksCluster, namespaces: WorkloadNamespaces
    ) -> tuple[pulumi.Resource, dict[str, pulumi.Input[str]]]:
        """The OpenSearch Serverless collection, and the identity its client cluster's workloads use
        (an IRSA role named in the data access policy, granted the API, its ServiceAccount created)."""
        client_plan = self.plan.cluster(vector.cluster)
        reader = client.workload_identity(client_plan.role, VECTOR_CLIENT, self.plan.tags)
        args = aws_components.VectorCollectionArgs.from_plan(
            vector, self.plan, self.network, self.key.arn, [reader.principal.arn]
        )
        collection = aws_components.VectorCollection(vector.resource_name, args, opts=self._children)
        collection.grant_api_access(reader.principal)
        account = f"{client_plan.resource_name}-{VECTOR_CLIENT}"
        client_service_account(account, client_plan.role, reader.annotations, client, namespaces)
        return collection, {
            "endpoint": collection.endpoint,
            "collection_id": collection.collection_id,
            "service_account": f"{client_plan.role}/{VECTOR_CLIENT}",
        }

    def _make_audit(self) -> aws_components.AuditTrail:
        name = self._physical_bucket_name(self.plan.audit.bucket_name_stem)
        logged = [bucket.arn for bucket in [*self.buckets.values(), *filter(None, [self.snapshot_bucket])]]
        args = aws_components.AuditTrailArgs.from_plan(self.plan, self.key.arn, name, logged)
        return aws_components.AuditTrail(self.plan.audit.resource_name, args, opts=self._children)

    def _make_budget(self) -> aws_components.CostBudget | None:
        budget = self.plan.budget
        if budget is None:
            return None
        args = aws_components.CostBudgetArgs(plan=budget, kms_key_arn=self.key.arn, tags=self.plan.tags)
        return aws_components.CostBudget(budget.resource_name, args, opts=self._children)

    def outputs(self) -> dict[str, pulumi.Input[str]]:
        outputs: dict[str, pulumi.Input[str]] = {"key_arn": self.key.arn, "trail_arn": self.audit.trail.arn}
        if isinstance(self.budget, aws_components.CostBudget):
            outputs["budget_topic_arn"] = self.budget.topic.arn
        return outputs
