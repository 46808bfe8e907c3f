"""The AWS half of a plan: account, key, network, EKS clusters and their node groups, with AWS's facts.

The facts here (AMI types, the device plugin's place, node sizes) are pure data with their sources; the
resource layer (:mod:`aistacks.aws`, :mod:`aistacks.platform.aws`) turns the plan into resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aistacks.catalog import ami_type, needs_device_plugin
from aistacks.defaults import SYSTEM_NODE_HEADROOM, eks_system_nodes
from aistacks.naming import flow_log_group, trail_log_group
from aistacks.netplan import SubnetPlan, plan_aws_subnets, positional_zones
from aistacks.plan.autoscaler import ClusterAutoscalerPlan, plan_cluster_autoscaler
from aistacks.plan.compute import plan_cluster, plan_pool, resolve_pool
from aistacks.plan.model import BudgetPlan, CloudPlan, ClusterPlan, GpuPoolPlan, Taint, extend
from aistacks.plan.shared import SharedPlan
from aistacks.reasons import reason_tag_value
from aistacks.spec import AwsSpec, ClusterSpec, GpuPoolSpec, PlatformSpec
from aistacks.vocabulary import ON_DEMAND_REASON_TAG, ROLE_TAG, KeyService, NatMode, NodeImage, Role, Tier

SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"
SYSTEM_INSTANCE_TYPE = "m7i.large"
"""The system node group's type: 2 vCPUs, 8 GiB, enough for the add-ons (CoreDNS, the CSI driver)."""
SYSTEM_VOLUME_GIB = 50
"""The system nodes' root volume: the add-ons' images and logs."""
GPU_NODE_VOLUME_GIB = 200
"""Root (AL2023) or data (Bottlerocket) volume of a GPU node: GPU images are large."""
EKS_GPU_TAINT_VALUE = "true"
DEVICE_PLUGIN_LABEL = "aistacks.io/nvidia-device-plugin"
"""Set on nodes whose image ships the NVIDIA driver but not the device plugin (AL2023 NVIDIA)."""
AUTOSCALER_GPU_LABEL = "k8s.amazonaws.com/accelerator"
"""The label the Cluster Autoscaler's AWS provider reads to know a node's GPUs are coming: without it, a GPU
node whose device plugin has not yet advertised ``nvidia.com/gpu`` looks unfit, and the autoscaler adds
another. Source: kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md, "GPU Node Groups"
(read 2026-11-30)."""
KEY_SERVICES: tuple[KeyService, ...] = ("cloudtrail", "logs", "autoscaling")
"""What uses the stack key directly: the trail, the log groups, and EC2 Auto Scaling (node volumes); with a
budget, AWS Budgets too (its encrypted topic)."""


@dataclass(frozen=True, kw_only=True)
class AwsPoolPlan(GpuPoolPlan):
    """An EKS managed node group of GPU (or Neuron) nodes."""

    taint: Taint
    """Always set: the planner taints every pool it builds."""
    image: NodeImage
    ami_type: str
    volume_gib: int
    tags: Mapping[str, str] = field(default_factory=dict)
    """The node group's own tags beyond the stack's: its cluster's role (``aistacks.io/role``) and, for a pool
    that opts out of spot, why (``aistacks.io/on-demand-reason``), which AIS-COST-002 reads."""


@dataclass(frozen=True, kw_only=True)
class AwsBudgetPlan(BudgetPlan):
    """The environment's AWS Budget: a monthly COST budget in USD over the spend tagged ``stack``.

    AWS counts a user-defined tag only once it is activated as a cost allocation tag in the Billing and Cost
    Management console, which only an organization's management account (or a standalone account) can do;
    until then this budget counts nothing. Sources: AWS Billing User Guide, "Using AWS cost allocation tags"
    and "Using user-defined cost allocation tags" (read 2026-12-01).
    """

    cost_filter: str
    """``user:<tag>$<value>``: the ``TagKeyValue`` cost filter of the tag the budget counts (pulumi-aws
    7.51.1 budgets.Budget, "Create a cost filter using resource tags": ``user:business-unit$human_resources``)."""


@dataclass(frozen=True, kw_only=True)
class EksClusterPlan(ClusterPlan[AwsPoolPlan]):
    """An EKS cluster."""

    system_nodes: int
    system_max_nodes: int
    system_instance_type: str
    system_volume_gib: int
    admin_role_arns: tuple[str, ...]
    log_retention_days: int
    """The control-plane log group's retention: the audit retention."""
    device_plugin: bool
    """Some pool's image lacks the NVIDIA device plugin, so the cluster runs it."""
    autoscaler: ClusterAutoscalerPlan | None = None
    """The Cluster Autoscaler that sizes its node groups; none when no group can change size."""


@dataclass(frozen=True)
class AwsNetworkPlan:
    resource_name: str
    """``<prefix>-aws-network``: the component's name, which its resources' names start with."""
    cidr: str
    zones: int
    nat: NatMode
    subnets: tuple[SubnetPlan, ...]
    """Zones named by position (:func:`aistacks.netplan.positional_zones`)."""
    flow_log_retention_days: int
    flow_log_group_name: str
    cluster_names: tuple[str, ...]
    """The EKS clusters that use the subnets (subnet discovery tags)."""
    interface_endpoints: tuple[str, ...]
    """The interface endpoint services of the VPC (:data:`EKS_INTERFACE_ENDPOINTS`, and AMP's where a cluster
    serves models)."""


