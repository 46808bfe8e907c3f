"""AIS-ENC-002: every S3 bucket defaults to SSE-KMS with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import MISSING, Check, RuleMeta, Unknown, items, literal, read, stack_policy
from ..requirements import verify_key_reference
from ..s3 import buckets, companions

META = RuleMeta(
    id="AIS-ENC-002",
    name="S3BucketsDefaultToCustomerManagedKeys",
    title="S3 buckets default to SSE-KMS with a customer-managed key",
    description="Every S3 bucket has default encryption aws:kms (or aws:kms:dsse) with a customer-managed key, "
    "set inline or by a BucketServerSideEncryptionConfiguration anywhere in the stack.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.EncryptedBucket, or add an aws.s3.BucketServerSideEncryptionConfiguration "
    "for the bucket with sse_algorithm 'aws:kms' and kms_master_key_id set to the stack's key.",
)

SSE_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
KMS_EXPECTED = " or ".join(literal(algorithm) for algorithm in KMS_ALGORITHMS)


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for bucket in buckets(resources):
        configurations = [(sse, "rules") for sse in companions(bucket, resources, SSE_TYPES)]
        inline = read(bucket.props, "serverSideEncryptionConfiguration.rule")
        if inline is not MISSING and inline is not None:
            configurations.append((bucket, "serverSideEncryptionConfiguration.rule"))
        if not configurations:
            check.fail(
                bucket,
                "serverSideEncryptionConfiguration",
                MISSING,
                "SSE-KMS with a customer-managed key",
                "no default encryption configuration for this bucket anywhere in the stack",
            )
        for resource, path in configurations:
            _verify(check, resource, path)


def _verify(check: Check, resource: PolicyResource, path: str) -> None:
    """``path`` holds one rule (inline: an object) or a list of rules (the separate resource)."""
    value = read(resource.props, path)
    rules = [(path, value)] if isinstance(value, Mapping | Unknown) else list(items(resource.props, path))
    if not rules:
        check.fail(resource, path, value, "SSE-KMS with a customer-managed key", "the configuration has no rule")
    for rule_path, rule in rules:
        if isinstance(rule, Unknown):
            check.cannot_verify(resource, rule, "SSE-KMS with a customer-managed key")
            continue
        algorithm_path = f"{rule_path}.applyServerSideEncryptionByDefault.sseAlgorithm"
        algorithm = read(resource.props, algorithm_path)
        if isinstance(algorithm, Unknown):
            check.cannot_verify(resource, algorithm, KMS_EXPECTED)
        elif algorithm not in KMS_ALGORITHMS:
            check.fail(
                resource,
                algorithm_path,
                algorithm,
                KMS_EXPECTED,
                "default encryption is not SSE-KMS, so no customer-managed key protects the objects",
            )
            continue
        verify_key_reference(check, resource, f"{rule_path}.applyServerSideEncryptionByDefault.kmsMasterKeyId")


POLICY = stack_policy(META, _check)
