"""Where a resource keeps its data: its own placement, else its service's default, its provider's, the stack's.

Pure functions over engine property names; the residency rules build on them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pulumi.runtime

from aistacks.catalog import (
    UnknownLocationError,
    known_jurisdictions,
    location_jurisdictions,
    regions_of,
)
from aistacks.catalog.regions import region_of_zone
from aistacks.vocabulary import CLOUDS, Cloud

from .framework import Subject, Unknown, read
from .provider_catalog import entry

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
    "aws:budgets/budget:Budget": "AWS Budgets is a global service (one endpoint, budgets.amazonaws.com; a budget's "
    "ARN has no region: AWS Budgets API Reference, 'Budget'); a budget holds a limit, a filter and recipients, no "
    "customer data; its alerts go to the stack's SNS topic, which is placed and checked, and as plain email to the "
    "addresses the config lists (their content: the budget's name, amount and spend)",
    "gcp:billing/budget:Budget": "a budget belongs to the Cloud Billing account, which has no location; it holds "
    "a limit, a filter and recipients, no customer data; its notifications go to the stack's Pub/Sub topic, whose "
    "message storage is placed and checked, and as email to the billing account's administrators and the "
    "addresses the config lists (the budget's name, amount and spend)",
    "gcp:monitoring/notificationChannel:NotificationChannel": "a notification channel is a project-wide Cloud "
    "Monitoring setting without a location: an address alerts are sent to, not a store",
}
"""Types that hold no data in a region, each with the reason; an explicit list, never a guess."""

LOCATION_FROM_REFERENCE: Mapping[str, str] = {
    "gcp:kms/cryptoKey:CryptoKey": "keyRing",
}
"""Types located by a reference to another resource (``projects/…/locations/<location>/…``)."""

_LOCATION_IN_NAME = re.compile(r"/locations/([^/]+)/")
_OWN_KEYS = ("region", "location", "zone")
"""Where a type the provider catalog does not list may name its placement."""
_PROVIDER_KEYS = ("region", "zone", "location")
_EXPANDED = re.compile(r"\[\]|\{\}")
_DEFAULTS_FILE = "default_locations.json"


def cloud_of(resource_type: str) -> Cloud | None:
    package = resource_type.removeprefix("pulumi:providers:").split(":", 1)[0]
    return package if package in CLOUDS else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Place:
    """One location a resource's data sits in, and where the rule learned it."""

    location: str
    source: str
    """``region`` (the resource's own), ``nodeLocations[0]``, ``provider.region``, ``config aws:region``, …"""
    default: str | None = None
    """Why the service put it there when the resource names no location (its documented default)."""


@dataclass(frozen=True)
class ServiceDefault:
    """Where a type keeps data when it names no location: from ``data/default_locations.json``, sourced."""

    paths: tuple[str, ...]
    location: str | None
    """None: the service requires a location and has no default."""
    reason: str
    source: str

    @property
    def unset_path(self) -> str:
        """Where a finding about the unset placement points: ``replication.userManaged.replicas``."""
        return self.paths[0].split("[]", 1)[0]


