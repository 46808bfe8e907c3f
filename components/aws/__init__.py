"""AWS components: keys, encrypted buckets and the audit trail."""

from aistacks.aws.audit import AuditTrail, AuditTrailArgs
from aistacks.aws.bucket import EncryptedBucket, EncryptedBucketArgs, ObjectLock
from aistacks.aws.kms import KmsKey, KmsKeyArgs

__all__ = [
    "AuditTrail",
    "AuditTrailArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "KmsKey",
    "KmsKeyArgs",
    "ObjectLock",
]
