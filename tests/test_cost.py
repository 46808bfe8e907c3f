"""`aistacks cost`: the monthly estimate of a stack from its plan and the price catalog.

What is checked: the shipped stacks estimate; dev's idle GPU cost is exactly 0; every line is a whole multiple
of the catalog's unit price times 730 hours and every total the sum of its lines; a property test (hypothesis)
that changing a pool's ``max_nodes``, ``min_nodes`` or GPU type moves the estimate by exactly the catalog's
price times the node delta and nothing else (save Cloud NAT's per-VM fee, which counts the nodes); the JSON's
keys and stability; the command's exit codes; the README's figures (tests/test_readme.py runs its blocks).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aistacks.catalog import (
    FixedPrice,
    PriceSource,
    accelerator_types,
    fixed_price,
    node_price,
    price_sources,
)
from aistacks.catalog.prices import HOURS_PER_MONTH
from aistacks.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.cost import (
    CostEstimate,
    FixedCost,
    MissingPrice,
    PoolCost,
    estimate_document,
    estimate_platform,
    render_json,
    render_text,
)
from aistacks.cost import estimate as estimate_module
from aistacks.plan import plan_platform
from aistacks.vocabulary import CLOUDS, Cloud

from .conftest import ENVIRONMENTS, REPO, TEST_TODAY

STACKS = REPO / "stacks"
CENT = Decimal("0.01")
README = REPO / "README.md"


def raw_config(env: str) -> dict[str, Any]:
    document = yaml.safe_load((STACKS / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))
    config: dict[str, Any] = document["config"]["aistacks:platform"]
    return config


def estimate_of(raw: dict[str, Any], stack: str, today: dt.date = TEST_TODAY) -> CostEstimate:
    return estimate_platform(plan_platform(parse_platform_spec(raw, stack=stack)), today=today)


@cache
def shipped(env: str) -> CostEstimate:
    return estimate_of(raw_config(env), env)


def catalog_monthly(cloud: Cloud, instance_type: str, region: str, capacity: str) -> Decimal:
    """A node's monthly price straight from the catalog: hourly x 730, to the cent (half up)."""
    price = node_price(cloud, instance_type, region)
    hourly = price.on_demand_hourly if capacity == "on_demand" else price.spot_hourly
    assert hourly is not None
    exact = Decimal(repr(hourly)) * HOURS_PER_MONTH
    rounded = exact.quantize(CENT, rounding="ROUND_HALF_UP")
    assert abs(rounded - exact) <= Decimal("0.005")
    return rounded


def pools_of(estimate: CostEstimate) -> dict[tuple[str, str, str], PoolCost]:
    return {(cloud.cloud, pool.cluster, pool.pool): pool for cloud in estimate.clouds for pool in cloud.pools}


def fixed_of(estimate: CostEstimate) -> dict[tuple[str, str, str | None], FixedCost]:
    found = {(cloud.cloud, item.item, item.cluster): item for cloud in estimate.clouds for item in cloud.fixed}
    assert len(found) == sum(len(cloud.fixed) for cloud in estimate.clouds), "fixed items are unique per key"
    return found


