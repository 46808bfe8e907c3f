"""AIS-NET-004: object storage is not public.

S3: bucket policies (separate or inline) and access point policies (on the access point or separate) that allow
anyone, public canned ACLs and grants to the AllUsers/AuthenticatedUsers groups, public access blocks (bucket,
account, access point) with a setting off. Cloud Storage: IAM members,
bindings and policies that name allUsers or allAuthenticatedUsers, ACLs and access controls for those
entities, and buckets whose public access prevention is not enforced.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import (
    MISSING,
    Check,
    RuleMeta,
    Subject,
    Unknown,
    flows_from,
    is_set,
    items,
    literal,
    read,
    stack_policy,
)
from ..s3 import as_list, policy_document, statements

META = RuleMeta(
    id="AIS-NET-004",
    name="ObjectStorageIsNotPublic",
    title="Object storage is not public",
    description="No S3 bucket or access point policy allows anyone without a condition that fixes who: a fixed "
    "VPC endpoint, VPC, organization, account, ARN or access point account (StringEquals, ArnEquals, or StringLike/"
    "ArnLike without wildcards; no policy variables), or source addresses no wider than /8 (IPv4) or /32 (IPv6) "
    "under IpAddress; no public ACL or grant to all (authenticated) users; every S3 public access block setting on "
    "(an access point's not turned off); no Cloud Storage IAM grant, ACL or access control for allUsers or "
    "allAuthenticatedUsers; Cloud Storage public access prevention enforced.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.EncryptedBucket / aistacks.gcp.EncryptedBucket; grant named principals or "
    "add a StringEquals condition on aws:SourceVpce, aws:PrincipalOrgID, aws:SourceAccount or (delegating to "
    "access points) s3:DataAccessPointAccount with a fixed value; use private ACLs; set all four "
    "public access block settings to true; set publicAccessPrevention to enforced; serve public content "
    "through a CDN with its own origin access instead.",
)

# Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage", "The meaning of 'public'", Bucket
# policies (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
# #access-control-block-public-access-policy-status; wording read 2026-12-01 in its source,
# awsdocs/amazon-s3-userguide doc_source/access-control-block-public-access.md): "To be considered non-public, a
# bucket policy must grant access only to fixed values (values that don't contain a wildcard or an AWS Identity
# and Access Management Policy Variable)" for a principal, a set of CIDRs using aws:SourceIp, aws:SourceArn,
# aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id,
# aws:userid, s3:DataAccessPointArn and s3:DataAccessPointAccount. The principal keys (aws:PrincipalOrgID, the
# page's own example of a principal, aws:PrincipalAccount, aws:PrincipalArn) fix the principal as well.
RESTRICTING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceIp",
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
    )
)
SOURCE_IP = "aws:sourceip"
ACCESS_POINT_ARN = "s3:dataaccesspointarn"
# IAM User Guide, "IAM JSON policy elements: Condition operators"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html): only
# these compare the request's value with the policy's. Null only asks whether a key is present, Bool compares no
# identity, the Not... operators and ...IfExists (true when the key is absent) match requests from anyone else, and
# ForAllValues: is true when the request has no value for the key; ForAnyValue: needs one of the values.
STRING_OPERATORS = frozenset({"stringequals", "stringlike", "arnequals", "arnlike"})
IP_OPERATORS = frozenset({"ipaddress"})
# The same S3 page: "Bucket policies that grant access conditioned on the aws:SourceIp condition key with very
# broad IP ranges (for example, 0.0.0.0/1) are evaluated as 'public.' This includes values broader than /8 for
# IPv4 and /32 for IPv6". The rule takes S3's own bound, so that what it passes S3 also calls non-public.
WIDEST_IPV4_PREFIX = 8
WIDEST_IPV6_PREFIX = 32
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
# Amazon S3 User Guide, "Access control list (ACL) overview": canned ACLs and the predefined groups
# (read 2026-11-30).
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = frozenset(
    {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}
)
# Cloud Storage docs, "IAM principals" and "Access control lists": allUsers and allAuthenticatedUsers
# (ACL entities allUsers / allAuthenticatedUsers); predefined ACLs publicRead, publicReadWrite,
# authenticatedRead (read 2026-11-30).
PUBLIC_GCP_PRINCIPALS = frozenset({"allusers", "allauthenticatedusers"})
PUBLIC_PREDEFINED_ACLS = frozenset({"publicRead", "publicReadWrite", "authenticatedRead"})
# pulumi_aws s3.BucketPublicAccessBlock: each setting "Defaults to `false`" when unset (SDK docstrings).
ACCESS_BLOCK_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
NOT_PUBLIC = "no grant to anyone"
SERVICE_ACCOUNT_TYPE = "gcp:serviceaccount/account:Account"
ACCESS_POINT_TYPE = "aws:s3/accessPoint:AccessPoint"
ACCESS_POINT_POLICY_TYPE = "aws:s3control/accessPointPolicy:AccessPointPolicy"
SERVICE_ACCOUNT_OUTPUTS = frozenset({"member", "email"})


def _narrow_network(value: str) -> bool:
    """A CIDR (or address) no broader than S3 allows a non-public policy: /8 for IPv4, /32 for IPv6; an IPv6
    range over IPv4-mapped addresses counts by the IPv4 addresses it maps. Anything unreadable is not narrow."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if isinstance(network, ipaddress.IPv4Network):
        return network.prefixlen >= WIDEST_IPV4_PREFIX
    if network.overlaps(IPV4_MAPPED):
        return network.prefixlen - IPV4_MAPPED.prefixlen >= WIDEST_IPV4_PREFIX
    return network.prefixlen >= WIDEST_IPV6_PREFIX


