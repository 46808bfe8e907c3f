"""What the nodes and fixed items of a platform cost, per cloud and region (``data/prices_*.json``, sourced).

``node_price("aws", "p5.48xlarge", "us-east-1")`` → the on-demand and spot hourly price of one node;
``fixed_price("gcp", "cluster_hour", "europe-west4")`` → a fixed item such as a cluster fee. A price the
catalog does not hold raises :class:`PriceNotFound`, whose message names what it does hold. Every price
carries its :class:`PriceSource` (title, URL, date read); nothing is estimated or filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, Literal, get_args

from aistacks.catalog.datafiles import load_data
from aistacks.catalog.regions import regions_of
from aistacks.vocabulary import Cloud

HOURS_PER_MONTH = 730
"""Hours in a billing month for monthly estimates: 24 * 365 / 12, the average month of a 365-day year,
as issue 14 ("730 hours a month") fixes for ``aistacks cost``."""

_CENT = Decimal("0.01")


def monthly_price(hourly: float | Decimal) -> Decimal:
    """One unit's monthly price in USD: its hourly price times :data:`HOURS_PER_MONTH`, rounded half up to the
    cent, once. A catalog float counts as written (``1.006``, not its binary expansion). ``aistacks cost`` and
    the gate's AIS-COST-001 both price a unit by it, so they agree to the cent."""
    amount = hourly if isinstance(hourly, Decimal) else Decimal(repr(hourly))
    return (amount * HOURS_PER_MONTH).quantize(_CENT, rounding=ROUND_HALF_UP)


_FILES: dict[Cloud, str] = {"aws": "prices_aws.json", "gcp": "prices_gcp.json"}
_ANY_REGION = "*"

NodeKind = Literal["accelerator", "system"]
"""``accelerator``: a type of the accelerator catalog; ``system``: a cloud's system node type."""

FixedItem = Literal[
    "cluster_hour",
    "cluster_hour_extended_support",
    "nat_gateway_hour",
    "nat_gateway_vm_hour",
    "nat_gateway_hour_cap",
    "nat_processed_gb",
    "nat_processed_gib",
    "nat_ip_hour",
    "kms_key_month",
    "kms_hsm_key_month",
    "block_storage_gb_month",
    "object_storage_gb_month",
    "prometheus_million_samples",
]
"""The fixed items that set a platform's floor. Which ones a cloud prices, and in which unit, is in its
data file; an item a cloud does not price (or that could not be sourced) raises :class:`PriceNotFound`."""
FIXED_ITEMS: tuple[FixedItem, ...] = get_args(FixedItem)


class PriceNotFound(ValueError):
    """The price catalog holds no price for this cloud, item or type, and region."""


@dataclass(frozen=True)
class PriceSource:
    """Where a price was read."""

    id: str
    title: str
    url: str
    retrieved: str
    """The date it was read, ISO 8601."""


@dataclass(frozen=True)
class NodePrice:
    """One node's hourly price in USD."""

    on_demand_hourly: float
    spot_hourly: float | None
    """The highest spot price among the region's zones (conservative); None where the source has none."""
    source: PriceSource
    note: str | None = None
    """What the reader should know about this figure (how spot was derived, a suspect source row)."""


@dataclass(frozen=True)
class FixedPrice:
    """A fixed item's price in USD per ``unit``."""

    amount: float
    unit: str
    source: PriceSource
    note: str | None = None


@cache
def _prices(cloud: Cloud) -> dict[str, Any]:
    data: dict[str, Any] = load_data(_FILES[cloud])
    return data


@cache
def price_sources(cloud: Cloud) -> dict[str, PriceSource]:
    """Every source of ``cloud``'s price file, by id."""
    return {
        entry["id"]: PriceSource(id=entry["id"], title=entry["title"], url=entry["url"], retrieved=entry["retrieved"])
        for entry in _prices(cloud)["sources"]
    }


def priced_node_types(cloud: Cloud, kind: NodeKind | None = None) -> dict[str, frozenset[str]]:
    """Every instance or machine type of ``cloud`` the catalog prices (of ``kind``, if given), mapped to the
    regions it has a price for."""
    types: dict[str, dict[str, Any]] = _prices(cloud)["node_types"]
    return {name: frozenset(entry["regions"]) for name, entry in types.items() if kind is None or entry["kind"] == kind}


def unpriced_node_regions(cloud: Cloud, instance_type: str) -> dict[str, str]:
    """The regions a type is offered in (per the catalogs) that its source could not price, with the reason."""
    entry = _prices(cloud)["node_types"].get(instance_type)
    return dict(entry["unpriced"]) if entry else {}


def node_price(cloud: Cloud, instance_type: str, region: str) -> NodePrice:
    """The hourly price of one ``instance_type`` (AWS) or machine type (GCP, GPUs included) node in
    ``region``; raises :class:`PriceNotFound` naming the regions that do have a price."""
    types: dict[str, dict[str, Any]] = _prices(cloud)["node_types"]
    entry = types.get(instance_type)
    if entry is None:
        raise PriceNotFound(
            f"the {cloud.upper()} price catalog has no type {instance_type!r}; it prices: {', '.join(sorted(types))}"
        )
    price = entry["regions"].get(region)
    if price is None:
        priced = ", ".join(sorted(entry["regions"])) or "no region"
        why = entry["unpriced"].get(region)
        reason = f" ({why})" if why else ""
        raise PriceNotFound(
            f"the {cloud.upper()} price catalog has no price for {instance_type} in {region}{reason}; "
            f"{instance_type} is priced in: {priced}"
        )
    notes = [text for text in (price.get("spot_note"), price.get("note")) if text]
    spot = price.get("spot")
    return NodePrice(
        on_demand_hourly=float(price["on_demand"]),
        spot_hourly=None if spot is None else float(spot),
        source=price_sources(cloud)[entry["source"]],
        note="; ".join(notes) or None,
    )


def fixed_price(cloud: Cloud, item: FixedItem, region: str) -> FixedPrice:
    """The price of a fixed item in ``region`` of ``cloud``; raises :class:`PriceNotFound` naming the regions
    (or ``*``: every region) that do have it, or why it is not in the catalog."""
    if region not in regions_of(cloud):
        raise PriceNotFound(f"unknown {cloud.upper()} region {region!r}")
    data = _prices(cloud)
    entry: dict[str, Any] | None = data["fixed"].get(item)
    if entry is None:
        why = data.get("not_sourced", {}).get(item)
        detail = f"not sourced: {why}" if why else "the cloud has no such item"
        raise PriceNotFound(
            f"the {cloud.upper()} price catalog has no {item} ({detail}); it prices: {', '.join(sorted(data['fixed']))}"
        )
    regions: dict[str, float] = entry["regions"]
    amount = regions.get(region, regions.get(_ANY_REGION))
    if amount is None:
        raise PriceNotFound(
            f"the {cloud.upper()} price catalog has no {item} price for {region}; it has one for: "
            f"{', '.join(sorted(regions))}"
        )
    return FixedPrice(
        amount=float(amount),
        unit=entry["unit"],
        source=price_sources(cloud)[entry["source"]],
        note=entry.get("note"),
    )