# --- the shipped stacks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_shipped_stack_estimates_with_every_line_priced_from_the_catalog(env: str) -> None:
    estimate = shipped(env)
    assert estimate.environment == env and estimate.clouds
    for cloud in estimate.clouds:
        assert cloud.pools, f"{env} {cloud.cloud}: the stacks have GPU pools"
        for pool in cloud.pools:
            monthly = catalog_monthly(cloud.cloud, pool.instance_type, cloud.region, pool.capacity)
            assert pool.node_monthly == monthly
            assert (pool.floor, pool.full) == (monthly * pool.min_nodes, monthly * pool.max_nodes)
            assert pool.sources and set(pool.sources) <= set(estimate.sources)
            if pool.capacity == "spot":
                assert pool.alternative is not None and pool.alternative.capacity == "on_demand"
        for item in cloud.fixed:
            assert set(item.sources) <= set(estimate.sources)
            assert item.floor <= item.full
        items = {item.item for item in cloud.fixed}
        assert {"cluster_fee", "system_nodes", "kms_key"} <= items
        assert cloud.totals.floor == sum((p.floor for p in cloud.pools), Decimal(0)) + sum(
            (f.floor for f in cloud.fixed), Decimal(0)
        )
        assert cloud.totals.full == sum((p.full for p in cloud.pools), Decimal(0)) + sum(
            (f.full for f in cloud.fixed), Decimal(0)
        )
        assert cloud.totals.gpu_full == sum((p.full for p in cloud.pools), Decimal(0))
        for gap in cloud.not_estimated:
            assert gap.reason.strip(), gap
    assert estimate.totals.floor == sum((c.totals.floor for c in estimate.clouds), Decimal(0))
    assert estimate.totals.full == sum((c.totals.full for c in estimate.clouds), Decimal(0))
    assert estimate.totals.floor < estimate.totals.full
    for amount in (estimate.totals.floor, estimate.totals.full):
        assert amount == amount.quantize(CENT)


def test_dev_idles_its_gpus_for_exactly_nothing() -> None:
    estimate = shipped("dev")
    pools = [pool for cloud in estimate.clouds for pool in cloud.pools]
    assert pools and all(pool.min_nodes == 0 for pool in pools)
    assert estimate.totals.gpu_floor == Decimal("0.00")
    assert all(pool.floor == 0 for pool in pools)
    assert estimate.totals.gpu_full > 0, "the pools cost money once they scale"
    assert estimate.totals.floor > 0, "the floor still pays for the cluster, its system nodes and its key"


def test_prod_inference_keeps_an_on_demand_floor_that_costs_money() -> None:
    pools = pools_of(shipped("prod"))
    inference = pools["aws", "inference", "l40s"]
    assert inference.capacity == "on_demand" and inference.min_nodes == 2
    assert inference.floor == 2 * inference.node_monthly > 0
    assert inference.alternative is not None and inference.alternative.capacity == "spot"
    assert inference.alternative.full < inference.full
    assert shipped("prod").totals.gpu_floor > 0


def test_what_the_catalog_does_not_price_is_listed_never_zero() -> None:
    estimate = shipped("staging")
    aws, gcp = estimate.clouds
    gaps = {(cloud.cloud, gap.item) for cloud in estimate.clouds for gap in cloud.not_estimated}
    # Not in the catalog: AWS NAT outside us-east-2, EBS gp3, S3, pd-balanced, managed Prometheus, the
    # managed vector stores; GCS has no europe-west4 row.
    for expected in [
        ("aws", "nat_gateways"),
        ("aws", "node_volumes"),
        ("aws", "qdrant_volumes"),
        ("aws", "object_storage"),
        ("aws", "managed_vector_store"),
        ("aws", "metrics"),
        ("gcp", "node_volumes"),
        ("gcp", "object_storage"),
        ("gcp", "managed_vector_store"),
    ]:
        assert expected in gaps, expected
    nat = next(gap for gap in aws.not_estimated if gap.item == "nat_gateways")
    assert "eu-central-1" in nat.reason and "us-east-2" in nat.reason
    volumes = next(gap for gap in aws.not_estimated if gap.item == "node_volumes")
    assert "EBS gp3" in volumes.reason and volumes.quantity and "GiB" in volumes.quantity
    assert not {item.item for item in aws.fixed} & {"nat_gateways", "node_volumes", "object_storage"}
    # Google Cloud's NAT is priced: per VM (every GKE node) and per address.
    assert {"cloud_nat", "cloud_nat_addresses"} <= {item.item for item in gcp.fixed}
    text = render_text(estimate)
    assert "Not estimated" in text and "EBS gp3" in text and "pd-balanced" in text