def _fixed(key: str, value: str, access_point: bool) -> bool:
    """Whether one condition value names fixed requesters: no policy variable, no wildcard (in a bucket policy,
    an access point ARN may end in a wildcard for the access point name once the account is fixed: the S3 page
    above; in an access point policy a set of access points is public, and the access point itself restricts
    nothing), a narrow network for aws:SourceIp."""
    if "${" in value:
        return False
    if key == SOURCE_IP:
        return _narrow_network(value)
    if key == ACCESS_POINT_ARN:
        if access_point:
            return False
        account_part, _, name = value.partition(":accesspoint/")
        fixed_account = re.search(r":\d{12}$", account_part) is not None
        return bool(name) and fixed_account and not any(c in account_part for c in "*?")
    return not any(c in value for c in "*?")


def _restricted(condition: Any, access_point: bool = False) -> bool:
    """Whether a statement's condition fixes who may act: a restricting key compared with fixed values by a
    value-comparing operator (:data:`STRING_OPERATORS` for names and ARNs, ``IpAddress`` for ``aws:SourceIp``),
    optionally ``ForAnyValue:``; never ``Null``, ``Bool``, a negated or ``...IfExists`` operator, or
    ``ForAllValues:``."""
    if not isinstance(condition, Mapping):
        return False
    for operator, entries in condition.items():
        name = str(operator).lower().removeprefix("foranyvalue:")
        if not isinstance(entries, Mapping) or name not in STRING_OPERATORS | IP_OPERATORS:
            continue
        for raw_key, value in entries.items():
            key = str(raw_key).lower()
            if key not in RESTRICTING_KEYS or (key == SOURCE_IP) != (name in IP_OPERATORS):
                continue
            values = as_list(value)
            if values and all(isinstance(v, str) and _fixed(key, v, access_point) for v in values):
                return True
    return False


def _to_anyone(statement: Mapping[str, Any], access_point: bool = False) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    principals = principal.values() if isinstance(principal, Mapping) else [principal]
    return any("*" in as_list(value) for value in principals) and not _restricted(
        statement.get("Condition"), access_point
    )


def _policy(check: Check, resource: Subject, access_point: bool = False) -> None:
    """The resource's ``policy``: a bucket policy, or an access point's (judged by S3's access point rules)."""
    value = read(resource.props, "policy")
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, NOT_PUBLIC)
        return
    document = policy_document(value) if is_set(value) else None
    if is_set(value) and document is None:
        check.fail(resource, "policy", value, "a JSON policy document", "the policy cannot be read as a JSON document")
        return
    public = [s for s in statements(document or {}) if _to_anyone(s, access_point)]
    if public:
        check.fail(
            resource,
            "policy",
            public,
            "Allow statements for named principals, or for anyone with a condition that fixes who",
            f"the {'access point' if access_point else 'bucket'} policy allows anyone",
        )


def _bucket_policy(check: Check, resource: Subject) -> None:
    _policy(check, resource)


