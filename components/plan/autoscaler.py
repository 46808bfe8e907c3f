"""The Kubernetes Cluster Autoscaler of an EKS cluster: whether the cluster gets one, and every setting of it.

EKS node groups only change size when something sets their Auto Scaling groups' desired capacity; the GPU
pools start at their floor (training: zero) and carry the autoscaler's discovery and scale-from-zero tags
(:func:`aistacks.aws.nodes.autoscaler_tags`), so without an autoscaler a pending GPU pod never gets a node.
The resource layer (:mod:`aistacks.aws.autoscaler`) builds what this plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from aistacks.catalog.cluster_autoscaler import cluster_autoscaler_release
from aistacks.plan.model import GpuPoolPlan
from aistacks.vocabulary import Tier


class ScalableCluster(Protocol):
    """What the autoscaler's plan reads of an EKS cluster plan (:class:`aistacks.plan.aws.EksClusterPlan`,
    which holds the autoscaler's plan, so this module cannot import it)."""

    @property
    def resource_name(self) -> str: ...
    @property
    def kubernetes_version(self) -> str: ...
    @property
    def system_nodes(self) -> int: ...
    @property
    def system_max_nodes(self) -> int: ...
    @property
    def gpu_pools(self) -> tuple[GpuPoolPlan, ...]: ...


NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
"""The ServiceAccount (and every object's name) of the upstream manifest, which its IAM role trusts."""
SYSTEM_NODE_SELECTOR: Mapping[str, str] = MappingProxyType({"aistacks.io/pool": "system"})
"""The label of the EKS system node group: the autoscaler runs there, never on a GPU node it might remove."""
SYSTEM_NODE_GROUP_SUFFIX = "-system"
"""The system node group's name is ``<cluster>-system`` (:class:`aistacks.aws.EksCluster`)."""

EXPANDER = "least-waste"
"""Which pool grows when several could take the pending pods: the one left with the least idle CPU and
memory. It is Cluster Autoscaler's default and the upstream AWS example's; ``price`` works only on GCE, GKE
and Equinix Metal; and pods that select their pool (``aistacks.io/pool``) leave one choice anyway.
Source: Cluster Autoscaler FAQ, "What are Expanders?" (read 2026-11-30)."""

SCALE_DOWN_UNNEEDED_TIME: Mapping[Tier, str] = MappingProxyType({"dev": "5m", "staging": "10m", "prod": "15m"})
"""How long a node must be unneeded before it is removed (``--scale-down-unneeded-time``; CA's default is
10m). Dev gives an idle GPU node back after 5 minutes: its jobs are short and sporadic, and an idle GPU node
costs by the hour. Prod keeps it 15 minutes: a GPU node takes minutes to boot, start its driver and pull
multi-GiB images, so bridging a short lull is cheaper than a cold start under load. Staging runs CA's default.
Source of the flag and default: Cluster Autoscaler FAQ, "What are the parameters to CA?" (read 2026-11-30)."""
SCALE_DOWN_DELAY_AFTER_ADD: Mapping[Tier, str] = MappingProxyType({"dev": "5m", "staging": "10m", "prod": "10m"})
"""How long after a scale-up scale-down stays off (``--scale-down-delay-after-add``; CA's default is 10m):
shorter in dev for the same reason as :data:`SCALE_DOWN_UNNEEDED_TIME`."""
REPLICAS: Mapping[Tier, int] = MappingProxyType({"dev": 1, "staging": 2, "prod": 2})
"""Pods of the autoscaler. One leads (leader election, CA's default) and the other stands by, so losing a
system node does not stop scaling until the pod is rescheduled; a disruption budget keeps one through node
drains. Dev runs one; staging mirrors prod."""

CPU_REQUEST = "100m"
MEMORY = "600Mi"
"""The autoscaler's CPU request and memory (request and limit), as in the upstream AWS example manifest
(cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml at
cluster-autoscaler-1.35.2, read 2026-11-30). No CPU limit: throttling would slow the scan loop."""
PRIORITY_CLASS = "system-cluster-critical"
"""Scheduled, and kept, ahead of workloads: without the autoscaler nothing else gets a node."""


