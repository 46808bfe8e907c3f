"""AIS-NET-001: Kubernetes API endpoints are private, or public only to listed networks; nodes are private.

What each endpoint means (sources read 2026-11-30):

* EKS: ``vpcConfig.endpointPublicAccess`` defaults to true, and an unset ``publicAccessCidrs`` is
  ``0.0.0.0/0`` (pulumi-aws 7.51 docs of both inputs; AWS SDK for Kotlin API reference,
  ``VpcConfigRequest.publicAccessCidrs``: "The default value is 0.0.0.0/0 and additionally ::/0 for
  dual-stack IPv6 clusters"), so every /0 counts, not only ``0.0.0.0/0``. Checkov's CKV_AWS_38 ("Ensure
  Amazon EKS public endpoint not accessible to 0.0.0.0/0") passes a disabled public endpoint or a non-empty
  ``public_access_cidrs`` without ``0.0.0.0/0`` and fails a missing or empty list; CKV_AWS_39 ("Ensure
  Amazon EKS public endpoint disabled") fails every public endpoint (bridgecrewio/checkov
  ``checkov/terraform/checks/resource/aws/EKSPublicAccessCIDR.py``, ``EKSPublicAccess.py``).
* GKE IP endpoints: ``privateClusterConfig.enablePrivateEndpoint: true`` disables access through the public
  endpoint; ``masterAuthorizedNetworksConfig.cidrBlocks`` are the external networks that reach it, and
  ``gcpPublicCidrsAccessEnabled`` also lets in Compute Engine public IPs (anyone's VMs);
  ``controlPlaneEndpointsConfig.ipEndpointsConfig.enabled`` "controls whether to allow direct IP access"
  (pulumi-gcp 10.2 docs of these inputs). CIS GKE Benchmark v2.0.0, 5.6.4 "Use DNS based access or private
  GKE control plane endpoints": prefer DNS-based access; an IP endpoint that stays public is restricted to
  approved CIDR ranges (as Tenable's audit of it quotes).
* GKE DNS-based endpoint: reaching the control plane through it takes IAM roles and policies (GKE docs,
  "About network isolation in GKE", DNS-based endpoint), the ``container.clusters.connect`` permission,
  checked before Kubernetes RBAC (blog.moabukar.co.uk, "Using GKE DNS-based endpoints for Secure cluster
  access"); so ``allowExternalTraffic`` is not an open endpoint, whatever the setting.
  ``enableK8sTokensViaDns`` and ``enableK8sCertsViaDns`` "control whether the k8s token [certs] auth is
  allowed via DNS" (GKE API reference, ``DNSEndpointConfig``); without them the DNS endpoint answers a
  Kubernetes ServiceAccount token with 401 (terraform-google-kubernetes-engine#2578,
  hashicorp/web-unified-docs#3252). The decision here: those credentials are Kubernetes', not Google
  identities, so with them on a leaked token or client certificate reaches the API from anywhere on a
  credential IAM never granted; the rule fails either flag on a DNS endpoint that takes external traffic.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import Severity

from ..framework import Check, RuleMeta, Subject, Unknown, is_set, items, read, resource_policy
from ..requirements import Equals, Forbids, Requirement

ALLOW_RESTRICTED = "allowRestrictedPublicEndpoints"

META = RuleMeta(
    id="AIS-NET-001",
    name="ClusterEndpointsArePrivateOrRestricted",
    title="Cluster API endpoints are private or restricted; nodes are private",
    description="No cluster's Kubernetes API is open to the internet. An EKS cluster has no public endpoint, or "
    "one that publicAccessCidrs limits to listed networks, none of them a /0 (an unset or empty list is "
    "0.0.0.0/0). A GKE cluster has private nodes; its IP endpoint is private, or public only to master "
    "authorized networks that list networks, none of them a /0, without gcpPublicCidrsAccessEnabled; its "
    "DNS-based endpoint, where Cloud IAM authorises every request, may take external traffic unless it also "
    "admits Kubernetes tokens or certificates (enableK8sTokensViaDns, enableK8sCertsViaDns), which IAM does "
    "not authorise. A cluster's api_endpoint private, restricted (with api_access_cidrs) or dns passes; public "
    f"fails. Setting {ALLOW_RESTRICTED} (default true) to false fails every public IP endpoint, "
    "restricted or not (the strictness of Checkov's CKV_AWS_39). Enable the rule in the policy config of "
    "every environment that must not be reachable from the internet (staging, prod).",
    severity=Severity.HIGH,
    remediation="Set api_endpoint on the cluster: private (the private endpoint only, reached over your "
    "network from api_access_cidrs), restricted with api_access_cidrs (a public endpoint that admits only "
    "those networks, e.g. your CI runners' egress addresses), or dns on GKE (the IAM-gated DNS endpoint); "
    "public is for dev only. Outside aistacks: EKS vpcConfig.endpointPublicAccess false, or publicAccessCidrs "
    "listing your networks; GKE privateClusterConfig.enablePrivateEndpoint true, or "
    "masterAuthorizedNetworksConfig listing your networks with gcpPublicCidrsAccessEnabled false; leave "
    "enableK8sTokensViaDns and enableK8sCertsViaDns off.",
    settings={
        ALLOW_RESTRICTED: {
            "type": "boolean",
            "default": True,
            "description": "Pass a public IP endpoint that admits only listed networks (EKS publicAccessCidrs, "
            "GKE master authorized networks); false fails every public IP endpoint. GKE's IAM-gated DNS "
            "endpoint is not an IP endpoint and is judged either way.",
        }
    },
)

NODE_REQUIREMENTS: Mapping[str, tuple[Requirement, ...]] = {
    "gcp:container/cluster:Cluster": (Equals("privateClusterConfig.enablePrivateNodes", True),),
    # A node pool inherits the cluster's private nodes unless it overrides them.
    "gcp:container/nodePool:NodePool": (Forbids("networkConfig.enablePrivateNodes", False),),
}
"""What makes each type's nodes private."""

