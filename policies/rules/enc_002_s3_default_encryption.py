"""AIS-ENC-002: every S3 bucket defaults to SSE-KMS with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import MISSING, Check, RuleMeta, Unknown, items, literal, read, stack_policy
from ..requirements import verify_key_reference
from ..s3 import buckets, companions

META = RuleMeta(
    id="AIS-ENC-002",
    name="S3BucketsDefaultToCustomerManagedKeys",
    title="S3 buckets default to SSE-KMS with a customer-managed key",
    description="Every S3 bucket has default encryption aws:kms (or aws:kms:dsse) with a customer-managed key, "
    "set inline (Bucket serverSideEncryptionConfiguration, BucketV2 serverSideEncryptionConfigurations) or by a "
    "BucketServerSideEncryptionConfiguration(V2) anywhere in the stack: every shape is judged alike.",
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
DEFAULT = "applyServerSideEncryptionByDefault"
INLINE = {
    "aws:s3/bucket:Bucket": ("serverSideEncryptionConfiguration.rule", DEFAULT),
    "aws:s3/bucketV2:BucketV2": ("serverSideEncryptionConfigurations[].rules", "applyServerSideEncryptionByDefaults"),
}
"""Where each bucket type sets default encryption inline, and what its rules call the default: pulumi-aws
7.51.1 s3.Bucket holds one rule object (``server_side_encryption_configuration.rule``) with one default;
s3.BucketV2 a list of configurations, each a list of rules, each a list of defaults
(``server_side_encryption_configurations[].rules[].apply_server_side_encryption_by_defaults[]``). The separate
resources (both versions) hold ``rules[]``, each with one default."""
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
KMS_EXPECTED = " or ".join(literal(algorithm) for algorithm in KMS_ALGORITHMS)
EXPECTED = "SSE-KMS with a customer-managed key"


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for bucket in buckets(resources):
        configurations = [(sse, "rules", DEFAULT) for sse in companions(bucket, resources, SSE_TYPES)]
        configurations += _inline(bucket)
        if not configurations:
            check.fail(
                bucket,
                "serverSideEncryptionConfiguration",
                MISSING,
                EXPECTED,
                "no default encryption configuration for this bucket anywhere in the stack",
            )
        for resource, path, default in configurations:
            _verify(check, resource, path, default)


def _inline(bucket: PolicyResource) -> list[tuple[PolicyResource, str, str]]:
    """``(bucket, rules path, default name)`` of each inline configuration the bucket has."""
    path, default = INLINE[bucket.resource_type]
    outer, marker, inner = path.partition("[].")
    paths = [f"{element}.{inner}" for element, _ in items(bucket.props, outer)] if marker else [path]
    return [(bucket, found, default) for found in paths if read(bucket.props, found) not in (MISSING, None)]


def _elements(props: Mapping[str, Any], path: str) -> list[tuple[str, Any]]:
    """``(path, value)`` of the one object (or unknown) at ``path``, or of every element of the list there."""
    value = read(props, path)
    return [(path, value)] if isinstance(value, Mapping | Unknown) else list(items(props, path))


def _verify(check: Check, resource: PolicyResource, path: str, default: str) -> None:
    """``path`` holds one rule or a list of rules; each rule one default or a list of them (``default``)."""
    rules = _elements(resource.props, path)
    if not rules:
        check.fail(resource, path, read(resource.props, path), EXPECTED, "the configuration has no rule")
    for rule_path, rule in rules:
        if isinstance(rule, Unknown):
            check.cannot_verify(resource, rule, EXPECTED)
            continue
        defaults = _elements(resource.props, f"{rule_path}.{default}")
        if not defaults:
            check.fail(
                resource,
                f"{rule_path}.{default}",
                read(resource.props, f"{rule_path}.{default}"),
                EXPECTED,
                "the rule sets no default encryption, so objects get SSE-S3 with an AWS-owned key",
            )
        for default_path, value in defaults:
            if isinstance(value, Unknown):
                check.cannot_verify(resource, value, EXPECTED)
                continue
            algorithm = read(resource.props, f"{default_path}.sseAlgorithm")
            if isinstance(algorithm, Unknown):
                check.cannot_verify(resource, algorithm, KMS_EXPECTED)
            elif algorithm not in KMS_ALGORITHMS:
                check.fail(
                    resource,
                    f"{default_path}.sseAlgorithm",
                    algorithm,
                    KMS_EXPECTED,
                    "default encryption is not SSE-KMS, so no customer-managed key protects the objects",
                )
                continue
            verify_key_reference(check, resource, f"{default_path}.kmsMasterKeyId")


POLICY = stack_policy(META, _check)
