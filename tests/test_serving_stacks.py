"""Served models in the shipped stacks and on each cloud (issue 13): the staging and prod inference clusters
serve a model, its server runs as an identity that may read only the models bucket and its key, copies the
weights from that bucket with the cloud's CLI, and admits only its client namespaces."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.k8s.prometheus_agent import collector_selector

from .conftest import REPO
from .k8s_validation import validate_strictly
from .test_compute import KUBERNETES_VERSION, manifests
from .test_stacks import inputs

QWEN_7B = "Qwen/Qwen2.5-7B-Instruct"


def graph_of(stack_file: Path, *, preview: bool = False) -> ResourceGraph:
    return run_stack_file(load_project(REPO), stack_file, preview=preview)


def server_manifests(graph: ResourceGraph, name: str = "chat") -> list[dict[str, Any]]:
    """The objects of the server ``name`` (not its namespace's own quotas and default policies)."""
    names = {name, f"{name}-server", f"allow-{name}-clients", f"allow-{name}-metrics", f"{name}-queue"}
    return [
        m for m in manifests(graph) if m["metadata"].get("namespace") == "serving" and m["metadata"]["name"] in names
    ]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_the_inference_cluster_serves_the_model(env: str) -> None:
    graph = graph_of(REPO / "stacks" / f"Pulumi.{env}.yaml")
    found = server_manifests(graph)
    kinds = sorted(m["kind"] for m in found)
    assert kinds == [
        "Deployment", "NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget", "ScaledObject", "Service",
        "ServiceAccount", "TriggerAuthentication",
    ]  # fmt: skip
    for manifest in found:
        validate_strictly(manifest, KUBERNETES_VERSION)
    (deployment,) = [m for m in found if m["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    # KEDA owns the replica count, from the tier's floor to what the pool holds at its largest.
    assert "replicas" not in deployment["spec"]
    (scaled,) = [m for m in found if m["kind"] == "ScaledObject"]
    limits = scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]
    assert limits == {"staging": (1, 3), "prod": (2, 8)}[env], "one single-GPU replica per node of the L40S pool"
    assert pod["nodeSelector"]["aistacks.io/pool"] == "l40s"
    (server,) = pod["containers"]
    assert server["args"][0] == f"/models/{QWEN_7B}" and server["resources"]["limits"]["nvidia.com/gpu"] == "1"
    (loader,) = pod["initContainers"]
    assert "aws s3 sync" in " ".join(loader["command"])
    policies = {m["metadata"]["name"]: m["spec"] for m in found if m["kind"] == "NetworkPolicy"}
    (rule,) = policies["allow-chat-clients"]["ingress"]
    assert [p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in rule["from"]] == ["inference"]
    # The collector, and only its pods, may scrape the server's port (which also serves the API).
    (scrape,) = policies["allow-chat-metrics"]["ingress"]
    assert scrape["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": collector_selector()},
        }
    ]
    assert scrape["ports"] == [{"protocol": "TCP", "port": 8000}]
    namespaces = {m["metadata"]["name"] for m in manifests(graph) if m["kind"] == "Namespace"}
    assert "serving" in namespaces


