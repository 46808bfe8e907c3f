"""AWS S3 bucket that is private, KMS-encrypted, versioned and TLS-only."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aistacks._options import child, stateful_child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import Statement, bucket_access_policy, tls_only_statements
from aistacks.plan import BucketPlan, CloudPlan
from aistacks.vocabulary import ObjectLockMode

TYPE_TOKEN = "aistacks:aws:EncryptedBucket"


@dataclass(frozen=True)
class ObjectLock:
    """S3 Object Lock default retention: objects cannot be changed or deleted for ``days``."""

    mode: ObjectLockMode = "COMPLIANCE"
    """``COMPLIANCE``: nobody, root included, can shorten it; ``GOVERNANCE``: privileged users can."""
    days: int = 365


@dataclass(frozen=True)
class EncryptedBucketArgs:
    """Arguments of :class:`EncryptedBucket`."""

    kms_key_arn: pulumi.Input[str]
    """The customer-managed key objects are encrypted with (SSE-KMS, with an S3 bucket key). Required."""
    bucket_name: pulumi.Input[str] | None = None
    """Physical bucket name. Default: auto-named from the component name. A name known before the
    update (not an auto-name) makes the bucket policy known at preview, so guardrails can verify it."""
    noncurrent_version_days: int = 90
    """Days a replaced or deleted object version is kept before it expires. Default: 90."""
    expiration_days: int | None = None
    """Days after which an object expires (becomes a noncurrent version, deleted ``noncurrent_version_days``
    later): the retention of a backup bucket. Default: never."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete a bucket that still holds objects. Default: off."""
    object_lock: ObjectLock | None = None
    """Object Lock default retention (only settable when the bucket is created). Default: none."""
    extra_policy_statements: Callable[[pulumi.Output[str]], pulumi.Input[Sequence[Statement]]] | None = None
    """Given the bucket's ARN, the statements to add to the bucket policy beside the TLS-only
    denials (a service's delivery grant, say). Default: none."""
    protect: bool = True
    """Protect the bucket from deletion and retain it if removed from the program. Default: on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the bucket. Default: none (the provider's default tags still apply)."""

    @classmethod
    def from_plan(
        cls, bucket: BucketPlan, cloud: CloudPlan[Any], kms_key_arn: pulumi.Input[str], bucket_name: pulumi.Input[str]
    ) -> EncryptedBucketArgs:
        """A bucket of ``cloud``'s plan, named ``bucket_name`` (its plan's stem and the account ID)."""
        return cls(
            kms_key_arn=kms_key_arn,
            bucket_name=bucket_name,
            noncurrent_version_days=bucket.noncurrent_version_days,
            expiration_days=bucket.expiration_days,
            force_destroy=bucket.force_destroy,
            protect=cloud.protect,
        )


class EncryptedBucket(pulumi.ComponentResource):
    """An S3 bucket with every protection on: SSE-KMS with a bucket key, all four Block Public
    Access settings, BucketOwnerEnforced, versioning, a TLS-only policy and noncurrent-version expiry."""

    bucket: aws.s3.Bucket
    arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    policy: aws.s3.BucketPolicy

    def __init__(self, name: str, args: EncryptedBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._key_arn = pulumi.Output.from_input(args.kms_key_arn)
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=args.force_destroy,
            object_lock_enabled=args.object_lock is not None,
            tags=dict(args.tags),
            opts=stateful_child(self, protect=args.protect),
        )
        public_access = self._locked_down(name, args)
        self._lifecycle(name, args)
        self.policy = self._tls_only_policy(name, args, public_access)
        self.arn = self.bucket.arn
        self.bucket_name = self.bucket.bucket
        self.register_outputs({"arn": self.arn, "bucket_name": self.bucket_name})

    def _locked_down(self, name: str, args: EncryptedBucketArgs) -> aws.s3.BucketPublicAccessBlock:
        """Never public, owned by the account alone, encrypted with the key by default."""
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": args.kms_key_arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child(self),
        )
        return public_access

    def _lifecycle(self, name: str, args: EncryptedBucketArgs) -> None:
        """Versions kept, old ones and (for backups) current ones expired, and the Object Lock default."""
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
            "id": "expire-noncurrent-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_version_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }
        if args.expiration_days:
            rule["expiration"] = {"days": args.expiration_days}
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[rule],
            opts=child(self, depends_on=[versioning]),
        )
        if args.object_lock is not None:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=self.bucket.id,
                rule={
                    "default_retention": {"mode": args.object_lock.mode, "days": args.object_lock.days},
                },
                opts=child(self, depends_on=[versioning]),
            )

    def _tls_only_policy(
        self, name: str, args: EncryptedBucketArgs, public_access: aws.s3.BucketPublicAccessBlock
    ) -> aws.s3.BucketPolicy:
        """Deny requests without TLS 1.2, plus the caller's statements."""
        # The ARN from the name, not the `arn` output: a name known at preview makes the policy known too.
        context = aws_context(self)
        bucket_arn = pulumi.Output.all(context, self.bucket.bucket).apply(
            lambda values: f"arn:{values[0].partition}:s3:::{values[1]}"
        )
        extra = args.extra_policy_statements(bucket_arn) if args.extra_policy_statements else []
        policy_document = pulumi.Output.all(bucket_arn, pulumi.Output.from_input(extra)).apply(
            lambda values: json.dumps(
                {"Version": "2012-10-17", "Statement": [*tls_only_statements(values[0]), *values[1]]}
            )
        )
        # After the public access block, so a policy is never evaluated on a bucket without it.
        return aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=policy_document,
            opts=child(self, depends_on=[public_access]),
        )

    def grant_read(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` list the bucket and read objects, and decrypt them with the bucket's key."""
        return self._grant(role, write=False)

    def grant_write(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` list the bucket and write objects, and encrypt them with the bucket's key."""
        return self._grant(role, write=True)

    def _grant(self, role: aws.iam.Role, *, write: bool) -> aws.iam.RolePolicy:
        access = "write" if write else "read"
        document = pulumi.Output.all(self.bucket.arn, self._key_arn).apply(
            lambda arns: json.dumps(bucket_access_policy(arns[0], arns[1], write=write))
        )
        return aws.iam.RolePolicy(
            f"{self.pulumi_resource_name}-{access}-{role.pulumi_resource_name}",
            role=role.name,
            policy=document,
            opts=child(self),
        )
