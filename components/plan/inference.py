"""Served models: which GPUs a replica takes, whether the model fits them, how many replicas, what the
server is told. Pure; :mod:`aistacks.validate_inference` turns a model that cannot fit into a config error
with these same functions and rules, so the plan never holds one.

Two planners share one core: :func:`plan_inference` on a pool of a cluster the platform builds, and
:func:`plan_model_server` on a team's own GPU nodes (:class:`GpuNodes`) of a cluster aistacks did not build.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aistacks.catalog import (
    AcceleratorType,
    ServingEngineFacts,
    accelerator_types,
    serving_engine,
    serving_models,
)
from aistacks.defaults import DEFAULT_QUEUE_PER_REPLICA, MODELS_BUCKET, SERVING_NAMESPACE, TierDefaults
from aistacks.issues import ConfigIssue
from aistacks.plan.fit import (
    BYTES_PER_PARAMETER,
    GIB,
    QUANTIZATION_ORDER,
    Fit,
    ModelShape,
    Workload,
    memory_fit,
    smallest_fitting,
    tensor_parallel_sizes,
)
from aistacks.plan.model import GpuPoolPlan, InferencePlan, Taint
from aistacks.spec import InferenceSpec
from aistacks.vocabulary import CLOUDS, Cloud, Role

CPU_SHARE = 0.5
"""A replica takes half the vCPUs of its GPUs' share of the node (the server's own threads, tokenization)."""
MEMORY_SHARE = 0.7
"""A replica takes seven tenths of its share of the node's memory; the rest is left to the kubelet's reservation
and the node's daemons (GKE reserves 25% of the first 4 GiB, 20% of the next 4 and 10% of the next 8, 2.6 GiB
of a 16 GiB node, plus 100 MiB for eviction: GKE docs, "Node allocatable resources", read 2026-12-01)."""
CACHE_HEADROOM = 1.2
"""The weights volume holds the checkpoint and a fifth more (tokenizer, configs, a partial download)."""


class DoesNotFit(ValueError):
    """The model cannot fit the replica's GPUs; the message says what would."""


def model_shape(service: InferenceSpec) -> ModelShape | None:
    """The model's shape: from the config, else from the catalog; None when neither knows it."""
    if service.architecture is not None:
        given = service.architecture
        return ModelShape(given.parameters_billions, given.layers, given.kv_heads, given.head_dim)
    known = serving_models().get(service.model)
    if known is None:
        return None
    return ModelShape(known.parameters_billions, known.layers, known.kv_heads, known.head_dim)


def weight_format(service: InferenceSpec) -> str:
    return service.quantization or service.dtype


GB = 10**9
"""The catalog gives GPU memory as the vendors sell it, in decimal gigabytes: an L40S's 48 GB is 46,068 MiB
as nvidia-smi counts it and an L4's 24 GB 23,034 MiB (a conversion to GiB is slightly below both)."""


def workload(service: InferenceSpec, accelerator: AcceleratorType, engine: ServingEngineFacts) -> Workload:
    return Workload(
        context_length=service.context_length,
        concurrency=service.concurrency,
        gpu_memory_gib=accelerator.accelerator_memory_gib * GB / GIB,
        memory_utilization=engine.memory_utilization,
    )


def size(service: InferenceSpec, shape: ModelShape, accelerator: AcceleratorType) -> Fit:
    """The replica's fit: on ``tensor_parallel`` GPUs if given, else the fewest of the pool's node that fit.

    Raises :class:`DoesNotFit` naming what would fit."""
    engine = serving_engine(service.engine)
    demand = workload(service, accelerator, engine)
    sizes = [service.tensor_parallel] if service.tensor_parallel else tensor_parallel_sizes(accelerator.count)
    fit = smallest_fitting(shape, [weight_format(service)], sizes, demand)
    if fit is not None:
        return fit
    largest = memory_fit(shape, weight_format(service), demand, max(sizes))
    raise DoesNotFit(
        f"{service.model} does not fit {max(sizes)} {accelerator.accelerator} GPU(s) of "
        f"{accelerator.accelerator_memory_gib} GB: {largest.describe()}; "
        + "; or ".join(_what_fits(service, shape, accelerator, engine, demand))
    )


