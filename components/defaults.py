"""What the platform decides when the stack config is silent: per tier, per cluster role, per store.

The one source of every default that depends on the tier, a cluster's role or a store, and is not a
plain field default of the config models: the planner reads it, the validation reads it where a rule
depends on a default (a pool's capacity), and ``scripts/config_reference.py`` renders it into the README.
Sizes that are one cloud's facts (its system node types) stay with that cloud's planner
(:mod:`aistacks.plan.aws`, :mod:`aistacks.plan.gcp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from aistacks.vocabulary import ApiEndpoint, Capacity, Cloud, NatMode, ObjectLockMode, Role, Tier, VertexDistance


@dataclass(frozen=True)
class TierDefaults:
    """What a tier implies when the stack config is silent."""

    protect: bool
    """Protect stateful resources (keys, buckets, audit destinations) and retain them if removed from the
    program."""
    log_retention_days: int
    """Audit log retention in days (CloudWatch Logs, the GCP audit log bucket, VPC flow logs, EKS
    control-plane logs)."""
    object_lock_mode: ObjectLockMode
    """S3 Object Lock mode of the CloudTrail bucket."""
    object_lock_days: int
    """Days each CloudTrail log object is locked."""
    kms_deletion_window_days: int
    """Days a key scheduled for deletion can still be recovered (AWS deletion window, GCP
    destroy-scheduled duration)."""
    noncurrent_version_days: int
    """Days a replaced or deleted object version is kept in the data and snapshot buckets; also how long
    a Qdrant snapshot stays current."""
    soft_delete_days: int
    """Cloud Storage soft delete: days a deleted object of a data or snapshot bucket can be restored."""
    lock_log_bucket: bool
    """Lock the GCP audit log bucket's retention (irreversible), so nobody can shorten it."""
    force_destroy_buckets: bool
    """Let ``pulumi destroy`` empty data buckets (never audit buckets)."""
    hsm_keys: bool
    """GCP keys keep their material in Cloud HSM."""
    aws_zones: int
    """Availability zones the AWS subnets and NAT gateways spread over."""
    nat: NatMode
    """AWS NAT gateways: one per zone (zone-independent egress) or a single one."""
    eks_api_endpoint: ApiEndpoint
    """How the deployer reaches EKS APIs: ``public`` in dev; elsewhere ``restricted``, a public endpoint
    that admits only the cluster's ``api_access_cidrs`` (which then must be set), because a private-only
    endpoint of a VPC this stack creates has no route from the deployer on the first ``pulumi up``."""
    gke_api_endpoint: ApiEndpoint
    """How the deployer reaches GKE APIs: ``dns`` in every tier, the IAM-gated DNS endpoint with the IP
    endpoints private, reachable without allow-lists."""
    cluster_deletion_protection: bool
    """The clouds' own deletion protection on EKS and GKE clusters."""
    gke_release_channel: str
    """The GKE release channel that patches the clusters within their minimum version."""
    qdrant_replicas: int
    """Qdrant pods, one per zone."""
    managed_vector_replicas: int
    """OpenSearch Serverless: 2 keeps a standby; Vertex AI Vector Search: minimum serving replicas."""
    inference_min_replicas: int
    """Replicas a served model keeps when its queue is empty: 1 everywhere but prod, where 2 keep serving
    through a node's loss or a rolling update. Never 0: a server at 0 replicas exports no queue for KEDA to
    wake it on (see "Serving a model")."""


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
            eks_api_endpoint="public",
            gke_api_endpoint="dns",
            cluster_deletion_protection=False,
            gke_release_channel="REGULAR",
            qdrant_replicas=1,
            managed_vector_replicas=1,
            inference_min_replicas=1,
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
            eks_api_endpoint="restricted",
            gke_api_endpoint="dns",
            cluster_deletion_protection=False,
            gke_release_channel="REGULAR",
            qdrant_replicas=3,
            managed_vector_replicas=2,
            inference_min_replicas=1,
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
            eks_api_endpoint="restricted",
            gke_api_endpoint="dns",
            cluster_deletion_protection=True,
            gke_release_channel="STABLE",
            qdrant_replicas=3,
            managed_vector_replicas=2,
            inference_min_replicas=2,
        ),
    }
)


