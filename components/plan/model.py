"""The plan objects: one environment with every decision made, and nothing of Pulumi or of the config.

The resource layer (``aistacks.aws``, ``aistacks.gcp``, ``aistacks.k8s``, ``aistacks.platform``) receives
these and only these: every default, physical name, address range, label, taint and hosting decision is
already here. (A component names its own children after the name it is given, as every component does:
``<name>-key``, ``<name>-provider``.) The per-cloud halves extend :class:`CloudPlan` and :class:`ClusterPlan`
(:mod:`aistacks.plan.aws`, :mod:`aistacks.plan.gcp`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, Generic, TypeVar

from aistacks.catalog import AcceleratorType, HelmChartPin, ServingEngineFacts
from aistacks.plan.fit import Fit
from aistacks.vocabulary import (
    ApiEndpoint,
    Capacity,
    Cloud,
    GpuMetricsSource,
    MetricsStore,
    ModelSource,
    ObjectLockMode,
    Role,
    Tier,
    VectorEngine,
    VertexDistance,
)


@dataclass(frozen=True)
class KeyPlan:
    """The customer-managed key of one cloud, which every store of the environment there uses."""

    rotation_period_days: int
    deletion_window_days: int
    """AWS: days a key scheduled for deletion stays recoverable; GCP: a destroyed version's."""
    hsm: bool
    """GCP: key material in Cloud HSM."""


@dataclass(frozen=True)
class BucketPlan:
    """One encrypted bucket."""

    name: str
    """The short name (``datasets``)."""
    resource_name: str
    """``<prefix>-<name>``: the component's name; on AWS also the start of the physical name, which the
    account ID ends (``<prefix>-<name>-<account id>``), so it is globally unique and known at preview."""
    noncurrent_version_days: int
    soft_delete_days: int
    force_destroy: bool
    expiration_days: int | None = None
    """Days objects are kept (backups); ``None``: until deleted."""


@dataclass(frozen=True)
class AuditPlan:
    """Audit logging of one cloud: CloudTrail on AWS, the audit log sink on Google Cloud."""

    resource_name: str
    """``<prefix>-audit``: the component's name, the trail's name (AWS) and the log bucket's id (GCP)."""
    bucket_name_stem: str
    """AWS: ``<prefix>-audit-logs``; the account ID ends the log bucket's physical name."""
    log_retention_days: int
    noncurrent_version_days: int
    """AWS: days a replaced log file version is kept once its lock expires."""
    object_lock_mode: ObjectLockMode
    object_lock_days: int
    lock_log_bucket: bool


@dataclass(frozen=True, kw_only=True)
class BudgetPlan:
    """The environment's monthly cost budget on one cloud: its part of the amount, the spend it counts (the
    resources tagged or labelled ``filter_tag: filter_value``), its alerts and the topic they go to. Each
    cloud's planner extends it with how its billing says so (:class:`aistacks.plan.aws.AwsBudgetPlan`,
    :class:`aistacks.plan.gcp.GcpBudgetPlan`)."""

    resource_name: str
    """``<prefix>-<cloud>-budget``: the component's name, which its resources' names start with."""
    name: str
    """``<prefix>-monthly``: the budget's name (AWS, unique in the account) or display name (Google Cloud)."""
    amount_usd: Decimal
    """This cloud's part of the environment's amount, in US dollars and whole cents."""
    environment_usd: Decimal
    """The environment's whole monthly amount (``budget.monthly_usd``)."""
    share_percent: int
    thresholds_percent: tuple[int, ...]
    """Alert when the month's actual spend passes each of these percentages of ``amount_usd``."""
    forecast_percent: int
    """Alert when the month's forecasted spend passes this percentage."""
    emails: tuple[str, ...]
    filter_tag: str
    """The tag (AWS) or label (Google Cloud) the budget counts spend by: ``stack``, which every resource of
    the environment carries (:data:`aistacks.vocabulary.BUDGET_FILTER_TAG`)."""
    filter_value: str
    """The stack's physical name: the value of ``filter_tag`` on the environment's resources."""
    topic_name: str
    """``<prefix>-budget-alerts``: the encrypted topic every alert is published to."""


