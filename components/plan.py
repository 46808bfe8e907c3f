"""From a validated spec to a plan: every tier default resolved, nothing left to decide.

Pure functions only; the components turn a plan into resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from aistacks.catalog import Cloud
from aistacks.compute import ClusterPlan, plan_clusters
from aistacks.spec import (
    DEFAULT_QDRANT_STORAGE_GIB,
    DEFAULT_SNAPSHOT_SCHEDULE,
    SNAPSHOT_BUCKET,
    ObjectLockMode,
    PlatformSpec,
    Tier,
    VectorEngine,
    VertexDistance,
    managed_store_name,
    vector_host,
)


@dataclass(frozen=True)
class TierDefaults:
    """What a tier implies when the stack config is silent."""

    protect: bool
    """Protect stateful resources and retain them if removed from the program."""
    log_retention_days: int
    object_lock_mode: ObjectLockMode
    object_lock_days: int
    kms_deletion_window_days: int
    noncurrent_version_days: int
    soft_delete_days: int
    lock_log_bucket: bool
    """Lock the GCP audit log bucket's retention (irreversible), so nobody can shorten it."""
    force_destroy_buckets: bool
    """Let ``pulumi destroy`` empty data buckets (never audit buckets)."""
    hsm_keys: bool
    aws_zones: int
    nat: Literal["per_zone", "single"]


TIER_DEFAULTS: MappingProxyType[Tier, TierDefaults] = MappingProxyType(
    {
        "dev": TierDefaults(
            protect=False,
            log_retention_days=90,
            object_lock_mode="GOVERNANCE",
            object_lock_days=1,
            kms_deletion_window_days=7,
            noncurrent_version_days=7,
            soft_delete_days=7,
            lock_log_bucket=False,
            force_destroy_buckets=True,
            hsm_keys=False,
            aws_zones=2,
            nat="single",
        ),
        "staging": TierDefaults(
            protect=True,
            log_retention_days=365,
            object_lock_mode="GOVERNANCE",
            object_lock_days=90,
            kms_deletion_window_days=30,
            noncurrent_version_days=30,
            soft_delete_days=30,
            lock_log_bucket=True,
            force_destroy_buckets=False,
            hsm_keys=False,
            aws_zones=3,
            nat="single",
        ),
        "prod": TierDefaults(
            protect=True,
            log_retention_days=2557,
            object_lock_mode="COMPLIANCE",
            object_lock_days=365,
            kms_deletion_window_days=30,
            noncurrent_version_days=90,
            soft_delete_days=90,
            lock_log_bucket=True,
            force_destroy_buckets=False,
            hsm_keys=True,
            aws_zones=3,
            nat="per_zone",
        ),
    }
)


@dataclass(frozen=True)
class KeyPlan:
    deletion_window_days: int
    rotation_period_days: int
    hsm: bool


@dataclass(frozen=True)
class BucketPlan:
    name: str
    noncurrent_version_days: int
    soft_delete_days: int
    force_destroy: bool
    expiration_days: int | None = None
    """Days objects are kept (backups); ``None``: until deleted."""


@dataclass(frozen=True)
class AuditPlan:
    log_retention_days: int
    object_lock_mode: ObjectLockMode
    object_lock_days: int
    lock_log_bucket: bool
    soft_delete_days: int


@dataclass(frozen=True)
class NetworkPlan:
    cidr: str
    zones: int
    nat: Literal["per_zone", "single"]


@dataclass(frozen=True)
class VectorPlan:
    """One vector database with every default resolved."""

    engine: VectorEngine
    cloud: Cloud
    cluster: str
    """qdrant: the cluster that hosts it; managed engines: the cluster whose workloads get access."""
    replicas: int
    name: str
    """The physical name (collection, index) of a managed engine; qdrant's Kubernetes name."""
    storage_gib: int = DEFAULT_QDRANT_STORAGE_GIB
    snapshot_schedule: str = DEFAULT_SNAPSHOT_SCHEDULE
    dimensions: int = 0
    distance: VertexDistance = "DOT_PRODUCT_DISTANCE"
    public_access: bool = False
    customer_managed_key: bool = True