def test_nat_follows_the_network_plan_where_the_catalog_prices_it() -> None:
    """us-east-2 is the one region the catalog prices AWS NAT in: one gateway a zone, or a single one."""
    pool = {"name": "l4", "gpu": "l4", "max_nodes": 2}
    aws = {"region": "us-east-2", "kubernetes_version": "1.35", "clusters": [{"role": "training", "gpu_pools": [pool]}]}
    raw = {"environment": "dev", "jurisdiction": "us", "aws": aws}
    hourly = fixed_price("aws", "nat_gateway_hour", "us-east-2").amount
    for nat, zones, gateways in [("per_zone", 3, 3), ("single", 3, 1), ("per_zone", 2, 2)]:
        estimate = estimate_of({**raw, "aws": {**aws, "nat": nat, "zones": zones}}, "nat-test")
        item = fixed_of(estimate)["aws", "nat_gateways", None]
        assert item.floor_quantity == item.full_quantity == gateways
        assert item.floor == item.full == gateways * (Decimal(repr(hourly)) * HOURS_PER_MONTH).quantize(CENT)


def test_a_block_storage_price_in_the_catalog_would_be_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the catalog has a rate, volumes are a fixed line at the plan's sizes, not a gap."""
    source = PriceSource("test-ebs", "a test rate", "https://example.invalid", "2026-12-01")

    def priced(cloud: Cloud, item: str, region: str) -> FixedPrice:
        if item == "block_storage_gb_month":
            return FixedPrice(0.08, "USD per GB-month", source)
        return fixed_price(cloud, item, region)  # pyright: ignore[reportArgumentType]

    monkeypatch.setattr(estimate_module, "fixed_price", priced)
    real = price_sources
    monkeypatch.setattr(estimate_module, "price_sources", lambda cloud: {**real(cloud), "test-ebs": source})
    estimate = estimate_platform(plan_platform(parse_platform_spec(raw_config("dev"), stack="dev")), today=TEST_TODAY)
    volumes = fixed_of(estimate)["aws", "node_volumes", "dev"]
    # dev: 1 to 3 system nodes of 50 GiB, 0 to 2 GPU nodes of 200 GiB.
    assert (volumes.floor_quantity, volumes.full_quantity) == (50, 550)
    assert (volumes.floor, volumes.full) == (Decimal("4.00"), Decimal("44.00"))
    assert "node_volumes" not in {gap.item for gap in estimate.clouds[0].not_estimated}


def test_extended_support_changes_the_eks_fee() -> None:
    standard = fixed_of(shipped("dev"))["aws", "cluster_fee", "dev"]
    later = estimate_of(raw_config("dev"), "dev", today=dt.date(2027, 4, 1))
    extended = fixed_of(later)["aws", "cluster_fee", "dev"]
    assert standard.full == Decimal("73.00")
    assert extended.full == Decimal("438.00"), "0.60 USD a cluster-hour in extended support"


def test_a_type_without_a_price_in_the_region_names_the_pool_type_region_and_priced_regions() -> None:
    raw = stack_with_unpriced_type()
    with pytest.raises(MissingPrice) as raised:
        estimate_of(raw, "qa")
    message = str(raised.value)
    for part in ("'training'", "'h100'", "a3-highgpu-1g", "europe-west8", "priced in: ", "europe-west4"):
        assert part in message, part


def stack_with_unpriced_type() -> dict[str, Any]:
    """A valid stack whose GPU type the catalog cannot price in its region (no H100 GPU row in europe-west8)."""
    pool = {"name": "h100", "gpu": "h100", "gpus_per_node": 1, "max_nodes": 2}
    gcp = {
        "project": "acme-ai-qa",
        "region": "europe-west8",
        "kubernetes_version": "1.35",
        "clusters": [{"role": "training", "gpu_pools": [pool]}],
    }
    return {"environment": "dev", "jurisdiction": "eu", "gcp": gcp}


# --- the property: the estimate moves by exactly the catalog's price x the node delta -------------------------

PoolRef = tuple[str, Cloud, int, int]
"""(environment, cloud, cluster index, pool index) in the stack's config."""