@cache
def _defaults() -> dict[str, Any]:
    text = resources.files("aistacks.policies.data").joinpath(_DEFAULTS_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def service_default(resource_type: str) -> ServiceDefault | None:
    """The documented placement of a type that does not name one, when it is not its provider's region."""
    raw = _defaults()["types"].get(resource_type)
    if raw is None:
        return None
    return ServiceDefault(tuple(raw["paths"]), raw["default"], raw["reason"], raw["source"])


@cache
def own_paths(resource_type: str) -> tuple[str, ...]:
    """Every property path that places this type's data: the provider catalog's own placement paths and the
    defaults table's, or ``region``/``location``/``zone`` for a type the catalog does not list."""
    listed = entry(resource_type)
    paths = [path.path for path in listed.placement.own] if listed is not None else list(_OWN_KEYS)
    default = service_default(resource_type)
    paths += [path for path in default.paths if path not in paths] if default is not None else []
    return tuple(paths)


def values_at(props: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """``(concrete path, value)`` for a catalog path: every ``a[]`` element and ``a{}`` value expanded.
    An unknown list or map yields itself; a missing one yields nothing."""
    marker = _EXPANDED.search(path)
    if marker is None:
        yield path, read(props, path)
        return
    prefix, rest = path[: marker.start()], path[marker.end() :]
    container = read(props, prefix)
    if isinstance(container, Unknown):
        yield prefix, container
    elif marker.group() == "[]" and isinstance(container, Sequence) and not isinstance(container, str):
        for index in range(len(container)):
            yield from values_at(props, f"{prefix}[{index}]{rest}")
    elif marker.group() == "{}" and isinstance(container, Mapping):
        for key in container:
            yield from values_at(props, f"{prefix}.{key}{rest}")


def locations_at(props: Mapping[str, Any], path: str) -> Iterator[tuple[str, str | Unknown]]:
    """``(concrete path, location)`` for every location set at a catalog path (a string, or each string of
    a list), or an :class:`Unknown`. Resource names keep their last segment
    (``projects/p/instanceConfigs/eur3`` → ``eur3``), Spanner's ``regional-`` prefix is dropped."""
    for concrete, value in values_at(props, path):
        if isinstance(value, Unknown):
            yield concrete, value
        elif isinstance(value, str) and value:
            yield concrete, value.rsplit("/", 1)[-1].removeprefix("regional-")
        elif isinstance(value, Sequence) and not isinstance(value, str):
            yield from locations_at(props, f"{concrete}[]")


def is_default_provider(urn: str) -> bool:
    """Default providers are the engine's, named ``default`` or ``default_<version>``."""
    return urn.rsplit("::", 1)[-1].startswith("default")


def places(resource: Subject, stack_config: Mapping[str, str]) -> list[Place] | Unknown | None:
    """Where ``resource`` keeps data; :class:`Unknown` if that is unknown; ``None`` if nothing says.

    Its own placement, else its service's documented default (``[]`` when the service requires a location
    and has none), else its provider's region, else the stack's provider config.
    """
    cloud = cloud_of(resource.resource_type)
    if cloud is None:
        return None
    own = own_places(resource)
    if own:
        return own
    if isinstance(own, Unknown):
        return own
    default = service_default(resource.resource_type)
    if default is not None:
        if default.location is None:
            return []
        return [Place(default.location, default.unset_path, default.reason)]
    if resource.provider is not None and not resource.resource_type.startswith("pulumi:providers:"):
        for key in _PROVIDER_KEYS:
            value = read(resource.provider.props, key)
            if isinstance(value, Unknown):
                return Unknown(f"provider.{key}")
            if isinstance(value, str) and value:
                return [Place(normalize(cloud, value), f"provider.{key}")]
        if not is_default_provider(resource.provider.urn):
            # An explicit provider without a region takes it from the deployer's environment
            # (AWS_REGION, ...), not from the stack's `aws:region`: nothing here can say where.
            return None
    for key in _PROVIDER_KEYS:
        value = stack_config.get(f"{cloud}:{key}")
        if value:
            return [Place(normalize(cloud, value), f"config {cloud}:{key}")]
    return None


def own_places(resource: Subject) -> list[Place] | Unknown:
    """The locations the resource names itself (not its provider's), at every placement path of its type."""
    cloud = cloud_of(resource.resource_type)
    found: list[Place] = []
    for path in own_paths(resource.resource_type):
        for concrete, location in locations_at(resource.props, path):
            if isinstance(location, Unknown):
                return location
            found.append(Place(normalize(cloud, location), concrete))
    reference_key = LOCATION_FROM_REFERENCE.get(resource.resource_type)
    if reference_key is not None:
        reference = read(resource.props, reference_key)
        if isinstance(reference, Unknown):
            return reference
        if isinstance(reference, str) and (match := _LOCATION_IN_NAME.search(reference)):
            found.append(Place(match.group(1), reference_key))
    return found


@cache
def normalize(cloud: Cloud | None, location: str) -> str:
    """A zone is judged as its region (``europe-west4-a`` → ``europe-west4``, ``eu-west-1a`` → ``eu-west-1``),
    so allowedRegions match; a GCP region is lower case (``US-CENTRAL1``); anything else stays as written."""
    if cloud is None:
        return location
    if cloud == "gcp" and location.lower() in regions_of(cloud):
        return location.lower()
    return region_of_zone(cloud, location) or location


@cache
def jurisdictions_of(cloud: Cloud, location: str) -> frozenset[str] | None:
    """The jurisdictions data at ``location`` may sit in; ``None`` for a location the catalog lacks.

    Service locations the region catalog does not list (``global``, ``eur3``, ``europe``) come from
    ``data/default_locations.json``; ``global`` is every known jurisdiction."""
    extra = _defaults()["locations"].get(cloud, {}).get(location.lower())
    if extra is not None:
        where = extra["jurisdictions"]
        return frozenset(known_jurisdictions() if where == "any" else where)
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
