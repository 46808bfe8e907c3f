"""The Kubernetes Cluster Autoscaler on an EKS cluster: an IAM role for its ServiceAccount (IRSA) that may
resize only this cluster's node groups, and its Kubernetes objects, built from its plan
(:class:`aistacks.plan.autoscaler.ClusterAutoscalerPlan`).

It finds the node groups by the tags EKS puts on every managed node group's Auto Scaling group and
:func:`aistacks.aws.nodes.autoscaler_tags` puts on the GPU pools', and learns from the latter what a pool's
nodes would look like when it has none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aistacks._options import child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import cluster_autoscaler_policy
from aistacks.aws.eks import EksCluster
from aistacks.aws.kubernetes import IRSA_ANNOTATION
from aistacks.k8s import apply_manifest
from aistacks.k8s.cluster_autoscaler import cluster_autoscaler_manifests
from aistacks.k8s.manifests import Manifest
from aistacks.plan.autoscaler import ClusterAutoscalerPlan

TYPE_TOKEN = "aistacks:aws:ClusterAutoscaler"

DISCOVERY_TAG = "k8s.io/cluster-autoscaler/enabled"
"""With ``k8s.io/cluster-autoscaler/<cluster>``, the tags auto-discovery looks for (any value). Source:
kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md, "Auto-Discovery Setup" (read 2026-11-30)."""


def discovery_tags(cluster_name: str) -> tuple[str, str]:
    """The tag keys an Auto Scaling group needs for the autoscaler of ``cluster_name`` to find it."""
    return DISCOVERY_TAG, f"k8s.io/cluster-autoscaler/{cluster_name}"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def cluster_autoscaler_args(plan: ClusterAutoscalerPlan) -> list[str]:
    """The autoscaler's flags on AWS: the plan's settings, auto-discovery of this cluster's groups, and the
    upstream AWS example's logging (``--v=4`` to stderr, what its troubleshooting guides read)."""
    return [
        "--cloud-provider=aws",
        f"--node-group-auto-discovery=asg:tag={','.join(discovery_tags(plan.cluster_name))}",
        f"--expander={plan.expander}",
        f"--balance-similar-node-groups={_flag(plan.balance_similar_node_groups)}",
        f"--skip-nodes-with-local-storage={_flag(plan.skip_nodes_with_local_storage)}",
        f"--scale-down-unneeded-time={plan.scale_down_unneeded_time}",
        f"--scale-down-delay-after-add={plan.scale_down_delay_after_add}",
        "--v=4",
        "--stderrthreshold=info",
    ]


def autoscaler_manifests(plan: ClusterAutoscalerPlan, role_arn: Any, region: Any) -> list[Manifest]:
    """Every Kubernetes object of the autoscaler (pure; ``role_arn`` and ``region`` may be outputs).

    ``AWS_REGION`` is set because the AWS SDK would otherwise ask instance metadata for the region, which
    pods cannot reach (the launch templates allow one metadata hop); credentials come from IRSA, through the
    ServiceAccount's role annotation."""
    return cluster_autoscaler_manifests(
        plan.namespace,
        service_account_annotations={IRSA_ANNOTATION: role_arn},
        dynamic_resource_allocation=plan.dynamic_resource_allocation,
        image=plan.image,
        args=cluster_autoscaler_args(plan),
        env={"AWS_REGION": region},
        replicas=plan.replicas,
        node_selector=plan.node_selector,
        cpu_request=plan.cpu_request,
        memory=plan.memory,
        priority_class=plan.priority_class,
    )


@dataclass(frozen=True)
class ClusterAutoscalerArgs:
    """Arguments of :class:`ClusterAutoscaler`."""

    plan: ClusterAutoscalerPlan
    """What to run and how (:func:`aistacks.plan.autoscaler.plan_cluster_autoscaler`). Required."""
    cluster: EksCluster
    """The cluster it scales: it trusts the role (IRSA) and its provider applies the objects. Required."""
    region: pulumi.Input[str] | None = None
    """The region of the cluster's Auto Scaling groups. Default: the region of the cluster's AWS provider."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the IAM role. Default: none (the provider's default tags still apply)."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the autoscaler's pods wait for, such as the add-ons that give them DNS. Default: nothing."""

    @classmethod
    def from_plan(
        cls,
        plan: ClusterAutoscalerPlan,
        cluster: EksCluster,
        tags: Mapping[str, str] | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> ClusterAutoscalerArgs:
        """The autoscaler ``plan`` decided for ``cluster``; ``tags`` (default none) on its role, its pods after
        ``depends_on`` (default nothing)."""
        return cls(plan=plan, cluster=cluster, tags=dict(tags or {}), depends_on=tuple(depends_on))


class ClusterAutoscaler(pulumi.ComponentResource):
    """The Kubernetes Cluster Autoscaler of one EKS cluster: it adds nodes to a node group (a GPU pool from
    zero) when pods are pending for want of them and removes nodes that stay unneeded. Parent it to the
    cluster (``opts=ResourceOptions(parent=cluster)``)."""

    role: aws.iam.Role
    """The IAM role its ServiceAccount acts as."""
    policy: aws.iam.RolePolicy
    objects: dict[str, pulumi.CustomResource]
    """The Kubernetes objects, by ``<kind>`` in lower case (``deployment``, ``clusterrole``, …)."""

    def __init__(self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        plan, cluster = args.plan, args.cluster
        self.role = cluster.workload_role(name, f"{plan.namespace}:{plan.service_account}", args.tags)
        self.policy = aws.iam.RolePolicy(
            name,
            role=self.role.name,
            policy=json.dumps(cluster_autoscaler_policy(plan.cluster_name)),
            opts=child(self),
        )
        region = args.region
        if region is None:
            region = aws_context(self).apply(lambda where: where.region)
        self.objects = {}
        before_pods: list[pulumi.Resource] = [self.policy, *args.depends_on]
        for manifest in autoscaler_manifests(plan, self.role.arn, region):
            kind = manifest["kind"].lower()
            waits = before_pods if kind == "deployment" else []
            self.objects[kind] = apply_manifest(
                f"{name}-{kind}",
                manifest,
                pulumi.ResourceOptions(parent=self, provider=cluster.provider, depends_on=waits or None),
            )
            if kind != "deployment":
                before_pods.append(self.objects[kind])
        self.register_outputs({"role_arn": self.role.arn, "image": plan.image})
