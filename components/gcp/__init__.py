"""Google Cloud components: keys, encrypted buckets and the audit sink."""

from aistacks.gcp.audit import AuditSink, AuditSinkArgs
from aistacks.gcp.bucket import EncryptedBucket, EncryptedBucketArgs, RetentionLock
from aistacks.gcp.gke import GkeCluster, GkeClusterArgs, GpuNodePool
from aistacks.gcp.kms import KmsKey, KmsKeyArgs
from aistacks.gcp.network import Network, NetworkArgs

__all__ = [
    "AuditSink",
    "AuditSinkArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "GkeCluster",
    "GkeClusterArgs",
    "GpuNodePool",
    "KmsKey",
    "KmsKeyArgs",
    "Network",
    "NetworkArgs",
    "RetentionLock",
]
