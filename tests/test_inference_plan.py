"""Served models in the pure plan (issue 13, first slice): does the model fit its GPUs, and what the plan
decides for a served model. Memory is checked by hand here: weights are parameters x bytes per parameter,
the KV cache 2 x layers x KV heads x head dimension x 2 bytes per token, against GPU memory x GPUs x the
engine's memory utilization (0.9 for vLLM as the plan runs it)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog import accelerator_types, serving_engine, serving_models
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.plan import plan_platform
from aistacks.plan.fit import GIB, ModelShape, Workload, memory_fit, smallest_fitting, tensor_parallel_sizes

ROOT = "aistacks:platform"
QWEN_7B = "Qwen/Qwen2.5-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_70B = "meta-llama/Llama-3.1-70B-Instruct"


def gpu_memory(cloud: str, accelerator: str) -> float:
    """In GiB: the catalog gives the vendors' decimal gigabytes."""
    (memory,) = {t.accelerator_memory_gib for t in accelerator_types(cloud).values() if t.accelerator == accelerator}  # type: ignore[arg-type]
    return memory * 1e9 / GIB


def shape(model: str) -> ModelShape:
    facts = serving_models()[model]
    return ModelShape(facts.parameters_billions, facts.layers, facts.kv_heads, facts.head_dim)


def needed_gib(model: str, bytes_per_parameter: float, context: int, concurrency: int) -> float:
    facts = serving_models()[model]
    weights = facts.parameters_billions * 1e9 * bytes_per_parameter
    kv = 2 * facts.layers * facts.kv_heads * facts.head_dim * 2 * context * concurrency
    return (weights + kv) / GIB


