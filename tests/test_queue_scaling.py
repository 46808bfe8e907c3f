"""Scaling a model server on its queue (issue 13): the plan puts metrics and KEDA on every cluster that
serves models, the ScaledObject and TriggerAuthentication are valid for KEDA 2.20's CRDs and scale between
the plan's floor and ceiling on the server's queue, and KEDA's chart values run it on the system nodes with
the operator's cloud identity."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog import queue_autoscaler
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.k8s import PrometheusSource, inference_manifests, keda_values, queue_scaling_manifests
from aistacks.k8s.queue_scaling import GKE_CONTROL_PLANE_PORT, keda_namespace, queue_query, scaled_object
from aistacks.plan import plan_platform
from aistacks.plan.model import InferencePlan
from aistacks.plan.serving_metrics import KEDA_REPLICAS, plan_serving_metrics

from .k8s_validation import validate_strictly
from .test_compute import KUBERNETES_VERSION
from .test_inference_service import CLASS, QWEN_7B, plan_of, platform

AMP = PrometheusSource(
    "https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-0123",
    identity="aws",
    aws_region="eu-central-1",
    labels={"cluster": "acme-staging-inference"},
)
GMP = PrometheusSource(
    "https://monitoring.googleapis.com/v1/projects/acme/location/global/prometheus",
    identity="gcp",
    labels={"cluster": "acme-prod-inference", "location": "europe-west4"},
)
IN_CLUSTER = PrometheusSource("http://prometheus.monitoring:9090")


def chat(environment: str = "staging") -> InferencePlan:
    return plan_of({"name": "chat", "model": QWEN_7B}, environment)


def by_kind(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (one,) = [m for m in found if m["kind"] == kind]
    return one


@pytest.mark.parametrize("source", [AMP, GMP, IN_CLUSTER], ids=["amp", "gmp", "in-cluster"])
@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_keda_objects_validate_against_their_crds(source: PrometheusSource, environment: str) -> None:
    plan = chat(environment)
    found = inference_manifests(
        plan, storage_class=CLASS, loader=None if plan.source == "hub" else _loader(), autoscaling=source
    )
    for manifest in found:
        validate_strictly(manifest, KUBERNETES_VERSION)
    kinds = [m["kind"] for m in found]
    assert kinds.count("ScaledObject") == 1
    assert kinds.count("TriggerAuthentication") == (0 if source.identity is None else 1)


def _loader() -> Any:
    from aistacks.k8s import s3_loader

    return s3_loader("acme-models", QWEN_7B)


def test_the_strict_crd_check_refuses_a_field_keda_does_not_know() -> None:
    wrong = copy.deepcopy(scaled_object(chat(), AMP))
    wrong["spec"]["minReplicas"] = 1  # the HPA's spelling, not KEDA's (minReplicaCount)
    with pytest.raises(jsonschema.ValidationError, match="minReplicas"):
        validate_strictly(wrong, KUBERNETES_VERSION)


@pytest.mark.parametrize(("environment", "floor"), [("dev", 1), ("staging", 1), ("prod", 2)])
def test_the_scaled_object_keeps_the_deployment_between_the_plans_floor_and_ceiling(
    environment: str, floor: int
) -> None:
    plan = chat(environment)
    spec = scaled_object(plan, AMP)["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "chat"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (floor, plan.max_replicas) == (floor, 3)
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "prometheus"
    assert trigger["metadata"]["threshold"] == str(plan.queue_per_replica) == "10"
    # An empty result is an error (a broken scrape) while a replica must run.
    assert trigger["metadata"]["ignoreNullValues"] == "false"
    # A metrics outage never scales the server down.
    assert spec["fallback"] == {"failureThreshold": 3, "replicas": floor, "behavior": "currentReplicasIfHigher"}
    scale_down = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
    assert scale_down["stabilizationWindowSeconds"] == AMP.scale_down_window_seconds


def test_the_query_sums_the_servers_queue_over_its_replicas_in_its_cluster() -> None:
    plan = chat()
    assert queue_query(plan, GMP.labels) == (
        'sum(vllm:num_requests_waiting{cluster="acme-prod-inference",location="europe-west4",'
        'model_name="Qwen/Qwen2.5-7B-Instruct",namespace="serving"})'
    )
    trigger = scaled_object(plan, AMP)["spec"]["triggers"][0]
    assert trigger["metadata"]["query"] == queue_query(plan, AMP.labels)
    assert trigger["metadata"]["awsRegion"] == "eu-central-1"
    assert trigger["authenticationRef"] == {"name": "chat-queue"}


@given(st.text(min_size=1, max_size=40))
def test_a_label_value_cannot_break_out_of_its_promql_string(value: str) -> None:
    query = queue_query(chat(), {"cluster": value})
    selector = query.removeprefix("sum(vllm:num_requests_waiting{").removesuffix("})")
    # Exactly the matchers given, each value a string literal that unquotes (JSON's escapes are Go's) to
    # the value itself, with no surrogate-pair escapes Go would not take.
    literals = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*")(?:,|$)', selector)
    assert [name for name, _ in literals] == ["cluster", "model_name", "namespace"]
    assert json.loads(literals[0][1]) == value
    assert "\\ud8" not in literals[0][1].lower()


def test_the_trigger_authentication_names_the_operators_cloud_identity() -> None:
    found = queue_scaling_manifests(chat(), GMP)
    assert by_kind(found, "TriggerAuthentication")["spec"] == {"podIdentity": {"provider": "gcp"}}
    assert "authenticationRef" not in scaled_object(chat(), IN_CLUSTER)["spec"]["triggers"][0]
    with pytest.raises(ValueError, match="aws_region"):
        PrometheusSource("https://aps-workspaces", identity="aws")


def test_an_autoscaled_deployment_leaves_its_replicas_to_keda() -> None:
    plan = chat("prod")
    scaled = by_kind(inference_manifests(plan, storage_class=CLASS, loader=_loader(), autoscaling=AMP), "Deployment")
    fixed = by_kind(inference_manifests(plan, storage_class=CLASS, loader=_loader()), "Deployment")
    assert "replicas" not in scaled["spec"]
    assert fixed["spec"]["replicas"] == plan.min_replicas == 2


def test_clusters_that_serve_get_metrics_and_keda_and_others_do_not() -> None:
    raw = platform({"name": "chat", "model": QWEN_7B})
    training = {"role": "training", "api_access_cidrs": ["203.0.113.0/24"], "gpu_pools": [{"name": "l4", "gpu": "l4"}]}
    raw["aws"]["clusters"].append(training)
    plan = plan_platform(parse_platform_spec(raw)).clouds["aws"]
    serving = {cluster.role: cluster.serving_metrics for cluster in plan.clusters}
    assert serving["training"] is None
    metrics = serving["inference"]
    assert metrics is not None
    assert (metrics.store, metrics.gpu_metrics) == ("amp", "dcgm-exporter")
    assert metrics.keda.chart == queue_autoscaler().chart
    assert metrics.keda.chart.reviewed_name == "keda@2.20.2"
    assert metrics.resource_name.endswith("-inference-metrics")


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
@pytest.mark.parametrize("tier", ["dev", "staging", "prod"])
def test_keda_stands_by_outside_dev(cloud: Any, tier: Any) -> None:
    plan = plan_serving_metrics(cloud, "acme-inference", tier)
    assert plan.keda.replicas == KEDA_REPLICAS[tier] == (1 if tier == "dev" else 2)
    assert plan.store == {"aws": "amp", "gcp": "gmp"}[cloud]
    values = keda_values(plan.keda, node_selector={"aistacks.io/pool": "system"})
    assert values["operator"]["replicaCount"] == values["webhooks"]["replicaCount"] == plan.keda.replicas
    assert bool(values["podDisruptionBudget"]) == (tier != "dev")


def test_keda_runs_on_the_system_nodes_as_its_cloud_identity() -> None:
    plan = plan_serving_metrics("aws", "acme-inference", "prod").keda
    system = {"aistacks.io/pool": "system"}
    on_eks = keda_values(plan, node_selector=system, aws_role_arn="arn:aws:iam::1:role/keda")
    for component in ("operator", "metricsServer", "webhooks"):
        assert on_eks[component]["nodeSelector"] == system
    assert on_eks["podIdentity"] == {"aws": {"irsa": {"enabled": True, "roleArn": "arn:aws:iam::1:role/keda"}}}
    assert "service" not in on_eks
    on_gke = keda_values(plan, node_selector=system, control_plane_port=GKE_CONTROL_PLANE_PORT)
    assert "podIdentity" not in on_gke
    assert on_gke["service"] == {"portHttpsTarget": 10250}
    assert on_gke["webhooks"]["port"] == 10250


def test_kedas_namespace_enforces_restricted_pod_security() -> None:
    namespace = keda_namespace(plan_serving_metrics("gcp", "acme-inference", "prod").keda)
    validate_strictly(namespace, KUBERNETES_VERSION)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_serving_on_eks_needs_a_region_with_amazon_managed_prometheus() -> None:
    raw = platform({"name": "chat", "model": QWEN_7B})
    raw["jurisdiction"] = "sa"
    raw["aws"]["region"] = "me-west-1"  # in the catalog, but with no AMP endpoint in botocore's list
    with pytest.raises(ConfigError) as raised:
        parse_platform_spec(raw)
    (issue,) = [i for i in raised.value.issues if i.path.endswith(".aws.region")]
    assert issue.value == "me-west-1"
    assert "Amazon Managed Service for Prometheus" in issue.message and "chat" in issue.message
    assert "me-west-1" not in queue_autoscaler().amp_regions
    assert {"eu-central-1", "us-east-1"} <= queue_autoscaler().amp_regions


def test_a_floor_of_zero_is_refused_because_nothing_would_wake_the_server() -> None:
    raw = platform({"name": "chat", "model": QWEN_7B, "min_replicas": 0})
    with pytest.raises(ConfigError) as raised:
        parse_platform_spec(raw)
    (issue,) = [i for i in raised.value.issues if i.path.endswith("inference[0].min_replicas")]
    assert issue.value == 0 and "KEDA would never start one again" in issue.message


def test_a_replica_taken_away_finishes_its_requests_first() -> None:
    plan = chat()
    server = by_kind(inference_manifests(plan, storage_class=CLASS, loader=_loader(), autoscaling=AMP), "Deployment")
    pod = server["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (drain,) = [a for a in container["args"] if a.startswith("--shutdown-timeout=")]
    seconds = int(drain.split("=")[1])
    sleep = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    # The server drains after the pre-stop sleep and exits before the kubelet's grace period runs out.
    assert 0 < sleep + seconds < pod["terminationGracePeriodSeconds"]
