"""AIS-COST-001 (``policies/rules/cost_001_full_scale_within_budget.py``): the full-scale monthly estimate, read
from the graph at the price catalog's prices, stays within maxMonthlyUsd, else the stack's own budgets."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aistacks.catalog import HOURS_PER_MONTH, fixed_price, node_price

from .fixtures import GCP_EU, UNKNOWN, findings, only, res, run

RULE = "AIS-COST-001"
MODES = [False, True]
REGION = "eu-west-1"  # the fixtures' AWS provider
GCP_REGION = "europe-west4"
GPU = "g5.xlarge"
SYSTEM = "m7i.large"


def month_of(hourly: float) -> Decimal:
    """An hourly price for 730 hours, rounded half up to the cent once (as ``aistacks cost`` rounds)."""
    return (Decimal(str(hourly)) * HOURS_PER_MONTH).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def node_month(cloud: Any, type_name: str, region: str, *, spot: bool) -> Decimal:
    price = node_price(cloud, type_name, region)
    return month_of(price.spot_hourly if spot and price.spot_hourly is not None else price.on_demand_hourly)


def node_group(name: str, type_name: str, largest: int, capacity: str = "ON_DEMAND", **extra: Any) -> Any:
    props = {
        "clusterName": "training",
        "instanceTypes": [type_name],
        "capacityType": capacity,
        "scalingConfig": {"minSize": 0, "maxSize": largest, "desiredSize": 0},
        **extra,
    }
    return res("aws:eks/nodeGroup:NodeGroup", name, props)


def eks() -> Any:
    return res("aws:eks/cluster:Cluster", "training", {"name": "training", "version": "1.35"})


def aws_budget(amount: str, **extra: Any) -> Any:
    props = {"budgetType": "COST", "timeUnit": "MONTHLY", "limitUnit": "USD", "limitAmount": amount, **extra}
    return res("aws:budgets/budget:Budget", "budget", props)


def stack(largest: int = 2) -> list[Any]:
    return [eks(), node_group("gpu", GPU, largest, "SPOT"), node_group("system", SYSTEM, 3)]


def full_scale(largest: int = 2) -> Decimal:
    fee = month_of(fixed_price("aws", "cluster_hour", REGION).amount)
    gpus = node_month("aws", GPU, REGION, spot=True) * largest
    return fee + gpus + node_month("aws", SYSTEM, REGION, spot=False) * 3


@pytest.mark.parametrize("preview", MODES)
def test_a_stack_within_its_budget_passes(preview: bool) -> None:
    limit = full_scale() + Decimal("0.01")
    assert findings(run(*stack(), aws_budget(str(limit)), preview=preview), RULE) == []


@pytest.mark.parametrize("preview", MODES)
def test_a_stack_over_its_budget_fails_naming_the_pools_that_drive_it(preview: bool) -> None:
    limit = full_scale() - Decimal("0.01")
    _, path, message = only(run(*stack(), aws_budget(str(limit)), preview=preview), RULE)
    gpus = node_month("aws", GPU, REGION, spot=True) * 2
    assert path == "fullScaleMonthlyUsd"
    assert f"the full-scale monthly estimate is ${full_scale():,.2f}, over the budget of ${limit:,.2f}" in message
    assert f"gpu (2 x {GPU} spot in {REGION}) ${gpus:,.2f}" in message
    assert message.index("gpu (") < message.index("system ("), "the dearest pool first"


@settings(max_examples=25, deadline=None)
@given(largest=st.integers(1, 40), more=st.integers(1, 40))
def test_the_estimate_grows_by_exactly_the_node_price_per_node(largest: int, more: int) -> None:
    """``more`` nodes at full scale move the boundary by ``more`` times one node's monthly spot price, no more,
    no less: a budget of exactly the larger estimate passes, a cent less fails."""
    step = node_month("aws", GPU, REGION, spot=True)
    bigger = full_scale(largest + more)
    assert bigger - full_scale(largest) == step * more
    assert findings(run(*stack(largest + more), aws_budget(str(bigger))), RULE) == []
    assert len(findings(run(*stack(largest + more), aws_budget(str(bigger - Decimal("0.01")))), RULE)) == 1
    assert len(findings(run(*stack(largest), aws_budget(str(bigger - step * more))), RULE)) == 0


def test_the_setting_comes_before_the_stacks_budgets() -> None:
    result = run(*stack(), aws_budget("1000000"), config={RULE: {"maxMonthlyUsd": 10}})
    assert "over the budget of $10.00 (maxMonthlyUsd)" in only(result, RULE)[2]


def test_without_a_limit_there_is_nothing_to_hold() -> None:
    assert findings(run(*stack()), RULE) == []


def test_the_budgets_of_both_clouds_add_up() -> None:
    """An aistacks stack splits its amount between its clouds' budgets: the limit is their sum."""
    gcp_budget = res(
        "gcp:billing/budget:Budget",
        "gcp-budget",
        {
            "billingAccount": "000000-000000-000000",
            "amount": {"specifiedAmount": {"currencyCode": "USD", "units": "100", "nanos": 500_000_000}},
            "budgetFilter": {"calendarPeriod": "MONTH"},
        },
        GCP_EU,
    )
    limit = full_scale() - Decimal("100.50")
    assert findings(run(*stack(), aws_budget(str(limit)), gcp_budget), RULE) == []
    over = run(*stack(), aws_budget(str(limit - Decimal("0.01"))), gcp_budget)
    assert f"over the budget of ${full_scale() - Decimal('0.01'):,.2f}" in only(over, RULE)[2]


