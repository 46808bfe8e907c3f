"""What an environment costs a month, from its pure plan and the price catalog: no engine run, no guesses.

``estimate_platform(plan)`` prices every GPU pool, per cloud and cluster, at its idle floor (``min_nodes``,
nothing running) and at full scale (``max_nodes`` all month) on the capacity the plan chose, with the other
capacity beside it as an *alternative* (on-demand for spot pools; spot for on-demand pools where the catalog
has it) that no total includes. Then the fixed items that set the floor: cluster fees, system nodes, NAT
gateways (AWS, per the network plan's layout) or Cloud NAT (Google Cloud), the stack's KMS key.

Money is :class:`~decimal.Decimal` USD, exact to the cent, by one rule: the monthly price of one unit (a
node, a cluster, a NAT gateway, a key) is its hourly price times :data:`HOURS_PER_MONTH`, rounded half up
to the cent, once; every line is a whole multiple of it and every total a sum of lines. So adding ``k``
nodes to a pool adds exactly ``k`` times its node's monthly price, and the printed lines add up to the
printed totals.

What the catalog does not price (EBS gp3 and pd-balanced volumes, S3, AWS NAT outside the regions the
catalog has, managed Prometheus, managed vector stores) and what is billed by use (stored data, data
processed, requests) is listed in ``not_estimated`` with the reason, never counted as zero. A GPU pool or
system node type without a price in its region is an input error (:class:`MissingPrice`), not a gap: the
estimate would be meaningless without its largest line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from aistacks.catalog import SPOT_OR_RESERVED_ONLY, kubernetes_minors
from aistacks.catalog.prices import (
    HOURS_PER_MONTH,
    FixedItem,
    FixedPrice,
    NodePrice,
    PriceNotFound,
    PriceSource,
    fixed_price,
    monthly_price,
    node_price,
    price_sources,
    priced_node_types,
)
from aistacks.defaults import AUDIT_BUCKET
from aistacks.deployability import GKE_DEFAULT_NODE_ZONES
from aistacks.plan import AwsNetworkPlan, AwsPlan, EksClusterPlan, GcpPlan, GkeClusterPlan, PlatformPlan
from aistacks.plan.gcp import GcpNetworkPlan
from aistacks.plan.model import CloudPlan, ClusterPlan, GpuPoolPlan
from aistacks.vocabulary import Capacity, Cloud, MetricsStore, Role, Tier

SCHEMA_VERSION = 1
"""The version of :func:`aistacks.cost.render_json`'s document; it changes only when a key changes meaning
or goes away (a new key keeps it)."""
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CLOUD_NAT_VM_LIMIT = 32
"""Cloud NAT bills ``nat_gateway_vm_hour`` per VM instance using the gateway up to this many, and the flat
``nat_gateway_hour_cap`` beyond (the catalog's cloud-nat-pricing source)."""
_OTHER: dict[Capacity, Capacity] = {"spot": "on_demand", "on_demand": "spot"}
METRICS_STORES: Mapping[MetricsStore, str] = MappingProxyType(
    {"amp": "Amazon Managed Service for Prometheus", "gmp": "Google Cloud Managed Service for Prometheus"}
)
COMPOSED_SOURCES: Mapping[Cloud, str] = MappingProxyType({"gcp": "skypilot-gcp-composition"})
"""The catalog's source for how a cloud's accelerator node price is composed (Google Cloud: the machine row
plus the GPU row of the SkyPilot snapshot), cited beside the snapshot itself on every such pool."""


class MissingPrice(ValueError):
    """A node type of the plan has no price in its region (or none for the capacity the plan chose): the
    message names the cloud, cluster, pool, type, region and the regions the type is priced in."""


@dataclass(frozen=True)
class Rate:
    """A unit price as the catalog states it: ``amount`` USD per ``unit``, from ``source``."""

    amount: Decimal
    unit: str
    source: str


@dataclass(frozen=True)
class Alternative:
    """A pool on the other capacity: shown beside it, never in a total."""

    capacity: Capacity
    node_hourly: Decimal
    node_monthly: Decimal
    floor: Decimal
    full: Decimal
    note: str | None = None


@dataclass(frozen=True)
class PoolCost:
    """One GPU pool: ``min_nodes`` (floor) and ``max_nodes`` (full) nodes of ``instance_type`` on ``capacity``."""

    cluster: str
    pool: str
    role: Role
    instance_type: str
    accelerators: str
    """``8 x a100-40gb``: what one node carries."""
    capacity: Capacity
    min_nodes: int
    max_nodes: int
    node_hourly: Decimal
    node_monthly: Decimal
    """``node_hourly`` times 730, to the cent."""
    floor: Decimal
    full: Decimal
    alternative: Alternative | None
    """The other capacity, where the catalog prices it."""
    sources: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FixedCost:
    """A line besides the GPU pools: ``floor_quantity`` and ``full_quantity`` units at ``unit_monthly`` each
    (Cloud NAT's gateway fee is capped above 32 VMs; the line's ``notes`` say so). It does not depend on the
    GPU pools' sizes, but for Cloud NAT's per-VM fee and the node volumes (when priced), which count nodes."""

    item: str
    """``cluster_fee``, ``system_nodes``, ``nat_gateways``, ``cloud_nat``, ``cloud_nat_addresses``, ``kms_key``,
    and, where the catalog prices block storage, ``node_volumes``, ``qdrant_volumes``, ``model_cache_volumes``."""
    description: str
    cluster: str | None
    floor_quantity: int
    full_quantity: int
    unit: str
    """What one unit is: ``cluster``, ``node``, ``gateway``, ``VM``, ``address``, ``key``, ``GiB``."""
    rate: Rate
    unit_monthly: Decimal
    floor: Decimal
    full: Decimal
    notes: tuple[str, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.rate.source,)


@dataclass(frozen=True)
class NotEstimated:
    """Something the environment pays for that the estimate leaves out, and why (never a zero)."""

    item: str
    description: str
    cluster: str | None
    quantity: str | None
    """How much of it the plan creates, where the plan says (``floor 100 GiB, full 300 GiB``)."""
    reason: str
    rate: Rate | None = None
    """The catalog's unit price, where it has one (a usage-based item the plan cannot size)."""


@dataclass(frozen=True)
class Totals:
    floor: Decimal
    full: Decimal
    gpu_floor: Decimal
    """The GPU pools' share of ``floor``: the idle GPU cost."""
    gpu_full: Decimal


@dataclass(frozen=True)
class CloudCost:
    cloud: Cloud
    region: str
    pools: tuple[PoolCost, ...]
    fixed: tuple[FixedCost, ...]
    not_estimated: tuple[NotEstimated, ...]
    totals: Totals


@dataclass(frozen=True)
class CostEstimate:
    """The monthly estimate of one environment (:func:`estimate_platform`)."""

    platform: str
    prefix: str
    """``<name>-<stack>``: which stack this is."""
    environment: Tier
    jurisdiction: str
    clouds: tuple[CloudCost, ...]
    totals: Totals
    assumptions: tuple[str, ...]
    sources: Mapping[str, PriceSource]
    """Every source a line cites, by id."""


def money(amount: Decimal) -> Decimal:
    """``amount`` to the cent, half up: the one rounding of the estimate."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: float) -> Decimal:
    """A catalog number as written in its file (``1.006``, not the binary float's expansion)."""
    return Decimal(repr(value))


def estimate_platform(plan: PlatformPlan, *, today: dt.date | None = None) -> CostEstimate:
    """The monthly cost estimate of ``plan``; ``today`` (default: today) decides whether an EKS cluster's
    Kubernetes version is in standard or extended support. Raises :class:`MissingPrice` when a GPU pool's
    or the system nodes' type has no price in the plan's region."""
    day = today or dt.date.today()
    clouds = tuple(_estimate_cloud(cloud, day) for cloud in plan.clouds.values())
    cited = sorted({source for cloud in clouds for source in _cited(cloud)})
    every = {**price_sources("aws"), **price_sources("gcp")}
    return CostEstimate(
        platform=plan.name,
        prefix=plan.prefix,
        environment=plan.environment,
        jurisdiction=plan.jurisdiction,
        clouds=clouds,
        totals=_sum_totals(cloud.totals for cloud in clouds),
        assumptions=_assumptions(clouds),
        sources=MappingProxyType({source: every[source] for source in cited}),
    )


def _cited(cloud: CloudCost) -> Iterator[str]:
    for pool in cloud.pools:
        yield from pool.sources
    for item in cloud.fixed:
        yield from item.sources
    for gap in cloud.not_estimated:
        if gap.rate is not None:
            yield gap.rate.source


def _sum_totals(totals: Iterable[Totals]) -> Totals:
    listed = list(totals)
    return Totals(
        floor=sum((t.floor for t in listed), ZERO),
        full=sum((t.full for t in listed), ZERO),
        gpu_floor=sum((t.gpu_floor for t in listed), ZERO),
        gpu_full=sum((t.gpu_full for t in listed), ZERO),
    )


def _estimate_cloud(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], today: dt.date) -> CloudCost:
    pools = tuple(_pool_cost(cloud, cluster, pool) for cluster in cloud.clusters for pool in cluster.gpu_pools)
    fixed: list[FixedCost] = []
    gaps: list[NotEstimated] = []
    for cluster in cloud.clusters:
        fixed.append(_cluster_fee(cloud, cluster, today))
        fixed.append(_system_nodes(cloud, cluster))
    nat, nat_gaps = _nat(cloud, pools, fixed)
    fixed += nat
    gaps += nat_gaps
    key, key_gaps = _kms(cloud)
    fixed += key
    gaps += key_gaps
    volumes, storage_gaps = _storage(cloud)
    fixed += volumes
    gaps += storage_gaps
    gaps += _service_gaps(cloud)
    gpu_floor, gpu_full = sum((p.floor for p in pools), ZERO), sum((p.full for p in pools), ZERO)
    totals = Totals(
        floor=gpu_floor + sum((f.floor for f in fixed), ZERO),
        full=gpu_full + sum((f.full for f in fixed), ZERO),
        gpu_floor=gpu_floor,
        gpu_full=gpu_full,
    )
    return CloudCost(cloud.cloud, cloud.region, pools, tuple(fixed), tuple(gaps), totals)


# --- GPU pools and nodes ----------------------------------------------------------------------------------


def _node_price(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], what: str, instance_type: str) -> NodePrice:
    try:
        return node_price(cloud.cloud, instance_type, cloud.region)
    except PriceNotFound as error:
        raise MissingPrice(
            f"cannot estimate {cloud.cloud} {what} ({instance_type} in {cloud.region}): {error}"
        ) from None


