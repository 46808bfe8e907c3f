"""Address planning: how a network's CIDR is cut into subnets and secondary ranges. Pure functions.

AWS: one private subnet (nodes and pods, large) and one public subnet (NAT gateways and load
balancers, small) per availability zone, carved in order from the VPC CIDR so that adding a zone
later never moves an existing subnet. GCP: one subnet per region with a primary range for nodes and
a pods and a services secondary range per cluster.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

SubnetTier = Literal["private", "public"]


class AddressPlanError(ValueError):
    """The address space cannot hold what was asked of it; the message says how much is needed."""


@dataclass(frozen=True)
class SubnetPlan:
    name: str
    zone: str
    tier: SubnetTier
    cidr: ipaddress.IPv4Network


def _blocks(space: ipaddress.IPv4Network, prefix: int) -> Iterator[ipaddress.IPv4Network]:
    if prefix < space.prefixlen:
        raise AddressPlanError(f"a /{prefix} does not fit in {space}; use a larger range")
    return space.subnets(new_prefix=prefix)


def plan_aws_subnets(
    vpc_cidr: str, zones: Sequence[str], *, private_prefix: int = 19, public_prefix: int = 24
) -> list[SubnetPlan]:
    """Private subnets first, one per zone, from the start of the VPC; public ones from its end.

    With the defaults a /16 holds up to 6 zones: private /19s (8,190 addresses each: nodes and,
    with the VPC CNI, every pod) and public /24s.
    """
    space = ipaddress.IPv4Network(vpc_cidr, strict=True)
    if len(set(zones)) != len(zones) or not zones:
        raise AddressPlanError(f"zones must be distinct and at least one, got {list(zones)}")
    if private_prefix >= public_prefix:
        raise AddressPlanError("private subnets must be larger than public ones")
    private = list(_blocks(space, private_prefix))
    public = list(_blocks(space, public_prefix))
    public_needed = len(zones)
    private_blocks = private[: len(zones)]
    public_blocks = public[len(public) - public_needed :]
    if len(private_blocks) < len(zones) or (
        private_blocks and public_blocks and private_blocks[-1].broadcast_address >= public_blocks[0].network_address
    ):
        raise AddressPlanError(
            f"{space} cannot hold {len(zones)} private /{private_prefix} and {len(zones)} public /{public_prefix} "
            f"subnets; use a larger VPC CIDR or fewer zones"
        )
    plans = [
        SubnetPlan(f"private-{zone}", zone, "private", block) for zone, block in zip(zones, private_blocks, strict=True)
    ]
    plans += [
        SubnetPlan(f"public-{zone}", zone, "public", block)
        for zone, block in zip(zones, reversed(public_blocks), strict=True)
    ]
    return plans


def positional_zones(count: int) -> list[str]:
    """Zones named by position (``0``, ``1``, …): a region's zone names are only known at deploy time."""
    return [str(index) for index in range(count)]


@dataclass(frozen=True)
class GkeRanges:
    """The secondary ranges of one cluster, named for the cluster."""

    cluster: str
    pods_name: str
    pods: ipaddress.IPv4Network
    services_name: str
    services: ipaddress.IPv4Network


@dataclass(frozen=True)
class GcpSubnetPlan:
    primary: ipaddress.IPv4Network
    clusters: tuple[GkeRanges, ...]


def plan_gcp_ranges(
    base_cidr: str,
    clusters: Sequence[str],
    *,
    primary_prefix: int = 20,
    pods_prefix: int = 16,
    services_prefix: int = 22,
) -> GcpSubnetPlan:
    """A primary range for nodes, then a pods and a services range per cluster, none overlapping.

    Defaults: a /20 for nodes (4,092 nodes), a /16 of pods per cluster (with GKE's default of
    110 pods per node, 256 nodes: a /24 per node), a /22 of services.
    """
    space = ipaddress.IPv4Network(base_cidr, strict=True)
    if len(set(clusters)) != len(clusters):
        raise AddressPlanError(f"cluster names must be distinct, got {list(clusters)}")
    allocator = _Allocator(space)
    primary = allocator.take(primary_prefix)
    ranges: list[GkeRanges] = []
    for cluster in clusters:
        pods = allocator.take(pods_prefix)
        services = allocator.take(services_prefix)
        ranges.append(GkeRanges(cluster, f"{cluster}-pods", pods, f"{cluster}-services", services))
    return GcpSubnetPlan(primary, tuple(ranges))


class _Allocator:
    """Hands out aligned blocks from an address space, largest-first friendly, never overlapping."""

    def __init__(self, space: ipaddress.IPv4Network) -> None:
        self._space = space
        self._taken: list[ipaddress.IPv4Network] = []

    def take(self, prefix: int) -> ipaddress.IPv4Network:
        for block in _blocks(self._space, prefix):
            if not any(block.overlaps(taken) for taken in self._taken):
                self._taken.append(block)
                return block
        raise AddressPlanError(f"{self._space} has no free /{prefix} left; use a larger range")
