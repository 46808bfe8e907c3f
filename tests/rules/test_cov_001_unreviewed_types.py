"""AIS-COV-001 (``policies/rules/cov_001_unreviewed_types.py``): every type of a data-bearing service is reviewed.

A type with a key path, a reviewed type and a type of another service pass; an unreviewed type of a
data-bearing service (one the catalog lacks too) is reported, advisory by default and mandatory in the prod
built-in config; the data file is checked against the catalog (no reviewed type with a key path, a verdict,
reason and source for each, every service sourced).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from aistacks.gate.builtin import tier_policy_config
from aistacks.policies.provider_catalog import all_types, key_paths
from aistacks.policies.rules.cov_001_unreviewed_types import (
    POLICY,
    data_bearing_services,
    is_unreviewed,
    reviewed_types,
    service_of,
)

from .fixtures import BASE_CONFIG, KEY_ARN, findings, res, run

COV = "AIS-COV-001"
VERDICTS = {"holds-no-data", "inherits-key", "keyed-elsewhere", "provider-key-only"}


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        ("aws:rds/instance:Instance", {"kmsKeyId": KEY_ARN}),  # a key path: AIS-ENC-001 judges it
        # a key path read from TableReplicaInitArgs (the catalog missed the type while it read <Class>Args)
        ("aws:dynamodb/tableReplica:TableReplica", {"globalTableArn": "arn", "kmsKeyArn": KEY_ARN}),
        ("aws:rds/subnetGroup:SubnetGroup", {"subnetIds": ["a"]}),  # reviewed: holds no data
        ("aws:rds/clusterSnapshot:ClusterSnapshot", {}),  # reviewed: inherits its cluster's key
        ("gcp:memcache/instance:Instance", {"region": "europe-west4"}),  # reviewed: no customer key offered
        ("aws:iam/role:Role", {}),  # not a data-bearing service
    ],
)
def test_reviewed_and_keyed_types_pass(type_token: str, props: dict[str, Any]) -> None:
    assert findings(run(res(type_token, "r", props)), COV) == []


@pytest.mark.parametrize(
    "type_token",
    ["aws:rds/futureStore:FutureStore", "gcp:bigquery/newThing:NewThing", "aws:dynamodb/futureReplica:FutureReplica"],
)
def test_an_unreviewed_type_of_a_data_bearing_service_is_reported(type_token: str) -> None:
    result = run(res(type_token, "x", {}))
    [(name, path, message)] = findings(result, COV)
    assert (name, path) == ("x", "type")
    assert message.startswith(f'unreviewed type "{type_token}": {service_of(type_token)} holds data')


def test_advisory_by_default_and_mandatory_in_prod() -> None:
    assert POLICY.enforcement_level == EnforcementLevel.ADVISORY
    assert [tier_policy_config(tier, "eu")[COV] for tier in ("dev", "staging", "prod")] == [
        "advisory",
        "advisory",
        "mandatory",
    ]
    unreviewed = res("aws:rds/futureStore:FutureStore", "x", {})
    assert run(unreviewed, config={**BASE_CONFIG, COV: "advisory"}).passed
    assert not run(unreviewed).passed


def test_the_reviewed_list_is_well_formed() -> None:
    for token, review in reviewed_types().items():
        assert service_of(token) in data_bearing_services(), token
        assert key_paths(token) == (), f"{token} has a key path: AIS-ENC-001 judges it, drop the review"
        assert review["verdict"] in VERDICTS, token
        assert len(review["reason"].split()) >= 5 and review["source"], token


def test_every_catalog_type_of_a_data_bearing_service_is_keyed_or_reviewed() -> None:
    """No type the provider catalog lists (TableReplica, BucketVersioning, ... since it reads <Class>InitArgs) is
    left unreviewed: each has a key path or a verdict in data_bearing_types.json."""
    assert [token for token in all_types() if is_unreviewed(token)] == []


def test_every_data_bearing_service_is_sourced() -> None:
    for service, entry in data_bearing_services().items():
        assert entry["source"].startswith("https://"), service
    assert {"aws:rds", "aws:dynamodb", "gcp:bigquery", "gcp:vertex", "gcp:pubsub"} <= set(data_bearing_services())
