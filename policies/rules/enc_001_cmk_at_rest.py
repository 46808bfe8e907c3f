"""AIS-ENC-001: stores encrypt data at rest with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, stack_policy
from ..provider_catalog import types_with_key_paths
from ..requirements import (
    Absent,
    Contains,
    Each,
    Equals,
    KeyAt,
    Present,
    Requirement,
    SomeElement,
    StorageClassKey,
    Unless,
    catalog_keys,
    judging,
)

META = RuleMeta(
    id="AIS-ENC-001",
    name="DataAtRestUsesCustomerManagedKeys",
    title="Data at rest is encrypted with a customer-managed key",
    description="Every resource type the provider catalog lists with a customer-managed-key property (databases, "
    "file systems, tables, queues, topics, registries, disks, images, snapshots, buckets, log stores, SageMaker, "
    "Bedrock, Vertex AI, ...) names a customer-managed key (AWS KMS or Cloud KMS) at its primary data key, and at "
    "every other key of a feature that is turned on; volumes, launch-template block devices (the root device "
    "mapped), instances' additional volumes, cluster secrets, every node pool's boot disks (a GKE cluster's default "
    "pool too) and StorageClasses as well.",
    severity=Severity.HIGH,
    remediation="Pass the stack's key: aistacks components do (KmsKey.arn / KmsKey.key_id); for your own "
    "resources set the property the finding names to the key's ARN or resource name.",
)

ROOT_DEVICE_NAMES = ("/dev/xvda", "/dev/sda1")
"""The root device names of EC2 AMIs (Amazon Linux, Bottlerocket: /dev/xvda; Ubuntu, Windows, RHEL:
/dev/sda1). Source: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/device_naming.html (read 2026-11-30)."""

REQUIREMENTS: Mapping[str, tuple[Requirement, ...]] = {
    "aws:ebs/volume:Volume": (Equals("encrypted", True), KeyAt("kmsKeyId")),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        Each(
            "blockDeviceMappings",
            (Equals("ebs.encrypted", "true"), KeyAt("ebs.kmsKeyId")),
            "no block device mappings: the root volume follows the AMI and the account default, not the stack's key",
        ),
        SomeElement(
            "blockDeviceMappings",
            "deviceName",
            ROOT_DEVICE_NAMES,
            "the root device is not mapped: the root volume follows the AMI's snapshot and the account default, "
            "not the stack's key",
        ),
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        Present(
            "launchTemplate",
            "no launch template: the nodes' root volumes follow the account default, not the stack's key",
        ),
    ),
    "aws:ec2/instance:Instance": (
        Equals("rootBlockDevice.encrypted", True),
        KeyAt("rootBlockDevice.kmsKeyId"),
        Each("ebsBlockDevices", (Equals("encrypted", True), KeyAt("kmsKeyId")), None),
    ),
    "aws:eks/cluster:Cluster": (
        KeyAt("encryptionConfig.provider.keyArn"),
        Contains("encryptionConfig.resources", "secrets"),
    ),
    # Without enabled: true the table uses an AWS-owned key whatever kmsKeyArn says (SDK docstring of
    # TableServerSideEncryption.enabled, pulumi-aws 7.51.1, read 2026-11-30).
    "aws:dynamodb/table:Table": (Equals("serverSideEncryption.enabled", True),),
    # encryptionType NONE (the default) leaves the stream unencrypted whatever kmsKeyId says (SDK docstring of
    # Stream.encryption_type, pulumi-aws 7.51.1, read 2026-11-30).
    "aws:kinesis/stream:Stream": (Equals("encryptionType", "KMS"),),
    "gcp:container/cluster:Cluster": (
        Equals("databaseEncryption.state", "ENCRYPTED"),
        KeyAt("databaseEncryption.keyName"),
        # The default node pool exists unless removed, replaced by inline node pools, or the cluster is
        # Autopilot (SDK docstrings of remove_default_node_pool, node_pools, enable_autopilot, pulumi-gcp 10.2.0).
        Unless(
            "removeDefaultNodePool",
            True,
            (Unless("enableAutopilot", True, (Absent("nodePools", (KeyAt("nodeConfig.bootDiskKmsKey"),)),)),),
        ),
    ),
    "kubernetes:storage.k8s.io/v1:StorageClass": (StorageClassKey(),),
}
"""Requirements stronger than "the key is set": the flag that turns encryption on, a list that must cover the
root device, a key that must encrypt secrets. Key paths these name are marked ``hand`` in
``data/key_path_roles.json``; every other key path of the provider catalog is judged by :func:`catalog_keys`."""


@cache
def requirements(resource_type: str) -> tuple[Requirement, ...]:
    """Everything AIS-ENC-001 requires of a type: its hand-written requirements and its catalog key paths."""
    return (*REQUIREMENTS.get(resource_type, ()), *catalog_keys(resource_type))


def covered_types() -> frozenset[str]:
    """The types AIS-ENC-001 judges (a catalog key path that is not ignored, or a hand-written requirement)."""
    return frozenset(REQUIREMENTS) | {
        token for token in types_with_key_paths() if any(key.role != "ignore" for key in catalog_keys(token))
    }


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    with judging(resources):  # a key path that inherits its parent's default key looks the parent up
        for resource in resources:
            for requirement in requirements(resource.resource_type):
                requirement.verify(check, resource, "")


POLICY = stack_policy(META, _check)
