"""AIS-ENC-001 (``policies/rules/enc_001_cmk_at_rest.py``): stores encrypt at rest with a customer-managed key.

Each store type on a compliant and a non-compliant fixture, AWS-managed keys, keys unknown at preview
(verified by where they come from), node groups and instances (every additional volume), launch templates
(the root device mapped), a GKE cluster's default node pool, StorageClasses, Vertex AI Vector Search indexes
and endpoints; every type of the provider catalog with key paths (required, per-block, per-feature and
alternative keys from ``policies/data/key_path_roles.json``), and that data file against the catalog.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from aistacks.policies.provider_catalog import key_paths, types_with_key_paths
from aistacks.policies.requirements import Each, KeyAt, Requirement, Unless, catalog_keys, curated_roles, default_role
from aistacks.policies.rules.enc_001_cmk_at_rest import REQUIREMENTS, covered_types

from .fixtures import CRYPTO_KEY, INDEX, INDEX_ENDPOINT, KEY_ARN, UNKNOWN, findings, k8s_res, only, res, run

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
            {"blockDeviceMappings": [{"deviceName": "/dev/sda1", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]},
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
            {
                "location": "europe-west4",
                "removeDefaultNodePool": True,
                "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY},
            },
            {"location": "europe-west4", "removeDefaultNodePool": True, "databaseEncryption": {"state": "DECRYPTED"}},
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


def test_compute_disks_use_a_customer_managed_key() -> None:
    good = res(
        "gcp:compute/disk:Disk",
        "good",
        {"zone": "europe-west4-a", "size": 100, "diskEncryptionKey": {"kmsKeySelfLink": CRYPTO_KEY}},
    )
    bad = res("gcp:compute/disk:Disk", "bad", {"zone": "europe-west4-a", "size": 100})
    assert findings(run(good), ENC) == []
    assert [f[1] for f in findings(run(bad), ENC)] == ["diskEncryptionKey.kmsKeySelfLink"]


def test_an_aws_managed_key_is_not_customer_managed() -> None:
    trail = res("aws:cloudtrail/trail:Trail", "t", {"kmsKeyId": "arn:aws:kms:eu-west-1:1:alias/aws/cloudtrail"})
    assert "AWS-managed" in only(run(trail), ENC)[2]


def test_a_key_unknown_at_preview_is_verified_by_where_it_comes_from() -> None:
    key = res("aws:kms/key:Key", "key", {"enableKeyRotation": True})
    trail = res("aws:cloudtrail/trail:Trail", "t", {"kmsKeyId": UNKNOWN}, deps={"kmsKeyId": [key]})
    trail.verbatim_sources = {"kmsKeyId": (key.urn, "arn")}  # key.arn itself, not computed from it
    assert findings(run(key, trail, preview=True), ENC) == []
    role = res("aws:iam/role:Role", "r")
    guessed = res("aws:cloudtrail/trail:Trail", "g", {"kmsKeyId": UNKNOWN}, deps={"kmsKeyId": [role]})
    assert only(run(role, guessed, preview=True), ENC)[2].startswith("could not verify kmsKeyId")


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


@pytest.mark.parametrize("type_token", [INDEX, INDEX_ENDPOINT])
def test_vector_search_indexes_and_endpoints_use_a_customer_managed_key(type_token: str) -> None:
    good = res(type_token, "good", {"region": "europe-west4", "encryptionSpec": {"kmsKeyName": CRYPTO_KEY}})
    bad = res(type_token, "bad", {"region": "europe-west4"})
    assert findings(run(good), "AIS-ENC-001") == []
    assert [f[1] for f in findings(run(bad), "AIS-ENC-001")] == ["encryptionSpec.kmsKeyName"]


# --- every type of the provider catalog -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_token", "good", "bad", "paths"),
    [
        ("aws:rds/instance:Instance", {"kmsKeyId": KEY_ARN, "storageEncrypted": True}, {}, ["kmsKeyId"]),
        (
            "aws:rds/cluster:Cluster",
            {"kmsKeyId": KEY_ARN, "performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY_ARN},
            {"kmsKeyId": KEY_ARN, "performanceInsightsEnabled": True},
            ["performanceInsightsKmsKeyId"],
        ),
        (
            "aws:rds/instance:Instance",
            {"kmsKeyId": KEY_ARN, "manageMasterUserPassword": True, "masterUserSecretKmsKeyId": KEY_ARN},
            {"kmsKeyId": KEY_ARN, "manageMasterUserPassword": True},
            ["masterUserSecretKmsKeyId"],
        ),
        ("aws:efs/fileSystem:FileSystem", {"encrypted": True, "kmsKeyId": KEY_ARN}, {"encrypted": True}, ["kmsKeyId"]),
        (
            "aws:dynamodb/table:Table",
            {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN}, "replicas": [{"kmsKeyArn": KEY_ARN}]},
            {"serverSideEncryption": {"enabled": False, "kmsKeyArn": KEY_ARN}, "replicas": [{"regionName": "x"}]},
            ["serverSideEncryption.enabled", "replicas[0].kmsKeyArn"],
        ),
        ("aws:sqs/queue:Queue", {"kmsMasterKeyId": KEY_ARN}, {"sqsManagedSseEnabled": True}, ["kmsMasterKeyId"]),
        ("aws:sns/topic:Topic", {"kmsMasterKeyId": KEY_ARN}, {"kmsMasterKeyId": "alias/aws/sns"}, ["kmsMasterKeyId"]),
        (
            "aws:ecr/repository:Repository",
            {"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY_ARN}]},
            {},
            ["encryptionConfigurations"],
        ),
        (
            "aws:kinesis/stream:Stream",
            {"encryptionType": "KMS", "kmsKeyId": KEY_ARN},
            {"kmsKeyId": KEY_ARN},
            ["encryptionType"],
        ),
        (
            "aws:ssm/parameter:Parameter",
            {"type": "SecureString", "keyId": KEY_ARN},
            {"type": "SecureString"},
            ["keyId"],
        ),
        ("aws:ssm/parameter:Parameter", {"type": "String"}, {"type": "SecureString", "keyId": ""}, ["keyId"]),
        (
            "aws:ec2/instance:Instance",
            {
                "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY_ARN},
                "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True, "kmsKeyId": KEY_ARN}],
            },
            {
                "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY_ARN},
                "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": False}],
            },
            ["ebsBlockDevices[0].encrypted", "ebsBlockDevices[0].kmsKeyId"],
        ),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]},
            {"blockDeviceMappings": [{"deviceName": "/dev/xvdb", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]},
            ["blockDeviceMappings"],
        ),
        (
            "gcp:container/cluster:Cluster",
            {
                "location": "europe-west4",
                "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY},
                "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY},
            },
            {"location": "europe-west4", "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY}},
            ["nodeConfig.bootDiskKmsKey"],
        ),
        (
            "gcp:container/cluster:Cluster",
            {
                "location": "europe-west4",
                "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY},
                "nodePools": [{"name": "a", "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY}}],
            },
            {
                "location": "europe-west4",
                "databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY},
                "nodePools": [{"name": "a"}],
            },
            ["nodePools[0].nodeConfig.bootDiskKmsKey"],
        ),
        (
            "gcp:compute/instance:Instance",
            {
                "zone": "europe-west4-a",
                "bootDisk": {"kmsKeySelfLink": CRYPTO_KEY},
                "attachedDisks": [{"source": "d", "kmsKeySelfLink": CRYPTO_KEY}],
            },
            {"zone": "europe-west4-a", "bootDisk": {"initializeParams": {}}, "attachedDisks": [{"source": "d"}]},
            ["bootDisk.kmsKeySelfLink", "attachedDisks[0].kmsKeySelfLink"],
        ),
        (
            "gcp:spanner/database:Database",
            {"instance": "i", "encryptionConfig": {"kmsKeyNames": [CRYPTO_KEY, CRYPTO_KEY]}},
            {"instance": "i", "encryptionConfig": {"kmsKeyNames": [CRYPTO_KEY, ""]}},
            ["encryptionConfig.kmsKeyNames[1]"],
        ),
        (
            "gcp:bigquery/job:Job",
            {"jobId": "j", "load": {"destinationEncryptionConfiguration": {"kmsKeyName": CRYPTO_KEY}}},
            {"jobId": "j", "load": {"sourceUris": ["gs://b/x"]}},
            ["load.destinationEncryptionConfiguration.kmsKeyName"],
        ),
        (
            "gcp:compute/disk:Disk",
            {
                "zone": "europe-west4-a",
                "diskEncryptionKey": {"kmsKeySelfLink": CRYPTO_KEY},
                "sourceImageEncryptionKey": {},
            },
            {"zone": "europe-west4-a", "sourceImageEncryptionKey": {"kmsKeySelfLink": CRYPTO_KEY}},
            ["diskEncryptionKey.kmsKeySelfLink"],
        ),
    ],
)
def test_catalog_types_name_a_customer_managed_key(
    type_token: str, good: dict[str, Any], bad: dict[str, Any], paths: list[str]
) -> None:
    assert findings(run(res(type_token, "good", good)), ENC) == []
    assert sorted(f[1] for f in findings(run(res(type_token, "bad", bad)), ENC)) == sorted(paths)


# --- types the catalog gained (issue 12): resource args read from <Class>InitArgs, key objects, cmkArn ------

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy"


def _store(region: str | None = None, key: str | None = KEY_ARN) -> dict[str, Any]:
    store: dict[str, Any] = {"location": "artifacts-bucket", "type": "S3"}
    if key is not None:
        store["encryptionKey"] = {"id": key, "type": "KMS"}
    return store | ({"region": region} if region else {})


def _copy_rule(**rule: Any) -> dict[str, Any]:
    schedule = {"name": "daily", "createRule": {"interval": 24}, "crossRegionCopyRules": [rule]}
    return {"executionRoleArn": "arn:aws:iam::111122223333:role/dlm", "policyDetails": {"schedules": [schedule]}}


def _copy_action(**encryption: Any) -> dict[str, Any]:
    copy = {"target": "eu-central-1", "encryptionConfiguration": encryption}
    action = {"name": "copy", "crossRegionCopies": [copy]}
    return {"executionRoleArn": "arn:aws:iam::111122223333:role/dlm", "policyDetails": {"action": action}}


@pytest.mark.parametrize(
    ("type_token", "good", "bad", "paths"),
    [
        (
            "aws:dynamodb/tableReplica:TableReplica",
            {"globalTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "kmsKeyArn": KEY_ARN},
            {"globalTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t"},
            ["kmsKeyArn"],
        ),
        (
            "aws:dynamodb/tableReplica:TableReplica",
            {"globalTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "kmsKeyArn": KEY_ARN},
            {"globalTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "kmsKeyArn": "alias/aws/dynamodb"},
            ["kmsKeyArn"],
        ),
        (
            PIPELINE,
            {"artifactStores": [_store()]},
            {"artifactStores": [_store(key=None)]},
            ["artifactStores[0].encryptionKey.id"],
        ),
        (
            PIPELINE,
            {"artifactStores": [_store("eu-west-1"), _store("eu-central-1")]},
            {"artifactStores": [_store("eu-west-1"), _store("eu-central-1", key="")]},
            ["artifactStores[1].encryptionKey.id"],
        ),
        (
            DLM,
            _copy_rule(targetRegion="eu-central-1", encrypted=True, cmkArn=KEY_ARN),
            _copy_rule(targetRegion="eu-central-1", encrypted=True),
            ["policyDetails.schedules[0].crossRegionCopyRules[0].cmkArn"],
        ),
        (
            DLM,
            _copy_action(encrypted=True, cmkArn=KEY_ARN),
            _copy_action(encrypted=True),
            ["policyDetails.action.crossRegionCopies[0].encryptionConfiguration.cmkArn"],
        ),
    ],
)
def test_types_the_catalog_gained_name_a_customer_managed_key(
    type_token: str, good: dict[str, Any], bad: dict[str, Any], paths: list[str]
) -> None:
    assert findings(run(res(type_token, "good", good)), ENC) == []
    assert sorted(f[1] for f in findings(run(res(type_token, "bad", bad)), ENC)) == sorted(paths)


def test_a_pipeline_without_artifact_stores_or_copies_needs_no_key() -> None:
    """The key sits in each artifact store / copy rule: a pipeline or policy without one has nothing to judge."""
    assert findings(run(res(PIPELINE, "p", {"stages": []})), ENC) == []
    assert findings(run(res(DLM, "d", _copy_rule() | {"policyDetails": {"schedules": []}})), ENC) == []


def test_a_separate_default_encryption_configuration_is_left_to_ais_enc_002() -> None:
    """Read from BucketServerSideEncryptionConfigurationInitArgs: a list of rules, ignored here (AIS-ENC-002's)."""
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert [found.path for found in key_paths(sse)] == ["rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"]
    assert [key.role for key in catalog_keys(sse)] == ["ignore"]


def test_a_feature_without_a_key_says_which_feature() -> None:
    rds = res("aws:rds/instance:Instance", "db", {"kmsKeyId": KEY_ARN, "performanceInsightsEnabled": True})
    assert only(run(rds), ENC)[2].startswith("performanceInsightsEnabled is true: that feature stores data")
    table = res("aws:dynamodb/table:Table", "t", {"serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN}})
    table_with_replica = res("aws:dynamodb/table:Table", "r", {**table.inputs, "replicas": [{"regionName": "x"}]})
    assert only(run(table_with_replica), ENC)[2].startswith("replicas[0] is set: it stores data")


@pytest.mark.parametrize(
    "props",
    [
        {"removeDefaultNodePool": True},
        {"removeDefaultNodePool": "true"},
        {"enableAutopilot": True},
        {"nodePools": [{"name": "a", "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY}}]},
    ],
)
def test_a_gke_cluster_without_a_default_node_pool_needs_no_default_boot_disk_key(props: dict[str, Any]) -> None:
    secrets = {"databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY}}
    cluster = res("gcp:container/cluster:Cluster", "c", {"location": "europe-west4", **secrets, **props})
    assert findings(run(cluster), ENC) == []


def test_an_unknown_remove_default_node_pool_cannot_be_verified() -> None:
    secrets = {"databaseEncryption": {"state": "ENCRYPTED", "keyName": CRYPTO_KEY}}
    cluster = res(
        "gcp:container/cluster:Cluster", "c", {"location": "europe-west4", "removeDefaultNodePool": UNKNOWN, **secrets}
    )
    assert only(run(cluster, preview=True), ENC)[1] == "removeDefaultNodePool"


def test_an_unknown_root_device_name_cannot_be_verified() -> None:
    mapping = {"deviceName": UNKNOWN, "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}
    template = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"blockDeviceMappings": [mapping]})
    assert only(run(template, preview=True), ENC)[1] == "blockDeviceMappings[0].deviceName"


def test_every_catalog_type_with_a_key_path_is_judged() -> None:
    judged = covered_types()
    ignored = {t for t in types_with_key_paths() if all(key.role == "ignore" for key in catalog_keys(t))}
    assert set(types_with_key_paths()) - ignored <= judged
    assert {
        "aws:rds/instance:Instance",
        "gcp:bigquery/dataset:Dataset",
        "aws:bedrock/customModel:CustomModel",
    } <= judged


@pytest.mark.parametrize(
    ("path", "role", "anchor"),
    [
        ("kmsKeyId", "required", ""),
        ("encryptionConfiguration.kmsKeyArn", "required", ""),
        ("encryptionConfigurations[].kmsKey", "required", ""),
        ("action.exportRevisionToS3.encryption.kmsKeyArn", "within", "action.exportRevisionToS3"),
        ("clusters[].kmsKeyName", "within", "clusters[]"),
        ("volumeConfiguration.managedEbsVolume.kmsKeyId", "within", "volumeConfiguration.managedEbsVolume"),
    ],
)
def test_an_uncurated_key_path_is_read_by_where_it_sits(path: str, role: str, anchor: str) -> None:
    key = default_role(path)
    assert (key.role, key.anchor) == (role, anchor)


# --- the curated roles against the catalog and the hand-written requirements -----------------------------


def test_every_type_with_several_key_paths_is_curated_and_every_curated_path_is_in_the_catalog() -> None:
    curated = curated_roles()
    several = [t for t in types_with_key_paths() if len(key_paths(t)) > 1]
    assert [t for t in several if t not in curated] == []
    for token, roles in curated.items():
        assert set(roles) == {found.path for found in key_paths(token)}, token


def test_every_curated_role_is_well_formed() -> None:
    for token in curated_roles():
        for key in catalog_keys(token):
            assert key.path.startswith(key.anchor), (token, key)
            if key.role == "ignore":
                assert len(key.reason.split()) >= 6, (token, key.path)
            if key.role == "or":
                assert key.alternative in {found.path for found in key_paths(token)}, (token, key)
            if key.role == "inherit":  # the parent's default key is a key path AIS-ENC-001 judges on the parent
                assert key.parent is not None and key.parent.by, (token, key)
                assert key.parent.key in {found.path for found in key_paths(key.parent.type)}, (token, key)


def _hand_key_paths(requirements: tuple[Requirement, ...], base: str = "") -> set[str]:
    paths: set[str] = set()
    for requirement in requirements:
        if isinstance(requirement, KeyAt):
            paths.add(f"{base}{requirement.path}")
        elif isinstance(requirement, Each):
            paths |= _hand_key_paths(requirement.requirements, f"{base}{requirement.path}[].")
        elif isinstance(requirement, Unless):
            paths |= _hand_key_paths(requirement.requirements, base)
        elif hasattr(requirement, "requirements"):
            paths |= _hand_key_paths(requirement.requirements, base)  # pyright: ignore[reportAttributeAccessIssue]
    return paths


def test_the_paths_marked_hand_are_the_hand_written_requirements_key_paths() -> None:
    marked = {
        (token, path) for token, roles in curated_roles().items() for path, role in roles.items() if role == "hand"
    }
    written = {
        (token, path)
        for token, requirements in REQUIREMENTS.items()
        if token in set(types_with_key_paths())
        for path in _hand_key_paths(requirements)
        if re.sub(r"\[\d+\]", "[]", path) in {found.path for found in key_paths(token)}
    }
    assert marked == written


# --- key paths that inherit their parent's default key (key_path_roles.json "inherit") ------------------

TABLE = "gcp:bigquery/table:Table"
DATASET = "gcp:bigquery/dataset:Dataset"
TABLE_KEY = "encryptionConfiguration.kmsKeyName"


def _dataset(default: dict[str, Any] | None, name: str = "ds", **extra: Any) -> Any:
    props: dict[str, Any] = {"datasetId": name, "location": "EU", **extra}
    if default is not None:
        props["defaultEncryptionConfiguration"] = default
    return res(DATASET, name, props)


def _table(dataset_id: Any = "ds", **extra: Any) -> Any:
    return res(TABLE, "tb", {"datasetId": dataset_id, "tableId": "t", **extra}, deps=extra.pop("deps", None))


def test_a_table_without_a_key_takes_its_datasets_customer_managed_default() -> None:
    assert findings(run(_dataset({"kmsKeyName": CRYPTO_KEY}), _table()), ENC) == []


@pytest.mark.parametrize(
    ("default", "says"),
    [
        (None, "which is not set"),
        ({"kmsKeyName": ""}, "which is not set"),  # Google-managed: no key named
        ({"kmsKeyName": "arn:aws:kms:eu-west-1:1:alias/aws/s3"}, "an AWS-managed key"),
    ],
)
def test_a_table_without_a_key_fails_when_its_dataset_has_no_customer_managed_default(
    default: dict[str, Any] | None, says: str
) -> None:
    found = [f for f in findings(run(_dataset(default), _table()), ENC) if f[0] == "tb"]
    assert [(name, path) for name, path, _ in found] == [("tb", TABLE_KEY)]
    assert "takes the default key of its gcp:bigquery/dataset:Dataset ds" in found[0][2]
    assert says in found[0][2]


def test_a_table_whose_dataset_is_not_in_the_stack_fails_saying_no_parent_default_was_found() -> None:
    name, path, message = only(run(_table("elsewhere")), ENC)
    assert (name, path) == ("tb", TABLE_KEY)
    assert "no parent default was found" in message and '"elsewhere"' in message


def test_a_dataset_of_the_same_id_in_another_project_is_not_the_tables() -> None:
    dataset = _dataset({"kmsKeyName": CRYPTO_KEY}, project="other")
    assert "no parent default was found" in only(run(dataset, _table()), ENC)[2]


def test_a_table_with_its_own_key_passes_whatever_its_dataset() -> None:
    table = _table(encryptionConfiguration={"kmsKeyName": CRYPTO_KEY})
    assert findings(run(table), ENC) == []
    assert [f[0] for f in findings(run(_dataset(None), table), ENC)] == ["ds"]


def test_a_dataset_id_unknown_at_preview_is_followed_to_the_dataset_it_is_verbatim() -> None:
    dataset = _dataset({"kmsKeyName": CRYPTO_KEY})
    verbatim = res(TABLE, "tb", {"datasetId": UNKNOWN, "tableId": "t"}, deps={"datasetId": [dataset]})
    verbatim.verbatim_sources = {"datasetId": (dataset.urn, "datasetId")}  # dataset.dataset_id itself
    assert findings(run(dataset, verbatim, preview=True), ENC) == []

    computed = res(TABLE, "tb", {"datasetId": UNKNOWN, "tableId": "t"}, deps={"datasetId": [dataset]})
    name, path, message = only(run(dataset, computed, preview=True), ENC)
    assert (name, path) == ("tb", "datasetId") and message.startswith("could not verify datasetId")


def test_a_gcs_object_and_a_dataform_repository_inherit_their_parents_default_key() -> None:
    bucket = res("gcp:storage/bucket:Bucket", "b", {"name": "b", "location": "EU"})
    keyed = res(
        "gcp:storage/bucket:Bucket",
        "b",
        {"name": "b", "location": "EU", "encryption": {"defaultKmsKeyName": CRYPTO_KEY}},
    )
    obj = res("gcp:storage/bucketObject:BucketObject", "o", {"bucket": "b", "name": "o", "content": "x"})
    assert findings(run(keyed, obj), ENC) == []
    assert "no parent default was found" in only(run(obj), ENC)[2]
    assert {f[0] for f in findings(run(bucket, obj), ENC)} == {"b", "o"}

    config = res("gcp:dataform/config:Config", "c", {"region": "europe-west4", "defaultKmsKeyName": CRYPTO_KEY})
    repository = res("gcp:dataform/repository:Repository", "r", {"name": "r"})  # the provider's region
    assert findings(run(config, repository), ENC) == []
    assert "no parent default was found" in only(run(repository), ENC)[2]
