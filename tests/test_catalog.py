"""The region catalog: sourced, dated facts and the lookups over them."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog import (
    UnknownLocationError,
    gcs_location_jurisdictions,
    jurisdiction_of_region,
    known_jurisdictions,
    location_jurisdictions,
    regions_in_jurisdiction,
    regions_of,
)

DATA_FILES = ("aws_regions.json", "gcp_regions.json", "gcs_locations.json")
CLOUDS = ("aws", "gcp")

# The 27 EU member states (ISO 3166-1 alpha-2, lower case). Regions in them keep data "eu".
EU_MEMBER_STATES = frozenset(
    [
        "at",
        "be",
        "bg",
        "hr",
        "cy",
        "cz",
        "dk",
        "ee",
        "fi",
        "fr",
        "de",
        "gr",
        "hu",
        "ie",
        "it",
        "lv",
        "lt",
        "lu",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "si",
        "es",
        "se",
    ]
)
# A region name on each cloud: AWS "eu-west-1", "ap-southeast-5"; GCP "europe-west10", "us-central1".
REGION_NAME = {
    "aws": re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$"),
    "gcp": re.compile(r"^[a-z]+-[a-z]+\d+$"),
}


def _data(file_name: str) -> dict[str, Any]:
    text = resources.files("aistacks.catalog").joinpath("data", file_name).read_text(encoding="utf-8")
    return json.loads(text)


# --- facts carry a source and a date ----------------------------------------------------------


@pytest.mark.parametrize("file_name", DATA_FILES)
def test_every_data_file_names_its_sources_with_a_retrieval_date(file_name: str) -> None:
    sources = _data(file_name).get("sources")
    assert isinstance(sources, list)
    assert sources, f"{file_name} names no sources"
    for source in sources:
        assert isinstance(source.get("title"), str)
        assert source["title"].strip()
        assert re.match(r"^https?://[^\s/]+\.[^\s/]+/\S*$", source.get("url", "")), source
        retrieved = source.get("retrieved", "")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", retrieved), source
        # A real calendar date, and not one in the future.
        assert dt.date.fromisoformat(retrieved) <= dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize(("cloud", "file_name"), [("aws", "aws_regions.json"), ("gcp", "gcp_regions.json")])
def test_region_files_hold_what_regions_of_returns(cloud: str, file_name: str) -> None:
    regions = _data(file_name)["regions"]
    assert regions_of(cloud) == {name: entry["jurisdiction"] for name, entry in regions.items()}  # type: ignore[arg-type]


@pytest.mark.parametrize(("cloud", "file_name"), [("aws", "aws_regions.json"), ("gcp", "gcp_regions.json")])
def test_jurisdiction_follows_from_the_country(cloud: str, file_name: str) -> None:
    """EU member states keep data "eu", Great Britain "uk", every other country its own code."""
    for name, entry in _data(file_name)["regions"].items():
        country = entry["country"]
        assert re.fullmatch(r"[a-z]{2}", country), name
        expected = "eu" if country in EU_MEMBER_STATES else "uk" if country == "gb" else country
        assert entry["jurisdiction"] == expected, f"{cloud} {name} ({entry['location']}) in {country}"


# --- real facts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "region", "jurisdiction"),
    [
        ("aws", "eu-west-2", "uk"),  # London
        ("aws", "eu-central-2", "ch"),  # Zurich
        ("aws", "eu-west-1", "eu"),  # Ireland
        ("aws", "eu-central-1", "eu"),  # Frankfurt
        ("aws", "us-east-1", "us"),  # N. Virginia
        ("gcp", "europe-west2", "uk"),  # London
        ("gcp", "europe-west6", "ch"),  # Zurich
        ("gcp", "europe-west4", "eu"),  # Netherlands
        ("gcp", "us-central1", "us"),  # Iowa
    ],
)
def test_known_region_jurisdictions(cloud: str, region: str, jurisdiction: str) -> None:
    assert jurisdiction_of_region(cloud, region) == jurisdiction  # type: ignore[arg-type]
    assert location_jurisdictions(cloud, region) == {jurisdiction}  # type: ignore[arg-type]


def test_gcs_multi_and_dual_regions() -> None:
    assert location_jurisdictions("gcp", "EU") == {"eu"}
    assert location_jurisdictions("gcp", "eu") == {"eu"}  # the Cloud Storage API ignores case
    assert location_jurisdictions("gcp", "NAM4") == {"us"}
    assert location_jurisdictions("gcp", "nam4") == {"us"}
    assert location_jurisdictions("gcp", "US") == {"us"}
    # Dual-regions spanning London keep data in the UK as well as in the EU.
    assert location_jurisdictions("gcp", "EUR5") == {"eu", "uk"}  # Belgium + London
    assert location_jurisdictions("gcp", "EUR7") == {"eu", "uk"}  # London + Frankfurt
    assert location_jurisdictions("gcp", "EUR8") == {"ch", "eu"}  # Frankfurt + Zurich
    assert location_jurisdictions("gcp", "EUR4") == {"eu"}  # Finland + Netherlands


def test_gcp_region_lookup_is_case_insensitive_like_the_storage_api() -> None:
    assert location_jurisdictions("gcp", "EUROPE-WEST2") == {"uk"}


def test_aws_multi_region_codes_are_not_aws_locations() -> None:
    """GCS multi-region codes only mean something on GCP."""
    with pytest.raises(UnknownLocationError):
        location_jurisdictions("aws", "EU")


def test_predefined_dual_regions_map_to_the_jurisdictions_of_their_regions() -> None:
    locations = _data("gcs_locations.json")["locations"]
    gcp = regions_of("gcp")
    dual = {name: entry for name, entry in locations.items() if entry["type"] != "multi-region"}
    assert {"EUR4", "EUR5", "EUR7", "EUR8", "NAM4"} <= set(dual)
    for name, entry in dual.items():
        assert entry["regions"], name
        assert set(entry["regions"]) <= set(gcp), name
        assert gcs_location_jurisdictions()[name] == {gcp[region] for region in entry["regions"]}, name


def test_multi_regions_cover_the_regions_they_may_use() -> None:
    locations = _data("gcs_locations.json")["locations"]
    gcp = regions_of("gcp")
    multi = {name: entry for name, entry in locations.items() if entry["type"] == "multi-region"}
    assert {"ASIA", "EU", "US"} <= set(multi)
    for name, entry in multi.items():
        eligible = entry.get("configurable_dual_region_regions", [])
        assert set(eligible) <= set(gcp), name
        if name == "ASIA":
            # Not bound to one country: a pseudo-jurisdiction that no environment can name,
            # so an ASIA bucket is never inside any environment's jurisdiction.
            assert gcs_location_jurisdictions()[name] == {"asia"}
            assert "asia" not in known_jurisdictions()
            continue
        assert {gcp[region] for region in eligible} <= gcs_location_jurisdictions()[name], name
    # London and Zurich are not in the EU multi-region.
    assert "europe-west2" not in multi["EU"]["configurable_dual_region_regions"]
    assert "europe-west6" not in multi["EU"]["configurable_dual_region_regions"]


def test_gcs_location_codes_are_upper_case() -> None:
    assert all(code == code.upper() for code in gcs_location_jurisdictions())


# --- unknown locations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "region"),
    [
        ("aws", "eu-west-9"),
        ("aws", "europe-west1"),  # a GCP region
        ("aws", "EU-WEST-1"),  # AWS region names are lower case
        ("aws", ""),
        ("aws", "us-gov-west-1"),  # GovCloud is another partition
        ("aws", "cn-north-1"),  # China is another partition
        ("aws", "aws-global"),  # a pseudo-region
        ("gcp", "europe-west99"),
        ("gcp", "eu-west-1"),  # an AWS region
        ("gcp", "europe-west1-b"),  # a zone, not a region
    ],
)
def test_unknown_region_raises(cloud: str, region: str) -> None:
    with pytest.raises(UnknownLocationError, match="region"):
        jurisdiction_of_region(cloud, region)  # type: ignore[arg-type]
    with pytest.raises(UnknownLocationError):
        location_jurisdictions(cloud, region)  # type: ignore[arg-type]


def test_unknown_location_error_is_a_lookup_error() -> None:
    assert issubclass(UnknownLocationError, LookupError)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_unknown_jurisdiction_has_no_regions(cloud: str) -> None:
    assert regions_in_jurisdiction(cloud, "atlantis") == []  # type: ignore[arg-type]
    assert regions_in_jurisdiction(cloud, "EU") == []  # type: ignore[arg-type]


# --- jurisdictions ----------------------------------------------------------------------------------


def test_known_jurisdictions_is_the_sorted_set_of_region_jurisdictions() -> None:
    every = set(regions_of("aws").values()) | set(regions_of("gcp").values())
    assert known_jurisdictions() == sorted(every)
    assert {"eu", "uk", "ch", "us"} <= set(known_jurisdictions())


def test_eu_regions_exclude_london_and_zurich() -> None:
    assert "eu-west-2" not in regions_in_jurisdiction("aws", "eu")
    assert "eu-central-2" not in regions_in_jurisdiction("aws", "eu")
    assert {"eu-west-1", "eu-central-1"} <= set(regions_in_jurisdiction("aws", "eu"))
    assert "europe-west2" not in regions_in_jurisdiction("gcp", "eu")
    assert "europe-west6" not in regions_in_jurisdiction("gcp", "eu")
    assert regions_in_jurisdiction("aws", "uk") == ["eu-west-2"]
    assert regions_in_jurisdiction("gcp", "uk") == ["europe-west2"]


@given(cloud=st.sampled_from(CLOUDS), jurisdiction=st.sampled_from(known_jurisdictions()))
def test_regions_in_jurisdiction_round_trips(cloud: str, jurisdiction: str) -> None:
    regions = regions_in_jurisdiction(cloud, jurisdiction)  # type: ignore[arg-type]
    assert regions == sorted(regions)
    assert len(set(regions)) == len(regions)
    for region in regions:
        assert jurisdiction_of_region(cloud, region) == jurisdiction  # type: ignore[arg-type]
        assert location_jurisdictions(cloud, region) == {jurisdiction}  # type: ignore[arg-type]
    # ... and it is complete: no region of that jurisdiction is left out.
    assert set(regions) == {r for r, j in regions_of(cloud).items() if j == jurisdiction}  # type: ignore[arg-type]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_jurisdictions_partition_the_regions(cloud: str) -> None:
    collected = [r for j in known_jurisdictions() for r in regions_in_jurisdiction(cloud, j)]  # type: ignore[arg-type]
    assert sorted(collected) == sorted(regions_of(cloud))  # type: ignore[arg-type]


def test_every_known_jurisdiction_has_a_region_somewhere() -> None:
    for jurisdiction in known_jurisdictions():
        assert regions_in_jurisdiction("aws", jurisdiction) or regions_in_jurisdiction("gcp", jurisdiction)


# --- well-formed names ------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", CLOUDS)
def test_region_names_are_well_formed(cloud: str) -> None:
    regions = regions_of(cloud)  # type: ignore[arg-type]
    assert len(regions) >= 30
    malformed = [name for name in regions if not REGION_NAME[cloud].fullmatch(name)]
    assert malformed == []


def test_region_name_patterns_tell_the_clouds_apart() -> None:
    """The patterns are not vacuous: no AWS region passes as a GCP one and vice versa."""
    assert not any(REGION_NAME["gcp"].fullmatch(name) for name in regions_of("aws"))
    assert not any(REGION_NAME["aws"].fullmatch(name) for name in regions_of("gcp"))


def test_gcp_zones_are_letters() -> None:
    for name, entry in _data("gcp_regions.json")["regions"].items():
        for zone in entry.get("zones", []):
            assert re.fullmatch(r"[a-z]", zone), f"{name}-{zone}"
