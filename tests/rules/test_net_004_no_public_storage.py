"""AIS-NET-004 (``policies/rules/net_004_no_public_storage.py``): object storage is not public.

S3 bucket policies (separate and inline, alike) that allow anyone with and without a restricting
condition (value-comparing operators and fixed values only; source ranges no wider than S3's /8 and /32;
delegation to access points), access points and their policies, canned ACLs and grants, public access
blocks; Cloud Storage IAM, ACLs, access controls and public access prevention; unknown values at preview.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .fixtures import UNKNOWN, findings, gcs, only, res, run, s3

RULE = "AIS-NET-004"
READ_ALL = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bucket/*"}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize(
    ("statement", "violations"),
    [
        (TLS_DENY, 0),
        ({**READ_ALL, "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}}, 0),
        (READ_ALL, 1),
        ({**READ_ALL, "Principal": {"AWS": "*"}}, 1),
        ({**READ_ALL, "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}}, 1),
        ({**READ_ALL, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}, 0),
        ({**READ_ALL, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}, 0),
        # conditions that do not fix who: negated, IfExists, a wildcard, an unrelated key
        ({**READ_ALL, "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}, 1),
        ({**READ_ALL, "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}, 1),
        ({**READ_ALL, "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}, 1),
        ({**READ_ALL, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, 1),
        ({**READ_ALL, "Principal": None, "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}, 1),
    ],
)
def test_bucket_policies_separate_and_inline_alike(statement: dict[str, Any], violations: int) -> None:
    bucket = s3()
    policy = res(
        "aws:s3/bucketPolicy:BucketPolicy", "data-policy", {"bucket": "data-bucket", "policy": document(statement)}
    )
    assert len(findings(run(bucket, policy), RULE)) == violations
    assert len(findings(run(s3(policy=document(statement))), RULE)) == violations


def test_the_public_statement_is_shown() -> None:
    policy = res(
        "aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "data-bucket", "policy": document(TLS_DENY, READ_ALL)}
    )
    _, path, message = only(run(policy), RULE)
    assert (path, message) == ("policy", "the bucket policy allows anyone")


def test_a_policy_unknown_at_preview_cannot_be_verified() -> None:
    policy = res("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "data-bucket", "policy": UNKNOWN})
    assert only(run(policy, preview=True), RULE)[2].startswith("could not verify policy")


GROUP = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("aws:s3/bucketAclV2:BucketAclV2", {"bucket": "data-bucket", "acl": "private"}, 0),
        ("aws:s3/bucketAclV2:BucketAclV2", {"bucket": "data-bucket", "acl": "public-read"}, 1),
        ("aws:s3/bucketAcl:BucketAcl", {"bucket": "data-bucket", "acl": "authenticated-read"}, 1),
        (
            "aws:s3/bucketAclV2:BucketAclV2",
            {"accessControlPolicy": {"grants": [{"grantee": {"type": "Group", "uri": GROUP}, "permission": "READ"}]}},
            1,
        ),
        ("aws:s3/bucket:Bucket", {"bucket": "data-bucket", "acl": "public-read-write"}, 1),
        ("aws:s3/bucket:Bucket", {"bucket": "data-bucket", "grants": [{"type": "Group", "uri": GROUP}]}, 1),
        ("aws:s3/bucketObjectv2:BucketObjectv2", {"bucket": "data-bucket", "key": "a", "acl": "public-read"}, 1),
    ],
)
def test_s3_acls(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "acl", props)), RULE)) == violations


ALL_ON = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}


@pytest.mark.parametrize(
    ("props", "violations"),
    [
        (ALL_ON, 0),
        ({**ALL_ON, "blockPublicPolicy": False}, 1),
        ({"blockPublicAcls": True, "ignorePublicAcls": True}, 2),
    ],
)
def test_public_access_blocks(props: dict[str, Any], violations: int) -> None:
    block = res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {"bucket": "data-bucket", **props})
    assert len(findings(run(block), RULE)) == violations


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("gcp:storage/bucketIAMMember:BucketIAMMember", {"member": "serviceAccount:a@p.iam.gserviceaccount.com"}, 0),
        ("gcp:storage/bucketIAMMember:BucketIAMMember", {"member": "allUsers"}, 1),
        (
            "gcp:storage/bucketIAMBinding:BucketIAMBinding",
            {"members": ["user:a@example.com", "allAuthenticatedUsers"]},
            1,
        ),
        (
            "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
            {"policyData": json.dumps({"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]})},
            1,
        ),
        ("gcp:storage/bucketACL:BucketACL", {"roleEntities": ["OWNER:user-a@example.com"]}, 0),
        ("gcp:storage/bucketACL:BucketACL", {"roleEntities": ["READER:allUsers"]}, 1),
        ("gcp:storage/bucketACL:BucketACL", {"predefinedAcl": "publicRead"}, 1),
        (
            "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
            {"entity": "allUsers", "role": "READER"},
            1,
        ),
    ],
)
def test_cloud_storage_grants(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "grant", {"bucket": "data", **props})), RULE)) == violations


@pytest.mark.parametrize(("prevention", "violations"), [("enforced", 0), ("inherited", 1), (None, 1)])
def test_public_access_prevention(prevention: str | None, violations: int) -> None:
    bucket = gcs("data", "europe-west4")
    if prevention is None:
        del bucket.inputs["publicAccessPrevention"]
    else:
        bucket.inputs["publicAccessPrevention"] = prevention
    assert len(findings(run(bucket), RULE)) == violations


SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"


@pytest.mark.parametrize(
    ("source_type", "output", "verified"),
    [
        (SERVICE_ACCOUNT, "member", True),
        (SERVICE_ACCOUNT, "email", True),
        (SERVICE_ACCOUNT, "name", False),  # a service account's resource name is not a principal
        ("gcp:kms/cryptoKey:CryptoKey", "id", False),
        (SERVICE_ACCOUNT, None, False),  # computed from the account: account.email.apply(...) can be anything
    ],
)
def test_at_preview_an_unknown_member_passes_only_as_a_service_accounts_own_output(
    source_type: str, output: str | None, verified: bool
) -> None:
    source = res(source_type, "source")
    grant = res(
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "grant",
        {"bucket": "data", "role": "roles/storage.objectViewer", "member": UNKNOWN},
        deps={"member": [source]},
    )
    if output is not None:
        grant.verbatim_sources = {"member": (source.urn, output)}
    found = findings(run(source, grant, preview=True), RULE)
    assert found == ([] if verified else [("grant", "member", found[0][2])])
    assert verified or "could not verify member" in found[0][2]


def test_at_preview_an_unknown_member_of_a_binding_is_judged_on_its_own() -> None:
    account = res(SERVICE_ACCOUNT, "reader")
    binding = res(
        "gcp:storage/bucketIAMBinding:BucketIAMBinding",
        "readers",
        {"bucket": "data", "role": "roles/storage.objectViewer", "members": ["group:ml@example.com", UNKNOWN]},
        deps={"members": [account]},
    )
    (found,) = findings(run(account, binding, preview=True), RULE)
    assert found[:2] == ("readers", "members[1]") and "could not verify" in found[2]
    binding.verbatim_sources = {"members[1]": (account.urn, "member")}
    assert findings(run(account, binding, preview=True), RULE) == []


# --- what fixes who (issue 12, review findings 6 and 14) ---------------------------------------------


@pytest.mark.parametrize(
    ("condition", "violations"),
    [
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, 0),
        ({"StringLike": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, 0),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}, 0),
        ({"ForAnyValue:StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}}, 0),
        ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}}, 0),
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, 0),
        # only says some endpoint, account or principal is present: any, an attacker's too
        ({"Null": {"aws:SourceVpce": "false"}}, 1),
        ({"Null": {"aws:SourceAccount": "false"}}, 1),
        ({"ForAllValues:StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}}, 1),
        # the whole internet, or wider than S3 allows a non-public policy (/8 IPv4, /32 IPv6)
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, 1),
        ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/1"]}}, 1),
        ({"IpAddress": {"aws:SourceIp": "::/0"}}, 1),
        ({"IpAddress": {"aws:SourceIp": "2001::/16"}}, 1),
        ({"IpAddress": {"aws:SourceIp": "::ffff:0:0/96"}}, 1),
        ({"IpAddress": {"aws:SourceIp": "not an address"}}, 1),
        ({"StringEquals": {"aws:SourceIp": "203.0.113.7"}}, 1),
        # a policy variable is not a fixed value
        ({"StringEquals": {"aws:PrincipalAccount": "${aws:SourceAccount}"}}, 1),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sqs:eu-west-1:111122223333:*"}}, 1),
    ],
)
def test_only_fixed_values_under_value_comparing_operators_fix_who(condition: dict[str, Any], violations: int) -> None:
    policy = res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "p",
        {"bucket": "data-bucket", "policy": document({**READ_ALL, "Condition": condition})},
    )
    found = findings(run(s3(), policy), RULE)
    assert len(found) == violations, found
    assert all(message == "the bucket policy allows anyone" for _, _, message in found)


DELEGATE = {
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": "*",
    "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
}
AP_ARN = "arn:aws:s3:eu-west-1:111122223333:accesspoint"


@pytest.mark.parametrize(
    ("condition", "violations"),
    [
        ({"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}, 0),
        ({"ArnLike": {"s3:DataAccessPointArn": f"{AP_ARN}/*"}}, 0),  # a wildcard for the name, the account fixed
        ({"StringLike": {"s3:DataAccessPointArn": "arn:aws:s3:eu-west-1:*:accesspoint/*"}}, 1),
        ({"StringLike": {"s3:DataAccessPointAccount": "*"}}, 1),
    ],
)
def test_bucket_policies_may_delegate_to_the_accounts_access_points(condition: dict[str, Any], violations: int) -> None:
    policy = res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "p",
        {"bucket": "data-bucket", "policy": document({**DELEGATE, "Condition": condition})},
    )
    assert len(findings(run(s3(), policy), RULE)) == violations


ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
AP_POLICY = "aws:s3control/accessPointPolicy:AccessPointPolicy"
AP_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{AP_ARN}/ap/object/*"}
AP_ROLE = {**AP_READ, "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}}


@pytest.mark.parametrize(
    ("props", "paths"),
    [
        ({}, []),  # every block public access setting defaults to true
        ({"policy": document(AP_ROLE)}, []),
        ({"policy": document(AP_READ), "vpcConfiguration": {"vpcId": "vpc-1"}}, []),  # a VPC origin is non-public
        ({"policy": document(AP_READ)}, ["policy"]),
        # in an access point policy, a set of access points is public (unlike in a bucket policy)
        (
            {"policy": document({**AP_READ, "Condition": {"ArnLike": {"s3:DataAccessPointArn": f"{AP_ARN}/*"}}})},
            ["policy"],
        ),
        (
            {"publicAccessBlockConfiguration": {"blockPublicPolicy": False, "restrictPublicBuckets": False}},
            [
                "publicAccessBlockConfiguration.blockPublicPolicy",
                "publicAccessBlockConfiguration.restrictPublicBuckets",
            ],
        ),
        ({"policy": "not json"}, ["policy"]),
    ],
)
def test_access_points(props: dict[str, Any], paths: list[str]) -> None:
    point = res(ACCESS_POINT, "ap", {"bucket": "data-bucket", "name": "ap", **props})
    assert [path for _, path, _ in findings(run(s3(), point), RULE)] == paths


@pytest.mark.parametrize(
    ("statement", "vpc", "violations"), [(AP_ROLE, None, 0), (AP_READ, None, 1), (AP_READ, "vpc-1", 0)]
)
def test_separate_access_point_policies_are_judged_as_their_access_points(
    statement: dict[str, Any], vpc: str | None, violations: int
) -> None:
    point = res(ACCESS_POINT, "ap", {"bucket": "data-bucket", **({"vpcConfiguration": {"vpcId": vpc}} if vpc else {})})
    policy = res(
        AP_POLICY,
        "ap-policy",
        {"accessPointArn": UNKNOWN, "policy": document(statement)},
        deps={"accessPointArn": [point]},
    )
    policy.verbatim_sources = {"accessPointArn": (point.urn, "arn")}
    found = findings(run(s3(), point, policy, preview=True), RULE)
    assert len(found) == violations, found
    assert all(message == "the access point policy allows anyone" for _, _, message in found)


def test_at_preview_an_access_point_arn_computed_from_a_vpc_access_point_is_not_trusted() -> None:
    point = res(ACCESS_POINT, "ap", {"bucket": "data-bucket", "vpcConfiguration": {"vpcId": "vpc-1"}})
    policy = res(
        AP_POLICY,
        "ap-policy",
        {"accessPointArn": UNKNOWN, "policy": document(AP_READ)},
        deps={"accessPointArn": [point]},
    )
    assert only(run(s3(), point, policy, preview=True), RULE)[:2] == ("ap-policy", "policy")


def test_an_access_point_setting_unknown_at_preview_cannot_be_verified() -> None:
    point = res(
        ACCESS_POINT, "ap", {"bucket": "data-bucket", "publicAccessBlockConfiguration": {"blockPublicPolicy": UNKNOWN}}
    )
    assert only(run(point, preview=True), RULE)[2].startswith("could not verify publicAccessBlockConfiguration")
