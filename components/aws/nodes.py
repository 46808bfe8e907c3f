"""EKS GPU node groups from their plan (AMI type, labels, taint), on the hardened launch template, with
the Cluster Autoscaler tags that let a pool scale up from zero."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child
from aistacks.plan.aws import AwsPoolPlan

TYPE_TOKEN = "aistacks:aws:GpuNodePool"
AUTOSCALED_SIZE = ["scalingConfig.desiredSize"]
"""What a managed node group leaves to the Cluster Autoscaler once it exists: its size. Else the next
``pulumi up`` would set it back to the planned size under running workloads."""


def autoscaler_tags(cluster_name: str, pool: AwsPoolPlan) -> dict[str, str]:
    """Cluster Autoscaler auto-discovery and node-template tags, which let it scale a pool up from zero
    nodes: with no node to look at, it learns the pool's GPUs, labels and taint from these ASG tags.
    Source: Cluster Autoscaler FAQ and AWS cloud provider README, "Auto-Discovery Setup" and
    "Scaling a node group to 0" (read 2026-11-27)."""
    template = "k8s.io/cluster-autoscaler/node-template"
    tags = {
        "k8s.io/cluster-autoscaler/enabled": "true",
        f"k8s.io/cluster-autoscaler/{cluster_name}": "owned",
        f"{template}/resources/{pool.gpu_resource}": str(pool.accelerator.count),
        f"{template}/taint/{pool.taint.key}": f"{pool.taint.value}:{pool.taint.effect}",
    }
    tags |= {f"{template}/label/{key}": value for key, value in pool.labels.items()}
    return tags


LAUNCHED_RESOURCE_TYPES: tuple[str, ...] = ("instance", "volume", "network-interface")
"""What a node's launch template tags: every resource a node launch creates. A launch template may tag
``instance | volume | network-interface | spot-instances-request`` only, and a launch fails if the
instance lacks a tagged type; managed node groups make no spot requests of their own (their Auto Scaling
group launches spot capacity), so ``spot-instances-request`` is left out, and every node has a volume
(the block device mappings) and a network interface. Source: Amazon EC2 API Reference,
"LaunchTemplateTagSpecificationRequest", ResourceType (read 2026-11-30); terraform-aws-eks's
eks-managed-node-group tags the same three types."""


def launched_resource_tags(
    node_group: str, tags: Mapping[str, str]
) -> list[aws.ec2.LaunchTemplateTagSpecificationArgsDict]:
    """The tag specifications of a node launch template: the stack's ``tags`` and ``Name`` (the node
    group's name) on each of :data:`LAUNCHED_RESOURCE_TYPES`.

    The provider's ``default_tags`` never reach these nested tag sets (pulumi-aws, "aws.getDefaultTags":
    "apply default tags to resources not directly managed by a resource, such as the instances underneath
    an Auto Scaling group"; terraform-provider-aws#19387, read 2026-11-30), so the tags are spelled out; and
    EC2 rejects a tag specification with no tags (``InvalidTagSpecification.Malformed``,
    terraform-provider-aws#13155), so ``Name`` makes every set non-empty."""
    if not node_group:
        raise ValueError("a node launch template needs its node group's name for the Name tag")
    named = {**tags, "Name": node_group}
    return [{"resource_type": kind, "tags": dict(named)} for kind in LAUNCHED_RESOURCE_TYPES]


def launch_template(
    name: str,
    parent: pulumi.Resource,
    *,
    node_group: str,
    kms_key_arn: pulumi.Input[str],
    volume_gib: int,
    bottlerocket: bool,
    tags: Mapping[str, str],
) -> aws.ec2.LaunchTemplate:
    """Node volumes encrypted with the stack's key; IMDSv2 only, one hop (pods cannot reach the
    instance role: they use IRSA or Pod Identity); the nodes' instances, volumes and network interfaces
    tagged with ``tags`` and ``Name: <node_group>``."""
    volumes: list[aws.ec2.LaunchTemplateBlockDeviceMappingArgsDict] = [
        {
            # Bottlerocket boots from /dev/xvda and keeps images and pods on /dev/xvdb.
            "device_name": "/dev/xvdb" if bottlerocket else "/dev/xvda",
            "ebs": {
                "encrypted": "true",
                "kms_key_id": kms_key_arn,
                "volume_size": volume_gib,
                "volume_type": "gp3",
                "delete_on_termination": "true",
            },
        }
    ]
    if bottlerocket:
        volumes.insert(
            0,
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "encrypted": "true",
                    "kms_key_id": kms_key_arn,
                    "volume_type": "gp3",
                    "delete_on_termination": "true",
                },
            },
        )
    return aws.ec2.LaunchTemplate(
        name,
        block_device_mappings=volumes,
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 1,
        },
        tag_specifications=launched_resource_tags(node_group, tags),
        update_default_version=True,
        tags=dict(tags),
        opts=child(parent),
    )