def _what_fits(
    service: InferenceSpec,
    shape: ModelShape,
    accelerator: AcceleratorType,
    engine: ServingEngineFacts,
    demand: Workload,
) -> list[str]:
    """The smallest changes that make it fit, one per kind: more GPUs per node, a quantization, fewer
    sequences at once."""
    proposals: list[str] = []
    current = weight_format(service)
    # More than one GPU, up to the largest node a pool may ask for (GpuPoolSpec.gpus_per_node <= 16).
    more = smallest_fitting(shape, [current], tensor_parallel_sizes(16)[1:], demand)
    if more is not None and more.tensor_parallel > accelerator.count:
        proposals.append(
            f"what fits: gpus_per_node: {more.tensor_parallel} on the pool (tensor_parallel {more.tensor_parallel}, "
            f"{more.needed_gib:.1f} of {more.available_gib:.1f} GiB)"
        )
    elif more is not None and service.tensor_parallel is not None:
        proposals.append(f"what fits: tensor_parallel: {more.tensor_parallel}")
    sizes = tensor_parallel_sizes(accelerator.count)
    lighter = [q for q in QUANTIZATION_ORDER if _smaller(q, current) and serves(engine, q, accelerator)]
    quantized = smallest_fitting(shape, lighter, sizes, demand)
    if quantized is not None:
        proposals.append(
            f"quantization: {quantized.weight_format} ({quantized.weights_gib:.1f} GiB of weights; awq and gptq need "
            "a checkpoint quantized that way)"
            if quantized.weight_format in ("awq", "gptq")
            else f"quantization: {quantized.weight_format} ({quantized.weights_gib:.1f} GiB of weights)"
        )
    fewer = _most_concurrency(service, shape, demand, max(sizes))
    if fewer is not None:
        proposals.append(f"concurrency: {fewer} (the KV cache of {service.context_length} tokens each)")
    if not proposals:
        proposals.append("a pool of GPUs with more memory (gpu), or a smaller model")
    return proposals


def _smaller(candidate: str, current: str) -> bool:
    return BYTES_PER_PARAMETER[candidate] < BYTES_PER_PARAMETER[current]


def serves(engine: ServingEngineFacts, quantization: str, accelerator: AcceleratorType) -> bool:
    """Whether ``engine`` serves ``quantization`` on ``accelerator``."""
    if quantization not in engine.quantizations:
        return False
    return (
        quantization != "fp8" or engine.fp8_accelerators is None or accelerator.accelerator in engine.fp8_accelerators
    )


def _most_concurrency(service: InferenceSpec, shape: ModelShape, demand: Workload, gpus: int) -> int | None:
    """The most sequences of ``context_length`` that fit beside the weights on ``gpus`` GPUs, if at least one."""
    weights = memory_fit(shape, weight_format(service), demand, gpus)
    spare = (weights.available_gib - weights.weights_gib) * GIB
    per_sequence = shape.kv_bytes_per_token * service.context_length
    most = math.floor(spare / per_sequence) if spare > 0 else 0
    return most if 1 <= most < service.concurrency else None


@dataclass(frozen=True)
class Replicas:
    minimum: int
    maximum: int


