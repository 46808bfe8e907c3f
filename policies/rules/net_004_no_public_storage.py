"""AIS-NET-004: object storage is not public.

S3: bucket policies (separate or inline) and access point policies (on the access point or separate) that allow
anyone, public canned ACLs and grants to the AllUsers/AuthenticatedUsers groups, public access blocks (bucket,
account, access point) with a setting off. Cloud Storage: IAM members,
bindings and policies that name allUsers or allAuthenticatedUsers, ACLs and access controls for those
entities, and buckets whose public access prevention is not enforced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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
from ..iam import NOT_PUBLIC, gcp_members, gcp_policy_data, judge_policy

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

# Amazon S3 User Guide, "Access control list (ACL) overview": canned ACLs and the predefined groups
# (read 2026-11-30).
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = frozenset(
    {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}
)
# What makes a policy, an IAM grant or an ACL entity public (S3's definition, the /8 and /32 bounds, allUsers and
# allAuthenticatedUsers) is in policies/iam.py, shared with AIS-NET-006.
# Cloud Storage docs, "Access control lists": predefined ACLs publicRead, publicReadWrite, authenticatedRead
# (read 2026-11-30).
PUBLIC_PREDEFINED_ACLS = frozenset({"publicRead", "publicReadWrite", "authenticatedRead"})
# pulumi_aws s3.BucketPublicAccessBlock: each setting "Defaults to `false`" when unset (SDK docstrings).
ACCESS_BLOCK_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
ACCESS_POINT_TYPE = "aws:s3/accessPoint:AccessPoint"
ACCESS_POINT_POLICY_TYPE = "aws:s3control/accessPointPolicy:AccessPointPolicy"


def _policy(check: Check, resource: Subject, access_point: bool = False) -> None:
    """The resource's ``policy``: a bucket policy, or an access point's (judged by S3's access point rules)."""
    judge_policy(check, resource, "policy", "access point policy" if access_point else "bucket policy", access_point)


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
    gcp_members(("roleEntities",))(check, resource)


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
    "gcp:storage/bucketIAMMember:BucketIAMMember": gcp_members(("member",)),
    "gcp:storage/bucketIAMBinding:BucketIAMBinding": gcp_members(("members",)),
    "gcp:storage/bucketIAMPolicy:BucketIAMPolicy": gcp_policy_data,
    "gcp:storage/managedFolderIamMember:ManagedFolderIamMember": gcp_members(("member",)),
    "gcp:storage/managedFolderIamBinding:ManagedFolderIamBinding": gcp_members(("members",)),
    "gcp:storage/managedFolderIamPolicy:ManagedFolderIamPolicy": gcp_policy_data,
    "gcp:storage/bucketACL:BucketACL": _gcp_acl,
    "gcp:storage/objectACL:ObjectACL": _gcp_acl,
    "gcp:storage/defaultObjectACL:DefaultObjectACL": gcp_members(("roleEntities",)),
    "gcp:storage/bucketAccessControl:BucketAccessControl": gcp_members(("entity",)),
    "gcp:storage/objectAccessControl:ObjectAccessControl": gcp_members(("entity",)),
    "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl": gcp_members(("entity",)),
}
"""Each storage type and how it can be made public; a new type is one entry."""


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
