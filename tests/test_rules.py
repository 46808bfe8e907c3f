"""Every guardrail on compliant and non-compliant fixtures, in engine form.

Fixtures are resource graphs as the engine records them (camelCase inputs, the wire's unknown
marker, provider resources, property dependencies); they reach the rules through pulumi-policy's
analyzer servicer, exactly as ``aistacks gate`` sends a real plan.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from aistacks.engine.graph import UNKNOWN_SENTINEL, ResourceGraph, ResourceRecord
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

TODAY = dt.date(2026, 11, 27)
UNKNOWN = UNKNOWN_SENTINEL
BASE_CONFIG: dict[str, Any] = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
}
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CRYPTO_KEY = "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::fixtures::{type_token}::{name}"


def provider(cloud: str, name: str = "eu", **props: Any) -> ResourceRecord:
    type_token = f"pulumi:providers:{cloud}"
    return ResourceRecord(urn(type_token, name), type_token, name, True, None, None, props)


AWS_EU = provider("aws", region="eu-west-1")
AWS_US = provider("aws", "us", region="us-east-1")
GCP_EU = provider("gcp", project="p", region="europe-west4")


def res(
    type_token: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    on: ResourceRecord | None = None,
    *,
    protect: bool = True,
    deps: dict[str, list[ResourceRecord]] | None = None,
) -> ResourceRecord:
    on = on if on is not None else (GCP_EU if type_token.startswith("gcp:") else AWS_EU)
    return ResourceRecord(
        urn(type_token, name),
        type_token,
        name,
        True,
        None,
        on.urn,
        inputs or {},
        protect=protect,
        property_dependencies={key: [r.urn for r in records] for key, records in (deps or {}).items()},
    )


def run(
    *records: ResourceRecord,
    config: dict[str, Any] | None = None,
    stack_config: dict[str, str] | None = None,
    preview: bool = False,
) -> GateResult:
    providers = [p for p in (AWS_EU, AWS_US, GCP_EU) if any(r.provider == p.urn for r in records)]
    graph = ResourceGraph("fixtures", "test", preview, [*providers, *records])
    resolved = resolve_policy_config({**BASE_CONFIG, **(config or {})}, POLICIES, "fixtures")
    return evaluate(graph, POLICIES, resolved, stack_config or {}, today=TODAY)


def findings(result: GateResult, rule: str) -> list[tuple[str, str, str]]:
    """(resource name, path, message) of each unsuppressed finding of ``rule``."""
    return [
        (r.finding.urn.rsplit("::", 1)[-1], r.finding.path, r.finding.message)
        for r in result.results
        if r.finding.rule_id == rule and r.level is not None
    ]


def only(result: GateResult, rule: str) -> tuple[str, str, str]:
    found = findings(result, rule)
    assert len(found) == 1, found
    return found[0]


# --- AIS-RES-001: placement ------------------------------------------------------------------------


def gcs(name: str, location: str, **extra: Any) -> ResourceRecord:
    return res(
        "gcp:storage/bucket:Bucket",
        name,
        {"location": location, "encryption": {"defaultKmsKeyName": CRYPTO_KEY}, **extra},
    )


def test_placement_compliant_on_every_resolution_step() -> None:
    result = run(
        gcs("own-location", "europe-west4"),
        res("aws:cloudwatch/logGroup:LogGroup", "from-provider", {"kmsKeyId": KEY_ARN}),
    )
    assert findings(result, "AIS-RES-001") == []
    assert result.passed


def test_placement_own_region_beats_the_provider() -> None:
    group = res("aws:cloudwatch/logGroup:LogGroup", "moved", {"kmsKeyId": KEY_ARN, "region": "us-east-1"})
    assert only(run(group), "AIS-RES-001")[:2] == ("moved", "region")


def test_placement_from_an_explicit_provider() -> None:
    group = res("aws:cloudwatch/logGroup:LogGroup", "in-us", {"kmsKeyId": KEY_ARN}, AWS_US)
    found = {(name, path): message for name, path, message in findings(run(group), "AIS-RES-001")}
    assert set(found) == {("in-us", "provider.region"), ("us", "region")}, "the resource, and its provider itself"
    assert "us-east-1 keeps data in us" in found["in-us", "provider.region"]


@pytest.mark.parametrize(("region", "violations"), [("us-east-1", 1), ("eu-central-1", 0)])
def test_placement_from_the_stack_default_provider_config(region: str, violations: int) -> None:
    bare = ResourceRecord(
        urn("aws:cloudwatch/logGroup:LogGroup", "default"),
        "aws:cloudwatch/logGroup:LogGroup",
        "default",
        True,
        None,
        None,
        {"kmsKeyId": KEY_ARN},
        protect=True,
    )
    result = run(bare, stack_config={"aws:region": region})
    found = findings(result, "AIS-RES-001")
    assert len(found) == violations
    if violations:
        assert found[0][1] == "config aws:region"


def test_placement_with_no_region_anywhere_fails() -> None:
    bare = ResourceRecord(
        urn("aws:cloudwatch/logGroup:LogGroup", "nowhere"),
        "aws:cloudwatch/logGroup:LogGroup",
        "nowhere",
        True,
        None,
        None,
        {"kmsKeyId": KEY_ARN},
        protect=True,
    )
    assert "no region or location" in only(run(bare), "AIS-RES-001")[2]


@pytest.mark.parametrize(
    ("location", "allowed", "violations"),
    [
        ("EU", ["eu"], 0),
        ("eu", ["eu"], 0),
        ("US", ["eu"], 1),
        ("EUR5", ["eu"], 1),
        ("EUR5", ["eu", "uk"], 0),
        ("EUR4", ["eu"], 0),
        ("europe-west2", ["eu"], 1),
    ],
)
def test_placement_of_multi_and_dual_regions(location: str, allowed: list[str], violations: int) -> None:
    result = run(gcs("b", location), config={"AIS-RES-001": {"allowedJurisdictions": allowed}})
    assert len(findings(result, "AIS-RES-001")) == violations


def test_placement_of_custom_dual_region_data_locations() -> None:
    bucket = gcs("dual", "EU", customPlacementConfig={"dataLocations": ["EUROPE-WEST4", "US-CENTRAL1"]})
    (_, path, message) = only(run(bucket), "AIS-RES-001")
    assert path == "customPlacementConfig.dataLocations"
    assert "us-central1" in message


def test_placement_of_a_key_by_its_key_ring_reference() -> None:
    key = res(
        "gcp:kms/cryptoKey:CryptoKey",
        "k",
        {"keyRing": "projects/p/locations/us-east1/keyRings/r", "rotationPeriod": "7776000s"},
    )
    assert only(run(key), "AIS-RES-001")[1] == "keyRing"


def test_placement_of_a_location_the_catalog_does_not_know() -> None:
    assert "catalog knows" in only(run(gcs("b", "mars-north1")), "AIS-RES-001")[2]


def test_global_types_are_allow_listed_not_skipped_by_accident() -> None:
    role = res("aws:iam/role:Role", "role", {"assumeRolePolicy": "{}"}, AWS_US)
    assert [name for name, _, _ in findings(run(role), "AIS-RES-001")] == ["us"], "only the provider, not the role"


def test_unknown_location_at_preview_is_a_violation_not_a_silent_pass() -> None:
    result = run(gcs("b", UNKNOWN), preview=True)
    name, path, message = only(result, "AIS-RES-001")
    assert (name, path) == ("b", "location")
    assert message.startswith("could not verify location")
    assert not result.passed


def test_unknown_location_that_flows_from_an_eu_resource_is_verified() -> None:
    ring = res("gcp:kms/keyRing:KeyRing", "ring", {"location": "europe-west4"})
    bucket = res(
        "gcp:storage/bucket:Bucket",
        "b",
        {"location": UNKNOWN, "encryption": {"defaultKmsKeyName": CRYPTO_KEY}},
        deps={"location": [ring]},
    )
    assert findings(run(ring, bucket, preview=True), "AIS-RES-001") == []


def test_unknown_location_that_flows_from_a_us_resource_is_outside() -> None:
    ring = res("gcp:kms/keyRing:KeyRing", "ring", {"location": "us-east1"})
    bucket = res(
        "gcp:storage/bucket:Bucket",
        "b",
        {"location": UNKNOWN, "encryption": {"defaultKmsKeyName": CRYPTO_KEY}},
        deps={"location": [ring]},
    )
    found = {(name, path): message for name, path, message in findings(run(ring, bucket, preview=True), "AIS-RES-001")}
    assert found["b", "location (from ring)"] == "us-east1 keeps data in us, outside the allowed jurisdictions"


def test_unknown_value_under_an_advisory_rule_does_not_block() -> None:
    result = run(
        gcs("b", UNKNOWN),
        config={"AIS-RES-001": {"enforcementLevel": "advisory", "allowedJurisdictions": ["eu"]}},
        preview=True,
    )
    (item,) = [r for r in result.results if r.finding.rule_id == "AIS-RES-001"]
    assert item.level is not None
    assert item.level.value == "advisory"
    assert result.passed


# --- AIS-RES-002: data leaving ---------------------------------------------------------------------

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


def test_kms_replica_key_outside_the_jurisdiction() -> None:
    replica = res("aws:kms/replicaKey:ReplicaKey", "replica", {"primaryKeyArn": KEY_ARN}, AWS_US)
    assert only(run(replica, config={"AIS-RES-001": "disabled"}), "AIS-RES-002")[2] == "data is sent to us-east-1 (us)"
    assert findings(run(res("aws:kms/replicaKey:ReplicaKey", "ok", {"primaryKeyArn": KEY_ARN})), "AIS-RES-002") == []


# --- AIS-ENC-001: customer-managed keys at rest ----------------------------------------------------

ENC = "AIS-ENC-001"


@pytest.mark.parametrize(
    ("type_token", "good", "bad", "path"),
    [
        ("aws:cloudtrail/trail:Trail", {"kmsKeyId": KEY_ARN}, {}, "kmsKeyId"),
        ("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY_ARN}, {"kmsKeyId": ""}, "kmsKeyId"),
        (
            "aws:ebs/volume:Volume",
            {"encrypted": True, "kmsKeyId": KEY_ARN},
            {"encrypted": False, "kmsKeyId": KEY_ARN},
            "encrypted",
        ),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]},
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false", "kmsKeyId": KEY_ARN}}]},
            "blockDeviceMappings[0].ebs.encrypted",
        ),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]},
            {},
            "blockDeviceMappings",
        ),
        (
            "aws:eks/cluster:Cluster",
            {"encryptionConfig": {"provider": {"keyArn": KEY_ARN}, "resources": ["secrets"]}},
            {"encryptionConfig": {"provider": {"keyArn": KEY_ARN}, "resources": []}},
            "encryptionConfig.resources",
        ),
        (
            "gcp:storage/bucket:Bucket",
            {"location": "EU", "encryption": {"defaultKmsKeyName": CRYPTO_KEY}},
            {"location": "EU"},
            "encryption.defaultKmsKeyName",
        ),
        (
            "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            {"location": "europe-west4", "cmekSettings": {"kmsKeyName": CRYPTO_KEY}},
            {"location": "europe-west4"},
            "cmekSettings.kmsKeyName",
        ),
        (
            "gcp:container/cluster:Cluster",
            {"location": "europe-west4", "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY}},
            {"location": "europe-west4", "databaseEncryption": {"state": "DECRYPTED"}},
            "databaseEncryption.state",
        ),
        (
            "gcp:container/nodePool:NodePool",
            {"location": "europe-west4", "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY}},
            {"location": "europe-west4", "nodeConfig": {}},
            "nodeConfig.bootDiskKmsKey",
        ),
    ],
)
def test_customer_managed_keys_at_rest(type_token: str, good: dict[str, Any], bad: dict[str, Any], path: str) -> None:
    assert findings(run(res(type_token, "good", good)), ENC) == []
    assert path in [found[1] for found in findings(run(res(type_token, "bad", bad)), ENC)]


def test_an_aws_managed_key_is_not_customer_managed() -> None:
    trail = res("aws:cloudtrail/trail:Trail", "t", {"kmsKeyId": "arn:aws:kms:eu-west-1:1:alias/aws/cloudtrail"})
    assert "AWS-managed" in only(run(trail), ENC)[2]


def test_a_key_unknown_at_preview_is_verified_by_where_it_comes_from() -> None:
    key = res("aws:kms/key:Key", "key", {"enableKeyRotation": True})
    trail = res("aws:cloudtrail/trail:Trail", "t", {"kmsKeyId": UNKNOWN}, deps={"kmsKeyId": [key]})
    assert findings(run(key, trail, preview=True), ENC) == []
    role = res("aws:iam/role:Role", "r")
    guessed = res("aws:cloudtrail/trail:Trail", "g", {"kmsKeyId": UNKNOWN}, deps={"kmsKeyId": [role]})
    assert only(run(role, guessed, preview=True), ENC)[2].startswith("could not verify kmsKeyId")


# --- AIS-ENC-002: S3 default encryption ------------------------------------------------------------

SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def s3(name: str = "data", **extra: Any) -> ResourceRecord:
    return res("aws:s3/bucket:Bucket", name, {"bucket": f"{name}-bucket", **extra})


def sse(bucket: ResourceRecord, algorithm: str = "aws:kms", key: str = KEY_ARN, **kw: Any) -> ResourceRecord:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": key}}
    return res(SSE, f"{bucket.name}-sse", {"bucket": bucket.inputs["bucket"], "rules": [rule]}, **kw)


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


# --- AIS-KEY-001 and AIS-KEY-002: rotation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "violations"),
    [
        ({"enableKeyRotation": True}, 0),
        ({"enableKeyRotation": False}, 1),
        ({}, 1),
        ({"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}, 0),
    ],
)
def test_aws_key_rotation(props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res("aws:kms/key:Key", "key", props)), "AIS-KEY-001")) == violations


@pytest.mark.parametrize(
    ("props", "config", "violations"),
    [
        ({"rotationPeriod": "7776000s"}, {}, 0),
        ({"rotationPeriod": "31536000s"}, {}, 1),
        ({}, {}, 1),
        ({"rotationPeriod": "31536000s"}, {"AIS-KEY-002": {"maxRotationDays": 365}}, 0),
        ({"purpose": "ASYMMETRIC_SIGN"}, {}, 0),
    ],
)
def test_gcp_key_rotation_period(props: dict[str, Any], config: dict[str, Any], violations: int) -> None:
    key = res(
        "gcp:kms/cryptoKey:CryptoKey", "key", {"keyRing": "projects/p/locations/europe-west4/keyRings/r", **props}
    )
    assert len(findings(run(key, config=config), "AIS-KEY-002")) == violations


# --- AIS-TLS-001 and AIS-TLS-002: transport --------------------------------------------------------

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
    ("type_token", "props", "violations"),
    [
        ("aws:lb/listener:Listener", {"protocol": "HTTPS", "port": 443}, 0),
        ("aws:lb/listener:Listener", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]}, 1),
        (
            "aws:lb/listener:Listener",
            {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]},
            0,
        ),
        ("aws:alb/listener:Listener", {"protocol": "HTTP", "defaultActions": []}, 1),
        ("gcp:compute/targetHttpProxy:TargetHttpProxy", {"urlMap": "m"}, 1),
        ("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", {"bucket": "site"}, 1),
    ],
)
def test_plain_http_endpoints(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "endpoint", props)), "AIS-TLS-002")) == violations


# --- AIS-PRT-001: protection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protect", "level", "violations"), [(True, "mandatory", 0), (False, "mandatory", 1), (False, "disabled", 0)]
)
def test_stateful_resources_are_protected(protect: bool, level: str, violations: int) -> None:
    bucket = gcs("b", "EU")
    bucket.protect = protect
    assert len(findings(run(bucket, config={"AIS-PRT-001": level}), "AIS-PRT-001")) == violations


def test_stateless_resources_need_no_protection() -> None:
    role = res("aws:iam/role:Role", "r", protect=False)
    assert findings(run(role), "AIS-PRT-001") == []


# --- suppressions ----------------------------------------------------------------------------------


def test_a_suppression_hides_one_finding_and_is_reported() -> None:
    config = {
        "AIS-RES-001": {
            "allowedJurisdictions": ["eu"],
            "suppressions": [
                {"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1", "expires": "2027-03-31"}
            ],
        }
    }
    result = run(gcs("legacy-us", "US"), gcs("new-us", "US"), config=config)
    assert [f[0] for f in findings(result, "AIS-RES-001")] == ["new-us"]
    suppressed = [r for r in result.results if r.level is None]
    assert [r.finding.urn.rsplit("::", 1)[-1] for r in suppressed] == ["legacy-us"]
    assert [(s.rule_id, s.resource) for s in result.suppressions] == [("AIS-RES-001", "legacy-*")]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1", "expires": "2026-01-01"},
            "expired",
        ),
        ({"resource": "legacy-*", "reason": "ok", "expires": "2027-01-01"}, "no meaningful reason"),
        ({"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1"}, "no expiry"),
    ],
)
def test_a_bad_suppression_is_itself_a_violation_and_suppresses_nothing(entry: dict[str, str], problem: str) -> None:
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [entry]}}
    result = run(gcs("legacy-us", "US"), config=config)
    found = findings(result, "AIS-RES-001")
    assert ("legacy-us", "location") in [(f[0], f[1]) for f in found]
    (config_finding,) = [f for f in found if f[1] == "suppressions[0]"]
    assert problem in config_finding[2]
    assert not result.passed


# --- AIS-NET-001: private clusters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_token", "props", "paths"),
    [
        ("aws:eks/cluster:Cluster", {"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}}, []),
        ("aws:eks/cluster:Cluster", {"vpcConfig": {"endpointPublicAccess": True}}, ["vpcConfig.endpointPublicAccess"]),
        (
            "gcp:container/cluster:Cluster",
            {
                "location": "europe-west4",
                "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": True},
            },
            [],
        ),
        (
            "gcp:container/cluster:Cluster",
            {"location": "europe-west4", "privateClusterConfig": {"enablePrivateNodes": True}},
            ["privateClusterConfig.enablePrivateEndpoint"],
        ),
        (
            "gcp:container/cluster:Cluster",
            {"location": "europe-west4"},
            ["privateClusterConfig.enablePrivateNodes", "privateClusterConfig.enablePrivateEndpoint"],
        ),
    ],
)
def test_cluster_endpoints_and_nodes_are_private(type_token: str, props: dict[str, Any], paths: list[str]) -> None:
    result = run(res(type_token, "cluster", props), config={"AIS-ENC-001": "disabled"})
    assert sorted(path for _, path, _ in findings(result, "AIS-NET-001")) == sorted(paths)


def test_a_cluster_endpoint_unknown_at_preview_cannot_be_verified() -> None:
    cluster = res("aws:eks/cluster:Cluster", "c", {"vpcConfig": {"endpointPublicAccess": UNKNOWN}})
    assert only(run(cluster, config={"AIS-ENC-001": "disabled"}, preview=True), "AIS-NET-001")[2].startswith(
        "could not verify vpcConfig.endpointPublicAccess"
    )


# --- findings from review: no silent pass ---------------------------------------------------------


def test_an_unknown_key_spec_is_not_a_silent_pass() -> None:
    key = res("aws:kms/key:Key", "k", {"customerMasterKeySpec": UNKNOWN, "enableKeyRotation": False})
    assert only(run(key, preview=True), "AIS-KEY-001")[2].startswith("could not verify customerMasterKeySpec")
    gcp_key = res(
        "gcp:kms/cryptoKey:CryptoKey",
        "g",
        {"keyRing": "projects/p/locations/europe-west4/keyRings/r", "purpose": UNKNOWN},
    )
    assert only(run(gcp_key, preview=True), "AIS-KEY-002")[2].startswith("could not verify purpose")


def test_an_explicit_provider_without_a_region_is_not_placed_by_the_stack_config() -> None:
    regionless = provider("aws", "noregion")
    group = ResourceRecord(
        urn("aws:cloudwatch/logGroup:LogGroup", "g"),
        "aws:cloudwatch/logGroup:LogGroup",
        "g",
        True,
        None,
        regionless.urn,
        {"kmsKeyId": KEY_ARN},
        protect=True,
    )
    graph = ResourceGraph("fixtures", "test", False, [regionless, group])
    resolved = resolve_policy_config(BASE_CONFIG, POLICIES, "fixtures")
    result = evaluate(graph, POLICIES, resolved, {"aws:region": "eu-west-1"}, today=TODAY)
    assert ("g", "region") in [(f[0], f[1]) for f in findings(result, "AIS-RES-001")]


@pytest.mark.parametrize(
    ("type_token", "props", "path"),
    [
        ("aws:eks/nodeGroup:NodeGroup", {"clusterName": "c"}, "launchTemplate"),
        ("aws:ec2/instance:Instance", {"rootBlockDevice": {"encrypted": False}}, "rootBlockDevice.encrypted"),
    ],
)
def test_node_groups_and_instances_need_encrypted_volumes(type_token: str, props: dict[str, Any], path: str) -> None:
    assert path in [f[1] for f in findings(run(res(type_token, "x", props)), ENC)]


def test_a_node_group_with_a_launch_template_unknown_at_preview_is_verified_present() -> None:
    group = res("aws:eks/nodeGroup:NodeGroup", "g", {"launchTemplate": {"id": UNKNOWN, "version": UNKNOWN}})
    assert findings(run(group, preview=True), ENC) == []


def test_a_gke_node_pool_that_turns_private_nodes_off() -> None:
    pool = res(
        "gcp:container/nodePool:NodePool",
        "p",
        {
            "location": "europe-west4",
            "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY},
            "networkConfig": {"enablePrivateNodes": False},
        },
    )
    assert only(run(pool), "AIS-NET-001")[1] == "networkConfig.enablePrivateNodes"
    pool.inputs["networkConfig"] = {}
    assert findings(run(pool), "AIS-NET-001") == []


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


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("aws:lb/listener:Listener", {"port": 80, "defaultActions": [{"type": "forward"}]}, 1),
        ("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2", {"bucket": "site"}, 1),
        ("gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy", {"region": "europe-west4", "urlMap": "m"}, 1),
        ("aws:s3/bucket:Bucket", {"bucket": "site", "website": {"indexDocument": "index.html"}}, 1),
    ],
)
def test_more_plain_http_endpoints(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "endpoint", props)), "AIS-TLS-002")) == violations


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


def test_a_rule_that_trips_over_an_unknown_value_reports_instead_of_passing() -> None:
    from pulumi_policy import Severity

    from aistacks.policies.framework import Check, RuleMeta, stack_policy

    def careless(check: Check, resources: Any) -> None:
        for resource in resources:
            if resource.resource_type == "gcp:storage/bucket:Bucket":
                _ = resource.props["location"]  # reads through the proxy without `read`

    careless_policy = stack_policy(
        RuleMeta("AIS-TST-001", "t", "a careless test rule", Severity.LOW, "fix it"), careless
    )
    graph = ResourceGraph("fixtures", "test", True, [GCP_EU, gcs("b", UNKNOWN)])
    config = resolve_policy_config({"all": "mandatory"}, [careless_policy], "fixtures")
    result = evaluate(graph, [careless_policy], config, {}, today=TODAY)
    (item,) = result.results
    assert item.level is not None
    assert item.level.value == "mandatory"
    assert item.finding.message.startswith("could not verify location")


# --- AIS-NET-002 and storage classes -------------------------------------------------------------

SERVICE = "kubernetes:core/v1:Service"
K8S = provider("kubernetes", "cluster")


def k8s_res(type_token: str, name: str, props: dict[str, Any]) -> ResourceRecord:
    return res(type_token, name, props, K8S)


@pytest.mark.parametrize(
    ("spec", "annotations", "violations"),
    [
        ({"type": "ClusterIP"}, {}, 0),
        ({"type": "LoadBalancer"}, {}, 1),
        ({"type": "LoadBalancer"}, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}, 0),
        ({"type": "LoadBalancer"}, {"networking.gke.io/load-balancer-type": "Internal"}, 0),
        ({"type": "LoadBalancer"}, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}, 1),
        ({"type": "NodePort"}, {}, 1),
    ],
)
def test_kubernetes_services_stay_private(spec: dict[str, Any], annotations: dict[str, str], violations: int) -> None:
    service = k8s_res(SERVICE, "qdrant", {"metadata": {"name": "qdrant", "annotations": annotations}, "spec": spec})
    assert len(findings(run(service), "AIS-NET-002")) == violations


@pytest.mark.parametrize(
    ("props", "paths"),
    [
        ({"provisioner": "ebs.csi.aws.com", "parameters": {"encrypted": "true", "kmsKeyId": KEY_ARN}}, []),
        (
            {"provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}},
            ["parameters.encrypted", "parameters.kmsKeyId"],
        ),
        ({"provisioner": "pd.csi.storage.gke.io", "parameters": {"disk-encryption-kms-key": CRYPTO_KEY}}, []),
        (
            {"provisioner": "pd.csi.storage.gke.io", "parameters": {"type": "pd-balanced"}},
            ["parameters.disk-encryption-kms-key"],
        ),
        ({"provisioner": "example.com/nfs"}, []),
    ],
)
def test_storage_classes_encrypt_with_the_stack_key(props: dict[str, Any], paths: list[str]) -> None:
    storage_class = k8s_res("kubernetes:storage.k8s.io/v1:StorageClass", "sc", props)
    assert sorted(f[1] for f in findings(run(storage_class), ENC)) == sorted(paths)