def _pool_cost(
    cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], cluster: ClusterPlan[GpuPoolPlan], pool: GpuPoolPlan
) -> PoolCost:
    what = f"cluster {cluster.name!r}, GPU pool {pool.name!r}"
    accelerator = pool.accelerator
    price = _node_price(cloud, what, accelerator.name)
    hourly = _capacity_price(price, pool.capacity)
    if hourly is None:
        raise MissingPrice(
            f"cannot estimate {cloud.cloud} {what} ({accelerator.name} in {cloud.region}): the "
            f"{cloud.cloud.upper()} price catalog has no spot price for {accelerator.name} in {cloud.region}"
            f"{f' ({price.note})' if price.note else ''}; its on-demand price is {price.on_demand_hourly} USD an "
            "hour: set the pool's capacity: on_demand, or choose a region where spot is priced"
        )
    node_month = monthly_price(hourly)
    notes = [price.note] if price.note else []
    return PoolCost(
        cluster=cluster.name,
        pool=pool.name,
        role=cluster.role,
        instance_type=accelerator.name,
        accelerators=f"{accelerator.count} x {accelerator.accelerator}",
        capacity=pool.capacity,
        min_nodes=pool.min_nodes,
        max_nodes=pool.max_nodes,
        node_hourly=hourly,
        node_monthly=node_month,
        floor=node_month * pool.min_nodes,
        full=node_month * pool.max_nodes,
        alternative=_alternative(price, pool),
        sources=(price.source.id, *_composition(cloud.cloud, accelerator.name)),
        notes=tuple(notes),
    )


