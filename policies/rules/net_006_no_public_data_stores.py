"""AIS-NET-006: data stores other than object storage are not public.

Three ways a data store is left open to anyone, each judged per type in :data:`CHECKS` (a new type is one
entry): a network exposure flag (a database or notebook given a public address, a Cloud SQL instance
admitting the internet, an OpenSearch domain outside a VPC whose access policy admits anyone); an AWS
resource policy that allows anyone without a condition that fixes who (S3's definition, shared with
AIS-NET-004 in :mod:`policies.iam`); a Google Cloud IAM grant to ``allUsers`` or ``allAuthenticatedUsers``
(BigQuery datasets and tables, Pub/Sub, Artifact Registry, Cloud KMS, Secret Manager, Spanner). Object storage
is AIS-NET-004's; Lambda permissions and Cloud Functions/Cloud Run invokers are compute, not data, and are not
judged here. A value unknown until the update cannot be verified (the policies are judged as written).
"""

from __future__ import annotations

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
from ..iam import IDENTITIES, NOT_PUBLIC, gcp_members, gcp_policy_data, judge_policy, narrow_network

META = RuleMeta(
    id="AIS-NET-006",
    name="DataStoresAreNotPublic",
    title="Data stores are not public",
    description="No database, warehouse, queue, topic, registry, file system, vault, secret, key or index is "
    "left open to anyone: RDS and Redshift instances and clusters, DMS replication instances are not publicly "
    "accessible; a Cloud SQL instance with a public IPv4 address authorizes no network wider than /8 (IPv4) or "
    "/32 (IPv6); a SageMaker notebook has no direct internet access; an OpenSearch/Elasticsearch domain outside "
    "a VPC, and the SQS, SNS, ECR, EFS, Glacier, Secrets Manager, KMS, DynamoDB and Kinesis resource policies, "
    "allow anyone only with a condition that fixes who (as AIS-NET-004 judges bucket policies); no BigQuery, "
    "Pub/Sub, Artifact Registry, Cloud KMS, Secret Manager or Spanner IAM grant or dataset access entry is to "
    "allUsers or allAuthenticatedUsers.",
    severity=Severity.HIGH,
    remediation="Set publiclyAccessible to false (DMS: explicitly, its default is public) and reach databases "
    "through the VPC; on Cloud SQL turn ipv4Enabled off and use a private network (or authorize only your own "
    "narrow ranges); set a SageMaker notebook's directInternetAccess to Disabled with a subnet; put OpenSearch "
    "domains in a VPC (vpcOptions); in resource policies name principals, or add a StringEquals condition on "
    "aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID or aws:SourceVpce with a fixed value (KMS: "
    "kms:CallerAccount); grant Google Cloud roles to named members, never allUsers or allAuthenticatedUsers.",
)

Verify = Callable[[Check, Subject], None]

# --- network exposure flags ------------------------------------------------------------------------------------


def _flag(path: str, public: Any, default_public: bool, what: str) -> Verify:
    """A setting whose value ``public`` (or, unset, its default) gives the resource a public address."""

    def verify(check: Check, resource: Subject) -> None:
        value = read(resource.props, path)
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, f"not {literal(public)}")
        elif value == public or (value in (MISSING, None) and default_public):
            unset = "" if value == public else f", unset it is {literal(public)}"
            check.fail(
                resource,
                path,
                value,
                f"set, and not {literal(public)}" if default_public else f"not {literal(public)}",
                f"{what} is reachable from the internet ({path} {literal(public)}{unset})",
            )

    return verify


# pulumi_aws rds/instance.py and rds/cluster_instance.py, publicly_accessible: "Default is `false`" / "Default
# `false`"; redshift/cluster.py: "If true, the cluster can be accessed from a public network. Default is `false`."
_RDS_INSTANCE = _flag("publiclyAccessible", True, False, "the database instance")
_REDSHIFT = _flag("publiclyAccessible", True, False, "the Redshift cluster")
# pulumi_aws dms/replication_instance.py gives no default ("A value of true represents an instance with a public
# IP address"); the DMS API's does: CreateReplicationInstance PubliclyAccessible, "The default value is true"
# (https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html, read 2026-12-01). So
# an unset flag is public.
_DMS = _flag("publiclyAccessible", True, True, "the DMS replication instance")
# pulumi_aws sagemaker/notebook_instance.py, direct_internet_access: "Supported values: `Enabled` (Default) or
# `Disabled`".
_NOTEBOOK = _flag("directInternetAccess", "Enabled", True, "the SageMaker notebook instance")