@dataclass(frozen=True, kw_only=True)
class ClusterAutoscalerPlan:
    """The Cluster Autoscaler of one EKS cluster, every setting decided."""

    resource_name: str
    """``<cluster resource name>-autoscaler``: the component's name and its IAM role's."""
    cluster_name: str
    """The EKS cluster's name: auto-discovery finds the Auto Scaling groups tagged
    ``k8s.io/cluster-autoscaler/<cluster_name>``, and the IAM role may resize only those."""
    kubernetes_version: str
    version: str
    """The release (``"1.35.2"``): the newest patch of the cluster's minor."""
    image: str
    """``registry.k8s.io/autoscaling/cluster-autoscaler:v<version>@sha256:…``."""
    dynamic_resource_allocation: bool
    """The release reads DRA objects (``resource.k8s.io``), so its ClusterRole must allow it."""
    expander: str = EXPANDER
    scale_down_unneeded_time: str
    scale_down_delay_after_add: str
    balance_similar_node_groups: bool = True
    """Keep node groups with the same type and labels at similar sizes (only at scale-up). Each aistacks
    pool is one node group over every zone with its own ``aistacks.io/pool`` label, so nothing balances
    today; it matters once a pool is split per zone (volume-bound workloads). Source: Cluster Autoscaler
    FAQ, "I'm running cluster with nodes in multiple zones for HA purposes" (read 2026-11-30)."""
    skip_nodes_with_local_storage: bool = False
    """CA's default (true) never removes a node running a pod with an ``emptyDir``, which nearly every GPU
    workload has (model caches, ``/dev/shm``): the pools would never shrink. Scratch space is expendable."""
    replicas: int
    cpu_request: str = CPU_REQUEST
    memory: str = MEMORY
    priority_class: str = PRIORITY_CLASS
    namespace: str = NAMESPACE
    service_account: str = SERVICE_ACCOUNT
    node_selector: Mapping[str, str] = field(default_factory=lambda: dict(SYSTEM_NODE_SELECTOR))
    scalable_node_groups: tuple[str, ...]
    """The node groups whose minimum is below their maximum (the system group and GPU pools), by name."""


def scalable_node_groups(cluster: ScalableCluster) -> tuple[str, ...]:
    """The node groups of ``cluster`` that can change size: the system group (``system_nodes`` to
    ``system_max_nodes``) and each GPU pool whose minimum is below its maximum."""
    system = f"{cluster.resource_name}{SYSTEM_NODE_GROUP_SUFFIX}"
    groups = [system] if cluster.system_max_nodes > cluster.system_nodes else []
    return (*groups, *(pool.resource_name for pool in cluster.gpu_pools if pool.max_nodes > pool.min_nodes))


def plan_cluster_autoscaler(cluster: ScalableCluster, tier: Tier) -> ClusterAutoscalerPlan | None:
    """The Cluster Autoscaler of ``cluster`` in ``tier``; none when no node group can change size.

    The system node group counts: EKS tags every managed node group's Auto Scaling group for
    auto-discovery (Amazon EKS User Guide, "Simplify node lifecycle with managed node groups": "Nodes
    launched as part of a managed node group are automatically tagged for auto-discovery by the Kubernetes
    Cluster Autoscaler", read 2026-11-30), so the autoscaler manages it whenever it runs, and its headroom
    above the floor is there for add-ons that outgrow it, which only an autoscaler can add.

    Raises :class:`aistacks.catalog.cluster_autoscaler.NoAutoscalerRelease`, naming the minors it knows,
    when the catalog has no release for the cluster's Kubernetes minor."""
    groups = scalable_node_groups(cluster)
    if not groups:
        return None
    release = cluster_autoscaler_release(cluster.kubernetes_version)
    return ClusterAutoscalerPlan(
        resource_name=f"{cluster.resource_name}-autoscaler",
        cluster_name=cluster.resource_name,
        kubernetes_version=cluster.kubernetes_version,
        version=release.version,
        image=release.image,
        dynamic_resource_allocation=release.dynamic_resource_allocation,
        scale_down_unneeded_time=SCALE_DOWN_UNNEEDED_TIME[tier],
        scale_down_delay_after_add=SCALE_DOWN_DELAY_AFTER_ADD[tier],
        replicas=REPLICAS[tier],
        scalable_node_groups=groups,
    )