def _composition(cloud: Cloud, instance_type: str) -> tuple[str, ...]:
    source = COMPOSED_SOURCES.get(cloud)
    if (
        source is None
        or source not in price_sources(cloud)
        or instance_type not in priced_node_types(cloud, "accelerator")
    ):
        return ()
    return (source,)


def _capacity_price(price: NodePrice, capacity: Capacity) -> Decimal | None:
    if capacity == "on_demand":
        return _decimal(price.on_demand_hourly)
    return None if price.spot_hourly is None else _decimal(price.spot_hourly)


def _alternative(price: NodePrice, pool: GpuPoolPlan) -> Alternative | None:
    other = _OTHER[pool.capacity]
    hourly = _capacity_price(price, other)
    if hourly is None:
        return None
    note = None
    if other == "on_demand" and pool.accelerator.name in SPOT_OR_RESERVED_ONLY:
        note = f"{pool.accelerator.name} has no on-demand capacity: this is the list price, which no pool can buy"
    node_month = monthly_price(hourly)
    return Alternative(other, hourly, node_month, node_month * pool.min_nodes, node_month * pool.max_nodes, note)


def _system_nodes(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], cluster: ClusterPlan[GpuPoolPlan]) -> FixedCost:
    if isinstance(cluster, EksClusterPlan):
        machine, floor, full = cluster.system_instance_type, cluster.system_nodes, cluster.system_max_nodes
        spread = f"{floor} to {full} nodes"
    elif isinstance(cluster, GkeClusterPlan):
        zones = GKE_DEFAULT_NODE_ZONES
        machine = cluster.system_machine_type
        floor, full = cluster.system_nodes_per_zone * zones, cluster.system_max_nodes_per_zone * zones
        spread = (
            f"{cluster.system_nodes_per_zone} to {cluster.system_max_nodes_per_zone} a zone in GKE's default "
            f"{zones} zones of a regional node pool"
        )
    else:  # pragma: no cover - a cloud without a system pool model
        raise TypeError(f"no system node model for {type(cluster).__name__}")
    price = _node_price(cloud, f"cluster {cluster.name!r}, system nodes", machine)
    hourly = _decimal(price.on_demand_hourly)
    unit = monthly_price(hourly)
    notes = [f"on demand, {spread}; full scale counts the system pool at its maximum"]
    if price.note:
        notes.append(price.note)
    return FixedCost(
        item="system_nodes",
        description=f"system nodes ({machine})",
        cluster=cluster.name,
        floor_quantity=floor,
        full_quantity=full,
        unit="node",
        rate=Rate(hourly, "USD per node-hour", price.source.id),
        unit_monthly=unit,
        floor=unit * floor,
        full=unit * full,
        notes=tuple(notes),
    )


