"""Model servers and model shapes: what serving a model needs to know (``data/serving.json``, sourced)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from aistacks.catalog.datafiles import load_data
from aistacks.vocabulary import Quantization, ServingEngine


@dataclass(frozen=True)
class ServingEngineFacts:
    """One model server's container and endpoints."""

    engine: ServingEngine
    image: str
    port: int
    health_path: str
    metrics_path: str
    queue_metric: str
    """The gauge of requests waiting for a slot."""
    token_metrics: tuple[str, ...]
    """The counters of prompt and generated tokens (what LLM cost is tracked by)."""
    memory_utilization: float
    """The share of each GPU's memory the server takes for weights and KV cache."""
    quantizations: Mapping[Quantization, str]
    """The quantizations it serves, and how its command line spells each."""
    fp8_accelerators: tuple[str, ...] | None
    """The accelerators its fp8 runs on, when it names them; None: wherever the GPU has fp8."""
    runs_unprivileged: bool
    """Its image starts as a non-root user, as the serving namespace's restricted Pod Security requires."""
    runs_unprivileged_source: str
    drain_argument: str | None = None
    """The argument (``{seconds}`` in it) that makes it finish requests in flight on SIGTERM instead of
    dropping them; none where it drains by itself."""


@dataclass(frozen=True)
class ModelFacts:
    """A model's memory shape, from its ``config.json``."""

    parameters_billions: float
    layers: int
    kv_heads: int
    head_dim: int
    licence: str


@cache
def serving_engine(engine: ServingEngine) -> ServingEngineFacts:
    entry = load_data("serving.json")["engines"][engine]
    return ServingEngineFacts(
        engine=engine,
        image=entry["image"],
        port=int(entry["port"]),
        health_path=entry["health_path"],
        metrics_path=entry["metrics_path"],
        queue_metric=entry["queue_metric"],
        token_metrics=tuple(entry["token_metrics"]),
        memory_utilization=float(entry["memory_utilization"]),
        quantizations=MappingProxyType(dict(entry["quantizations"])),
        fp8_accelerators=tuple(entry["fp8_accelerators"]) if "fp8_accelerators" in entry else None,
        runs_unprivileged=bool(entry["runs_unprivileged"]),
        runs_unprivileged_source=entry["runs_unprivileged_source"],
        drain_argument=entry["drain_argument"],
    )


@cache
def serving_models() -> Mapping[str, ModelFacts]:
    """Every model the catalog knows the shape of, by Hugging Face repository id."""
    return MappingProxyType(
        {
            model: ModelFacts(
                parameters_billions=float(entry["parameters_billions"]),
                layers=int(entry["layers"]),
                kv_heads=int(entry["kv_heads"]),
                head_dim=int(entry["head_dim"]),
                licence=entry["licence"],
            )
            for model, entry in load_data("serving.json")["models"].items()
        }
    )


@dataclass(frozen=True)
class HelmChartPin:
    """A Helm chart at one reviewed version."""

    repository: str
    chart: str
    version: str

    @property
    def reviewed_name(self) -> str:
        """``<chart>@<version>``: how the guardrails' reviewedCharts (AIS-NET-005) name it."""
        return f"{self.chart}@{self.version}"


@dataclass(frozen=True)
class QueueAutoscalerFacts:
    """KEDA, which scales model servers on their queue, and how often the queue is read."""

    chart: HelmChartPin
    scrape_interval_seconds: int
    amp_regions: frozenset[str]
    """The AWS regions with Amazon Managed Service for Prometheus, where an EKS cluster can serve models."""


@cache
def queue_autoscaler() -> QueueAutoscalerFacts:
    entry = load_data("serving.json")["queue_autoscaler"]
    return QueueAutoscalerFacts(
        chart=HelmChartPin(entry["repository"], entry["chart"], entry["version"]),
        scrape_interval_seconds=int(entry["scrape_interval_seconds"]),
        amp_regions=frozenset(entry["amp_regions"]),
    )
