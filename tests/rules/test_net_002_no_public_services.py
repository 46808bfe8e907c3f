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


# --- controller precedence (issue 12) ---------------------------------------------------------------

AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
AWS_LEGACY = "service.beta.kubernetes.io/aws-load-balancer-internal"


@pytest.mark.parametrize(
    ("provider", "annotations", "violations"),
    [
        # the AWS Load Balancer Controller reads the scheme first, the deprecated boolean only without it
        (ON_EKS, {AWS_LEGACY: "true", AWS_SCHEME: "internet-facing"}, 1),
        (ON_EKS, {AWS_LEGACY: "false", AWS_SCHEME: "internal"}, 0),
        (ON_EKS, {AWS_LEGACY: "true"}, 0),
        (ON_EKS, {AWS_LEGACY: "false"}, 1),
        (ON_EKS, {AWS_SCHEME: "Internal"}, 1),  # not a scheme the controller knows
        # GKE reads networking.gke.io first, then the older cloud.google.com; "Internal" or "internal" only
        (
            ON_GKE,
            {"networking.gke.io/load-balancer-type": "External", "cloud.google.com/load-balancer-type": "Internal"},
            1,
        ),
        (ON_GKE, {"cloud.google.com/load-balancer-type": "internal"}, 0),
        (ON_GKE, {"networking.gke.io/load-balancer-type": "INTERNAL"}, 1),
    ],
)
def test_the_annotation_the_controller_reads_first_decides(
    provider: ResourceRecord, annotations: dict[str, str], violations: int
) -> None:
    result = run(*on(provider, SERVICE, service({"type": "LoadBalancer"}, annotations)))
    assert len(findings(result, "AIS-NET-002")) == violations


@pytest.mark.parametrize(
    ("annotations", "violations"),
    [({AWS_LEGACY: "true", AWS_SCHEME: "internet-facing"}, 1), ({AWS_LEGACY: "false", AWS_SCHEME: "internal"}, 0)],
)
def test_a_patch_is_judged_by_the_annotation_that_decides(annotations: dict[str, str], violations: int) -> None:
    patch = {"metadata": {"name": "qdrant", "annotations": annotations}}
    assert len(findings(run(*on(ON_EKS, SERVICE_PATCH, patch)), "AIS-NET-002")) == violations


def test_an_annotation_unknown_at_preview_that_decides_cannot_be_verified() -> None:
    props = service({"type": "LoadBalancer"}, {AWS_SCHEME: UNKNOWN})
    _, path, message = only(run(*on(ON_EKS, SERVICE, props), preview=True), "AIS-NET-002")
    assert (path, message.startswith("could not verify")) == (f"metadata.annotations.{AWS_SCHEME}", True)


def test_an_unknown_annotation_that_does_not_decide_is_not_a_finding() -> None:
    props = service(
        {"type": "LoadBalancer"}, {**AWS_INTERNAL, "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": UNKNOWN}
    )
    assert findings(run(*on(ON_EKS, SERVICE, props), preview=True), "AIS-NET-002") == []


PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"


def alb_class(params_scheme: str | None, declared: bool = True) -> list[ResourceRecord]:
    """IngressClass ``alb`` of the AWS Load Balancer Controller, naming IngressClassParams ``alb``."""
    parameters = {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "alb"}
    klass = res(
        INGRESS_CLASS,
        "alb",
        {"metadata": {"name": "alb"}, "spec": {"controller": "ingress.k8s.aws/alb", "parameters": parameters}},
        ON_EKS,
    )
    spec = {"scheme": params_scheme} if params_scheme else {}
    params = res(PARAMS, "alb-params", {"metadata": {"name": "alb"}, "spec": spec}, ON_EKS)
    return [klass, params] if declared else [klass]


@pytest.mark.parametrize(
    ("params_scheme", "declared", "annotation", "violations"),
    [
        # IngressClassParams spec.scheme is every Ingress of the class's scheme, whatever the Ingress says
        ("internet-facing", True, "internal", 1),
        ("internal", True, "internet-facing", 0),
        (None, True, "internal", 0),
        (None, True, "internet-facing", 1),
        # parameters the stack does not declare: their scheme cannot be read
        (None, False, "internal", 1),
    ],
)
def test_ingress_class_params_override_the_annotation(
    params_scheme: str | None, declared: bool, annotation: str, violations: int
) -> None:
    props = ingress({"alb.ingress.kubernetes.io/scheme": annotation}, "alb")
    result = run(*on(ON_EKS, INGRESS, props, "api"), *alb_class(params_scheme, declared))
    assert len(findings(result, "AIS-NET-002")) == violations


