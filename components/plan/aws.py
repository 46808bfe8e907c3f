"""The AWS half of a plan: account, key, network, EKS clusters and their node groups, with AWS's facts.

The facts here (AMI types, the device plugin's place, node sizes) are pure data with their sources; the
resource layer (:mod:`aistacks.aws`, :mod:`aistacks.platform.aws`) turns the plan into resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aistacks.catalog import AcceleratorType
from aistacks.naming import eks_log_group, flow_log_group, trail_log_group
from aistacks.plan.compute import cluster_resource_name, plan_cluster, plan_pool, resolve_pool
from aistacks.plan.model import CloudPlan, ClusterPlan, GpuPoolPlan, extend
from aistacks.plan.network import SubnetPlan, plan_aws_subnets
from aistacks.plan.shared import SharedPlan
from aistacks.spec import AwsSpec, ClusterSpec, GpuPoolSpec, PlatformSpec
from aistacks.vocabulary import KeyService, NatMode, NodeImage, Role

# Amazon EKS AMI types for accelerated nodes. Source: Amazon EKS API Reference, Nodegroup
# `amiType` (AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, AL2023_x86_64_NEURON,
# BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA; read 2026-11-27).
AMI_TYPES: Mapping[tuple[NodeImage, str, str], str] = {
    ("al2023", "nvidia", "x86_64"): "AL2023_x86_64_NVIDIA",
    ("al2023", "nvidia", "arm64"): "AL2023_ARM_64_NVIDIA",
    ("al2023", "aws", "x86_64"): "AL2023_x86_64_NEURON",
    ("bottlerocket", "nvidia", "x86_64"): "BOTTLEROCKET_x86_64_NVIDIA",
    ("bottlerocket", "nvidia", "arm64"): "BOTTLEROCKET_ARM_64_NVIDIA",
}
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"
SYSTEM_INSTANCE_TYPE = "m7i.large"
"""The system node group's type: 2 vCPUs, 8 GiB, enough for the add-ons (CoreDNS, the CSI driver)."""
GPU_NODE_VOLUME_GIB = 200
"""Root (AL2023) or data (Bottlerocket) volume of a GPU node: GPU images are large."""
EKS_GPU_TAINT_VALUE = "true"
DEVICE_PLUGIN_LABEL = "aistacks.io/nvidia-device-plugin"
"""Set on nodes whose image ships the NVIDIA driver but not the device plugin (AL2023 NVIDIA)."""
KEY_SERVICES: tuple[KeyService, ...] = ("cloudtrail", "logs", "autoscaling")
"""What uses the stack key directly: the trail, the log groups, and EC2 Auto Scaling (node volumes)."""


class UnsupportedNodeImage(ValueError):
    """No EKS AMI type runs this accelerator on this image."""


def ami_type(accelerator: AcceleratorType, image: NodeImage) -> str:
    """The EKS AMI type for an accelerator type on an image. Every type in the catalog without a
    stated architecture is x86_64 (the catalog holds no Graviton GPU types)."""
    key = (image, accelerator.vendor, accelerator.architecture or "x86_64")
    if key not in AMI_TYPES:
        supported = ", ".join(sorted({i for i, v, _ in AMI_TYPES if v == accelerator.vendor})) or "none"
        raise UnsupportedNodeImage(
            f"{accelerator.name} ({accelerator.accelerator}) has no {image} EKS image; images that run it: {supported}"
        )
    return AMI_TYPES[key]


def needs_device_plugin(ami: str) -> bool:
    """AL2023 NVIDIA AMIs ship the driver, not the Kubernetes device plugin; Bottlerocket's NVIDIA
    variants include it. Source: Amazon EKS User Guide, "Amazon EKS optimized accelerated Amazon
    Linux AMIs" and Bottlerocket NVIDIA variant docs (read 2026-11-27)."""
    return ami.startswith("AL2023_") and ami.endswith("_NVIDIA")


@dataclass(frozen=True, kw_only=True)
class AwsPoolPlan(GpuPoolPlan):
    """An EKS managed node group of GPU (or Neuron) nodes."""

    image: NodeImage
    ami_type: str
    volume_gib: int


