"""The Google Cloud half of a platform, built from its plan (:class:`aistacks.plan.GcpPlan`)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from aistacks import gcp as gcp_components
from aistacks.gcp.vector_search import client_egress
from aistacks.k8s import WorkloadNamespaces, apply_manifest
from aistacks.k8s.gmp import COLLECTOR_NAMESPACE, pod_monitoring
from aistacks.k8s.inference import SERVER_PORT_NAME, selector
from aistacks.k8s.queue_scaling import GKE_CONTROL_PLANE_PORT, keda_values
from aistacks.plan import BucketPlan, GcpPlan, GkeClusterPlan, VectorPlan
from aistacks.plan.autoscaler import SYSTEM_NODE_SELECTOR
from aistacks.plan.gcp import ExistingGcpNetworkPlan
from aistacks.plan.model import ServingMetricsPlan
from aistacks.platform.cluster_layer import VECTOR_CLIENT, ServingMetrics, prometheus_source, queue_autoscaler
from aistacks.platform.stores import CloudStores


class GcpStores(
    CloudStores[
        GcpPlan,
        GkeClusterPlan,
        gcp_components.KmsKey,
        gcp_components.NetworkRef,
        gcp_components.EncryptedBucket,
        gcp_components.GkeCluster,
        gcp_components.AuditSink,
    ]
):
    """The Google Cloud half of a platform: provider, key, network, GKE clusters with their GPU pools
    and in-cluster layer, the vector databases hosted or managed there, data buckets and the audit sink."""

    TYPE_TOKEN = "aistacks:platform:GcpStores"
    PACKAGE = "gcp"
    SNAPSHOT_STORE = "gcs"

    def _make_provider(self) -> gcp.Provider:
        here = pulumi.ResourceOptions(parent=self)
        labels = dict(self.plan.tags)
        name = f"{self.plan.resource_name}-provider"
        return gcp.Provider(name, project=self.plan.project, region=self.plan.region, default_labels=labels, opts=here)

    def _make_key(self) -> gcp_components.KmsKey:
        args = gcp_components.KmsKeyArgs.from_plan(self.plan)
        return gcp_components.KmsKey(f"{self.plan.resource_name}-key", args, opts=self._children)

    def _make_network(self) -> gcp_components.NetworkRef:
        network = self.plan.network
        if isinstance(network, ExistingGcpNetworkPlan):
            return gcp_components.ExistingNetwork(network.network, network.subnetwork)
        args = gcp_components.NetworkArgs.from_plan(self.plan, network)
        return gcp_components.Network(network.resource_name, args, opts=self._children)

    def _make_bucket(self, bucket: BucketPlan) -> gcp_components.EncryptedBucket:
        args = gcp_components.EncryptedBucketArgs.from_plan(bucket, self.plan, self.key)
        return gcp_components.EncryptedBucket(bucket.resource_name, args, opts=self._children)

    def _make_cluster(self, plan: GkeClusterPlan) -> gcp_components.GkeCluster:
        args = gcp_components.GkeClusterArgs.from_plan(plan, self.plan, self.network, self.key)
        gke = gcp_components.GkeCluster(plan.resource_name, args, opts=self._children)
        for pool in plan.gpu_pools:
            gcp_components.GpuNodePool(pool.resource_name, gke, pool, opts=pulumi.ResourceOptions(parent=gke))
        return gke

    def _grant_snapshot_writer(
        self, bucket: gcp_components.EncryptedBucket, principal: gcp_components.WorkloadPrincipal
    ) -> None:
        bucket.grant_write(principal)
        # `gcloud storage cp` looks the destination up (objects.get, objects.list) before writing.
        bucket.grant_read(principal)

    def _grant_model_reader(
        self, bucket: gcp_components.EncryptedBucket, principal: gcp_components.WorkloadPrincipal
    ) -> None:
        bucket.grant_read(principal)

    def _make_serving_metrics(
        self,
        plan: GkeClusterPlan,
        metrics: ServingMetricsPlan,
        cluster: gcp_components.GkeCluster,
        namespaces: WorkloadNamespaces,
    ) -> ServingMetrics:
        """Managed Service for Prometheus (the cluster's managed collection) scraping each server through a
        PodMonitoring, and KEDA reading the queue back as its operator's Workload Identity, which may read
        the project's metrics (``roles/monitoring.viewer``: KEDA 2.20 docs, "Prometheus" scaler, Google
        Managed Prometheus; read 2026-12-01)."""
        keda = metrics.keda
        reader = cluster.workload_principal(keda.namespace, keda.operator_service_account)
        viewer = gcp.projects.IAMMember(
            f"{keda.resource_name}-monitoring-viewer",
            project=self.plan.project,
            role="roles/monitoring.viewer",
            member=reader.member,
            opts=pulumi.ResourceOptions(parent=cluster),
        )
        values = keda_values(keda, node_selector=SYSTEM_NODE_SELECTOR, control_plane_port=GKE_CONTROL_PLANE_PORT)
        autoscaler = queue_autoscaler(metrics, cluster, values, after=[viewer])
        for service in plan.inference:
            monitoring = pod_monitoring(
                service.namespace,
                service.name,
                selector(service),
                SERVER_PORT_NAME,
                service.engine.metrics_path,
                metrics.scrape_interval_seconds,
            )
            apply_manifest(
                f"{service.resource_name}-podmonitoring",
                monitoring,
                pulumi.ResourceOptions(
                    parent=cluster, provider=cluster.provider, depends_on=[*cluster.ready, namespaces]
                ),
            )
        address = f"https://monitoring.googleapis.com/v1/projects/{self.plan.project}/location/global/prometheus"
        return ServingMetrics(
            # GMP queries cover the project: the cluster's own series only (its name and region labels).
            source=prometheus_source(
                metrics,
                address,
                identity="gcp",
                labels={"cluster": plan.resource_name, "location": self.plan.region},
            ),
            autoscaler=autoscaler,
            # The whole namespace: GKE runs only Managed Service for Prometheus there, and its managed
            # collectors' labels are not documented (the open-source ones' are).
            collector_namespace=COLLECTOR_NAMESPACE,
            collector_selector=None,
        )

    def _make_managed_store(
        self, vector: VectorPlan, client: gcp_components.GkeCluster, namespaces: WorkloadNamespaces
    ) -> tuple[pulumi.Resource, dict[str, pulumi.Input[str]]]:
        """The Vector Search index and, when it is private, the egress its client workloads need (only the
        client cluster's nodes pass the index's firewall)."""
        clients = [client.node_service_account.email]
        args = gcp_components.VectorSearchIndexArgs.from_plan(vector, self.plan, self.network, self.key, clients)
        index = gcp_components.VectorSearchIndex(vector.resource_name, args, opts=self._children)
        client_plan = self.plan.cluster(vector.cluster)
        if index.private_address is not None:
            egress = client_egress(client_plan.role, index.private_address.address)
            deps = pulumi.ResourceOptions(parent=client, provider=client.provider, depends_on=[namespaces])
            apply_manifest(f"{client_plan.resource_name}-{VECTOR_CLIENT}-egress", egress, deps)
        return index, {
            "endpoint": index.endpoint,
            "index_id": index.index.id,
            "index_endpoint_id": index.index_endpoint.id,
            "deployed_index_id": index.deployed_index.deployed_index_id,
        }

    def _make_audit(self) -> gcp_components.AuditSink:
        args = gcp_components.AuditSinkArgs.from_plan(self.plan, self.key)
        return gcp_components.AuditSink(self.plan.audit.resource_name, args, opts=self._children)

    def _make_budget(self) -> gcp_components.CostBudget | None:
        budget = self.plan.budget
        if budget is None:
            return None
        args = gcp_components.CostBudgetArgs(
            plan=budget, region=self.plan.region, kms_key=self.key, protect=self.plan.protect
        )
        return gcp_components.CostBudget(budget.resource_name, args, opts=self._children)

    def outputs(self) -> dict[str, pulumi.Input[str]]:
        outputs: dict[str, pulumi.Input[str]] = {
            "key_id": self.key.key_id,
            "audit_log_bucket": self.audit.log_bucket.id,
        }
        if isinstance(self.budget, gcp_components.CostBudget):
            outputs["budget_topic"] = self.budget.topic.id
        return outputs
