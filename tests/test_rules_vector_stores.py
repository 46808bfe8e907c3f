"""The managed vector store guardrails on compliant and non-compliant fixtures: AIS-ENC-003 and AIS-NET-003,
and the vector store entries of AIS-ENC-001 and AIS-PRT-001. Helpers and conventions: ``test_rules``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.aws.opensearch import encryption_policy, network_policy
from aistacks.engine.graph import ResourceRecord
from aistacks.policies.opensearch import names_collection

from .test_rules import AWS_US, CRYPTO_KEY, KEY_ARN, UNKNOWN, findings, provider, res, run

ENC3, NET3 = "AIS-ENC-003", "AIS-NET-003"
COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"
SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
VPC_ENDPOINT = "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint"
INDEX = "gcp:vertex/aiIndex:AiIndex"
INDEX_ENDPOINT = "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"
VPCE = "vpce-050f79086ee71ac05"


def collection(name: str = "vectors", depends_on: tuple[ResourceRecord, ...] = (), **extra: Any) -> ResourceRecord:
    record = res(COLLECTION, name, {"name": name, "type": "VECTORSEARCH", **extra})
    record.depends_on = [r.urn for r in depends_on]
    return record


def security_policy(kind: str, document: Any, name: str = "p", **deps: list[ResourceRecord]) -> ResourceRecord:
    policy = document if isinstance(document, str) else json.dumps(document)
    return res(SECURITY_POLICY, f"{name}-{kind}", {"name": name, "type": kind, "policy": policy}, deps=deps)


# --- AIS-ENC-003 -----------------------------------------------------------------------------------


def test_a_collection_under_a_cmk_encryption_policy_passes() -> None:
    policy = security_policy("encryption", encryption_policy("vectors", KEY_ARN))
    assert findings(run(policy, collection()), ENC3) == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (encryption_policy("vectors", None), "AWS-owned key"),
        ({**encryption_policy("vectors", None), "AWSOwnedKey": False}, "AWS-owned key"),
        (encryption_policy("vectors", "arn:aws:kms:eu-west-1:1:alias/aws/es"), "AWS-managed key"),
        (
            {"Rules": [{"ResourceType": "collection", "Resource": ["collection/vec*"]}], "AWSOwnedKey": True},
            "AWS-owned key",
        ),
    ],
)
def test_a_collection_under_a_provider_key_fails(document: dict[str, Any], message: str) -> None:
    policy = security_policy("encryption", document)
    (found,) = findings(run(policy, collection()), ENC3)
    assert found[0].endswith("p-encryption") and message in found[2]


def test_a_collection_no_encryption_policy_names_fails() -> None:
    other = security_policy("encryption", encryption_policy("other", KEY_ARN))
    (found,) = findings(run(other, collection()), ENC3)
    assert found[1] == "name" and "outside the stack" in found[2]


def test_a_policy_for_another_collection_does_not_count_against_this_one() -> None:
    mine = security_policy("encryption", encryption_policy("vectors", KEY_ARN), "mine")
    theirs = security_policy("encryption", encryption_policy("theirs", None), "theirs")
    assert findings(run(mine, theirs, collection()), ENC3) == []


def test_at_preview_a_policy_computed_from_the_stack_key_is_verified() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    assert findings(run(key, policy, collection(depends_on=(policy,)), preview=True), ENC3) == []


def test_at_preview_a_policy_of_unknown_origin_cannot_be_verified() -> None:
    policy = security_policy("encryption", UNKNOWN)
    (found,) = findings(run(policy, collection(depends_on=(policy,)), preview=True), ENC3)
    assert "could not verify" in found[2]


def test_inline_encryption_configs_are_checked_for_a_customer_managed_key() -> None:
    good = collection(encryptionConfigs=[{"awsOwnedKey": False, "kmsKeyArn": KEY_ARN}])
    owned = collection("owned", encryptionConfigs=[{"awsOwnedKey": True}])
    both = collection("both", encryptionConfigs=[{"awsOwnedKey": True, "kmsKeyArn": KEY_ARN}])
    assert findings(run(good), ENC3) == []
    assert [f[1] for f in findings(run(owned), ENC3)] == [
        "encryptionConfigs[0].awsOwnedKey",
        "encryptionConfigs[0].kmsKeyArn",
    ]
    assert [f[1] for f in findings(run(both), ENC3)] == ["encryptionConfigs[0].awsOwnedKey"]


def test_at_preview_an_unknown_policy_no_collection_depends_on_makes_the_key_unverifiable() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    (found,) = findings(run(key, policy, collection(), preview=True), ENC3)
    assert found[0] == "vectors" and "could not verify" in found[2], "not 'no policy names it'"


# --- AIS-NET-003 -----------------------------------------------------------------------------------


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


def test_at_preview_an_unknown_network_policy_no_collection_depends_on_is_checked_too() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")
    from_endpoint = security_policy("network", UNKNOWN, "vpc", policy=[endpoint])
    unknown = security_policy("network", UNKNOWN, "other")
    found = findings(run(endpoint, from_endpoint, unknown, collection(), preview=True), NET3)
    assert [f[0] for f in found] == ["other-network"]


def test_a_collection_no_network_policy_names_is_unreachable_and_passes() -> None:
    assert findings(run(collection()), NET3) == []


def test_at_preview_a_network_policy_computed_from_the_vpc_endpoint_is_verified() -> None:
    endpoint = res(VPC_ENDPOINT, "endpoint")
    policy = security_policy("network", UNKNOWN, policy=[endpoint])
    assert findings(run(endpoint, policy, collection(depends_on=(policy,)), preview=True), NET3) == []


def test_at_preview_a_network_policy_of_unknown_origin_cannot_be_verified() -> None:
    policy = security_policy("network", UNKNOWN)
    (found,) = findings(run(policy, collection(depends_on=(policy,)), preview=True), NET3)
    assert "could not verify" in found[2]


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


# --- AIS-ENC-001 and AIS-PRT-001 entries -----------------------------------------------------------


@pytest.mark.parametrize("type_token", [INDEX, INDEX_ENDPOINT])
def test_vector_search_indexes_and_endpoints_use_a_customer_managed_key(type_token: str) -> None:
    good = res(type_token, "good", {"region": "europe-west4", "encryptionSpec": {"kmsKeyName": CRYPTO_KEY}})
    bad = res(type_token, "bad", {"region": "europe-west4"})
    assert findings(run(good), "AIS-ENC-001") == []
    assert [f[1] for f in findings(run(bad), "AIS-ENC-001")] == ["encryptionSpec.kmsKeyName"]


@pytest.mark.parametrize(
    ("type_token", "props"), [(COLLECTION, {"name": "vectors"}), (INDEX, {"region": "europe-west4"})]
)
def test_managed_vector_stores_are_protected(type_token: str, props: dict[str, Any]) -> None:
    assert findings(run(res(type_token, "kept", props)), "AIS-PRT-001") == []
    assert len(findings(run(res(type_token, "lost", props, protect=False)), "AIS-PRT-001")) == 1


# --- the component's documents are the ones the rules read -----------------------------------------

names = st.from_regex(r"[a-z][a-z0-9-]{2,31}", fullmatch=True)


@given(name=names, other=names)
def test_the_components_policies_name_exactly_their_collection(name: str, other: str) -> None:
    for entry in [encryption_policy(name, KEY_ARN), *network_policy(name, VPCE), *network_policy(name, None)]:
        assert names_collection(entry, name)
        assert names_collection(entry, other) == (other == name)


# --- AIS-RES-001 on the vector store types ---------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (res(INDEX, "eu", {"region": "europe-west4"}), None),
        (res(INDEX, "us", {"region": "us-central1"}), "region"),
        (res(INDEX_ENDPOINT, "us", {"region": "us-east4"}), "region"),
        (res(COLLECTION, "eu", {"name": "vectors"}), None),
        (res(COLLECTION, "us", {"name": "vectors"}, on=AWS_US), "provider.region"),
        (res(VPC_ENDPOINT, "us", {"vpcId": "vpc-1"}, on=AWS_US), "provider.region"),
    ],
)
def test_vector_stores_stay_in_the_jurisdiction(record: ResourceRecord, path: str | None) -> None:
    found = findings(run(record), "AIS-RES-001")
    if path is None:
        assert found == []
    else:
        assert (record.name, path) in [(name, where) for name, where, _ in found]


# --- AIS-ENC-004: volumes on a StorageClass of the stack --------------------------------------------

ENC4 = "AIS-ENC-004"
CLUSTER_A, CLUSTER_B = provider("kubernetes", "a"), provider("kubernetes", "b")


def storage_class(name: str, on: ResourceRecord = CLUSTER_A, *, default: bool = False) -> ResourceRecord:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    props = {
        "metadata": {"name": name, "annotations": annotations},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"encrypted": "true", "kmsKeyId": KEY_ARN},
    }
    return res("kubernetes:storage.k8s.io/v1:StorageClass", f"sc-{name}", props, on)


def statefulset(
    claim_class: str | None, ephemeral_class: str | None = None, on: ResourceRecord = CLUSTER_A
) -> ResourceRecord:
    def claim(name: str | None) -> dict[str, Any]:
        return {"accessModes": ["ReadWriteOnce"], **({"storageClassName": name} if name is not None else {})}

    volumes = [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": claim(ephemeral_class)}}}]
    spec = {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim(claim_class)}],
            "template": {"spec": {"volumes": volumes if ephemeral_class is not None else []}}}  # fmt: skip
    return res("kubernetes:apps/v1:StatefulSet", "db", {"metadata": {"name": "db"}, "spec": spec}, on)


@pytest.mark.parametrize(
    ("records", "paths"),
    [
        ((storage_class("encrypted"), statefulset("encrypted")), []),
        ((storage_class("encrypted", default=True), statefulset(None)), []),
        ((storage_class("encrypted"), statefulset(None)), ["spec.volumeClaimTemplates[0].spec.storageClassName"]),
        ((storage_class("encrypted"), statefulset("gp2")), ["spec.volumeClaimTemplates[0].spec.storageClassName"]),
        (
            (storage_class("encrypted"), statefulset("encrypted", ephemeral_class="gp2")),
            ["spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName"],
        ),
        (
            (storage_class("encrypted", CLUSTER_B), statefulset("encrypted")),
            ["spec.volumeClaimTemplates[0].spec.storageClassName"],
        ),
    ],
)
def test_workload_volumes_use_a_storage_class_of_the_stack(
    records: tuple[ResourceRecord, ...], paths: list[str]
) -> None:
    found = findings(run(CLUSTER_A, CLUSTER_B, *records), ENC4)
    assert [path for _, path, _ in found] == paths


def test_a_policy_shared_by_collections_is_reported_once() -> None:
    public = security_policy("network", network_policy("vec*", None), "shared")
    found = findings(run(public, collection("vectors"), collection("vec2")), NET3)
    assert [f[0] for f in found] == ["shared-network"]


def test_at_preview_another_collections_unknown_policy_may_name_this_one() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    mine, other = collection("vectors", depends_on=(policy,)), collection("other")
    found = findings(run(key, policy, mine, other, preview=True), ENC3)
    assert [(f[0], "could not verify" in f[2]) for f in found] == [("other", True)]
