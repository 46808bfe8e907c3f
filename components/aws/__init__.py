"""AWS components: keys, encrypted buckets, the audit trail, network, EKS, GPU pools and the vector collection."""

from aistacks.aws.audit import AuditTrail, AuditTrailArgs
from aistacks.aws.autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from aistacks.aws.bucket import EncryptedBucket, EncryptedBucketArgs, ObjectLock
from aistacks.aws.budget import CostBudget, CostBudgetArgs
from aistacks.aws.eks import EksCluster, EksClusterArgs
from aistacks.aws.kms import KmsKey, KmsKeyArgs
from aistacks.aws.network import ExistingNetwork, Network, NetworkArgs, NetworkRef
from aistacks.aws.nodes import GpuNodePool, GpuNodePoolArgs
from aistacks.aws.opensearch import VectorCollection, VectorCollectionArgs
from aistacks.aws.serving_metrics import ServingMetrics, ServingMetricsArgs

__all__ = [
    "AuditTrail",
    "AuditTrailArgs",
    "ClusterAutoscaler",
    "ClusterAutoscalerArgs",
    "CostBudget",
    "CostBudgetArgs",
    "EksCluster",
    "EksClusterArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "ExistingNetwork",
    "GpuNodePool",
    "GpuNodePoolArgs",
    "KmsKey",
    "KmsKeyArgs",
    "Network",
    "NetworkArgs",
    "NetworkRef",
    "ObjectLock",
    "ServingMetrics",
    "ServingMetricsArgs",
    "VectorCollection",
    "VectorCollectionArgs",
]
