"""The account, partition and region a component's AWS provider acts in, looked up once."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: str
    partition: str
    region: str


def aws_context(parent: pulumi.Resource) -> pulumi.Output[AwsContext]:
    """Look up where ``parent``'s AWS provider acts (its provider, not the default one)."""
    opts = pulumi.InvokeOptions(parent=parent)
    identity = aws.get_caller_identity_output(opts=opts)
    partition = aws.get_partition_output(opts=opts)
    region = aws.get_region_output(opts=opts)
    return pulumi.Output.all(identity.account_id, partition.partition, region.region).apply(
        lambda values: AwsContext(account_id=values[0], partition=values[1], region=values[2])
    )
