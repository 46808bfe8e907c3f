"""What a stack's resources cost a month at full scale, read from the resource graph, not from a plan: every
node group and node pool at its largest, the cluster fees and the NAT gateways, each at the price catalog's
price (:mod:`aistacks.catalog.prices`) in the region the resource is placed in (its own placement, else its
provider's, as AIS-RES-001 locates it). A month is :data:`HOURS_PER_MONTH` hours; a unit's monthly price is its
hourly price times that, rounded half up to the cent once, as ``aistacks cost`` rounds it. A spot pool whose type
the catalog has no spot price for is not priced (``aistacks cost`` refuses it too), nor is compute the estimate
does not model (:data:`UNPRICED_COMPUTE`, a GKE cluster's own nodes); the managed services of
:data:`UNESTIMATED_SERVICES` are named as not estimated. A price the catalog flags keeps its note.

Pure functions over engine property names; AIS-COST-001 and AIS-COST-002 build on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pulumi_policy import PolicyResource

from aistacks.catalog import (
    PriceNotFound,
    accelerator_types,
    fixed_price,
    kubernetes_minors,
    monthly_price,
    node_price,
    regions_of,
)
from aistacks.vocabulary import Cloud

from .framework import MISSING, Subject, Unknown, flows_from, is_set, literal, read, today
from .placement import places

GKE_DEFAULT_ZONES = 3
"""Zones a regional GKE node pool spreads over when neither it nor its cluster names them: "the default
configuration replicates each node pool across three zones of the control plane's region" (GKE docs, "Creating
a regional cluster", read 2026-11-30; aistacks.deployability.GKE_DEFAULT_NODE_ZONES)."""
CLOUD_NAT_VM_LIMIT = 32
"""Cloud NAT bills per VM using the gateway up to this many, and a flat hourly fee beyond (the price catalog's
cloud-nat-pricing source)."""

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
NODE_POOL = "gcp:container/nodePool:NodePool"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
CLOUD_NAT = "gcp:compute/routerNat:RouterNat"
AWS_BUDGET = "aws:budgets/budget:Budget"
GCP_BUDGET = "gcp:billing/budget:Budget"
POOL_TYPES = (NODE_GROUP, NODE_POOL)

UNPRICED_COMPUTE: Mapping[str, tuple[str, str]] = {
    "aws:autoscaling/group:Group": ("maxSize", "an Auto Scaling group runs EC2 instances up to its maxSize"),
    "aws:ec2/instance:Instance": ("instanceType", "an EC2 instance"),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": ("instanceType", "a spot EC2 instance"),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": ("targetCapacity", "a spot fleet runs EC2 instances"),
    "aws:ec2/fleet:Fleet": ("targetCapacitySpecification", "an EC2 fleet runs EC2 instances"),
    "aws:eks/fargateProfile:FargateProfile": ("selectors", "a Fargate profile bills its pods' vCPU and memory"),
    "aws:sagemaker/endpoint:Endpoint": ("endpointConfigName", "a SageMaker endpoint runs its config's instances"),
    "aws:sagemaker/notebookInstance:NotebookInstance": ("instanceType", "a SageMaker notebook instance"),
    "gcp:compute/instance:Instance": ("machineType", "a Compute Engine VM"),
    "gcp:compute/instanceGroupManager:InstanceGroupManager": ("targetSize", "a managed instance group runs VMs"),
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": (
        "targetSize",
        "a regional managed instance group runs VMs",
    ),
    "gcp:workbench/instance:Instance": ("gceSetup.machineType", "a Vertex AI Workbench instance runs a VM"),
}
"""Compute the estimate does not price (it prices EKS node groups and GKE node pools): type -> (the property a
finding points at, what it runs). Each is a line without an amount, which AIS-COST-001 fails as it fails a pool
the catalog cannot price; a GKE cluster's own nodes (inline ``nodePools``, a default pool it keeps, Autopilot)
are judged by :func:`gke_own_nodes`."""

UNESTIMATED_SERVICES: Mapping[str, str] = {
    "aws:opensearch/serverlessCollection:ServerlessCollection": "an OpenSearch Serverless collection (billed per "
    "OCU-hour and GB stored; the AWS price catalog has no price for it)",
    "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex": "a Vertex AI Vector Search deployed "
    "index (billed per node-hour of its replicas; the GCP price catalog has no price for it)",
}
"""Managed services billed by usage or capacity units, which have no full scale to price: named as not in the
estimate (as ``aistacks cost`` lists them), never counted as zero."""


