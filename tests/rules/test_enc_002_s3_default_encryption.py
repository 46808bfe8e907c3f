"""AIS-ENC-002 (``policies/rules/enc_002_s3_default_encryption.py``): S3 buckets default to SSE-KMS with a
customer-managed key, set inline or by a separate configuration joined by bucket name or, at preview, by
dependency.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aistacks.engine.graph import ResourceRecord
from aistacks.policies.rules.enc_002_s3_default_encryption import INLINE, SSE_TYPES
from aistacks.policies.s3 import BUCKET_TYPES

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


@pytest.mark.parametrize(("verbatim", "violations"), [(True, 0), (False, 1)], ids=["key.arn", "derived"])
def test_s3_encryption_at_preview_joined_by_dependency(verbatim: bool, violations: int) -> None:
    """Joined to its bucket by dependency; the key passes when it is verbatim the key's ARN, not when it is
    computed from it (the engine's provenance record)."""
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
    if verbatim:
        config.verbatim_sources = {"rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId": (key.urn, "arn")}
    assert len(findings(run(key, bucket, config, preview=True), "AIS-ENC-002")) == violations


def test_s3_inline_encryption_counts() -> None:
    bucket = s3(
        serverSideEncryptionConfiguration={
            "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}
        }
    )
    assert findings(run(bucket), "AIS-ENC-002") == []


# --- every shape of the same state: inline on either bucket type, or either separate resource ---------

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"


def _default(algorithm: str) -> dict[str, Any]:
    return {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": KEY_ARN}}


def _inline(type_token: str, algorithm: str) -> ResourceRecord:
    """A bucket with default encryption set inline, in the shape of its type."""
    default = _default(algorithm)["applyServerSideEncryptionByDefault"]
    shape: dict[str, Any] = (
        {"serverSideEncryptionConfiguration": {"rule": _default(algorithm)}}
        if type_token == "aws:s3/bucket:Bucket"
        else {"serverSideEncryptionConfigurations": [{"rules": [{"applyServerSideEncryptionByDefaults": [default]}]}]}
    )
    return res(type_token, "data", {"bucket": "data-bucket", **shape})


def _separate(type_token: str, sse_type: str, algorithm: str) -> list[ResourceRecord]:
    bucket = res(type_token, "data", {"bucket": "data-bucket"})
    return [bucket, res(sse_type, "data-sse", {"bucket": "data-bucket", "rules": [_default(algorithm)]})]


SHAPES = {
    "Bucket inline": lambda algorithm: [_inline("aws:s3/bucket:Bucket", algorithm)],
    "BucketV2 inline": lambda algorithm: [_inline(BUCKET_V2, algorithm)],
    "Bucket + SSE": lambda algorithm: _separate("aws:s3/bucket:Bucket", SSE, algorithm),
    "Bucket + SSE V2": lambda algorithm: _separate("aws:s3/bucket:Bucket", SSE_V2, algorithm),
    "BucketV2 + SSE": lambda algorithm: _separate(BUCKET_V2, SSE, algorithm),
    "BucketV2 + SSE V2": lambda algorithm: _separate(BUCKET_V2, SSE_V2, algorithm),
}
"""Each shape, from the algorithm of its one rule (pulumi-aws 7.51.1: s3.Bucket holds one inline ``rule``,
s3.BucketV2 a list of configurations each with ``rules`` of ``applyServerSideEncryptionByDefaults``, the
separate resources ``rules``)."""


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_of_default_encryption_is_judged_alike(shape: str) -> None:
    assert findings(run(*SHAPES[shape]("aws:kms")), "AIS-ENC-002") == []
    (_, path, message) = only(run(*SHAPES[shape]("AES256")), "AIS-ENC-002")
    assert path.endswith(("applyServerSideEncryptionByDefault.sseAlgorithm", "ByDefaults[0].sseAlgorithm"))
    assert "not SSE-KMS" in message


@pytest.mark.parametrize("type_token", ["aws:s3/bucket:Bucket", BUCKET_V2])
def test_a_bucket_of_either_type_with_neither_shape_is_a_finding(type_token: str) -> None:
    (name, path, message) = only(run(res(type_token, "data", {"bucket": "data-bucket"})), "AIS-ENC-002")
    assert (name, path) == ("data", "serverSideEncryptionConfiguration")
    assert "no default encryption" in message


def test_an_inline_configuration_without_rules_is_a_finding() -> None:
    bucket = res(BUCKET_V2, "data", {"bucket": "data-bucket", "serverSideEncryptionConfigurations": [{"rules": []}]})
    (_, path, message) = only(run(bucket), "AIS-ENC-002")
    assert path == "serverSideEncryptionConfigurations[0].rules"
    assert "no rule" in message


def test_an_inline_rule_without_a_default_is_a_finding() -> None:
    bucket = res(BUCKET_V2, "data", {"bucket": "data-bucket", "serverSideEncryptionConfigurations": [{"rules": [{}]}]})
    (_, path, message) = only(run(bucket), "AIS-ENC-002")
    assert path == "serverSideEncryptionConfigurations[0].rules[0].applyServerSideEncryptionByDefaults"
    assert "no default encryption" in message


def test_the_readme_counts_the_shapes_judged() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if "| AIS-ENC-002 |" in line]
    counted = re.search(r"\((\d+) types, judged alike\)", row)
    assert counted, row
    assert int(counted[1]) == len(BUCKET_TYPES | SSE_TYPES) == len(SHAPES) - 2
    assert set(INLINE) == BUCKET_TYPES
