"""Workload namespace manifests: valid for the cluster's version, and locked down."""

from __future__ import annotations

import kubernetes_validate
import pytest

from aistacks.gcp.kubernetes import GKE_METADATA_SERVER
from aistacks.k8s.namespaces import (
    METADATA_ADDRESSES,
    MetadataServer,
    namespace_manifests,
    role_namespaces,
    service_ingress,
)

VERSION = "1.35.0"


@pytest.mark.parametrize("role", ["training", "inference"])
def test_every_manifest_validates_strictly(role: str) -> None:
    for spec in role_namespaces(role, gpus=16, vector=True):  # type: ignore[arg-type]
        for manifest in namespace_manifests(spec):
            kubernetes_validate.validate(manifest, VERSION, strict=True)


def test_inference_namespaces_enforce_restricted_and_training_baseline() -> None:
    levels = {
        spec.name: spec.pod_security
        for role in ("training", "inference")
        for spec in role_namespaces(role, gpus=8, vector=role == "inference")  # type: ignore[arg-type]
    }
    assert levels == {"training": "baseline", "inference": "restricted", "vector": "restricted"}
    (manifest, *_) = namespace_manifests(role_namespaces("training", gpus=8)[0])
    assert manifest["metadata"]["labels"]["pod-security.kubernetes.io/warn"] == "restricted"


def test_gpu_quotas_cap_requests() -> None:
    quotas = {
        spec.name: namespace_manifests(spec)[1]["spec"]["hard"]["requests.nvidia.com/gpu"]
        for spec in role_namespaces("inference", gpus=12, vector=True)
    }
    assert quotas == {"inference": "12", "vector": "0"}


def test_vector_namespace_admits_only_inference_on_qdrant_ports() -> None:
    (_, vector) = role_namespaces("inference", gpus=1, vector=True)
    policies = {p["metadata"]["name"]: p["spec"] for p in namespace_manifests(vector)[3:]}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    (rule,) = policies["allow-ingress-from-inference"]["ingress"]
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "inference"}}}]
    assert [port["port"] for port in rule["ports"]] == [6333, 6334]
    assert "allow-https-egress" not in policies, "the vector database talks to nobody outside"


def test_https_egress_never_reaches_instance_metadata() -> None:
    (training,) = role_namespaces("training", gpus=1)
    policies = {p["metadata"]["name"]: p["spec"] for p in namespace_manifests(training)[3:]}
    (rule,) = policies["allow-https-egress"]["egress"]
    assert rule["to"][0]["ipBlock"]["except"] == list(METADATA_ADDRESSES)


@pytest.mark.parametrize("server", [None, GKE_METADATA_SERVER])
def test_pods_reach_only_the_metadata_server_that_serves_their_identity(server: MetadataServer | None) -> None:
    for spec in role_namespaces("inference", gpus=1, metadata_server=server, vector=True):
        policies = {p["metadata"]["name"]: p["spec"] for p in namespace_manifests(spec)[3:]}
        assert ("allow-gke-metadata-server" in policies) is (server is not None)
        if server is not None:
            assert policies["allow-gke-metadata-server"]["egress"] == [
                {"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}]}
            ]
        for manifest in namespace_manifests(spec):
            kubernetes_validate.validate(manifest, VERSION, strict=True)


@pytest.mark.parametrize("role", ["training", "inference"])
def test_workload_pods_reach_each_other_and_only_each_other(role: str) -> None:
    """Distributed training (NCCL, torch.distributed) and multi-node serving pick their ports at run time."""
    workload, vector = role_namespaces(role, 8, vector=True)  # type: ignore[arg-type]
    peers = [m for m in namespace_manifests(workload) if m["metadata"]["name"] == "allow-within-namespace"]
    assert [m["spec"] for m in peers] == [
        {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}]}],
            "egress": [{"to": [{"podSelector": {}}]}],
        }
    ]
    assert not [m for m in namespace_manifests(vector) if m["metadata"]["name"] == "allow-within-namespace"]


def test_model_servers_get_their_own_namespace_that_the_workloads_may_call() -> None:
    specs = {spec.name: spec for spec in role_namespaces("inference", gpus=6, serving_ports=[8000, 80, 8000])}
    assert set(specs) == {"inference", "serving"}
    serving = specs["serving"]
    assert (serving.pod_security, serving.gpus, serving.egress_https) == ("restricted", 6, True)
    assert serving.ingress_from == (), "each server admits its own clients (service_ingress)"
    assert specs["inference"].egress_to == (("serving", (80, 8000)),)
    for spec in specs.values():
        for manifest in namespace_manifests(spec):
            kubernetes_validate.validate(manifest, VERSION, strict=True)
    assert "serving" not in {spec.name for spec in role_namespaces("inference", gpus=6)}


def test_a_server_admits_only_its_client_namespaces_on_its_port() -> None:
    policy = service_ingress("serving", "chat", {"app.kubernetes.io/name": "chat"}, ["inference", "agents"], 8000)
    kubernetes_validate.validate(policy, VERSION, strict=True)
    assert policy["metadata"] == {
        "name": "allow-chat-clients",
        "namespace": "serving",
        "labels": {"app.kubernetes.io/managed-by": "aistacks", "aistacks.io/namespace": "serving"},
    }
    assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "chat"}}
    (rule,) = policy["spec"]["ingress"]
    assert [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]] == [
        "inference",
        "agents",
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
