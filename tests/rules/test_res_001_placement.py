"""AIS-RES-001 (``policies/rules/res_001_placement.py``): every resource stays in the allowed jurisdictions.

Where a resource is placed, step by step (its own region or location, its provider's, the stack config's),
multi- and dual-regions, key rings, locations the catalog does not know, the allow-listed global types,
locations unknown at preview (and where they flow from), and the managed vector store types. Every own
placement path of the provider catalog (zones, node locations, availability zones, Spanner instance
configurations, Firestore multi-regions), and the services whose unset location is not the provider's region
(policies/data/default_locations.json), each as a compliant and a minimally weakened pair.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.engine.graph import ResourceGraph, ResourceRecord
from aistacks.gate import evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES
from aistacks.policies.provider_catalog import entry, placement_paths

from .fixtures import (
    AWS_US,
    BASE_CONFIG,
    COLLECTION,
    CRYPTO_KEY,
    INDEX,
    INDEX_ENDPOINT,
    KEY_ARN,
    TODAY,
    UNKNOWN,
    VPC_ENDPOINT,
    findings,
    gcs,
    only,
    provider,
    res,
    run,
    urn,
)


def test_placement_compliant_on_every_resolution_step() -> None:
    result = run(
        gcs("own-location", "europe-west4"),
        res(
            "aws:cloudwatch/logGroup:LogGroup",
            "from-provider",
            {"kmsKeyId": KEY_ARN, "deletionProtectionEnabled": True},
        ),
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
    assert path == "customPlacementConfig.dataLocations[1]"
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
    bucket.verbatim_sources = {"location": (ring.urn, "location")}  # ring.location, as the engine records it
    assert findings(run(ring, bucket, preview=True), "AIS-RES-001") == []


def test_unknown_location_that_flows_from_a_us_resource_is_outside() -> None:
    ring = res("gcp:kms/keyRing:KeyRing", "ring", {"location": "us-east1"})
    bucket = res(
        "gcp:storage/bucket:Bucket",
        "b",
        {"location": UNKNOWN, "encryption": {"defaultKmsKeyName": CRYPTO_KEY}},
        deps={"location": [ring]},
    )
    bucket.verbatim_sources = {"location": (ring.urn, "location")}  # ring.location, as the engine records it
    found = {(name, path): message for name, path, message in findings(run(ring, bucket, preview=True), "AIS-RES-001")}
    assert found["b", "location (from ring)"] == "us-east1 keeps data in us, outside the allowed jurisdictions"


# --- the managed vector store types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (res(INDEX, "eu", {"region": "europe-west4"}), None),
        (res(INDEX, "us", {"region": "us-central1"}), "region"),
        (res(INDEX_ENDPOINT, "us", {"region": "us-east4"}), "region"),
        (res(COLLECTION, "eu", {"name": "vectors"}), None),
        (res(COLLECTION, "us", {"name": "vectors"}, on=AWS_US), "provider.region"),
        (res(VPC_ENDPOINT, "us", {"vpcId": "vpc-1"}, on=AWS_US), "provider.region"),
    ],
)
def test_vector_stores_stay_in_the_jurisdiction(record: ResourceRecord, path: str | None) -> None:
    found = findings(run(record), "AIS-RES-001")
    if path is None:
        assert found == []
    else:
        assert (record.name, path) in [(name, where) for name, where, _ in found]


# --- every own placement path of the provider catalog ---------------------------------------------

GKE = "gcp:container/cluster:Cluster"


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (res(GKE, "zonal", {"location": "europe-west4-a"}), None),
        (res(GKE, "zonal", {"location": "us-central1-a"}), "location"),
        (res(GKE, "nodes", {"location": "europe-west4", "nodeLocations": ["europe-west4-a", "europe-west4-b"]}), None),
        (
            res(GKE, "nodes", {"location": "europe-west4", "nodeLocations": ["europe-west4-a", "us-east1-b"]}),
            "nodeLocations[1]",
        ),
        (
            res(GKE, "pools", {"location": "europe-west4", "nodePools": [{"nodeLocations": ["us-east1-b"]}]}),
            "nodePools[0].nodeLocations[0]",
        ),
        (res("aws:ebs/volume:Volume", "az", {"availabilityZone": "eu-west-1a", "kmsKeyId": KEY_ARN}), None),
        (
            res("aws:ebs/volume:Volume", "az", {"availabilityZone": "us-east-1a", "kmsKeyId": KEY_ARN}),
            "availabilityZone",
        ),
        (res("gcp:spanner/instance:Instance", "sp", {"config": "regional-europe-west4"}), None),
        (res("gcp:spanner/instance:Instance", "sp", {"config": "projects/p/instanceConfigs/eur3"}), None),
        (res("gcp:spanner/instance:Instance", "sp", {"config": "regional-us-central1"}), "config"),
        (res("gcp:firestore/database:Database", "fs", {"locationId": "eur3"}), None),
        (res("gcp:firestore/database:Database", "fs", {"locationId": "nam5"}), "locationId"),
        (res("gcp:artifactregistry/repository:Repository", "ar", {"location": "europe"}), None),
        (res("gcp:artifactregistry/repository:Repository", "ar", {"location": "us"}), "location"),
    ],
)
def test_every_own_placement_path_is_judged(record: ResourceRecord, path: str | None) -> None:
    found = [(name, where) for name, where, _ in findings(run(record), "AIS-RES-001")]
    assert found == ([] if path is None else [(record.name, path)])


def test_a_zone_is_judged_as_its_region_so_allowed_regions_match() -> None:
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "allowedRegions": ["europe-west4"]}}
    assert findings(run(res(GKE, "zonal", {"location": "europe-west4-a"}), config=config), "AIS-RES-001") == []
    (_, path, message) = only(run(res(GKE, "zonal", {"location": "europe-west1-b"}), config=config), "AIS-RES-001")
    assert (path, message) == ("location", "europe-west1 is not an allowed region")


def test_a_multi_region_spanner_configuration_the_catalog_lacks_is_not_guessed() -> None:
    instance = res("gcp:spanner/instance:Instance", "sp", {"config": "nam-eur-asia1"})
    assert "catalog knows" in only(run(instance), "AIS-RES-001")[2]


def test_a_type_the_provider_catalog_lacks_is_placed_by_region_location_zone() -> None:
    future = "aws:futurestore/table:Table"
    assert findings(run(res(future, "r", {"name": "t", "region": "eu-west-1"})), "AIS-RES-001") == []
    assert only(run(res(future, "r", {"name": "t", "region": "us-east-1"})), "AIS-RES-001")[1] == "region"


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        ("aws:dynamodb/tableReplica:TableReplica", {"globalTableArn": "arn", "kmsKeyArn": KEY_ARN}),
        ("aws:s3/bucketVersioning:BucketVersioning", {"bucket": "b", "versioningConfiguration": {"status": "Enabled"}}),
    ],
)
def test_types_whose_sdk_args_are_init_args_are_placed_by_their_region(type_token: str, props: dict[str, Any]) -> None:
    """The catalog reads these from <Class>InitArgs (<Class>Args is a nested block of another type): region."""
    assert [path.path for path in placement_paths(type_token).own] == ["region"]
    assert findings(run(res(type_token, "r", {**props, "region": "eu-west-1"})), "AIS-RES-001") == []
    assert only(run(res(type_token, "r", {**props, "region": "us-east-1"})), "AIS-RES-001")[1] == "region"


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        ("aws:route53/healthCheck:HealthCheck", {"type": "HTTPS", "regions": ["us-east-1", "us-west-2", "eu-west-1"]}),
        (
            "gcp:accesscontextmanager/accessLevelCondition:AccessLevelCondition",
            {"accessLevel": "accessPolicies/1/accessLevels/l", "regions": ["US", "CN"]},
        ),
        ("gcp:osconfig/patchDeployment:PatchDeployment", {"instanceFilter": {"zones": ["us-central1-a"]}}),
        ("aws:account/region:Region", {"regionName": "ap-southeast-3", "enabled": True}),
        ("aws:lb/targetGroupAttachment:TargetGroupAttachment", {"targetId": "10.0.0.1", "availabilityZone": "all"}),
    ],
)
def test_regions_that_are_not_where_data_lives_are_not_placement(type_token: str, props: dict[str, Any]) -> None:
    """Checker regions, request origins, instance filters, opted-in regions, traffic zones: removed from the
    catalog with a reason, so only the resource's own placement (here its provider's region) is judged."""
    listed = entry(type_token)
    assert listed is not None and listed.removed and all(change.reason for change in listed.removed)
    assert findings(run(res(type_token, "r", props)), "AIS-RES-001") == []


def test_unknown_at_any_placement_path_cannot_be_verified() -> None:
    cluster = res(GKE, "c", {"location": "europe-west4", "nodeLocations": [UNKNOWN]})
    assert only(run(cluster, preview=True), "AIS-RES-001")[1] == "nodeLocations[0]"


# --- services whose unset location is not the provider's region -----------------------------------

DATASET = "gcp:bigquery/dataset:Dataset"
TOPIC = "gcp:pubsub/topic:Topic"
SECRET = "gcp:secretmanager/secret:Secret"
JOB = "gcp:bigquery/job:Job"
TRANSFER = "gcp:bigquery/dataTransferConfig:DataTransferConfig"
TRIGGER = "gcp:cloudbuild/trigger:Trigger"
SNAPSHOT = "gcp:compute/snapshot:Snapshot"
IMAGE = "gcp:compute/image:Image"
MACHINE_IMAGE = "gcp:compute/machineImage:MachineImage"


@pytest.mark.parametrize(
    ("record", "path", "message"),
    [
        (res(DATASET, "ds", {"datasetId": "ds", "location": "EU"}), None, None),
        (res(DATASET, "ds", {"datasetId": "ds", "location": "europe-west4"}), None, None),
        (res(DATASET, "ds", {"datasetId": "ds"}), "location", "US keeps data in us, outside the allowed jurisdictions"),
        (res(TOPIC, "t", {"messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west4"]}}), None, None),
        (
            res(TOPIC, "t", {"messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west4", "us-east1"]}}),
            "messageStoragePolicy.allowedPersistenceRegions[1]",
            "us-east1 keeps data in us",
        ),
        (res(TOPIC, "t", {}), "messageStoragePolicy.allowedPersistenceRegions", "global keeps data in any"),
        (res(SECRET, "s", {"replication": {"userManaged": {"replicas": [{"location": "europe-west4"}]}}}), None, None),
        (res(SECRET, "s", {"replication": {"auto": {}}}), "replication.userManaged.replicas", "global"),
        (
            res("gcp:storage/bucket:Bucket", "b", {}),
            "location",
            "not set, and the service has no default. A Cloud Storage bucket's location is required",
        ),
        (res(JOB, "j", {"jobId": "j", "location": "EU"}), None, None),
        (res(JOB, "j", {"jobId": "j"}), "location", "US keeps data in us"),
        (res(TRANSFER, "t", {"dataSourceId": "cross_region_copy"}), "location", "US keeps data in us"),
        (res(TRIGGER, "t", {"location": "europe-west4"}), None, None),
        (res(TRIGGER, "t", {}), "location", "global keeps data in any"),
        (res(SNAPSHOT, "s", {"sourceDisk": "d", "storageLocations": ["europe-west4"]}), None, None),
        (res(SNAPSHOT, "s", {"sourceDisk": "d", "storageLocations": ["eu"]}), None, None),
        # The source disk's zone is not where the snapshot is kept: the project's nearest multi-region is.
        (res(SNAPSHOT, "s", {"sourceDisk": "d", "zone": "europe-west2-a"}), "storageLocations", "set storageLocations"),
        (res(IMAGE, "i", {}), "storageLocations", "set storageLocations"),
        (res(MACHINE_IMAGE, "m", {"sourceInstance": "vm"}), "storageLocations", "set storageLocations"),
    ],
)
def test_an_unset_location_is_judged_by_the_services_default(
    record: ResourceRecord, path: str | None, message: str | None
) -> None:
    found = findings(run(record), "AIS-RES-001")
    if path is None:
        assert found == []
    else:
        assert [(name, where) for name, where, _ in found] == [(record.name, path)]
        assert message is not None and message in found[0][2]


def test_the_default_says_why_the_service_put_the_data_there() -> None:
    message = only(run(res(DATASET, "ds", {"datasetId": "ds"})), "AIS-RES-001")[2]
    assert message.endswith(
        "(A dataset created without a location is placed in the US multi-region, not in the provider's region.)"
    )