def usd(amount: Decimal) -> str:
    """``$132,915.12``."""
    return f"${amount:,.2f}"


@dataclass(frozen=True)
class Line:
    """One priced (or unpriceable) item of the estimate."""

    resource: PolicyResource
    kind: str
    """``pool`` (a node group or node pool), ``cluster`` (a control plane's fee), ``nat``, ``compute`` (compute
    the estimate does not price, :data:`UNPRICED_COMPUTE`) or ``service`` (:data:`UNESTIMATED_SERVICES`)."""
    label: str
    """What is counted, in words: ``4 x p4d.24xlarge spot in eu-central-1``."""
    monthly_usd: Decimal | None
    """None: the catalog cannot price it (``problem`` says why)."""
    problem: str | None = None
    path: str = ""
    """The property a problem is about."""
    nodes: int = 0
    """The nodes a pool runs at full scale (what Cloud NAT bills per VM)."""
    region: str = ""
    notes: tuple[tuple[str, str], ...] = ()
    """``(type, note)`` for each priced type whose catalog price carries a note (an UNCONFIRMED source row, how
    spot was derived): the amount is the catalog's, which may be low."""

    @property
    def cloud(self) -> str:
        return cloud_of(self.resource)


def cloud_of(resource: PolicyResource) -> str:
    """The provider package a resource belongs to: ``aws`` or ``gcp`` for what the estimate prices."""
    return resource.resource_type.split(":", 1)[0]


@dataclass(frozen=True)
class UnitPrice:
    """One node's monthly price on the capacity a pool buys, or why there is none."""

    monthly_usd: Decimal | None
    problem: str | None = None
    note: str | None = None
    """The catalog's note on the price (:attr:`aistacks.catalog.NodePrice.note`)."""
    no_spot: bool = False
    """A spot pool whose type the catalog has an on-demand price for but no spot price."""


@dataclass(frozen=True)
class Capacity:
    """A pool's largest size and how its nodes are bought, as the graph says."""

    nodes: int
    """At full scale: every zone's nodes."""
    spot: bool
    type_name: str


def region_of(resource: Subject, stack_config: Mapping[str, str]) -> str | Unknown | None:
    """The region a resource runs in: its own placement (a zone counts as its region), else its provider's,
    else the stack's default provider config (:func:`aistacks.policies.placement.places`)."""
    found = places(resource, stack_config)
    if isinstance(found, Unknown) or not found:
        return found if isinstance(found, Unknown) else None
    return found[0].location


def is_accelerated(resource: Subject) -> bool:
    """A node group or pool of GPU (or other accelerator) nodes: a type of the accelerator catalog, an EKS
    accelerated AMI type, or GKE guest accelerators."""
    if resource.resource_type == NODE_GROUP:
        types = read(resource.props, "instanceTypes")
        names = [str(name) for name in types] if isinstance(types, Sequence) and not isinstance(types, str) else []
        ami = read(resource.props, "amiType")
        accelerated_ami = isinstance(ami, str) and any(word in ami for word in ("GPU", "NVIDIA", "NEURON"))
        return accelerated_ami or any(name in accelerator_types("aws") for name in names)
    if resource.resource_type == NODE_POOL:
        guests = read(resource.props, "nodeConfig.guestAccelerators")
        machine = read(resource.props, "nodeConfig.machineType")
        has_guests = isinstance(guests, Sequence) and not isinstance(guests, str) and len(guests) > 0
        return has_guests or (isinstance(machine, str) and machine in accelerator_types("gcp"))
    return False


def _count(value: Any) -> int | Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def unit_price(cloud: Cloud, type_name: str, region: str, spot: bool) -> UnitPrice:
    """The monthly price of one node, spot or on demand as the pool buys it, or why there is none: a spot pool
    whose type has no spot price in the region is not priced at its on-demand price (``aistacks cost`` refuses
    to estimate it too: that price is not what the pool buys)."""
    try:
        price = node_price(cloud, type_name, region)
    except PriceNotFound as error:
        return UnitPrice(None, str(error))
    if spot and price.spot_hourly is None:
        why = f" ({price.note})" if price.note else ""
        problem = (
            f"the {cloud.upper()} price catalog has no spot price for {type_name} in {region}{why}; its on-demand "
            f"price is {price.on_demand_hourly} USD an hour, which is not what a spot pool buys, so the pool is "
            "not estimated (as `aistacks cost` does not estimate it): run it on demand, or choose a region where "
            "spot is priced"
        )
        return UnitPrice(None, problem, price.note, no_spot=True)
    hourly = price.spot_hourly if spot and price.spot_hourly is not None else price.on_demand_hourly
    return UnitPrice(monthly_price(hourly), None, price.note)


