"""The typed stack config: what one environment asks for, validated before any resource exists.

``PlatformSpec`` is what a user writes under ``aistacks:platform`` in ``Pulumi.<env>.yaml``. Every
field that is left out takes the secure default of the environment's tier (``TIER_DEFAULTS``).
Structure and types are checked by pydantic; rules that relate fields to each other and to the
catalog (a region inside the jurisdiction) are checked by :func:`semantic_issues`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from aistacks._model import StrictModel
from aistacks.catalog import Cloud, known_jurisdictions, regions_in_jurisdiction, regions_of
from aistacks.compute import ClusterSpec, KubernetesVersion, compute_issues

Tier = Literal["dev", "staging", "prod"]
ObjectLockMode = Literal["GOVERNANCE", "COMPLIANCE"]

# The retention periods CloudWatch Logs accepts, in days.
# Source: Amazon CloudWatch Logs API Reference, PutRetentionPolicy, "retentionInDays" (read 2026-11-27).
CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Cloud Storage soft delete keeps deleted objects 7 to 90 days (0 turns it off, which we never do).
# Source: Cloud Storage docs, "Soft delete" (read 2026-11-27).
GCS_SOFT_DELETE_DAYS_RANGE = (7, 90)
# Cloud Logging buckets keep logs 1 to 3650 days. Source: Cloud Logging docs,
# "Configure custom retention" (read 2026-11-27).
LOG_BUCKET_RETENTION_DAYS_RANGE = (1, 3650)
# KMS: a scheduled key deletion waits 7 to 30 days. Source: AWS KMS API Reference, ScheduleKeyDeletion.
KMS_DELETION_WINDOW_RANGE = (7, 30)
# The longest rotation period the guardrails accept for a customer-managed key.
MAX_KEY_ROTATION_DAYS = 90

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")]
# Tags become AWS tags and GCP labels; GCP's label rules are the stricter: lower-case letters,
# digits, "_" and "-", at most 63 characters. Source: Google Cloud docs, "Labels overview",
# requirements for labels (read 2026-11-27).
LabelKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
LabelValue = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{0,63}$")]


class AwsSpec(StrictModel):
    """AWS settings of one environment."""

    region: str
    """The region every AWS resource of the environment is placed in."""
    cidr: Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-8])$")] = "10.0.0.0/16"
    """The VPC's IPv4 range (/16 to /28; a /16 holds the default subnets). Default: 10.0.0.0/16."""
    zones: Annotated[int, Field(ge=2, le=6)] | None = None
    """Availability zones to spread over. Default: 2 in dev, 3 in staging and prod."""
    nat: Literal["per_zone", "single"] | None = None
    """NAT gateways: one per zone (zone-independent egress) or a single one. Default: single in dev
    and staging, per_zone in prod."""
    kubernetes_version: KubernetesVersion | None = None
    """EKS Kubernetes minor version of every cluster (``"1.35"``); required with clusters."""
    clusters: tuple[ClusterSpec, ...] = ()
    """EKS clusters (training, inference). Default: none."""
    create_autoscaling_service_role: bool = False
    """Create EC2 Auto Scaling's service-linked role, which the stack key's policy names (node volumes
    are encrypted with it). AWS creates the role with the account's first Auto Scaling group; in an
    account that never had one, set this to true, else KMS refuses the key policy. Default: false."""
    account_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")] | None = None
    """When set, the provider refuses to act on any other account (``allowed_account_ids``). Default: unset."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        return _check_region("aws", region)


class GcpSpec(StrictModel):
    """Google Cloud settings of one environment."""

    project: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    """The project ID every GCP resource of the environment is created in."""
    region: str
    """The region every GCP resource of the environment is placed in."""
    cidr: Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/([89]|1[0-2])$")] = "10.16.0.0/12"
    """The block the nodes subnet and every cluster's pods and services ranges are cut from (/8 to /12).
    Default: 10.16.0.0/12."""
    kubernetes_version: KubernetesVersion | None = None
    """GKE minimum Kubernetes minor version of every cluster (``"1.35"``); required with clusters."""
    clusters: tuple[ClusterSpec, ...] = ()
    """GKE clusters (training, inference). Default: none."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        return _check_region("gcp", region)


def _check_region(cloud: Cloud, region: str) -> str:
    if region not in regions_of(cloud):
        known = ", ".join(sorted(regions_of(cloud)))
        raise ValueError(f"unknown {cloud.upper()} region; known regions: {known}")
    return region


class BucketSpec(StrictModel):
    """One data bucket (datasets, models, checkpoints, …), created on every cloud in use."""

    name: Slug
    """Short name; the physical name is ``<platform name>-<environment>-<name>`` plus a unique suffix."""
    noncurrent_version_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Days a replaced or deleted object version is kept. Default: the tier's (dev 7, staging 30, prod 90)."""


