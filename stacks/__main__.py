"""The aistacks Pulumi program: one environment, composed from its typed stack config."""

import pulumi

from aistacks.config import load_platform_spec
from aistacks.platform import AiPlatform

spec = load_platform_spec()
platform = AiPlatform(spec.name, spec)

pulumi.export("environment", spec.environment)
pulumi.export("jurisdiction", spec.jurisdiction)
pulumi.export("buckets", platform.bucket_names())
if platform.aws:
    pulumi.export("aws_key_arn", platform.aws.key.arn)
    pulumi.export("aws_trail_arn", platform.aws.audit.trail.arn)
if platform.gcp:
    pulumi.export("gcp_key_id", platform.gcp.key.key_id)
    pulumi.export("gcp_audit_log_bucket", platform.gcp.audit.log_bucket.id)
if spec.vector:
    # By engine: the endpoint, and the API key Secret (qdrant), collection id (opensearch-serverless)
    # or index ids (vertex-vector-search).
    pulumi.export("vector", platform.vector_outputs())
