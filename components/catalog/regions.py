"""Region and location → jurisdiction lookups over the catalog's data files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from aistacks.catalog.datafiles import load_data
from aistacks.vocabulary import Cloud

_REGION_FILES: dict[Cloud, str] = {"aws": "aws_regions.json", "gcp": "gcp_regions.json"}
_GCS_LOCATIONS_FILE = "gcs_locations.json"
_VECTOR_ENGINES_FILE = "vector_engine_regions.json"


class UnknownLocationError(LookupError):
    """A region or location the catalog does not know."""


def regions_of(cloud: Cloud) -> dict[str, str]:
    """Every region of ``cloud`` the catalog knows, mapped to its jurisdiction."""
    regions: dict[str, dict[str, str]] = load_data(_REGION_FILES[cloud])["regions"]
    return {name: entry["jurisdiction"] for name, entry in regions.items()}


def jurisdiction_of_region(cloud: Cloud, region: str) -> str:
    """The jurisdiction of one region; raises :class:`UnknownLocationError` for an unknown region."""
    regions = regions_of(cloud)
    if region not in regions:
        raise UnknownLocationError(f"unknown {cloud.upper()} region {region!r}")
    return regions[region]


def regions_in_jurisdiction(cloud: Cloud, jurisdiction: str) -> list[str]:
    """The sorted regions of ``cloud`` whose data stays in ``jurisdiction``."""
    return sorted(name for name, where in regions_of(cloud).items() if where == jurisdiction)


def gcs_location_jurisdictions() -> dict[str, frozenset[str]]:
    """Cloud Storage multi-region and dual-region locations, each mapped to where it keeps data."""
    locations: dict[str, dict[str, Any]] = load_data(_GCS_LOCATIONS_FILE)["locations"]
    return {name: frozenset(entry["jurisdictions"]) for name, entry in locations.items()}


_ZONE_SUFFIX: dict[Cloud, re.Pattern[str]] = {
    # GCP zones are <region>-<letter> (europe-west4-a); AWS Availability Zone names are <region><letter>
    # (eu-west-1a). Local Zones and AZ IDs (euw1-az1) are not zones of a region here: unknown locations.
    "gcp": re.compile(r"^(?P<region>.+)-[a-z]$"),
    "aws": re.compile(r"^(?P<region>.+-\d)[a-z]$"),
}


def region_of_zone(cloud: Cloud, zone: str) -> str | None:
    """The region a zone (``europe-west4-a``, ``eu-west-1a``) belongs to; None if it is no zone of a known region."""
    match = _ZONE_SUFFIX[cloud].match(zone.lower())
    if match is None or match.group("region") not in regions_of(cloud):
        return None
    return match.group("region")


def location_jurisdictions(cloud: Cloud, location: str) -> frozenset[str]:
    """Every jurisdiction that data placed at ``location`` may sit in.

    A region yields one jurisdiction; a GCS multi-region or dual-region (``EU``, ``NAM4``, …)
    yields all the jurisdictions of the data centers it spans. GCP location names are matched
    case-insensitively, as the Cloud Storage API does (``eu`` and ``EU`` are one location). A zone is
    not a location here: :func:`region_of_zone` names its region.
    """
    if cloud == "gcp":
        multi = gcs_location_jurisdictions().get(location.upper())
        if multi is not None:
            return multi
        location = location.lower()
    return frozenset({jurisdiction_of_region(cloud, location)})


def known_jurisdictions() -> list[str]:
    """Every jurisdiction code some region of some cloud maps to, sorted."""
    codes = {where for cloud in _REGION_FILES for where in regions_of(cloud).values()}
    return sorted(codes)


_ENGINE_CLOUDS: dict[str, Cloud] = {"opensearch-serverless": "aws", "vertex-vector-search": "gcp"}
MANAGED_VECTOR_ENGINES: Mapping[str, Cloud] = MappingProxyType(_ENGINE_CLOUDS)
"""Managed vector engines and the one cloud each runs on."""


def vector_engine_regions(engine: str) -> frozenset[str]:
    """The regions that offer a managed vector engine (``opensearch-serverless``, ``vertex-vector-search``)."""
    engines: dict[str, list[str]] = load_data(_VECTOR_ENGINES_FILE)["engines"]
    return frozenset(engines[engine])
