"""The Google Cloud half of a plan: project, key, address ranges, GKE clusters and their GPU pools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aistacks.defaults import SYSTEM_NODE_HEADROOM
from aistacks.naming import cluster_resource_name
from aistacks.netplan import GcpSubnetPlan, plan_gcp_ranges
from aistacks.plan.compute import plan_cluster, plan_pool, resolve_pool
from aistacks.plan.model import BudgetPlan, CloudPlan, ClusterPlan, GpuPoolPlan, Taint, extend
from aistacks.plan.shared import SharedPlan
from aistacks.reasons import reason_tag_value
from aistacks.spec import ClusterSpec, GcpSpec, GpuPoolSpec, PlatformSpec
from aistacks.vocabulary import ON_DEMAND_REASON_TAG, ROLE_TAG, Role

# GKE taints its GPU nodes nvidia.com/gpu=present:NoSchedule. Source: GKE docs, "About GPUs in GKE",
# taints (read 2026-11-27).
GKE_GPU_TAINT_VALUE = "present"
GPU_DRIVER_VERSION = "LATEST"
"""GKE installs the driver: the latest one of the node version (GKE docs, "Install NVIDIA GPU drivers")."""
SYSTEM_MACHINE_TYPE = "e2-standard-4"
SYSTEM_NODES_PER_ZONE = 1
# Service account IDs: 6 to 30 characters. Source: IAM docs, "Create service accounts" (read 2026-11-27).
SERVICE_ACCOUNT_ID_LIMIT = 30


@dataclass(frozen=True, kw_only=True)
class GkePoolPlan(GpuPoolPlan):
    """A GKE node pool of GPU nodes."""

    taint: Taint
    """Always set: the planner taints every pool it builds."""
    zones: tuple[str, ...]
    """The zones of the region that offer the accelerator."""
    accelerator_type: str
    """GKE's name of the accelerator (``nvidia-h100-80gb``)."""
    driver_version: str
    resource_labels: Mapping[str, str] = field(default_factory=dict)
    """The pool's own labels on its nodes' VMs beyond the stack's: its cluster's role (``aistacks-role``) and,
    for a pool that opts out of spot, why (``aistacks-on-demand-reason``), which AIS-COST-002 reads."""


@dataclass(frozen=True, kw_only=True)
class GkeClusterPlan(ClusterPlan[GkePoolPlan]):
    """A regional GKE cluster."""

    pods_range: str
    """The name of its pods secondary range in the nodes subnetwork."""
    services_range: str
    """The name of its services secondary range in the nodes subnetwork."""
    master_authorized_cidr: str
    """The network allowed to reach the control plane besides ``api_access_cidrs``: the nodes' subnet."""
    release_channel: str
    system_nodes_per_zone: int
    system_max_nodes_per_zone: int
    system_machine_type: str
    node_service_account_id: str


@dataclass(frozen=True)
class GcpNetworkPlan:
    """The network and nodes subnetwork the environment creates."""

    resource_name: str
    """``<prefix>-gcp-network``: the component's name."""
    ranges: GcpSubnetPlan
    """The nodes subnet's primary range and each cluster's secondary ranges."""


@dataclass(frozen=True)
class ExistingGcpNetworkPlan:
    """A network and subnetwork the config brings (``gcp.existing_network``): nothing of them is created."""

    resource_name: str
    """``<prefix>-gcp-network``: the component that stands for them."""
    network: str
    subnetwork: str


@dataclass(frozen=True, kw_only=True)
class GcpBudgetPlan(BudgetPlan):
    """The environment's Cloud Billing budget: on the billing account, counting only the stack's project and
    its resources labelled ``stack`` (a budget filter takes one label; pulumi-gcp 10.2.0
    billing.BudgetBudgetFilterArgs.labels), in whole US dollars and nanos (the billing account must be billed
    in USD: a budget's currency "must match the currency of the billing account", same SDK)."""

    billing_account: str
    """The Cloud Billing account ID (``XXXXXX-XXXXXX-XXXXXX``)."""
    project: str
    """The project whose spend the budget counts (the filter names it by number, looked up at deploy)."""
    labels: Mapping[str, str]
    """``{filter_tag: filter_value}``: the one label the budget filters on."""