def _cloud_sql(check: Check, resource: Subject) -> None:
    """A Cloud SQL instance's public IPv4 address admits its authorized networks: none may be the internet. A
    network wider than /8 (IPv4) or /32 (IPv6) counts as the internet, S3's bound for a non-public policy (the
    one AIS-NET-004 uses, :func:`policies.iam.narrow_network`). pulumi_gcp sql/_inputs.py, ipv4_enabled:
    "Whether this Cloud SQL instance should be assigned a public IPV4 address" (no default given: unset, it is
    taken as on); authorized_networks[].value: "A CIDR notation IPv4 or IPv6 address that is allowed to access
    this instance"."""
    base = "settings.ipConfiguration"
    enabled = read(resource.props, f"{base}.ipv4Enabled")
    if enabled is False:
        return
    wide: list[Any] = []
    for network_path, _ in items(resource.props, f"{base}.authorizedNetworks"):
        value = read(resource.props, f"{network_path}.value")
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, "a network no wider than /8 (IPv4) or /32 (IPv6)")
        elif is_set(value) and not narrow_network(str(value)):
            wide.append(value)
    if wide:
        check.fail(
            resource,
            f"{base}.authorizedNetworks",
            wide,
            "authorized networks no wider than /8 (IPv4) or /32 (IPv6), or ipv4Enabled false",
            f"the instance's public IPv4 address admits {literal(wide)}, that is the internet",
        )


# --- resource policies ------------------------------------------------------------------------------------------

# AWS KMS Developer Guide, "AWS KMS condition keys", kms:CallerAccount: "controls access to ... operations based on
# the AWS account identifier of the caller" (https://docs.aws.amazon.com/kms/latest/developerguide/
# conditions-kms.html#conditions-kms-caller-account, read 2026-12-01): a fixed account fixes who, as
# aws:PrincipalAccount does.
KMS_KEYS = frozenset({"kms:calleraccount"})


def _policy(path: str, what: str, extra_keys: frozenset[str] = frozenset()) -> Verify:
    def verify(check: Check, resource: Subject) -> None:
        judge_policy(check, resource, path, what, extra_keys=extra_keys)

    return verify


def _in_vpc(resource: Subject) -> bool:
    """An OpenSearch/Elasticsearch domain with VPC access: pulumi_aws opensearch/domain.py, vpc_options:
    "Configuration block for VPC related options" (https://docs.aws.amazon.com/opensearch-service/latest/
    developerguide/vpc.html: a VPC domain is reachable from the VPC only). Unknown subnets do not count."""
    subnets = read(resource.props, "vpcOptions.subnetIds")
    return isinstance(subnets, Sequence) and not isinstance(subnets, str) and any(is_set(s) for s in subnets)


def _domain(check: Check, resource: Subject) -> None:
    if not _in_vpc(resource):
        judge_policy(check, resource, "accessPolicies", "domain access policy")


DOMAIN_TYPES = frozenset({"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"})
DOMAIN_POLICY_TYPES = frozenset(
    {"aws:opensearch/domainPolicy:DomainPolicy", "aws:elasticsearch/domainPolicy:DomainPolicy"}
)


def _domain_policy(check: Check, resource: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    """A separate domain policy: not judged when every domain it is for (by ``domainName``, or computed from one in
    the stack; unknown until the update, verbatim its name) is in a VPC."""
    target = read(resource.props, "domainName")
    if isinstance(target, Unknown):
        domains = [r for r in flows_from(resource, "domainName", {"domainName"}) if r.resource_type in DOMAIN_TYPES]
    else:
        sources = {source.urn for source in resource.property_dependencies.get("domainName", [])}
        domains = [
            r
            for r in resources
            if r.resource_type in DOMAIN_TYPES
            and (r.urn in sources or (is_set(target) and target == read(r.props, "domainName")))
        ]
    if domains and all(_in_vpc(domain) for domain in domains):
        return
    judge_policy(check, resource, "accessPolicies", "domain access policy")


# --- Google Cloud IAM -------------------------------------------------------------------------------------------


def _gcp_iam(prefix: str, iam: str) -> dict[str, Verify]:
    """The member, binding and policy resources of one IAM-bearing type, ``gcp:<service>/<x><Iam>Member:...``
    (the SDK spells ``Iam`` or ``IAM`` per service)."""
    service, _, name = prefix.partition("/")
    head = f"{service}/{name}{iam}"
    title = name[0].upper() + name[1:]
    return {
        f"{head}Member:{title}{iam}Member": gcp_members(("member",), IDENTITIES),
        f"{head}Binding:{title}{iam}Binding": gcp_members(("members",), IDENTITIES),
        f"{head}Policy:{title}{iam}Policy": gcp_policy_data,
    }


def _bigquery_access(check: Check, resource: Subject) -> None:
    """A ``bigquery.DatasetAccess`` entry: pulumi_gcp bigquery/dataset_access.py, special_group
    "allAuthenticatedUsers: All authenticated BigQuery users", iam_member "allUsers" as a member."""
    _special_group(check, resource, "specialGroup")
    gcp_members(("iamMember",), IDENTITIES)(check, resource)


def _special_group(check: Check, resource: Subject, path: str) -> None:
    value = read(resource.props, path)
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, NOT_PUBLIC)
    elif value == "allAuthenticatedUsers":
        check.fail(resource, path, value, NOT_PUBLIC, "the access entry is for every authenticated Google user")