# --- fixed items ------------------------------------------------------------------------------------------


def _fixed(cloud: Cloud, item: FixedItem, region: str) -> FixedPrice | str:
    """The catalog's price of ``item``, or why it has none (the catalog's own words)."""
    try:
        return fixed_price(cloud, item, region)
    except PriceNotFound as error:
        return str(error).split("; it prices: ")[0]


def _rate(price: FixedPrice) -> Rate:
    return Rate(_decimal(price.amount), price.unit, price.source.id)


def _hourly_item(
    price: FixedPrice,
    *,
    item: str,
    description: str,
    cluster: str | None,
    quantity: tuple[int, int],
    unit: str,
    notes: Iterable[str] = (),
    catalog_note: bool = True,
) -> FixedCost:
    rate = _rate(price)
    unit_month = monthly_price(rate.amount)
    return FixedCost(
        item=item,
        description=description,
        cluster=cluster,
        floor_quantity=quantity[0],
        full_quantity=quantity[1],
        unit=unit,
        rate=rate,
        unit_monthly=unit_month,
        floor=unit_month * quantity[0],
        full=unit_month * quantity[1],
        notes=(*notes, *([price.note] if price.note and catalog_note else [])),
    )


def _cluster_fee(
    cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], cluster: ClusterPlan[GpuPoolPlan], today: dt.date
) -> FixedCost:
    item: FixedItem = "cluster_hour"
    notes: list[str] = []
    support = kubernetes_minors(cloud.cloud).get(cluster.kubernetes_version)
    if cloud.cloud == "aws" and support is not None:
        if support.end_of_standard_support < today:
            item = "cluster_hour_extended_support"
            notes.append(
                f"Kubernetes {support.minor} left EKS standard support on {support.end_of_standard_support}: "
                "extended support's fee"
            )
        else:
            extended = _fixed("aws", "cluster_hour_extended_support", cloud.region)
            then = f"; then {extended.amount} USD a cluster-hour" if isinstance(extended, FixedPrice) else ""
            notes.append(
                f"Kubernetes {support.minor} in EKS standard support until {support.end_of_standard_support}{then}"
            )
    price = _fixed(cloud.cloud, item, cloud.region)
    if isinstance(price, str):  # pragma: no cover - the catalog prices both fees in every region
        raise MissingPrice(f"cannot estimate {cloud.cloud} cluster {cluster.name!r}'s fee: {price}")
    service = "EKS" if cloud.cloud == "aws" else "GKE"
    return _hourly_item(
        price,
        item="cluster_fee",
        description=f"{service} cluster fee",
        cluster=cluster.name,
        quantity=(1, 1),
        unit="cluster",
        notes=notes,
        catalog_note=not notes,  # the catalog's note on the EKS fee says what ours says, less precisely
    )


