"""Served models in the shipped stacks and on each cloud (issue 13): the staging and prod inference clusters
serve a model, its server runs as an identity that may read only the models bucket and its key, copies the
weights from that bucket with the cloud's CLI, and admits only its client namespaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from aistacks.engine import ResourceGraph, load_project, run_stack_file

from .conftest import REPO
from .test_compute import KUBERNETES_VERSION, manifests
from .test_stacks import inputs

QWEN_7B = "Qwen/Qwen2.5-7B-Instruct"


def graph_of(stack_file: Path, *, preview: bool = False) -> ResourceGraph:
    return run_stack_file(load_project(REPO), stack_file, preview=preview)


def server_manifests(graph: ResourceGraph, name: str = "chat") -> list[dict[str, Any]]:
    """The objects of the server ``name`` (not its namespace's own quotas and default policies)."""
    names = {name, f"{name}-server", f"allow-{name}-clients"}
    return [
        m for m in manifests(graph) if m["metadata"].get("namespace") == "serving" and m["metadata"]["name"] in names
    ]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_the_inference_cluster_serves_the_model(env: str) -> None:
    graph = graph_of(REPO / "stacks" / f"Pulumi.{env}.yaml")
    found = server_manifests(graph)
    kinds = sorted(m["kind"] for m in found)
    assert kinds == ["Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"]
    for manifest in found:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    (deployment,) = [m for m in found if m["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == {"staging": 1, "prod": 2}[env]
    assert pod["nodeSelector"]["aistacks.io/pool"] == "l40s"
    (server,) = pod["containers"]
    assert server["args"][0] == f"/models/{QWEN_7B}" and server["resources"]["limits"]["nvidia.com/gpu"] == "1"
    (loader,) = pod["initContainers"]
    assert "aws s3 sync" in " ".join(loader["command"])
    (policy,) = [m for m in found if m["kind"] == "NetworkPolicy"]
    (rule,) = policy["spec"]["ingress"]
    assert [p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in rule["from"]] == ["inference"]
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
