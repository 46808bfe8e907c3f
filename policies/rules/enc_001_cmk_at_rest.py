"""AIS-ENC-001: stores encrypt data at rest with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, stack_policy
from ..requirements import Contains, Each, Equals, KeyAt, Present, Requirement, StorageClassKey

META = RuleMeta(
    id="AIS-ENC-001",
    name="DataAtRestUsesCustomerManagedKeys",
    title="Data at rest is encrypted with a customer-managed key",
    description="Audit trails, log groups and log buckets, volumes and launch-template block devices, cluster "
    "secrets, node boot disks, buckets, StorageClasses, and Vertex AI Vector Search indexes and endpoints "
    "encrypt with a customer-managed key (AWS KMS or Cloud KMS).",
    severity=Severity.HIGH,
    remediation="Pass the stack's key: aistacks components do (KmsKey.arn / KmsKey.key_id); for your own "
    "resources set the property the finding names to the key's ARN or resource name.",
)

REQUIREMENTS: Mapping[str, tuple[Requirement, ...]] = {
    "aws:cloudtrail/trail:Trail": (KeyAt("kmsKeyId"),),
    "aws:cloudwatch/logGroup:LogGroup": (KeyAt("kmsKeyId"),),
    "aws:ebs/volume:Volume": (Equals("encrypted", True), KeyAt("kmsKeyId")),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        Each(
            "blockDeviceMappings",
            (Equals("ebs.encrypted", "true"), KeyAt("ebs.kmsKeyId")),
            "no block device mappings: the root volume follows the AMI and the account default, not the stack's key",
        ),
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        Present(
            "launchTemplate",
            "no launch template: the nodes' root volumes follow the account default, not the stack's key",
        ),
    ),
    "aws:ec2/instance:Instance": (Equals("rootBlockDevice.encrypted", True), KeyAt("rootBlockDevice.kmsKeyId")),
    "aws:eks/cluster:Cluster": (
        KeyAt("encryptionConfig.provider.keyArn"),
        Contains("encryptionConfig.resources", "secrets"),
    ),
    "gcp:storage/bucket:Bucket": (KeyAt("encryption.defaultKmsKeyName"),),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (KeyAt("cmekSettings.kmsKeyName"),),
    "gcp:container/cluster:Cluster": (
        Equals("databaseEncryption.state", "ENCRYPTED"),
        KeyAt("databaseEncryption.keyName"),
    ),
    "gcp:container/nodePool:NodePool": (KeyAt("nodeConfig.bootDiskKmsKey"),),
    "gcp:compute/disk:Disk": (KeyAt("diskEncryptionKey.kmsKeySelfLink"),),
    "kubernetes:storage.k8s.io/v1:StorageClass": (StorageClassKey(),),
    "gcp:vertex/aiIndex:AiIndex": (KeyAt("encryptionSpec.kmsKeyName"),),
    "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint": (KeyAt("encryptionSpec.kmsKeyName"),),
}
"""Each type and what it must set. A new store type is one entry here."""


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for resource in resources:
        for requirement in REQUIREMENTS.get(resource.resource_type, ()):
            requirement.verify(check, resource, "")


POLICY = stack_policy(META, _check)