def _nat(
    cloud: CloudPlan[ClusterPlan[GpuPoolPlan]], pools: tuple[PoolCost, ...], fixed: list[FixedCost]
) -> tuple[list[FixedCost], list[NotEstimated]]:
    """NAT per the network plan: AWS gateways (one per zone or a single one); Google Cloud's Cloud NAT gateway,
    billed per VM that uses it and per address. None for a network the config brings."""
    if isinstance(cloud, AwsPlan):
        return _aws_nat(cloud)
    if isinstance(cloud, GcpPlan):
        return _cloud_nat(cloud, pools, fixed)
    return [], []  # pragma: no cover - a cloud without a network model


def _aws_nat(cloud: AwsPlan) -> tuple[list[FixedCost], list[NotEstimated]]:
    network = cloud.network
    if not isinstance(network, AwsNetworkPlan):
        return [], []  # an existing VPC: its NAT is not the stack's
    gateways = network.zones if network.nat == "per_zone" else 1
    layout = f"nat: {network.nat}, {network.zones} zones"
    described = f"NAT gateways ({gateways}, {layout})"
    gaps = [
        _usage_gap(
            "aws", cloud.region, "nat_processed_gb", "nat_data", "NAT gateway data processed", "billed per GB processed"
        ),
        NotEstimated(
            item="nat_addresses",
            description="public IPv4 addresses of the NAT gateways",
            cluster=None,
            quantity=_count(gateways, "address"),
            reason="the AWS price catalog has no item for public IPv4 addresses",
        ),
    ]
    price = _fixed("aws", "nat_gateway_hour", cloud.region)
    if isinstance(price, str):
        gaps.insert(0, NotEstimated("nat_gateways", described, None, _count(gateways, "gateway"), price))
        return [], gaps
    item = _hourly_item(
        price, item="nat_gateways", description=described, cluster=None, quantity=(gateways, gateways), unit="gateway"
    )
    return [item], gaps


