"""AIS-RES-002 (``policies/rules/res_002_data_egress.py``): no route sends data out of the allowed jurisdictions.

Log sinks (into a log bucket, a storage bucket of the stack, a destination outside it, one unknown at
preview), S3 replication (known and unknown destinations) and KMS multi-Region replica keys.
"""

from __future__ import annotations

import pytest

from aistacks.engine.graph import ResourceRecord

from .fixtures import AWS_EU, AWS_US, CRYPTO_KEY, KEY_ARN, UNKNOWN, findings, gcs, only, res, run

SINK = "gcp:logging/projectSink:ProjectSink"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"


@pytest.mark.parametrize(("location", "violations"), [("europe-west4", 0), ("us-central1", 1)])
def test_sink_into_a_log_bucket(location: str, violations: int) -> None:
    sink = res(SINK, "sink", {"destination": f"logging.googleapis.com/projects/p/locations/{location}/buckets/audit"})
    assert len(findings(run(sink), "AIS-RES-002")) == violations


def test_sink_into_a_storage_bucket_of_the_stack_in_the_us() -> None:
    bucket = gcs("us-logs", "US")
    sink = res(SINK, "sink", {"destination": "storage.googleapis.com/us-logs-bucket"})
    bucket.inputs["name"] = "us-logs-bucket"
    config = {"AIS-RES-001": "disabled"}
    (_, path, message) = only(run(bucket, sink, config=config), "AIS-RES-002")
    assert path == "destination"
    assert "(us)" in message


def test_sink_destination_unknown_at_preview_located_through_its_dependency() -> None:
    log_bucket = res(LOG_BUCKET, "audit", {"location": "europe-west4", "cmekSettings": {"kmsKeyName": CRYPTO_KEY}})
    sink = res(SINK, "sink", {"destination": UNKNOWN}, deps={"destination": [log_bucket]})
    assert findings(run(log_bucket, sink, preview=True), "AIS-RES-002") == []
    orphan = res(SINK, "orphan", {"destination": UNKNOWN})
    assert only(run(orphan, preview=True), "AIS-RES-002")[2].startswith("could not verify destination")


def test_sink_to_a_destination_outside_the_stack_cannot_be_established() -> None:
    sink = res(SINK, "sink", {"destination": "bigquery.googleapis.com/projects/p/datasets/elsewhere"})
    assert "cannot be established" in only(run(sink), "AIS-RES-002")[2]


@pytest.mark.parametrize(("destination_provider", "violations"), [(AWS_US, 1), (AWS_EU, 0)])
def test_s3_replication_destination(destination_provider: ResourceRecord, violations: int) -> None:
    target = res("aws:s3/bucket:Bucket", "replica", {"bucket": "replica-bucket"}, destination_provider)
    replication = res(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "replication",
        {
            "bucket": "source",
            "role": "arn:aws:iam::1:role/r",
            "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::replica-bucket"}}],
        },
    )
    result = run(target, replication, config={"AIS-RES-001": "disabled"})
    assert len(findings(result, "AIS-RES-002")) == violations


def test_every_possible_replication_destination_is_checked_when_unknown() -> None:
    eu = res("aws:s3/bucket:Bucket", "eu-replica", {"bucket": "eu-replica"})
    us = res("aws:s3/bucket:Bucket", "us-replica", {"bucket": "us-replica"}, AWS_US)
    replication = res(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "replication",
        {
            "bucket": "source",
            "role": "r",
            "rules": [{"destination": {"bucket": UNKNOWN}}, {"destination": {"bucket": UNKNOWN}}],
        },
        deps={"rules": [eu, us]},
    )
    found = findings(run(eu, us, replication, config={"AIS-RES-001": "disabled"}, preview=True), "AIS-RES-002")
    assert {message for _, _, message in found} == {"data is sent to us-east-1 (us)"}


def test_kms_replica_key_outside_the_jurisdiction() -> None:
    replica = res("aws:kms/replicaKey:ReplicaKey", "replica", {"primaryKeyArn": KEY_ARN}, AWS_US)
    assert only(run(replica, config={"AIS-RES-001": "disabled"}), "AIS-RES-002")[2] == "data is sent to us-east-1 (us)"
    assert findings(run(res("aws:kms/replicaKey:ReplicaKey", "ok", {"primaryKeyArn": KEY_ARN})), "AIS-RES-002") == []
