"""Who a resource policy admits: "anyone" in AWS resource policies and in Google Cloud IAM.

Shared by AIS-NET-004 (object storage) and AIS-NET-006 (other data stores): an AWS policy statement allows
anyone when its principal is ``*`` (or it uses ``NotPrincipal``) without a condition that fixes who, by S3's own
definition of a non-public policy; a Google Cloud grant is to anyone when its member is ``allUsers`` or
``allAuthenticatedUsers``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .framework import Check, Subject, Unknown, document_template, flows_from, is_set, items, literal, read
from .s3 import as_list, policy_document, statements

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

# Cloud Storage docs, "IAM principals" and "Access control lists": allUsers and allAuthenticatedUsers
# (ACL entities allUsers / allAuthenticatedUsers) (read 2026-11-30); the same principals in every Google Cloud
# IAM policy (Cloud IAM docs, "Principal types": allUsers, allAuthenticatedUsers).
PUBLIC_GCP_PRINCIPALS = frozenset({"allusers", "allauthenticatedusers"})
NOT_PUBLIC = "no grant to anyone"
SERVICE_ACCOUNT_TYPE = "gcp:serviceaccount/account:Account"
SERVICE_ACCOUNT_OUTPUTS = frozenset({"member", "email"})
SERVICE_ACCOUNTS: Mapping[str, frozenset[str]] = {SERVICE_ACCOUNT_TYPE: SERVICE_ACCOUNT_OUTPUTS}
"""Per type, the outputs of it that name one identity, never the public (AIS-NET-004 accepts these)."""
# pulumi_gcp projects/service_identity.py, member: "The Identity of the Google managed service account in the form
# 'serviceAccount:{email}'": one service agent, never the public.
IDENTITIES: Mapping[str, frozenset[str]] = {
    **SERVICE_ACCOUNTS,
    "gcp:projects/serviceIdentity:ServiceIdentity": frozenset({"member", "email"}),
}


def narrow_network(value: str) -> bool:
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


def fixed_value(key: str, value: str, access_point: bool) -> bool:
    """Whether one condition value names fixed requesters: no policy variable, no wildcard (in a bucket policy,
    an access point ARN may end in a wildcard for the access point name once the account is fixed: the S3 page
    above; in an access point policy a set of access points is public, and the access point itself restricts
    nothing), a narrow network for aws:SourceIp."""
    if "${" in value:
        return False
    if key == SOURCE_IP:
        return narrow_network(value)
    if key == ACCESS_POINT_ARN:
        if access_point:
            return False
        account_part, _, name = value.partition(":accesspoint/")
        fixed_account = re.search(r":\d{12}$", account_part) is not None
        return bool(name) and fixed_account and not any(c in account_part for c in "*?")
    return not any(c in value for c in "*?")


def restricted(condition: Any, access_point: bool = False, extra_keys: frozenset[str] = frozenset()) -> bool:
    """Whether a statement's condition fixes who may act: a restricting key compared with fixed values by a
    value-comparing operator (:data:`STRING_OPERATORS` for names and ARNs, ``IpAddress`` for ``aws:SourceIp``),
    optionally ``ForAnyValue:``; never ``Null``, ``Bool``, a negated or ``...IfExists`` operator, or
    ``ForAllValues:``. ``extra_keys`` (lower case) are a service's own keys that fix the caller as well."""
    if not isinstance(condition, Mapping):
        return False
    for operator, entries in condition.items():
        name = str(operator).lower().removeprefix("foranyvalue:")
        if not isinstance(entries, Mapping) or name not in STRING_OPERATORS | IP_OPERATORS:
            continue
        for raw_key, value in entries.items():
            key = str(raw_key).lower()
            if (key not in RESTRICTING_KEYS and key not in extra_keys) or (key == SOURCE_IP) != (name in IP_OPERATORS):
                continue
            values = as_list(value)
            if values and all(isinstance(v, str) and fixed_value(key, v, access_point) for v in values):
                return True
    return False


def to_anyone(
    statement: Mapping[str, Any], access_point: bool = False, extra_keys: frozenset[str] = frozenset()
) -> bool:
    """An Allow statement for anyone (``*`` as a principal, or ``NotPrincipal``) whose condition does not fix who."""
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    principals = principal.values() if isinstance(principal, Mapping) else [principal]
    return any("*" in as_list(value) for value in principals) and not restricted(
        statement.get("Condition"), access_point, extra_keys
    )


def judge_policy(
    check: Check,
    resource: Subject,
    path: str,
    what: str,
    access_point: bool = False,
    extra_keys: frozenset[str] = frozenset(),
) -> None:
    """The AWS resource policy at ``path`` (JSON text or an object): fails when a statement allows anyone
    (:func:`to_anyone`), when it cannot be read as a document, and cannot be verified while unknown."""
    value = read(resource.props, path)
    if isinstance(value, Unknown):
        # Known but for values that are resources' own outputs (Output.json_dumps): judged around them; a
        # principal or condition value that is such an output is a name, never "*".
        value = document_template(resource, path)
        if value is None:
            check.cannot_verify(resource, Unknown(path), NOT_PUBLIC)
            return
    document = policy_document(value) if is_set(value) else None
    if is_set(value) and document is None:
        check.fail(resource, path, value, "a JSON policy document", "the policy cannot be read as a JSON document")
        return
    public = [s for s in statements(document or {}) if to_anyone(s, access_point, extra_keys)]
    if public:
        check.fail(
            resource,
            path,
            public,
            "Allow statements for named principals, or for anyone with a condition that fixes who",
            f"the {what} allows anyone",
        )


def gcp_members(
    paths: tuple[str, ...], identities: Mapping[str, frozenset[str]] = SERVICE_ACCOUNTS
) -> Callable[[Check, Subject], None]:
    """Members at ``paths`` (a member, a list of members, or entities such as ``READER:allUsers``); an unknown
    one is accepted when it is verbatim one of ``identities``' outputs (type -> output names)."""

    def verify(check: Check, resource: Subject) -> None:
        for path in paths:
            value = read(resource.props, path)
            listed = isinstance(value, Sequence) and not isinstance(value, str)
            members = list(items(resource.props, path)) if listed else [(path, value)]
            for _, member in members:
                if isinstance(member, Unknown) and not is_identity(resource, member, identities):
                    check.cannot_verify(resource, member, NOT_PUBLIC)
            public = [m for _, m in members if is_set(m) and str(m).rsplit(":", 1)[-1].lower() in PUBLIC_GCP_PRINCIPALS]
            if public:
                check.fail(resource, path, public, NOT_PUBLIC, f"grants to {literal(public)}, that is to anyone")

    return verify


def gcp_policy_data(check: Check, resource: Subject) -> None:
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


def is_identity(
    resource: Subject, member: Unknown, identities: Mapping[str, frozenset[str]] = SERVICE_ACCOUNTS
) -> bool:
    """An unknown member that is verbatim one identity's own output (by default a service account's ``member`` or
    ``email``): never the public."""
    return any(
        source.resource_type == type_token
        for type_token, outputs in identities.items()
        for source in flows_from(resource, member.path, outputs)
    )
