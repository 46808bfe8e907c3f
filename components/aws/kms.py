"""AWS customer-managed KMS key with rotation, a deletion window, an alias and a least-privilege policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child, stateful_child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import key_policy
from aistacks.plan import AwsPlan
from aistacks.vocabulary import KeyService

TYPE_TOKEN = "aistacks:aws:KmsKey"


@dataclass(frozen=True)
class KmsKeyArgs:
    """Arguments of :class:`KmsKey`."""

    description: str = "aistacks data key"
    """Shown in the KMS console. Default: ``aistacks data key``."""
    rotation_period_days: int = 90
    """Days between automatic rotations (AWS: 90 to 2560). Rotation is always on. Default: 90."""
    deletion_window_days: int = 30
    """Days a key scheduled for deletion stays recoverable (7 to 30). Default: 30."""
    services: Sequence[KeyService] = ()
    """Services that use the key directly (``cloudtrail``, ``logs``). Default: none."""
    autoscaling_role_arn: pulumi.Input[str] | None = None
    """With ``autoscaling`` in ``services``: the EC2 Auto Scaling service-linked role, when the program
    creates it (the key then waits for it). Default: the account's existing role."""
    alias: str | None = None
    """Alias without the ``alias/`` prefix. Default: the component name."""
    protect: bool = True
    """Protect the key from deletion and retain it if removed from the program. Default: on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the key. Default: none (the provider's default tags still apply)."""
    existing_key_arn: str | None = None
    """Use this key instead of creating one; nothing is created and the settings above apply to nothing.
    Its key policy must admit ``services`` as the created key's does (:func:`aistacks.aws.documents.key_policy`).
    Default: unset (create the key)."""

    @classmethod
    def from_plan(cls, cloud: AwsPlan, autoscaling_role_arn: pulumi.Input[str] | None = None) -> KmsKeyArgs:
        """The stack key of ``cloud``'s plan; ``autoscaling_role_arn`` when the program creates that role."""
        key = cloud.key
        return cls(
            description=cloud.key_description,
            rotation_period_days=key.rotation_period_days,
            deletion_window_days=key.deletion_window_days,
            services=cloud.key_services,
            autoscaling_role_arn=autoscaling_role_arn,
            alias=cloud.key_alias,
            protect=cloud.protect,
            existing_key_arn=cloud.existing_key,
        )


class KmsKey(pulumi.ComponentResource):
    """A symmetric KMS key, rotated, with an alias; the key every encrypted store of a stack uses. Or a key
    that exists, referred to by its ARN."""

    key: aws.kms.Key | None
    """None for an existing key."""
    alias: aws.kms.Alias | None
    """None for an existing key."""
    arn: pulumi.Input[str]
    key_id: pulumi.Input[str]

    def __init__(self, name: str, args: KmsKeyArgs | None = None, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        args = args or KmsKeyArgs()
        if args.existing_key_arn is not None:
            self.key, self.alias = None, None
            self.arn, self.key_id = args.existing_key_arn, args.existing_key_arn.rsplit("/", 1)[1]
            self.register_outputs({"arn": self.arn, "key_id": self.key_id})
            return
        context = aws_context(self)
        services = tuple(args.services)
        # Output.json_dumps with the role's ARN in the document as it is: a preview's gate reads the policy
        # around it (aistacks.engine.provenance), where an apply over the ARN would hide it all.
        policy = pulumi.Output.json_dumps(
            context.apply(
                lambda where: key_policy(
                    where.account_id, where.partition, where.region, services, args.autoscaling_role_arn
                )
            )
        )
        self.key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_period_days,
            deletion_window_in_days=args.deletion_window_days,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            multi_region=False,
            policy=policy,
            tags=dict(args.tags),
            opts=stateful_child(self, protect=args.protect),
        )
        key = self.key
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias or name}",
            target_key_id=key.key_id,
            opts=child(self),
        )
        self.arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"arn": self.arn, "key_id": self.key_id, "alias": self.alias.name})
