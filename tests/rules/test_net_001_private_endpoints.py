"""AIS-NET-001 (``policies/rules/net_001_private_endpoints.py``): Kubernetes API endpoints and nodes are private.

EKS and GKE clusters, an endpoint unknown at preview, and a GKE node pool that turns private nodes off.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import CRYPTO_KEY, UNKNOWN, findings, only, res, run


@pytest.mark.parametrize(
    ("type_token", "props", "paths"),
    [
        ("aws:eks/cluster:Cluster", {"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}}, []),
        ("aws:eks/cluster:Cluster", {"vpcConfig": {"endpointPublicAccess": True}}, ["vpcConfig.endpointPublicAccess"]),
        (
            "gcp:container/cluster:Cluster",
            {
                "location": "europe-west4",
                "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": True},
            },
            [],
        ),
        (
            "gcp:container/cluster:Cluster",
            {"location": "europe-west4", "privateClusterConfig": {"enablePrivateNodes": True}},
            ["privateClusterConfig.enablePrivateEndpoint"],
        ),
        (
            "gcp:container/cluster:Cluster",
            {"location": "europe-west4"},
            ["privateClusterConfig.enablePrivateNodes", "privateClusterConfig.enablePrivateEndpoint"],
        ),
    ],
)
def test_cluster_endpoints_and_nodes_are_private(type_token: str, props: dict[str, Any], paths: list[str]) -> None:
    result = run(res(type_token, "cluster", props), config={"AIS-ENC-001": "disabled"})
    assert sorted(path for _, path, _ in findings(result, "AIS-NET-001")) == sorted(paths)


def test_a_cluster_endpoint_unknown_at_preview_cannot_be_verified() -> None:
    cluster = res("aws:eks/cluster:Cluster", "c", {"vpcConfig": {"endpointPublicAccess": UNKNOWN}})
    assert only(run(cluster, config={"AIS-ENC-001": "disabled"}, preview=True), "AIS-NET-001")[2].startswith(
        "could not verify vpcConfig.endpointPublicAccess"
    )


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
