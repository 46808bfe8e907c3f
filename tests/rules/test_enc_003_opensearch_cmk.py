"""AIS-ENC-003 (``policies/rules/enc_003_opensearch_cmk.py``): OpenSearch Serverless collections encrypt with a
customer-managed key.

Encryption security policies (customer-managed, AWS-owned and AWS-managed keys, none naming the
collection, one for another collection), inline encryption configs, and policies unknown at preview.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.aws.opensearch import encryption_policy
from aistacks.engine.graph import ResourceRecord

from .fixtures import HOLE, KEY_ARN, UNKNOWN, collection, findings, res, run, security_policy, templated

ENC3 = "AIS-ENC-003"


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


def encryption_template(key_output: tuple[ResourceRecord, str], name: str = "p") -> ResourceRecord:
    """An encryption policy for ``vectors`` written by Output.json_dumps around ``key_output`` (unknown)."""
    policy = security_policy("encryption", UNKNOWN, name, policy=[key_output[0]])
    return templated(policy, "policy", encryption_policy("vectors", HOLE), key_output)


def test_at_preview_a_policy_written_around_the_stack_keys_arn_is_verified() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = encryption_template((key, "arn"))
    assert findings(run(key, policy, collection(depends_on=(policy,)), preview=True), ENC3) == []


@pytest.mark.parametrize(
    ("source_type", "output"),
    [("aws:kms/key:Key", "policy"), ("aws:s3/bucketV2:BucketV2", "arn")],
)
def test_at_preview_a_template_whose_key_is_not_a_keys_own_arn_cannot_be_verified(
    source_type: str, output: str
) -> None:
    source = res(source_type, "source")
    policy = encryption_template((source, output))
    (found,) = findings(run(source, policy, collection(depends_on=(policy,)), preview=True), ENC3)
    assert found[:2] == ("p-encryption", "policy.KmsARN") and "could not verify" in found[2]


def test_at_preview_a_template_with_an_aws_owned_key_fails_as_in_the_update() -> None:
    key = res("aws:kms/key:Key", "key")
    document = {**encryption_policy("vectors", None), "Description": HOLE}
    policy = templated(security_policy("encryption", UNKNOWN, policy=[key]), "policy", document, (key, "arn"))
    (found,) = findings(run(key, policy, collection(depends_on=(policy,)), preview=True), ENC3)
    assert "AWS-owned key" in found[2]


def test_at_preview_a_policy_computed_by_a_function_cannot_be_verified() -> None:
    key = res("aws:kms/key:Key", "key")  # key.arn.apply(lambda arn: json.dumps(...)): no template
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    (found,) = findings(run(key, policy, collection(depends_on=(policy,)), preview=True), ENC3)
    assert found[:2] == ("p-encryption", "policy") and "could not verify" in found[2]


def test_at_preview_a_policy_of_unknown_origin_cannot_be_verified() -> None:
    policy = security_policy("encryption", UNKNOWN)
    (found,) = findings(run(policy, collection(depends_on=(policy,)), preview=True), ENC3)
    assert "could not verify" in found[2]


def test_at_preview_an_unknown_policy_no_collection_depends_on_makes_the_key_unverifiable() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    (found,) = findings(run(key, policy, collection(), preview=True), ENC3)
    assert found[0] == "vectors" and "could not verify" in found[2], "not 'no policy names it'"


def test_at_preview_another_collections_unknown_policy_may_name_this_one() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = security_policy("encryption", UNKNOWN, policy=[key])
    mine, other = collection("vectors", depends_on=(policy,)), collection("other")
    found = findings(run(key, policy, mine, other, preview=True), ENC3)
    assert sorted((f[0], "could not verify" in f[2]) for f in found) == [("other", True), ("p-encryption", True)]


def test_at_preview_a_template_tells_which_collections_it_names() -> None:
    key = res("aws:kms/key:Key", "key")
    policy = encryption_template((key, "arn"))
    mine, other = collection("vectors", depends_on=(policy,)), collection("other")
    (found,) = findings(run(key, policy, mine, other, preview=True), ENC3)
    assert found[0] == "other" and "outside the stack" in found[2]
