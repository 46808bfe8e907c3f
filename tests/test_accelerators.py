"""The accelerator catalog: sourced facts, and resolution that never hands out the wrong GPU."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog import (
    AcceleratorNotOffered,
    accelerator_types,
    known_accelerators,
    regions_of,
    resolve_accelerator,
)
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.issues import ConfigIssue

CLOUDS = ("aws", "gcp")


@pytest.mark.parametrize("file_name", ["aws_accelerators.json", "gcp_accelerators.json"])
def test_data_files_name_their_sources(file_name: str) -> None:
    data = json.loads(resources.files("aistacks.catalog").joinpath("data", file_name).read_text())
    assert data["sources"]
    assert all(source["url"].startswith("https://") and source["retrieved"] for source in data["sources"])


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_place_is_a_known_region(cloud: str) -> None:
    known = regions_of(cloud)  # type: ignore[arg-type]
    for accelerator_type in accelerator_types(cloud).values():  # type: ignore[arg-type]
        assert accelerator_type.places, accelerator_type.name
        assert set(accelerator_type.regions()) <= set(known), accelerator_type.name


@pytest.mark.parametrize(
    ("cloud", "name", "accelerator", "count"),
    [
        ("aws", "p5.48xlarge", "h100", 8),
        ("aws", "p4d.24xlarge", "a100-40gb", 8),
        ("aws", "g5.xlarge", "a10g", 1),
        ("aws", "g6e.xlarge", "l40s", 1),
        ("gcp", "a3-highgpu-8g", "h100", 8),
        ("gcp", "a2-ultragpu-1g", "a100-80gb", 1),
        ("gcp", "g2-standard-4", "l4", 1),
    ],
)
def test_known_types_carry_what_their_vendors_say(cloud: str, name: str, accelerator: str, count: int) -> None:
    accelerator_type = accelerator_types(cloud)[name]  # type: ignore[index]
    assert (accelerator_type.accelerator, accelerator_type.count) == (accelerator, count)


def requests() -> st.SearchStrategy[tuple[str, str, str, int]]:
    def for_cloud(cloud: str) -> st.SearchStrategy[tuple[str, str, str, int]]:
        return st.tuples(
            st.just(cloud),
            st.sampled_from(sorted(regions_of(cloud))),  # type: ignore[arg-type]
            st.sampled_from(known_accelerators(cloud)),  # type: ignore[arg-type]
            st.sampled_from([1, 2, 4, 8, 12, 16]),
        )

    return st.sampled_from(CLOUDS).flatmap(for_cloud)


@given(request=requests())
def test_a_resolved_type_carries_exactly_the_request_and_is_offered_there(request: tuple[str, str, str, int]) -> None:
    cloud, region, accelerator, count = request
    try:
        resolved = resolve_accelerator(cloud, region, accelerator, count)  # type: ignore[arg-type]
    except AcceleratorNotOffered as error:
        message = str(error)
        assert region in message
        assert not any(
            t.accelerator == accelerator and t.count == count and t.offered_in(region)
            for t in accelerator_types(cloud).values()  # type: ignore[arg-type]
        ), "refused although a type would do"
        return
    assert resolved.accelerator == accelerator
    assert resolved.count == count
    assert resolved.offered_in(region)
    cheaper = [
        t
        for t in accelerator_types(cloud).values()  # type: ignore[arg-type]
        if t.accelerator == accelerator and t.count == count and t.offered_in(region) and t.vcpus < resolved.vcpus
    ]
    assert not cheaper, "the smallest matching type is chosen"


def test_not_offered_names_where_it_is_and_what_the_region_has() -> None:
    with pytest.raises(AcceleratorNotOffered) as caught:
        resolve_accelerator("aws", "eu-west-1", "h100", 8)
    message = str(caught.value)
    assert "8 x h100 is offered in: " in message
    assert "eu-west-2" in message.split("is offered in: ")[1]
    assert "eu-west-1 offers: " in message
    assert "a10g x1" in message


def test_an_unknown_accelerator_lists_the_known_ones() -> None:
    with pytest.raises(AcceleratorNotOffered, match=r"known: .*h100"):
        resolve_accelerator("gcp", "europe-west4", "b300", 8)


def test_gcp_zones_within_a_region() -> None:
    resolved = resolve_accelerator("gcp", "europe-west4", "h100", 8)
    assert resolved.gcp_accelerator_type == "nvidia-h100-80gb"
    assert resolved.zones_in("europe-west4")
    assert all(zone.startswith("europe-west4-") for zone in resolved.zones_in("europe-west4"))


def pool_issue(instance_type: str, region: str = "eu-west-1") -> ConfigIssue:
    pool = {"name": "a10g", "gpu": "a10g", "gpus_per_node": 1, "instance_type": instance_type}
    aws = {"region": region, "kubernetes_version": "1.35", "clusters": [{"role": "training", "gpu_pools": [pool]}]}
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec({"environment": "dev", "jurisdiction": "eu", "aws": aws})
    (issue,) = caught.value.issues
    assert issue.path == "aistacks:platform.aws.clusters[0].gpu_pools[0].instance_type", "the type, not the gpu"
    assert issue.value == instance_type
    return issue


def test_an_unknown_instance_type_is_blamed_and_the_fitting_types_are_named() -> None:
    issue = pool_issue("m5.large")
    assert issue.message.startswith("'m5.large' is not an accelerator type of the AWS catalog; types with 1 x a10g")
    assert "g5.xlarge" in issue.message


def test_an_instance_type_with_other_accelerators_says_what_it_carries() -> None:
    issue = pool_issue("p4d.24xlarge")
    assert issue.message.startswith("p4d.24xlarge carries 8 x a100-40gb, not 1 x a10g: set gpu: a100-40gb")


def test_an_instance_type_not_offered_in_the_region_says_where_it_is() -> None:
    issue = pool_issue("g5.xlarge", region="eu-south-2")
    assert issue.message.startswith("g5.xlarge is not offered in eu-south-2 (it is in: ")
    assert "eu-west-1" in issue.message
