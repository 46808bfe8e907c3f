"""A served model on a cluster aistacks did not build (issue 13): :func:`aistacks.plan.plan_model_server` plans
it on a team's own GPU nodes with the platform's fit check, replicas and server arguments, and the
existing-cluster example serves one on the team's nodes, scaled by the team's KEDA reading the team's
Prometheus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from aistacks.catalog import accelerator_types, serving_models
from aistacks.config import parse_platform_spec
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.k8s import inference_manifests
from aistacks.plan import (
    DoesNotFit,
    GpuNodes,
    InvalidService,
    Taint,
    known_gpus,
    plan_model_server,
    plan_platform,
)
from aistacks.spec import InferenceSpec

from .k8s_validation import validate_strictly
from .test_compute import KUBERNETES_VERSION, manifests
from .test_inference_plan import platform as platform_config

PROGRAM = Path(__file__).resolve().parents[1] / "examples" / "existing-cluster"
QWEN_7B = "Qwen/Qwen2.5-7B-Instruct"
LLAMA_70B = "meta-llama/Llama-3.1-70B-Instruct"
PROMETHEUS = "http://prometheus.monitoring.svc:9090"
GPU_LABELS = {"nvidia.com/gpu.product": "NVIDIA-L40S"}


def spec(**fields: Any) -> InferenceSpec:
    return InferenceSpec.model_validate({"name": "chat", "model": QWEN_7B, **fields})


def l40s_nodes(**fields: Any) -> GpuNodes:
    given_fields: dict[str, Any] = {
        "accelerator": "l40s",
        "gpus_per_node": 4,
        "vcpus": 64,
        "memory_gib": 512,
        "max_nodes": 2,
        "labels": GPU_LABELS,
        **fields,
    }
    return GpuNodes(**given_fields)


# --- the example ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    project = load_project(PROGRAM)
    return run_stack_file(project, project.stack_file("onprem"))


@pytest.fixture(scope="module")
def found(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests(graph)}


def test_the_served_model_validates_strictly(found: dict[str, dict[str, Any]]) -> None:
    served = [m for key, m in found.items() if key.endswith("/chat") or key.startswith("NetworkPolicy/allow-chat")]
    assert {m["kind"] for m in served} == {
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "ScaledObject",
        "NetworkPolicy",
    }
    for manifest in served:
        validate_strictly(manifest, KUBERNETES_VERSION)


def test_the_team_keda_reads_the_team_prometheus_with_no_cloud_identity(found: dict[str, dict[str, Any]]) -> None:
    scaled = found["ScaledObject/chat"]
    assert scaled["metadata"]["namespace"] == "serving"
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "prometheus" and trigger["metadata"]["serverAddress"] == PROMETHEUS
    assert f'model_name="{QWEN_7B}"' in trigger["metadata"]["query"]
    assert "authenticationRef" not in trigger and "awsRegion" not in trigger["metadata"]
    assert not [key for key in found if key.startswith("TriggerAuthentication/")]
    # Two nodes of four L40S, one GPU a replica: at most eight.
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (1, 8)
    assert "annotations" not in found["ServiceAccount/chat-server"]["metadata"], "no cloud identity here"


def test_the_server_runs_on_the_teams_gpu_nodes(found: dict[str, dict[str, Any]]) -> None:
    deployment = found["Deployment/chat"]
    pod = deployment["spec"]["template"]["spec"]
    assert "replicas" not in deployment["spec"], "KEDA owns the count"
    assert pod["nodeSelector"] == GPU_LABELS
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]
    (server,) = pod["containers"]
    assert server["resources"]["limits"]["nvidia.com/gpu"] == "1"
    # A quarter of the node: half of 16 vCPUs, seven tenths of 128 GiB.
    assert (server["resources"]["limits"]["cpu"], server["resources"]["limits"]["memory"]) == ("8", "89Gi")
    (weights,) = [v for v in pod["volumes"] if v["name"] == "weights"]
    assert weights["ephemeral"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "ceph-rbd-encrypted"


def test_the_weights_come_from_the_teams_s3_compatible_store(found: dict[str, dict[str, Any]]) -> None:
    pod = found["Deployment/chat"]["spec"]["template"]["spec"]
    (loader,) = pod["initContainers"]
    assert loader["envFrom"] == [{"secretRef": {"name": "model-store-credentials"}}]
    env = {e["name"]: e.get("value") for e in loader["env"]}
    assert env["AWS_ENDPOINT_URL"] == "https://s3.storage.acme.internal"
    assert env["BUCKET"] == "acme-onprem-models"
    (server,) = pod["containers"]
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in server["env"], "never the Hub"


def test_the_workload_namespace_and_the_teams_prometheus_may_call_the_server(
    found: dict[str, dict[str, Any]],
) -> None:
    port = [{"protocol": "TCP", "port": 8000}]
    (clients,) = found["NetworkPolicy/allow-chat-clients"]["spec"]["ingress"]
    assert clients["ports"] == port
    assert clients["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "inference"}}}]
    (scraper,) = found["NetworkPolicy/allow-chat-metrics"]["spec"]["ingress"]
    (peer,) = scraper["from"]
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
    # The workload namespace reaches the serving namespace on the server's port.
    (egress,) = found["NetworkPolicy/allow-egress-to-serving"]["spec"]["egress"]
    assert egress["ports"] == port


def test_the_endpoint_is_exported(graph: ResourceGraph) -> None:
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    assert stack.outputs["model_endpoint"] == "http://chat.serving.svc.cluster.local:8000/v1"


# --- plan_model_server ---------------------------------------------------------------------------------------


def test_the_same_core_as_the_platform_plans_it_alike() -> None:
    """On nodes like a platform pool's (g6.xlarge: one L4, 4 vCPUs, 16 GiB), the team's plan is the
    platform's in everything that is the model's: the fit, the GPUs, the arguments, the shares, the volume."""
    (platform,) = plan_platform(parse_platform_spec(platform_config())).inference
    pool = platform.pool.accelerator
    nodes = GpuNodes(
        accelerator="l4",
        gpus_per_node=1,
        vcpus=pool.vcpus,
        memory_gib=pool.memory_gib,
        max_nodes=3,
        labels={"gpu": "l4"},
    )
    team = plan_model_server(spec(concurrency=8), nodes)
    for name in ("fit", "gpus", "args", "cpu", "memory", "cache_gib", "min_replicas", "max_replicas", "engine"):
        assert getattr(team, name) == getattr(platform, name), name
    assert (team.cloud, team.cluster, team.models_bucket) == (None, None, None)
    assert (platform.cloud, platform.cluster) == ("aws", "inference")
    assert team.pool.accelerator.cloud is None and team.pool.accelerator.places == ()
    assert team.pool.accelerator.accelerator_memory_gib == pool.accelerator_memory_gib == 24


def test_a_model_too_large_for_the_nodes_does_not_fit_and_says_what_would() -> None:
    one_l4 = GpuNodes(accelerator="l4", gpus_per_node=1, vcpus=8, memory_gib=32, max_nodes=4, labels={"gpu": "l4"})
    with pytest.raises(DoesNotFit) as raised:
        plan_model_server(spec(model=LLAMA_70B), one_l4)
    message = str(raised.value)
    assert "does not fit 1 l4 GPU(s) of 24 GB" in message
    assert "what fits: gpus_per_node: " in message


def test_an_unknown_accelerator_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'b200' is not a GPU of the accelerator catalogs") as raised:
        l40s_nodes(accelerator="b200")
    assert "known: " + ", ".join(known_gpus()) in str(raised.value)
    assert {"l4", "l40s", "h100"} <= set(known_gpus())
    assert "trainium1" not in known_gpus(), "the engines' images run on NVIDIA GPUs"


def test_a_bad_entry_is_pydantics_error_and_a_bad_fit_for_the_nodes_is_the_plans() -> None:
    with pytest.raises(ValidationError):
        InferenceSpec.model_validate({"name": "chat", "model": "not a repository id"})
    with pytest.raises(ValidationError):
        InferenceSpec.model_validate({"name": "chat", "model": QWEN_7B, "concurency": 8})
    with pytest.raises(InvalidService) as raised:
        plan_model_server(spec(tensor_parallel=8, cloud="aws"), l40s_nodes())
    assert "service.cloud" in str(raised.value) and "GpuNodes has 4 GPU(s) per node; allowed: 1, 2, 4" in str(
        raised.value
    )
    with pytest.raises(InvalidService, match="GpuNodes holds at most 8 replica"):
        plan_model_server(spec(max_replicas=9), l40s_nodes())
    with pytest.raises(InvalidService, match=r"service\.engine"):
        plan_model_server(spec(engine="tgi"), l40s_nodes())


def test_nodes_without_a_taint_are_tolerated_by_nothing() -> None:
    plan = plan_model_server(spec(source="hub"), l40s_nodes(taint=None), min_replicas=2, namespace="models")
    (deployment,) = [m for m in inference_manifests(plan, storage_class="fast-encrypted") if m["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["tolerations"] == [] and pod["nodeSelector"] == GPU_LABELS
    assert (plan.namespace, plan.min_replicas, plan.clients) == ("models", 2, ("inference",))
    validate_strictly(deployment, KUBERNETES_VERSION)


def test_the_nodes_must_be_described() -> None:
    for fields, message in [
        ({"gpus_per_node": 0}, "gpus_per_node must be at least 1"),
        ({"labels": {}}, "labels must select the GPU nodes"),
        ({"memory_gib": 0}, "memory_gib must be positive"),
    ]:
        with pytest.raises(ValueError, match=message):
            l40s_nodes(**fields)
    with pytest.raises(ValueError, match="min_replicas"):
        plan_model_server(spec(), l40s_nodes(taint=Taint("gpu", "yes")), min_replicas=-1)


@given(
    accelerator=st.sampled_from(known_gpus()),
    gpus_per_node=st.sampled_from([1, 2, 4, 8, 16]),
    max_nodes=st.integers(1, 20),
    model=st.sampled_from(sorted(serving_models())),
    concurrency=st.integers(1, 32),
    context_length=st.sampled_from([2048, 4096, 8192]),
)
def test_replicas_fit_within_a_node_and_fill_the_nodes(
    accelerator: str, gpus_per_node: int, max_nodes: int, model: str, concurrency: int, context_length: int
) -> None:
    nodes = GpuNodes(
        accelerator=accelerator,
        gpus_per_node=gpus_per_node,
        vcpus=16 * gpus_per_node,
        memory_gib=64.0 * gpus_per_node,
        max_nodes=max_nodes,
        labels={"gpu": accelerator},
    )
    service = spec(model=model, concurrency=concurrency, context_length=context_length)
    try:
        plan = plan_model_server(service, nodes)
    except DoesNotFit:
        assume(False)
        raise
    assert plan.gpus <= gpus_per_node and plan.gpus & (plan.gpus - 1) == 0
    assert plan.max_replicas == max_nodes * (gpus_per_node // plan.gpus)
    assert plan.fit.fits and plan.fit.tensor_parallel == plan.gpus
    memory = {t.accelerator_memory_gib for t in accelerator_types("aws").values() if t.accelerator == accelerator}
    memory |= {t.accelerator_memory_gib for t in accelerator_types("gcp").values() if t.accelerator == accelerator}
    assert plan.pool.accelerator.accelerator_memory_gib in memory and len(memory) == 1