def pool_refs() -> list[PoolRef]:
    refs: list[PoolRef] = []
    for env in ENVIRONMENTS:
        raw = raw_config(env)
        for cloud in CLOUDS:
            for c, cluster in enumerate(raw.get(cloud, {}).get("clusters", [])):
                for p in range(len(cluster.get("gpu_pools", []))):
                    ref: PoolRef = (env, cloud, c, p)
                    refs.append(ref)
    return refs


POOLS = pool_refs()


def pool_config(raw: dict[str, Any], ref: PoolRef) -> dict[str, Any]:
    _, cloud, c, p = ref
    pool: dict[str, Any] = raw[cloud]["clusters"][c]["gpu_pools"][p]
    return pool


def planned_pool(estimate: CostEstimate, ref: PoolRef) -> PoolCost:
    env, cloud, c, p = ref
    cluster = raw_config(env)[cloud]["clusters"][c]
    name = cluster.get("name") or cluster["role"]
    return pools_of(estimate)[cloud, name, cluster["gpu_pools"][p]["name"]]


def assert_only_pool_and_nat_moved(before: CostEstimate, after: CostEstimate, ref: PoolRef) -> tuple[Decimal, Decimal]:
    """Every line but the pool's (and Cloud NAT's per-VM fee) is unchanged; the totals move by exactly those
    lines' deltas. Returns the pool's (floor, full) delta."""
    moved = planned_pool(after, ref)
    key = (ref[1], moved.cluster, moved.pool)
    old_pools, new_pools = pools_of(before), pools_of(after)
    assert {k: v for k, v in old_pools.items() if k != key} == {k: v for k, v in new_pools.items() if k != key}
    old_fixed, new_fixed = fixed_of(before), fixed_of(after)
    nat = (ref[1], "cloud_nat", None)
    assert {k: v for k, v in old_fixed.items() if k != nat} == {k: v for k, v in new_fixed.items() if k != nat}
    nat_delta = (Decimal(0), Decimal(0))
    if nat in old_fixed:
        nat_delta = (new_fixed[nat].floor - old_fixed[nat].floor, new_fixed[nat].full - old_fixed[nat].full)
    pool = (new_pools[key].floor - old_pools[key].floor, new_pools[key].full - old_pools[key].full)
    assert after.totals.floor - before.totals.floor == pool[0] + nat_delta[0]
    assert after.totals.full - before.totals.full == pool[1] + nat_delta[1]
    assert after.totals.gpu_full - before.totals.gpu_full == pool[1]
    return pool


def nat_fee(cloud: Cloud, region: str, vms: int) -> Decimal:
    """Cloud NAT's monthly gateway fee for ``vms`` VMs, from the catalog: per VM up to 32, the cap beyond."""
    per_vm = Decimal(repr(fixed_price(cloud, "nat_gateway_vm_hour", region).amount)) * HOURS_PER_MONTH
    cap = Decimal(repr(fixed_price(cloud, "nat_gateway_hour_cap", region).amount)) * HOURS_PER_MONTH
    return cap.quantize(CENT) if vms > 32 else per_vm.quantize(CENT) * vms


def region_of(env: str, cloud: Cloud) -> str:
    region: str = raw_config(env)[cloud]["region"]
    return region


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ref=st.sampled_from(POOLS), k=st.integers(min_value=1, max_value=40))
def test_more_max_nodes_cost_exactly_k_nodes_more_at_full_scale_and_nothing_at_the_floor(ref: PoolRef, k: int) -> None:
    env, cloud = ref[0], ref[1]
    raw = copy.deepcopy(raw_config(env))
    before = shipped(env)
    old = planned_pool(before, ref)
    pool_config(raw, ref)["max_nodes"] = old.max_nodes + k
    after = estimate_of(raw, env)
    floor_delta, full_delta = assert_only_pool_and_nat_moved(before, after, ref)
    price = catalog_monthly(cloud, old.instance_type, region_of(env, cloud), old.capacity)
    assert full_delta == k * price
    assert floor_delta == 0
    assert after.totals.floor == before.totals.floor
    if cloud == "gcp":
        old_nat, new_nat = fixed_of(before)[cloud, "cloud_nat", None], fixed_of(after)[cloud, "cloud_nat", None]
        assert new_nat.full_quantity == old_nat.full_quantity + k
        assert new_nat.full == nat_fee(cloud, region_of(env, cloud), new_nat.full_quantity)
    else:
        assert after.totals.full - before.totals.full == k * price