@dataclass(frozen=True)
class Taint:
    """A node taint, in the Kubernetes form (``NoSchedule``); each cloud's API spells the effect its way."""

    key: str
    value: str
    effect: str = "NoSchedule"

    @property
    def api_effect(self) -> str:
        """The effect as the EKS and GKE APIs spell it (``NO_SCHEDULE``)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.effect).upper()


@dataclass(frozen=True, kw_only=True)
class GpuPoolPlan:
    """One GPU pool: the resolved type, its sizes, capacity, labels and taint."""

    name: str
    resource_name: str
    """``<cluster resource name>-<pool name>``."""
    accelerator: AcceleratorType
    min_nodes: int
    max_nodes: int
    desired_nodes: int
    capacity: Capacity
    labels: Mapping[str, str]
    """Node labels workloads select the pool by."""
    taint: Taint | None
    """Keeps everything but GPU workloads off the pool. Every pool aistacks builds has one
    (:class:`aistacks.plan.aws.AwsPoolPlan`, :class:`aistacks.plan.gcp.GkePoolPlan`); a team's own nodes may
    have none (:class:`aistacks.plan.inference.GpuNodes`)."""
    gpu_resource: str
    """The extended resource the nodes advertise (``nvidia.com/gpu``)."""


@dataclass(frozen=True, kw_only=True)
class VectorPlan:
    """One vector database with every default resolved."""

    engine: VectorEngine
    cloud: Cloud
    cluster: str
    """qdrant: the cluster that hosts it; managed engines: the cluster whose workloads get access."""
    replicas: int
    name: str
    """The physical name (collection, index) of a managed engine; qdrant's Kubernetes name."""
    resource_name: str
    """The component's name: ``<cluster resource name>-vector`` (qdrant), ``<prefix>-vectors`` (managed)."""
    storage_gib: int
    cpu: str
    memory: str
    snapshot_schedule: str
    dimensions: int
    distance: VertexDistance
    public_access: bool
    customer_managed_key: bool


@dataclass(frozen=True, kw_only=True)
class InferencePlan:
    """One served model with every decision made: where it runs, what it runs, how it scales."""

    name: str
    """The Deployment's and Service's name."""
    resource_name: str
    """``<cluster resource name>-serve-<name>``: the component's name; on a cluster aistacks did not build,
    the service's name."""
    cloud: Cloud | None
    """The cloud of the inference cluster; ``None``: a cluster aistacks did not build
    (:func:`aistacks.plan.inference.plan_model_server`)."""
    cluster: str | None
    """The inference cluster (its name in the config); ``None``: a cluster aistacks did not build."""
    namespace: str
    pool: GpuPoolPlan
    """The GPU pool the replicas run on (its labels select the nodes, its taint is tolerated)."""
    engine: ServingEngineFacts
    """The server's pinned image, port, health and metrics endpoints, as the catalog gives them."""
    args: tuple[str, ...]
    """The server's arguments: model, parallelism, quantization, context and concurrency."""
    model: str
    """The Hugging Face repository id."""
    source: ModelSource
    models_bucket: str | None
    """``bucket`` source: the short name of the stack's bucket the weights are copied from (``<model>/``);
    ``None`` on a cluster aistacks did not build, whose program gives its loader the bucket."""
    hub_token_secret: str | None
    fit: Fit
    """The memory estimate the plan checked: weights and KV cache against the replica's GPUs."""
    gpus: int
    """GPUs per replica: the tensor-parallel size."""
    cpu: str
    """CPU request and limit of the server's container: its share of the node's vCPUs, halved."""
    memory: str
    """Memory request and limit: seven tenths of its share of the node's memory (the rest is the kubelet's
    reservation and the node's daemons)."""
    service_account: str
    """The ServiceAccount the replicas run as: the identity the weights bucket grants read to."""
    cache_gib: int
    """The encrypted volume each replica keeps the weights on."""
    min_replicas: int
    max_replicas: int
    queue_per_replica: int
    """Waiting requests per replica the autoscaler aims for."""
    clients: tuple[str, ...]
    """Namespaces whose pods may call the service."""


@dataclass(frozen=True, kw_only=True)
class KedaPlan:
    """KEDA on a cluster that serves models: it scales each server on its queue."""

    resource_name: str
    """``<cluster resource name>-keda``: the Helm release's Pulumi name."""
    chart: HelmChartPin
    namespace: str
    operator_service_account: str
    """The ServiceAccount the chart creates for the operator: the identity that queries the metrics store."""
    replicas: int
    """Operator and admission webhook replicas: a standby outside dev (the operator elects a leader)."""


@dataclass(frozen=True, kw_only=True)
class ServingMetricsPlan:
    """What a cluster that serves models collects, where it keeps it, and how its servers scale on it."""

    resource_name: str
    """``<cluster resource name>-metrics``: the metrics store's name (AWS: the AMP workspace's alias)."""
    store: MetricsStore
    gpu_metrics: GpuMetricsSource
    scrape_interval_seconds: int
    """How often the servers (and, with ``dcgm-exporter``, the GPUs) are scraped, and KEDA reads the queue."""
    cooldown_seconds: int
    """How long the queue must stay empty before KEDA lets the floor go to zero (only with a floor of 0)."""
    scale_down_window_seconds: int
    """How long the queue must stay low before replicas are removed: a replica takes minutes to load."""
    keda: KedaPlan