def _cloud_nat(
    cloud: GcpPlan, pools: tuple[PoolCost, ...], fixed: list[FixedCost]
) -> tuple[list[FixedCost], list[NotEstimated]]:
    if not isinstance(cloud.network, GcpNetworkPlan):
        return [], []  # an existing network: its NAT is not the stack's
    nodes = [f for f in fixed if f.item == "system_nodes"]
    vms = (
        sum(p.min_nodes for p in pools) + sum(f.floor_quantity for f in nodes),
        sum(p.max_nodes for p in pools) + sum(f.full_quantity for f in nodes),
    )
    per_vm, cap, address = (
        _fixed("gcp", item, cloud.region) for item in ("nat_gateway_vm_hour", "nat_gateway_hour_cap", "nat_ip_hour")
    )
    gaps = [
        _usage_gap(
            "gcp", cloud.region, "nat_processed_gib", "nat_data", "Cloud NAT data processed", "billed per GiB processed"
        )
    ]
    items: list[FixedCost] = []
    if isinstance(per_vm, FixedPrice) and isinstance(cap, FixedPrice):
        rate = _rate(per_vm)
        unit_month, cap_month = monthly_price(rate.amount), monthly_price(cap.amount)

        def fee(count: int) -> Decimal:
            return cap_month if count > CLOUD_NAT_VM_LIMIT else unit_month * count

        items.append(
            FixedCost(
                item="cloud_nat",
                description="Cloud NAT gateway (per VM using it: every GKE node)",
                cluster=None,
                floor_quantity=vms[0],
                full_quantity=vms[1],
                unit="VM",
                rate=rate,
                unit_monthly=unit_month,
                floor=fee(vms[0]),
                full=fee(vms[1]),
                notes=(
                    f"above {CLOUD_NAT_VM_LIMIT} VMs: {cap.amount} USD per gateway-hour ({cap_month} a month) "
                    f"instead ({cap.source.id})",
                ),
            )
        )
    else:
        reason = per_vm if isinstance(per_vm, str) else str(cap)
        gaps.append(NotEstimated("cloud_nat", "Cloud NAT gateway", None, f"{vms[0]} to {vms[1]} VMs", reason))
    if isinstance(address, FixedPrice):
        items.append(
            _hourly_item(
                address,
                item="cloud_nat_addresses",
                description="Cloud NAT external address (automatic allocation)",
                cluster=None,
                quantity=(1, 1),
                unit="address",
                notes=("one address; Cloud NAT allocates more when the VMs need more ports than one holds",),
            )
        )
    else:
        gaps.append(NotEstimated("cloud_nat_addresses", "Cloud NAT external addresses", None, None, address))
    return items, gaps


def _kms(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]]) -> tuple[list[FixedCost], list[NotEstimated]]:
    """The stack's customer-managed key (none when the config brings one): its first month; each rotation
    adds a key version (GCP) or backing key (AWS) at the same price, listed as not estimated."""
    if cloud.existing_key is not None:
        return [], []
    item: FixedItem = "kms_hsm_key_month" if cloud.cloud == "gcp" and cloud.key.hsm else "kms_key_month"
    price = _fixed(cloud.cloud, item, cloud.region)
    kind = "HSM " if item == "kms_hsm_key_month" else ""
    if isinstance(price, str):
        return [], [NotEstimated("kms_key", f"the stack's {kind}KMS key", None, "1 key", price)]
    rate = _rate(price)
    amount = money(rate.amount)
    key = FixedCost(
        item="kms_key",
        description=f"the stack's {kind}KMS key",
        cluster=None,
        floor_quantity=1,
        full_quantity=1,
        unit="key",
        rate=rate,
        unit_monthly=amount,
        floor=amount,
        full=amount,
        notes=("its first month; key requests are not included",),
    )
    added = "a backing key" if cloud.cloud == "aws" else "an active key version"
    rotation = NotEstimated(
        item="kms_rotation",
        description=f"key material added by rotation (every {cloud.key.rotation_period_days} days)",
        cluster=None,
        quantity=None,
        reason=f"each rotation adds {added} billed as the key is; how many are active depends on the key's age",
        rate=rate,
    )
    return [key], [rotation]


