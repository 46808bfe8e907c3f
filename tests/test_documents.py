"""The AWS policy documents: pure functions, checked statement by statement."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aistacks.aws.documents import (
    bucket_access_policy,
    cloudtrail_delivery_statements,
    key_policy,
    tls_only_statements,
)

ACCOUNT = "123456789012"
accounts = st.from_regex(r"[0-9]{12}", fullmatch=True)
regions = st.sampled_from(["eu-west-1", "eu-central-1", "us-east-2", "ap-southeast-2"])


def by_sid(document: dict[str, object]) -> dict[str, dict[str, object]]:
    statements = document["Statement"]
    assert isinstance(statements, list)
    return {statement["Sid"]: statement for statement in statements}


def test_key_policy_without_services_only_lets_the_account_administer() -> None:
    statements = by_sid(key_policy(ACCOUNT, "aws", "eu-west-1", ()))
    assert list(statements) == ["AccountAdministration"]
    assert statements["AccountAdministration"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


@given(account=accounts, region=regions, partition=st.sampled_from(["aws", "aws-us-gov"]))
def test_service_statements_are_bound_to_the_account(account: str, region: str, partition: str) -> None:
    statements = by_sid(key_policy(account, partition, region, ("cloudtrail", "logs")))
    trail = statements["CloudTrailEncryptLogs"]
    assert trail["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account}:trail/*"},
    }
    logs = statements["CloudWatchLogsEncryptLogGroups"]
    assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        f"arn:{partition}:logs:{region}:{account}:log-group:*"
    )
    assert "kms:*" not in str([s["Action"] for sid, s in statements.items() if sid != "AccountAdministration"])


def test_only_requested_services_are_admitted() -> None:
    assert "CloudWatchLogsEncryptLogGroups" not in by_sid(key_policy(ACCOUNT, "aws", "eu-west-1", ("cloudtrail",)))
    assert "CloudTrailEncryptLogs" not in by_sid(key_policy(ACCOUNT, "aws", "eu-west-1", ("logs",)))


def test_tls_only_denies_plain_http_and_old_tls_on_bucket_and_objects() -> None:
    statements = tls_only_statements("arn:aws:s3:::data")
    assert all(s["Effect"] == "Deny" and s["Principal"] == "*" for s in statements)
    assert all(s["Resource"] == ["arn:aws:s3:::data", "arn:aws:s3:::data/*"] for s in statements)
    conditions = [s["Condition"] for s in statements]
    assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
    assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions


def test_cloudtrail_may_write_only_its_account_prefix_with_owner_control() -> None:
    trail = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit"
    acl, write = cloudtrail_delivery_statements("arn:aws:s3:::logs", trail, ACCOUNT)
    assert acl["Action"] == "s3:GetBucketAcl"
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}
    assert write["Resource"] == f"arn:aws:s3:::logs/AWSLogs/{ACCOUNT}/*"
    assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


@given(write=st.booleans(), region=regions)
def test_bucket_access_uses_the_key_only_through_s3_in_its_region(write: bool, region: str) -> None:
    key = f"arn:aws:kms:{region}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    statements = by_sid(bucket_access_policy("arn:aws:s3:::data", key, write=write))
    use_key = statements["UseBucketKey"]
    assert use_key["Resource"] == key
    assert use_key["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}
    assert ("kms:GenerateDataKey" in use_key["Action"]) is write
    assert ("s3:PutObject" in statements["Objects"]["Action"]) is write
    assert ("s3:GetObject" in statements["Objects"]["Action"]) is not write
