"""The semantic rules of ``inference`` entries: a host and a pool that exist, settings the engine serves, and
a model that fits its GPUs (:mod:`aistacks.plan.inference`, whose functions the planner uses too)."""

from __future__ import annotations

from aistacks.catalog import (
    AcceleratorNotOffered,
    AcceleratorType,
    queue_autoscaler,
    regions_in_jurisdiction,
)
from aistacks.defaults import MODELS_BUCKET
from aistacks.issues import ConfigIssue
from aistacks.plan.compute import resolve_pool
from aistacks.plan.inference import (
    DoesNotFit,
    gpu_issues,
    model_shape,
    replica_issues,
    served_model_issues,
    size,
)
from aistacks.spec import GpuPoolSpec, InferenceSpec, PlatformSpec
from aistacks.vocabulary import Cloud


def inference_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for index, service in enumerate(spec.inference):
        path = f"{root}.inference[{index}]"
        if service.name in [other.name for other in spec.inference[:index]]:
            issues.append(ConfigIssue(f"{path}.name", service.name, "served models' names must be unique"))
        issues += _source_issues(spec, service, path)
        host = spec.inference_host(service)
        if host is None:
            issues.append(_no_host(spec, service, path))
            continue
        cloud, cluster = host
        issues += _metrics_store_issues(spec, service, cloud, root)
        pool = next((p for p in cluster.gpu_pools if service.pool in (None, p.name)), None)
        if pool is None:
            pools = ", ".join(p.name for p in cluster.gpu_pools) or "none"
            where, value = (f"{path}.pool", service.pool) if service.pool else (f"{path}.cluster", cluster.cluster_name)
            issues.append(
                ConfigIssue(where, value, f"cluster {cluster.cluster_name} has no such GPU pool; its pools: {pools}")
            )
            continue
        accelerator = _accelerator(spec, cloud, pool)
        if accelerator is not None:
            issues += _sizing_issues(service, pool, accelerator, path)
    return issues


def _metrics_store_issues(spec: PlatformSpec, service: InferenceSpec, cloud: Cloud, root: str) -> list[ConfigIssue]:
    """A server on EKS scales on metrics kept in Amazon Managed Service for Prometheus, which not every region
    has (:func:`aistacks.catalog.queue_autoscaler`)."""
    if cloud != "aws" or spec.aws is None or spec.aws.region in queue_autoscaler().amp_regions:
        return []
    regions = queue_autoscaler().amp_regions
    offered = ", ".join(sorted(set(regions_in_jurisdiction("aws", spec.jurisdiction)) & regions)) or "none"
    return [
        ConfigIssue(
            f"{root}.aws.region",
            spec.aws.region,
            f"has no Amazon Managed Service for Prometheus, where the queue of the served model {service.name} is "
            f"read to scale it; serve it on gcp, or use an AWS region of {spec.jurisdiction} that has it: {offered}",
        )
    ]


def _source_issues(spec: PlatformSpec, service: InferenceSpec, path: str) -> list[ConfigIssue]:
    issues = served_model_issues(service, path)
    if service.source == "bucket" and MODELS_BUCKET not in [bucket.name for bucket in spec.buckets]:
        issues.append(
            ConfigIssue(
                f"{path}.source",
                service.source,
                f"the weights are read from the {MODELS_BUCKET} bucket, which `buckets` does not list; add it, or "
                "use source hub",
            )
        )
    return issues


def _no_host(spec: PlatformSpec, service: InferenceSpec, path: str) -> ConfigIssue:
    inference = [f"{cloud}/{cluster.cluster_name}" for cloud, cluster in spec.clusters() if cluster.role == "inference"]
    allowed = ", ".join(inference) or "none: add a cluster with role inference"
    if service.cluster is not None:
        return ConfigIssue(
            f"{path}.cluster", service.cluster, f"not an inference cluster; inference clusters: {allowed}"
        )
    return ConfigIssue(f"{path}.cloud", service.cloud, f"no inference cluster there; inference clusters: {allowed}")


def _accelerator(spec: PlatformSpec, cloud: Cloud, pool: GpuPoolSpec) -> AcceleratorType | None:
    """The pool's type, or None when the pool itself is invalid (its own issue says so)."""
    settings = spec.cloud_specs()[cloud]
    try:
        return resolve_pool(cloud, settings.region, pool)
    except (AcceleratorNotOffered, LookupError, ValueError):
        return None


def _sizing_issues(
    service: InferenceSpec, pool: GpuPoolSpec, accelerator: AcceleratorType, path: str
) -> list[ConfigIssue]:
    where = f"pool {pool.name}"
    issues = gpu_issues(service, accelerator, where, path)
    shape = model_shape(service)
    if issues or shape is None:
        return issues  # a missing shape is reported with the source
    try:
        fit = size(service, shape, accelerator)
    except DoesNotFit as error:
        return [ConfigIssue(f"{path}.model", service.model, str(error))]
    return replica_issues(service, fit.tensor_parallel, pool.max_nodes, accelerator.count, where, path)