# --- externalIPs (issue 12) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("addresses", "violations"),
    [
        (["10.0.3.7", "172.20.0.1", "192.168.1.1", "100.64.0.9", "fd00::1"], 0),
        (["203.0.113.7"], 1),
        (["10.0.3.7", "2001:db8::1"], 1),
        (["not-an-address"], 1),
    ],
)
def test_external_ips_must_be_private(addresses: list[str], violations: int) -> None:
    props = service({"type": "ClusterIP", "externalIPs": addresses})
    assert len(findings(run(*on(ON_EKS, SERVICE, props)), "AIS-NET-002")) == violations


def test_a_public_external_ip_is_named() -> None:
    props = service({"type": "ClusterIP", "externalIPs": ["10.0.0.1", "203.0.113.7"]})
    _, path, message = only(run(*on(ON_EKS, SERVICE, props)), "AIS-NET-002")
    assert (path, "not a private address" in message) == ("spec.externalIPs[1]", True)


def test_an_external_ip_unknown_at_preview_cannot_be_verified() -> None:
    props = service({"type": "ClusterIP", "externalIPs": UNKNOWN})
    assert only(run(*on(ON_EKS, SERVICE, props), preview=True), "AIS-NET-002")[1] == "spec.externalIPs"


# --- Helm values: Ingresses, nested Services (issue 12) -------------------------------------------------


def helm(values: Any) -> list[ResourceRecord]:
    return on(ON_EKS, RELEASE, {"chart": "qdrant", "version": "1.12.0", "values": values})


ALB_PUBLIC = {"alb.ingress.kubernetes.io/scheme": "internet-facing"}
ALB_INTERNAL = {"alb.ingress.kubernetes.io/scheme": "internal"}


@pytest.mark.parametrize(
    ("values", "violations"),
    [
        ({"ingress": {"enabled": True, "ingressClassName": "alb", "annotations": ALB_INTERNAL}}, 0),
        ({"ingress": {"enabled": True, "ingressClassName": "alb", "annotations": ALB_PUBLIC}}, 1),
        ({"ingress": {"enabled": True, "className": "alb"}}, 1),
        ({"ingress": {"enabled": False, "annotations": ALB_PUBLIC}}, 0),
        # Go templates take any non-empty string as true, "false" too
        ({"ingress": {"enabled": "false", "annotations": ALB_PUBLIC}}, 1),
        # bjw-s app-template: one block per Ingress under ingress
        ({"ingress": {"main": {"enabled": True, "annotations": ALB_PUBLIC}}}, 1),
        ({"ingress": {"main": {"enabled": True, "annotations": ALB_INTERNAL}}}, 0),
        # an IngressClass is not an Ingress
        ({"controller": {"ingressClassResource": {"enabled": True, "name": "nginx"}}}, 0),
    ],
)
def test_helm_values_that_turn_on_a_public_ingress(values: dict[str, Any], violations: int) -> None:
    assert len(findings(run(*helm(values)), "AIS-NET-002")) == violations


def test_a_helm_ingress_is_named_by_its_values_path() -> None:
    values = {"service": {"type": "ClusterIP"}, "ingress": {"enabled": True, "annotations": ALB_PUBLIC}}
    _, path, message = only(run(*helm(values)), "AIS-NET-002")
    assert (path, "internet-facing load balancer" in message) == ("values.ingress.annotations", True)


@pytest.mark.parametrize(
    ("values", "violations"),
    [
        # bjw-s app-template: service.<name>.type
        ({"service": {"main": {"controller": "main", "type": "LoadBalancer"}}}, 1),
        ({"service": {"main": {"type": "LoadBalancer", "annotations": AWS_INTERNAL}}}, 0),
        ({"service": {"main": {"type": "NodePort"}, "metrics": {"type": "ClusterIP"}}}, 1),
        # ingress-nginx: controller.service.enabled false creates no Service
        ({"controller": {"service": {"enabled": False, "type": "LoadBalancer"}}}, 0),
        ({"service": {"type": "ClusterIP", "externalIPs": ["203.0.113.7"]}}, 1),
    ],
)
def test_helm_service_blocks_below_a_service_key(values: dict[str, Any], violations: int) -> None:
    assert len(findings(run(*helm(values)), "AIS-NET-002")) == violations