def replica_capacity(max_nodes: int, gpus_per_node: int, gpus: int) -> int:
    """The replicas of ``gpus`` GPUs a pool of ``max_nodes`` nodes of ``gpus_per_node`` holds at its largest."""
    return max_nodes * (gpus_per_node // gpus)


def replicas(service: InferenceSpec, pool: GpuPoolPlan, gpus: int, floor: int) -> Replicas:
    """The fewest (``floor``, the tier's, unless set) and the most (what the pool holds at its largest, unless
    set)."""
    maximum = service.max_replicas or replica_capacity(pool.max_nodes, pool.accelerator.count, gpus)
    return Replicas(min(service.min_replicas if service.min_replicas is not None else floor, maximum), maximum)


def server_args(service: InferenceSpec, engine: ServingEngineFacts, model_path: str, gpus: int) -> tuple[str, ...]:
    """What the server is told: where the weights are, the name it serves, parallelism and limits."""
    quantization = engine.quantizations.get(service.quantization) if service.quantization else None
    if engine.engine == "vllm":
        args = [
            model_path,
            f"--served-model-name={service.model}",
            f"--port={engine.port}",
            f"--tensor-parallel-size={gpus}",
            f"--dtype={service.dtype}",
            f"--max-model-len={service.context_length}",
            f"--max-num-seqs={service.concurrency}",
            f"--gpu-memory-utilization={engine.memory_utilization}",
        ]
        return (*args, f"--quantization={quantization}") if quantization else tuple(args)
    args = [
        f"--model-id={model_path}",
        f"--port={engine.port}",
        f"--num-shard={gpus}",
        f"--dtype={service.dtype}",
        f"--max-total-tokens={service.context_length}",
        f"--max-input-tokens={service.context_length - 1}",
        f"--max-concurrent-requests={service.concurrency}",
    ]
    return (*args, f"--quantize={quantization}") if quantization else tuple(args)


MODEL_DIRECTORY = "/models"
"""Where the weights volume is mounted in the server's container."""


def plan_inference(
    service: InferenceSpec,
    cloud: Cloud,
    cluster: str,
    cluster_resource: str,
    role: Role,
    pools: Sequence[GpuPoolPlan],
    defaults: TierDefaults,
) -> InferencePlan:
    """One served model on ``pools``' named pool (the first, unless named); the spec must be valid."""
    pool = next(p for p in pools if service.pool in (None, p.name))
    assert role == "inference", "a valid spec serves on an inference cluster"
    return _plan_server(
        service,
        pool,
        cloud=cloud,
        cluster=cluster,
        resource_name=f"{cluster_resource}-serve-{service.name}",
        namespace=SERVING_NAMESPACE,
        floor=defaults.inference_min_replicas,
        clients=service.clients or (role,),
        models_bucket=MODELS_BUCKET if service.source == "bucket" else None,
    )


def _plan_server(
    service: InferenceSpec,
    pool: GpuPoolPlan,
    *,
    cloud: Cloud | None,
    cluster: str | None,
    resource_name: str,
    namespace: str,
    floor: int,
    clients: tuple[str, ...],
    models_bucket: str | None,
) -> InferencePlan:
    """The core both planners share: the fit (raises :class:`DoesNotFit`), the replicas, the server's
    arguments, its share of the node and its weights volume."""
    shape = model_shape(service)
    assert shape is not None, "a valid spec has a shape"
    fit = size(service, shape, pool.accelerator)
    engine = serving_engine(service.engine)
    bounds = replicas(service, pool, fit.tensor_parallel, floor)
    share = fit.tensor_parallel / pool.accelerator.count
    # On disk the weights are the checkpoint's: 16-bit unless it is an AWQ or GPTQ checkpoint.
    stored = BYTES_PER_PARAMETER[service.quantization if service.quantization in ("awq", "gptq") else service.dtype]
    model_path = f"{MODEL_DIRECTORY}/{service.model}" if service.source == "bucket" else service.model
    return InferencePlan(
        name=service.name,
        resource_name=resource_name,
        cloud=cloud,
        cluster=cluster,
        namespace=namespace,
        pool=pool,
        engine=engine,
        args=server_args(service, engine, model_path, fit.tensor_parallel),
        model=service.model,
        source=service.source,
        models_bucket=models_bucket,
        hub_token_secret=service.hub_token_secret,
        fit=fit,
        gpus=fit.tensor_parallel,
        cpu=str(max(1, math.floor(pool.accelerator.vcpus * share * CPU_SHARE))),
        memory=f"{max(1, math.floor(pool.accelerator.memory_gib * share * MEMORY_SHARE))}Gi",
        service_account=f"{service.name}-server",
        cache_gib=math.ceil(shape.parameters_billions * 1e9 * stored * CACHE_HEADROOM / GIB),
        min_replicas=bounds.minimum,
        max_replicas=bounds.maximum,
        queue_per_replica=DEFAULT_QUEUE_PER_REPLICA,
        clients=clients,
    )


# --- the rules of a served model on given GPUs (the config's validation and plan_model_server share them) ---


def served_model_issues(service: InferenceSpec, path: str) -> list[ConfigIssue]:
    """What a served model's own settings must be wherever it runs: a Hub token only with the Hub, a shape
    the plan can size, an engine that starts under the serving namespace's restricted Pod Security."""
    issues: list[ConfigIssue] = []
    if service.hub_token_secret is not None and service.source != "hub":
        issues.append(ConfigIssue(f"{path}.hub_token_secret", service.hub_token_secret, "applies to source hub only"))
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
    engine = serving_engine(service.engine)
    if not engine.runs_unprivileged:
        issues.append(
            ConfigIssue(
                f"{path}.engine",
                service.engine,
                f"its pinned image cannot start as a non-root user, which the serving namespace's restricted Pod "
                f"Security requires ({engine.runs_unprivileged_source}); allowed: vllm",
            )
        )
    return issues


def gpu_issues(service: InferenceSpec, accelerator: AcceleratorType, nodes: str, path: str) -> list[ConfigIssue]:
    """A quantization the engine serves on the GPU, and a tensor-parallel size the node can run; ``nodes``
    names them in the message (``pool l4``)."""
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
                f"{nodes} has {accelerator.count} GPU(s) per node; allowed: {', '.join(map(str, sizes))}",
            )
        ]
    return []


