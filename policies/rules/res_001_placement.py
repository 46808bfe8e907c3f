"""AIS-RES-001: every resource keeps its data inside the allowed jurisdictions."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource, Severity

from aistacks.catalog import known_jurisdictions

from ..framework import (
    PLACEMENT_OUTPUTS,
    Check,
    RuleMeta,
    Unknown,
    flows_from,
    jurisdictions_setting,
    literal,
    stack_policy,
)
from ..placement import (
    GLOBAL_TYPES,
    Place,
    cloud_of,
    default_provider_config,
    jurisdictions_of,
    own_places,
    places,
    service_default,
)

META = RuleMeta(
    id="AIS-RES-001",
    name="ResourcesStayInAllowedJurisdictions",
    title="Resources stay in the allowed jurisdictions",
    description="Every AWS and Google Cloud resource is placed in a region or location inside the allowed "
    "jurisdictions: at every own placement path the provider catalog lists for its type (region, location, "
    "zones, node locations, data locations, instance configurations), else its service's documented default "
    "when that is not the provider's region (a BigQuery dataset's is the US), else its provider's region, else "
    "the stack's default provider config.",
    severity=Severity.CRITICAL,
    remediation="Place the resource (or its provider) in a region of an allowed jurisdiction; multi-region "
    "locations count by every jurisdiction they keep data in. Where a service's default is not its provider's "
    "region (a BigQuery dataset's is the US; a Pub/Sub topic's is any region), set the location explicitly "
    "(aistacks.policies.data default_locations.json lists them, with sources). Global types are listed in "
    "aistacks.policies.placement.GLOBAL_TYPES with their reasons.",
    settings={
        "allowedJurisdictions": jurisdictions_setting(
            "Jurisdiction codes data may reside in (eu, us, uk, ch, ...). Empty allows none."
        ),
        "allowedRegions": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "If not empty, only these regions/locations, on top of the jurisdictions.",
        },
    },
)


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    allowed = frozenset(check.settings["allowedJurisdictions"] or [])
    allowed_regions = frozenset(check.settings["allowedRegions"] or [])
    stack_config = default_provider_config()
    expected = f"a location in {', '.join(sorted(allowed)) or 'no jurisdiction (none allowed)'}"
    for resource in resources:
        cloud = cloud_of(resource.resource_type)
        if cloud is None or resource.resource_type in GLOBAL_TYPES:
            continue
        found = places(resource, stack_config)
        if isinstance(found, Unknown):
            found = _places_of_sources(resource, found) or found
        if isinstance(found, Unknown):
            check.cannot_verify(resource, found, expected)
            continue
        if not found:
            default = service_default(resource.resource_type)
            if default is not None:
                because = f"not set, and the service has no default. {default.reason}"
                check.fail(resource, default.unset_path, None, expected, because)
            else:
                check.fail(
                    resource,
                    "region",
                    None,
                    expected,
                    "no region or location: not on the resource, its provider, nor the stack config",
                )
            continue
        for place in found:
            _check_place(check, resource, cloud, place, allowed, allowed_regions, expected)


def _check_place(
    check: Check,
    resource: PolicyResource,
    cloud: str,
    place: Place,
    allowed: frozenset[str],
    allowed_regions: frozenset[str],
    expected: str,
) -> None:
    jurisdictions = jurisdictions_of(cloud, place.location)  # type: ignore[arg-type]
    because = f" ({place.default})" if place.default else ""
    if jurisdictions is None:
        check.fail(
            resource,
            place.source,
            place.location,
            expected,
            f"{literal(place.location)} is not a {cloud.upper()} location the catalog knows, so its jurisdiction "
            "cannot be established",
        )
    elif not jurisdictions <= allowed:
        anywhere = jurisdictions == frozenset(known_jurisdictions())
        outside = "any jurisdiction" if anywhere else ", ".join(sorted(jurisdictions - allowed))
        check.fail(
            resource,
            place.source,
            place.location,
            expected,
            f"{place.location} keeps data in {outside}, outside the allowed jurisdictions{because}",
        )
    elif allowed_regions and place.location not in allowed_regions:
        check.fail(
            resource,
            place.source,
            place.location,
            f"one of {', '.join(sorted(allowed_regions))}",
            f"{place.location} is not an allowed region",
        )


def _places_of_sources(resource: PolicyResource, unknown: Unknown) -> list[Place] | None:
    """A location unknown in preview can only be one of the locations of the resources it is computed
    from, when every one of them names its own location; those, or None when that does not hold."""
    sources = flows_from(resource, unknown.path, PLACEMENT_OUTPUTS)
    found: list[Place] = []
    for source in sources:
        own = own_places(source)
        if cloud_of(source.resource_type) is None or not isinstance(own, list) or not own:
            return None
        found += [Place(place.location, f"{unknown.path} (from {source.name})") for place in own]
    return found or None


POLICY = stack_policy(META, _check)
