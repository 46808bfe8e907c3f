"""AIS-TLS-001: S3 buckets refuse requests that are not over TLS."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import MISSING, Check, RuleMeta, Unknown, is_set, literal, read, stack_policy
from ..s3 import as_list, buckets, companions, policy_document, statements

META = RuleMeta(
    id="AIS-TLS-001",
    name="S3BucketsDenyRequestsWithoutTls",
    title="S3 buckets deny requests without TLS",
    description="Every S3 bucket has exactly one bucket policy, inline or separate (judged alike; two for one "
    "bucket fail, since S3 keeps only the last one written), that denies all S3 actions on that bucket and its "
    "objects, named in the statement's Resource, for everyone, when aws:SecureTransport is false.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.EncryptedBucket, or add a Deny statement for Principal '*', Action 's3:*', "
    "Resource [bucket ARN, bucket ARN/*], Condition {Bool: {aws:SecureTransport: 'false'}}.",
)

POLICY_TYPES = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
EXPECTED = "a Deny of s3:* on this bucket and its objects when aws:SecureTransport is false"
ARN = re.compile(r"^arn:[^:]+:s3:::(.+)$")


def _covers(resources: list[str], target: str) -> bool:
    """Whether one of a statement's ``Resource`` patterns covers ``target`` (a bucket name, or ``name/*``)."""
    for resource in resources:
        match = ARN.match(resource)
        pattern = "*" if resource == "*" else match.group(1) if match else None
        if pattern is not None and fnmatch.fnmatchcase(target, pattern):
            return True
    return False


def _everyone(principal: Any) -> bool:
    """``"*"``, or ``{"AWS": "*"}`` in any form (``["*"]``, as aws.iam.get_policy_document writes it)."""
    return principal == "*" or (isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS")))


def denies_plain_http(document: Mapping[str, Any], bucket: str) -> bool:
    """Whether a policy document has a statement that denies every non-TLS request to ``bucket`` (a bucket
    name) and its objects."""
    for statement in statements(document):
        if statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition")
        # Only the TLS condition: any other key would narrow the denial to some requests.
        exact = (
            isinstance(condition, Mapping) and list(condition) == ["Bool"] and isinstance(condition["Bool"], Mapping)
        )
        secure = condition["Bool"] if exact else {}  # type: ignore[index]
        actions = as_list(statement.get("Action"))
        resources = [r for r in as_list(statement.get("Resource")) if isinstance(r, str)]
        if (
            exact
            and list(secure) == ["aws:SecureTransport"]
            and [str(v).lower() for v in as_list(secure["aws:SecureTransport"])] == ["false"]
            and _everyone(statement.get("Principal"))
            and ("s3:*" in actions or "*" in actions)
            and _covers(resources, bucket)
            and _covers(resources, f"{bucket}/*")
        ):
            return True
    return False


def _holders(bucket: PolicyResource, resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """What writes the bucket's policy: the bucket itself (an inline ``policy``, set or unknown) and every
    separate bucket policy for it."""
    inline = read(bucket.props, "policy")
    own = [bucket] if is_set(inline) or isinstance(inline, Unknown) else []
    return [*own, *companions(bucket, resources, POLICY_TYPES)]


def _named(holder: PolicyResource, bucket: PolicyResource) -> str:
    if holder is bucket:
        return f"the inline policy of {holder.resource_type} {literal(holder.name)}"
    return f"{holder.resource_type} {literal(holder.name)}"


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for bucket in buckets(resources):
        name = read(bucket.props, "bucket")
        if isinstance(name, Unknown):
            check.cannot_verify(bucket, name, EXPECTED)
            continue
        holders = _holders(bucket, resources)
        if len(holders) > 1:
            # PutBucketPolicy "Replaces a policy on a bucket. If the bucket already has a policy, the one in this
            # request completely replaces it." (AWS SDK for .NET, PutBucketPolicyRequest, https://docs.aws.amazon.com/
            # sdkfornet/latest/apidocs/items/TS3PutBucketPolicyRequestNET45.html): of several writers the last one
            # wins, and the denial may not be the one kept.
            check.fail(
                bucket,
                "policy",
                [_named(holder, bucket) for holder in holders],
                f"one bucket policy (inline, or one aws:s3/bucketPolicy) with {EXPECTED}",
                f"the bucket {literal(name)} has {len(holders)} bucket policies ("
                + ", ".join(_named(holder, bucket) for holder in holders)
                + "); S3 keeps one policy per bucket (PutBucketPolicy replaces it), so whichever is written last "
                "wins: merge them into one",
            )
            continue
        documents = [(holder, read(holder.props, "policy")) for holder in holders]
        if isinstance(name, str) and any(
            denies_plain_http(policy_document(document) or {}, name) for _, document in documents
        ):
            continue
        unknowns = [(holder, document) for holder, document in documents if isinstance(document, Unknown)]
        if unknowns:
            for holder, unknown in unknowns:
                check.cannot_verify(holder, unknown, EXPECTED)
            continue
        check.fail(
            bucket,
            "policy",
            MISSING,
            EXPECTED,
            f"no bucket policy in the stack denies plain-HTTP requests to the bucket {literal(name)} and its "
            "objects (a denial that names another bucket does not count)",
        )


POLICY = stack_policy(META, _check)
