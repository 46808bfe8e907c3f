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
vector = (platform.aws and platform.aws.vector) or (platform.gcp and platform.gcp.vector)
if vector:
    pulumi.export("vector_endpoint", vector.endpoint)
    pulumi.export("vector_api_key_secret", vector.secret_name)
