"""AWS components: keys, encrypted buckets and the audit trail."""

from aistacks.aws.audit import AuditTrail, AuditTrailArgs
from aistacks.aws.bucket import EncryptedBucket, EncryptedBucketArgs, ObjectLock
from aistacks.aws.kms import KmsKey, KmsKeyArgs
from aistacks.aws.network import Network, NetworkArgs

__all__ = [
    "AuditTrail",
    "AuditTrailArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "KmsKey",
    "KmsKeyArgs",
    "Network",
    "NetworkArgs",
    "ObjectLock",
]
