"""AIS-NET-003: managed vector stores accept no connections from the internet."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, Unknown, is_set, read, stack_policy
from ..opensearch import Visits, collections, governing_policies, parse, unattributed_unknown_policies

META = RuleMeta(
    id="AIS-NET-003",
    name="VectorStoresAreNotPublic",
    title="Managed vector stores are not reachable from the internet",
    description="OpenSearch Serverless collections are named by no network policy that allows public access "
    "(only VPC endpoints); Vertex AI Vector Search index endpoints have no public endpoint and are reached "
    "through Private Service Connect or VPC peering.",
    severity=Severity.HIGH,
    remediation="Leave public_access off on the vector store (the default). For your own resources: a "
    "network policy with AllowFromPublic false and SourceVPCEs, or an index endpoint with "
    "private_service_connect_config (or network) and public_endpoint_enabled false.",
)

INDEX_ENDPOINT_TYPE = "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"
EXPECTED_NETWORK = "network policies that allow only VPC endpoints (AllowFromPublic false)"
EXPECTED_ENDPOINT = "no public endpoint; Private Service Connect or a peered network"


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    visits = Visits()
    for collection in collections(resources):
        name = read(collection.props, "name")
        if isinstance(name, Unknown):
            check.cannot_verify(collection, name, EXPECTED_NETWORK)
            continue
        # A collection no network policy names accepts no connections at all: private, if useless.
        for governing in governing_policies(collection, str(name), resources, "network"):
            _verify_network_policy(check, governing.resource, governing.document, str(name), visits)
    for policy in unattributed_unknown_policies(resources, "network"):
        _verify_network_policy(check, policy, parse(policy), "", visits)
    for endpoint in resources:
        if endpoint.resource_type == INDEX_ENDPOINT_TYPE:
            _verify_index_endpoint(check, endpoint)


def _verify_network_policy(check: Check, policy: PolicyResource, document: object, name: str, visits: Visits) -> None:
    if isinstance(document, Unknown):
        if not visits.first(policy):
            return
        # Computed by a function (not Output.json_dumps with the endpoint's ID in it): it can say anything.
        check.cannot_verify(policy, document, EXPECTED_NETWORK)
        return
    for entry in visits.entries_naming(policy, document, name, "network"):
        if entry.get("AllowFromPublic") is not False:
            check.fail(
                policy,
                "policy.AllowFromPublic",
                entry.get("AllowFromPublic"),
                EXPECTED_NETWORK,
                f"collection {name} accepts connections from the internet (public access overrides VPC-only rules)",
            )


def _verify_index_endpoint(check: Check, endpoint: PolicyResource) -> None:
    public = read(endpoint.props, "publicEndpointEnabled")
    private_service_connect = read(endpoint.props, "privateServiceConnectConfig.enablePrivateServiceConnect")
    network = read(endpoint.props, "network")
    for value in (public, private_service_connect, network):
        if isinstance(value, Unknown):
            check.cannot_verify(endpoint, value, EXPECTED_ENDPOINT)
            return
    if public is True:
        check.fail(
            endpoint,
            "publicEndpointEnabled",
            public,
            EXPECTED_ENDPOINT,
            "the index endpoint serves queries on a public domain name",
        )
    elif private_service_connect is not True and not is_set(network):
        check.fail(
            endpoint,
            "privateServiceConnectConfig",
            private_service_connect,
            EXPECTED_ENDPOINT,
            "the index endpoint has neither Private Service Connect nor a peered network",
        )


POLICY = stack_policy(META, _check)