@dataclass(frozen=True, kw_only=True)
class EksClusterPlan(ClusterPlan[AwsPoolPlan]):
    """An EKS cluster."""

    system_nodes: int
    system_instance_type: str
    admin_role_arns: tuple[str, ...]
    log_retention_days: int
    """The control-plane log group's retention: the audit retention."""
    log_group_name: str
    """Where EKS writes the control-plane logs."""
    device_plugin: bool
    """Some pool's image lacks the NVIDIA device plugin, so the cluster runs it."""


@dataclass(frozen=True)
class AwsNetworkPlan:
    resource_name: str
    """``<prefix>-aws-network``: the component's name, which its resources' names start with."""
    cidr: str
    zones: int
    nat: NatMode
    subnets: tuple[SubnetPlan, ...]
    """Zones are named by position (``0``, ``1``, …): the region's zone names are only known at deploy time."""
    flow_log_retention_days: int
    flow_log_group_name: str
    cluster_names: tuple[str, ...]
    """The EKS clusters that use the subnets (subnet discovery tags)."""


@dataclass(frozen=True, kw_only=True)
class AwsPlan(CloudPlan[EksClusterPlan]):
    """Everything one environment builds on AWS."""

    account_id: str | None
    """When set, the provider refuses any other account."""
    create_autoscaling_service_role: bool
    key_alias: str
    key_description: str
    key_services: tuple[KeyService, ...]
    network: AwsNetworkPlan
    trail_log_group_name: str
    """The log group the audit trail also delivers to."""


def plan_aws_pool(region: str, role: Role, pool: GpuPoolSpec, cluster_resource: str) -> AwsPoolPlan:
    """One EKS GPU pool: the catalog's type, its AMI type, and the device plugin label where the image lacks it."""
    accelerator = resolve_pool("aws", region, pool)
    ami = ami_type(accelerator, pool.image)
    shared = plan_pool(
        accelerator,
        role,
        pool,
        cluster_resource,
        taint_value=EKS_GPU_TAINT_VALUE,
        extra_labels={DEVICE_PLUGIN_LABEL: "true"} if needs_device_plugin(ami) else {},
    )
    return extend(shared, AwsPoolPlan, image=pool.image, ami_type=ami, volume_gib=GPU_NODE_VOLUME_GIB)


def _plan_eks_cluster(cluster: ClusterSpec, settings: AwsSpec, shared: SharedPlan) -> EksClusterPlan:
    resource_name = cluster_resource_name(shared.prefix, cluster)
    pools = tuple(plan_aws_pool(settings.region, cluster.role, pool, resource_name) for pool in cluster.gpu_pools)
    base = plan_cluster(
        cluster,
        pools,
        shared.qdrant_on("aws", cluster.cluster_name),
        prefix=shared.prefix,
        version=settings.kubernetes_version or "",
        defaults=shared.defaults,
        protect=shared.protect,
    )
    return extend(
        base,
        EksClusterPlan,
        system_nodes=cluster.system_nodes,
        system_instance_type=SYSTEM_INSTANCE_TYPE,
        admin_role_arns=cluster.admin_role_arns,
        log_retention_days=shared.audit.log_retention_days,
        log_group_name=eks_log_group(resource_name),
        device_plugin=any(needs_device_plugin(pool.ami_type) for pool in pools),
    )


def plan_aws(spec: PlatformSpec, shared: SharedPlan) -> AwsPlan | None:
    """The AWS half of a valid spec; none when it does not use AWS."""
    settings = spec.aws
    if settings is None:
        return None
    clusters = tuple(_plan_eks_cluster(cluster, settings, shared) for cluster in settings.clusters)
    zones = settings.zones or shared.defaults.aws_zones
    network = f"{shared.prefix}-aws-network"
    return extend(
        shared.cloud_plan("aws", settings.region, clusters),
        AwsPlan,
        account_id=settings.account_id,
        create_autoscaling_service_role=settings.create_autoscaling_service_role,
        key_alias=shared.prefix,
        key_description=f"{shared.prefix}: buckets, audit trail and logs",
        key_services=KEY_SERVICES,
        trail_log_group_name=trail_log_group(shared.audit.resource_name),
        network=AwsNetworkPlan(
            resource_name=network,
            cidr=settings.cidr,
            zones=zones,
            nat=settings.nat or shared.defaults.nat,
            subnets=tuple(plan_aws_subnets(settings.cidr, [str(index) for index in range(zones)])),
            flow_log_retention_days=shared.audit.log_retention_days,
            flow_log_group_name=flow_log_group(network),
            cluster_names=tuple(cluster.resource_name for cluster in clusters),
        ),
    )
