"""AIS-ENC-002 (``policies/rules/enc_002_s3_default_encryption.py``): S3 buckets default to SSE-KMS with a
customer-managed key, set inline or by a separate configuration joined by bucket name or, at preview, by
dependency.
"""

from __future__ import annotations

from .fixtures import KEY_ARN, SSE, UNKNOWN, findings, only, res, run, s3, sse


def test_s3_encryption_joined_by_bucket_name() -> None:
    bucket = s3()
    assert findings(run(bucket, sse(bucket)), "AIS-ENC-002") == []


def test_s3_without_default_encryption() -> None:
    (name, _, message) = only(run(s3()), "AIS-ENC-002")
    assert name == "data"
    assert "no default encryption" in message


def test_s3_with_sse_s3_instead_of_kms() -> None:
    bucket = s3()
    (_, path, _) = only(run(bucket, sse(bucket, algorithm="AES256")), "AIS-ENC-002")
    assert path == "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"


def test_s3_encryption_at_preview_joined_by_dependency() -> None:
    key = res("aws:kms/key:Key", "key", {"enableKeyRotation": True})
    bucket = res("aws:s3/bucket:Bucket", "auto", {})
    config = res(
        SSE,
        "auto-sse",
        {
            "bucket": UNKNOWN,
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}}],
        },
        deps={"bucket": [bucket], "rules": [key]},
    )
    assert findings(run(key, bucket, config, preview=True), "AIS-ENC-002") == []


def test_s3_inline_encryption_counts() -> None:
    bucket = s3(
        serverSideEncryptionConfiguration={
            "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}
        }
    )
    assert findings(run(bucket), "AIS-ENC-002") == []