def _node_group(resource: PolicyResource, region: str) -> Line:
    props = resource.props
    largest = _count(read(props, "scalingConfig.maxSize"))
    types = read(props, "instanceTypes")
    capacity = read(props, "capacityType")
    spot = capacity == "SPOT"
    if isinstance(largest, Unknown) or isinstance(types, Unknown) or isinstance(capacity, Unknown):
        return Line(resource, "pool", resource.name, None, "its size or type is unknown until the update", "")
    if largest is None:
        return Line(resource, "pool", resource.name, None, "it names no scalingConfig.maxSize", "scalingConfig")
    names = [str(name) for name in types] if isinstance(types, Sequence) and not isinstance(types, str) else []
    if not names:
        why = "it names no instanceTypes (the type comes from a launch template or EKS's default)"
        return Line(resource, "pool", resource.name, None, why, "instanceTypes")
    prices = [(unit_price("aws", name, region, spot), name) for name in names]
    unpriced = [price for price, _ in prices if price.monthly_usd is None]
    if unpriced:
        path = "capacityType" if unpriced[0].no_spot else "instanceTypes"
        return Line(resource, "pool", resource.name, None, unpriced[0].problem, path)
    # Of several types, the dearest: the node group may launch any of them.
    unit, name = max(((price.monthly_usd or Decimal(0), name) for price, name in prices), key=lambda item: item[0])
    notes = tuple((name, price.note) for price, name in prices if price.note)
    label = f"{largest} x {name} {'spot' if spot else 'on demand'} in {region}"
    return Line(resource, "pool", label, unit * largest, None, "scalingConfig.maxSize", largest, region, notes)


def _cluster_zones(pool: PolicyResource, clusters: Sequence[PolicyResource]) -> int | None:
    """The zones a node pool without ``nodeLocations`` of its own takes from its cluster, when found."""
    named = read(pool.props, "cluster")
    found = [c for c in clusters if isinstance(named, str) and read(c.props, "name") == named]
    found = found or [c for c in flows_from(pool, "cluster", {"name", "id"}) if c.resource_type == GKE_CLUSTER]
    for cluster in found:
        locations = read(cluster.props, "nodeLocations")
        if isinstance(locations, Sequence) and not isinstance(locations, str) and len(locations) > 0:
            return len(locations)
    return None


def _node_pool(resource: PolicyResource, region: str, clusters: Sequence[PolicyResource]) -> Line:
    props = resource.props
    machine = read(props, "nodeConfig.machineType")
    spot = read(props, "nodeConfig.spot") is True or read(props, "nodeConfig.preemptible") is True
    total = _count(read(props, "autoscaling.totalMaxNodeCount"))
    per_zone = _count(read(props, "autoscaling.maxNodeCount"))
    if per_zone is None:
        per_zone = _count(read(props, "nodeCount"))
    if per_zone is None:
        per_zone = _count(read(props, "initialNodeCount"))
    if isinstance(machine, Unknown) or isinstance(total, Unknown) or isinstance(per_zone, Unknown):
        return Line(resource, "pool", resource.name, None, "its size or machine type is unknown until the update")
    if not isinstance(machine, str) or not machine:
        return Line(resource, "pool", resource.name, None, "it names no nodeConfig.machineType", "nodeConfig")
    if total is not None:
        nodes, where = total, "autoscaling.totalMaxNodeCount"
    elif per_zone is not None:
        locations = read(props, "nodeLocations")
        listed = isinstance(locations, Sequence) and not isinstance(locations, str) and len(locations) > 0
        zones = len(locations) if listed else _cluster_zones(resource, clusters)
        own_location = read(props, "location")
        regional = not isinstance(own_location, str) or own_location in regions_of("gcp")
        zones = zones or (GKE_DEFAULT_ZONES if regional else 1)
        nodes, where = per_zone * zones, "autoscaling.maxNodeCount"
    else:
        return Line(resource, "pool", resource.name, None, "it names no size (autoscaling or nodeCount)", "autoscaling")
    price = unit_price("gcp", machine, region, spot)
    if price.monthly_usd is None:
        spot_path = "nodeConfig.spot" if read(props, "nodeConfig.spot") is True else "nodeConfig.preemptible"
        path = spot_path if price.no_spot else "nodeConfig.machineType"
        return Line(resource, "pool", resource.name, None, price.problem, path)
    label = f"{nodes} x {machine} {'spot' if spot else 'on demand'} in {region}"
    notes = ((machine, price.note),) if price.note else ()
    return Line(resource, "pool", label, price.monthly_usd * nodes, None, where, nodes, region, notes)


