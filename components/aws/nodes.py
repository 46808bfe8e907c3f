"""EKS node groups: the hardened launch template, AMI type choice and Cluster Autoscaler tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child
from aistacks.catalog import AcceleratorType
from aistacks.compute import GpuPoolPlan, NodeImage

TYPE_TOKEN = "aistacks:aws:GpuNodePool"

# Amazon EKS AMI types for accelerated nodes. Source: Amazon EKS API Reference, Nodegroup
# `amiType` (AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, AL2023_x86_64_NEURON,
# BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA; read 2026-11-27).
AMI_TYPES: Mapping[tuple[NodeImage, str, str], str] = {
    ("al2023", "nvidia", "x86_64"): "AL2023_x86_64_NVIDIA",
    ("al2023", "nvidia", "arm64"): "AL2023_ARM_64_NVIDIA",
    ("al2023", "aws", "x86_64"): "AL2023_x86_64_NEURON",
    ("bottlerocket", "nvidia", "x86_64"): "BOTTLEROCKET_x86_64_NVIDIA",
    ("bottlerocket", "nvidia", "arm64"): "BOTTLEROCKET_ARM_64_NVIDIA",
}
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"

GPU_TAINT_KEYS: Mapping[str, str] = {"nvidia": "nvidia.com/gpu", "aws": "aws.amazon.com/neuron"}
"""The extended resource (and taint key) each accelerator vendor's device plugin advertises."""

DEVICE_PLUGIN_LABEL = "aistacks.io/nvidia-device-plugin"
"""Set on nodes whose image ships the NVIDIA driver but not the device plugin (AL2023 NVIDIA)."""


class UnsupportedNodeImage(ValueError):
    """No EKS AMI type runs this accelerator on this image."""


def ami_type(accelerator: AcceleratorType, image: NodeImage) -> str:
    """The EKS AMI type for an accelerator type on an image. Every type in the catalog without a
    stated architecture is x86_64 (the catalog holds no Graviton GPU types)."""
    key = (image, accelerator.vendor, accelerator.architecture or "x86_64")
    if key not in AMI_TYPES:
        supported = ", ".join(sorted({i for i, v, _ in AMI_TYPES if v == accelerator.vendor})) or "none"
        raise UnsupportedNodeImage(
            f"{accelerator.name} ({accelerator.accelerator}) has no {image} EKS image; images that run it: {supported}"
        )
    return AMI_TYPES[key]


def needs_device_plugin(ami: str) -> bool:
    """AL2023 NVIDIA AMIs ship the driver, not the Kubernetes device plugin; Bottlerocket's NVIDIA
    variants include it. Source: Amazon EKS User Guide, "Amazon EKS optimized accelerated Amazon
    Linux AMIs" and Bottlerocket NVIDIA variant docs (read 2026-11-27)."""
    return ami.startswith("AL2023_") and ami.endswith("_NVIDIA")


def pool_labels(pool: GpuPoolPlan, ami: str) -> dict[str, str]:
    labels = {
        "aistacks.io/pool": pool.name,
        "aistacks.io/accelerator": pool.accelerator.accelerator,
        "aistacks.io/accelerator-count": str(pool.accelerator.count),
        "aistacks.io/capacity": pool.capacity,
    }
    if needs_device_plugin(ami):
        labels[DEVICE_PLUGIN_LABEL] = "true"
    return labels


def autoscaler_tags(cluster_name: str, pool: GpuPoolPlan, labels: Mapping[str, str]) -> dict[str, str]:
    """Cluster Autoscaler auto-discovery and node-template tags, which let it scale a pool up from zero
    nodes: with no node to look at, it learns the pool's GPUs, labels and taint from these ASG tags.
    Source: Cluster Autoscaler FAQ and AWS cloud provider README, "Auto-Discovery Setup" and
    "Scaling a node group to 0" (read 2026-11-27)."""
    resource = GPU_TAINT_KEYS[pool.accelerator.vendor]
    tags = {
        "k8s.io/cluster-autoscaler/enabled": "true",
        f"k8s.io/cluster-autoscaler/{cluster_name}": "owned",
        f"k8s.io/cluster-autoscaler/node-template/resources/{resource}": str(pool.accelerator.count),
        f"k8s.io/cluster-autoscaler/node-template/taint/{resource}": "true:NoSchedule",
    }
    tags |= {f"k8s.io/cluster-autoscaler/node-template/label/{key}": value for key, value in labels.items()}
    return tags


def launch_template(
    name: str,
    parent: pulumi.Resource,
    *,
    kms_key_arn: pulumi.Input[str],
    volume_gib: int,
    bottlerocket: bool,
    tags: Mapping[str, str],
) -> aws.ec2.LaunchTemplate:
    """Node volumes encrypted with the stack's key; IMDSv2 only, one hop (pods cannot reach the
    instance role: they use IRSA or Pod Identity)."""
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
        tag_specifications=[{"resource_type": "instance", "tags": dict(tags)}],
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
    pool: GpuPoolPlan
    """The resolved pool: type, sizes, capacity, image."""
    volume_gib: int = 200
    """Root (AL2023) or data (Bottlerocket) volume size: GPU images are large. Default: 200."""
    tags: Mapping[str, str] = field(default_factory=dict)


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
        self.ami_type = ami_type(pool.accelerator, pool.image)
        labels = pool_labels(pool, self.ami_type)
        template = launch_template(
            f"{name}-nodes",
            self,
            kms_key_arn=args.kms_key_arn,
            volume_gib=args.volume_gib,
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
            labels=labels,
            taints=[{"key": GPU_TAINT_KEYS[pool.accelerator.vendor], "value": "true", "effect": "NO_SCHEDULE"}],
            update_config={"max_unavailable": 1},
            tags=dict(args.tags),
            # The autoscaler owns the size once the pool exists.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["scalingConfig.desiredSize"]),
        )
        # Managed node groups do not pass their tags to the Auto Scaling group: tag it directly.
        group_name = self.node_group.resources.apply(_autoscaling_group_name)
        for index, (key, value) in enumerate(
            sorted(autoscaler_tags(args.autoscaler_cluster_name, pool, labels).items())
        ):
            aws.autoscaling.Tag(
                f"{name}-asg-tag-{index}",
                autoscaling_group_name=group_name,
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=child(self),
            )
        self.register_outputs({"node_group": self.node_group.id, "ami_type": self.ami_type})
