"""Address planning: subnets inside the network, never overlapping, stable as zones are added."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.netplan import AddressPlanError, plan_aws_subnets, plan_gcp_ranges

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d", "eu-west-1e", "eu-west-1f"]


@st.composite
def vpcs(draw: st.DrawFn) -> tuple[str, int]:
    prefix = draw(st.integers(min_value=12, max_value=20))
    network = ipaddress.IPv4Network(
        (draw(st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0"])), prefix), strict=False
    )
    return str(network), prefix


@given(
    vpc=vpcs(),
    zone_count=st.integers(min_value=1, max_value=6),
    private=st.integers(17, 22),
    public=st.integers(23, 27),
)
def test_aws_subnets_fit_and_never_overlap(vpc: tuple[str, int], zone_count: int, private: int, public: int) -> None:
    cidr, prefix = vpc
    zones = ZONES[:zone_count]
    needed = zone_count * (2 ** (32 - private) + 2 ** (32 - public))
    if private < prefix or needed > 2 ** (32 - prefix):
        with pytest.raises(AddressPlanError):
            plan_aws_subnets(cidr, zones, private_prefix=private, public_prefix=public)
        return
    plans = plan_aws_subnets(cidr, zones, private_prefix=private, public_prefix=public)
    space = ipaddress.IPv4Network(cidr)
    assert all(plan.cidr.subnet_of(space) for plan in plans)
    for a, b in itertools.combinations(plans, 2):
        assert not a.cidr.overlaps(b.cidr), (a, b)
    assert sorted((p.zone, p.tier) for p in plans) == sorted(
        (zone, tier) for zone in zones for tier in ("private", "public")
    )
    assert {p.cidr.prefixlen for p in plans if p.tier == "private"} == {private}


@given(zone_count=st.integers(min_value=1, max_value=5))
def test_adding_a_zone_never_moves_an_existing_subnet(zone_count: int) -> None:
    before = {p.name: p.cidr for p in plan_aws_subnets("10.0.0.0/16", ZONES[:zone_count])}
    after = {p.name: p.cidr for p in plan_aws_subnets("10.0.0.0/16", ZONES[: zone_count + 1])}
    assert all(after[name] == cidr for name, cidr in before.items())


def test_aws_defaults_on_a_slash_16() -> None:
    plans = {p.name: str(p.cidr) for p in plan_aws_subnets("10.20.0.0/16", ZONES[:3])}
    assert plans == {
        "private-eu-west-1a": "10.20.0.0/19",
        "private-eu-west-1b": "10.20.32.0/19",
        "private-eu-west-1c": "10.20.64.0/19",
        "public-eu-west-1a": "10.20.255.0/24",
        "public-eu-west-1b": "10.20.254.0/24",
        "public-eu-west-1c": "10.20.253.0/24",
    }


def test_too_small_a_vpc_is_a_clear_error() -> None:
    with pytest.raises(AddressPlanError, match="cannot hold 3 private /19"):
        plan_aws_subnets("10.0.0.0/18", ZONES[:3])


@given(
    clusters=st.lists(st.sampled_from(["training", "inference", "batch", "eval"]), unique=True, max_size=4),
    base=st.integers(min_value=8, max_value=12),
)
def test_gcp_ranges_fit_and_never_overlap(clusters: list[str], base: int) -> None:
    cidr = str(ipaddress.IPv4Network(("10.0.0.0", base)))
    plan = plan_gcp_ranges(cidr, clusters)  # a /12 or larger holds four clusters
    blocks = [plan.primary] + [r for c in plan.clusters for r in (c.pods, c.services)]
    assert all(block.subnet_of(ipaddress.IPv4Network(cidr)) for block in blocks)
    for a, b in itertools.combinations(blocks, 2):
        assert not a.overlaps(b)
    assert [c.pods_name for c in plan.clusters] == [f"{name}-pods" for name in clusters]


def test_gcp_ranges_error_names_the_missing_block() -> None:
    with pytest.raises(AddressPlanError, match="no free /16"):
        plan_gcp_ranges("10.0.0.0/16", ["training"])
