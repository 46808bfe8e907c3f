"""Where a resource keeps its data: its own region or location, else its provider's, else the stack's.

Pure functions over engine property names; the residency rules build on them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi.runtime

from aistacks.catalog import UnknownLocationError, location_jurisdictions
from aistacks.vocabulary import CLOUDS, Cloud

from .framework import Subject, Unknown, read

GLOBAL_TYPES: Mapping[str, str] = {
    "aws:iam/role:Role": "IAM is a global service; a role holds no customer data",
    "aws:iam/rolePolicy:RolePolicy": "IAM is a global service; a policy holds no customer data",
    "aws:iam/policy:Policy": "IAM is a global service; a policy holds no customer data",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is a global service",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is a global service",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM is a global service",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "a project-wide audit setting; where logs go is AIS-RES-002's",
    "gcp:projects/iAMMember:IAMMember": "IAM bindings are project-wide and hold no data",
    "gcp:projects/service:Service": "enabling an API is project-wide",
    "gcp:serviceaccount/account:Account": "service accounts are global identities",
    "gcp:compute/network:Network": "a VPC network is global and holds no data; its subnets are regional and checked",
    "gcp:compute/firewall:Firewall": "VPC firewall rules are global network settings and hold no data",
    "gcp:serviceaccount/iAMMember:IAMMember": "IAM bindings hold no data",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "an IAM binding; the bucket's own location is checked",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "an IAM binding; the key ring's location is checked",
    "gcp:logging/projectSink:ProjectSink": "a route, not a store; its destination is checked by AIS-RES-002",
    "aws:kms/replicaKey:ReplicaKey": "a replica is data leaving its primary's region; checked by AIS-RES-002",
}
"""Types that hold no data in a region, each with the reason; an explicit list, never a guess."""

LOCATION_FROM_REFERENCE: Mapping[str, str] = {
    "gcp:kms/cryptoKey:CryptoKey": "keyRing",
}
"""Types located by a reference to another resource (``projects/…/locations/<location>/…``)."""

_LOCATION_IN_NAME = re.compile(r"/locations/([^/]+)/")
_OWN_KEYS = ("region", "location", "zone")
_PROVIDER_KEYS = ("region", "zone", "location")


def cloud_of(resource_type: str) -> Cloud | None:
    package = resource_type.removeprefix("pulumi:providers:").split(":", 1)[0]
    return package if package in CLOUDS else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Place:
    """One location a resource's data sits in, and where the rule learned it."""

    location: str
    source: str
    """``region`` (the resource's own), ``provider.region``, ``config aws:region``, …"""


def is_default_provider(urn: str) -> bool:
    """Default providers are the engine's, named ``default`` or ``default_<version>``."""
    return urn.rsplit("::", 1)[-1].startswith("default")


def region_of_zone(zone: str) -> str:
    """``europe-west4-a`` → ``europe-west4``; ``eu-west-1a`` → ``eu-west-1``."""
    if re.fullmatch(r"[a-z]+-[a-z]+\d+-[a-z]", zone):
        return zone.rsplit("-", 1)[0]
    if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d[a-z]", zone):
        return zone[:-1]
    return zone


def places(resource: Subject, stack_config: Mapping[str, str]) -> list[Place] | Unknown | None:
    """Where ``resource`` keeps data; :class:`Unknown` if that is unknown; ``None`` if nothing says."""
    cloud = cloud_of(resource.resource_type)
    if cloud is None:
        return None
    own = own_places(resource)
    if own:
        return own
    if isinstance(own, Unknown):
        return own
    if resource.provider is not None and not resource.resource_type.startswith("pulumi:providers:"):
        for key in _PROVIDER_KEYS:
            value = read(resource.provider.props, key)
            if isinstance(value, Unknown):
                return Unknown(f"provider.{key}")
            if isinstance(value, str) and value:
                return [Place(_normalize(key, value), f"provider.{key}")]
        if not is_default_provider(resource.provider.urn):
            # An explicit provider without a region takes it from the deployer's environment
            # (AWS_REGION, ...), not from the stack's `aws:region`: nothing here can say where.
            return None
    for key in _PROVIDER_KEYS:
        value = stack_config.get(f"{cloud}:{key}")
        if value:
            return [Place(_normalize(key, value), f"config {cloud}:{key}")]
    return None


def own_places(resource: Subject) -> list[Place] | Unknown:
    """The locations the resource names itself (not its provider's)."""
    found: list[Place] = []
    for key in _OWN_KEYS:
        value = read(resource.props, key)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str) and value:
            found.append(Place(_normalize(key, value), key))
    data_locations = read(resource.props, "customPlacementConfig.dataLocations")
    if isinstance(data_locations, Unknown):
        return data_locations
    if isinstance(data_locations, Sequence) and not isinstance(data_locations, str):
        found += [Place(str(region).lower(), "customPlacementConfig.dataLocations") for region in data_locations]
    reference_key = LOCATION_FROM_REFERENCE.get(resource.resource_type)
    if reference_key is not None:
        reference = read(resource.props, reference_key)
        if isinstance(reference, Unknown):
            return reference
        if isinstance(reference, str) and (match := _LOCATION_IN_NAME.search(reference)):
            found.append(Place(match.group(1), reference_key))
    return found


def _normalize(key: str, value: str) -> str:
    return region_of_zone(value) if key == "zone" else value


def jurisdictions_of(cloud: Cloud, location: str) -> frozenset[str] | None:
    """The jurisdictions data at ``location`` may sit in; ``None`` for a location the catalog lacks."""
    try:
        return location_jurisdictions(cloud, location)
    except UnknownLocationError:
        return None


def default_provider_config() -> dict[str, str]:
    """The stack's ``aws:*``/``gcp:*`` placement settings, as the engine hands config to a policy pack."""
    config: dict[str, str] = {}
    for cloud in CLOUDS:
        for key in _PROVIDER_KEYS:
            value = pulumi.runtime.get_config(f"{cloud}:{key}")
            if isinstance(value, str) and value:
                config[f"{cloud}:{key}"] = value
    return config