def test_helm_values_unknown_below_a_service_key_cannot_be_verified() -> None:
    values = {"service": {"main": UNKNOWN}, "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": UNKNOWN}}}
    _, path, message = only(run(*helm(values), preview=True), "AIS-NET-002")
    assert (path, message.startswith("could not verify")) == ("values.service.main", True)


# --- objects in yaml/v2 ConfigGroups (issue 12) ---------------------------------------------------------

CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup"


def manifest(kind: str, spec: dict[str, Any], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    api = {"Service": "v1", "Ingress": "networking.k8s.io/v1", "Gateway": "gateway.networking.k8s.io/v1"}[kind]
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "vec", "annotations": annotations or {}},
        "spec": spec,
    }


@pytest.mark.parametrize(
    ("objs", "violations"),
    [
        ([manifest("Service", {"type": "LoadBalancer"}, AWS_INTERNAL)], 0),
        ([manifest("Service", {"type": "LoadBalancer"})], 1),
        ([manifest("Service", {"type": "ClusterIP"}), manifest("Service", {"type": "NodePort"})], 1),
        ([manifest("Ingress", {"ingressClassName": "alb"}, ALB_INTERNAL)], 0),
        ([manifest("Ingress", {"ingressClassName": "alb"}, ALB_PUBLIC)], 1),
        ([manifest("Gateway", {"gatewayClassName": "amazon-vpc-lattice"})], 0),
        ([manifest("Gateway", {"gatewayClassName": "gke-l7-global-external-managed"})], 1),
        ([{"apiVersion": "v1", "kind": "List", "items": [manifest("Service", {"type": "NodePort"})]}], 1),
        # a Knative Service is not a core Service
        ([{"apiVersion": "serving.knative.dev/v1", "kind": "Service", "spec": {"type": "LoadBalancer"}}], 0),
    ],
)
def test_config_group_objs_are_judged_as_resources(objs: list[dict[str, Any]], violations: int) -> None:
    assert len(findings(run(*on(ON_EKS, CONFIG_GROUP, {"objs": objs}, "cg")), "AIS-NET-002")) == violations


def test_a_config_group_object_is_named_by_its_place() -> None:
    objs = [manifest("Service", {"type": "ClusterIP"}), manifest("Service", {"type": "LoadBalancer"})]
    name, path, _ = only(run(*on(ON_EKS, CONFIG_GROUP, {"objs": objs}, "cg")), "AIS-NET-002")
    assert (name, path) == ("cg", "objs[1].metadata.annotations")


INTERNAL_YAML = f"""apiVersion: v1
kind: Service
metadata:
  name: vec
  annotations:
    {AWS_SCHEME}: internal
spec:
  type: LoadBalancer
"""
NODEPORT_YAML = "apiVersion: v1\nkind: Service\nmetadata: {name: vec}\nspec: {type: NodePort}\n"


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        (INTERNAL_YAML, []),
        (f"{INTERNAL_YAML}---\n{NODEPORT_YAML}", ["yaml#1.spec.type"]),
        ([INTERNAL_YAML, f"---\n---\n{NODEPORT_YAML}"], ["yaml[1]#1.spec.type"]),
        ("kind: Service\nspec: [unclosed\n", ["yaml"]),
    ],
)
def test_config_group_yaml_is_parsed_and_judged(text: Any, paths: list[str]) -> None:
    result = run(*on(ON_EKS, CONFIG_GROUP, {"yaml": text}, "cg"))
    assert [path for _, path, _ in findings(result, "AIS-NET-002")] == paths


def test_config_group_objects_unknown_at_preview_cannot_be_verified() -> None:
    _, path, message = only(run(*on(ON_EKS, CONFIG_GROUP, {"objs": UNKNOWN}, "cg"), preview=True), "AIS-NET-002")
    assert (path, message.startswith("could not verify")) == ("objs", True)


def test_an_ingress_class_in_a_config_group_sets_the_scheme() -> None:
    params = {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams", "metadata": {"name": "pub"}}
    klass = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "alb"},
        "spec": {"parameters": {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "pub"}},
    }
    objs = [
        {**params, "spec": {"scheme": "internet-facing"}},
        klass,
        manifest("Ingress", {"ingressClassName": "alb"}, ALB_INTERNAL),
    ]
    _, path, message = only(run(*on(ON_EKS, CONFIG_GROUP, {"objs": objs}, "cg")), "AIS-NET-002")
    assert (path, "IngressClassParams" in message) == ("objs[2].metadata.annotations", True)
