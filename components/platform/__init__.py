"""AiPlatform: one environment's infrastructure, composed from one validated spec.

``AwsStores`` and ``GcpStores`` are its two halves; :mod:`aistacks.platform.cluster_layer` what both
put on their clusters and around their vector stores.
"""

from __future__ import annotations

import pulumi

from aistacks.plan import PlatformPlan, plan_platform
from aistacks.platform.aws import AwsStores
from aistacks.platform.cluster_layer import VectorOutputs
from aistacks.platform.gcp import GcpStores
from aistacks.spec import SNAPSHOT_BUCKET, PlatformSpec

TYPE_TOKEN = "aistacks:platform:AiPlatform"

__all__ = ["AiPlatform", "AwsStores", "GcpStores"]


class AiPlatform(pulumi.ComponentResource):
    """Everything one environment runs, on every cloud its spec names."""

    plan: PlatformPlan
    aws: AwsStores | None
    gcp: GcpStores | None

    def __init__(self, name: str, spec: PlatformSpec, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.plan = plan_platform(spec)
        here = pulumi.ResourceOptions(parent=self)
        self.aws = AwsStores(f"{self.plan.prefix}-aws", self.plan, spec.aws, here) if spec.aws else None
        self.gcp = GcpStores(f"{self.plan.prefix}-gcp", self.plan, spec.gcp, here) if spec.gcp else None
        self.register_outputs({})

    def vector_outputs(self) -> VectorOutputs:
        """What clients of each vector database need (endpoint, secret, collection or index id), by engine."""
        outputs: VectorOutputs = {}
        for stores in (self.aws, self.gcp):
            if stores is not None:
                outputs |= stores.vector_outputs
        return outputs

    def bucket_names(self) -> dict[str, pulumi.Output[str]]:
        """Physical bucket names, keyed ``<cloud>/<bucket>``."""
        names: dict[str, pulumi.Output[str]] = {}
        for cloud, stores in (("aws", self.aws), ("gcp", self.gcp)):
            if stores is None:
                continue
            names |= {f"{cloud}/{key}": bucket.bucket_name for key, bucket in stores.buckets.items()}
            if stores.snapshot_bucket is not None:
                names[f"{cloud}/{SNAPSHOT_BUCKET}"] = stores.snapshot_bucket.bucket_name
        return names