def _bigquery_dataset(check: Check, resource: Subject) -> None:
    """A dataset's inline ``accesses[]``: their ``specialGroup`` and ``iamMember``."""
    for access_path, access in items(resource.props, "accesses"):
        if isinstance(access, Unknown):
            check.cannot_verify(resource, access, NOT_PUBLIC)
            continue
        _special_group(check, resource, f"{access_path}.specialGroup")
        gcp_members((f"{access_path}.iamMember",), IDENTITIES)(check, resource)


CHECKS: Mapping[str, Verify] = {
    # network exposure
    "aws:rds/instance:Instance": _RDS_INSTANCE,
    "aws:rds/clusterInstance:ClusterInstance": _RDS_INSTANCE,
    "aws:redshift/cluster:Cluster": _REDSHIFT,
    "aws:dms/replicationInstance:ReplicationInstance": _DMS,
    "aws:sagemaker/notebookInstance:NotebookInstance": _NOTEBOOK,
    "gcp:sql/databaseInstance:DatabaseInstance": _cloud_sql,
    "aws:opensearch/domain:Domain": _domain,
    "aws:elasticsearch/domain:Domain": _domain,
    # AWS resource policies (each SDK's ``policy`` / ``access_policy`` input: a JSON policy document)
    "aws:sqs/queue:Queue": _policy("policy", "queue policy"),
    "aws:sqs/queuePolicy:QueuePolicy": _policy("policy", "queue policy"),
    "aws:sns/topic:Topic": _policy("policy", "topic policy"),
    "aws:sns/topicPolicy:TopicPolicy": _policy("policy", "topic policy"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _policy("policy", "repository policy"),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": _policy("policy", "file system policy"),
    "aws:glacier/vault:Vault": _policy("accessPolicy", "vault access policy"),
    "aws:secretsmanager/secret:Secret": _policy("policy", "secret policy"),
    "aws:secretsmanager/secretPolicy:SecretPolicy": _policy("policy", "secret policy"),
    "aws:kms/key:Key": _policy("policy", "key policy", KMS_KEYS),
    "aws:kms/keyPolicy:KeyPolicy": _policy("policy", "key policy", KMS_KEYS),
    "aws:dynamodb/resourcePolicy:ResourcePolicy": _policy("policy", "table policy"),
    "aws:kinesis/resourcePolicy:ResourcePolicy": _policy("policy", "stream policy"),
    # Google Cloud IAM (types as pulumi_gcp names them; bigquery/iamMember etc. are table IAM)
    **_gcp_iam("gcp:bigquery/dataset", "Iam"),
    "gcp:bigquery/iamMember:IamMember": gcp_members(("member",), IDENTITIES),
    "gcp:bigquery/iamBinding:IamBinding": gcp_members(("members",), IDENTITIES),
    "gcp:bigquery/iamPolicy:IamPolicy": gcp_policy_data,
    "gcp:bigquery/datasetAccess:DatasetAccess": _bigquery_access,
    "gcp:bigquery/dataset:Dataset": _bigquery_dataset,
    **_gcp_iam("gcp:pubsub/topic", "IAM"),
    **_gcp_iam("gcp:pubsub/subscription", "IAM"),
    **_gcp_iam("gcp:artifactregistry/repository", "Iam"),
    **_gcp_iam("gcp:kms/cryptoKey", "IAM"),
    **_gcp_iam("gcp:kms/keyRing", "IAM"),
    **_gcp_iam("gcp:secretmanager/secret", "Iam"),
    **_gcp_iam("gcp:secretmanager/regionalSecret", "Iam"),
    **_gcp_iam("gcp:spanner/database", "IAM"),
    **_gcp_iam("gcp:spanner/instance", "IAM"),
}
"""Each data store type and how it can be made public; a new type is one entry (separate OpenSearch and
Elasticsearch domain policies are judged with their domain, :func:`_domain_policy`)."""


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    # A stack rule: unknown members are judged by the resource they come from, domain policies by their domain.
    for resource in resources:
        if resource.resource_type in DOMAIN_POLICY_TYPES:
            _domain_policy(check, resource, resources)
            continue
        verify = CHECKS.get(resource.resource_type)
        if verify is not None:
            verify(check, resource)


POLICY = stack_policy(META, _check)