# --- what the catalog does not price ------------------------------------------------------------------------


def _usage_gap(cloud: Cloud, region: str, item: FixedItem, name: str, description: str, billed: str) -> NotEstimated:
    """An item billed by use (``billed``: "billed per GB processed"), which the plan cannot size; with the
    catalog's rate where it has one, else the catalog's reason."""
    price = _fixed(cloud, item, region)
    if isinstance(price, str):
        return NotEstimated(name, description, None, None, f"{billed}; {price}")
    return NotEstimated(name, description, None, None, f"{billed}, which the plan does not know", _rate(price))


def _count(number: int, unit: str) -> str:
    """``1 gateway``, ``3 gateways``, ``2 addresses``."""
    return f"{number} {plural(unit, number)}"


def plural(unit: str, number: int) -> str:
    """``unit`` for ``number`` of it: ``node``/``nodes``, ``address``/``addresses``; ``GiB`` stays."""
    if number == 1 or unit == "GiB":
        return unit
    return f"{unit}es" if unit.endswith("s") else f"{unit}s"


def _gib(floor: int, full: int) -> str:
    return f"{floor} GiB" if floor == full else f"floor {floor} GiB, full {full} GiB"


def _volume(
    block: FixedPrice | str, item: str, description: str, cluster: str, gib: tuple[int, int]
) -> FixedCost | NotEstimated:
    """Volumes of ``gib`` (floor, full) GiB: priced per GiB-month where the catalog has block storage."""
    if isinstance(block, str):
        return NotEstimated(item, description, cluster, _gib(*gib), block)
    rate = _rate(block)
    unit = money(rate.amount)
    return FixedCost(
        item=item,
        description=description,
        cluster=cluster,
        floor_quantity=gib[0],
        full_quantity=gib[1],
        unit="GiB",
        rate=rate,
        unit_monthly=unit,
        floor=unit * gib[0],
        full=unit * gib[1],
        notes=tuple([block.note] if block.note else []),
    )


def _storage(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]]) -> tuple[list[FixedCost], list[NotEstimated]]:
    """Block storage (node volumes, Qdrant's and the model servers' volumes) at the sizes the plan gives,
    priced where the catalog has a rate (today it has none on either cloud); object storage, billed per GB
    stored, which the plan cannot know."""
    block = _fixed(cloud.cloud, "block_storage_gb_month", cloud.region)
    disk = "EBS gp3" if cloud.cloud == "aws" else "pd-balanced"
    found: list[FixedCost | NotEstimated] = []
    for cluster in cloud.clusters:
        if isinstance(cluster, EksClusterPlan):
            floor = cluster.system_nodes * cluster.system_volume_gib + sum(
                p.min_nodes * p.volume_gib for p in cluster.gpu_pools
            )
            full = cluster.system_max_nodes * cluster.system_volume_gib + sum(
                p.max_nodes * p.volume_gib for p in cluster.gpu_pools
            )
            found.append(_volume(block, "node_volumes", f"node volumes ({disk})", cluster.name, (floor, full)))
        else:
            found.append(
                NotEstimated(
                    "node_volumes",
                    f"node boot disks ({disk})",
                    cluster.name,
                    None,
                    "GKE's default size: the plan sets none" + (f"; {block}" if isinstance(block, str) else ""),
                )
            )
        if cluster.qdrant is not None:
            qdrant = cluster.qdrant
            size = qdrant.replicas * qdrant.storage_gib
            described = f"Qdrant volumes ({disk}, {qdrant.replicas} x {qdrant.storage_gib} GiB)"
            found.append(_volume(block, "qdrant_volumes", described, cluster.name, (size, size)))
        for service in cluster.inference:
            described = f"model weight caches of {service.name} ({disk}, {service.cache_gib} GiB a replica)"
            sizes = (service.min_replicas * service.cache_gib, service.max_replicas * service.cache_gib)
            found.append(_volume(block, "model_cache_volumes", described, cluster.name, sizes))
    buckets = [bucket.name for bucket in cloud.buckets]
    if cloud.snapshot_bucket is not None:
        buckets.append(cloud.snapshot_bucket.name)
    if cloud.cloud == "aws":
        buckets.append(AUDIT_BUCKET)
    if buckets:
        store = "S3" if cloud.cloud == "aws" else "Cloud Storage"
        described = f"{store} buckets ({', '.join(buckets)})"
        found.append(
            _usage_gap(
                cloud.cloud,
                cloud.region,
                "object_storage_gb_month",
                "object_storage",
                described,
                "billed per GB-month stored",
            )
        )
    return [f for f in found if isinstance(f, FixedCost)], [f for f in found if isinstance(f, NotEstimated)]


