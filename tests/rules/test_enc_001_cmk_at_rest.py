"""AIS-ENC-001 (``policies/rules/enc_001_cmk_at_rest.py``): stores encrypt at rest with a customer-managed key.

Each store type on a compliant and a non-compliant fixture, AWS-managed keys, keys unknown at preview
(verified by where they come from), node groups and instances, StorageClasses, and Vertex AI Vector
Search indexes and endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

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
