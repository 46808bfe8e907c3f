"""AIS-TLS-001: S3 buckets refuse requests that are not over TLS."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import MISSING, Check, RuleMeta, Unknown, read, stack_policy
from ..s3 import buckets, companions

META = RuleMeta(
    id="AIS-TLS-001",
    name="S3BucketsDenyRequestsWithoutTls",
    title="S3 buckets deny requests without TLS",
    description="Every S3 bucket has a bucket policy that denies all S3 actions on the bucket and its objects "
    "when aws:SecureTransport is false.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.EncryptedBucket, or add a Deny statement for Principal '*', Action 's3:*', "
    "Resource [bucket ARN, bucket ARN/*], Condition {Bool: {aws:SecureTransport: 'false'}}.",
)

POLICY_TYPES = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
EXPECTED = "a Deny of s3:* on the bucket and its objects when aws:SecureTransport is false"


def denies_plain_http(document: Mapping[str, Any]) -> bool:
    """Whether a policy document has a statement that denies every non-TLS request."""
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition")
        # Only the TLS condition: any other key would narrow the denial to some requests.
        exact = (
            isinstance(condition, Mapping) and list(condition) == ["Bool"] and isinstance(condition["Bool"], Mapping)
        )
        secure = condition["Bool"] if exact else {}  # type: ignore[index]
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        resources = statement.get("Resource")
        resources = [r for r in (resources if isinstance(resources, list) else [resources]) if isinstance(r, str)]
        if (
            exact
            and list(secure) == ["aws:SecureTransport"]
            and str(secure["aws:SecureTransport"]).lower() == "false"
            and statement.get("Principal") in ("*", {"AWS": "*"})
            and ("s3:*" in actions or "*" in actions)
            and any(r.endswith("/*") for r in resources)
            and any(not r.endswith("/*") for r in resources)
        ):
            return True
    return False


def _document(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, Mapping) else None


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for bucket in buckets(resources):
        holders = [bucket, *companions(bucket, resources, POLICY_TYPES)]
        documents = [(holder, read(holder.props, "policy")) for holder in holders]
        if any(denies_plain_http(_document(document) or {}) for _, document in documents):
            continue
        unknowns = [(holder, document) for holder, document in documents if isinstance(document, Unknown)]
        if unknowns:
            for holder, unknown in unknowns:
                check.cannot_verify(holder, unknown, EXPECTED)
            continue
        check.fail(bucket, "policy", MISSING, EXPECTED, "no bucket policy in the stack denies plain-HTTP requests")


POLICY = stack_policy(META, _check)
