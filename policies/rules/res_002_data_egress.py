"""AIS-RES-002: no replication, replica or log route sends data out of the allowed jurisdictions."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, Unknown, flows_from, is_set, jurisdictions_setting, read, stack_policy
from ..placement import cloud_of, default_provider_config, jurisdictions_of, locations_at, normalize, places, values_at
from ..provider_catalog import placement_paths

META = RuleMeta(
    id="AIS-RES-002",
    name="DataStaysInAllowedJurisdictions",
    title="Data does not leave the allowed jurisdictions",
    description="Every replica or destination placement the provider catalog lists for a type (DynamoDB "
    "replicas, ECR replication destinations, S3 replication destination buckets, inline or separate, Secret "
    "Manager replicas, snapshot copies, backup locations, ...), KMS multi-Region replica keys, DynamoDB table "
    "replicas and log sinks deliver only to locations inside the allowed jurisdictions.",
    severity=Severity.CRITICAL,
    remediation="Point the replication or sink at a destination in an allowed jurisdiction; keep KMS replicas "
    "there too. A destination outside the stack cannot be located: create it in the stack, or suppress the "
    "finding with a reason.",
    settings={
        "allowedJurisdictions": jurisdictions_setting(
            "Jurisdiction codes destinations may be in (eu, us, uk, ch, ...). Empty allows none."
        ),
    },
)


@dataclass(frozen=True)
class Destination:
    """Where one route delivers: a location, or a resource of the stack to locate, or unknown."""

    path: str
    location: str | None = None
    resource: PolicyResource | None = None
    unknown: Unknown | None = None
    unresolved: str | None = None


def _by_property(
    resources: Sequence[PolicyResource], types: frozenset[str], key: str, value: str
) -> PolicyResource | None:
    return next((r for r in resources if r.resource_type in types and read(r.props, key) == value), None)


def _from_dependencies(resource: PolicyResource, path: str, types: frozenset[str]) -> PolicyResource | None:
    return next((r for r in flows_from(resource, path) if r.resource_type in types), None)


_LOG_BUCKET = re.compile(r"^logging\.googleapis\.com/projects/[^/]+/locations/([^/]+)/buckets/")
_STORAGE = re.compile(r"^storage\.googleapis\.com/(.+)$")
_BIGQUERY = re.compile(r"^bigquery\.googleapis\.com/projects/[^/]+/datasets/(.+)$")
GCS_BUCKETS = frozenset({"gcp:storage/bucket:Bucket"})
LOG_BUCKETS = frozenset({"gcp:logging/projectBucketConfig:ProjectBucketConfig"})
DATASETS = frozenset({"gcp:bigquery/dataset:Dataset"})
S3_BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})


def _sink(resource: PolicyResource, resources: Sequence[PolicyResource]) -> list[Destination]:
    destination = read(resource.props, "destination")
    if isinstance(destination, Unknown):
        source = _from_dependencies(resource, "destination", LOG_BUCKETS | GCS_BUCKETS | DATASETS)
        return [Destination("destination", resource=source, unknown=None if source else destination)]
    text = str(destination)
    if match := _LOG_BUCKET.match(text):
        return [Destination("destination", location=match.group(1))]
    if match := _STORAGE.match(text):
        bucket = _by_property(resources, GCS_BUCKETS, "name", match.group(1))
        return [Destination("destination", resource=bucket, unresolved=None if bucket else text)]
    if match := _BIGQUERY.match(text):
        dataset = _by_property(resources, DATASETS, "datasetId", match.group(1))
        return [Destination("destination", resource=dataset, unresolved=None if dataset else text)]
    return [Destination("destination", unresolved=text)]


def _bucket_references(resource: PolicyResource, resources: Sequence[PolicyResource], path: str) -> list[Destination]:
    """S3 replication destinations, each a bucket ARN: the stack's bucket of that name, located like any."""
    found: list[Destination] = []
    for concrete, arn in values_at(resource.props, path):
        if isinstance(arn, Unknown):
            # Which of the buckets the rules are computed from is this rule's is unknown: all must pass.
            sources = [r for r in flows_from(resource, concrete) if r.resource_type in S3_BUCKETS]
            found += [Destination(concrete, resource=source) for source in sources]
            found += [] if sources else [Destination(concrete, unknown=arn)]
        elif is_set(arn):
            name = str(arn).rsplit(":", 1)[-1]
            bucket = _by_property(resources, S3_BUCKETS, "bucket", name)
            found.append(Destination(concrete, resource=bucket, unresolved=None if bucket else str(arn)))
    return found


def _is_bucket_reference(resource_type: str, path: str) -> bool:
    return resource_type.startswith("aws:s3/") and path.endswith("destination.bucket")


def _replicas(resource: PolicyResource, resources: Sequence[PolicyResource]) -> list[Destination]:
    """Every replica or destination placement the provider catalog lists for the type."""
    found: list[Destination] = []
    for replica in placement_paths(resource.resource_type).replica:
        if _is_bucket_reference(resource.resource_type, replica.path):
            found += _bucket_references(resource, resources, replica.path)
            continue
        for concrete, location in locations_at(resource.props, replica.path):
            if isinstance(location, Unknown):
                found.append(Destination(concrete, unknown=location))
            else:
                found.append(Destination(concrete, location=normalize(cloud_of(resource.resource_type), location)))
    return found


def _itself(resource: PolicyResource, _: Sequence[PolicyResource]) -> list[Destination]:
    return [Destination("region", resource=resource)]


ROUTES: Mapping[str, Callable[[PolicyResource, Sequence[PolicyResource]], list[Destination]]] = {
    "gcp:logging/projectSink:ProjectSink": _sink,
    "gcp:logging/folderSink:FolderSink": _sink,
    "gcp:logging/organizationSink:OrganizationSink": _sink,
    "aws:kms/replicaKey:ReplicaKey": _itself,
    "aws:kms/replicaExternalKey:ReplicaExternalKey": _itself,
    "aws:dynamodb/tableReplica:TableReplica": _itself,
}
"""Types that move data somewhere beyond the catalog's replica paths, and how to find where: log sinks by
their destination, and resources that are themselves a replica (placed where the resource is)."""


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    allowed = frozenset(check.settings["allowedJurisdictions"] or [])
    expected = f"a destination in {', '.join(sorted(allowed)) or 'no jurisdiction (none allowed)'}"
    stack_config = default_provider_config()
    for resource in resources:
        route = ROUTES.get(resource.resource_type)
        destinations = _replicas(resource, resources) + (route(resource, resources) if route is not None else [])
        for destination in destinations:
            if destination.unknown is not None:
                check.cannot_verify(resource, destination.unknown, expected)
            elif destination.unresolved is not None:
                check.fail(
                    resource,
                    destination.path,
                    destination.unresolved,
                    expected,
                    "the destination is not in this stack and its location cannot be established",
                )
            elif destination.location is not None:
                _judge(
                    check,
                    resource,
                    destination.path,
                    cloud_of(resource.resource_type) or "gcp",
                    destination.location,
                    allowed,
                    expected,
                )
            elif destination.resource is not None:
                located = places(destination.resource, stack_config)
                cloud = cloud_of(destination.resource.resource_type) or "gcp"
                if not isinstance(located, list) or not located:
                    check.fail(
                        resource,
                        destination.path,
                        destination.resource.urn,
                        expected,
                        "the destination's location cannot be established",
                    )
                    continue
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