def plan_vectors(spec: PlatformSpec) -> tuple[VectorPlan, ...]:
    """Every vector database of a valid spec, defaults resolved."""
    plans: list[VectorPlan] = []
    for vector in spec.vector:
        host = vector_host(spec, vector)
        assert host is not None  # the spec is valid
        cloud, cluster = host
        managed = vector.engine != "qdrant"
        default_replicas = 1 if spec.environment == "dev" else (2 if managed else 3)
        plans.append(
            VectorPlan(
                engine=vector.engine,
                cloud=cloud,
                cluster=cluster.name or cluster.role,
                replicas=vector.replicas or default_replicas,
                name=managed_store_name(spec) if managed else "qdrant",
                storage_gib=vector.storage_gib or DEFAULT_QDRANT_STORAGE_GIB,
                snapshot_schedule=vector.snapshot_schedule or DEFAULT_SNAPSHOT_SCHEDULE,
                dimensions=vector.dimensions or 0,
                distance=vector.distance or "DOT_PRODUCT_DISTANCE",
                public_access=vector.public_access,
                customer_managed_key=vector.customer_managed_key,
            )
        )
    return tuple(plans)


@dataclass(frozen=True)
class PlatformPlan:
    """One environment with every default resolved."""

    spec: PlatformSpec
    prefix: str
    """``<name>-<environment>``: the start of every physical name."""
    protect: bool
    key: KeyPlan
    buckets: tuple[BucketPlan, ...]
    audit: AuditPlan
    tags: MappingProxyType[str, str]
    aws_network: NetworkPlan | None
    aws_clusters: tuple[ClusterPlan, ...]
    gcp_clusters: tuple[ClusterPlan, ...]
    vectors: tuple[VectorPlan, ...] = ()
    snapshot_bucket: BucketPlan | None = None
    """The bucket Qdrant's snapshots go to, on the cloud that hosts Qdrant; none without Qdrant."""

    @property
    def tier(self) -> Tier:
        return self.spec.environment


def _snapshot_bucket(spec: PlatformSpec, defaults: TierDefaults) -> BucketPlan | None:
    """Qdrant's snapshot bucket: snapshots expire after their retention, by default the tier's
    noncurrent-version period."""
    qdrant = next((vector for vector in spec.vector if vector.engine == "qdrant"), None)
    if qdrant is None:
        return None
    return BucketPlan(
        name=SNAPSHOT_BUCKET,
        noncurrent_version_days=defaults.noncurrent_version_days,
        soft_delete_days=defaults.soft_delete_days,
        force_destroy=defaults.force_destroy_buckets,
        expiration_days=qdrant.snapshot_retention_days or defaults.noncurrent_version_days,
    )


def plan_platform(spec: PlatformSpec) -> PlatformPlan:
    """Resolve every tier default of ``spec``; the spec must already be valid."""
    defaults = TIER_DEFAULTS[spec.environment]
    key = KeyPlan(
        deletion_window_days=spec.kms.deletion_window_days or defaults.kms_deletion_window_days,
        rotation_period_days=spec.kms.rotation_period_days,
        hsm=defaults.hsm_keys if spec.kms.hsm is None else spec.kms.hsm,
    )
    buckets = tuple(
        BucketPlan(
            name=bucket.name,
            noncurrent_version_days=bucket.noncurrent_version_days or defaults.noncurrent_version_days,
            soft_delete_days=defaults.soft_delete_days,
            force_destroy=defaults.force_destroy_buckets,
        )
        for bucket in spec.buckets
    )
    audit = AuditPlan(
        log_retention_days=spec.audit.log_retention_days or defaults.log_retention_days,
        object_lock_mode=spec.audit.object_lock_mode or defaults.object_lock_mode,
        object_lock_days=spec.audit.object_lock_days or defaults.object_lock_days,
        lock_log_bucket=defaults.lock_log_bucket,
        soft_delete_days=defaults.soft_delete_days,
    )
    tags = {
        **spec.tags,
        "environment": spec.environment,
        "jurisdiction": spec.jurisdiction,
        "managed-by": "aistacks",
        "platform": spec.name,
    }
    aws_network = (
        NetworkPlan(
            cidr=spec.aws.cidr,
            zones=spec.aws.zones or defaults.aws_zones,
            nat=spec.aws.nat or defaults.nat,
        )
        if spec.aws
        else None
    )
    vectors = plan_vectors(spec)
    return PlatformPlan(
        vectors=vectors,
        snapshot_bucket=_snapshot_bucket(spec, defaults),
        spec=spec,
        prefix=f"{spec.name}-{spec.environment}",
        protect=defaults.protect if spec.protect is None else spec.protect,
        key=key,
        buckets=buckets,
        audit=audit,
        tags=MappingProxyType(tags),
        aws_network=aws_network,
        aws_clusters=plan_clusters(
            "aws", spec.aws.region, spec.aws.kubernetes_version or "", spec.aws.clusters, tier=spec.environment
        )
        if spec.aws
        else (),
        gcp_clusters=plan_clusters(
            "gcp", spec.gcp.region, spec.gcp.kubernetes_version or "", spec.gcp.clusters, tier=spec.environment
        )
        if spec.gcp
        else (),
    )
