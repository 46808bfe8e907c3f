"""Compute config and planning: clusters by role, GPU pools resolved through the catalog.

A pool asks for ``gpu: h100, gpus_per_node: 8``; planning resolves that to the cloud's type for the
stack's region (``p5.48xlarge``, ``a3-highgpu-8g``) and fills in what the cluster's role implies:
training scales to zero on spot capacity, inference keeps an on-demand floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from aistacks._model import StrictModel
from aistacks.catalog import AcceleratorNotOffered, AcceleratorType, Cloud, resolve_accelerator

Role = Literal["training", "inference"]
Capacity = Literal["spot", "on_demand"]
NodeImage = Literal["al2023", "bottlerocket"]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")]
KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.[0-9]{2}$")]


class GpuPoolSpec(StrictModel):
    """One pool of GPU (or Neuron) nodes of a cluster."""

    name: Name
    """Pool name, unique in its cluster."""
    gpu: str
    """Cloud-neutral accelerator: ``l4``, ``a10g``, ``l40s``, ``a100-40gb``, ``a100-80gb``, ``h100``, ``h200``,
    ``trainium1``, ``inferentia2``."""
    gpus_per_node: Annotated[int, Field(ge=1, le=16)] = 1
    """Accelerators per node. Default: 1."""
    instance_type: str | None = None
    """Pin one type (it must carry the accelerators). Default: the smallest type that does, in the region."""
    min_nodes: Annotated[int, Field(ge=0, le=1000)] | None = None
    """Default: 0 for training (scale to zero), 1 for inference (a warm floor)."""
    max_nodes: Annotated[int, Field(ge=1, le=1000)] = 2
    """Default: 2."""
    capacity: Capacity | None = None
    """Default: spot for training, on_demand for inference."""
    image: NodeImage = "al2023"
    """AWS node image: Amazon Linux 2023 or Bottlerocket (NVIDIA variants). Default: al2023."""


class ClusterSpec(StrictModel):
    """One Kubernetes cluster and its pools; training and inference run in separate clusters."""

    role: Role
    name: Name | None = None
    """Default: the role."""
    public_endpoint: bool | None = None
    """Reach the API server from the internet. Default: on in dev only; anything else is an explicit
    opt-out the guardrails flag outside dev."""
    api_access_cidrs: tuple[Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")], ...] = ()
    """Networks that reach the API server (a CI runner's or bastion's subnet, a VPN): on the private
    endpoint (EKS security group rule, GKE authorized network) and, if public, the public one.
    Default: none beyond the cluster's own network."""
    system_nodes: Annotated[int, Field(ge=1, le=10)] = 2
    """On-demand nodes for cluster add-ons. Default: 2."""
    gpu_pools: tuple[GpuPoolSpec, ...] = ()
    admin_role_arns: tuple[Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")], ...] = ()
    """AWS: IAM roles given cluster-admin through access entries. Default: none."""


@dataclass(frozen=True)
class GpuPoolPlan:
    name: str
    accelerator: AcceleratorType
    min_nodes: int
    max_nodes: int
    desired_nodes: int
    capacity: Capacity
    image: NodeImage
    zones: tuple[str, ...]
    """GCP: the zones of the region offering the accelerator."""


@dataclass(frozen=True)
class ClusterPlan:
    name: str
    role: Role
    kubernetes_version: str
    public_endpoint: bool
    deletion_protection: bool
    system_nodes: int
    gpu_pools: tuple[GpuPoolPlan, ...]
    admin_role_arns: tuple[str, ...]
    api_access_cidrs: tuple[str, ...] = ()

    @property
    def max_gpus(self) -> int:
        """Every GPU the cluster's pools can hold at their largest: the workload namespaces' quota."""
        return sum(pool.max_nodes * pool.accelerator.count for pool in self.gpu_pools)


SPOT_OR_RESERVED_ONLY = frozenset({"a3-highgpu-1g", "a3-highgpu-2g", "a3-highgpu-4g", "a3-ultragpu-8g"})
"""GCP types with no on-demand capacity. Source: the accelerator catalog's notes (Google Cloud,
"GPU machine types", read 2026-11-27)."""

ROLE_MIN_NODES: dict[Role, int] = {"training": 0, "inference": 1}
ROLE_CAPACITY: dict[Role, Capacity] = {"training": "spot", "inference": "on_demand"}


def plan_pool(cloud: Cloud, region: str, role: Role, pool: GpuPoolSpec) -> GpuPoolPlan:
    """Resolve one pool; raises :class:`AcceleratorNotOffered` with the alternatives."""
    accelerator = resolve_accelerator(cloud, region, pool.gpu, pool.gpus_per_node, type_name=pool.instance_type)
    min_nodes = ROLE_MIN_NODES[role] if pool.min_nodes is None else pool.min_nodes
    return GpuPoolPlan(
        name=pool.name,
        accelerator=accelerator,
        min_nodes=min_nodes,
        max_nodes=max(pool.max_nodes, min_nodes),
        desired_nodes=min_nodes,
        capacity=pool.capacity or ROLE_CAPACITY[role],
        image=pool.image,
        zones=tuple(accelerator.zones_in(region)) if cloud == "gcp" else (),
    )


def plan_clusters(
    cloud: Cloud, region: str, version: str, clusters: Sequence[ClusterSpec], *, tier: str
) -> tuple[ClusterPlan, ...]:
    return tuple(
        ClusterPlan(
            name=cluster.name or cluster.role,
            role=cluster.role,
            kubernetes_version=version,
            public_endpoint=(tier == "dev") if cluster.public_endpoint is None else cluster.public_endpoint,
            deletion_protection=tier == "prod",
            system_nodes=cluster.system_nodes,
            gpu_pools=tuple(plan_pool(cloud, region, cluster.role, pool) for pool in cluster.gpu_pools),
            admin_role_arns=cluster.admin_role_arns,
            api_access_cidrs=cluster.api_access_cidrs,
        )
        for cluster in clusters
    )


def compute_issues(
    cloud: Cloud, region: str, version: str | None, clusters: Sequence[ClusterSpec], path: str
) -> list[tuple[str, object, str]]:
    """``(path, value, message)`` for every compute problem: versions, names, unresolvable pools."""
    issues: list[tuple[str, object, str]] = []
    if clusters and version is None:
        issues.append((f"{path}.kubernetes_version", None, 'required when clusters are defined, e.g. "1.35"'))
    names = [cluster.name or cluster.role for cluster in clusters]
    for index, name in enumerate(names):
        if names.index(name) != index:
            issues.append((f"{path}.clusters[{index}].name", name, "cluster names must be unique (default: the role)"))
    for index, cluster in enumerate(clusters):
        pool_names = [pool.name for pool in cluster.gpu_pools]
        for pool_index, pool in enumerate(cluster.gpu_pools):
            pool_path = f"{path}.clusters[{index}].gpu_pools[{pool_index}]"
            if pool_names.index(pool.name) != pool_index:
                issues.append((f"{pool_path}.name", pool.name, "pool names must be unique in a cluster"))
            if pool.min_nodes is not None and pool.min_nodes > pool.max_nodes:
                issues.append((f"{pool_path}.min_nodes", pool.min_nodes, f"more than max_nodes ({pool.max_nodes})"))
            if cloud == "gcp" and pool.image != "al2023":
                issues.append((f"{pool_path}.image", pool.image, "AWS only; GKE pools use Container-Optimized OS"))
            try:
                planned = plan_pool(cloud, region, cluster.role, pool)
            except AcceleratorNotOffered as error:
                issues.append((f"{pool_path}.gpu", pool.gpu, str(error)))
                continue
            if planned.accelerator.vendor != "nvidia":
                issues.append(
                    (
                        f"{pool_path}.gpu",
                        pool.gpu,
                        "Neuron pools are not supported yet: aistacks installs no Neuron "
                        "device plugin, so aws.amazon.com/neuron would never be schedulable; allowed: NVIDIA GPUs",
                    )
                )
            if planned.accelerator.name in SPOT_OR_RESERVED_ONLY and planned.capacity == "on_demand":
                issues.append(
                    (
                        f"{pool_path}.capacity",
                        "on_demand",
                        f"{planned.accelerator.name} cannot be had on demand "
                        "(spot, Flex-start or a reservation only); allowed: spot",
                    )
                )
    return issues
