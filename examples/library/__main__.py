"""aistacks components in a team's own Pulumi program: a customer-managed key and an encrypted bucket on
each cloud, each bucket granted to exactly the identity that reads it. Every resource goes through an
explicit provider in the EU (the stack disables the default ones)."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from aistacks import aws as aistacks_aws
from aistacks import gcp as aistacks_gcp

config = pulumi.Config()
aws_eu = aws.Provider("aws-eu", region=config.require("awsRegion"))
project, region = config.require("gcpProject"), config.require("gcpRegion")
gcp_eu = gcp.Provider("gcp-eu", project=project, region=region)

# AWS: the key, a bucket encrypted with it, and a training role that may read the bucket (and decrypt
# through S3 only).
on_aws = pulumi.ResourceOptions(providers={"aws": aws_eu})
key = aistacks_aws.KmsKey("features", aistacks_aws.KmsKeyArgs(description="feature store"), opts=on_aws)
bucket = aistacks_aws.EncryptedBucket(
    "features",
    aistacks_aws.EncryptedBucketArgs(kms_key_arn=key.arn, bucket_name="acme-features-dev-eu-west-1"),
    opts=on_aws,
)
trainer = aws.iam.Role(
    "trainer",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    opts=pulumi.ResourceOptions(provider=aws_eu),
)
bucket.grant_read(trainer)

# Google Cloud: the key ring and key, a bucket whose default key it is (the Cloud Storage service agent
# is admitted to the key once), and a pipeline's service account that may read it.
on_gcp = pulumi.ResourceOptions(providers={"gcp": gcp_eu})
gcp_key = aistacks_gcp.KmsKey("features", aistacks_gcp.KmsKeyArgs(project=project, location=region), opts=on_gcp)
store = aistacks_gcp.EncryptedBucket(
    "features", aistacks_gcp.EncryptedBucketArgs(kms_key=gcp_key, project=project, location=region), opts=on_gcp
)
pipeline = gcp.serviceaccount.Account(
    "pipeline", account_id="feature-pipeline", project=project, opts=pulumi.ResourceOptions(provider=gcp_eu)
)
store.grant_read(pipeline)

pulumi.export("aws_bucket", bucket.bucket_name)
pulumi.export("gcp_bucket", store.bucket_name)