def _service_gaps(cloud: CloudPlan[ClusterPlan[GpuPoolPlan]]) -> Iterator[NotEstimated]:
    """Managed services the stack creates that the catalog has no price for."""
    unpriced = f"the {cloud.cloud.upper()} price catalog has no price for it"
    names = {
        "opensearch-serverless": "OpenSearch Serverless collection",
        "vertex-vector-search": "Vertex AI Vector Search index and endpoint",
    }
    for vector in cloud.managed_vectors:
        yield NotEstimated(
            "managed_vector_store", names.get(vector.engine, vector.engine), vector.cluster, None, unpriced
        )
    for cluster in cloud.clusters:
        metrics = cluster.serving_metrics
        if metrics is None:
            continue
        store = METRICS_STORES[metrics.store]
        gap = _usage_gap(
            cloud.cloud,
            cloud.region,
            "prometheus_million_samples",
            "metrics",
            f"{store} (serving metrics)",
            "billed per sample ingested",
        )
        yield NotEstimated(gap.item, gap.description, cluster.name, None, gap.reason, gap.rate)
    if cloud.cloud == "aws":
        yield NotEstimated(
            "logs",
            "CloudWatch Logs (control-plane logs, VPC flow logs, the trail's log group), CloudTrail beyond its free "
            "management-event copy, VPC interface endpoints",
            None,
            None,
            unpriced,
        )
    else:
        yield NotEstimated(
            "logs", "Cloud Logging (the audit log bucket, subnet flow logs, NAT logs)", None, None, unpriced
        )


# --- assumptions ------------------------------------------------------------------------------------------


def _assumptions(clouds: tuple[CloudCost, ...]) -> tuple[str, ...]:
    dates = sorted({s.retrieved for c in clouds for s in _sources_of(c)})
    return (
        f"{HOURS_PER_MONTH} hours a month (24 x 365 / 12); a unit's monthly price is its hourly price x "
        f"{HOURS_PER_MONTH}, rounded half up to the cent, and every line is a whole multiple of it",
        "floor: every GPU pool and system pool at its minimum, nothing running; full: every pool at its "
        "maximum all month",
        "capacity as the plan chose it; a spot price is the highest of the region's zones (the catalog's "
        "conservative figure); the alternative capacity is shown beside a pool and is in no total",
        "list prices in USD: no savings plans, committed-use or sustained-use discounts, free tiers, credits or taxes",
        f"prices as of the catalog's sources, read {', '.join(dates) or 'never'} (the SkyPilot snapshots "
        "behind the node prices do not state their own date)",
        "storage sizes as the plan sets them (listed under not estimated: the catalog prices no block storage)",
        "not estimated: data transfer (egress, cross-zone), data processed, requests and API calls, logs and "
        "metrics ingestion, and every item listed as not estimated; none of them counts as zero",
    )


def _sources_of(cloud: CloudCost) -> Iterator[PriceSource]:
    every = price_sources(cloud.cloud)
    for source in _cited(cloud):
        yield every[source]