def replica_issues(
    service: InferenceSpec, gpus: int, max_nodes: int, gpus_per_node: int, nodes: str, path: str
) -> list[ConfigIssue]:
    """Replica bounds the nodes can hold at their largest, replicas of ``gpus`` GPUs each."""
    issues: list[ConfigIssue] = []
    capacity = replica_capacity(max_nodes, gpus_per_node, gpus)
    if service.max_replicas is not None and service.max_replicas > capacity:
        issues.append(
            ConfigIssue(
                f"{path}.max_replicas",
                service.max_replicas,
                f"{nodes} holds at most {capacity} replica(s) of {gpus} GPU(s) "
                f"({max_nodes} nodes of {gpus_per_node}); allowed: 1 to {capacity}",
            )
        )
    upper = service.max_replicas or capacity
    if service.min_replicas == 0:
        issues.append(ConfigIssue(f"{path}.min_replicas", 0, NO_WAKE_FROM_ZERO))
    elif service.min_replicas is not None and service.min_replicas > upper:
        issues.append(ConfigIssue(f"{path}.min_replicas", service.min_replicas, f"more than max_replicas ({upper})"))
    return issues


NO_WAKE_FROM_ZERO = (
    "a server at 0 replicas exports no queue, so KEDA would never start one again (scale from zero needs a "
    "request-holding proxy, which aistacks does not install yet); allowed: 1 or more"
)


# --- a served model on a cluster aistacks did not build ------------------------------------------------------


def known_gpus() -> list[str]:
    """The NVIDIA GPUs the accelerator catalogs know (either cloud's), which :class:`GpuNodes` may name."""
    return sorted(
        {t.accelerator for cloud in CLOUDS for t in accelerator_types(cloud).values() if t.vendor == "nvidia"}
    )


@dataclass(frozen=True, kw_only=True)
class GpuNodes:
    """A team's own GPU nodes, on a cluster aistacks did not build: what :func:`plan_model_server` needs to
    know of them. Only the GPU's own facts (model, vendor, memory per GPU) come from the accelerator catalog;
    the rest is the team's to state."""

    accelerator: str
    """The GPU, as the accelerator catalogs name it (``l40s``, ``h100``, ``l4``; :func:`known_gpus`)."""
    gpus_per_node: int
    vcpus: int
    """vCPUs of one node; a replica takes half of its GPUs' share."""
    memory_gib: float
    """Memory of one node, in GiB; a replica takes seven tenths of its GPUs' share."""
    max_nodes: int
    """The most such nodes the replicas may use (those there are, or the cluster autoscaler's ceiling): with
    the GPUs per replica it bounds the replicas."""
    labels: Mapping[str, str]
    """Labels the nodes carry, which select them (the server's ``nodeSelector``)."""
    taint: Taint | None = None
    """The taint that keeps other pods off the nodes, which the server tolerates. Default: none."""
    gpu_resource: str = "nvidia.com/gpu"
    """The extended resource the nodes' device plugin advertises. Default: NVIDIA's."""

    def __post_init__(self) -> None:
        if self.accelerator not in known_gpus():
            raise ValueError(
                f"GpuNodes.accelerator {self.accelerator!r} is not a GPU of the accelerator catalogs; known: "
                + ", ".join(known_gpus())
            )
        for name in ("gpus_per_node", "vcpus", "max_nodes"):
            if getattr(self, name) < 1:
                raise ValueError(f"GpuNodes.{name} must be at least 1, not {getattr(self, name)}")
        if self.memory_gib <= 0:
            raise ValueError(f"GpuNodes.memory_gib must be positive, not {self.memory_gib}")
        if not self.labels:
            raise ValueError("GpuNodes.labels must select the GPU nodes: give at least one label they carry")
        if not self.gpu_resource:
            raise ValueError("GpuNodes.gpu_resource must name the extended resource the nodes advertise")