# --- the arithmetic, on three catalog GPUs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "accelerator", "weight_format", "bytes_per_parameter", "tensor_parallel"),
    [
        # L4, 24 GB (22.4 GiB, 20.1 usable): 16 sequences of Qwen 7B in bfloat16 need 21.2 GiB, in fp8 14.1;
        # Llama 8B does not fit even in fp8 (23.5), in 4 bits it does (19.7).
        (QWEN_7B, "l4", "bfloat16", 2.0, None),
        (QWEN_7B, "l4", "fp8", 1.0, 1),
        (LLAMA_8B, "l4", "bfloat16", 2.0, None),
        (LLAMA_8B, "l4", "fp8", 1.0, None),
        (LLAMA_8B, "l4", "awq", 0.5, 1),
        # L40S, 48 GB (44.7 GiB): Llama 8B in bfloat16 fits one.
        (LLAMA_8B, "l40s", "bfloat16", 2.0, 1),
        (LLAMA_8B, "l40s", "float16", 2.0, 1),
        # H100, 80 GB (74.5 GiB): Llama 70B needs 4 GPUs in 16 bits, 2 in fp8 or int8.
        (LLAMA_70B, "h100", "bfloat16", 2.0, 4),
        (LLAMA_70B, "h100", "fp8", 1.0, 2),
        (LLAMA_70B, "h100", "int8", 1.0, 2),
    ],
)
def test_the_fewest_gpus_that_hold_weights_and_kv_cache(
    model: str, accelerator: str, weight_format: str, bytes_per_parameter: float, tensor_parallel: int | None
) -> None:
    memory = gpu_memory("aws", accelerator)
    workload = Workload(context_length=8192, concurrency=16, gpu_memory_gib=memory, memory_utilization=0.9)
    sizes = [1] if accelerator != "h100" else [1, 2, 4, 8]
    fit = smallest_fitting(shape(model), [weight_format], sizes, workload)
    needed = needed_gib(model, bytes_per_parameter, 8192, 16)
    if tensor_parallel is None:
        assert fit is None
        assert needed > memory * max(sizes) * 0.9
        return
    assert fit is not None and fit.tensor_parallel == tensor_parallel
    assert fit.needed_gib == pytest.approx(needed)
    assert needed <= memory * tensor_parallel * 0.9
    assert tensor_parallel == 1 or needed > memory * (tensor_parallel // 2) * 0.9, "the fewest, not any"


shapes = st.builds(
    ModelShape,
    parameters_billions=st.floats(min_value=0.1, max_value=500),
    layers=st.integers(1, 128),
    kv_heads=st.integers(1, 64),
    head_dim=st.sampled_from([64, 80, 96, 128, 256]),
)
workloads = st.builds(
    Workload,
    context_length=st.integers(256, 131072),
    concurrency=st.integers(1, 256),
    gpu_memory_gib=st.sampled_from([16, 24, 40, 48, 80, 141]),
    memory_utilization=st.floats(min_value=0.5, max_value=1.0),
)


@given(shapes, workloads, st.sampled_from([1, 2, 4, 8]))
def test_more_gpus_never_turn_a_fit_into_a_misfit(model: ModelShape, workload: Workload, gpus: int) -> None:
    if memory_fit(model, "bfloat16", workload, gpus).fits:
        assert memory_fit(model, "bfloat16", workload, gpus * 2).fits


@given(shapes, workloads)
def test_quantizing_shrinks_the_weights_and_keeps_the_kv_cache(model: ModelShape, workload: Workload) -> None:
    full, fp8, four_bit = (memory_fit(model, f, workload, 1) for f in ("bfloat16", "fp8", "awq"))
    assert fp8.weights_gib == pytest.approx(full.weights_gib / 2)
    assert four_bit.weights_gib == pytest.approx(full.weights_gib / 4)
    assert full.kv_cache_gib == fp8.kv_cache_gib == four_bit.kv_cache_gib


@given(shapes, workloads, st.integers(1, 16))
def test_the_smallest_fit_is_the_first_that_fits(model: ModelShape, workload: Workload, gpus_per_node: int) -> None:
    sizes = tensor_parallel_sizes(gpus_per_node)
    fit = smallest_fitting(model, ["bfloat16"], sizes, workload)
    fitting = [size for size in sizes if memory_fit(model, "bfloat16", workload, size).fits]
    assert (fit.tensor_parallel if fit else None) == (fitting[0] if fitting else None)


def test_tensor_parallel_sizes_are_powers_of_two_within_the_node() -> None:
    assert tensor_parallel_sizes(1) == [1]
    assert tensor_parallel_sizes(4) == [1, 2, 4]
    assert tensor_parallel_sizes(6) == [1, 2, 4]


# --- the config: a served model on the stack's inference cluster --------------------------------------------


def platform(**service: Any) -> dict[str, Any]:
    return {
        "environment": "staging",
        "jurisdiction": "eu",
        "aws": {
            "region": "eu-central-1",
            "kubernetes_version": "1.35",
            "clusters": [
                {
                    "role": "inference",
                    "api_access_cidrs": ["203.0.113.0/24"],
                    "gpu_pools": [{"name": "l4", "gpu": "l4", "max_nodes": 3}],
                }
            ],
        },
        # Eight sequences of 8,192 tokens: Qwen 7B in 16 bits fits one L4 (24 GB) with that many, not 16.
        "inference": [{"name": "chat", "model": QWEN_7B, "concurrency": 8, **service}],
    }


def issues(raw: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw)
    return {issue.path: (issue.value, issue.message) for issue in caught.value.issues}


def test_a_served_model_is_planned_on_its_inference_cluster() -> None:
    plan = plan_platform(parse_platform_spec(platform()))
    (service,) = plan.inference
    (cluster,) = plan.clouds["aws"].clusters
    assert cluster.inference == (service,)
    assert (service.cloud, service.cluster, service.namespace) == ("aws", "inference", "serving")
    assert service.pool.name == "l4" and service.gpus == 1
    assert (service.min_replicas, service.max_replicas) == (1, 3), "staging's floor; 3 nodes of 1 GPU"
    assert service.engine.image == serving_engine("vllm").image and service.engine.port == 8000
    assert service.args[0] == f"/models/{QWEN_7B}"
    assert "--tensor-parallel-size=1" in service.args and "--max-model-len=8192" in service.args
    assert service.models_bucket == "models" and service.clients == ("inference",)
    # 7.62 B parameters x 2 bytes, a fifth more: 17.03 GiB, rounded up.
    assert service.cache_gib == 18


@pytest.mark.parametrize(("tier", "floor"), [("dev", 1), ("staging", 1), ("prod", 2)])
def test_the_tier_decides_the_floor(tier: str, floor: int) -> None:
    raw = platform()
    raw["environment"] = tier
    if tier == "dev":
        del raw["aws"]["clusters"][0]["api_access_cidrs"]
    (service,) = plan_platform(parse_platform_spec(raw)).inference
    assert service.min_replicas == floor


def test_a_model_that_does_not_fit_is_a_config_error_that_names_what_fits() -> None:
    found = issues(platform(model=LLAMA_8B, source="hub", hub_token_secret="hf-token", concurrency=16))
    value, message = found[f"{ROOT}.inference[0].model"]
    assert value == LLAMA_8B
    assert "does not fit 1 l4 GPU(s) of 24 GB" in message
    assert "gpus_per_node: 2" in message, "a node with two L4s holds it"
    assert "quantization: awq" in message, "fp8 still does not fit one L4; 4-bit does"
    assert "concurrency: " in message


def test_a_quantization_the_engine_does_not_serve_names_what_it_serves() -> None:
    value, message = issues(platform(quantization="int8"))[f"{ROOT}.inference[0].quantization"]
    assert value == "int8" and "vllm does not serve it on l4; allowed there: fp8, awq, gptq" in message
    value, message = issues(platform(quantization="fp8", engine="tgi"))[f"{ROOT}.inference[0].quantization"]
    assert "tgi does not serve it on l4" in message and "int8" in message, "TGI's fp8 needs an H100"


def test_an_unknown_model_needs_its_architecture() -> None:
    value, message = issues(platform(model="acme/private-13b"))[f"{ROOT}.inference[0].architecture"]
    assert value is None and "parameters_billions, layers, kv_heads and head_dim" in message
    raw = platform(
        model="acme/private-13b",
        architecture={"parameters_billions": 1.0, "layers": 16, "kv_heads": 8, "head_dim": 64},
    )
    (service,) = plan_platform(parse_platform_spec(raw)).inference
    assert service.fit.fits


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"cluster": "training"}, "cluster", "not an inference cluster; inference clusters: aws/inference"),
        ({"pool": "h100"}, "pool", "has no such GPU pool; its pools: l4"),
        ({"tensor_parallel": 2}, "tensor_parallel", "1 GPU(s) per node; allowed: 1"),
        ({"max_replicas": 4}, "max_replicas", "holds at most 3 replica(s)"),
        ({"min_replicas": 3, "max_replicas": 2}, "min_replicas", "more than max_replicas (2)"),
        ({"hub_token_secret": "hf"}, "hub_token_secret", "applies to source hub only"),
    ],
)
def test_settings_that_cannot_be_served_are_config_errors(change: dict[str, Any], path: str, message: str) -> None:
    found = issues(platform(**change))
    assert message in found[f"{ROOT}.inference[0].{path}"][1]


def test_weights_from_the_bucket_need_the_models_bucket() -> None:
    raw = platform()
    raw["buckets"] = [{"name": "datasets"}]
    assert "add it, or use source hub" in issues(raw)[f"{ROOT}.inference[0].source"][1]
    hub = copy.deepcopy(raw)
    hub["inference"][0]["source"] = "hub"
    (service,) = plan_platform(parse_platform_spec(hub)).inference
    assert service.models_bucket is None and service.args[0] == QWEN_7B
