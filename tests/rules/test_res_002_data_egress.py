"""AIS-RES-002 (``policies/rules/res_002_data_egress.py``): no route sends data out of the allowed jurisdictions.

Log sinks (into a log bucket, a storage bucket of the stack, a destination outside it, one unknown at
preview), S3 replication (known and unknown destinations) and KMS multi-Region replica keys. Every replica
or destination placement of the provider catalog (DynamoDB replicas, ECR replication destinations, inline
and separate S3 replication, Secret Manager replicas, snapshot copies, backup locations, replica zones) and
the resources that are themselves a replica (DynamoDB table replicas, KMS replica keys), each as a
compliant and a minimally weakened pair. Every route of ``policies/destinations.py`` (Backup copy actions,
Firehose destinations, log subscriptions, S3 access logs, Storage Transfer jobs, BigQuery extracts and copies,
...) the same way, with a destination outside the stack or an HTTP endpoint failing. Coverage: every key path
of a replication destination has a replica path, and every type of the common services with a
destination-like input is routed or reviewed (``policies/data/egress_reviewed.json``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aistacks.engine.graph import ResourceRecord
from aistacks.policies import provider_catalog
from aistacks.policies.destinations import ROUTES, At

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
GENERATOR = Path(__file__).resolve().parents[2] / "scripts" / "provider_catalog.py"


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
    assert message == (
        "the S3 bucket 'elsewhere' is not in this stack and its location cannot be established; "
        "a destination in eu is required"
    )


def test_a_sink_into_a_dataset_without_location_is_judged_by_the_datasets_us_default() -> None:
    dataset = res("gcp:bigquery/dataset:Dataset", "audit", {"datasetId": "audit"})
    sink = res(SINK, "sink", {"destination": "bigquery.googleapis.com/projects/p/datasets/audit"})
    (_, path, message) = only(run(dataset, sink, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert (path, message) == ("destination", "data is sent to US (us)")


# --- inline replication on BucketV2 (review finding 1) ----------------------------------------------

BUCKET_V2 = "aws:s3/bucketV2:BucketV2"


def _v2_source(destination: str) -> ResourceRecord:
    rule = {"status": "Enabled", "destinations": [{"bucket": destination, "replicaKmsKeyId": KEY_ARN}]}
    return res(BUCKET_V2, "source", {"bucket": "source", "replicationConfigurations": [{"role": "r", "rules": [rule]}]})


@pytest.mark.parametrize(("destination_provider", "violations"), [(AWS_US, 1), (AWS_EU, 0)])
def test_inline_replication_of_a_bucket_v2_is_judged(destination_provider: ResourceRecord, violations: int) -> None:
    target = res(BUCKET_V2, "replica", {"bucket": "replica-bucket"}, destination_provider)
    found = findings(run(target, _v2_source("arn:aws:s3:::replica-bucket"), config=RESIDENCY_002_ONLY), "AIS-RES-002")
    path = "replicationConfigurations[0].rules[0].destinations[0].bucket"
    assert [(name, where) for name, where, _ in found] == [("source", path)] * violations


def test_inline_replication_of_a_bucket_v2_outside_the_stack_fails() -> None:
    (_, _, message) = only(
        run(_v2_source("arn:aws:s3:::someone-elses-bucket"), config=RESIDENCY_002_ONLY), "AIS-RES-002"
    )
    assert message.startswith("the S3 bucket 'someone-elses-bucket' is not in this stack")


def test_every_replication_destination_key_path_has_a_replica_placement() -> None:
    """A type whose catalog gives the key of a replica (``destinations[].replicaKmsKeyId``, ``replicas[].kmsKeyArn``)
    copies data to that destination: the catalog must also say where the destination is, next to the key."""
    missing: list[str] = []
    for token in provider_catalog.types_with_key_paths():
        replicas = [path.path.rsplit(".", 1)[0] for path in provider_catalog.placement_paths(token).replica]
        for key in provider_catalog.key_paths(token):
            lowered = key.path.lower()
            destination = "destination" in lowered and ("replica" in lowered or "replication" in token.lower())
            if not (destination or "replicas[]" in key.path):
                continue
            if not any(key.path.startswith(f"{parent}.") for parent in replicas):
                missing.append(f"{token} {key.path}")
    assert missing == [], "add the destination's replicaPlacement to provider_catalog_overrides.json"


# --- every egress route (review finding 2) ----------------------------------------------------------

FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
TRANSFER = "gcp:storage/transferJob:TransferJob"
JOB = "gcp:bigquery/job:Job"
TRANSFER_CONFIG = "gcp:bigquery/dataTransferConfig:DataTransferConfig"
SUBSCRIPTION = "gcp:pubsub/subscription:Subscription"
EU_BUCKET = res("aws:s3/bucket:Bucket", "eu-bucket", {"bucket": "eu-bucket"})
US_BUCKET = res("aws:s3/bucket:Bucket", "us-bucket", {"bucket": "us-bucket"}, AWS_US)
EU_GCS = res("gcp:storage/bucket:Bucket", "eu-gcs", {"name": "eu-gcs", "location": "EU"})
US_GCS = res("gcp:storage/bucket:Bucket", "us-gcs", {"name": "us-gcs", "location": "US"})
EU_DATASET = res("gcp:bigquery/dataset:Dataset", "eu-ds", {"datasetId": "eu_ds", "location": "EU"})
US_DATASET = res("gcp:bigquery/dataset:Dataset", "us-ds", {"datasetId": "us_ds"})  # the US default
STACK = (EU_BUCKET, US_BUCKET, EU_GCS, US_GCS, EU_DATASET, US_DATASET)


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:111122223333:{resource}"


def _plan(vault_arn: object) -> dict[str, object]:
    rule = {"ruleName": "daily", "targetVaultName": "v", "copyActions": [{"destinationVaultArn": vault_arn}]}
    return {"name": "p", "rules": [rule]}


def _firehose(destination: str, block: str, config: dict[str, object]) -> ResourceRecord:
    return res(FIREHOSE, "fh", {"name": "fh", "destination": destination, block: config})


def _s3_backup(bucket: str) -> dict[str, str]:
    return {"bucketArn": f"arn:aws:s3:::{bucket}", "roleArn": "r"}


def _copy(dataset: str) -> dict[str, object]:
    source = {"projectId": "p", "datasetId": "eu_ds", "tableId": "t"}
    return {"jobId": "j", "copy": {"sourceTables": [source], "destinationTable": {**source, "datasetId": dataset}}}


CASES: list[tuple[str, ResourceRecord, list[str]]] = [
    # (case id, the routing resource, the paths that fail; the stack's buckets and datasets are in every run)
    ("backup-eu", res("aws:backup/plan:Plan", "r", _plan(_arn("backup", "eu-west-1", "backup-vault:eu"))), []),
    (
        "backup-us",
        res("aws:backup/plan:Plan", "r", _plan(_arn("backup", "us-east-1", "backup-vault:us"))),
        ["rules[0].copyActions[0].destinationVaultArn"],
    ),
    ("firehose-s3-eu", _firehose("extended_s3", "extendedS3Configuration", _s3_backup("eu-bucket")), []),
    (
        "firehose-s3-us",
        _firehose("extended_s3", "extendedS3Configuration", _s3_backup("us-bucket")),
        ["extendedS3Configuration.bucketArn"],
    ),
    (
        "firehose-s3-outside",
        _firehose("extended_s3", "extendedS3Configuration", _s3_backup("elsewhere")),
        ["extendedS3Configuration.bucketArn"],
    ),
    (
        "firehose-http",
        _firehose(
            "http_endpoint",
            "httpEndpointConfiguration",
            {"url": "https://intake.example.com", "s3Configuration": _s3_backup("eu-bucket")},
        ),
        ["httpEndpointConfiguration.url"],
    ),
    (
        "firehose-redshift-eu",
        _firehose(
            "redshift",
            "redshiftConfiguration",
            {
                "clusterJdbcurl": "jdbc:redshift://c.abc.eu-west-1.redshift.amazonaws.com:5439/db",
                "s3Configuration": _s3_backup("eu-bucket"),
            },
        ),
        [],
    ),
    (
        "firehose-redshift-us",
        _firehose(
            "redshift",
            "redshiftConfiguration",
            {
                "clusterJdbcurl": "jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/db",
                "s3Configuration": _s3_backup("eu-bucket"),
            },
        ),
        ["redshiftConfiguration.clusterJdbcurl"],
    ),
    (
        "firehose-opensearch-eu",
        _firehose(
            "opensearch",
            "opensearchConfiguration",
            {"domainArn": _arn("es", "eu-west-1", "domain/d"), "s3Configuration": _s3_backup("eu-bucket")},
        ),
        [],
    ),
    (
        "firehose-opensearch-us",
        _firehose(
            "opensearch",
            "opensearchConfiguration",
            {"domainArn": _arn("es", "us-east-1", "domain/d"), "s3Configuration": _s3_backup("us-bucket")},
        ),
        ["opensearchConfiguration.domainArn", "opensearchConfiguration.s3Configuration.bucketArn"],
    ),
    (
        "firehose-serverless-us",
        _firehose(
            "opensearchserverless",
            "opensearchserverlessConfiguration",
            {
                "collectionEndpoint": "https://abc.us-east-1.aoss.amazonaws.com",
                "s3Configuration": _s3_backup("eu-bucket"),
            },
        ),
        ["opensearchserverlessConfiguration.collectionEndpoint"],
    ),
    (
        "firehose-iceberg-eu",
        _firehose(
            "iceberg",
            "icebergConfiguration",
            {"catalogArn": _arn("glue", "eu-west-1", "catalog"), "s3Configuration": _s3_backup("eu-bucket")},
        ),
        [],
    ),
    (
        "firehose-splunk",
        _firehose(
            "splunk",
            "splunkConfiguration",
            {"hecEndpoint": "https://splunk.example.com:8088", "s3Configuration": _s3_backup("eu-bucket")},
        ),
        ["splunkConfiguration.hecEndpoint"],
    ),
    (
        "firehose-snowflake",
        _firehose(
            "snowflake",
            "snowflakeConfiguration",
            {"accountUrl": "https://acme.snowflakecomputing.com", "s3Configuration": _s3_backup("eu-bucket")},
        ),
        ["snowflakeConfiguration.accountUrl"],
    ),
    ("transfer-eu", res(TRANSFER, "t", {"transferSpec": {"gcsDataSink": {"bucketName": "eu-gcs"}}}), []),
    (
        "transfer-us",
        res(TRANSFER, "t", {"transferSpec": {"gcsDataSink": {"bucketName": "us-gcs"}}}),
        ["transferSpec.gcsDataSink.bucketName"],
    ),
    (
        "transfer-outside",
        res(TRANSFER, "t", {"transferSpec": {"gcsDataSink": {"bucketName": "elsewhere"}}}),
        ["transferSpec.gcsDataSink.bucketName"],
    ),
    ("replication-eu", res(TRANSFER, "t", {"replicationSpec": {"gcsDataSink": {"bucketName": "eu-gcs"}}}), []),
    (
        "replication-outside",
        res(TRANSFER, "t", {"replicationSpec": {"gcsDataSink": {"bucketName": "elsewhere"}}}),
        ["replicationSpec.gcsDataSink.bucketName"],
    ),
    (
        "transfer-posix",
        res(TRANSFER, "t", {"transferSpec": {"posixDataSink": {"rootDirectory": "/mnt/export"}}}),
        ["transferSpec.posixDataSink.rootDirectory"],
    ),
    ("extract-eu", res(JOB, "j", {"jobId": "j", "extract": {"destinationUris": ["gs://eu-gcs/x-*.csv"]}}), []),
    (
        "extract-outside",
        res(JOB, "j", {"jobId": "j", "extract": {"destinationUris": ["gs://eu-gcs/a.csv", "gs://us-bucket/x.csv"]}}),
        ["extract.destinationUris[1]"],
    ),
    ("copy-eu", res(JOB, "j", _copy("eu_ds")), []),
    ("copy-us", res(JOB, "j", _copy("us_ds")), ["copy.destinationTable.datasetId"]),
    ("copy-outside", res(JOB, "j", _copy("elsewhere")), ["copy.destinationTable.datasetId"]),
    (
        "cross-region-copy-eu",
        res(TRANSFER_CONFIG, "c", {"dataSourceId": "cross_region_copy", "destinationDatasetId": "eu_ds"}),
        [],
    ),
    (
        "cross-region-copy-outside",
        res(TRANSFER_CONFIG, "c", {"dataSourceId": "cross_region_copy", "destinationDatasetId": "us_copy"}),
        ["destinationDatasetId"],
    ),
    (
        "scheduled-query-is-no-copy",
        res(TRANSFER_CONFIG, "c", {"dataSourceId": "scheduled_query", "destinationDatasetId": "elsewhere"}),
        [],
    ),
    (
        "log-subscription-eu",
        res(
            "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
            "s",
            {"logGroup": "g", "filterPattern": "", "destinationArn": _arn("kinesis", "eu-central-1", "stream/s")},
        ),
        [],
    ),
    (
        "log-subscription-us",
        res(
            "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
            "s",
            {"logGroup": "g", "filterPattern": "", "destinationArn": _arn("logs", "us-east-1", "destination:x")},
        ),
        ["destinationArn"],
    ),
    (
        "access-log-eu",
        res("aws:s3/bucketLogging:BucketLogging", "l", {"bucket": "data", "targetBucket": "eu-bucket"}),
        [],
    ),
    (
        "access-log-us",
        res("aws:s3/bucketLogging:BucketLogging", "l", {"bucket": "data", "targetBucket": "us-bucket"}),
        ["targetBucket"],
    ),
    (
        "access-log-outside",
        res("aws:s3/bucketLoggingV2:BucketLoggingV2", "l", {"bucket": "data", "targetBucket": "elsewhere"}),
        ["targetBucket"],
    ),
    (
        "inline-access-log-us",
        res("aws:s3/bucket:Bucket", "data", {"bucket": "data", "logging": {"targetBucket": "us-bucket"}}),
        ["logging.targetBucket"],
    ),
    (
        "inline-v2-access-log-outside",
        res(BUCKET_V2, "data", {"bucket": "data", "loggings": [{"targetBucket": "eu-bucket"}, {"targetBucket": "x"}]}),
        ["loggings[1].targetBucket"],
    ),
    (
        "inventory-us",
        res("aws:s3/inventory:Inventory", "i", {"bucket": "data", "destination": {"bucket": _s3_backup("us-bucket")}}),
        ["destination.bucket.bucketArn"],
    ),
    (
        "dynamodb-export-eu",
        res("aws:dynamodb/tableExport:TableExport", "e", {"tableArn": "t", "s3Bucket": "eu-bucket"}),
        [],
    ),
    (
        "dynamodb-stream-us",
        res(
            "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination",
            "k",
            {"tableName": "t", "streamArn": _arn("kinesis", "us-east-1", "stream/s")},
        ),
        ["streamArn"],
    ),
    (
        "rds-export-outside",
        res("aws:rds/exportTask:ExportTask", "x", {"sourceArn": "s", "s3BucketName": "elsewhere"}),
        ["s3BucketName"],
    ),
    (
        "api-destination",
        res("aws:cloudwatch/eventApiDestination:EventApiDestination", "a", {"invocationEndpoint": "https://x.example"}),
        ["invocationEndpoint"],
    ),
    (
        "subscription-eu",
        res(
            SUBSCRIPTION,
            "s",
            {"topic": "t", "bigqueryConfig": {"table": "p.eu_ds.t"}, "cloudStorageConfig": {"bucket": "eu-gcs"}},
        ),
        [],
    ),
    (
        "subscription-us",
        res(
            SUBSCRIPTION,
            "s",
            {"topic": "t", "bigqueryConfig": {"table": "p:us_ds.t"}, "cloudStorageConfig": {"bucket": "us-gcs"}},
        ),
        ["bigqueryConfig.table", "cloudStorageConfig.bucket"],
    ),
    (
        "subscription-push",
        res(SUBSCRIPTION, "s", {"topic": "t", "pushConfig": {"pushEndpoint": "https://hooks.example.com/x"}}),
        ["pushConfig.pushEndpoint"],
    ),
    (
        "billing-sink-us",
        res(
            "gcp:logging/billingAccountSink:BillingAccountSink",
            "b",
            {"billingAccount": "0", "destination": "storage.googleapis.com/us-gcs"},
        ),
        ["destination"],
    ),
]


@pytest.mark.parametrize(
    ("record", "failing"), [(record, failing) for _, record, failing in CASES], ids=[c[0] for c in CASES]
)
def test_every_egress_route_is_judged(record: ResourceRecord, failing: list[str]) -> None:
    stack = [r for r in STACK if r.name != record.name]
    found = findings(run(*stack, record, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert sorted(path for name, path, _ in found if name == record.name) == sorted(failing), found


def test_a_destination_that_cannot_be_located_says_what_and_what_is_allowed() -> None:
    url = _firehose("http_endpoint", "httpEndpointConfiguration", {"url": "https://intake.us.example.com"})
    (_, path, message) = only(run(url, config=RESIDENCY_002_ONLY), "AIS-RES-002")
    assert (path, message) == (
        "httpEndpointConfiguration.url",
        "an HTTP endpoint (any host, anywhere) cannot be located; a destination in eu is required",
    )
    job = res(JOB, "j", {"jobId": "j", "extract": {"destinationUris": ["gs://us-bucket/x.csv"]}})
    assert only(run(job, config=RESIDENCY_002_ONLY), "AIS-RES-002")[2] == (
        "the Cloud Storage bucket 'us-bucket' is not in this stack and its location cannot be established; "
        "a destination in eu is required"
    )


@pytest.mark.parametrize(("vault_provider", "violations"), [(AWS_EU, 0), (AWS_US, 1)])
def test_a_copy_action_unknown_at_preview_is_the_vault_it_is_verbatim(
    vault_provider: ResourceRecord, violations: int
) -> None:
    vault = res("aws:backup/vault:Vault", "vault", {"name": "v", "kmsKeyArn": KEY_ARN}, vault_provider)
    plan = res("aws:backup/plan:Plan", "plan", _plan(UNKNOWN), deps={"rules": [vault]})
    plan.verbatim_sources = {"rules[0].copyActions[0].destinationVaultArn": (vault.urn, "arn")}
    found = findings(run(vault, plan, config=RESIDENCY_002_ONLY, preview=True), "AIS-RES-002")
    assert [path for _, path, _ in found] == ["rules[0].copyActions[0].destinationVaultArn"] * violations
    computed = res("aws:backup/plan:Plan", "computed", _plan(UNKNOWN), deps={"rules": [vault]})
    (_, _, message) = only(run(vault, computed, config=RESIDENCY_002_ONLY, preview=True), "AIS-RES-002")
    assert message.startswith("could not verify rules[0].copyActions[0].destinationVaultArn")


def test_a_bucket_logging_target_unknown_at_preview_is_the_bucket_it_is_verbatim() -> None:
    logging = res("aws:s3/bucketLogging:BucketLogging", "l", {"bucket": "data", "targetBucket": UNKNOWN})
    logging.property_dependencies = {"targetBucket": [US_BUCKET.urn]}
    logging.verbatim_sources = {"targetBucket": (US_BUCKET.urn, "id")}
    (_, path, message) = only(run(US_BUCKET, logging, config=RESIDENCY_002_ONLY, preview=True), "AIS-RES-002")
    assert (path, message) == ("targetBucket", "data is sent to us-east-1 (us)")


def test_a_cross_region_copy_with_an_unknown_source_kind_cannot_be_verified() -> None:
    config = res(TRANSFER_CONFIG, "c", {"dataSourceId": UNKNOWN, "destinationDatasetId": "eu_ds"})
    assert only(run(EU_DATASET, config, config=RESIDENCY_002_ONLY, preview=True), "AIS-RES-002")[1] == "dataSourceId"


# --- coverage: every destination-like input of the common services is routed or reviewed -----------

REVIEWED_FILE = Path(__file__).resolve().parents[2] / "policies" / "data" / "egress_reviewed.json"


@pytest.fixture(scope="module")
def destination_like_types() -> dict[str, list[str]]:
    """Per type of the reviewed services in the installed SDKs: its destination-like input paths (read in a
    child process: importing the SDKs' resource modules one by one breaks later tests of this process)."""
    reviewed = json.loads(REVIEWED_FILE.read_text(encoding="utf-8"))
    script = (
        "import importlib.util, json, re, sys\n"
        f"spec = importlib.util.spec_from_file_location('generator', {str(GENERATOR)!r})\n"
        "g = importlib.util.module_from_spec(spec); sys.modules['generator'] = g; spec.loader.exec_module(g)\n"
        "data = json.loads(sys.stdin.read())\n"
        "inputs, names = re.compile(data['inputPattern']), re.compile(data['typePattern'])\n"
        "found = {}\n"
        "for service in data['services']:\n"
        "    cloud, name = service.split(':')\n"
        "    for module in g.resource_modules(f'pulumi_{cloud}.{name}'):\n"
        "        for token, args in g.resources_in(module):\n"
        "            paths = sorted({p for p, _ in g.leaves(args) if any(inputs.search(x) for x in g.split(p))})\n"
        "            if paths or names.search(token.rsplit(':', 1)[-1]):\n"
        "                found[token] = paths\n"
        "print(json.dumps(found))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(reviewed),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def _routed(token: str) -> bool:
    return token in ROUTES or bool(provider_catalog.placement_paths(token).replica)


def test_every_destination_like_type_of_the_common_services_is_routed_or_reviewed(
    destination_like_types: dict[str, list[str]],
) -> None:
    reviewed = json.loads(REVIEWED_FILE.read_text(encoding="utf-8"))["types"]
    assert len(destination_like_types) > 30  # the SDK was read
    unjudged = {
        token: paths for token, paths in destination_like_types.items() if not _routed(token) and token not in reviewed
    }
    assert unjudged == {}, "route each in policies/destinations.py, or review it in policies/data/egress_reviewed.json"


def test_the_reviewed_egress_list_is_current_and_reasoned(destination_like_types: dict[str, list[str]]) -> None:
    reviewed = json.loads(REVIEWED_FILE.read_text(encoding="utf-8"))["types"]
    for token, review in reviewed.items():
        assert token in destination_like_types, f"{token} no longer has a destination-like input: drop it"
        assert not _routed(token), f"{token} is routed now: drop its review"
        assert review["reason"] and review["source"].startswith("https://"), token


def test_every_route_is_an_input_path_of_its_type_in_the_sdk() -> None:
    """A route's type and path are the SDK's (a typo would route nothing)."""
    routes = {token: [find.path for find in finds if isinstance(find, At)] for token, finds in ROUTES.items()}
    script = (
        "import importlib, importlib.util, json, re, sys\n"
        f"spec = importlib.util.spec_from_file_location('generator', {str(GENERATOR)!r})\n"
        "g = importlib.util.module_from_spec(spec); sys.modules['generator'] = g; spec.loader.exec_module(g)\n"
        "found = {}\n"
        "for token in json.loads(sys.stdin.read()):\n"
        "    cloud, middle, _ = token.split(':')\n"
        "    service, name = middle.split('/')\n"
        "    module = f'pulumi_{cloud}.{service}.' + re.sub(r'(?<!^)([A-Z])', r'_\\1', name).lower()\n"
        "    found[token] = [p for t, args in g.resources_in(module) if t == token for p, _ in g.leaves(args)]\n"
        "print(json.dumps(found))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(list(routes)), capture_output=True, text=True, check=True
    )
    leaves = json.loads(result.stdout)
    missing = {
        token: [path for path in paths if path not in leaves[token]]
        for token, paths in routes.items()
        if not leaves[token] or any(path not in leaves[token] for path in paths)
    }
    assert missing == {}
