"""AIS-NET-002: nothing in a Kubernetes cluster is exposed to the internet.

Services, Service patches, Ingresses, Gateway API Gateways and the Services that Helm releases create
from their values. What makes a load balancer internal is its own cloud's mark (an annotation, an
Ingress or Gateway class): another cloud's mark is ignored by the cluster's controller, so it counts
only when the rule knows the cluster runs on that cloud.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, Severity
from pulumi_policy.proxy import UnknownValueError

from ..framework import Check, RuleMeta, Unknown, is_set, literal, read, stack_policy

META = RuleMeta(
    id="AIS-NET-002",
    name="KubernetesServicesAreNotPublic",
    title="Kubernetes workloads are not exposed to the internet",
    description="A Service (or Service patch) of type LoadBalancer carries its own cloud's internal load "
    "balancer annotation; NodePort is not used; an Ingress or Gateway API Gateway is internal by its own "
    "cloud's annotation or class; a Helm release's values create no public Service. Vector databases and "
    "model servers stay reachable from inside the network only.",
    severity=Severity.HIGH,
    remediation="Use type ClusterIP, or an internal load balancer of the cluster's cloud: on EKS the annotation "
    "service.beta.kubernetes.io/aws-load-balancer-scheme: internal (Ingress: alb.ingress.kubernetes.io/scheme: "
    "internal; Gateway: class amazon-vpc-lattice), on GKE networking.gke.io/load-balancer-type: Internal "
    "(Ingress: class gce-internal; Gateway: class gke-l7-rilb). Give the Kubernetes provider the kubeconfig of "
    "the cluster resource, so the rule knows its cloud.",
)

AWS, GCP = "aws", "gcp"
CLOUDS = (AWS, GCP)


@dataclass(frozen=True)
class Marks:
    """What makes a load balancer internal on one cloud."""

    service_annotations: Mapping[str, str]
    ingress_annotations: Mapping[str, str]
    ingress_classes: frozenset[str]
    gateway_classes: frozenset[str]


MARKS: Mapping[str, Marks] = {
    # AWS Load Balancer Controller docs, "Service annotations" (aws-load-balancer-scheme) and "Ingress
    # annotations" (alb.ingress.kubernetes.io/scheme: internal | internet-facing); the legacy in-tree
    # controller's aws-load-balancer-internal; AWS Gateway API Controller docs: the amazon-vpc-lattice
    # GatewayClass creates VPC Lattice services, reachable from associated VPCs only (read 2026-11-30).
    AWS: Marks(
        service_annotations={
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        },
        ingress_annotations={"alb.ingress.kubernetes.io/scheme": "internal"},
        ingress_classes=frozenset(),
        gateway_classes=frozenset({"amazon-vpc-lattice"}),
    ),
    # GKE docs, "Create an internal load balancer" (networking.gke.io/load-balancer-type: Internal; the
    # older cloud.google.com/load-balancer-type), "Configuring Ingress for internal Application Load
    # Balancers" (class gce-internal) and "GatewayClass capabilities" (gke-l7-rilb, gke-l7-rilb-mc,
    # gke-l7-cross-regional-internal-managed-mc are the internal classes) (read 2026-11-30).
    GCP: Marks(
        service_annotations={
            "networking.gke.io/load-balancer-type": "Internal",
            "cloud.google.com/load-balancer-type": "Internal",
        },
        ingress_annotations={},
        ingress_classes=frozenset({"gce-internal"}),
        gateway_classes=frozenset({"gke-l7-rilb", "gke-l7-rilb-mc", "gke-l7-cross-regional-internal-managed-mc"}),
    ),
}

# How a cluster's cloud shows: the resource its provider's kubeconfig is computed from, else the
# kubeconfig's text (EKS endpoints and `aws eks get-token`; GKE's auth plugin and DNS endpoint).
CLUSTER_TYPE_PREFIXES: Mapping[str, str] = {"aws:eks/": AWS, "gcp:container/": GCP}
KUBECONFIG_MARKERS: Mapping[str, tuple[str, ...]] = {
    AWS: (".eks.amazonaws.com", "eks get-token", "aws-iam-authenticator"),
    GCP: ("gke-gcloud-auth-plugin", ".gke.goog"),
}

HELM_TYPES = frozenset({"kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"})
PUBLIC_SERVICE_TYPES = frozenset({"LoadBalancer", "NodePort"})
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
SERVICE_KEYS = ("spec.type", "metadata.annotations", "")


def _kind(type_token: str) -> tuple[str, str] | None:
    """``(API group, kind)`` of a Kubernetes type token (``kubernetes:networking.k8s.io/v1:Ingress``)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes":
        return None
    group = parts[1].rsplit("/", 1)[0] if "/" in parts[1] else ""
    return group, parts[2]