@SETTINGS
@given(ref=st.sampled_from(POOLS), data=st.data())
def test_more_min_nodes_cost_exactly_k_nodes_more_at_the_floor_and_nothing_at_full_scale(
    ref: PoolRef, data: st.DataObject
) -> None:
    env, cloud = ref[0], ref[1]
    raw = copy.deepcopy(raw_config(env))
    before = shipped(env)
    old = planned_pool(before, ref)
    k = (
        data.draw(st.integers(min_value=1, max_value=old.max_nodes - old.min_nodes))
        if old.max_nodes > old.min_nodes
        else 0
    )
    config = pool_config(raw, ref)
    config["min_nodes"] = old.min_nodes + k
    config["max_nodes"] = old.max_nodes
    after = estimate_of(raw, env)
    floor_delta, full_delta = assert_only_pool_and_nat_moved(before, after, ref)
    price = catalog_monthly(cloud, old.instance_type, region_of(env, cloud), old.capacity)
    assert floor_delta == k * price
    assert full_delta == 0
    assert planned_pool(after, ref).min_nodes == old.min_nodes + k


@cache
def other_types(ref: PoolRef) -> list[tuple[str, int, str]]:
    """(gpu, gpus_per_node, type) of every other catalog type the pool's config accepts in its region, priced
    for its capacity: a pool that serves a model keeps it only on GPUs the model fits."""
    env, cloud = ref[0], ref[1]
    region = region_of(env, cloud)
    old = planned_pool(shipped(env), ref)
    found: list[tuple[str, int, str]] = []
    for name, accelerator in sorted(accelerator_types(cloud).items()):
        if name == old.instance_type or not accelerator.offered_in(region):
            continue
        raw = copy.deepcopy(raw_config(env))
        config = pool_config(raw, ref)
        config.update(gpu=accelerator.accelerator, gpus_per_node=accelerator.count, instance_type=name)
        try:
            after = estimate_of(raw, env)
        except (ConfigError, MissingPrice):
            continue  # not offered as asked, not valid for this pool, or not priced for its capacity here
        if planned_pool(after, ref).instance_type == name:
            found.append((accelerator.accelerator, accelerator.count, name))
    return found


def test_every_pool_has_other_types_to_change_to() -> None:
    for ref in POOLS:
        assert len(other_types(ref)) >= 2, ref


@SETTINGS
@given(ref=st.sampled_from(POOLS), data=st.data())
def test_another_gpu_type_costs_exactly_the_price_delta_times_the_nodes(ref: PoolRef, data: st.DataObject) -> None:
    env, cloud = ref[0], ref[1]
    region = region_of(env, cloud)
    gpu, count, name = data.draw(st.sampled_from(other_types(ref)))
    raw = copy.deepcopy(raw_config(env))
    pool_config(raw, ref).update(gpu=gpu, gpus_per_node=count, instance_type=name)
    before, after = shipped(env), estimate_of(raw, env)
    old, new = planned_pool(before, ref), planned_pool(after, ref)
    assert (new.instance_type, new.capacity, new.min_nodes, new.max_nodes) == (
        name,
        old.capacity,
        old.min_nodes,
        old.max_nodes,
    )
    floor_delta, full_delta = assert_only_pool_and_nat_moved(before, after, ref)
    delta = catalog_monthly(cloud, name, region, old.capacity) - catalog_monthly(
        cloud, old.instance_type, region, old.capacity
    )
    assert floor_delta == delta * old.min_nodes
    assert full_delta == delta * old.max_nodes
    assert fixed_of(after) == fixed_of(before), "same node counts: Cloud NAT unchanged too"


