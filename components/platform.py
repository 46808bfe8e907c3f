"""AiPlatform: one environment's infrastructure, composed from one validated spec."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from aistacks import aws as aws_components
from aistacks import gcp as gcp_components
from aistacks.aws.nodes import DEVICE_PLUGIN_LABEL, needs_device_plugin
from aistacks.catalog import Cloud
from aistacks.compute import ClusterPlan
from aistacks.k8s import WorkloadNamespaces, apply_manifest, nvidia_device_plugin, role_namespaces
from aistacks.k8s.namespaces import vector_search_egress
from aistacks.k8s.qdrant import QdrantPlan, VectorDatabase
from aistacks.k8s.snapshots import IRSA_ANNOTATION, SnapshotPlan
from aistacks.plan import SNAPSHOT_BUCKET, BucketPlan, PlatformPlan, VectorPlan, plan_platform
from aistacks.spec import AwsSpec, GcpSpec, PlatformSpec

TYPE_TOKEN = "aistacks:platform:AiPlatform"
AUDIT_BUCKET = "audit-logs"
"""The short name of the audit log bucket; data buckets may not take it."""
QDRANT_NAMESPACE = "vector"
SNAPSHOT_WRITER = "qdrant-snapshots"
"""The ServiceAccount of the snapshot job, the only identity that writes the snapshot bucket."""
VECTOR_CLIENT = "vector-client"
"""The ServiceAccount a workload namespace runs as to use a managed vector store."""


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
    vector_outputs: dict[str, dict[str, pulumi.Input[str]]]
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
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )

        self.buckets = {bucket.name: encrypted_bucket(bucket) for bucket in plan.buckets}
        snapshots = _snapshot_bucket(plan, "aws")
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
        qdrant = _hosted_qdrant(plan, "aws", cluster)
        snapshots = None
        if qdrant is not None and self.snapshot_bucket is not None:
            writer = eks.workload_role(f"{name}-{SNAPSHOT_WRITER}", f"{QDRANT_NAMESPACE}:{SNAPSHOT_WRITER}", plan.tags)
            self.snapshot_bucket.grant_write(writer)
            snapshots = SnapshotPlan(
                "s3",
                self.snapshot_bucket.bucket_name,
                qdrant.snapshot_schedule,
                annotations={IRSA_ANNOTATION: writer.arn},
            )
        self._namespaces[cluster.name] = _in_cluster_layer(
            name, plan, cluster, eks, "encrypted-gp3", qdrant, snapshots, self.vectors, self.vector_outputs, gke=False
        )
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
        _client_service_account(
            f"{name}-{VECTOR_CLIENT}", client.role, {IRSA_ANNOTATION: reader.arn}, eks, self._namespaces[client.name]
        )
        self.vectors[vector.engine] = collection
        self.vector_outputs[vector.engine] = {
            "endpoint": collection.endpoint,
            "collection_id": collection.collection_id,
            "service_account": f"{client.role}/{VECTOR_CLIENT}",
        }


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
    vector_outputs: dict[str, dict[str, pulumi.Input[str]]]
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
                    soft_delete_days=bucket.soft_delete_days,
                    force_destroy=bucket.force_destroy,
                    protect=plan.protect,
                ),
                opts=children,
            )

        self.buckets = {bucket.name: encrypted_bucket(bucket) for bucket in plan.buckets}
        snapshots = _snapshot_bucket(plan, "gcp")
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
        qdrant = _hosted_qdrant(plan, "gcp", cluster)
        snapshots = None
        if qdrant is not None and self.snapshot_bucket is not None:
            self.snapshot_bucket.grant_write(gke.workload_principal(QDRANT_NAMESPACE, SNAPSHOT_WRITER))
            snapshots = SnapshotPlan("gcs", self.snapshot_bucket.bucket_name, qdrant.snapshot_schedule)
        self._namespaces[cluster.name] = _in_cluster_layer(
            name,
            plan,
            cluster,
            gke,
            "encrypted-pd-balanced",
            qdrant,
            snapshots,
            self.vectors,
            self.vector_outputs,
            gke=True,
        )
        return gke

    def _vector_search(
        self, plan: PlatformPlan, vector: VectorPlan, cloud: GcpSpec, children: pulumi.ResourceOptions
    ) -> None:
        """The Vector Search index and, when it is private, the egress its client workloads need."""
        (client,) = [cluster for cluster in plan.gcp_clusters if cluster.name == vector.cluster]
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
                protect=plan.protect,
                labels=dict(plan.tags),
            ),
            opts=children,
        )
        if index.private_address is not None:
            gke = self.clusters[client.name]
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


def _snapshot_bucket(plan: PlatformPlan, cloud: Cloud) -> BucketPlan | None:
    """The snapshot bucket, on the cloud that hosts Qdrant."""
    hosts = any(vector.engine == "qdrant" and vector.cloud == cloud for vector in plan.vectors)
    return plan.snapshot_bucket if hosts else None


def _hosted_qdrant(plan: PlatformPlan, cloud: Cloud, cluster: ClusterPlan) -> VectorPlan | None:
    """The Qdrant database ``cluster`` hosts, if any."""
    return next(
        (v for v in plan.vectors if v.engine == "qdrant" and (v.cloud, v.cluster) == (cloud, cluster.name)), None
    )


def _in_cluster_layer(
    name: str,
    plan: PlatformPlan,
    cluster: ClusterPlan,
    k8s_cluster: aws_components.EksCluster | gcp_components.GkeCluster,
    storage_class: str,
    qdrant: VectorPlan | None,
    snapshots: SnapshotPlan | None,
    vectors: dict[str, Any],
    vector_outputs: dict[str, dict[str, pulumi.Input[str]]],
    *,
    gke: bool,
) -> WorkloadNamespaces:
    """The workload namespaces of a cluster and, where the plan puts it, Qdrant (recorded in ``vectors``
    and ``vector_outputs``)."""
    namespaces = WorkloadNamespaces(
        f"{name}-namespaces",
        role_namespaces(cluster.role, cluster.max_gpus, gke=gke, vector=qdrant is not None),
        k8s_cluster.provider,
        opts=pulumi.ResourceOptions(parent=k8s_cluster),
    )
    if qdrant is not None:
        database = VectorDatabase(
            f"{name}-vector",
            QdrantPlan(
                replicas=qdrant.replicas,
                storage_class=storage_class,
                storage_gib=qdrant.storage_gib,
                protect=plan.protect,
            ),
            k8s_cluster.provider,
            snapshots,
            opts=pulumi.ResourceOptions(parent=k8s_cluster, depends_on=[namespaces]),
        )
        vectors["qdrant"] = database
        vector_outputs["qdrant"] = {"endpoint": database.endpoint, "api_key_secret": database.secret_name}
        if snapshots is not None:
            vector_outputs["qdrant"]["snapshot_bucket"] = snapshots.bucket
    return namespaces


def _client_service_account(
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

    def vector_outputs(self) -> dict[str, dict[str, pulumi.Input[str]]]:
        """What clients of each vector database need (endpoint, secret, collection or index id), by engine."""
        outputs: dict[str, dict[str, pulumi.Input[str]]] = {}
        for stores in (self.aws, self.gcp):
            if stores is not None:
                outputs |= stores.vector_outputs
        return outputs

    def bucket_names(self) -> dict[str, pulumi.Output[str]]:
        """Physical bucket names, keyed ``<cloud>/<bucket>``."""
        names: dict[str, pulumi.Output[str]] = {}
        for cloud, stores in (("aws", self.aws), ("gcp", self.gcp)):
            if stores is None:
                continue
            names |= {f"{cloud}/{key}": bucket.bucket_name for key, bucket in stores.buckets.items()}
            if stores.snapshot_bucket is not None:
                names[f"{cloud}/{SNAPSHOT_BUCKET}"] = stores.snapshot_bucket.bucket_name
        return names
