"""The sequence every cloud's half of a platform follows, once: provider, key, network, buckets, clusters
with their in-cluster layer, managed vector stores, audit. Each cloud implements the steps
(:mod:`aistacks.platform.aws`, :mod:`aistacks.platform.gcp`) from its plan alone."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pulumi

from aistacks.defaults import SNAPSHOT_BUCKET
from aistacks.k8s import KubernetesCluster, WorkloadNamespaces
from aistacks.k8s.snapshots import ObjectStore, SnapshotPlan
from aistacks.plan import BucketPlan, CloudPlan, ClusterPlan, VectorPlan
from aistacks.plan.model import ServingMetricsPlan
from aistacks.platform.cluster_layer import (
    QDRANT_NAMESPACE,
    SNAPSHOT_WRITER,
    ServingMetrics,
    VectorOutputs,
    in_cluster_layer,
    model_server,
    qdrant_outputs,
)


class Bucket(Protocol):
    """What the sequence needs of a cloud's encrypted bucket."""

    @property
    def bucket_name(self) -> pulumi.Output[str]: ...


PlanT = TypeVar("PlanT", bound=CloudPlan[Any])
ClusterPlanT = TypeVar("ClusterPlanT", bound=ClusterPlan[Any])
"""The cluster plans of ``PlanT``."""
KeyT = TypeVar("KeyT")
NetworkT = TypeVar("NetworkT")
BucketT = TypeVar("BucketT", bound=Bucket)
ClusterT = TypeVar("ClusterT", bound=KubernetesCluster[Any])
AuditT = TypeVar("AuditT")


