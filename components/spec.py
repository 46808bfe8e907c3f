"""The typed stack config: what one environment asks for, validated before any resource exists.

``PlatformSpec`` is what a user writes under ``aistacks:platform`` in ``Pulumi.<env>.yaml``. Every
field that is left out takes the secure default of the environment's tier (``TIER_DEFAULTS``).
Structure and types are checked by pydantic; rules that relate fields to each other and to the
catalog (a region inside the jurisdiction) are checked by :func:`semantic_issues`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from aistacks._model import StrictModel
from aistacks.catalog import Cloud, known_jurisdictions, regions_in_jurisdiction, regions_of, vector_engine_regions
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


VectorEngine = Literal["qdrant", "opensearch-serverless", "vertex-vector-search"]
MANAGED_VECTOR_ENGINES: dict[str, Cloud] = {"opensearch-serverless": "aws", "vertex-vector-search": "gcp"}
"""Managed engines and the one cloud each runs on."""
VertexDistance = Literal["DOT_PRODUCT_DISTANCE", "COSINE_DISTANCE", "SQUARED_L2_DISTANCE", "L1_DISTANCE"]
DEFAULT_QDRANT_STORAGE_GIB = 50
DEFAULT_SNAPSHOT_SCHEDULE = "0 3 * * *"
"""Qdrant snapshots: daily at 03:00 UTC."""


class VectorSpec(StrictModel):
    """One vector database next to the inference workloads."""

    engine: VectorEngine = "qdrant"
    """``qdrant``: in-cluster, on any cluster. ``opensearch-serverless`` (AWS): a VECTORSEARCH
    collection. ``vertex-vector-search`` (GCP): an index on a private endpoint. Default: qdrant."""
    cloud: Cloud | None = None
    """qdrant: which cloud's cluster hosts it. Default: the first cloud with an inference cluster, else
    with any. Managed engines run on their own cloud; naming another one is an error."""
    cluster: str | None = None
    """qdrant: the cluster (by name) that hosts it. Managed engines: the cluster whose workload namespace
    gets access. Default: the cloud's first inference cluster, else its first cluster."""
    replicas: Annotated[int, Field(ge=1, le=9)] | None = None
    """qdrant: pods, one per zone (default 1 in dev, 3 in staging and prod). opensearch-serverless: 1
    turns standby replicas off, 2 keeps a standby copy in another zone (default 1 in dev, else 2).
    vertex-vector-search: the deployed index's minimum replicas (default 1 in dev, else 2)."""
    storage_gib: Annotated[int, Field(ge=1, le=16384)] | None = None
    """qdrant only: persistent volume per replica, on the cluster's encrypted StorageClass. Default: 50."""
    snapshot_schedule: Annotated[str, StringConstraints(pattern=r"^\S+( \S+){4}$")] | None = None
    """qdrant only: when to snapshot every collection to the stack's ``vector-snapshots`` bucket (cron,
    UTC). Default: ``"0 3 * * *"`` (daily at 03:00)."""
    snapshot_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """qdrant only: days a snapshot stays current in the bucket; it is then kept as a noncurrent version
    for the tier's noncurrent period before deletion. Default: the tier's (dev 7, staging 30, prod 90)."""
    dimensions: Annotated[int, Field(ge=1, le=4096)] | None = None
    """vertex-vector-search only, and required there: the embedding vectors' dimensions."""
    distance: VertexDistance | None = None
    """vertex-vector-search only: the distance measure. Default: DOT_PRODUCT_DISTANCE (Vertex's default)."""
    public_access: bool = False
    """Named opt-out, managed engines only: accept connections from the internet (opensearch-serverless:
    a public network policy; vertex-vector-search: a public endpoint) instead of only from the network.
    The guardrails (AIS-NET-003) report it. Default: false."""
    customer_managed_key: bool = True
    """Named opt-out, managed engines only: false encrypts with the provider's own key instead of the
    stack's. The guardrails (AIS-ENC-001, AIS-ENC-003) report it. Default: true."""

    @field_validator("snapshot_schedule")
    @classmethod
    def _cron_fields(cls, schedule: str | None) -> str | None:
        if schedule is not None and not all(re.fullmatch(r"[0-9*/,-]+", field) for field in schedule.split()):
            raise ValueError("not a cron schedule of five numeric fields (minute hour day month weekday)")
        return schedule