@dataclass(frozen=True, kw_only=True)
class GcpPlan(CloudPlan[GkeClusterPlan]):
    """Everything one environment builds on Google Cloud."""

    project: str
    network: GcpNetworkPlan | ExistingGcpNetworkPlan
    budget: GcpBudgetPlan | None = None
    """The environment's Cloud Billing budget, when the config sets one."""


def node_service_account_id(cluster_resource: str) -> str:
    """``<cluster>-nodes``, cut to the length IAM allows."""
    return f"{cluster_resource}-nodes"[:SERVICE_ACCOUNT_ID_LIMIT].rstrip("-")


def plan_gke_pool(region: str, role: Role, pool: GpuPoolSpec, cluster_resource: str) -> GkePoolPlan:
    """One GKE GPU pool: the catalog's machine type in the zones of the region that offer it."""
    accelerator = resolve_pool("gcp", region, pool)
    shared = plan_pool(accelerator, role, pool, cluster_resource, taint_value=GKE_GPU_TAINT_VALUE)
    labels = {ROLE_TAG["gcp"]: role}
    if pool.on_demand_reason is not None:
        labels[ON_DEMAND_REASON_TAG["gcp"]] = reason_tag_value(pool.on_demand_reason)
    return extend(
        shared,
        GkePoolPlan,
        zones=tuple(accelerator.zones_in(region)),
        accelerator_type=accelerator.gcp_accelerator_type or accelerator.accelerator,
        driver_version=GPU_DRIVER_VERSION,
        resource_labels=labels,
    )


def _plan_gke_cluster(
    cluster: ClusterSpec, settings: GcpSpec, shared: SharedPlan, ranges: tuple[str, str, str]
) -> GkeClusterPlan:
    """``ranges``: the cluster's pods and services secondary range names and the nodes' primary range."""
    base = plan_cluster("gcp", cluster, settings.region, settings.kubernetes_version or "", shared, plan_gke_pool)
    pods, services, nodes = ranges
    return extend(
        base,
        GkeClusterPlan,
        pods_range=pods,
        services_range=services,
        master_authorized_cidr=nodes,
        release_channel=shared.defaults.gke_release_channel,
        system_nodes_per_zone=SYSTEM_NODES_PER_ZONE,
        system_max_nodes_per_zone=SYSTEM_NODES_PER_ZONE + SYSTEM_NODE_HEADROOM,
        system_machine_type=SYSTEM_MACHINE_TYPE,
        node_service_account_id=node_service_account_id(base.resource_name),
    )


def plan_gcp(spec: PlatformSpec, shared: SharedPlan) -> GcpPlan | None:
    """The Google Cloud half of a valid spec; none when it does not use Google Cloud."""
    settings = spec.gcp
    if settings is None:
        return None
    existing = settings.existing_network
    if existing is not None:
        named = {r.cluster: (r.pods, r.services, existing.subnetwork_cidr) for r in existing.cluster_ranges}
        ranges = [named[cluster.cluster_name] for cluster in settings.clusters]
        network: GcpNetworkPlan | ExistingGcpNetworkPlan = ExistingGcpNetworkPlan(
            "", existing.network, existing.subnetwork
        )
    else:
        names = [cluster_resource_name(shared.prefix, cluster.cluster_name) for cluster in settings.clusters]
        planned = plan_gcp_ranges(settings.cidr, names)
        ranges = [(r.pods_name, r.services_name, str(planned.primary)) for r in planned.clusters]
        network = GcpNetworkPlan("", planned)
    clusters = tuple(
        _plan_gke_cluster(cluster, settings, shared, cluster_ranges)
        for cluster, cluster_ranges in zip(settings.clusters, ranges, strict=True)
    )
    cloud = shared.cloud_plan("gcp", settings.region, clusters, settings.kms_key)
    network = replace(network, resource_name=f"{cloud.resource_name}-network")
    budget = shared.budgets.get("gcp")
    billing_account = spec.budget.gcp_billing_account if spec.budget is not None else None
    planned_budget = None
    if budget is not None and billing_account is not None:
        planned_budget = extend(
            budget,
            GcpBudgetPlan,
            billing_account=billing_account,
            project=settings.project,
            labels={budget.filter_tag: budget.filter_value},
        )
    return extend(cloud, GcpPlan, project=settings.project, network=network, budget=planned_budget)