@dataclass(frozen=True)
class ExistingVpcPlan:
    """A VPC the config brings (``aws.existing_vpc``): nothing of it is created or changed."""

    resource_name: str
    """``<prefix>-aws-network``: the component that stands for it (and holds the endpoints' security group)."""
    vpc_id: str
    private_subnet_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class AwsPlan(CloudPlan[EksClusterPlan]):
    """Everything one environment builds on AWS."""

    account_id: str | None
    """When set, the provider refuses any other account."""
    create_autoscaling_service_role: bool
    key_alias: str
    key_description: str
    key_services: tuple[KeyService, ...]
    network: AwsNetworkPlan | ExistingVpcPlan
    trail_log_group_name: str
    """The log group the audit trail also delivers to."""
    budget: AwsBudgetPlan | None = None
    """The environment's AWS Budget, when the config sets one."""


# Interface endpoints private EKS nodes use instead of the internet (ECR image pulls, IRSA, logs,
# load balancers, Cluster Autoscaler), and S3 as a gateway endpoint (ECR image layers).
# Sources: Amazon EKS User Guide, "Deploy private clusters with limited internet access"; EKS
# Blueprints for Terraform, "Fully Private Amazon EKS Cluster" pattern (both read 2026-11-27).
EKS_INTERFACE_ENDPOINTS: tuple[str, ...] = (
    "ec2",
    "ecr.api",
    "ecr.dkr",
    "sts",
    "logs",
    "elasticloadbalancing",
    "autoscaling",
)
METRICS_ENDPOINT = "aps-workspaces"
"""Amazon Managed Service for Prometheus's data plane (remote write and queries), where a cluster serves models:
the metrics agent's writes and KEDA's reads stay in the VPC (AMP User Guide, "Using Amazon Managed Service for
Prometheus with interface VPC endpoints": com.amazonaws.<region>.aps-workspaces; read 2026-12-01)."""


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
        extra_labels={
            **({AUTOSCALER_GPU_LABEL: accelerator.accelerator} if accelerator.vendor == "nvidia" else {}),
            **({DEVICE_PLUGIN_LABEL: "true"} if needs_device_plugin(ami) else {}),
        },
    )
    tags = {ROLE_TAG["aws"]: role}
    if pool.on_demand_reason is not None:
        tags[ON_DEMAND_REASON_TAG["aws"]] = reason_tag_value(pool.on_demand_reason)
    return extend(shared, AwsPoolPlan, image=pool.image, ami_type=ami, volume_gib=GPU_NODE_VOLUME_GIB, tags=tags)


def _plan_eks_cluster(cluster: ClusterSpec, settings: AwsSpec, shared: SharedPlan, tier: Tier) -> EksClusterPlan:
    version = settings.kubernetes_version or ""
    base = plan_cluster("aws", cluster, settings.region, version, shared, plan_aws_pool)
    system_nodes = eks_system_nodes(cluster.system_nodes, base.qdrant.replicas if base.qdrant else 0)
    planned = extend(
        base,
        EksClusterPlan,
        system_nodes=system_nodes,
        system_max_nodes=system_nodes + SYSTEM_NODE_HEADROOM,
        system_instance_type=SYSTEM_INSTANCE_TYPE,
        system_volume_gib=SYSTEM_VOLUME_GIB,
        admin_role_arns=cluster.admin_role_arns,
        log_retention_days=shared.audit.log_retention_days,
        device_plugin=any(needs_device_plugin(pool.ami_type) for pool in base.gpu_pools),
    )
    return replace(planned, autoscaler=plan_cluster_autoscaler(planned, tier))


def plan_aws(spec: PlatformSpec, shared: SharedPlan) -> AwsPlan | None:
    """The AWS half of a valid spec; none when it does not use AWS."""
    settings = spec.aws
    if settings is None:
        return None
    clusters = tuple(_plan_eks_cluster(cluster, settings, shared, spec.environment) for cluster in settings.clusters)
    cloud = shared.cloud_plan("aws", settings.region, clusters, settings.kms_key_arn)
    budget = shared.budgets.get("aws")
    return extend(
        cloud,
        AwsPlan,
        account_id=settings.account_id,
        create_autoscaling_service_role=settings.create_autoscaling_service_role,
        key_alias=shared.prefix,
        key_description=f"{shared.prefix}: buckets, audit trail and logs",
        key_services=KEY_SERVICES + (("budgets",) if budget is not None else ()),
        budget=None if budget is None else _plan_budget(budget),
        trail_log_group_name=trail_log_group(shared.audit.resource_name),
        network=_plan_network(settings, shared, f"{cloud.resource_name}-network", clusters),
    )


def _plan_budget(budget: BudgetPlan) -> AwsBudgetPlan:
    return extend(budget, AwsBudgetPlan, cost_filter=f"user:{budget.filter_tag}${budget.filter_value}")


def _plan_network(
    settings: AwsSpec, shared: SharedPlan, name: str, clusters: tuple[EksClusterPlan, ...]
) -> AwsNetworkPlan | ExistingVpcPlan:
    existing = settings.existing_vpc
    if existing is not None:
        return ExistingVpcPlan(name, existing.vpc_id, existing.private_subnet_ids)
    zones = settings.zones or shared.defaults.aws_zones
    return AwsNetworkPlan(
        resource_name=name,
        cidr=settings.cidr,
        zones=zones,
        nat=settings.nat or shared.defaults.nat,
        subnets=tuple(plan_aws_subnets(settings.cidr, positional_zones(zones))),
        flow_log_retention_days=shared.audit.log_retention_days,
        flow_log_group_name=flow_log_group(name),
        cluster_names=tuple(cluster.resource_name for cluster in clusters),
        interface_endpoints=EKS_INTERFACE_ENDPOINTS
        + ((METRICS_ENDPOINT,) if any(cluster.serving_metrics for cluster in clusters) else ()),
    )