class AuditSpec(StrictModel):
    """Audit logging: CloudTrail on AWS, audit logs routed to a locked log bucket on GCP."""

    log_retention_days: int | None = None
    """Days audit logs are kept in CloudWatch Logs and the GCP log bucket.
    Default: the tier's (dev 90, staging 365, prod 2557). Must be a CloudWatch Logs retention value."""
    object_lock_mode: ObjectLockMode | None = None
    """S3 Object Lock mode of the CloudTrail bucket. Default: GOVERNANCE in dev and staging, COMPLIANCE in prod."""
    object_lock_days: Annotated[int, Field(ge=1, le=36500)] | None = None
    """Days each CloudTrail log object is locked. Default: the tier's (dev 1, staging 90, prod 365)."""

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_value(cls, days: int | None) -> int | None:
        if days is not None and days not in CLOUDWATCH_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
            raise ValueError(f"not a CloudWatch Logs retention period; allowed: {allowed}")
        return days


class KmsSpec(StrictModel):
    """Customer-managed keys (one per cloud per environment)."""

    deletion_window_days: (
        Annotated[int, Field(ge=KMS_DELETION_WINDOW_RANGE[0], le=KMS_DELETION_WINDOW_RANGE[1])] | None
    ) = None
    """AWS: days a key scheduled for deletion can still be recovered. Default: dev 7, staging and prod 30."""
    rotation_period_days: Annotated[int, Field(ge=90, le=MAX_KEY_ROTATION_DAYS)] = MAX_KEY_ROTATION_DAYS
    """Days between automatic key rotations on both clouds (AWS accepts no less than 90). Default: 90."""
    hsm: bool | None = None
    """GCP: keep key material in Cloud HSM. Default: prod only."""


class VectorSpec(StrictModel):
    """The vector database next to the inference workloads."""

    engine: Literal["qdrant"] = "qdrant"
    """``qdrant``: in-cluster, on any cluster. (Managed engines are not built yet.) Default: qdrant."""
    cloud: Cloud | None = None
    """Which cloud's cluster hosts it. Default: the first cloud with an inference cluster, else with any."""
    cluster: str | None = None
    """Which cluster (by name). Default: that cloud's first inference cluster, else its first cluster."""
    replicas: Annotated[int, Field(ge=1, le=9)] | None = None
    """Default: 1 in dev, 3 in staging and prod (one per zone)."""
    storage_gib: Annotated[int, Field(ge=1, le=16384)] = 50
    """Persistent volume per replica, on the cluster's encrypted StorageClass. Default: 50."""


DEFAULT_BUCKETS: tuple[BucketSpec, ...] = (BucketSpec(name="datasets"), BucketSpec(name="models"))


class PlatformSpec(StrictModel):
    """Everything one environment asks for; parsed from the ``aistacks:platform`` stack config key."""

    name: Slug = "aistacks"
    """Prefix of every physical name. Default: ``aistacks``."""
    environment: Tier
    """The tier: ``dev``, ``staging`` or ``prod``. Decides every default below."""
    jurisdiction: str
    """Where data may reside (``eu``, ``us``, ``uk``, …); every region must lie inside it."""
    aws: AwsSpec | None = None
    """AWS settings; leave out to not use AWS."""
    gcp: GcpSpec | None = None
    """Google Cloud settings; leave out to not use Google Cloud."""
    buckets: tuple[BucketSpec, ...] = DEFAULT_BUCKETS
    """Data buckets. Default: ``datasets`` and ``models``."""
    audit: AuditSpec = AuditSpec()
    """Audit logging settings. Default: the tier's."""
    kms: KmsSpec = KmsSpec()
    """Key settings. Default: the tier's."""
    vector: VectorSpec | None = None
    """The vector database. Default: none."""
    protect: bool | None = None
    """Protect stateful resources (keys, buckets, audit destinations) from deletion.
    Default: off in dev, on in staging and prod, where it cannot be turned off."""
    tags: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    """Extra tags (AWS) and labels (GCP) on every resource that takes them. Default: none."""

    @field_validator("name")
    @classmethod
    def _valid_in_bucket_names(cls, name: str) -> str:
        # Every bucket name starts with it. S3 refuses the prefix "xn--"; Cloud Storage refuses
        # "goog" at the start and "google" anywhere. Sources: Amazon S3 User Guide, "General
        # purpose bucket naming rules"; Cloud Storage docs, "Bucket names" (read 2026-11-27).
        if name.startswith(("xn--", "goog")) or "google" in name:
            raise ValueError("not usable in bucket names: must not start with 'xn--' or 'goog' or contain 'google'")
        return name

    @field_validator("jurisdiction")
    @classmethod
    def _known_jurisdiction(cls, jurisdiction: str) -> str:
        known = known_jurisdictions()
        if jurisdiction not in known:
            raise ValueError(f"unknown jurisdiction; known: {', '.join(known)}")
        return jurisdiction


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with the stack config: where, the bad value, and what is allowed."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.path} = {self.value!r}: {self.message}"


