"""The semantic rules of ``inference`` entries: a host and a pool that exist, settings the engine serves, and
a model that fits its GPUs (:mod:`aistacks.plan.inference`, whose functions the planner uses too)."""

from __future__ import annotations

from aistacks.catalog import AcceleratorNotOffered, AcceleratorType, serving_engine, serving_models
from aistacks.defaults import MODELS_BUCKET
from aistacks.issues import ConfigIssue
from aistacks.plan.compute import resolve_pool
from aistacks.plan.fit import tensor_parallel_sizes
from aistacks.plan.inference import DoesNotFit, model_shape, replica_capacity, serves, size
from aistacks.spec import GpuPoolSpec, InferenceSpec, PlatformSpec
from aistacks.vocabulary import Cloud


def inference_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for index, service in enumerate(spec.inference):
        path = f"{root}.inference[{index}]"
        if service.name in [other.name for other in spec.inference[:index]]:
            issues.append(ConfigIssue(f"{path}.name", service.name, "served models' names must be unique"))
        issues += _source_issues(spec, service, path)
        issues += _engine_issues(service, path)
        host = spec.inference_host(service)
        if host is None:
            issues.append(_no_host(spec, service, path))
            continue
        cloud, cluster = host
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


def _source_issues(spec: PlatformSpec, service: InferenceSpec, path: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    if service.hub_token_secret is not None and service.source != "hub":
        issues.append(ConfigIssue(f"{path}.hub_token_secret", service.hub_token_secret, "applies to source hub only"))
    if service.source == "bucket" and MODELS_BUCKET not in [bucket.name for bucket in spec.buckets]:
        issues.append(
            ConfigIssue(
                f"{path}.source",
                service.source,
                f"the weights are read from the {MODELS_BUCKET} bucket, which `buckets` does not list; add it, or "
                "use source hub",
            )
        )
    if model_shape(service) is None:
        known = ", ".join(serving_models())
        issues.append(
            ConfigIssue(
                f"{path}.architecture",
                None,
                f"required for {service.model}: the catalog knows the shape of {known} only; give "
                "parameters_billions, layers, kv_heads and head_dim from its config.json",
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


def _engine_issues(service: InferenceSpec, path: str) -> list[ConfigIssue]:
    engine = serving_engine(service.engine)
    if engine.runs_unprivileged:
        return []
    return [
        ConfigIssue(
            f"{path}.engine",
            service.engine,
            f"its pinned image cannot start as a non-root user, which the serving namespace's restricted Pod "
            f"Security requires ({engine.runs_unprivileged_source}); allowed: vllm",
        )
    ]


def _sizing_issues(
    service: InferenceSpec, pool: GpuPoolSpec, accelerator: AcceleratorType, path: str
) -> list[ConfigIssue]:
    engine = serving_engine(service.engine)
    if service.quantization is not None and not serves(engine, service.quantization, accelerator):
        allowed = ", ".join(q for q in engine.quantizations if serves(engine, q, accelerator)) or "none"
        return [
            ConfigIssue(
                f"{path}.quantization",
                service.quantization,
                f"{service.engine} does not serve it on {accelerator.accelerator}; allowed there: {allowed}",
            )
        ]
    sizes = tensor_parallel_sizes(accelerator.count)
    if service.tensor_parallel is not None and service.tensor_parallel not in sizes:
        return [
            ConfigIssue(
                f"{path}.tensor_parallel",
                service.tensor_parallel,
                f"pool {pool.name} has {accelerator.count} GPU(s) per node; allowed: {', '.join(map(str, sizes))}",
            )
        ]
    shape = model_shape(service)
    if shape is None:
        return []  # reported with the source
    try:
        fit = size(service, shape, accelerator)
    except DoesNotFit as error:
        return [ConfigIssue(f"{path}.model", service.model, str(error))]
    issues: list[ConfigIssue] = []
    capacity = replica_capacity(pool.max_nodes, accelerator.count, fit.tensor_parallel)
    if service.max_replicas is not None and service.max_replicas > capacity:
        issues.append(
            ConfigIssue(
                f"{path}.max_replicas",
                service.max_replicas,
                f"pool {pool.name} holds at most {capacity} replica(s) of {fit.tensor_parallel} GPU(s) "
                f"({pool.max_nodes} nodes of {accelerator.count}); allowed: 1 to {capacity}",
            )
        )
    upper = service.max_replicas or capacity
    if service.min_replicas is not None and service.min_replicas > upper:
        issues.append(ConfigIssue(f"{path}.min_replicas", service.min_replicas, f"more than max_replicas ({upper})"))
    return issues
