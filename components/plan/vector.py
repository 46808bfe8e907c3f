"""Vector databases: where each runs (or which cluster's workloads use it) and its resolved settings."""

from __future__ import annotations

from aistacks.defaults import (
    DEFAULT_QDRANT_CPU,
    DEFAULT_QDRANT_MEMORY,
    DEFAULT_QDRANT_STORAGE_GIB,
    DEFAULT_SNAPSHOT_SCHEDULE,
    DEFAULT_VERTEX_DISTANCE,
    SNAPSHOT_BUCKET,
    TierDefaults,
)
from aistacks.naming import cluster_resource_name, managed_store_name
from aistacks.plan.model import BucketPlan, VectorPlan
from aistacks.spec import PlatformSpec

QDRANT_NAME = "qdrant"


def plan_vectors(spec: PlatformSpec, defaults: TierDefaults, prefix: str) -> tuple[VectorPlan, ...]:
    """Every vector database of a valid spec, defaults resolved, in config order."""
    plans: list[VectorPlan] = []
    for vector in spec.vector:
        host = spec.vector_host(vector)
        assert host is not None, "a valid spec has a host for every vector database"
        cloud, cluster = host
        managed = vector.engine != "qdrant"
        default_replicas = defaults.managed_vector_replicas if managed else defaults.qdrant_replicas
        plans.append(
            VectorPlan(
                engine=vector.engine,
                cloud=cloud,
                cluster=cluster.cluster_name,
                replicas=vector.replicas or default_replicas,
                name=managed_store_name(prefix) if managed else QDRANT_NAME,
                resource_name=managed_store_name(prefix)
                if managed
                else f"{cluster_resource_name(prefix, cluster.cluster_name)}-vector",
                storage_gib=vector.storage_gib or DEFAULT_QDRANT_STORAGE_GIB,
                cpu=DEFAULT_QDRANT_CPU,
                memory=DEFAULT_QDRANT_MEMORY,
                snapshot_schedule=vector.snapshot_schedule or DEFAULT_SNAPSHOT_SCHEDULE,
                dimensions=vector.dimensions or 0,
                distance=vector.distance or DEFAULT_VERTEX_DISTANCE,
                public_access=vector.public_access,
                customer_managed_key=vector.customer_managed_key,
            )
        )
    return tuple(plans)


def snapshot_bucket(spec: PlatformSpec, defaults: TierDefaults, prefix: str) -> BucketPlan | None:
    """Qdrant's snapshot bucket (none without Qdrant): snapshots expire after their retention, by default
    the tier's noncurrent-version period."""
    qdrant = next((vector for vector in spec.vector if vector.engine == "qdrant"), None)
    if qdrant is None:
        return None
    return BucketPlan(
        name=SNAPSHOT_BUCKET,
        resource_name=f"{prefix}-{SNAPSHOT_BUCKET}",
        noncurrent_version_days=defaults.noncurrent_version_days,
        soft_delete_days=defaults.soft_delete_days,
        force_destroy=defaults.force_destroy_buckets,
        expiration_days=qdrant.snapshot_retention_days or defaults.noncurrent_version_days,
    )
