"""AIS-NET-003 (``policies/rules/net_003_private_vector_stores.py``): managed vector stores accept no
connections from the internet.

OpenSearch Serverless network policies (VPC-only, public, public dashboards, a public rule overriding a
private one, a policy shared by collections, none at all, unknown at preview) and Vertex AI Vector Search
index endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.aws.opensearch import network_policy
from aistacks.engine.graph import ResourceRecord

from .fixtures import (
    HOLE,
    INDEX_ENDPOINT,
    UNKNOWN,
    VPC_ENDPOINT,
    VPCE,
    collection,
    findings,
    res,
    run,
    security_policy,
    templated,
)

NET3 = "AIS-NET-003"


def test_a_collection_reachable_only_through_a_vpc_endpoint_passes() -> None:
    policy = security_policy("network", network_policy("vectors", VPCE))
    assert findings(run(policy, collection()), NET3) == []


def test_a_collection_with_public_access_fails() -> None:
    policy = security_policy("network", network_policy("vectors", None))
    (found,) = findings(run(policy, collection()), NET3)
    assert found[1] == "policy.AllowFromPublic" and "internet" in found[2]


def test_a_public_rule_overrides_a_vpc_only_rule() -> None:
    private = security_policy("network", network_policy("vectors", VPCE), "private")
    public = security_policy("network", network_policy("vec*", None), "public")
    (found,) = findings(run(private, public, collection()), NET3)
    assert found[0].endswith("public-network")


def test_public_dashboards_of_a_collection_fail() -> None:
    document = [
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [VPCE]},
        {"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/vectors"]}], "AllowFromPublic": True},
    ]  # fmt: skip
    (found,) = findings(run(security_policy("network", document), collection()), NET3)
    assert found[1] == "policy.AllowFromPublic"


def test_a_policy_shared_by_collections_is_reported_once() -> None:
    public = security_policy("network", network_policy("vec*", None), "shared")
    found = findings(run(public, collection("vectors"), collection("vec2")), NET3)
    assert [f[0] for f in found] == ["shared-network"]


def test_a_collection_no_network_policy_names_is_unreachable_and_passes() -> None:
    assert findings(run(collection()), NET3) == []


def network_template(endpoint: ResourceRecord, name: str = "p") -> ResourceRecord:
    """A network policy for ``vectors`` written by Output.json_dumps around the endpoint's ID (unknown)."""
    policy = security_policy("network", UNKNOWN, name, policy=[endpoint])
    return templated(policy, "policy", network_policy("vectors", HOLE), (endpoint, "id"))


def test_at_preview_a_network_policy_written_around_the_vpc_endpoints_id_is_verified() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")
    policy = network_template(endpoint)
    assert findings(run(endpoint, policy, collection(depends_on=(policy,)), preview=True), NET3) == []


def test_at_preview_a_public_network_template_fails_as_in_the_update() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")
    document = [{**network_policy("vectors", None)[0], "Description": HOLE}]
    policy = templated(security_policy("network", UNKNOWN, policy=[endpoint]), "policy", document, (endpoint, "id"))
    (found,) = findings(run(endpoint, policy, collection(depends_on=(policy,)), preview=True), NET3)
    assert found[1] == "policy.AllowFromPublic"


def test_at_preview_a_network_policy_computed_by_a_function_cannot_be_verified() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")  # endpoint.id.apply(lambda id: json.dumps(...)): no template
    policy = security_policy("network", UNKNOWN, policy=[endpoint])
    (found,) = findings(run(endpoint, policy, collection(depends_on=(policy,)), preview=True), NET3)
    assert "could not verify" in found[2]


def test_at_preview_a_network_policy_of_unknown_origin_cannot_be_verified() -> None:
    policy = security_policy("network", UNKNOWN)
    (found,) = findings(run(policy, collection(depends_on=(policy,)), preview=True), NET3)
    assert "could not verify" in found[2]


def test_at_preview_an_unknown_network_policy_no_collection_depends_on_is_checked_too() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")
    from_endpoint = network_template(endpoint, "vpc")
    unknown = security_policy("network", UNKNOWN, "other")
    found = findings(run(endpoint, from_endpoint, unknown, collection(), preview=True), NET3)
    assert [f[0] for f in found] == ["other-network"]


@pytest.mark.parametrize(
    ("props", "path"),
    [
        ({"privateServiceConnectConfig": {"enablePrivateServiceConnect": True}}, None),
        ({"network": "projects/1/global/networks/vpc"}, None),
        ({"publicEndpointEnabled": True}, "publicEndpointEnabled"),
        (
            {"publicEndpointEnabled": True, "privateServiceConnectConfig": {"enablePrivateServiceConnect": True}},
            "publicEndpointEnabled",
        ),
        ({"publicEndpointEnabled": False}, "privateServiceConnectConfig"),
        ({"publicEndpointEnabled": UNKNOWN}, "publicEndpointEnabled"),
    ],
)
def test_vector_search_index_endpoints_are_private(props: dict[str, Any], path: str | None) -> None:
    endpoint = res(INDEX_ENDPOINT, "endpoint", {"region": "europe-west4", **props})
    assert [f[1] for f in findings(run(endpoint, preview=True), NET3)] == ([path] if path else [])
