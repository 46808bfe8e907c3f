"""AIS-PRT-001: stateful resources are protected from deletion."""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, Severity

from ..framework import Check, RuleMeta, Subject, resource_policy

META = RuleMeta(
    id="AIS-PRT-001",
    name="StatefulResourcesAreProtected",
    title="Stateful resources are protected",
    description="Keys, buckets, audit destinations, clusters and vector stores have the Pulumi `protect` option "
    "set, so no update or destroy deletes them by accident. Enable it in the policy config of every "
    "environment whose data must survive (staging, prod).",
    severity=Severity.HIGH,
    remediation="Pass protect=True (aistacks components do outside dev: the `protect` of the tier).",
)

STATEFUL_TYPES = frozenset(
    {
        "aws:kms/key:Key",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ebs/volume:Volume",
        "gcp:kms/keyRing:KeyRing",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:storage/bucket:Bucket",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig",
        "gcp:compute/disk:Disk",
        "aws:eks/cluster:Cluster",
        "gcp:container/cluster:Cluster",
        "kubernetes:apps/v1:StatefulSet",
        "aws:opensearch/serverlessCollection:ServerlessCollection",
        "gcp:vertex/aiIndex:AiIndex",
    }
)
"""Types whose deletion loses data or keys; a new stateful type is one entry."""


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type not in STATEFUL_TYPES or not isinstance(resource, ResourceValidationArgs):
        return
    if not resource.opts.protect:
        check.fail(resource, "options.protect", False, "true", "a stateful resource without `protect`")


POLICY = resource_policy(META, _check)