@dataclass(frozen=True)
class GpuNodePoolArgs:
    """Arguments of :class:`GpuNodePool`."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster. Required."""
    autoscaler_cluster_name: str
    """The cluster's name as the Cluster Autoscaler knows it (auto-discovery tag). Required."""
    node_role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    """Key of the node volumes (its policy must admit ``autoscaling``). Required."""
    pool: AwsPoolPlan
    """The planned pool (:func:`aistacks.plan.plan_aws_pool`): type, AMI type, sizes, capacity, labels, taint."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the node group and on its nodes' instances, volumes and network interfaces (with ``Name``,
    the pool's name). Default: none beyond ``Name`` (the provider's default tags reach the node group but
    not its nodes)."""
    compute_dependencies: Sequence[pulumi.Resource] = ()
    """What nodes need before they join: the cluster's networking add-ons
    (:attr:`aistacks.aws.EksCluster.compute_dependencies`). Default: nothing."""


def _autoscaling_group_name(resources: Sequence[aws.eks.outputs.NodeGroupResource]) -> str:
    groups = resources[0].autoscaling_groups if resources else None
    if not groups or not groups[0].name:
        raise pulumi.RunError("the node group reported no Auto Scaling group to tag")
    return groups[0].name


class GpuNodePool(pulumi.ComponentResource):
    """A managed node group of GPU (or Neuron) nodes: tainted so only GPU workloads land there,
    labelled, on encrypted volumes, scalable from zero by the Cluster Autoscaler."""

    node_group: aws.eks.NodeGroup
    ami_type: str

    def __init__(self, name: str, args: GpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        pool = args.pool
        self.ami_type = pool.ami_type
        template = launch_template(
            f"{name}-nodes",
            self,
            node_group=name,
            kms_key_arn=args.kms_key_arn,
            volume_gib=pool.volume_gib,
            bottlerocket=pool.image == "bottlerocket",
            tags=args.tags,
        )
        self.node_group = aws.eks.NodeGroup(
            name,
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=list(args.subnet_ids),
            instance_types=[pool.accelerator.name],
            ami_type=self.ami_type,
            capacity_type="SPOT" if pool.capacity == "spot" else "ON_DEMAND",
            scaling_config={
                "min_size": pool.min_nodes,
                "max_size": pool.max_nodes,
                "desired_size": pool.desired_nodes,
            },
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            labels=dict(pool.labels),
            taints=[{"key": pool.taint.key, "value": pool.taint.value, "effect": pool.taint.api_effect}],
            update_config={"max_unavailable": 1},
            tags={**args.tags, **pool.tags},
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(args.compute_dependencies), ignore_changes=AUTOSCALED_SIZE
            ),
        )
        # Managed node groups do not pass their tags to the Auto Scaling group: tag it directly.
        group_name = self.node_group.resources.apply(_autoscaling_group_name)
        for index, (key, value) in enumerate(sorted(autoscaler_tags(args.autoscaler_cluster_name, pool).items())):
            aws.autoscaling.Tag(
                f"{name}-asg-tag-{index}",
                autoscaling_group_name=group_name,
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=child(self),
            )
        self.register_outputs({"node_group": self.node_group.id, "ami_type": self.ami_type})
