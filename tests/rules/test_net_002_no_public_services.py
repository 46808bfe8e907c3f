"""AIS-NET-002 (``policies/rules/net_002_no_public_services.py``): nothing in a cluster is exposed to the
internet: Services (ClusterIP, internal load balancers by the cluster's own cloud, the other cloud's
annotation, NodePorts), Service patches, Ingresses, Gateways and Helm values; the cluster's cloud from the
provider's kubeconfig (its source resource, else its text), or unknown.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aistacks.engine.graph import ResourceRecord

from .fixtures import UNKNOWN, findings, k8s_res, only, res, run, urn

SERVICE = "kubernetes:core/v1:Service"
SERVICE_PATCH = "kubernetes:core/v1:ServicePatch"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
RELEASE = "kubernetes:helm.sh/v3:Release"
AWS_INTERNAL = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
GKE_INTERNAL = {"networking.gke.io/load-balancer-type": "Internal"}
EKS = res("aws:eks/cluster:Cluster", "eks", {"name": "eks"})
GKE = res("gcp:container/cluster:Cluster", "gke", {"name": "gke", "location": "europe-west4"})
PROVIDER = "pulumi:providers:kubernetes"


def cluster_provider(cluster: ResourceRecord | None, kubeconfig: Any = UNKNOWN) -> ResourceRecord:
    """A Kubernetes provider whose kubeconfig is computed from ``cluster`` (None: from nothing we know)."""
    name = cluster.name if cluster else "somewhere"
    deps = {"kubeconfig": [cluster.urn]} if cluster else {}
    return ResourceRecord(
        urn(PROVIDER, name), PROVIDER, name, True, None, None, {"kubeconfig": kubeconfig}, property_dependencies=deps
    )


ON_EKS, ON_GKE, ON_UNKNOWN = cluster_provider(EKS), cluster_provider(GKE), cluster_provider(None)


def on(provider: ResourceRecord, type_token: str, props: dict[str, Any], name: str = "qdrant") -> list[ResourceRecord]:
    """``type_token`` on the cluster of ``provider``, with that cluster and provider in the graph."""
    record = res(type_token, name, props, provider)
    clusters = [c for c in (EKS, GKE) if c.urn in provider.property_dependencies.get("kubeconfig", [])]
    return [*clusters, provider, record]


def service(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": "qdrant", "annotations": annotations or {}}, "spec": spec}


@pytest.mark.parametrize(
    ("provider", "spec", "annotations", "violations"),
    [
        (ON_EKS, {"type": "ClusterIP"}, {}, 0),
        (ON_EKS, {"type": "LoadBalancer"}, {}, 1),
        (ON_EKS, {"type": "LoadBalancer"}, AWS_INTERNAL, 0),
        (
            ON_EKS,
            {"type": "LoadBalancer"},
            {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
            1,
        ),
        (ON_GKE, {"type": "LoadBalancer"}, GKE_INTERNAL, 0),
        # the other cloud's annotation: the cluster's controller ignores it
        (ON_GKE, {"type": "LoadBalancer"}, AWS_INTERNAL, 1),
        (ON_EKS, {"type": "LoadBalancer"}, GKE_INTERNAL, 1),
        # a cluster whose cloud the stack does not tell: the marks of every cloud
        (ON_UNKNOWN, {"type": "LoadBalancer"}, AWS_INTERNAL, 1),
        (ON_UNKNOWN, {"type": "LoadBalancer"}, {**AWS_INTERNAL, **GKE_INTERNAL}, 0),
        (ON_EKS, {"type": "NodePort"}, {}, 1),
    ],
)
def test_kubernetes_services_stay_private(
    provider: ResourceRecord, spec: dict[str, Any], annotations: dict[str, str], violations: int
) -> None:
    assert len(findings(run(*on(provider, SERVICE, service(spec, annotations))), "AIS-NET-002")) == violations


def test_the_other_clouds_annotation_is_named() -> None:
    _, path, message = only(run(*on(ON_GKE, SERVICE, service({"type": "LoadBalancer"}, AWS_INTERNAL))), "AIS-NET-002")
    assert path == "metadata.annotations"
    assert "internal annotation of GCP" in message


@pytest.mark.parametrize(
    ("kubeconfig", "annotations", "violations"),
    [
        (json.dumps({"users": [{"user": {"exec": {"command": "gke-gcloud-auth-plugin"}}}]}), GKE_INTERNAL, 0),
        (json.dumps({"users": [{"user": {"exec": {"command": "gke-gcloud-auth-plugin"}}}]}), AWS_INTERNAL, 1),
        ("clusters:\n- cluster:\n    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n", AWS_INTERNAL, 0),
        ("clusters:\n- cluster:\n    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n", GKE_INTERNAL, 1),
    ],
)
def test_the_cloud_from_the_kubeconfig_text(kubeconfig: str, annotations: dict[str, str], violations: int) -> None:
    provider = cluster_provider(None, kubeconfig)
    result = run(*on(provider, SERVICE, service({"type": "LoadBalancer"}, annotations)))
    assert len(findings(result, "AIS-NET-002")) == violations


@pytest.mark.parametrize(
    ("props", "violations"),
    [
        ({"metadata": {"name": "qdrant"}, "spec": {"type": "ClusterIP"}}, 0),
        ({"metadata": {"name": "qdrant", "labels": {"team": "search"}}}, 0),
        ({"metadata": {"name": "qdrant"}, "spec": {"type": "LoadBalancer"}}, 1),
        ({"metadata": {"name": "qdrant", "annotations": AWS_INTERNAL}, "spec": {"type": "LoadBalancer"}}, 0),
        # turning an internal load balancer public without touching its type
        (
            {
                "metadata": {
                    "name": "qdrant",
                    "annotations": {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
                }
            },
            1,
        ),
        ({"metadata": {"name": "qdrant"}, "spec": {"type": "NodePort"}}, 1),
    ],
)
def test_service_patches(props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(*on(ON_EKS, SERVICE_PATCH, props)), "AIS-NET-002")) == violations


def ingress(annotations: dict[str, str] | None = None, class_name: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"http": {"paths": []}}]}
    if class_name:
        spec["ingressClassName"] = class_name
    return {"metadata": {"name": "api", "annotations": annotations or {}}, "spec": spec}


@pytest.mark.parametrize(
    ("provider", "props", "violations"),
    [
        (ON_EKS, ingress({"alb.ingress.kubernetes.io/scheme": "internal"}, "alb"), 0),
        (ON_EKS, ingress({"alb.ingress.kubernetes.io/scheme": "internet-facing"}, "alb"), 1),
        (ON_EKS, ingress(class_name="alb"), 1),
        (ON_GKE, ingress({"kubernetes.io/ingress.class": "gce-internal"}), 0),
        (ON_GKE, ingress(class_name="gce-internal"), 0),
        (ON_GKE, ingress({"kubernetes.io/ingress.class": "gce"}), 1),
        (ON_GKE, ingress(class_name="nginx"), 1),
        # the other cloud's mark
        (ON_GKE, ingress({"alb.ingress.kubernetes.io/scheme": "internal"}), 1),
        (ON_EKS, ingress(class_name="gce-internal"), 1),
        (ON_UNKNOWN, ingress({"alb.ingress.kubernetes.io/scheme": "internal"}), 1),
        (ON_UNKNOWN, ingress({"alb.ingress.kubernetes.io/scheme": "internal"}, "gce-internal"), 0),
    ],
)
def test_ingresses(provider: ResourceRecord, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(*on(provider, INGRESS, props, "api")), "AIS-NET-002")) == violations


def test_an_ingress_patch_that_leaves_the_exposure_alone_passes() -> None:
    patch = {"metadata": {"name": "api", "labels": {"team": "search"}}}
    assert findings(run(*on(ON_EKS, "kubernetes:networking.k8s.io/v1:IngressPatch", patch, "api")), "AIS-NET-002") == []


@pytest.mark.parametrize(
    ("provider", "class_name", "violations"),
    [
        (ON_GKE, "gke-l7-rilb", 0),
        (ON_GKE, "gke-l7-global-external-managed", 1),
        (ON_GKE, "gke-l7-regional-external-managed", 1),
        (ON_EKS, "amazon-vpc-lattice", 0),
        (ON_EKS, "gke-l7-rilb", 1),
        (ON_UNKNOWN, "gke-l7-rilb", 1),
    ],
)
def test_gateways(provider: ResourceRecord, class_name: str, violations: int) -> None:
    gateway = {"metadata": {"name": "edge"}, "spec": {"gatewayClassName": class_name, "listeners": []}}
    assert len(findings(run(*on(provider, GATEWAY, gateway, "edge")), "AIS-NET-002")) == violations


@pytest.mark.parametrize(
    ("values", "violations"),
    [
        ({"service": {"type": "ClusterIP"}}, 0),
        ({"replicaCount": 2}, 0),
        ({"service": {"type": "LoadBalancer"}}, 1),
        ({"service": {"type": "LoadBalancer", "annotations": AWS_INTERNAL}}, 0),
        ({"service": {"type": "LoadBalancer", "annotations": GKE_INTERNAL}}, 1),
        ({"controller": {"service": {"type": "LoadBalancer"}}}, 1),
        ({"controller": {"service": {"type": "NodePort"}}}, 1),
        ({"serviceType": "LoadBalancer"}, 1),
    ],
)
def test_helm_values_that_create_a_public_service(values: dict[str, Any], violations: int) -> None:
    release = {"chart": "qdrant", "repositoryOpts": {"repo": "https://qdrant.github.io/qdrant-helm"}, "values": values}
    assert len(findings(run(*on(ON_EKS, RELEASE, release)), "AIS-NET-002")) == violations


def test_helm_values_unknown_at_preview_cannot_be_verified() -> None:
    release = {"chart": "qdrant", "values": UNKNOWN}
    _, path, message = only(run(*on(ON_EKS, RELEASE, release), preview=True), "AIS-NET-002")
    assert (path, message.startswith("could not verify")) == ("values", True)


def test_a_service_type_unknown_at_preview_cannot_be_verified() -> None:
    _, path, _ = only(run(*on(ON_EKS, SERVICE, service({"type": UNKNOWN})), preview=True), "AIS-NET-002")
    assert path == "spec.type"


def test_services_of_a_provider_outside_the_graph_need_every_clouds_mark() -> None:
    lone = k8s_res(SERVICE, "qdrant", service({"type": "LoadBalancer"}, AWS_INTERNAL))
    assert "whose cloud the stack does not tell" in only(run(lone), "AIS-NET-002")[2]
