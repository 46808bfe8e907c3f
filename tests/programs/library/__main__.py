"""A platform team's own program: aistacks components on the default providers, with grants."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from aistacks import aws as aistacks_aws
from aistacks import gcp as aistacks_gcp

key = aistacks_aws.KmsKey("features", aistacks_aws.KmsKeyArgs(description="feature store", protect=False))
bucket = aistacks_aws.EncryptedBucket(
    "features", aistacks_aws.EncryptedBucketArgs(kms_key_arn=key.arn, protect=False, noncurrent_version_days=14)
)
trainer = aws.iam.Role(
    "trainer",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
bucket.grant_read(trainer)
bucket.grant_write(trainer)

gcp_key = aistacks_gcp.KmsKey(
    "features-gcp", aistacks_gcp.KmsKeyArgs(project="acme-feature-store", location="europe-north1")
)
runner = gcp.serviceaccount.Account("runner", account_id="feature-runner")
for name in ("raw", "curated"):
    store = aistacks_gcp.EncryptedBucket(
        name,
        aistacks_gcp.EncryptedBucketArgs(kms_key=gcp_key, project="acme-feature-store", location="europe-north1"),
    )
    store.grant_read(runner)
    store.grant_write("group:ml-platform@example.com")

pulumi.export("bucket", bucket.bucket_name)
