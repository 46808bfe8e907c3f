"""The aistacks Pulumi program: one environment, planned from its typed stack config."""

import pulumi

from aistacks.config import load_platform_spec
from aistacks.plan import plan_platform
from aistacks.platform import AiPlatform

plan = plan_platform(load_platform_spec())
platform = AiPlatform(plan.name, plan)

pulumi.export("environment", plan.environment)
pulumi.export("jurisdiction", plan.jurisdiction)
pulumi.export("buckets", platform.bucket_names())
for name, value in platform.exports().items():
    pulumi.export(name, value)
if plan.vectors:
    # By engine: the endpoint, and the API key Secret (qdrant), collection id (opensearch-serverless)
    # or index ids (vertex-vector-search).
    pulumi.export("vector", platform.vector_outputs())