# --- the cluster's cloud --------------------------------------------------------------------------


def cluster_cloud(resource: PolicyResource, by_urn: Mapping[str, PolicyResource]) -> str | None:
    """``"aws"``, ``"gcp"``, or None when the stack does not tell which cloud runs the cluster."""
    provider = resource.provider
    if provider is None:
        return None
    record = by_urn.get(provider.urn)
    sources = record.property_dependencies.get("kubeconfig", []) if record is not None else []
    for source in sources:
        for prefix, cloud in CLUSTER_TYPE_PREFIXES.items():
            if source.resource_type.startswith(prefix):
                return cloud
    kubeconfig = read(provider.props, "kubeconfig")
    if not is_set(kubeconfig):
        return None
    text = kubeconfig if isinstance(kubeconfig, str) else literal(kubeconfig)
    found = [cloud for cloud, markers in KUBECONFIG_MARKERS.items() if any(m in text for m in markers)]
    return found[0] if len(found) == 1 else None


def _clouds(cloud: str | None) -> tuple[str, ...]:
    """The clouds whose marks an object must carry: its cluster's, or every cloud's when unknown."""
    return (cloud,) if cloud else CLOUDS


def _where(cloud: str | None) -> str:
    return f"on {cloud.upper()}" if cloud else "on a cluster whose cloud the stack does not tell"


# --- reading annotations --------------------------------------------------------------------------


def _names(clouds: Sequence[str]) -> str:
    return " and ".join(cloud.upper() for cloud in clouds)


def _plain(annotations: Any) -> dict[str, Any]:
    """Annotations as a plain mapping (to read, and to show in a finding); none when not a mapping."""
    return {str(key): value for key, value in annotations.items()} if isinstance(annotations, Mapping) else {}


def _annotation(annotations: Mapping[str, Any], key: str) -> str | None:
    value = annotations.get(key)
    return None if value is None else str(value)


def _internal_by(annotations: Mapping[str, Any], wanted: Mapping[str, str]) -> bool:
    return any((_annotation(annotations, k) or "").lower() == v.lower() for k, v in wanted.items())


def _overridden(annotations: Mapping[str, Any], clouds: Sequence[str], kind: str) -> list[str]:
    """Marks of ``clouds`` a patch sets to a value that is not internal."""
    keys = [
        (key, value)
        for cloud in clouds
        for key, value in getattr(MARKS[cloud], f"{kind}_annotations").items()
        if _annotation(annotations, key) is not None
    ]
    return [key for key, value in keys if (_annotation(annotations, key) or "").lower() != value.lower()]


# --- the checks -----------------------------------------------------------------------------------


def _service(
    check: Check,
    resource: PolicyResource,
    cloud: str | None,
    block: Mapping[str, Any],
    keys: tuple[str, str, str],
    patch: bool,
) -> None:
    """A Service's type and annotations: ``keys`` are where ``block`` holds them and where ``block`` sits
    (the object's props: ``spec.type``, ``metadata.annotations``, ``""``; a Service block of Helm values:
    ``type``, ``annotations`` and its path)."""
    expected = "ClusterIP, or a LoadBalancer annotated " + " and ".join(
        " or ".join(f"{key}: {value}" for key, value in MARKS[c].service_annotations.items()) for c in _clouds(cloud)
    )
    type_key, annotations_key, at = keys
    type_path, annotations_path = at + type_key, at + annotations_key
    service_type = read(block, type_key)
    annotations = read(block, annotations_key)
    if isinstance(service_type, Unknown):
        check.cannot_verify(resource, Unknown(type_path), expected)
        return
    if isinstance(annotations, Unknown):
        if service_type == "LoadBalancer" or (patch and not is_set(service_type)):
            check.cannot_verify(resource, Unknown(annotations_path), expected)
        return
    found = _plain(annotations)
    clouds = _clouds(cloud)
    if service_type == "NodePort":
        check.fail(resource, type_path, service_type, expected, "a NodePort Service opens a port on every node")
    elif service_type == "LoadBalancer":
        missing = [c for c in clouds if not _internal_by(found, MARKS[c].service_annotations)]
        if missing:
            check.fail(
                resource,
                annotations_path,
                found,
                expected,
                f"{_where(cloud)}, a LoadBalancer Service without the internal annotation of {_names(missing)} gets "
                "a public address (the controller ignores another cloud's annotation)",
            )
    elif patch and not is_set(service_type):
        overridden = _overridden(found, clouds, "service")
        if overridden:
            check.fail(
                resource,
                annotations_path,
                found,
                expected,
                f"the patch sets {', '.join(overridden)} to a value that makes the load balancer public",
            )