@dataclass(frozen=True)
class RoleDefaults:
    """What a cluster's role implies for its GPU pools when the config is silent."""

    min_nodes: int
    """Training scales to zero; inference keeps a warm floor."""
    capacity: Capacity
    """Training tolerates interruption (spot); inference does not (on demand)."""


ROLE_DEFAULTS: MappingProxyType[Role, RoleDefaults] = MappingProxyType(
    {
        "training": RoleDefaults(min_nodes=0, capacity="spot"),
        "inference": RoleDefaults(min_nodes=1, capacity="on_demand"),
    }
)


def pool_capacity(role: Role, asked: Capacity | None) -> Capacity:
    """A pool's capacity: what the config asks for, else its cluster role's."""
    return asked or ROLE_DEFAULTS[role].capacity


def cluster_api_endpoint(cloud: Cloud, asked: ApiEndpoint | None, defaults: TierDefaults) -> ApiEndpoint:
    """A cluster's API endpoint: what the config asks for, else the tier's for the cloud."""
    if asked is not None:
        return asked
    return defaults.eks_api_endpoint if cloud == "aws" else defaults.gke_api_endpoint


def eks_system_nodes(asked: int | None, qdrant_replicas: int) -> int:
    """An EKS cluster's system nodes: what the config asks for, else enough for the Qdrant it hosts
    (``qdrant_replicas``, 0 for none), one replica per node, and never fewer than the default."""
    return asked if asked is not None else max(DEFAULT_SYSTEM_NODES, qdrant_replicas)


DEFAULT_QDRANT_STORAGE_GIB = 50
"""Qdrant's persistent volume per replica, in GiB."""
DEFAULT_QDRANT_CPU = "1"
DEFAULT_QDRANT_MEMORY = "4Gi"
"""Each Qdrant pod's CPU request and memory (request and limit)."""
DEFAULT_SYSTEM_NODES = 2
"""EKS system nodes when the config is silent and the cluster hosts no Qdrant that needs more."""
SYSTEM_NODE_HEADROOM = 2
"""Nodes a cluster's system pool may add above its floor (surge during upgrades, add-on bursts)."""
DEFAULT_SNAPSHOT_SCHEDULE = "0 3 * * *"
"""Qdrant snapshots: daily at 03:00 UTC."""
DEFAULT_VERTEX_DISTANCE: VertexDistance = "DOT_PRODUCT_DISTANCE"
"""Vertex AI Vector Search's own default distance measure."""

AUDIT_BUCKET = "audit-logs"
"""The short name of the audit log bucket."""
SNAPSHOT_BUCKET = "vector-snapshots"
"""The short name of the bucket Qdrant's snapshots go to."""
RESERVED_BUCKETS: MappingProxyType[str, str] = MappingProxyType(
    {AUDIT_BUCKET: "audit log bucket", SNAPSHOT_BUCKET: "Qdrant snapshot bucket"}
)
"""Bucket names the platform takes for itself, and what for."""

MODELS_BUCKET = "models"
"""The short name of the data bucket a served model's weights are read from (``source: bucket``)."""
SERVING_NAMESPACE = "serving"
"""The namespace of an inference cluster the model servers run in."""
DEFAULT_QUEUE_PER_REPLICA = 10
"""Waiting requests per replica the autoscaler aims for: Google's vLLM reference architecture scales on
vllm:num_requests_waiting at an average of 10 (GoogleCloudPlatform/accelerated-platforms,
use-cases/inferencing/serving/vllm/autoscaling/manifests/hpa-vllm-openai-queue-size.yaml, read 2026-12-01)."""