def _access_point(check: Check, resource: Subject) -> None:
    """An S3 access point: its own block public access settings (each "Defaults to `true`", pulumi_aws
    s3/_inputs.py AccessPointPublicAccessBlockConfigurationArgs; "All block public access settings are enabled by
    default for access points", https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html),
    and its policy unless its network origin is a VPC ("An access point that has a VPC network origin is always
    considered non-public, regardless of the contents of its access point policy", the S3 page above). A VPC
    unknown until the update does not count: the policy is judged as an internet access point's."""
    for setting in ACCESS_BLOCK_SETTINGS:
        path = f"publicAccessBlockConfiguration.{setting}"
        value = read(resource.props, path)
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, "true or not set")
        elif value is not MISSING and value is not True:
            check.fail(
                resource,
                path,
                value,
                "true or not set (defaults to true)",
                f"the access point's {setting} is {literal(value)}: that block public access protection is off",
            )
    if not is_set(read(resource.props, "vpcConfiguration.vpcId")):
        _policy(check, resource, access_point=True)


def _access_point_policy(check: Check, resource: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    """An ``s3control.AccessPointPolicy``: judged as its access point's policy; non-public when every access
    point it is attached to has a VPC network origin (``accessPointArn`` known and computed from one in the
    stack or equal to its ARN; unknown until the update, verbatim its ARN)."""
    target = read(resource.props, "accessPointArn")
    if isinstance(target, Unknown):  # only an access point it is verbatim the ARN of: computed, it can be anything
        points = [r for r in flows_from(resource, "accessPointArn", {"arn"}) if r.resource_type == ACCESS_POINT_TYPE]
    else:
        sources = {source.urn for source in resource.property_dependencies.get("accessPointArn", [])}
        points = [
            r
            for r in resources
            if r.resource_type == ACCESS_POINT_TYPE
            and (r.urn in sources or (is_set(target) and target == read(r.props, "arn")))
        ]
    if points and all(is_set(read(point.props, "vpcConfiguration.vpcId")) for point in points):
        return
    _policy(check, resource, access_point=True)


def _canned_acl(path: str, public: frozenset[str]) -> Callable[[Check, Subject], None]:
    def verify(check: Check, resource: Subject) -> None:
        acl = read(resource.props, path)
        if isinstance(acl, Unknown):
            check.cannot_verify(resource, acl, NOT_PUBLIC)
        elif acl in public:
            check.fail(resource, path, acl, "a private ACL", f"the ACL {literal(acl)} grants read access to anyone")

    return verify


def _s3_grants(check: Check, resource: Subject, path: str, uri_key: str) -> None:
    for grant_path, grant in items(resource.props, path):
        uri = grant if isinstance(grant, Unknown) else read(resource.props, f"{grant_path}.{uri_key}")
        if isinstance(uri, Unknown):
            check.cannot_verify(resource, Unknown(f"{grant_path}.{uri_key}"), NOT_PUBLIC)
        elif uri in PUBLIC_GROUP_URIS:
            check.fail(resource, f"{grant_path}.{uri_key}", uri, NOT_PUBLIC, "the grant is to a public group")


def _s3_bucket(check: Check, resource: Subject) -> None:
    _bucket_policy(check, resource)
    _canned_acl("acl", PUBLIC_CANNED_ACLS)(check, resource)
    _s3_grants(check, resource, "grants", "uri")


def _s3_bucket_acl(check: Check, resource: Subject) -> None:
    _canned_acl("acl", PUBLIC_CANNED_ACLS)(check, resource)
    _s3_grants(check, resource, "accessControlPolicy.grants", "grantee.uri")


def _access_block(check: Check, resource: Subject) -> None:
    for setting in ACCESS_BLOCK_SETTINGS:
        value = read(resource.props, setting)
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, "true")
        elif value is not True:
            check.fail(resource, setting, value, "true", f"{setting} is off (unset means false)")


def _gcp_members(paths: tuple[str, ...]) -> Callable[[Check, Subject], None]:
    """Members at ``paths`` (a member, a list of members, or entities such as ``READER:allUsers``)."""

    def verify(check: Check, resource: Subject) -> None:
        for path in paths:
            value = read(resource.props, path)
            listed = isinstance(value, Sequence) and not isinstance(value, str)
            members = list(items(resource.props, path)) if listed else [(path, value)]
            for _, member in members:
                if isinstance(member, Unknown) and not _is_service_account(resource, member):
                    check.cannot_verify(resource, member, NOT_PUBLIC)
            public = [m for _, m in members if is_set(m) and str(m).rsplit(":", 1)[-1].lower() in PUBLIC_GCP_PRINCIPALS]
            if public:
                check.fail(resource, path, public, NOT_PUBLIC, f"grants to {literal(public)}, that is to anyone")

    return verify