AUDIT_BUCKET = "audit-logs"
"""The short name of the audit log bucket."""
SNAPSHOT_BUCKET = "vector-snapshots"
"""The short name of the bucket Qdrant's snapshots go to."""
RESERVED_BUCKETS: dict[str, str] = {AUDIT_BUCKET: "audit log bucket", SNAPSHOT_BUCKET: "Qdrant snapshot bucket"}
"""Bucket names the platform takes for itself, and what for."""
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
    vector: tuple[VectorSpec, ...] = ()
    """The vector databases: one object, or a list of them with distinct engines. Default: none."""
    protect: bool | None = None
    """Protect stateful resources (keys, buckets, audit destinations) from deletion.
    Default: off in dev, on in staging and prod, where it cannot be turned off."""
    tags: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    """Extra tags (AWS) and labels (GCP) on every resource that takes them. Default: none."""

    @field_validator("vector", mode="before")
    @classmethod
    def _one_or_many(cls, vector: Any) -> Any:
        # Strict mode takes only a tuple for a tuple field once a validator has seen the JSON array.
        if isinstance(vector, Mapping):
            return (vector,)
        return tuple(vector) if isinstance(vector, list) else vector

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
    issues += _vector_issues(spec, root)
    seen: set[str] = set()
    for index, bucket in enumerate(spec.buckets):
        if bucket.name in RESERVED_BUCKETS:
            issues.append(
                ConfigIssue(
                    f"{root}.buckets[{index}].name", bucket.name, f"reserved for the {RESERVED_BUCKETS[bucket.name]}"
                )
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


def vector_host(spec: PlatformSpec, vector: VectorSpec) -> tuple[Cloud, ClusterSpec] | None:
    """The cloud and cluster of ``vector`` (for qdrant the host, for a managed engine the cluster whose
    workloads get access), by the defaults of :class:`VectorSpec`."""
    cloud = MANAGED_VECTOR_ENGINES.get(vector.engine, vector.cloud)
    clouds: tuple[tuple[Cloud, AwsSpec | GcpSpec | None], ...] = (("aws", spec.aws), ("gcp", spec.gcp))
    candidates: list[tuple[Cloud, ClusterSpec]] = [
        (name, cluster)
        for name, cloud_spec in clouds
        if cloud_spec is not None and cloud in (None, name)
        for cluster in cloud_spec.clusters
        if vector.cluster in (None, cluster.name or cluster.role)
    ]
    inference = [c for c in candidates if c[1].role == "inference"]
    return (inference or candidates or [None])[0]


# Collection and security policy names: 3 to 32 characters. Source: Amazon OpenSearch Service
# Developer Guide, "Creating collections" and "Encryption in Amazon OpenSearch Serverless" (read 2026-11-27).
OPENSEARCH_NAME_LIMIT = 32
MANAGED_STORE_SUFFIX = "-vectors"


def managed_store_name(spec: PlatformSpec) -> str:
    """The physical name of a managed vector store (OpenSearch collection, Vertex index):
    ``<name>-<environment>-vectors``."""
    return f"{spec.name}-{spec.environment}{MANAGED_STORE_SUFFIX}"


_ENGINE_ONLY: tuple[tuple[str, VectorEngine], ...] = (
    ("storage_gib", "qdrant"),
    ("snapshot_schedule", "qdrant"),
    ("snapshot_retention_days", "qdrant"),
    ("dimensions", "vertex-vector-search"),
    ("distance", "vertex-vector-search"),
)
"""Fields that only one engine reads."""


def _vector_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for index, vector in enumerate(spec.vector):
        path = f"{root}.vector[{index}]"
        if vector.engine in [other.engine for other in spec.vector[:index]]:
            issues.append(ConfigIssue(f"{path}.engine", vector.engine, "one vector database per engine"))
        issues += [
            ConfigIssue(f"{path}.{field}", getattr(vector, field), f"applies to engine {engine} only")
            for field, engine in _ENGINE_ONLY
            if getattr(vector, field) is not None and vector.engine != engine
        ]
        if vector.engine == "qdrant":
            issues += _qdrant_issues(spec, vector, path)
        else:
            issues += _managed_issues(spec, vector, root, path)
    return issues


def _qdrant_issues(spec: PlatformSpec, vector: VectorSpec, path: str) -> list[ConfigIssue]:
    issues = [
        ConfigIssue(
            f"{path}.{field}",
            getattr(vector, field),
            "applies to managed engines only: qdrant is reachable only inside its cluster and its volumes "
            "always use the stack's key",
        )
        for field, secure in (("public_access", False), ("customer_managed_key", True))
        if getattr(vector, field) != secure
    ]
    if vector_host(spec, vector) is None:
        where = vector.cluster or vector.cloud or "any cloud"
        message = "no cluster to host the vector database; define one under aws or gcp clusters"
        issues.append(ConfigIssue(path, where, message))
    return issues


def _managed_issues(spec: PlatformSpec, vector: VectorSpec, root: str, path: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    cloud = MANAGED_VECTOR_ENGINES[vector.engine]
    if vector.cloud not in (None, cloud):
        issues.append(ConfigIssue(f"{path}.cloud", vector.cloud, f"{vector.engine} runs on {cloud}; allowed: {cloud}"))
    elif (cloud_spec := getattr(spec, cloud)) is None:
        issues.append(ConfigIssue(f"{path}.engine", vector.engine, f"{vector.engine} needs `{cloud}` settings"))
    elif cloud_spec.region not in vector_engine_regions(vector.engine):
        offered = sorted(vector_engine_regions(vector.engine) & set(regions_in_jurisdiction(cloud, spec.jurisdiction)))
        message = (
            f"{vector.engine} is not offered in {cloud}.region {cloud_spec.region}; regions that offer it in "
            f"jurisdiction {spec.jurisdiction!r}: {', '.join(offered) or 'none'}"
        )
        issues.append(ConfigIssue(f"{path}.engine", vector.engine, message))
    elif vector_host(spec, vector) is None:
        message = (
            f"no {cloud.upper()} cluster whose workloads would use the {vector.engine} store; "
            f"define one under {cloud}.clusters"
        )
        issues.append(ConfigIssue(f"{path}.cluster", vector.cluster, message))
    if vector.engine == "opensearch-serverless":
        if vector.replicas is not None and vector.replicas > 2:
            message = "OpenSearch Serverless keeps one copy, or one plus a standby in another zone; allowed: 1, 2"
            issues.append(ConfigIssue(f"{path}.replicas", vector.replicas, message))
        name = managed_store_name(spec)
        if len(name) > OPENSEARCH_NAME_LIMIT:
            message = (
                f"the collection name {name!r} would exceed OpenSearch Serverless's {OPENSEARCH_NAME_LIMIT} "
                "characters; use a shorter platform name"
            )
            issues.append(ConfigIssue(f"{root}.name", spec.name, message))
    if vector.engine == "vertex-vector-search" and vector.dimensions is None:
        issues.append(ConfigIssue(f"{path}.dimensions", None, "required for vertex-vector-search: 1 to 4096"))
    return issues
