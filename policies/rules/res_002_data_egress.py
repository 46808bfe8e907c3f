"""AIS-RES-002: no replication, replica, copy, export or log route sends data out of the allowed jurisdictions.

The routes and how each destination is located are :mod:`policies.destinations`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource, Severity

from ..destinations import ROUTES, Destination, destinations
from ..framework import Check, RuleMeta, jurisdictions_setting, stack_policy
from ..placement import cloud_of, default_provider_config, jurisdictions_of, places

__all__ = ["META", "POLICY", "ROUTES"]

META = RuleMeta(
    id="AIS-RES-002",
    name="DataStaysInAllowedJurisdictions",
    title="Data does not leave the allowed jurisdictions",
    description="Every replica or destination placement the provider catalog lists for a type (DynamoDB "
    "replicas, ECR replication destinations, S3 replication destination buckets, inline or separate, Secret "
    "Manager replicas, snapshot copies, backup locations, ...), and every egress route of the route table "
    "(AWS Backup copy actions, Firehose destinations, CloudWatch log subscriptions and deliveries, S3 access "
    "logs, inventories and exports, DynamoDB exports and Kinesis streaming, Storage Transfer jobs, BigQuery "
    "extracts, copies and cross-region copies, Pub/Sub deliveries, log sinks, KMS multi-Region replica keys, "
    "DynamoDB table replicas) deliver only to locations inside the allowed jurisdictions. A destination that "
    "cannot be located (outside the stack, an HTTP endpoint) fails.",
    severity=Severity.CRITICAL,
    remediation="Point the replication, copy or sink at a destination in an allowed jurisdiction; keep KMS "
    "replicas there too. A destination outside the stack or an HTTP endpoint cannot be located: create it in "
    "the stack, or suppress the finding with a reason.",
    settings={
        "allowedJurisdictions": jurisdictions_setting(
            "Jurisdiction codes destinations may be in (eu, us, uk, ch, ...). Empty allows none."
        ),
    },
)


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    allowed = frozenset(check.settings["allowedJurisdictions"] or [])
    expected = f"a destination in {', '.join(sorted(allowed)) or 'no jurisdiction (none allowed)'}"
    stack_config = default_provider_config()
    for resource in resources:
        for destination in destinations(resource, resources):
            _judge_destination(check, resource, destination, allowed, expected, stack_config)


def _judge_destination(
    check: Check,
    resource: PolicyResource,
    destination: Destination,
    allowed: frozenset[str],
    expected: str,
    stack_config: dict[str, str],
) -> None:
    if destination.unknown is not None:
        check.cannot_verify(resource, destination.unknown, expected)
    elif destination.unresolved is not None:
        message = f"{destination.why}; {expected} is required"
        check.fail(resource, destination.path, destination.unresolved, expected, message)
    elif destination.location is not None:
        cloud = destination.cloud or cloud_of(resource.resource_type) or "gcp"
        _judge(check, resource, destination.path, cloud, destination.location, allowed, expected)
    elif destination.resource is not None:
        located = places(destination.resource, stack_config)
        cloud = cloud_of(destination.resource.resource_type) or "gcp"
        if not isinstance(located, list) or not located:
            message = f"the destination's location cannot be established; {expected} is required"
            check.fail(resource, destination.path, destination.resource.urn, expected, message)
            return
        for place in located:
            _judge(check, resource, destination.path, cloud, place.location, allowed, expected)


def _judge(
    check: Check, resource: PolicyResource, path: str, cloud: str, location: str, allowed: frozenset[str], expected: str
) -> None:
    jurisdictions = jurisdictions_of(cloud, location)  # type: ignore[arg-type]
    if jurisdictions is None or not jurisdictions <= allowed:
        where = ", ".join(sorted(jurisdictions)) if jurisdictions else "an unknown jurisdiction"
        check.fail(resource, path, location, expected, f"data is sent to {location} ({where})")


POLICY = stack_policy(META, _check)