PoolT = TypeVar("PoolT", bound=GpuPoolPlan)
PoolT_co = TypeVar("PoolT_co", bound=GpuPoolPlan, covariant=True)


@dataclass(frozen=True, kw_only=True)
class ClusterPlan(Generic[PoolT_co]):
    """One Kubernetes cluster: what every cloud's cluster has in common."""

    name: str
    """The name in the config (the role, unless named)."""
    resource_name: str
    """``<prefix>-<name>``: the component's and the cluster's physical name."""
    role: Role
    kubernetes_version: str
    api_endpoint: ApiEndpoint
    """How the deployer reaches the API (:data:`aistacks.vocabulary.ApiEndpoint`)."""
    deletion_protection: bool
    api_access_cidrs: tuple[str, ...]
    """With ``restricted``, the only networks the public endpoint admits; otherwise networks let in to the
    private endpoint."""
    gpu_pools: tuple[PoolT_co, ...]
    qdrant: VectorPlan | None
    """The Qdrant database this cluster hosts, if any."""
    protect: bool
    inference: tuple[InferencePlan, ...] = ()
    """The models this cluster serves."""
    serving_metrics: ServingMetricsPlan | None = None
    """Metrics collection and queue autoscaling, on a cluster that serves models."""

    @property
    def public_endpoint(self) -> bool:
        """The API has an endpoint on the internet (all of it, or only ``api_access_cidrs``)."""
        return self.api_endpoint in ("restricted", "public")

    @property
    def max_gpus(self) -> int:
        """Every GPU the cluster's pools can hold at their largest: the workload namespaces' quota."""
        return sum(pool.max_nodes * pool.accelerator.count for pool in self.gpu_pools)


ClusterT = TypeVar("ClusterT", bound=ClusterPlan[GpuPoolPlan])
ClusterT_co = TypeVar("ClusterT_co", bound=ClusterPlan[GpuPoolPlan], covariant=True)


@dataclass(frozen=True, kw_only=True)
class CloudPlan(Generic[ClusterT_co]):
    """Everything one environment builds on one cloud: complete, so that its builder needs nothing else."""

    cloud: Cloud
    resource_name: str
    """``<prefix>-<cloud>``: the component's name; its own children's names start with it."""
    prefix: str
    region: str
    protect: bool
    tags: Mapping[str, str]
    """Tags (AWS) or labels (GCP) on every resource that takes them."""
    key: KeyPlan
    existing_key: str | None
    """The customer-managed key the config brings (an AWS key ARN, a Cloud KMS key ID), used instead of
    creating one; ``key``'s settings then apply to nothing."""
    buckets: tuple[BucketPlan, ...]
    snapshot_bucket: BucketPlan | None
    """Where Qdrant's snapshots go, when a cluster of this cloud hosts Qdrant."""
    audit: AuditPlan
    clusters: tuple[ClusterT_co, ...]
    managed_vectors: tuple[VectorPlan, ...]
    """The managed vector stores of this cloud."""

    def cluster(self, name: str) -> ClusterT_co:
        """The cluster named ``name`` in the config."""
        (found,) = [cluster for cluster in self.clusters if cluster.name == name]
        return found


@dataclass(frozen=True)
class PlatformPlan:
    """One environment with every default resolved: what is shared, and a complete plan per cloud."""

    name: str
    environment: Tier
    jurisdiction: str
    prefix: str
    """``<name>-<stack name>``: the start of every physical name."""
    protect: bool
    tags: Mapping[str, str]
    vectors: tuple[VectorPlan, ...]
    """Every vector database, in config order."""
    inference: tuple[InferencePlan, ...]
    """Every served model, in config order."""
    clouds: Mapping[Cloud, CloudPlan[ClusterPlan[GpuPoolPlan]]]
    """The plan of each cloud the environment uses, in the order of ``aistacks.vocabulary.CLOUDS``."""


ExtendedT = TypeVar("ExtendedT")


def extend(base: object, subclass: type[ExtendedT], **added: Any) -> ExtendedT:
    """``base`` as an instance of ``subclass``, a dataclass that adds the fields ``added`` fills: a cloud
    planner completes what the shared planning made (a pool, a cluster) with its cloud's facts."""
    return subclass(**{field.name: getattr(base, field.name) for field in fields(base)}, **added)  # pyright: ignore[reportArgumentType]
