"""Google Cloud components: keys, encrypted buckets, the audit sink, network, GKE, GPU pools and Vector Search."""

from aistacks.gcp.audit import AuditSink, AuditSinkArgs
from aistacks.gcp.bucket import EncryptedBucket, EncryptedBucketArgs, RetentionLock
from aistacks.gcp.budget import CostBudget, CostBudgetArgs
from aistacks.gcp.gke import GkeCluster, GkeClusterArgs, GpuNodePool
from aistacks.gcp.identity import WorkloadPrincipal
from aistacks.gcp.kms import KmsKey, KmsKeyArgs
from aistacks.gcp.network import ExistingNetwork, Network, NetworkArgs, NetworkRef
from aistacks.gcp.vector_search import VectorSearchIndex, VectorSearchIndexArgs

__all__ = [
    "AuditSink",
    "AuditSinkArgs",
    "CostBudget",
    "CostBudgetArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "ExistingNetwork",
    "GkeCluster",
    "GkeClusterArgs",
    "GpuNodePool",
    "KmsKey",
    "KmsKeyArgs",
    "Network",
    "NetworkArgs",
    "NetworkRef",
    "RetentionLock",
    "VectorSearchIndex",
    "VectorSearchIndexArgs",
    "WorkloadPrincipal",
]
