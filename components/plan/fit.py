"""Does a model fit its GPUs? Weights plus the KV cache for the configured context and concurrency, against
the GPU memory the engine may use across a tensor-parallel group. Pure arithmetic, no Pulumi.

The estimate is the floor the engine needs, not a promise: activations, CUDA graphs (vLLM counts them in
its budget since v0.21) and fragmentation take part of the memory the engine reserves (vLLM's
``--gpu-memory-utilization``) and are not counted. A model that does not fit by this estimate will not
fit, so the plan refuses it and says what would; one that fits by a thin margin may still need a
smaller ``concurrency`` on the real GPU.

* Weights: parameters x bytes per parameter of the weight format (:data:`BYTES_PER_PARAMETER`).
* KV cache per token: 2 (a key and a value) x layers x KV heads x head dimension x bytes per element,
  for ``context_length`` tokens of each of ``concurrency`` sequences.
* Available: GPU memory x tensor-parallel size x the engine's memory utilization.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GIB = 2**30

WeightFormat = str
"""``bfloat16``, ``float16`` (unquantized) or a quantization (``fp8``, ``int8``, ``awq``, ``gptq``)."""

BYTES_PER_PARAMETER: dict[WeightFormat, float] = {
    "bfloat16": 2.0,
    "float16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "awq": 0.5,
    "gptq": 0.5,
}
"""Bytes each weight takes: 16-bit floats 2, 8-bit formats 1, the 4-bit AWQ and GPTQ schemes 0.5 (their
per-group scales and zero points, a few percent more, are not counted). Sources: the formats' widths (IEEE
754 half precision, bfloat16, OCP 8-bit floating point; AWQ, arXiv:2306.00978, and GPTQ, arXiv:2210.17323,
as served 4-bit by vLLM), read 2026-12-01."""

KV_CACHE_BYTES = 2
"""Bytes per KV-cache element: the engines keep the cache in the model's 16-bit dtype unless told otherwise."""

QUANTIZATION_ORDER: tuple[WeightFormat, ...] = ("fp8", "int8", "awq", "gptq")
"""Quantizations to propose when a model does not fit, least lossy first."""


@dataclass(frozen=True)
class ModelShape:
    """What a model's memory depends on (its Hugging Face ``config.json``)."""

    parameters_billions: float
    layers: int
    """``num_hidden_layers``."""
    kv_heads: int
    """``num_key_value_heads`` (grouped-query attention), else ``num_attention_heads``."""
    head_dim: int
    """``head_dim``, else ``hidden_size / num_attention_heads``."""

    @property
    def kv_bytes_per_token(self) -> int:
        return 2 * self.layers * self.kv_heads * self.head_dim * KV_CACHE_BYTES


@dataclass(frozen=True)
class Fit:
    """The memory a served model needs against what its GPUs offer, in GiB."""

    weights_gib: float
    kv_cache_gib: float
    available_gib: float
    tensor_parallel: int
    weight_format: WeightFormat

    @property
    def needed_gib(self) -> float:
        return self.weights_gib + self.kv_cache_gib

    @property
    def fits(self) -> bool:
        return self.needed_gib <= self.available_gib

    def describe(self) -> str:
        return (
            f"{self.weight_format} weights {self.weights_gib:.1f} GiB + KV cache {self.kv_cache_gib:.1f} GiB = "
            f"{self.needed_gib:.1f} GiB, against {self.available_gib:.1f} GiB on {self.tensor_parallel} GPU(s)"
        )


@dataclass(frozen=True)
class Workload:
    """What a served model must hold at once, on which GPUs."""

    context_length: int
    """Tokens of one sequence, prompt and output (vLLM ``--max-model-len``)."""
    concurrency: int
    """Sequences served at once (vLLM ``--max-num-seqs``)."""
    gpu_memory_gib: float
    """Memory of one GPU."""
    memory_utilization: float
    """The share of each GPU's memory the engine takes (vLLM ``--gpu-memory-utilization``)."""


def memory_fit(model: ModelShape, weight_format: WeightFormat, workload: Workload, tensor_parallel: int) -> Fit:
    """The memory ``model`` needs as ``weight_format`` for ``workload``, and what ``tensor_parallel`` GPUs offer."""
    weights = model.parameters_billions * 1e9 * BYTES_PER_PARAMETER[weight_format]
    kv_cache = model.kv_bytes_per_token * workload.context_length * workload.concurrency
    return Fit(
        weights_gib=weights / GIB,
        kv_cache_gib=kv_cache / GIB,
        available_gib=workload.gpu_memory_gib * tensor_parallel * workload.memory_utilization,
        tensor_parallel=tensor_parallel,
        weight_format=weight_format,
    )


def tensor_parallel_sizes(gpus_per_node: int) -> list[int]:
    """The tensor-parallel sizes a node of ``gpus_per_node`` GPUs can run: powers of two up to the node's
    count (the attention heads split evenly over them), smallest first."""
    sizes = [1]
    while sizes[-1] * 2 <= gpus_per_node:
        sizes.append(sizes[-1] * 2)
    return sizes


def smallest_fitting(
    model: ModelShape, formats: Iterable[WeightFormat], sizes: Sequence[int], workload: Workload
) -> Fit | None:
    """The first of ``formats`` (in order) on the fewest of ``sizes`` GPUs that fits, or None."""
    for weight_format in formats:
        for size in sizes:
            fit = memory_fit(model, weight_format, workload, size)
            if fit.fits:
                return fit
    return None