TEAM_NODES = "team-gpu-nodes"
"""The name the plan gives a team's own GPU nodes (:attr:`GpuPoolPlan.name` and ``resource_name``); nothing is
created by it."""
DEFAULT_CLIENTS: tuple[str, ...] = ("inference",)
"""Who may call a model server on a team's cluster when the service names no ``clients``: the workload
namespace of :func:`aistacks.k8s.role_namespaces` for ``inference``."""


def team_pool(nodes: GpuNodes) -> GpuPoolPlan:
    """The team's nodes as the pool a plan runs on: the GPU's facts from the catalog, the node's from the team.
    The plan sizes no nodes there (``min_nodes`` and ``desired_nodes`` 0) and sees them as not preemptible."""
    gpu = next(t for cloud in CLOUDS for t in accelerator_types(cloud).values() if t.accelerator == nodes.accelerator)
    accelerator = AcceleratorType(
        cloud=None,
        name=f"{nodes.gpus_per_node} x {nodes.accelerator}",
        accelerator=gpu.accelerator,
        accelerator_name=gpu.accelerator_name,
        vendor=gpu.vendor,
        count=nodes.gpus_per_node,
        accelerator_memory_gib=gpu.accelerator_memory_gib,
        vcpus=nodes.vcpus,
        memory_gib=nodes.memory_gib,
        architecture=None,
        places=(),
    )
    return GpuPoolPlan(
        name=TEAM_NODES,
        resource_name=TEAM_NODES,
        accelerator=accelerator,
        min_nodes=0,
        max_nodes=nodes.max_nodes,
        desired_nodes=0,
        capacity="on_demand",
        labels=dict(nodes.labels),
        taint=nodes.taint,
        gpu_resource=nodes.gpu_resource,
    )


class InvalidService(ValueError):
    """A served model that cannot run on the given nodes as configured; the message lists each reason."""


def _raise_for(service: InferenceSpec, issues: list[ConfigIssue]) -> None:
    if issues:
        raise InvalidService(f"{service.name} ({service.model}): " + "; ".join(map(str, issues)))


def plan_model_server(
    service: InferenceSpec, nodes: GpuNodes, *, min_replicas: int = 1, namespace: str = SERVING_NAMESPACE
) -> InferencePlan:
    """One served model on a team's own GPU ``nodes``, with the platform's fit check, replica bounds and server
    arguments. ``service`` is a valid :class:`aistacks.spec.InferenceSpec` (``InferenceSpec.model_validate``
    reports its shape and types); ``cloud``, ``cluster`` and ``pool`` name a platform's cluster and must be
    left out. ``min_replicas``: the floor when the service sets none (the platform's is the tier's). Default:
    1. ``namespace``: where the server runs. Default: ``serving``, the namespace
    :func:`aistacks.k8s.role_namespaces` makes with ``serving_ports``.

    Raises :class:`DoesNotFit`, naming what would fit, for a model its GPUs cannot hold, and
    :class:`InvalidService` (a ``ValueError``) for settings that cannot be served there."""
    if min_replicas < 1:
        raise ValueError(f"min_replicas {min_replicas}: {NO_WAKE_FROM_ZERO}")
    path = "service"
    placed = [
        ConfigIssue(f"{path}.{field}", value, "names a cluster of an aistacks platform; leave it out here")
        for field, value in (("cloud", service.cloud), ("cluster", service.cluster), ("pool", service.pool))
        if value is not None
    ]
    pool = team_pool(nodes)
    where = "GpuNodes"
    _raise_for(
        service, [*placed, *served_model_issues(service, path), *gpu_issues(service, pool.accelerator, where, path)]
    )
    plan = _plan_server(
        service,
        pool,
        cloud=None,
        cluster=None,
        resource_name=service.name,
        namespace=namespace,
        floor=min_replicas,
        clients=service.clients or DEFAULT_CLIENTS,
        models_bucket=None,
    )
    _raise_for(service, replica_issues(service, plan.gpus, nodes.max_nodes, nodes.gpus_per_node, where, path))
    return plan
