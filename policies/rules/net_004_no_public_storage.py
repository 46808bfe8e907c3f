"""AIS-NET-004: object storage is not public.

S3: bucket policies (separate or inline) that allow anyone, public canned ACLs and grants to the
AllUsers/AuthenticatedUsers groups, public access blocks with a setting off. Cloud Storage: IAM members,
bindings and policies that name allUsers or allAuthenticatedUsers, ACLs and access controls for those
entities, and buckets whose public access prevention is not enforced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, Subject, Unknown, flows_from, is_set, items, literal, read, stack_policy
from ..s3 import as_list, policy_document, statements

META = RuleMeta(
    id="AIS-NET-004",
    name="ObjectStorageIsNotPublic",
    title="Object storage is not public",
    description="No S3 bucket policy allows anyone without a condition that fixes who (a VPC endpoint, an "
    "organization, an account, source addresses); no public ACL or grant to all (authenticated) users; every "
    "S3 public access block setting on; no Cloud Storage IAM grant, ACL or access control for allUsers or "
    "allAuthenticatedUsers; Cloud Storage public access prevention enforced.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.EncryptedBucket / aistacks.gcp.EncryptedBucket; grant named principals or "
    "add a condition on aws:SourceVpce, aws:PrincipalOrgID or aws:SourceAccount; use private ACLs; set all four "
    "public access block settings to true; set publicAccessPrevention to enforced; serve public content "
    "through a CDN with its own origin access instead.",
)

# Amazon S3 API Reference, PublicAccessBlockConfiguration: S3 considers a policy public unless it limits
# access to CIDRs (aws:SourceIp) or grants to a fixed principal, aws:SourceArn, aws:SourceVpc,
# aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, KMS key id or aws:userid (read 2026-11-30). The
# principal keys (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn) fix the principal as well.
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
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
    )
)
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
SERVICE_ACCOUNT_OUTPUTS = frozenset({"member", "email"})


def _restricted(condition: Any) -> bool:
    """Whether a statement's condition fixes who may act: a restricting key under a positive operator
    (not negated, not ...IfExists, which passes when the key is absent), with no wildcard value."""
    if not isinstance(condition, Mapping):
        return False
    for operator, entries in condition.items():
        name = str(operator)
        if "Not" in name or name.endswith("IfExists") or not isinstance(entries, Mapping):
            continue
        for key, value in entries.items():
            values = [str(v) for v in as_list(value)]
            if str(key).lower() in RESTRICTING_KEYS and values and not any("*" in v or "?" in v for v in values):
                return True
    return False


def _to_anyone(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    principals = principal.values() if isinstance(principal, Mapping) else [principal]
    return any("*" in as_list(value) for value in principals) and not _restricted(statement.get("Condition"))


def _bucket_policy(check: Check, resource: Subject) -> None:
    value = read(resource.props, "policy")
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, NOT_PUBLIC)
        return
    document = policy_document(value) if is_set(value) else None
    public = [s for s in statements(document or {}) if _to_anyone(s)]
    if public:
        check.fail(
            resource,
            "policy",
            public,
            "Allow statements for named principals, or for anyone with a condition that fixes who",
            "the bucket policy allows anyone",
        )


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
        verify = CHECKS.get(resource.resource_type)
        if verify is not None:
            verify(check, resource)


POLICY = stack_policy(META, _check)