def gke_own_nodes(resource: PolicyResource) -> Line | None:
    """A line without an amount for a GKE cluster that runs nodes of its own, which the estimate does not count
    (it counts ``gcp:container/nodePool:NodePool`` resources): node pools declared inline (``nodePools``), the
    default node pool kept (``removeDefaultNodePool`` not true), or Autopilot (billed per pod). None: it runs
    none."""
    props = resource.props
    values = {path: read(props, path) for path in ("enableAutopilot", "nodePools", "removeDefaultNodePool")}
    for path, value in values.items():
        if isinstance(value, Unknown):
            return Line(resource, "compute", resource.name, None, f"its {path} is unknown until the update", path)
    pools = values["nodePools"]
    path, why = "", None
    if values["enableAutopilot"] is True:
        path, why = "enableAutopilot", "an Autopilot cluster bills its pods' vCPU, memory and GPUs"
    elif isinstance(pools, Sequence) and not isinstance(pools, str) and len(pools) > 0:
        path, why = "nodePools", f"the cluster declares {len(pools)} node pool(s) inline (nodePools)"
    elif values["removeDefaultNodePool"] is not True:
        count = _count(read(props, "initialNodeCount"))
        size = f"{count} node(s) a zone" if isinstance(count, int) else "GKE's default size"
        path = "removeDefaultNodePool"
        why = f"the cluster keeps its default node pool ({size}; removeDefaultNodePool is not true)"
    if why is None:
        return None
    instead = None if path == "enableAutopilot" else NODE_POOL
    return Line(resource, "compute", resource.name, None, _not_counted(why, instead), path)


def _not_counted(what: str, instead: str | None = None) -> str:
    instead_text = f" (declare them as {instead} resources, which it prices)" if instead else ""
    return (
        f"{what}, which the estimate does not count: it prices EKS node groups and GKE node pools only"
        f"{instead_text}; price it yourself, and accept it with a suppression of this finding if the budget holds it"
    )


def _cluster_fee(resource: PolicyResource, cloud: Cloud, region: str) -> Line:
    item: Any = "cluster_hour"
    version = read(resource.props, "version") if cloud == "aws" else MISSING
    support = kubernetes_minors("aws").get(version) if isinstance(version, str) else None
    if support is not None and support.end_of_standard_support < today():
        item = "cluster_hour_extended_support"
    kind = "EKS" if cloud == "aws" else "GKE"
    try:
        fee = fixed_price(cloud, item, region)
    except PriceNotFound as error:
        return Line(resource, "cluster", f"{kind} cluster fee", None, str(error), "", 0, region)
    return Line(resource, "cluster", f"{kind} cluster fee", monthly_price(fee.amount), None, "", 0, region)


def _aws_nat(resource: PolicyResource, region: str) -> Line:
    try:
        fee = fixed_price("aws", "nat_gateway_hour", region)
    except PriceNotFound as error:
        return Line(resource, "nat", "NAT gateway", None, str(error), "", 0, region)
    return Line(resource, "nat", "NAT gateway", monthly_price(fee.amount), None, "", 0, region)


def _cloud_nat(resource: PolicyResource, region: str, vms: int) -> Line:
    """Cloud NAT's gateway fee for the GKE nodes of its region at full scale: per VM up to 32, capped beyond."""
    item: Any = "nat_gateway_hour_cap" if vms > CLOUD_NAT_VM_LIMIT else "nat_gateway_vm_hour"
    try:
        fee = fixed_price("gcp", item, region)
    except PriceNotFound as error:
        return Line(resource, "nat", "Cloud NAT", None, str(error), "", 0, region)
    count = 1 if vms > CLOUD_NAT_VM_LIMIT else vms
    return Line(resource, "nat", f"Cloud NAT ({vms} VMs)", monthly_price(fee.amount) * count, None, "", 0, region)