NETWORKS = "listed networks, none of them a /0"
EKS_PUBLIC = "vpcConfig.endpointPublicAccess"
EKS_CIDRS = "vpcConfig.publicAccessCidrs"
GKE_PRIVATE_ENDPOINT = "privateClusterConfig.enablePrivateEndpoint"
GKE_IP_ENDPOINTS = "controlPlaneEndpointsConfig.ipEndpointsConfig.enabled"
GKE_AUTHORIZED = "masterAuthorizedNetworksConfig"
GKE_DNS = "controlPlaneEndpointsConfig.dnsEndpointConfig"
KUBERNETES_CREDENTIALS = {"enableK8sTokensViaDns": "tokens", "enableK8sCertsViaDns": "certificates"}


def _true(value: Any) -> bool:
    """``true`` or ``"true"``: some providers use strings."""
    return str(value).lower() == "true"


def _strict(check: Check) -> bool:
    return not _true(check.settings[ALLOW_RESTRICTED])


def _networks(check: Check, resource: Subject, path: str, key: str, when_empty: Callable[[Any], None]) -> None:
    """The list at ``path`` (its elements' ``key``, if given) names networks, none of which is a /0."""
    listed = read(resource.props, path)
    if isinstance(listed, Unknown):
        check.cannot_verify(resource, listed, NETWORKS)
        return
    elements = list(items(resource.props, path))
    if not elements:
        when_empty(listed)
    for element_path, _ in elements:
        cidr_path = f"{element_path}.{key}" if key else element_path
        cidr = read(resource.props, cidr_path)
        if isinstance(cidr, Unknown):
            check.cannot_verify(resource, cidr, "a CIDR block other than a /0")
            continue
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            check.fail(
                resource, cidr_path, cidr, "a CIDR block", "not a CIDR block: which addresses it admits is unknown"
            )
            continue
        if network.prefixlen == 0:
            check.fail(
                resource,
                cidr_path,
                cidr,
                "a CIDR block other than a /0",
                "admits every address: the endpoint is public",
            )


def _eks_endpoint(check: Check, resource: Subject) -> None:
    public = read(resource.props, EKS_PUBLIC)
    expected = f"false, or true with publicAccessCidrs naming {NETWORKS}"
    if isinstance(public, Unknown):
        check.cannot_verify(resource, public, expected)
        return
    if is_set(public) and not _true(public):
        return  # unset is EKS's default, a public endpoint
    if _strict(check):
        check.fail(
            resource,
            EKS_PUBLIC,
            public,
            "false",
            f"a public API endpoint: {ALLOW_RESTRICTED} is false, so not even one limited to listed networks passes",
        )
        return
    _networks(
        check,
        resource,
        EKS_CIDRS,
        "",
        lambda _: check.fail(
            resource,
            EKS_PUBLIC,
            public,
            expected,
            "a public API endpoint open to any address: publicAccessCidrs is unset or empty, which EKS "
            "reads as 0.0.0.0/0",
        ),
    )


