"""AIS-NET-001 (``policies/rules/net_001_private_endpoints.py``): Kubernetes API endpoints are private, or public
only to listed networks; nodes are private.

EKS: a private endpoint, a public one limited by ``publicAccessCidrs`` (none a /0), one that is open (the
list unset, empty or holding a /0), EKS's default of a public endpoint. GKE: a private IP endpoint, a public
one behind master authorized networks (none a /0, Google Cloud's public addresses kept out), one without
them, no IP endpoints at all, the IAM-gated DNS endpoint and the Kubernetes credentials that get past IAM.
The ``allowRestrictedPublicEndpoints`` setting, values unknown at preview, and a GKE node pool that turns
private nodes off. The fixtures are the inputs the platform's ``api_endpoint`` choices produce.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.gate.config import PolicyConfigError, resolve_policy_config
from aistacks.policies import POLICIES

from .fixtures import BASE_CONFIG, CRYPTO_KEY, UNKNOWN, findings, only, res, run

EKS = "aws:eks/cluster:Cluster"
GKE = "gcp:container/cluster:Cluster"
OTHERS_OFF = {"AIS-ENC-001": "disabled"}
STRICT = {**OTHERS_OFF, "AIS-NET-001": {"allowRestrictedPublicEndpoints": False}}
CI_RUNNERS = ["203.0.113.0/24", "198.51.100.7/32"]


def eks(**vpc: Any) -> dict[str, Any]:
    return {"vpcConfig": {"subnetIds": ["subnet-a", "subnet-b"], "endpointPrivateAccess": True, **vpc}}


def gke(
    *,
    private_endpoint: Any = True,
    authorized: dict[str, Any] | None = None,
    dns: dict[str, Any] | None = None,
    ip_endpoints: Any = True,
) -> dict[str, Any]:
    """A GKE cluster as the platform builds it: private nodes, the given endpoints."""
    props: dict[str, Any] = {
        "location": "europe-west4",
        "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": private_endpoint},
        "controlPlaneEndpointsConfig": {
            "dnsEndpointConfig": dns if dns is not None else {"allowExternalTraffic": False},
            "ipEndpointsConfig": {"enabled": ip_endpoints},
        },
    }
    if authorized is not None:
        props["masterAuthorizedNetworksConfig"] = authorized
    return props


def networks(*cidrs: str, google_cloud: Any = False) -> dict[str, Any]:
    blocks = [{"cidrBlock": "10.0.0.0/20", "displayName": "nodes"}]
    blocks += [{"cidrBlock": cidr, "displayName": f"api-access-{i}"} for i, cidr in enumerate(cidrs)]
    return {"cidrBlocks": blocks, "gcpPublicCidrsAccessEnabled": google_cloud}


def paths(type_token: str, props: dict[str, Any], config: dict[str, Any] | None = None) -> list[str]:
    result = run(res(type_token, "cluster", props), config=config or OTHERS_OFF)
    return sorted(path for _, path, _ in findings(result, "AIS-NET-001"))


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(eks(endpointPublicAccess=False), [], id="private"),
        pytest.param(eks(endpointPublicAccess=True, publicAccessCidrs=CI_RUNNERS), [], id="restricted"),
        pytest.param(eks(endpointPublicAccess="true", publicAccessCidrs=["2001:db8::/32"]), [], id="restricted-ipv6"),
        pytest.param(eks(endpointPublicAccess=True), ["vpcConfig.endpointPublicAccess"], id="public-cidrs-unset"),
        pytest.param(
            eks(endpointPublicAccess=True, publicAccessCidrs=[]), ["vpcConfig.endpointPublicAccess"], id="cidrs-empty"
        ),
        pytest.param(eks(), ["vpcConfig.endpointPublicAccess"], id="public-by-eks-default"),
        pytest.param(
            eks(endpointPublicAccess=True, publicAccessCidrs=[*CI_RUNNERS, "0.0.0.0/0"]),
            ["vpcConfig.publicAccessCidrs[2]"],
            id="cidrs-include-0.0.0.0/0",
        ),
        pytest.param(
            eks(endpointPublicAccess=True, publicAccessCidrs=["::/0", "10.1.2.3/0"]),
            ["vpcConfig.publicAccessCidrs[0]", "vpcConfig.publicAccessCidrs[1]"],
            id="any-/0",
        ),
        pytest.param(
            eks(endpointPublicAccess=True, publicAccessCidrs=["office"]),
            ["vpcConfig.publicAccessCidrs[0]"],
            id="not-a-cidr",
        ),
    ],
)
def test_eks_api_endpoint(props: dict[str, Any], expected: list[str]) -> None:
    assert paths(EKS, props) == expected


def test_an_open_eks_endpoint_says_eks_reads_no_list_as_the_whole_internet() -> None:
    message = only(run(res(EKS, "c", eks(endpointPublicAccess=True)), config=OTHERS_OFF), "AIS-NET-001")[2]
    assert "0.0.0.0/0" in message


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param(gke(), [], id="private"),
        pytest.param(gke(private_endpoint=False, authorized=networks(*CI_RUNNERS)), [], id="restricted"),
        pytest.param(
            gke(private_endpoint=False, authorized={"cidrBlocks": [{"cidrBlock": "203.0.113.0/24"}]}),
            [],
            id="restricted-google-cloud-unset",
        ),
        pytest.param(
            gke(dns={"allowExternalTraffic": True}, authorized=networks()),
            [],
            id="dns",
        ),
        pytest.param(
            gke(private_endpoint=False, ip_endpoints=False, dns={"allowExternalTraffic": True}),
            [],
            id="dns-only-no-ip-endpoints",
        ),
        pytest.param(gke(private_endpoint=False), ["privateClusterConfig.enablePrivateEndpoint"], id="public"),
        pytest.param(
            gke(private_endpoint=False, authorized=networks("0.0.0.0/0")),
            ["masterAuthorizedNetworksConfig.cidrBlocks[1].cidrBlock"],
            id="authorized-0.0.0.0/0",
        ),
        pytest.param(
            gke(private_endpoint=False, authorized=networks(*CI_RUNNERS, google_cloud=True)),
            ["masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled"],
            id="google-cloud-public-ips",
        ),
        pytest.param(
            gke(private_endpoint=False, authorized={"cidrBlocks": [], "gcpPublicCidrsAccessEnabled": False}),
            ["masterAuthorizedNetworksConfig.cidrBlocks"],
            id="authorized-empty",
        ),
        pytest.param(
            gke(private_endpoint=False, authorized={}), ["masterAuthorizedNetworksConfig.cidrBlocks"], id="no-blocks"
        ),
        pytest.param(
            gke(dns={"allowExternalTraffic": True, "enableK8sTokensViaDns": True}),
            ["controlPlaneEndpointsConfig.dnsEndpointConfig.enableK8sTokensViaDns"],
            id="dns-kubernetes-tokens",
        ),
        pytest.param(
            gke(dns={"allowExternalTraffic": True, "enableK8sCertsViaDns": True, "enableK8sTokensViaDns": False}),
            ["controlPlaneEndpointsConfig.dnsEndpointConfig.enableK8sCertsViaDns"],
            id="dns-kubernetes-certificates",
        ),
        pytest.param(
            gke(dns={"allowExternalTraffic": False, "enableK8sTokensViaDns": True, "enableK8sCertsViaDns": True}),
            [],
            id="kubernetes-credentials-without-external-traffic",
        ),
        pytest.param(
            {"location": "europe-west4", "privateClusterConfig": {"enablePrivateNodes": True}},
            ["privateClusterConfig.enablePrivateEndpoint"],
            id="private-endpoint-unset",
        ),
        pytest.param(
            {"location": "europe-west4"},
            ["privateClusterConfig.enablePrivateEndpoint", "privateClusterConfig.enablePrivateNodes"],
            id="nothing-private",
        ),
        pytest.param(
            {**gke(), "privateClusterConfig": {"enablePrivateNodes": False, "enablePrivateEndpoint": True}},
            ["privateClusterConfig.enablePrivateNodes"],
            id="public-nodes",
        ),
    ],
)
def test_gke_api_endpoints_and_nodes(props: dict[str, Any], expected: list[str]) -> None:
    assert paths(GKE, props) == expected


@pytest.mark.parametrize(
    ("type_token", "props", "expected"),
    [
        pytest.param(
            EKS,
            eks(endpointPublicAccess=True, publicAccessCidrs=CI_RUNNERS),
            ["vpcConfig.endpointPublicAccess"],
            id="eks-restricted",
        ),
        pytest.param(EKS, eks(endpointPublicAccess=False), [], id="eks-private"),
        pytest.param(
            GKE,
            gke(private_endpoint=False, authorized=networks(*CI_RUNNERS)),
            ["privateClusterConfig.enablePrivateEndpoint"],
            id="gke-restricted",
        ),
        pytest.param(GKE, gke(), [], id="gke-private"),
        pytest.param(GKE, gke(dns={"allowExternalTraffic": True}), [], id="gke-dns"),
    ],
)
def test_without_restricted_public_endpoints_every_public_ip_endpoint_fails(
    type_token: str, props: dict[str, Any], expected: list[str]
) -> None:
    assert paths(type_token, props, STRICT) == expected


def test_restricted_public_endpoints_are_allowed_by_default_and_the_setting_is_a_boolean() -> None:
    rule = resolve_policy_config(BASE_CONFIG, POLICIES, "test")["AIS-NET-001"]
    assert rule.properties == {}
    restricted = eks(endpointPublicAccess=True, publicAccessCidrs=CI_RUNNERS)
    allowed = {**OTHERS_OFF, "AIS-NET-001": {"allowRestrictedPublicEndpoints": True}}
    assert paths(EKS, restricted) == paths(EKS, restricted, allowed) == []
    with pytest.raises(PolicyConfigError, match="allowRestrictedPublicEndpoints"):
        resolve_policy_config({**BASE_CONFIG, "AIS-NET-001": {"allowRestrictedPublicEndpoints": "no"}}, POLICIES, "t")


@pytest.mark.parametrize(
    ("type_token", "props", "path"),
    [
        (EKS, {"vpcConfig": {"endpointPublicAccess": UNKNOWN}}, "vpcConfig.endpointPublicAccess"),
        (EKS, eks(endpointPublicAccess=True, publicAccessCidrs=UNKNOWN), "vpcConfig.publicAccessCidrs"),
        (EKS, eks(endpointPublicAccess=True, publicAccessCidrs=[UNKNOWN]), "vpcConfig.publicAccessCidrs[0]"),
        (GKE, gke(private_endpoint=UNKNOWN), "privateClusterConfig.enablePrivateEndpoint"),
        (
            GKE,
            gke(private_endpoint=False, authorized={"cidrBlocks": [{"cidrBlock": UNKNOWN}]}),
            "masterAuthorizedNetworksConfig.cidrBlocks[0].cidrBlock",
        ),
        (
            GKE,
            gke(dns={"allowExternalTraffic": UNKNOWN, "enableK8sTokensViaDns": True}),
            "controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic",
        ),
    ],
)
def test_a_value_unknown_at_preview_cannot_be_verified(type_token: str, props: dict[str, Any], path: str) -> None:
    found = only(run(res(type_token, "c", props), config=OTHERS_OFF, preview=True), "AIS-NET-001")
    assert found[1] == path
    assert found[2].startswith(f"could not verify {path}")


def test_an_unknown_value_the_verdict_does_not_hang_on_is_not_reported() -> None:
    props = gke(dns={"allowExternalTraffic": UNKNOWN})
    assert findings(run(res(GKE, "c", props), config=OTHERS_OFF, preview=True), "AIS-NET-001") == []


def test_a_gke_node_pool_that_turns_private_nodes_off() -> None:
    pool = res(
        "gcp:container/nodePool:NodePool",
        "p",
        {
            "location": "europe-west4",
            "nodeConfig": {"bootDiskKmsKey": CRYPTO_KEY},
            "networkConfig": {"enablePrivateNodes": False},
        },
    )
    assert only(run(pool), "AIS-NET-001")[1] == "networkConfig.enablePrivateNodes"
    pool.inputs["networkConfig"] = {}
    assert findings(run(pool), "AIS-NET-001") == []
