"""The typed stack config: what one environment asks for. Config models only.

``PlatformSpec`` is what a user writes under ``aistacks:platform`` in ``Pulumi.<env>.yaml``. Every
field that is left out takes the secure default of the environment's tier (:mod:`aistacks.defaults`),
resolved by the planner (:mod:`aistacks.plan`). Structure, types and single values are checked here by
pydantic; the rules that relate fields to each other and to the catalog (a region inside the
jurisdiction, a GPU the region offers) are :mod:`aistacks.validate`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from aistacks._model import StrictModel
from aistacks.catalog import known_jurisdictions, regions_of
from aistacks.vocabulary import (
    Capacity,
    Cloud,
    NatMode,
    NodeImage,
    ObjectLockMode,
    Role,
    Tier,
    VectorEngine,
    VertexDistance,
)

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
KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.[0-9]{2}$")]
Cidr = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]
IamRoleArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")]


class GpuPoolSpec(StrictModel):
    """One pool of GPU (or Neuron) nodes of a cluster."""

    name: Slug
    """Pool name, unique in its cluster."""
    gpu: str
    """Cloud-neutral accelerator: ``l4``, ``a10g``, ``l40s``, ``a100-40gb``, ``a100-80gb``, ``h100``, ``h200``,
    ``trainium1``, ``inferentia2``."""
    gpus_per_node: Annotated[int, Field(ge=1, le=16)] = 1
    """Accelerators per node; resolved with ``gpu`` to the smallest type that carries them in the region.
    Default: 1."""
    instance_type: str | None = None
    """Pin one type (it must carry the accelerators). Default: the smallest type that does, in the region."""
    min_nodes: Annotated[int, Field(ge=0, le=1000)] | None = None
    """Default: 0 for training (scale to zero), 1 for inference (a warm floor)."""
    max_nodes: Annotated[int, Field(ge=1, le=1000)] = 2
    """Default: 2."""
    capacity: Capacity | None = None
    """Default: spot for training, on_demand for inference."""
    image: NodeImage = "al2023"
    """AWS node image: Amazon Linux 2023 or Bottlerocket (NVIDIA variants); decides the AMI type. Default: al2023."""


class ClusterSpec(StrictModel):
    """One Kubernetes cluster and its pools; training and inference run in separate clusters."""

    role: Role
    """``training`` or ``inference``: separate clusters with different defaults. Required."""
    name: Slug | None = None
    """The physical name is ``<name>-<environment>-<cluster name>``. Default: the role."""
    public_endpoint: bool | None = None
    """Reach the API server from the internet. Default: on in dev only; anything else is an explicit
    opt-out the guardrails flag outside dev."""
    api_access_cidrs: tuple[Cidr, ...] = ()
    """Networks that reach the API server (a CI runner's or bastion's subnet, a VPN): on the private
    endpoint (EKS security group rule, GKE authorized network) and, if public, the public one.
    Default: none beyond the cluster's own network."""
    system_nodes: Annotated[int, Field(ge=1, le=10)] = 2
    """On-demand nodes for cluster add-ons (EKS; GKE runs one per zone). Default: 2."""
    gpu_pools: tuple[GpuPoolSpec, ...] = ()
    """The cluster's GPU node pools. Default: none."""
    admin_role_arns: tuple[IamRoleArn, ...] = ()
    """AWS: IAM roles given cluster-admin through access entries. Default: none."""

    @property
    def cluster_name(self) -> str:
        """The name the cluster is known by in the config: ``name``, else its role."""
        return self.name or self.role


class AwsSpec(StrictModel):
    """AWS settings of one environment."""

    region: str
    """The region every AWS resource of the environment is placed in."""
    cidr: Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-8])$")] = "10.0.0.0/16"
    """The VPC's IPv4 range (/16 to /28; a /16 holds the default subnets). Default: 10.0.0.0/16."""
    zones: Annotated[int, Field(ge=2, le=6)] | None = None
    """Availability zones to spread over. Default: 2 in dev, 3 in staging and prod."""
    nat: NatMode | None = None
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

    def cloud_specs(self) -> dict[Cloud, AwsSpec | GcpSpec]:
        """The settings of every cloud the environment uses, by cloud."""
        named: dict[Cloud, AwsSpec | GcpSpec | None] = {"aws": self.aws, "gcp": self.gcp}
        return {cloud: settings for cloud, settings in named.items() if settings is not None}

    def clusters(self, cloud: Cloud | None = None, name: str | None = None) -> list[tuple[Cloud, ClusterSpec]]:
        """Every cluster of the config on ``cloud`` (default: any) named ``name`` (default: any), in
        config order, with its cloud."""
        return [
            (on, cluster)
            for on, settings in self.cloud_specs().items()
            if cloud in (None, on)
            for cluster in settings.clusters
            if name in (None, cluster.cluster_name)
        ]
