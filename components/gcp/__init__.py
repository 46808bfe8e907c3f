"""Google Cloud components: keys, encrypted buckets and the audit sink."""

from aistacks.gcp.audit import AuditSink, AuditSinkArgs
from aistacks.gcp.bucket import EncryptedBucket, EncryptedBucketArgs, RetentionLock
from aistacks.gcp.kms import KmsKey, KmsKeyArgs

__all__ = [
    "AuditSink",
    "AuditSinkArgs",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "KmsKey",
    "KmsKeyArgs",
    "RetentionLock",
]
