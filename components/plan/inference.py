"""Served models: which GPUs a replica takes, whether the model fits them, how many replicas, what the
server is told. Pure; :mod:`aistacks.validate_inference` turns a model that cannot fit into a config error
with these same functions, so the plan never holds one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from aistacks.catalog import AcceleratorType, ServingEngineFacts, serving_engine, serving_models
from aistacks.defaults import DEFAULT_QUEUE_PER_REPLICA, MODELS_BUCKET, SERVING_NAMESPACE, TierDefaults
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
from aistacks.plan.model import GpuPoolPlan, InferencePlan
from aistacks.spec import InferenceSpec
from aistacks.vocabulary import Cloud, Role

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


def replicas(service: InferenceSpec, pool: GpuPoolPlan, gpus: int, defaults: TierDefaults) -> Replicas:
    """The fewest (the tier's, unless set) and the most (what the pool holds at its largest, unless set)."""
    maximum = service.max_replicas or replica_capacity(pool.max_nodes, pool.accelerator.count, gpus)
    return Replicas(
        min(service.min_replicas if service.min_replicas is not None else defaults.inference_min_replicas, maximum),
        maximum,
    )


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
    shape = model_shape(service)
    assert shape is not None and role == "inference", "a valid spec has a shape and an inference host"
    fit = size(service, shape, pool.accelerator)
    engine = serving_engine(service.engine)
    bounds = replicas(service, pool, fit.tensor_parallel, defaults)
    share = fit.tensor_parallel / pool.accelerator.count
    # On disk the weights are the checkpoint's: 16-bit unless it is an AWQ or GPTQ checkpoint.
    stored = BYTES_PER_PARAMETER[service.quantization if service.quantization in ("awq", "gptq") else service.dtype]
    model_path = f"{MODEL_DIRECTORY}/{service.model}" if service.source == "bucket" else service.model
    return InferencePlan(
        name=service.name,
        resource_name=f"{cluster_resource}-serve-{service.name}",
        cloud=cloud,
        cluster=cluster,
        namespace=SERVING_NAMESPACE,
        pool=pool,
        engine=engine,
        args=server_args(service, engine, model_path, fit.tensor_parallel),
        model=service.model,
        source=service.source,
        models_bucket=MODELS_BUCKET if service.source == "bucket" else None,
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
        clients=service.clients or (role,),
    )
