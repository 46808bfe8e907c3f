"""GCS bucket that is private, CMEK-encrypted, versioned and soft-delete protected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from aistacks._options import child, stateful_child
from aistacks.gcp.identity import WorkloadPrincipal
from aistacks.gcp.kms import SECONDS_PER_DAY, KmsKey
from aistacks.plan import BucketPlan, GcpPlan

TYPE_TOKEN = "aistacks:gcp:EncryptedBucket"

Principal = gcp.serviceaccount.Account | WorkloadPrincipal | str
"""Who is granted access: a service account resource, a GKE workload, or an IAM member string (``group:…``)."""


@dataclass(frozen=True)
class RetentionLock:
    """A bucket retention policy: no object can be deleted or replaced before ``days``."""

    days: int
    locked: bool = True
    """Lock the policy: it can then never be removed or shortened (irreversible)."""


@dataclass(frozen=True)
class EncryptedBucketArgs:
    """Arguments of :class:`EncryptedBucket`."""

    kms_key: KmsKey | pulumi.Input[str]
    """The stack's :class:`KmsKey` (the Cloud Storage service agent is granted its use), or a
    key's resource name, in which case you grant the service agent yourself. Required."""
    project: str
    """Project of the bucket. Required."""
    location: str
    """Region (or multi-/dual-region) of the bucket; must hold the key's location. Required."""
    noncurrent_version_days: int = 90
    """Days a replaced or deleted object version is kept before it is deleted. Default: 90."""
    expiration_days: int | None = None
    """Days after which an object is deleted (kept as a noncurrent version ``noncurrent_version_days``
    longer): the retention of a backup bucket. Default: never."""
    soft_delete_days: int = 7
    """Days a deleted object can still be restored (7 to 90). Default: 7."""
    retention: RetentionLock | None = None
    """A retention policy (audit data). Default: none."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete a bucket that still holds objects. Default: off."""
    protect: bool = True
    """Protect the bucket from deletion and retain it if removed from the program. Default: on."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the bucket. Default: none."""

    @classmethod
    def from_plan(cls, bucket: BucketPlan, cloud: GcpPlan, kms_key: KmsKey) -> EncryptedBucketArgs:
        """A bucket of ``cloud``'s plan, in its region, with ``kms_key`` as its default key."""
        return cls(
            kms_key=kms_key,
            project=cloud.project,
            location=cloud.region,
            noncurrent_version_days=bucket.noncurrent_version_days,
            expiration_days=bucket.expiration_days,
            soft_delete_days=bucket.soft_delete_days,
            force_destroy=bucket.force_destroy,
            protect=cloud.protect,
        )


class EncryptedBucket(pulumi.ComponentResource):
    """A GCS bucket with a CMEK default key, uniform bucket-level access, public access prevention
    enforced, versioning, soft delete and noncurrent-version expiry."""

    bucket: gcp.storage.Bucket
    bucket_name: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptedBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        key_grants: list[pulumi.Resource] = []
        if isinstance(args.kms_key, KmsKey):
            key_name: pulumi.Input[str] = args.kms_key.key_id
            key_grants.extend(args.kms_key.allow_service_agent("storage"))
        else:
            key_name = args.kms_key
        retention: gcp.storage.BucketRetentionPolicyArgsDict | None = None
        if args.retention is not None:
            retention = {
                "retention_period": str(args.retention.days * SECONDS_PER_DAY),
                "is_locked": args.retention.locked,
            }
        self.bucket = gcp.storage.Bucket(
            name,
            project=args.project,
            location=args.location.upper(),
            encryption={"default_kms_key_name": key_name},
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": True},
            soft_delete_policy={"retention_duration_seconds": args.soft_delete_days * SECONDS_PER_DAY},
            retention_policy=retention,
            lifecycle_rules=[
                {
                    "action": {"type": "Delete"},
                    "condition": {
                        "days_since_noncurrent_time": args.noncurrent_version_days,
                        "with_state": "ARCHIVED",
                    },
                },
                {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
                *(
                    [{"action": {"type": "Delete"}, "condition": {"age": args.expiration_days, "with_state": "LIVE"}}]
                    if args.expiration_days
                    else []
                ),
            ],
            force_destroy=args.force_destroy,
            labels=dict(args.labels),
            # The service agent must hold the key before the bucket names it as its default key.
            opts=stateful_child(self, protect=args.protect, depends_on=key_grants),
        )
        self.bucket_name = self.bucket.name
        self.url = self.bucket.url
        self.register_outputs({"bucket_name": self.bucket_name, "url": self.url})

    def grant_read(self, principal: Principal) -> gcp.storage.BucketIAMMember:
        """Let ``principal`` list and read objects.

        No key role is granted, on purpose: with a CMEK default key the Cloud Storage service agent
        (which the stack's :class:`KmsKey` admits) encrypts and decrypts on the caller's behalf, so
        a key role for the caller would be privilege it never uses."""
        return self._grant("read", "roles/storage.objectViewer", principal)

    def grant_write(self, principal: Principal) -> gcp.storage.BucketIAMMember:
        """Let ``principal`` create objects (not overwrite or delete them); see :meth:`grant_read` on keys."""
        return self._grant("write", "roles/storage.objectCreator", principal)

    def _grant(self, access: str, role: str, principal: Principal) -> gcp.storage.BucketIAMMember:
        member: pulumi.Input[str]
        if isinstance(principal, gcp.serviceaccount.Account):
            label, member = principal.pulumi_resource_name, principal.member
        elif isinstance(principal, WorkloadPrincipal):
            label, member = principal.label, principal.member
        else:
            label, member = re.sub(r"[^a-z0-9]+", "-", principal.lower()).strip("-"), principal
        return gcp.storage.BucketIAMMember(
            f"{self.pulumi_resource_name}-{access}-{label}",
            bucket=self.bucket.name,
            role=role,
            member=member,
            opts=child(self),
        )