def _gke_ip_endpoint(check: Check, resource: Subject) -> None:
    enabled = read(resource.props, GKE_IP_ENDPOINTS)
    if isinstance(enabled, Unknown):
        check.cannot_verify(resource, enabled, "a known value (false: no IP endpoint)")
        return
    if is_set(enabled) and not _true(enabled):
        return  # no IP endpoints at all, only the DNS-based one
    private = read(resource.props, GKE_PRIVATE_ENDPOINT)
    expected = f"true, or false with master authorized networks naming {NETWORKS}"
    if isinstance(private, Unknown):
        check.cannot_verify(resource, private, expected)
        return
    if _true(private):
        return
    if _strict(check):
        check.fail(
            resource,
            GKE_PRIVATE_ENDPOINT,
            private,
            "true",
            f"a public IP endpoint: {ALLOW_RESTRICTED} is false, so not even one limited to listed networks passes",
        )
        return
    authorized = read(resource.props, GKE_AUTHORIZED)
    if isinstance(authorized, Unknown):
        check.cannot_verify(resource, authorized, f"master authorized networks naming {NETWORKS}")
        return
    if not is_set(authorized):
        check.fail(
            resource,
            GKE_PRIVATE_ENDPOINT,
            private,
            expected,
            "a public IP endpoint open to any address: no master authorized networks limit it",
        )
        return
    google_cloud = read(resource.props, f"{GKE_AUTHORIZED}.gcpPublicCidrsAccessEnabled")
    if isinstance(google_cloud, Unknown):
        check.cannot_verify(resource, google_cloud, "false")
    elif _true(google_cloud):
        check.fail(
            resource,
            f"{GKE_AUTHORIZED}.gcpPublicCidrsAccessEnabled",
            google_cloud,
            "false",
            "the public IP endpoint admits every Google Cloud public IP address, anyone's VM among them",
        )
    cidr_blocks = f"{GKE_AUTHORIZED}.cidrBlocks"
    _networks(
        check,
        resource,
        cidr_blocks,
        "cidrBlock",
        lambda actual: check.fail(
            resource,
            cidr_blocks,
            actual,
            NETWORKS,
            "master authorized networks that name no network: list the networks that may reach the public "
            "endpoint, or make the endpoint private",
        ),
    )


def _gke_dns_endpoint(check: Check, resource: Subject) -> None:
    external = read(resource.props, f"{GKE_DNS}.allowExternalTraffic")
    if not isinstance(external, Unknown) and not _true(external):
        return  # no user traffic over the DNS endpoint: what it would admit does not matter
    for flag, credentials in KUBERNETES_CREDENTIALS.items():
        path = f"{GKE_DNS}.{flag}"
        admitted = read(resource.props, path)
        if isinstance(admitted, Unknown):
            check.cannot_verify(resource, admitted, "false")
            continue
        if not _true(admitted):
            continue
        if isinstance(external, Unknown):
            check.cannot_verify(resource, external, f"false, or {flag} false")
            return
        check.fail(
            resource,
            path,
            admitted,
            "false",
            f"the DNS-based endpoint takes external traffic and admits Kubernetes {credentials}, which Cloud IAM "
            "does not authorise: a leaked one reaches the API from anywhere",
        )


def _gke_endpoints(check: Check, resource: Subject) -> None:
    _gke_ip_endpoint(check, resource)
    _gke_dns_endpoint(check, resource)


ENDPOINTS: Mapping[str, Callable[[Check, Subject], None]] = {
    "aws:eks/cluster:Cluster": _eks_endpoint,
    "gcp:container/cluster:Cluster": _gke_endpoints,
}
"""How each cluster type's API endpoints are judged; a new type is one entry."""


def _check(check: Check, resource: Subject) -> None:
    for requirement in NODE_REQUIREMENTS.get(resource.resource_type, ()):
        requirement.verify(check, resource, "")
    endpoints = ENDPOINTS.get(resource.resource_type)
    if endpoints is not None:
        endpoints(check, resource)


POLICY = resource_policy(META, _check)