def test_a_budget_in_another_unit_is_no_limit() -> None:
    assert findings(run(*stack(), aws_budget("1", limitUnit="GB", budgetType="USAGE")), RULE) == []


def test_a_pool_the_catalog_cannot_price_fails_on_its_own() -> None:
    result = run(eks(), node_group("odd", "m5.large", 2), aws_budget("100000"))
    name, path, message = only(result, RULE)
    assert (name, path) == ("odd", "instanceTypes")
    assert "cannot price odd" in message and "m5.large" in message


def test_a_size_unknown_at_preview_fails() -> None:
    group = node_group("gpu", GPU, 2)
    group.inputs["scalingConfig"]["maxSize"] = UNKNOWN
    name, _, message = only(run(eks(), group, aws_budget("100000"), preview=True), RULE)
    assert name == "gpu" and "unknown until the update" in message


@pytest.mark.parametrize("preview", MODES)
def test_gke_pools_count_every_zone(preview: bool) -> None:
    """A per-zone maximum counts once per node location; a total maximum counts once."""
    machine = "g2-standard-4"
    per_zone = res(
        "gcp:container/nodePool:NodePool",
        "l4",
        {
            "cluster": "inference",
            "location": GCP_REGION,
            "nodeLocations": ["europe-west4-a", "europe-west4-b"],
            "autoscaling": {"minNodeCount": 0, "maxNodeCount": 3},
            "nodeConfig": {"machineType": machine, "spot": True},
        },
        GCP_EU,
    )
    total = res(
        "gcp:container/nodePool:NodePool",
        "l4-total",
        {
            "cluster": "inference",
            "location": GCP_REGION,
            "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 3},
            "nodeConfig": {"machineType": machine},
        },
        GCP_EU,
    )
    spot, on_demand = (node_month("gcp", machine, GCP_REGION, spot=s) for s in (True, False))
    expected = spot * 6 + on_demand * 3
    message = only(run(per_zone, total, config={RULE: {"maxMonthlyUsd": 1}}, preview=preview), RULE)[2]
    assert f"the full-scale monthly estimate is ${expected:,.2f}" in message
    assert f"l4 (6 x {machine} spot in {GCP_REGION})" in message
    assert f"l4-total (3 x {machine} on demand in {GCP_REGION})" in message