def estimate(resources: Sequence[PolicyResource], stack_config: Mapping[str, str]) -> list[Line]:
    """Every line of the stack's full-scale monthly estimate: node groups and pools at their maximum, cluster
    fees, NAT gateways. A resource whose region is unknown or whose price the catalog lacks is a line without
    an amount, saying why; so is compute the estimate does not price (``compute``) and a managed service it
    does not estimate (``service``); nothing is counted as zero."""
    lines: list[Line] = []
    clusters = [r for r in resources if r.resource_type == GKE_CLUSTER]
    nats: list[tuple[PolicyResource, str]] = []
    for resource in resources:
        kind = resource.resource_type
        if kind in UNPRICED_COMPUTE:
            path, what = UNPRICED_COMPUTE[kind]
            lines.append(Line(resource, "compute", resource.name, None, _not_counted(what), path))
            continue
        if kind in UNESTIMATED_SERVICES:
            lines.append(Line(resource, "service", resource.name, None, UNESTIMATED_SERVICES[kind]))
            continue
        if kind == GKE_CLUSTER:
            own = gke_own_nodes(resource)
            if own is not None:
                lines.append(own)
        if kind not in (*POOL_TYPES, EKS_CLUSTER, GKE_CLUSTER, NAT_GATEWAY, CLOUD_NAT):
            continue
        region = region_of(resource, stack_config)
        if not isinstance(region, str):
            why = "its region is unknown until the update" if isinstance(region, Unknown) else "it has no region"
            lines.append(Line(resource, "pool" if kind in POOL_TYPES else "cluster", resource.name, None, why))
            continue
        if kind == NODE_GROUP:
            lines.append(_node_group(resource, region))
        elif kind == NODE_POOL:
            lines.append(_node_pool(resource, region, clusters))
        elif kind in (EKS_CLUSTER, GKE_CLUSTER):
            lines.append(_cluster_fee(resource, "aws" if kind == EKS_CLUSTER else "gcp", region))
        elif kind == NAT_GATEWAY:
            lines.append(_aws_nat(resource, region))
        else:
            nats.append((resource, region))
    for resource, region in nats:
        vms = sum(line.nodes for line in lines if line.resource.resource_type == NODE_POOL and line.region == region)
        lines.append(_cloud_nat(resource, region, vms))
    return lines


def budget_limits(resources: Sequence[PolicyResource]) -> list[tuple[PolicyResource, Decimal | Unknown | str]]:
    """The monthly US dollar amount of every cost budget in the stack (an AWS COST budget by month in USD, a
    Cloud Billing budget with a specified amount by calendar month), or an :class:`Unknown`, or what makes a
    budget not one (another unit, period or kind)."""
    found: list[tuple[PolicyResource, Decimal | Unknown | str]] = []
    for resource in resources:
        if resource.resource_type == AWS_BUDGET:
            found.append((resource, _aws_limit(resource.props)))
        elif resource.resource_type == GCP_BUDGET:
            found.append((resource, _gcp_limit(resource.props)))
    return found


def _aws_limit(props: Mapping[str, Any]) -> Decimal | Unknown | str:
    values = {key: read(props, key) for key in ("budgetType", "timeUnit", "limitUnit", "limitAmount")}
    unknown = next((value for value in values.values() if isinstance(value, Unknown)), None)
    if unknown is not None:
        return unknown
    expected = {"budgetType": "COST", "timeUnit": "MONTHLY", "limitUnit": "USD"}
    wrong = [f"{key} {literal(values[key])}" for key, value in expected.items() if values[key] != value]
    if wrong or not is_set(values["limitAmount"]):
        return f"not a monthly cost budget in USD ({', '.join(wrong) or 'no limitAmount'})"
    try:
        return Decimal(str(values["limitAmount"]))
    except ArithmeticError:
        return f"limitAmount {literal(values['limitAmount'])} is not a number"


def _gcp_limit(props: Mapping[str, Any]) -> Decimal | Unknown | str:
    units = read(props, "amount.specifiedAmount.units")
    nanos = read(props, "amount.specifiedAmount.nanos")
    currency = read(props, "amount.specifiedAmount.currencyCode")
    period = read(props, "budgetFilter.calendarPeriod")
    custom = read(props, "budgetFilter.customPeriod")
    unknown = next((value for value in (units, nanos, currency, period, custom) if isinstance(value, Unknown)), None)
    if unknown is not None:
        return unknown
    if currency not in (MISSING, None, "USD"):
        return f"its amount is in {literal(currency)}, not USD"
    if is_set(custom) or period not in (MISSING, None, "MONTH"):
        return "not a budget by calendar month"
    if not is_set(units):
        return "no specified amount (a budget of last period's spend has no limit to hold)"
    try:
        whole = Decimal(str(units))
        fraction = Decimal(int(nanos)) / Decimal(1_000_000_000) if isinstance(nanos, int | float) else Decimal(0)
    except ArithmeticError:
        return f"amount {literal(units)} is not a number"
    return whole + fraction
