"""AIS-RES-002 (``policies/rules/res_002_data_egress.py``): no route sends data out of the allowed jurisdictions.

Log sinks (into a log bucket, a storage bucket of the stack, a destination outside it, one unknown at
preview), S3 replication (known and unknown destinations) and KMS multi-Region replica keys. Every replica
or destination placement of the provider catalog (DynamoDB replicas, ECR replication destinations, inline
and separate S3 replication, Secret Manager replicas, snapshot copies, backup locations, replica zones) and
the resources that are themselves a replica (DynamoDB table replicas, KMS replica keys), each as a
compliant and a minimally weakened pair.
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
    sink.verbatim_sources = {"destination": (log_bucket.urn, "id")}  # as the engine records log_bucket.id
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
    # Each rule's bucket is verbatim one bucket's ARN, as the engine records it; without that record the
    # destinations could be anything, and cannot be verified.
    replication.verbatim_sources = {
        "rules[0].destination.bucket": (eu.urn, "arn"),
        "rules[1].destination.bucket": (us.urn, "arn"),
    }
    found = findings(run(eu, us, replication, config={"AIS-RES-001": "disabled"}, preview=True), "AIS-RES-002")
    assert {message for _, _, message in found} == {"data is sent to us-east-1 (us)"}


def test_kms_replica_key_outside_the_jurisdiction() -> None:
    replica = res("aws:kms/replicaKey:ReplicaKey", "replica", {"primaryKeyArn": KEY_ARN}, AWS_US)
    assert only(run(replica, config={"AIS-RES-001": "disabled"}), "AIS-RES-002")[2] == "data is sent to us-east-1 (us)"
    assert findings(run(res("aws:kms/replicaKey:ReplicaKey", "ok", {"primaryKeyArn": KEY_ARN})), "AIS-RES-002") == []


# --- every replica or destination placement of the provider catalog ---------------------------------

TABLE = "aws:dynamodb/table:Table"
ECR = "aws:ecr/replicationConfiguration:ReplicationConfiguration"
RESIDENCY_002_ONLY = {"AIS-RES-001": "disabled"}


def _ecr(region: str) -> dict[str, object]:
    return {"replicationConfiguration": {"rules": [{"destinations": [{"region": region, "registryId": "1"}]}]}}


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (res(TABLE, "t", {"replicas": [{"regionName": "eu-west-3"}, {"regionName": "eu-central-1"}]}), None),
        (
            res(TABLE, "t", {"replicas": [{"regionName": "eu-west-3"}, {"regionName": "us-east-1"}]}),
            "replicas[1].regionName",
        ),
        (res(TABLE, "t", {"globalTableWitness": {"regionName": "us-west-2"}}), "globalTableWitness.regionName"),
        (
            res("aws:dynamodb/globalTable:GlobalTable", "g", {"replicas": [{"regionName": "us-east-1"}]}),
            "replicas[0].regionName",
        ),
        (res(ECR, "ecr", _ecr("eu-west-1")), None),
        (res(ECR, "ecr", _ecr("us-east-1")), "replicationConfiguration.rules[0].destinations[0].region"),
        (res("aws:secretsmanager/secret:Secret", "s", {"replicas": [{"region": "eu-west-3"}]}), None),
        (res("aws:secretsmanager/secret:Secret", "s", {"replicas": [{"region": "us-east-2"}]}), "replicas[0].region"),
        (res("aws:rds/snapshotCopy:SnapshotCopy", "c", {"destinationRegion": "eu-west-3"}), None),
        (res("aws:rds/snapshotCopy:SnapshotCopy", "c", {"destinationRegion": "us-west-2"}), "destinationRegion"),
        (
            res(
                "aws:efs/replicationConfiguration:ReplicationConfiguration",
                "e",
                {"destination": {"region": "us-east-1"}},
            ),
            "destination.region",
        ),
        (
            res(
                "gcp:sql/databaseInstance:DatabaseInstance",
                "sql",
                {"settings": {"backupConfiguration": {"location": "eu"}}},
            ),
            None,
        ),
        (
            res(
                "gcp:sql/databaseInstance:DatabaseInstance",
                "sql",
                {"settings": {"backupConfiguration": {"location": "us"}}},
            ),
            "settings.backupConfiguration.location",
        ),
        (res("gcp:compute/regionDisk:RegionDisk", "d", {"replicaZones": ["europe-west4-a", "europe-west4-b"]}), None),
        (
            res("gcp:compute/regionDisk:RegionDisk", "d", {"replicaZones": ["europe-west4-a", "us-east1-b"]}),
            "replicaZones[1]",
        ),
        (
            res(
                "gcp:secretmanager/secret:Secret",
                "s",
                {"replication": {"userManaged": {"replicas": [{"location": "us-east1"}]}}},
            ),
            "replication.userManaged.replicas[0].location",
        ),
    ],
)
def test_every_replica_placement_is_judged(record: ResourceRecord, path: str | None) -> None:
    found = [(name, where) for name, where, _ in findings(run(record, config=RESIDENCY_002_ONLY), "AIS-RES-002")]
    assert found == ([] if path is None else [(record.name, path)])


def test_a_replica_unknown_at_preview_cannot_be_verified() -> None:
    table = res(TABLE, "t", {"replicas": [{"regionName": UNKNOWN}]})
    (_, path, message) = only(run(table, config=RESIDENCY_002_ONLY, preview=True), "AIS-RES-002")
    assert path == "replicas[0].regionName"
    assert message.startswith("could not verify")


@pytest.mark.parametrize(("on", "violations"), [(AWS_EU, 0), (AWS_US, 1)])
def test_resources_that_are_a_replica_are_judged_where_they_are(on: ResourceRecord, violations: int) -> None:
    table_replica = res("aws:dynamodb/tableReplica:TableReplica", "tr", {"globalTableArn": "arn"}, on)
    external = res("aws:kms/replicaExternalKey:ReplicaExternalKey", "ek", {"primaryKeyArn": KEY_ARN}, on)
    found = findings(run(table_replica, external, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert len(found) == 2 * violations


def test_a_table_replica_is_judged_at_its_own_region() -> None:
    """TableReplica's args (TableReplicaInitArgs) give the catalog its region: the replica is placed there."""
    props = {"globalTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "kmsKeyArn": KEY_ARN}

    def paths(region: str) -> list[str]:
        replica = res("aws:dynamodb/tableReplica:TableReplica", "tr", {**props, "region": region})
        return [path for _, path, _ in findings(run(replica, config=RESIDENCY_002_ONLY), "AIS-RES-002")]

    assert paths("eu-central-1") == []
    assert paths("us-east-1") == ["region"]


@pytest.mark.parametrize(("region", "violations"), [("eu-central-1", 0), ("us-east-1", 1)])
def test_a_cross_region_pipelines_artifact_stores_are_destinations(region: str, violations: int) -> None:
    store = {"location": "artifacts", "type": "S3", "encryptionKey": {"id": KEY_ARN, "type": "KMS"}}
    stores = [{**store, "region": "eu-west-1"}, {**store, "region": region}]
    pipeline = res("aws:codepipeline/pipeline:Pipeline", "p", {"artifactStores": stores})
    found = findings(run(pipeline, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert [path for _, path, _ in found] == ["artifactStores[1].region"] * violations


@pytest.mark.parametrize(("destination_provider", "violations"), [(AWS_US, 1), (AWS_EU, 0)])
def test_inline_s3_replication_is_judged_like_the_separate_resource(
    destination_provider: ResourceRecord, violations: int
) -> None:
    target = res("aws:s3/bucket:Bucket", "replica", {"bucket": "replica-bucket"}, destination_provider)
    rule = {"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::replica-bucket"}}
    source = res("aws:s3/bucket:Bucket", "source", {"bucket": "source", "replicationConfiguration": {"rules": [rule]}})
    found = findings(run(target, source, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert [(name, path) for name, path, _ in found] == [
        ("source", "replicationConfiguration.rules[0].destination.bucket")
    ] * violations


def test_an_s3_replication_destination_outside_the_stack_cannot_be_established() -> None:
    rule = {"destination": {"bucket": "arn:aws:s3:::elsewhere"}}
    source = res("aws:s3/bucket:Bucket", "source", {"bucket": "source", "replicationConfiguration": {"rules": [rule]}})
    (_, _, message) = only(run(source, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert message == "the destination is not in this stack and its location cannot be established"


def test_a_sink_into_a_dataset_without_location_is_judged_by_the_datasets_us_default() -> None:
    dataset = res("gcp:bigquery/dataset:Dataset", "audit", {"datasetId": "audit"})
    sink = res(SINK, "sink", {"destination": "bigquery.googleapis.com/projects/p/datasets/audit"})
    (_, path, message) = only(run(dataset, sink, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert (path, message) == ("destination", "data is sent to US (us)")
