"""What every cloud's clusters and GPU pools share in planning: the role's defaults, sizes and labels.

A pool asks for ``gpu: h100, gpus_per_node: 8``; the catalog resolves that to the cloud's type for the
region (``p5.48xlarge``, ``a3-highgpu-8g``), and the cluster's role fills in the rest: training scales to
zero on spot capacity, inference keeps an on-demand floor. The cloud planners extend what this makes
with their own facts (:func:`aistacks.plan.model.extend`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aistacks.catalog import AcceleratorType, resolve_accelerator
from aistacks.defaults import ROLE_DEFAULTS, cluster_api_endpoint, pool_capacity
from aistacks.naming import cluster_resource_name
from aistacks.plan.inference import plan_inference
from aistacks.plan.model import ClusterPlan, GpuPoolPlan, PoolT, Taint
from aistacks.plan.serving_metrics import plan_serving_metrics
from aistacks.plan.shared import SharedPlan
from aistacks.spec import ClusterSpec, GpuPoolSpec
from aistacks.vocabulary import Cloud, Role

GPU_RESOURCES: dict[str, str] = {"nvidia": "nvidia.com/gpu", "aws": "aws.amazon.com/neuron"}
"""The extended resource (and the taint key) each accelerator vendor's device plugin advertises.
Sources: NVIDIA k8s-device-plugin README; AWS Neuron docs, "Kubernetes environment setup" (read 2026-11-27)."""


def resolve_pool(cloud: Cloud, region: str, pool: GpuPoolSpec) -> AcceleratorType:
    """The type a pool runs on; raises :class:`aistacks.catalog.AcceleratorNotOffered` with the alternatives."""
    return resolve_accelerator(cloud, region, pool.gpu, pool.gpus_per_node, type_name=pool.instance_type)


def plan_pool(
    accelerator: AcceleratorType,
    role: Role,
    pool: GpuPoolSpec,
    cluster_resource: str,
    *,
    taint_value: str,
    extra_labels: Mapping[str, str] | None = None,
) -> GpuPoolPlan:
    """A pool on ``accelerator``, sized by its role where the config is silent, labelled (plus the cloud's
    ``extra_labels``) and tainted with the vendor's resource (the value is the cloud's convention)."""
    min_nodes = ROLE_DEFAULTS[role].min_nodes if pool.min_nodes is None else pool.min_nodes
    capacity = pool_capacity(role, pool.capacity)
    resource = GPU_RESOURCES[accelerator.vendor]
    return GpuPoolPlan(
        name=pool.name,
        resource_name=f"{cluster_resource}-{pool.name}",
        accelerator=accelerator,
        min_nodes=min_nodes,
        max_nodes=max(pool.max_nodes, min_nodes),
        desired_nodes=min_nodes,
        capacity=capacity,
        labels={
            "aistacks.io/pool": pool.name,
            "aistacks.io/accelerator": accelerator.accelerator,
            "aistacks.io/accelerator-count": str(accelerator.count),
            "aistacks.io/capacity": capacity,
            **(extra_labels or {}),
        },
        taint=Taint(resource, taint_value),
        gpu_resource=resource,
    )


def plan_cluster(
    cloud: Cloud,
    cluster: ClusterSpec,
    region: str,
    version: str,
    shared: SharedPlan,
    plan_cloud_pool: Callable[[str, Role, GpuPoolSpec, str], PoolT],
) -> ClusterPlan[PoolT]:
    """What every cloud's cluster has in common, its pools planned by the cloud's ``plan_cloud_pool``
    (region, role, pool, cluster resource name); the cloud's planner extends it with its own facts."""
    resource_name = cluster_resource_name(shared.prefix, cluster.cluster_name)
    defaults = shared.defaults
    pools = tuple(plan_cloud_pool(region, cluster.role, pool, resource_name) for pool in cluster.gpu_pools)
    served = shared.services_on(cloud, cluster.cluster_name)
    return ClusterPlan(
        name=cluster.cluster_name,
        resource_name=resource_name,
        role=cluster.role,
        kubernetes_version=version,
        api_endpoint=cluster_api_endpoint(cloud, cluster.api_endpoint, defaults),
        deletion_protection=defaults.cluster_deletion_protection,
        api_access_cidrs=cluster.api_access_cidrs,
        gpu_pools=pools,
        qdrant=shared.qdrant_on(cloud, cluster.cluster_name),
        protect=shared.protect,
        inference=tuple(
            plan_inference(service, cloud, cluster.cluster_name, resource_name, cluster.role, pools, defaults)
            for service in served
        ),
        serving_metrics=plan_serving_metrics(cloud, resource_name, shared.tier) if served else None,
    )