class CloudStores(pulumi.ComponentResource, Generic[PlanT, ClusterPlanT, KeyT, NetworkT, BucketT, ClusterT, AuditT]):
    """One cloud's half of a platform, built from its plan. Subclasses name their type token, provider
    package and snapshot store, and implement each step. The steps run in the order of ``__init__``, each
    reading what the earlier ones made (the key before the network and buckets, the buckets before the
    clusters whose snapshot job writes one, the clusters before the managed stores they use, all of it
    before the audit trail that logs the buckets); nothing else depends on order."""

    TYPE_TOKEN: ClassVar[str]
    PACKAGE: ClassVar[str]
    """The Pulumi package of the cloud's provider (``aws``, ``gcp``): its resources look their provider up by it."""
    SNAPSHOT_STORE: ClassVar[ObjectStore]
    """The cloud's object store, whose CLI the snapshot job writes with and model servers copy weights with."""

    plan: PlanT
    provider: pulumi.ProviderResource
    key: KeyT
    network: NetworkT
    buckets: dict[str, BucketT]
    snapshot_bucket: BucketT | None
    """Where Qdrant's scheduled snapshots go, when a cluster of this cloud hosts Qdrant."""
    clusters: dict[str, ClusterT]
    vectors: dict[str, pulumi.Resource]
    """The vector databases on this cloud, by engine."""
    vector_outputs: VectorOutputs
    servers: dict[str, pulumi.Resource]
    """The model servers on this cloud's clusters, by name."""
    audit: AuditT
    budget: pulumi.Resource | None
    """The environment's cost budget on this cloud and the topic its alerts go to, when the plan has one."""

    def __init__(self, plan: PlanT, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, plan.resource_name, None, opts)
        self.plan = plan
        # Every resource of this half goes through this provider, so its region is the one the spec
        # validated against the jurisdiction; the stack's default-provider config plays no part.
        self.provider = self._make_provider()
        self._children = pulumi.ResourceOptions(parent=self, providers={self.PACKAGE: self.provider})
        self.key = self._make_key()
        self.network = self._make_network()
        self.buckets = {bucket.name: self._make_bucket(bucket) for bucket in plan.buckets}
        self.snapshot_bucket = self._make_bucket(plan.snapshot_bucket) if plan.snapshot_bucket else None
        self.vectors, self.vector_outputs = {}, {}
        self.servers = {}
        self.clusters = {}
        namespaces: dict[str, WorkloadNamespaces] = {}
        for cluster_plan in plan.clusters:
            cluster = self._make_cluster(cluster_plan)
            self.clusters[cluster_plan.name] = cluster
            namespaces[cluster_plan.name] = self._in_cluster_layer(cluster_plan, cluster)
        for vector in plan.managed_vectors:
            store, outputs = self._make_managed_store(vector, self.clusters[vector.cluster], namespaces[vector.cluster])
            self.vectors[vector.engine], self.vector_outputs[vector.engine] = store, outputs
        self.audit = self._make_audit()
        self.budget = self._make_budget()
        self.register_outputs(self.outputs())

    def _in_cluster_layer(self, plan: ClusterPlanT, cluster: ClusterT) -> WorkloadNamespaces:
        """The namespaces and, where planned, Qdrant, whose snapshot job gets write access to the bucket."""
        snapshots = None
        if plan.qdrant is not None and self.snapshot_bucket is not None:
            identity = cluster.workload_identity(QDRANT_NAMESPACE, SNAPSHOT_WRITER, self.plan.tags)
            self._grant_snapshot_writer(self.snapshot_bucket, identity.principal)
            snapshots = SnapshotPlan(
                self.SNAPSHOT_STORE,
                self.snapshot_bucket.bucket_name,
                plan.qdrant.snapshot_schedule,
                name=SNAPSHOT_WRITER,
                annotations=dict(identity.annotations),
            )
        layer, database = in_cluster_layer(plan, cluster, snapshots)
        if database is not None:
            self.vectors["qdrant"] = database
            self.vector_outputs["qdrant"] = qdrant_outputs(database, snapshots)
        metrics = None
        if plan.serving_metrics is not None:
            metrics = self._make_serving_metrics(plan, plan.serving_metrics, cluster, layer)
        for service in plan.inference:
            identity = cluster.workload_identity(service.namespace, service.service_account, self.plan.tags)
            bucket = self.buckets[service.models_bucket] if service.models_bucket is not None else None
            if bucket is not None:
                self._grant_model_reader(bucket, identity.principal)
            weights = None if bucket is None else (self.SNAPSHOT_STORE, bucket.bucket_name)
            self.servers[service.name] = model_server(service, cluster, layer, identity, weights, metrics)
        return layer

    def bucket_names(self) -> dict[str, pulumi.Output[str]]:
        """Physical bucket names, keyed ``<cloud>/<bucket>``."""
        named = dict(self.buckets)
        if self.snapshot_bucket is not None:
            named[SNAPSHOT_BUCKET] = self.snapshot_bucket
        return {f"{self.plan.cloud}/{name}": bucket.bucket_name for name, bucket in named.items()}

    def exports(self) -> dict[str, pulumi.Input[str]]:
        """What the stack exports of this cloud: its outputs, named ``<cloud>_<output>``."""
        return {f"{self.plan.cloud}_{name}": value for name, value in self.outputs().items()}

    @abstractmethod
    def _make_provider(self) -> pulumi.ProviderResource: ...

    @abstractmethod
    def _make_key(self) -> KeyT: ...

    @abstractmethod
    def _make_network(self) -> NetworkT: ...

    @abstractmethod
    def _make_bucket(self, bucket: BucketPlan) -> BucketT: ...

    @abstractmethod
    def _make_cluster(self, plan: ClusterPlanT) -> ClusterT:
        """The cluster of ``plan`` (this cloud's cluster plan) with its GPU pools and what the cloud's
        nodes need in it."""

    @abstractmethod
    def _grant_snapshot_writer(self, bucket: BucketT, principal: Any) -> None:
        """What the snapshot job's identity needs of the bucket to upload with the cloud's CLI."""

    @abstractmethod
    def _grant_model_reader(self, bucket: BucketT, principal: Any) -> None:
        """What a model server's identity needs of the models bucket to copy the weights with the cloud's CLI."""

    @abstractmethod
    def _make_serving_metrics(
        self, plan: ClusterPlanT, metrics: ServingMetricsPlan, cluster: ClusterT, namespaces: WorkloadNamespaces
    ) -> ServingMetrics:
        """The metrics store of ``cluster``'s model servers (``plan.inference``), what scrapes them and their
        GPUs into it, and KEDA reading their queues there; what goes into the servers' namespace waits for
        ``namespaces``."""

    @abstractmethod
    def _make_managed_store(
        self, vector: VectorPlan, client: ClusterT, namespaces: WorkloadNamespaces
    ) -> tuple[pulumi.Resource, dict[str, pulumi.Input[str]]]:
        """The managed vector store of ``vector`` and what its clients need; ``client`` is the cluster whose
        workloads use it."""

    @abstractmethod
    def _make_audit(self) -> AuditT: ...

    @abstractmethod
    def _make_budget(self) -> pulumi.Resource | None:
        """The cloud's cost budget of the plan, its alerts on a topic encrypted with the stack key; none when
        the plan has no budget."""

    @abstractmethod
    def outputs(self) -> dict[str, pulumi.Input[str]]:
        """What operators need of this cloud's half: its key and audit destination."""