def _ingress(check: Check, resource: PolicyResource, cloud: str | None, patch: bool) -> None:
    expected = f"an internal Ingress {_where(cloud)}: " + "; ".join(
        f"{c.upper()}: "
        + " or ".join(
            [f"annotation {k}: {v}" for k, v in MARKS[c].ingress_annotations.items()]
            + [f"class {name}" for name in sorted(MARKS[c].ingress_classes)]
        )
        for c in _clouds(cloud)
    )
    annotations = read(resource.props, "metadata.annotations")
    class_name = read(resource.props, "spec.ingressClassName")
    for value in (annotations, class_name):
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, expected)
            return
    found = _plain(annotations)
    classes = {str(c) for c in (class_name, found.get(INGRESS_CLASS_ANNOTATION)) if is_set(c)}
    if patch and not classes and not _overridden(found, _clouds(cloud), "ingress"):
        return  # the patch leaves how the Ingress is exposed as it was
    missing = [
        c
        for c in _clouds(cloud)
        if not (_internal_by(found, MARKS[c].ingress_annotations) or classes & MARKS[c].ingress_classes)
    ]
    if missing:
        check.fail(
            resource,
            "metadata.annotations",
            {"annotations": found, "ingressClassName": class_name},
            expected,
            f"{_where(cloud)}, the Ingress gets an internet-facing load balancer: it carries no internal mark of "
            f"{_names(missing)}; an Ingress of another controller is as public as that controller's Service",
        )


def _gateway(check: Check, resource: PolicyResource, cloud: str | None, patch: bool) -> None:
    classes = sorted({name for c in _clouds(cloud) for name in MARKS[c].gateway_classes})
    expected = f"an internal GatewayClass {_where(cloud)}: {literal(classes)}"
    class_name = read(resource.props, "spec.gatewayClassName")
    if isinstance(class_name, Unknown):
        check.cannot_verify(resource, class_name, expected)
        return
    if patch and not is_set(class_name):
        return
    if cloud is None or class_name not in MARKS[cloud].gateway_classes:
        check.fail(
            resource,
            "spec.gatewayClassName",
            class_name,
            expected,
            "the Gateway's class is not an internal class of the cluster's cloud"
            if cloud
            else "the stack does not tell the cluster's cloud, so no class can be known to be internal",
        )


def service_values(values: Any, path: str = "values") -> Iterator[tuple[str, Any]]:
    """``(path, mapping)`` of every Service block in Helm values: a mapping with a ``type`` under a key
    that names a service (``service``, ``controller.service``, ``proxy.service`` ...); an unknown value
    is yielded as such."""
    if not isinstance(values, Mapping):
        return
    for key in list(values):
        try:
            value = values[key]
        except UnknownValueError:
            yield f"{path}.{key}", Unknown(f"{path}.{key}")
            continue
        child = f"{path}.{key}"
        if isinstance(value, Mapping):
            if "service" in str(key).lower() and "type" in value:
                yield child, value
            yield from service_values(value, child)
        elif str(key) == "serviceType":
            yield path, {"type": value}


def _helm(check: Check, resource: PolicyResource, cloud: str | None) -> None:
    values = read(resource.props, "values")
    if isinstance(values, Unknown):
        check.cannot_verify(resource, values, "values that create no public Service")
        return
    for path, block in service_values(values):
        if isinstance(block, Unknown):
            continue  # a value the rule cannot see; AIS-NET-005 reports charts whose values cannot be read
        _service(check, resource, cloud, block, ("type", "annotations", f"{path}."), patch=False)


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    by_urn = {resource.urn: resource for resource in resources}
    for resource in resources:
        if resource.resource_type in HELM_TYPES:
            _helm(check, resource, cluster_cloud(resource, by_urn))
            continue
        kind = _kind(resource.resource_type)
        if kind is None:
            continue
        group, name = kind
        patch = name.endswith("Patch")
        name = name.removesuffix("Patch")
        if group in ("core", "") and name == "Service":
            _service(check, resource, cluster_cloud(resource, by_urn), resource.props, SERVICE_KEYS, patch)
        elif group in ("networking.k8s.io", "extensions") and name == "Ingress":
            _ingress(check, resource, cluster_cloud(resource, by_urn), patch)
        elif group == "gateway.networking.k8s.io" and name == "Gateway":
            _gateway(check, resource, cluster_cloud(resource, by_urn), patch)


POLICY = stack_policy(META, _check)
