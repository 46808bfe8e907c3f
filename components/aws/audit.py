"""AWS audit trail: multi-region CloudTrail into an Object-Locked bucket and an encrypted log group."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child, stateful_child
from aistacks.aws.bucket import EncryptedBucket, EncryptedBucketArgs, ObjectLock
from aistacks.aws.context import aws_context
from aistacks.aws.documents import assume_role_policy, cloudtrail_delivery_statements
from aistacks.naming import trail_log_group
from aistacks.plan import AwsPlan

TYPE_TOKEN = "aistacks:aws:AuditTrail"


@dataclass(frozen=True)
class AuditTrailArgs:
    """Arguments of :class:`AuditTrail`."""

    kms_key_arn: pulumi.Input[str]
    """Key for the log files, the log bucket and the log group; its policy must admit the
    ``cloudtrail`` and ``logs`` services (``KmsKeyArgs.services``). Required."""
    trail_name: str
    """Physical trail name; fixed, so that policies can name the trail before it exists. Required."""
    bucket_name: pulumi.Input[str] | None = None
    """Physical name of the log bucket. Default: auto-named (see ``EncryptedBucketArgs.bucket_name``)."""
    log_group_name: str | None = None
    """The CloudWatch log group the trail also delivers to. Default: ``/aistacks/cloudtrail/<trail name>``."""
    log_retention_days: int = 365
    """Days the CloudWatch log group keeps events (a CloudWatch Logs retention value). Default: 365."""
    object_lock: ObjectLock = field(default_factory=ObjectLock)
    """Object Lock of the log bucket. Default: COMPLIANCE for 365 days."""
    data_event_bucket_arns: Sequence[pulumi.Input[str]] = ()
    """Buckets whose object-level reads and writes are logged (S3 data events). Default: none."""
    noncurrent_version_days: int = 365
    """Days a noncurrent log file version is kept (after its lock expires). Default: 365."""
    protect: bool = True
    """Protect the log bucket and log group from deletion. Default: on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the trail, bucket and log group. Default: none."""

    @classmethod
    def from_plan(
        cls,
        cloud: AwsPlan,
        kms_key_arn: pulumi.Input[str],
        bucket_name: pulumi.Input[str],
        data_event_bucket_arns: Sequence[pulumi.Input[str]],
    ) -> AuditTrailArgs:
        """The audit trail of ``cloud``'s plan, logging the data events of ``data_event_bucket_arns``."""
        audit = cloud.audit
        return cls(
            kms_key_arn=kms_key_arn,
            trail_name=audit.resource_name,
            bucket_name=bucket_name,
            log_group_name=cloud.trail_log_group_name,
            log_retention_days=audit.log_retention_days,
            object_lock=ObjectLock(mode=audit.object_lock_mode, days=audit.object_lock_days),
            data_event_bucket_arns=data_event_bucket_arns,
            noncurrent_version_days=audit.noncurrent_version_days,
            protect=cloud.protect,
        )


class AuditTrail(pulumi.ComponentResource):
    """Every management event of every region, and the data events of the stack's buckets, logged
    to an Object-Locked, KMS-encrypted bucket with log file validation, and to a KMS-encrypted
    CloudWatch log group with retention."""

    trail: aws.cloudtrail.Trail
    bucket: EncryptedBucket
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        context = aws_context(self)
        trail_arn = context.apply(
            lambda where: f"arn:{where.partition}:cloudtrail:{where.region}:{where.account_id}:trail/{args.trail_name}"
        )
        self.bucket = EncryptedBucket(
            f"{name}-logs",
            EncryptedBucketArgs(
                kms_key_arn=args.kms_key_arn,
                bucket_name=args.bucket_name,
                noncurrent_version_days=args.noncurrent_version_days,
                force_destroy=False,
                object_lock=args.object_lock,
                extra_policy_statements=lambda bucket_arn: pulumi.Output.all(bucket_arn, trail_arn, context).apply(
                    lambda values: cloudtrail_delivery_statements(values[0], values[1], values[2].account_id)
                ),
                protect=args.protect,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-events",
            name=args.log_group_name or trail_log_group(args.trail_name),
            kms_key_id=args.kms_key_arn,
            retention_in_days=args.log_retention_days,
            deletion_protection_enabled=args.protect,
            tags=dict(args.tags),
            opts=stateful_child(self, protect=args.protect),
        )
        delivery_role, delivery_policy = self._log_group_delivery(name, args)
        data_buckets = [pulumi.Output.from_input(arn) for arn in args.data_event_bucket_arns]
        selectors = pulumi.Output.all(*data_buckets).apply(_advanced_event_selectors)
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=args.trail_name,
            s3_bucket_name=self.bucket.bucket_name,
            kms_key_id=args.kms_key_arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=delivery_role.arn,
            advanced_event_selectors=selectors,
            tags=dict(args.tags),
            opts=child(self, depends_on=[self.bucket.policy, delivery_policy]),
        )
        self.register_outputs(
            {
                "trail_arn": self.trail.arn,
                "bucket_name": self.bucket.bucket_name,
                "log_group": self.log_group.name,
            }
        )

    def _log_group_delivery(self, name: str, args: AuditTrailArgs) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        """The role CloudTrail assumes to write events into the log group, and what it may do there."""
        role = aws.iam.Role(
            f"{name}-delivery",
            description="CloudTrail delivers events to the audit log group",
            assume_role_policy=json.dumps(assume_role_policy("cloudtrail.amazonaws.com")),
            tags=dict(args.tags),
            opts=child(self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-delivery",
            role=role.name,
            policy=self.log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{arn}:log-stream:*",
                            }
                        ],
                    }
                )
            ),
            opts=child(self),
        )
        return role, policy


def _advanced_event_selectors(
    data_bucket_arns: list[str],
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """Management events, plus object-level events of the given buckets."""
    selectors: list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict] = [
        {
            "name": "Management events",
            "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
        }
    ]
    if data_bucket_arns:
        selectors.append(
            {
                "name": "S3 data events of the stack's buckets",
                "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                    {"field": "resources.ARN", "starts_withs": [f"{arn}/" for arn in data_bucket_arns]},
                ],
            }
        )
    return selectors
