"""S3 buckets: joining them with the separate resources that configure them over the whole stack, and
reading their policy documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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


def policy_document(value: Any) -> Mapping[str, Any] | None:
    """A policy document given as JSON text or as an object; None when it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return _native(value) if isinstance(value, Mapping) else None


def _native(value: Any) -> Any:
    """A document given as an object, as plain dicts and lists (shown in findings as JSON)."""
    if isinstance(value, Mapping):
        return {str(key): _native(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_native(item) for item in value]
    return value


def as_list(value: Any) -> list[Any]:
    """An IAM field that holds one value or a list of them, as a list."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in as_list(document.get("Statement", [])) if isinstance(s, Mapping)]
