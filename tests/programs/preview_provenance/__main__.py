"""An S3 bucket, a Cloud Storage bucket and an OpenSearch Serverless collection, each encrypted by its
stack's customer-managed key.

With ``derived``, each bucket's key is computed from the key's output instead of being it: the AWS
bucket gets the AWS-managed key ``alias/aws/s3``, the Cloud Storage bucket no key at all; the
collection's encryption policy (a JSON document written with ``Output.json_dumps``) holds a value
computed from the key's ARN, the AWS-managed key's. In a preview both stacks look alike to the engine
(unknown, depending on the key); only the values' provenance tells them apart.
"""

import pulumi
import pulumi_aws as aws

from aistacks import aws as aistacks_aws
from aistacks import gcp as aistacks_gcp

derived = pulumi.Config().get_bool("derived") or False

key = aistacks_aws.KmsKey("data", aistacks_aws.KmsKeyArgs(description="data"))
aistacks_aws.EncryptedBucket(
    "data",
    aistacks_aws.EncryptedBucketArgs(
        kms_key_arn=key.arn.apply(lambda _: "alias/aws/s3") if derived else key.arn,
    ),
)

gcp_key = aistacks_gcp.KmsKey("data-gcp", aistacks_gcp.KmsKeyArgs(project="acme-provenance", location="europe-north1"))
assert gcp_key.key_ring is not None
aistacks_gcp.EncryptedBucket(
    "archive",
    aistacks_gcp.EncryptedBucketArgs(
        kms_key=gcp_key.key_ring.id.apply(lambda _: None) if derived else gcp_key,
        project="acme-provenance",
        location="europe-north1",
    ),
)

collection_key = key.arn.apply(lambda _: "arn:aws:kms:eu-north-1:111122223333:alias/aws/aoss") if derived else key.arn
encryption = aws.opensearch.ServerlessSecurityPolicy(
    "vectors-encryption",
    name="vectors",
    type="encryption",
    policy=pulumi.Output.json_dumps(
        {
            "Rules": [{"ResourceType": "collection", "Resource": ["collection/vectors"]}],
            "AWSOwnedKey": False,
            "KmsARN": collection_key,
        }
    ),
)
aws.opensearch.ServerlessCollection(
    "vectors",
    name="vectors",
    type="VECTORSEARCH",
    opts=pulumi.ResourceOptions(depends_on=[encryption], protect=True),
)
