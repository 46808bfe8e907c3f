"""The Google Cloud half of a plan: project, key, address ranges, GKE clusters and their GPU pools."""

from __future__ import annotations

from dataclasses import dataclass

from aistacks.defaults import SYSTEM_NODE_HEADROOM
from aistacks.naming import cluster_resource_name
from aistacks.netplan import GcpSubnetPlan, GkeRanges, plan_gcp_ranges
from aistacks.plan.compute import plan_cluster, plan_pool, resolve_pool
from aistacks.plan.model import CloudPlan, ClusterPlan, GpuPoolPlan, extend
from aistacks.plan.shared import SharedPlan
from aistacks.spec import ClusterSpec, GcpSpec, GpuPoolSpec, PlatformSpec
from aistacks.vocabulary import Role

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

    zones: tuple[str, ...]
    """The zones of the region that offer the accelerator."""
    accelerator_type: str
    """GKE's name of the accelerator (``nvidia-h100-80gb``)."""
    driver_version: str


@dataclass(frozen=True, kw_only=True)
class GkeClusterPlan(ClusterPlan[GkePoolPlan]):
    """A regional GKE cluster."""

    ranges: GkeRanges
    """Its pods and services secondary ranges in the nodes subnet."""
    master_authorized_cidr: str
    """The network allowed to reach the control plane besides ``api_access_cidrs``: the nodes' subnet."""
    release_channel: str
    system_nodes_per_zone: int
    system_max_nodes_per_zone: int
    system_machine_type: str
    node_service_account_id: str


@dataclass(frozen=True, kw_only=True)
class GcpPlan(CloudPlan[GkeClusterPlan]):
    """Everything one environment builds on Google Cloud."""

    project: str
    ranges: GcpSubnetPlan
    """The nodes subnet's primary range and each cluster's secondary ranges."""


def node_service_account_id(cluster_resource: str) -> str:
    """``<cluster>-nodes``, cut to the length IAM allows."""
    return f"{cluster_resource}-nodes"[:SERVICE_ACCOUNT_ID_LIMIT].rstrip("-")


def plan_gke_pool(region: str, role: Role, pool: GpuPoolSpec, cluster_resource: str) -> GkePoolPlan:
    """One GKE GPU pool: the catalog's machine type in the zones of the region that offer it."""
    accelerator = resolve_pool("gcp", region, pool)
    shared = plan_pool(accelerator, role, pool, cluster_resource, taint_value=GKE_GPU_TAINT_VALUE)
    return extend(
        shared,
        GkePoolPlan,
        zones=tuple(accelerator.zones_in(region)),
        accelerator_type=accelerator.gcp_accelerator_type or accelerator.accelerator,
        driver_version=GPU_DRIVER_VERSION,
    )


def _plan_gke_cluster(
    cluster: ClusterSpec, settings: GcpSpec, shared: SharedPlan, ranges: GcpSubnetPlan
) -> GkeClusterPlan:
    base = plan_cluster("gcp", cluster, settings.region, settings.kubernetes_version or "", shared, plan_gke_pool)
    (cluster_ranges,) = [r for r in ranges.clusters if r.cluster == base.resource_name]
    return extend(
        base,
        GkeClusterPlan,
        ranges=cluster_ranges,
        master_authorized_cidr=str(ranges.primary),
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
    names = [cluster_resource_name(shared.prefix, cluster.cluster_name) for cluster in settings.clusters]
    ranges = plan_gcp_ranges(settings.cidr, names)
    clusters = tuple(_plan_gke_cluster(cluster, settings, shared, ranges) for cluster in settings.clusters)
    return extend(shared.cloud_plan("gcp", settings.region, clusters), GcpPlan, project=settings.project, ranges=ranges)