def _gcp_policy_data(check: Check, resource: Subject) -> None:
    value = read(resource.props, "policyData")
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, NOT_PUBLIC)
        return
    document = policy_document(value) if is_set(value) else None
    bindings = as_list((document or {}).get("bindings", []))
    members = [m for b in bindings if isinstance(b, Mapping) for m in as_list(b.get("members", []))]
    public = [m for m in members if str(m).lower() in PUBLIC_GCP_PRINCIPALS]
    if public:
        check.fail(resource, "policyData", public, NOT_PUBLIC, f"the IAM policy grants to {literal(public)}")


def _gcs_bucket(check: Check, resource: Subject) -> None:
    value = read(resource.props, "publicAccessPrevention")
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, '"enforced"')
    elif value != "enforced":
        check.fail(
            resource,
            "publicAccessPrevention",
            value,
            '"enforced"',
            "public access prevention is not enforced: any IAM grant or ACL to allUsers would make the bucket "
            "public (unset, it is inherited from the organization policy)",
        )


def _gcp_acl(check: Check, resource: Subject) -> None:
    _canned_acl("predefinedAcl", PUBLIC_PREDEFINED_ACLS)(check, resource)
    _gcp_members(("roleEntities",))(check, resource)


CHECKS: Mapping[str, Callable[[Check, Subject], None]] = {
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_policy,
    "aws:s3/accessPoint:AccessPoint": _access_point,
    "aws:s3/bucketAcl:BucketAcl": _s3_bucket_acl,
    "aws:s3/bucketAclV2:BucketAclV2": _s3_bucket_acl,
    "aws:s3/bucketObject:BucketObject": _canned_acl("acl", PUBLIC_CANNED_ACLS),
    "aws:s3/bucketObjectv2:BucketObjectv2": _canned_acl("acl", PUBLIC_CANNED_ACLS),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _access_block,
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": _access_block,
    "gcp:storage/bucket:Bucket": _gcs_bucket,
    "gcp:storage/bucketIAMMember:BucketIAMMember": _gcp_members(("member",)),
    "gcp:storage/bucketIAMBinding:BucketIAMBinding": _gcp_members(("members",)),
    "gcp:storage/bucketIAMPolicy:BucketIAMPolicy": _gcp_policy_data,
    "gcp:storage/managedFolderIamMember:ManagedFolderIamMember": _gcp_members(("member",)),
    "gcp:storage/managedFolderIamBinding:ManagedFolderIamBinding": _gcp_members(("members",)),
    "gcp:storage/managedFolderIamPolicy:ManagedFolderIamPolicy": _gcp_policy_data,
    "gcp:storage/bucketACL:BucketACL": _gcp_acl,
    "gcp:storage/objectACL:ObjectACL": _gcp_acl,
    "gcp:storage/defaultObjectACL:DefaultObjectACL": _gcp_members(("roleEntities",)),
    "gcp:storage/bucketAccessControl:BucketAccessControl": _gcp_members(("entity",)),
    "gcp:storage/objectAccessControl:ObjectAccessControl": _gcp_members(("entity",)),
    "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl": _gcp_members(("entity",)),
}
"""Each storage type and how it can be made public; a new type is one entry."""


def _is_service_account(resource: Subject, member: Unknown) -> bool:
    """An unknown member that is verbatim a service account's own ``member`` or ``email``: never the public."""
    return any(
        source.resource_type == SERVICE_ACCOUNT_TYPE
        for source in flows_from(resource, member.path, SERVICE_ACCOUNT_OUTPUTS)
    )


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    # A stack rule: an unknown member is judged by the resource it comes from (the engine's dependencies).
    for resource in resources:
        if resource.resource_type == ACCESS_POINT_POLICY_TYPE:
            _access_point_policy(check, resource, resources)
            continue
        verify = CHECKS.get(resource.resource_type)
        if verify is not None:
            verify(check, resource)


POLICY = stack_policy(META, _check)