def test_the_server_reads_only_the_models_bucket_and_its_key() -> None:
    graph = graph_of(REPO / "stacks" / "Pulumi.staging.yaml")
    (role,) = [r for r in graph.of_type("aws:iam/role:Role") if r.name.endswith("-chat-server")]
    trust = json.loads(inputs(role)["assumeRolePolicy"])
    assert "system:serviceaccount:serving:chat-server" in json.dumps(trust), "IRSA for the server's account only"
    grants = [
        r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if role.urn in r.property_dependencies.get("role", [])
    ]
    (grant,) = grants
    document = json.loads(inputs(grant)["policy"])
    actions = {
        action
        for s in document["Statement"]
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "s3:GetObject" in actions and "kms:Decrypt" in actions
    assert not any(a.startswith("s3:Put") or a.startswith("s3:Delete") for a in actions), "read only"
    resources = json.dumps([s["Resource"] for s in document["Statement"]])
    assert "models" in resources and "datasets" not in resources


def test_on_gke_the_server_copies_with_gcloud_as_its_workload_identity(tmp_path: Path) -> None:
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.staging.yaml").read_text(encoding="utf-8"))
    # 12 sequences: 16 of 8,192 tokens do not fit beside Qwen 7B's 16-bit weights on one L4 (24 GB).
    document["config"]["aistacks:platform"]["inference"] = [
        {"name": "chat", "model": QWEN_7B, "cloud": "gcp", "concurrency": 12}
    ]
    stack = tmp_path / "Pulumi.gkeserve.yaml"
    stack.write_text(yaml.safe_dump(document), encoding="utf-8")
    graph = graph_of(stack)
    (deployment,) = [m for m in server_manifests(graph) if m["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert "gcloud storage rsync" in " ".join(pod["initContainers"][0]["command"])
    assert pod["nodeSelector"]["aistacks.io/accelerator"] == "l4"
    members = [
        inputs(r)
        for r in graph.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if "models" in r.name and "chat-server" in r.name
    ]
    assert [m["role"] for m in members] == ["roles/storage.objectViewer"]
    assert "/subject/ns/serving/sa/chat-server" in members[0]["member"], "the server's Kubernetes identity"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_serving_passes_the_gate_in_preview(env: str) -> None:
    from aistacks.cli import main

    assert main(["gate", env, "--preview", "--quiet"]) == 0


def test_on_eks_the_servers_metrics_go_to_an_amp_workspace_on_the_stack_key_that_keda_reads() -> None:
    graph = graph_of(REPO / "stacks" / "Pulumi.staging.yaml")
    (workspace,) = graph.of_type("aws:amp/workspace:Workspace")
    (key,) = graph.of_type("aws:kms/key:Key")
    assert key.urn in workspace.property_dependencies["kmsKeyArn"], "encrypted with the stack key"
    roles = {r.name: r for r in graph.of_type("aws:iam/role:Role")}
    policies = {r.name: json.loads(inputs(r)["policy"]) for r in graph.of_type("aws:iam/rolePolicy:RolePolicy")}

    def actions(policy_name: str) -> set[str]:
        statements = policies[policy_name]["Statement"]
        return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}

    writer = next(name for name in policies if name.endswith("-metrics-write"))
    reader = next(name for name in policies if name.endswith("-metrics-query"))
    assert actions(writer) == {"aps:RemoteWrite", "kms:Decrypt", "kms:GenerateDataKey"}
    assert actions(reader) == {"aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"} | {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    keda_role = next(r for name, r in roles.items() if name.endswith("-keda-operator"))
    assert "system:serviceaccount:keda:keda-operator" in inputs(keda_role)["assumeRolePolicy"]
    (release,) = graph.of_type("kubernetes:helm.sh/v3:Release")
    values = inputs(release)
    assert (values["chart"], values["version"]) == ("keda", "2.20.2")
    assert values["values"]["podIdentity"]["aws"]["irsa"]["enabled"] is True
    # KEDA queries the workspace's Prometheus API (no trailing slash: it appends /api/v1/query).
    (scaled,) = [m for m in manifests(graph) if m["kind"] == "ScaledObject"]
    (trigger,) = scaled["spec"]["triggers"]
    assert re.fullmatch(
        r"https://aps-workspaces\.eu-central-1\.amazonaws\.com/workspaces/ws-[0-9a-f-]+",
        trigger["metadata"]["serverAddress"],
    )
    assert trigger["metadata"]["awsRegion"] == "eu-central-1"
    # The agent scrapes the server and the GPUs and writes to the same workspace.
    (config,) = [
        m for m in manifests(graph) if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "prometheus-agent"
    ]
    prometheus = yaml.safe_load(next(iter(config["data"].values())))
    jobs = {job["job_name"] for job in prometheus["scrape_configs"]}
    assert "chat" in jobs and any("dcgm" in job for job in jobs)
    (remote,) = prometheus["remote_write"]
    assert remote["url"] == trigger["metadata"]["serverAddress"] + "/api/v1/remote_write"
    assert remote["sigv4"] == {"region": "eu-central-1"}
    (dcgm,) = [m for m in manifests(graph) if m["kind"] == "DaemonSet" and "dcgm" in m["metadata"]["name"]]
    terms = dcgm["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
    (term,) = terms["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"][0]["values"] == ["l40s"], "on the NVIDIA pool's nodes only"


def test_on_gke_managed_prometheus_scrapes_the_server_and_keda_reads_it_as_its_workload_identity() -> None:
    graph = graph_of(REPO / "stacks" / "Pulumi.prod.yaml")
    clusters = {r.name: inputs(r) for r in graph.of_type("gcp:container/cluster:Cluster")}
    inference = clusters["aistacks-prod-inference"]
    assert inference["monitoringConfig"] == {
        "enableComponents": ["SYSTEM_COMPONENTS", "DCGM"],
        "managedPrometheus": {"enabled": True},
    }
    (monitoring,) = [m for m in manifests(graph) if m["kind"] == "PodMonitoring"]
    assert monitoring["metadata"]["namespace"] == "serving"
    assert monitoring["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    (viewer,) = [
        inputs(r)
        for r in graph.of_type("gcp:projects/iAMMember:IAMMember")
        if r.name.endswith("-keda-monitoring-viewer")
    ]
    assert viewer["role"] == "roles/monitoring.viewer"
    assert viewer["member"].endswith("/subject/ns/keda/sa/keda-operator")
    (scaled,) = [m for m in manifests(graph) if m["kind"] == "ScaledObject" and m["metadata"]["name"] == "assistant"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["serverAddress"] == (
        "https://monitoring.googleapis.com/v1/projects/acme-ai-prod/location/global/prometheus"
    )
    assert 'cluster="aistacks-prod-inference"' in trigger["metadata"]["query"]
    assert 'location="europe-west4"' in trigger["metadata"]["query"]
    releases = {
        inputs(r)["values"].get("service", {}).get("portHttpsTarget")
        for r in graph.of_type("kubernetes:helm.sh/v3:Release")
    }
    assert releases == {None, 10250}, "on GKE KEDA listens where the control plane may call it"
    (policy,) = [m for m in manifests(graph) if m["metadata"]["name"] == "allow-assistant-metrics"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == "gmp-system"