# --- JSON --------------------------------------------------------------------------------------------------------

TOP_KEYS = {
    "assumptions",
    "clouds",
    "currency",
    "environment",
    "hours_per_month",
    "jurisdiction",
    "platform",
    "prefix",
    "schema_version",
    "sources",
    "totals",
}
CLOUD_KEYS = {"cloud", "region", "totals", "pools", "fixed", "not_estimated"}
TOTAL_KEYS = {"floor", "full", "gpu_floor", "gpu_full"}
POOL_KEYS = {
    "cluster",
    "pool",
    "role",
    "instance_type",
    "accelerators",
    "capacity",
    "min_nodes",
    "max_nodes",
    "node_hourly",
    "node_monthly",
    "floor",
    "full",
    "alternative",
    "sources",
    "notes",
}
ALTERNATIVE_KEYS = {"capacity", "node_hourly", "node_monthly", "floor", "full", "note"}
FIXED_KEYS = {
    "item",
    "description",
    "cluster",
    "floor_quantity",
    "full_quantity",
    "unit",
    "rate",
    "unit_monthly",
    "floor",
    "full",
    "sources",
    "notes",
}
GAP_KEYS = {"item", "description", "cluster", "quantity", "reason", "rate"}
RATE_KEYS = {"amount", "unit", "source"}
SOURCE_KEYS = {"title", "url", "retrieved"}
AMOUNT = re.compile(r"^-?\d+\.\d\d$")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_json_has_exactly_the_documented_keys_and_round_trips(env: str) -> None:
    text = render_json(shipped(env))
    document = json.loads(text)
    assert json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
    assert document == estimate_document(shipped(env))
    assert set(document) == TOP_KEYS
    assert document["schema_version"] == 1 and document["hours_per_month"] == 730
    assert document["currency"] == "USD" and document["environment"] == env
    assert set(document["totals"]) == TOTAL_KEYS
    for cloud in document["clouds"]:
        assert set(cloud) == CLOUD_KEYS and set(cloud["totals"]) == TOTAL_KEYS
        for pool in cloud["pools"]:
            assert set(pool) == POOL_KEYS
            assert pool["alternative"] is None or set(pool["alternative"]) == ALTERNATIVE_KEYS
            assert all(AMOUNT.match(pool[key]) for key in ("node_monthly", "floor", "full"))
            assert set(pool["sources"]) <= set(document["sources"])
        for item in cloud["fixed"]:
            assert set(item) == FIXED_KEYS and set(item["rate"]) == RATE_KEYS
            assert all(AMOUNT.match(item[key]) for key in ("unit_monthly", "floor", "full"))
        for gap in cloud["not_estimated"]:
            assert set(gap) == GAP_KEYS and (gap["rate"] is None or set(gap["rate"]) == RATE_KEYS)
        pools_full = sum(Decimal(pool["full"]) for pool in cloud["pools"])
        fixed_full = sum(Decimal(item["full"]) for item in cloud["fixed"])
        assert Decimal(cloud["totals"]["full"]) == pools_full + fixed_full, "the printed lines add up"
    assert all(set(source) == SOURCE_KEYS for source in document["sources"].values())
    assert all(AMOUNT.match(value) for value in document["totals"].values())


def test_the_json_is_stable_and_carries_no_time_of_its_own() -> None:
    first = render_json(estimate_of(raw_config("prod"), "prod", today=dt.date(2026, 12, 1)))
    later = render_json(estimate_of(raw_config("prod"), "prod", today=dt.date(2027, 1, 15)))
    assert first == later, "the same plan and catalog give the same bytes (no run date, no timestamp)"
    assert "2027-01-15" not in later


# --- the command ------------------------------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def test_cost_prints_the_table_and_exits_0() -> None:
    code, out, err = run("cost", "dev", "--project-dir", str(REPO))
    assert code == EXIT_OK, err
    assert err == ""
    assert out == render_text(shipped("dev"))
    assert "GPU pools" in out and "Totals" in out and "Not estimated" in out and "Assumptions" in out


