"""AIS-TLS-001 (``policies/rules/tls_001_s3_tls_only.py``): S3 buckets deny requests without TLS.

A bucket policy with the TLS denial, without it, with none, unknown at preview, and denials narrowed by
another condition, to the objects only or to some principals; everyone in any form; one policy holder per
bucket (inline plus separate, or two separate, fail).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aistacks.engine.graph import ResourceRecord

from .fixtures import UNKNOWN, findings, only, res, run, s3, sse

TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def bucket_policy(bucket: ResourceRecord, statements: list[dict[str, Any]] | str) -> ResourceRecord:
    document = (
        statements if isinstance(statements, str) else json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    return res(
        "aws:s3/bucketPolicy:BucketPolicy",
        f"{bucket.name}-policy",
        {"bucket": bucket.inputs["bucket"], "policy": document},
    )


def test_tls_only_bucket_policy() -> None:
    bucket = s3()
    assert findings(run(bucket, sse(bucket), bucket_policy(bucket, [TLS_DENY])), "AIS-TLS-001") == []


def test_bucket_policy_without_the_tls_denial() -> None:
    bucket = s3()
    allow = {**TLS_DENY, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}}
    assert "denies plain-HTTP" in only(run(bucket, sse(bucket), bucket_policy(bucket, [allow])), "AIS-TLS-001")[2]
    assert len(findings(run(bucket, sse(bucket)), "AIS-TLS-001")) == 1


def test_bucket_policy_unknown_at_preview_cannot_be_verified() -> None:
    bucket = s3()
    assert only(run(bucket, sse(bucket), bucket_policy(bucket, UNKNOWN), preview=True), "AIS-TLS-001")[2].startswith(
        "could not verify policy"
    )


@pytest.mark.parametrize(
    "statement",
    [
        {
            **TLS_DENY,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringNotEquals": {"aws:SourceVpce": "v"}},
        },
        {**TLS_DENY, "Resource": "arn:aws:s3:::data-bucket/*"},
    ],
)
def test_a_narrowed_tls_denial_does_not_count(statement: dict[str, Any]) -> None:
    bucket = s3()
    assert len(findings(run(bucket, sse(bucket), bucket_policy(bucket, [statement])), "AIS-TLS-001")) == 1


OTHER_BUCKET = {**TLS_DENY, "Resource": ["arn:aws:s3:::other-bucket", "arn:aws:s3:::other-bucket/*"]}


@pytest.mark.parametrize(
    ("statement", "violations"),
    [
        (TLS_DENY, 0),
        ({**TLS_DENY, "Resource": ["arn:aws-cn:s3:::data-bucket", "arn:aws-cn:s3:::data-bucket/*"]}, 0),
        ({**TLS_DENY, "Resource": "*"}, 0),
        ({**TLS_DENY, "Resource": ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"]}, 0),
        (OTHER_BUCKET, 1),
        ({**TLS_DENY, "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::other-bucket/*"]}, 1),
    ],
)
def test_the_denial_names_the_bucket_it_is_attached_to_inline_or_separate(
    statement: dict[str, Any], violations: int
) -> None:
    bucket = s3()
    assert len(findings(run(bucket, sse(bucket), bucket_policy(bucket, [statement])), "AIS-TLS-001")) == violations
    inline = s3(policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert len(findings(run(inline, sse(inline)), "AIS-TLS-001")) == violations


def test_another_buckets_denial_is_named_in_the_message() -> None:
    bucket = s3()
    message = only(run(bucket, sse(bucket), bucket_policy(bucket, [OTHER_BUCKET])), "AIS-TLS-001")[2]
    assert 'to the bucket "data-bucket"' in message


def test_a_bucket_name_unknown_at_preview_cannot_be_verified() -> None:
    bucket = s3(bucket=UNKNOWN)
    assert only(run(bucket, preview=True), "AIS-TLS-001")[1] == "bucket"


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}]
)
def test_everyone_in_any_form_is_denied(principal: Any) -> None:
    bucket = s3()
    policy = bucket_policy(bucket, [{**TLS_DENY, "Principal": principal}])
    assert findings(run(bucket, sse(bucket), policy), "AIS-TLS-001") == []


def test_a_denial_for_some_principals_does_not_count() -> None:
    bucket = s3()
    policy = bucket_policy(bucket, [{**TLS_DENY, "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}}])
    assert len(findings(run(bucket, sse(bucket), policy), "AIS-TLS-001")) == 1


READ = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject"}


def test_a_bucket_has_one_policy_holder() -> None:
    """S3 keeps one policy per bucket (PutBucketPolicy replaces it): a second writer may drop the denial."""
    bucket = s3()
    deny = bucket_policy(bucket, [TLS_DENY])
    other = res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "data-read",
        {
            "bucket": "data-bucket",
            "policy": json.dumps({"Statement": [{**READ, "Resource": "arn:aws:s3:::data-bucket/*"}]}),
        },
    )
    name, path, message = only(run(bucket, sse(bucket), deny, other), "AIS-TLS-001")
    assert (name, path) == ("data", "policy")
    assert 'has 2 bucket policies (aws:s3/bucketPolicy:BucketPolicy "data-policy", ' in message
    assert 'aws:s3/bucketPolicy:BucketPolicy "data-read")' in message
    # an inline policy and a separate one fight the same way, even when both deny
    inline = s3(policy=json.dumps({"Version": "2012-10-17", "Statement": [TLS_DENY]}))
    message = only(run(inline, sse(inline), bucket_policy(inline, [TLS_DENY])), "AIS-TLS-001")[2]
    assert 'the inline policy of aws:s3/bucket:Bucket "data"' in message
    # one holder that denies passes (the compliant case)
    assert findings(run(inline, sse(inline)), "AIS-TLS-001") == []
