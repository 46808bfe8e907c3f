"""AIS-NET-002: no Kubernetes Service is exposed to the internet."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_policy import Severity

from ..framework import Check, RuleMeta, Subject, Unknown, read, resource_policy

META = RuleMeta(
    id="AIS-NET-002",
    name="KubernetesServicesAreNotPublic",
    title="Kubernetes Services are not exposed to the internet",
    description="A Service of type LoadBalancer is internal (an internal load balancer annotation); NodePort "
    "Services are not used. Vector databases and model servers stay reachable from inside the network only.",
    severity=Severity.HIGH,
    remediation="Use type ClusterIP, or an internal load balancer: on EKS the annotation "
    "service.beta.kubernetes.io/aws-load-balancer-scheme: internal, on GKE "
    "networking.gke.io/load-balancer-type: Internal.",
)

SERVICE_TYPE = "kubernetes:core/v1:Service"
# Annotations that make a LoadBalancer Service internal. Sources: AWS Load Balancer Controller docs,
# "Service annotations" (aws-load-balancer-scheme); GKE docs, "Create an internal load balancer"
# (networking.gke.io/load-balancer-type) (read 2026-11-27).
INTERNAL_ANNOTATIONS: dict[str, str] = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "networking.gke.io/load-balancer-type": "Internal",
}


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type != SERVICE_TYPE:
        return
    expected = "ClusterIP, or a LoadBalancer with an internal annotation"
    service_type = read(resource.props, "spec.type")
    if isinstance(service_type, Unknown):
        check.cannot_verify(resource, service_type, expected)
    elif service_type == "NodePort":
        check.fail(resource, "spec.type", service_type, expected, "a NodePort Service opens a port on every node")
    elif service_type == "LoadBalancer":
        # Annotation keys hold dots and slashes: look them up in the mapping, not by path.
        annotations = read(resource.props, "metadata.annotations")
        if isinstance(annotations, Unknown):
            check.cannot_verify(resource, annotations, expected)
            return
        found = annotations if isinstance(annotations, Mapping) else {}
        if not any(str(found.get(key, "")).lower() == value.lower() for key, value in INTERNAL_ANNOTATIONS.items()):
            check.fail(
                resource,
                "metadata.annotations",
                annotations,
                expected,
                "a LoadBalancer Service without an internal annotation gets a public address",
            )


POLICY = resource_policy(META, _check)