def test_cost_json_parses_and_is_the_estimate() -> None:
    code, out, err = run("cost", "staging", "--json", "--project-dir", str(REPO))
    assert code == EXIT_OK, err
    assert json.loads(out) == estimate_document(shipped("staging"))


def test_an_unknown_environment_exits_2() -> None:
    code, out, err = run("cost", "qa", "--project-dir", str(REPO))
    assert code == EXIT_USAGE and out == ""
    assert err.startswith("aistacks: ") and "qa" in err and "Traceback" not in err


def test_an_invalid_stack_config_exits_2_naming_the_stack_file(tmp_path: Path) -> None:
    raw = raw_config("dev")
    raw["aws"]["clusters"][0]["gpu_pools"][0]["gpu"] = "z100"
    stack = tmp_path / "Pulumi.qa.yaml"
    stack.write_text(yaml.safe_dump({"config": {"aistacks:platform": raw}}), encoding="utf-8")
    code, out, err = run("cost", "--stack-file", str(stack), "--project-dir", str(REPO))
    assert code == EXIT_USAGE and out == ""
    assert "z100" in err and str(stack) in err and "Traceback" not in err


def test_a_type_the_catalog_cannot_price_in_the_region_exits_2(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.qa.yaml"
    stack.write_text(yaml.safe_dump({"config": {"aistacks:platform": stack_with_unpriced_type()}}), encoding="utf-8")
    code, out, err = run("cost", "--stack-file", str(stack), "--project-dir", str(REPO))
    assert code == EXIT_USAGE and out == ""
    assert err.startswith("aistacks: cannot estimate gcp cluster 'training', GPU pool 'h100'")
    assert "a3-highgpu-1g in europe-west8" in err and "is priced in: " in err and str(stack) in err


def test_output_is_written_and_never_onto_the_stack_file(tmp_path: Path) -> None:
    output = tmp_path / "cost.json"
    code, out, err = run("cost", "prod", "--json", "--output", str(output), "--project-dir", str(REPO))
    assert code == EXIT_OK, err
    assert out == "" and json.loads(output.read_text(encoding="utf-8")) == estimate_document(shipped("prod"))
    assert [path.name for path in tmp_path.iterdir()] == ["cost.json"], "no temporary file left"
    stack = tmp_path / "Pulumi.qa.yaml"
    stack.write_text(yaml.safe_dump({"config": {"aistacks:platform": raw_config("dev")}}), encoding="utf-8")
    before = stack.read_bytes()
    code, _, err = run("cost", "--stack-file", str(stack), "--output", str(stack), "--project-dir", str(REPO))
    assert code == EXIT_USAGE and "would be overwritten" in err
    assert stack.read_bytes() == before


def test_an_internal_failure_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    import aistacks.cost

    def broken(*_: object, **__: object) -> CostEstimate:
        raise RuntimeError("estimator broke")

    monkeypatch.setattr(aistacks.cost, "estimate_platform", broken)
    code, out, err = run("cost", "dev", "--project-dir", str(REPO))
    assert code == EXIT_FAILURE and out == ""
    assert "internal error: RuntimeError: estimator broke" in err and "Traceback" not in err


# --- the README ------------------------------------------------------------------------------------------------


def test_the_readme_shows_each_shipped_stacks_totals_as_the_command_prints_them() -> None:
    """tests/test_readme.py checks each ``output`` block against the command's real output; this makes sure
    the three blocks are there, so the README's figures cannot go stale unnoticed."""
    text = README.read_text(encoding="utf-8")
    for env in ENVIRONMENTS:
        marker = f'<!-- readme-test: output command="aistacks cost {env}" -->'
        assert marker in text, f"README.md has no output block of `aistacks cost {env}`"
        block = text.split(marker, 1)[1].split("```", 2)[1]
        totals = shipped(env).totals
        assert "environment" in block and f"{totals.full:,.2f}" in block, f"{env}: {block}"
