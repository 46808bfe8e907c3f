"""Joining S3 buckets with the separate resources that configure them, over the whole stack."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pulumi_policy import PolicyResource

from .framework import is_set, read

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})


def buckets(resources: Iterable[PolicyResource]) -> list[PolicyResource]:
    return [resource for resource in resources if resource.resource_type in BUCKET_TYPES]


def companions(
    bucket: PolicyResource, resources: Sequence[PolicyResource], types: frozenset[str]
) -> list[PolicyResource]:
    """Resources of ``types`` that configure ``bucket``: their ``bucket`` names it, or (when that name
    is unknown in preview) is computed from it."""
    name = read(bucket.props, "bucket")
    found: list[PolicyResource] = []
    for resource in resources:
        if resource.resource_type not in types:
            continue
        target = read(resource.props, "bucket")
        from_bucket = any(source.urn == bucket.urn for source in resource.property_dependencies.get("bucket", []))
        if from_bucket or (is_set(name) and target == name):
            found.append(resource)
    return found
