"""AIS-NET-006 (``policies/rules/net_006_no_public_data_stores.py``): data stores other than object storage are
not public.

A compliant and a weakened fixture for every type of the rule's table (network exposure flags with their
defaults, resource policies with and without a fixing condition, Google Cloud IAM to allUsers /
allAuthenticatedUsers), OpenSearch domains in and out of a VPC, and values unknown at preview.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aistacks.policies.rules.net_006_no_public_data_stores import CHECKS

from .fixtures import HOLE, UNKNOWN, findings, only, res, run, templated

RULE = "AIS-NET-006"
ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
NAMED = {**ANYONE, "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}}
FIXED = {**ANYONE, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


POLICY_PATHS = {
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
}
FLAGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "aws:rds/instance:Instance": ({}, {"publiclyAccessible": True}),
    "aws:rds/clusterInstance:ClusterInstance": ({"publiclyAccessible": False}, {"publiclyAccessible": True}),
    "aws:redshift/cluster:Cluster": ({}, {"publiclyAccessible": True}),
    "aws:dms/replicationInstance:ReplicationInstance": ({"publiclyAccessible": False}, {}),
    "aws:sagemaker/notebookInstance:NotebookInstance": ({"directInternetAccess": "Disabled"}, {}),
    "gcp:sql/databaseInstance:DatabaseInstance": (
        {"settings": {"ipConfiguration": {"ipv4Enabled": True, "authorizedNetworks": [{"value": "203.0.113.0/24"}]}}},
        {"settings": {"ipConfiguration": {"authorizedNetworks": [{"value": "0.0.0.0/0"}]}}},
    ),
    "gcp:bigquery/datasetAccess:DatasetAccess": (
        {"datasetId": "d", "role": "READER", "userByEmail": "a@example.com"},
        {"datasetId": "d", "role": "READER", "specialGroup": "allAuthenticatedUsers"},
    ),
    "gcp:bigquery/dataset:Dataset": (
        {"datasetId": "d", "accesses": [{"role": "OWNER", "specialGroup": "projectOwners"}]},
        {"datasetId": "d", "accesses": [{"role": "READER", "iamMember": "allUsers"}]},
    ),
}


def gcp_iam(type_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    role = {"role": "roles/viewer"}
    if type_token.endswith("Member"):
        return {**role, "member": "user:a@example.com"}, {**role, "member": "allUsers"}
    if type_token.endswith("Binding"):
        return {**role, "members": ["group:g@example.com"]}, {**role, "members": ["allAuthenticatedUsers"]}
    binding = lambda member: json.dumps({"bindings": [{"role": "roles/viewer", "members": [member]}]})  # noqa: E731
    return {"policyData": binding("user:a@example.com")}, {"policyData": binding("allUsers")}


def pair(type_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if type_token in POLICY_PATHS:
        path = POLICY_PATHS[type_token]
        return {path: document(NAMED, FIXED)}, {path: document(NAMED, ANYONE)}
    if type_token in FLAGS:
        return FLAGS[type_token]
    return gcp_iam(type_token)


def test_every_type_of_the_table_has_a_pair() -> None:
    gcp = {t for t in CHECKS if t.startswith("gcp:") and t not in FLAGS}
    assert set(CHECKS) == set(POLICY_PATHS) | set(FLAGS) | gcp
    assert all(t.rsplit(":", 1)[-1].lower().endswith(("member", "binding", "policy")) for t in gcp)


@pytest.mark.parametrize("type_token", sorted(CHECKS))
def test_compliant_and_weakened(type_token: str) -> None:
    compliant, weakened = pair(type_token)
    assert findings(run(res(type_token, "store", compliant)), RULE) == []
    name, _, message = only(run(res(type_token, "store", weakened)), RULE)
    assert name == "store"
    assert any(word in message for word in ("anyone", "internet", "authenticated", "allUsers"))


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        ("aws:rds/instance:Instance", {"publiclyAccessible": UNKNOWN}),
        ("aws:sqs/queuePolicy:QueuePolicy", {"policy": UNKNOWN}),
        ("aws:sagemaker/notebookInstance:NotebookInstance", {"directInternetAccess": UNKNOWN}),
        ("gcp:pubsub/topicIAMMember:TopicIAMMember", {"role": "roles/viewer", "member": UNKNOWN}),
        ("gcp:bigquery/datasetIamPolicy:DatasetIamPolicy", {"policyData": UNKNOWN}),
        (
            "gcp:sql/databaseInstance:DatabaseInstance",
            {"settings": {"ipConfiguration": {"authorizedNetworks": [{"value": UNKNOWN}]}}},
        ),
    ],
)
def test_unknown_at_preview_cannot_be_verified(type_token: str, props: dict[str, Any]) -> None:
    assert only(run(res(type_token, "store", props), preview=True), RULE)[2].startswith("could not verify")


def test_a_member_that_is_verbatim_a_service_identity_passes_at_preview() -> None:
    agent = res("gcp:projects/serviceIdentity:ServiceIdentity", "agent", {"service": "aiplatform.googleapis.com"})
    grant = res(
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        "grant",
        {"cryptoKeyId": "k", "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member": UNKNOWN},
        deps={"member": [agent]},
    )
    grant.verbatim_sources["member"] = (agent.urn, "member")
    assert findings(run(agent, grant, preview=True), RULE) == []


@pytest.mark.parametrize(
    ("network", "violations"),
    [("10.0.0.0/8", 0), ("198.51.100.7/32", 0), ("0.0.0.0/1", 1), ("::/0", 1), ("2001:db8::/48", 0)],
)
def test_cloud_sql_networks_are_judged_by_the_s3_bound(network: str, violations: int) -> None:
    config = {"ipConfiguration": {"authorizedNetworks": [{"name": "n", "value": network}]}}
    instance = res("gcp:sql/databaseInstance:DatabaseInstance", "db", {"settings": config})
    assert len(findings(run(instance), RULE)) == violations


def test_cloud_sql_without_public_ip_admits_nothing() -> None:
    config = {"ipConfiguration": {"ipv4Enabled": False, "authorizedNetworks": [{"value": "0.0.0.0/0"}]}}
    assert findings(run(res("gcp:sql/databaseInstance:DatabaseInstance", "db", {"settings": config})), RULE) == []


def test_an_open_domain_in_a_vpc_is_not_public_and_its_separate_policy_follows_it() -> None:
    open_policy = document(ANYONE)
    vpc = {"domainName": "search", "vpcOptions": {"subnetIds": ["subnet-1"]}, "accessPolicies": open_policy}
    assert findings(run(res("aws:opensearch/domain:Domain", "d", vpc)), RULE) == []
    domain = res("aws:opensearch/domain:Domain", "d", {"domainName": "search", "vpcOptions": {"subnetIds": ["s"]}})
    policy = res(
        "aws:opensearch/domainPolicy:DomainPolicy", "p", {"domainName": "search", "accessPolicies": open_policy}
    )
    assert findings(run(domain, policy), RULE) == []
    public = res("aws:opensearch/domain:Domain", "d", {"domainName": "search"})
    assert only(run(public, policy), RULE)[:2] == ("p", "accessPolicies")


def test_a_kms_key_policy_for_anyone_in_one_account_is_not_public() -> None:
    statement = {
        **ANYONE,
        "Action": "kms:Decrypt",
        "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}},
    }
    key_policy = res("aws:kms/keyPolicy:KeyPolicy", "kp", {"keyId": "k", "policy": document(statement)})
    assert findings(run(key_policy), RULE) == []
    queue = res("aws:sqs/queuePolicy:QueuePolicy", "qp", {"queueUrl": "q", "policy": document(statement)})
    assert len(findings(run(queue), RULE)) == 1


@pytest.mark.parametrize(("principal", "public"), [({"AWS": HOLE}, False), ("*", True)])
def test_at_preview_a_key_policy_written_around_a_roles_arn_is_judged_around_it(principal: Any, public: bool) -> None:
    """aistacks.aws.KmsKey writes its policy with Output.json_dumps around the autoscaling role's ARN, unknown
    until the update: the document around it decides (a role's ARN is a name, never "*")."""
    role = res("aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling")
    statement = {"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
    key = res("aws:kms/key:Key", "key", {"policy": UNKNOWN}, deps={"policy": [role]})
    templated(key, "policy", {"Version": "2012-10-17", "Statement": [NAMED, statement]}, (role, "arn"))
    found = findings(run(role, key, preview=True), RULE)
    assert [(f[0], "allows anyone" in f[2]) for f in found] == ([("key", True)] if public else [])


def test_at_preview_a_key_policy_computed_by_a_function_cannot_be_verified() -> None:
    role = res("aws:iam/serviceLinkedRole:ServiceLinkedRole", "autoscaling")
    key = res("aws:kms/key:Key", "key", {"policy": UNKNOWN}, deps={"policy": [role]})
    (found,) = findings(run(role, key, preview=True), RULE)
    assert found[:2] == ("key", "policy") and "could not verify" in found[2]
