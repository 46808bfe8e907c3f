"""The price catalog: every type the platform can create is priced (or its gap is stated), and every
price is positive, consistent and sourced."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

import pytest

from aistacks.catalog import (
    FIXED_ITEMS,
    HOURS_PER_MONTH,
    PriceNotFound,
    accelerator_types,
    fixed_price,
    node_price,
    price_sources,
    priced_node_types,
    regions_of,
    unpriced_node_regions,
)
from aistacks.plan.aws import SYSTEM_INSTANCE_TYPE
from aistacks.plan.gcp import SYSTEM_MACHINE_TYPE
from aistacks.vocabulary import Cloud

CLOUDS: tuple[Cloud, ...] = ("aws", "gcp")
FILES: dict[Cloud, str] = {"aws": "prices_aws.json", "gcp": "prices_gcp.json"}
SYSTEM_TYPES: dict[Cloud, str] = {"aws": SYSTEM_INSTANCE_TYPE, "gcp": SYSTEM_MACHINE_TYPE}


def _data(cloud: Cloud) -> dict[str, Any]:
    text = resources.files("aistacks.catalog").joinpath("data", FILES[cloud]).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _node_entries(cloud: Cloud) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, region, price)
        for name, entry in _data(cloud)["node_types"].items()
        for region, price in entry["regions"].items()
    ]


# --- coverage: nothing the platform can create goes unpriced silently ---------------------------------


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_catalog_type_is_priced_in_every_region_the_catalog_lists_or_says_why_not(cloud: Cloud) -> None:
    priced = priced_node_types(cloud, "accelerator")
    catalog = accelerator_types(cloud)
    assert set(priced) == set(catalog), "the price file's accelerator types must be exactly the catalog's"
    missing: list[str] = []
    for name, accelerator_type in catalog.items():
        unpriced = unpriced_node_regions(cloud, name)
        for region in accelerator_type.regions():
            if region in priced[name]:
                assert region not in unpriced, f"{name} {region} is both priced and unpriced"
            elif not unpriced.get(region, "").strip():
                missing.append(f"{name} {region}")
        assert set(unpriced) <= set(accelerator_type.regions()), f"{name}: unpriced regions the catalog does not list"
        assert priced[name] <= set(accelerator_type.regions()), f"{name}: priced regions the catalog does not list"
    assert not missing, f"{cloud} catalog types without a price or a stated reason: {missing}"


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_system_node_type_is_priced_in_every_catalog_region_or_says_why_not(cloud: Cloud) -> None:
    system_type = SYSTEM_TYPES[cloud]
    assert priced_node_types(cloud, "system") == {system_type: priced_node_types(cloud)[system_type]}
    priced = priced_node_types(cloud)[system_type]
    unpriced = unpriced_node_regions(cloud, system_type)
    assert priced, f"{system_type} has no price at all"
    assert not priced & set(unpriced)
    for region in regions_of(cloud):
        assert region in priced or unpriced.get(region, "").strip(), f"{system_type} {region}: no price, no reason"
    assert set(unpriced) <= set(regions_of(cloud))


# --- every price is positive, consistent and sourced ----------------------------------------------------


@pytest.mark.parametrize("cloud", CLOUDS)
def test_node_prices_are_positive_and_spot_never_above_on_demand(cloud: Cloud) -> None:
    for name, region, _ in _node_entries(cloud):
        price = node_price(cloud, name, region)
        assert price.on_demand_hourly > 0, (name, region)
        if price.spot_hourly is not None:
            assert 0 < price.spot_hourly <= price.on_demand_hourly, (name, region, price)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_missing_spot_price_says_why(cloud: Cloud) -> None:
    for name, region, price in _node_entries(cloud):
        if price["spot"] is None:
            assert price.get("spot_note", "").strip(), (name, region)


def test_gcp_totals_are_the_machine_row_plus_the_gpu_row_of_the_catalog_count() -> None:
    catalog = accelerator_types("gcp")
    entries = _data("gcp")["node_types"]
    for name, accelerator_type in catalog.items():
        assert entries[name]["accelerator_row"].endswith(f" x{accelerator_type.count}"), name
        for region, price in entries[name]["regions"].items():
            assert price["machine_on_demand"] > 0
            assert price["accelerator_on_demand"] > 0
            assert price["on_demand"] == round(price["machine_on_demand"] + price["accelerator_on_demand"], 5)
            if price["spot"] is not None:
                assert price["spot"] == round(price["machine_spot"] + price["accelerator_spot"], 5), (name, region)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_price_names_a_dated_source(cloud: Cloud) -> None:
    data = _data(cloud)
    sources = price_sources(cloud)
    assert sources
    for source in sources.values():
        assert re.match(r"^https://[^\s/]+\.[^\s/]+/\S*$", source.url), source
        assert source.title.strip()
        assert dt.date.fromisoformat(source.retrieved) <= dt.datetime.now(dt.UTC).date(), source
    referenced = {entry["source"] for entry in data["node_types"].values()}
    referenced |= {
        entry["composition_source"] for entry in data["node_types"].values() if "composition_source" in entry
    }
    referenced |= {entry["source"] for entry in data["fixed"].values()}
    assert referenced <= set(sources), referenced - set(sources)
    assert set(sources) <= referenced, f"sources no price uses: {set(sources) - referenced}"


@pytest.mark.parametrize("cloud", CLOUDS)
def test_fixed_items_are_typed_positive_and_priced_per_known_region(cloud: Cloud) -> None:
    data = _data(cloud)
    assert set(data["fixed"]) <= set(FIXED_ITEMS)
    assert set(data["not_sourced"]) <= set(FIXED_ITEMS)
    assert not set(data["fixed"]) & set(data["not_sourced"])
    for item, entry in data["fixed"].items():
        assert entry["unit"].startswith("USD per "), item
        assert set(entry["regions"]) <= {"*", *regions_of(cloud)}, item
        for region in entry["regions"]:
            price = fixed_price(cloud, item, next(iter(regions_of(cloud))) if region == "*" else region)
            assert price.amount > 0, (item, region)
            assert price.source in price_sources(cloud).values()


@pytest.mark.parametrize("cloud", CLOUDS)
def test_both_clouds_price_the_cluster_fee_and_a_kms_key(cloud: Cloud) -> None:
    for region in regions_of(cloud):
        assert fixed_price(cloud, "cluster_hour", region).amount == 0.10
        assert fixed_price(cloud, "kms_key_month", region).amount > 0


def test_a_month_is_the_average_month_of_a_365_day_year() -> None:
    assert HOURS_PER_MONTH == 24 * 365 / 12


# --- the loader's errors name what exists ----------------------------------------------------------------


def test_a_region_without_a_price_names_the_regions_that_have_one() -> None:
    with pytest.raises(PriceNotFound) as raised:
        node_price("aws", "p5.48xlarge", "eu-central-1")
    message = str(raised.value)
    assert "p5.48xlarge" in message
    assert "eu-central-1" in message
    assert "us-east-1" in message
    assert "eu-west-2" in message


def test_an_unpriced_region_the_catalog_lists_gives_the_reason() -> None:
    with pytest.raises(PriceNotFound, match=r"trn1\.32xlarge in ap-south-1 \(.*no on-demand Price.*us-east-1"):
        node_price("aws", "trn1.32xlarge", "ap-south-1")


def test_an_unknown_type_names_the_priced_types() -> None:
    with pytest.raises(PriceNotFound, match=r"no type 'g9\.xlarge'.*g5\.xlarge.*m7i\.large"):
        node_price("aws", "g9.xlarge", "us-east-1")


def test_an_unsourced_fixed_item_says_so_and_names_the_priced_items() -> None:
    with pytest.raises(PriceNotFound, match=r"block_storage_gb_month \(not sourced: .*\); it prices: .*cluster_hour"):
        fixed_price("gcp", "block_storage_gb_month", "europe-west4")


def test_a_fixed_item_priced_for_some_regions_names_them() -> None:
    with pytest.raises(PriceNotFound, match=r"nat_gateway_hour price for eu-west-1; it has one for: us-east-2"):
        fixed_price("aws", "nat_gateway_hour", "eu-west-1")


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(PriceNotFound, match="unknown GCP region"):
        fixed_price("gcp", "cluster_hour", "mars-north1")


def test_price_not_found_is_a_value_error() -> None:
    assert issubclass(PriceNotFound, ValueError)