DEFAULT_PROVIDER_REGION_KEYS: dict[str, Cloud] = {"aws:region": "aws", "gcp:region": "gcp", "gcp:zone": "gcp"}
"""Stack config keys that place resources on a default provider; they too must stay in the jurisdiction."""


def semantic_issues(
    spec: PlatformSpec, root: str = "aistacks:platform", stack_config: Mapping[str, str] | None = None
) -> list[ConfigIssue]:
    """The rules that relate fields to each other, to the catalog and to the rest of the stack
    config (``stack_config``: the default providers' ``aws:region``, ``gcp:region``, ``gcp:zone``)."""
    issues: list[ConfigIssue] = []
    for key, cloud in DEFAULT_PROVIDER_REGION_KEYS.items():
        value = (stack_config or {}).get(key)
        if value is None:
            continue
        region = value.rsplit("-", 1)[0] if key == "gcp:zone" else value
        allowed = regions_in_jurisdiction(cloud, spec.jurisdiction)
        if region not in allowed:
            issues.append(
                ConfigIssue(
                    key,
                    value,
                    f"the default {cloud.upper()} provider would place resources outside jurisdiction "
                    f"{spec.jurisdiction!r}; allowed regions: {', '.join(allowed) or 'none'}",
                )
            )
    if spec.aws is None and spec.gcp is None:
        issues.append(ConfigIssue(root, None, "name at least one cloud: set `aws` and/or `gcp`"))
    clouds: tuple[tuple[Cloud, AwsSpec | GcpSpec | None], ...] = (("aws", spec.aws), ("gcp", spec.gcp))
    for cloud, cloud_spec in clouds:
        if cloud_spec is None:
            continue
        allowed = regions_in_jurisdiction(cloud, spec.jurisdiction)
        if cloud_spec.region not in allowed:
            issues.append(
                ConfigIssue(
                    f"{root}.{cloud}.region",
                    cloud_spec.region,
                    f"outside jurisdiction {spec.jurisdiction!r}; regions allowed there: "
                    + (", ".join(allowed) or f"none on {cloud.upper()}"),
                )
            )
    for cloud, cloud_spec in clouds:
        if cloud_spec is not None and cloud_spec.region in regions_of(cloud):
            issues += [
                ConfigIssue(path, value, message)
                for path, value, message in compute_issues(
                    cloud, cloud_spec.region, cloud_spec.kubernetes_version, cloud_spec.clusters, f"{root}.{cloud}"
                )
            ]
    if spec.vector is not None:
        issues += _vector_issues(spec, f"{root}.vector")
    seen: set[str] = set()
    for index, bucket in enumerate(spec.buckets):
        if bucket.name == "audit-logs":
            issues.append(
                ConfigIssue(f"{root}.buckets[{index}].name", bucket.name, "reserved for the audit log bucket")
            )
        if bucket.name in seen:
            issues.append(ConfigIssue(f"{root}.buckets[{index}].name", bucket.name, "bucket names must be unique"))
        seen.add(bucket.name)
    if spec.environment != "dev" and spec.protect is False:
        issues.append(
            ConfigIssue(
                f"{root}.protect",
                False,
                f"stateful resources are always protected in {spec.environment}; allowed: true or leave it out",
            )
        )
    return issues


def vector_host(spec: PlatformSpec) -> tuple[Cloud, ClusterSpec] | None:
    """The cloud and cluster that host the vector database, by the defaults of :class:`VectorSpec`."""
    if spec.vector is None:
        return None
    clouds: tuple[tuple[Cloud, AwsSpec | GcpSpec | None], ...] = (("aws", spec.aws), ("gcp", spec.gcp))
    candidates: list[tuple[Cloud, ClusterSpec]] = [
        (cloud, cluster)
        for cloud, cloud_spec in clouds
        if cloud_spec is not None and spec.vector.cloud in (None, cloud)
        for cluster in cloud_spec.clusters
        if spec.vector.cluster in (None, cluster.name or cluster.role)
    ]
    inference = [c for c in candidates if c[1].role == "inference"]
    return (inference or candidates or [None])[0]


def _vector_issues(spec: PlatformSpec, path: str) -> list[ConfigIssue]:
    if vector_host(spec) is not None:
        return []
    assert spec.vector is not None
    where = spec.vector.cluster or spec.vector.cloud or "any cloud"
    return [ConfigIssue(path, where, "no cluster to host the vector database; define one under aws or gcp clusters")]
