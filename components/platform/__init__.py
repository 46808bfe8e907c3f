"""AiPlatform: one environment's infrastructure, built from its plan.

Each cloud's half is built by the builder registered for it in :data:`CLOUD_BUILDERS`
(:class:`AwsStores`, :class:`GcpStores`), from that cloud's plan alone; :mod:`aistacks.platform.stores`
holds the sequence they share and :mod:`aistacks.platform.cluster_layer` what every cluster gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pulumi

from aistacks.plan import PlatformPlan
from aistacks.platform.aws import AwsStores
from aistacks.platform.cluster_layer import VectorOutputs
from aistacks.platform.gcp import GcpStores
from aistacks.platform.stores import CloudStores
from aistacks.vocabulary import Cloud

TYPE_TOKEN = "aistacks:platform:AiPlatform"

Builder = type[CloudStores[Any, Any, Any, Any, Any, Any, Any]]
_BUILDERS: dict[Cloud, Builder] = {"aws": AwsStores, "gcp": GcpStores}
CLOUD_BUILDERS: Mapping[Cloud, Builder] = MappingProxyType(_BUILDERS)
"""One builder per cloud; adding a cloud adds its builder here (and its planner to
``aistacks.plan.CLOUD_PLANNERS``)."""

__all__ = ["CLOUD_BUILDERS", "AiPlatform", "AwsStores", "CloudStores", "GcpStores"]


class AiPlatform(pulumi.ComponentResource):
    """Everything one environment runs, on every cloud its plan names.

    ``AiPlatform("aistacks", plan_platform(spec))``: the plan comes from a validated spec
    (:func:`aistacks.config.parse_platform_spec`, :func:`aistacks.plan.plan_platform`)."""

    plan: PlatformPlan
    clouds: dict[Cloud, CloudStores[Any, Any, Any, Any, Any, Any, Any]]
    """Each cloud's half, by cloud."""

    def __init__(self, name: str, plan: PlatformPlan, opts: pulumi.ResourceOptions | None = None):
        if not isinstance(plan, PlatformPlan):
            raise TypeError(
                f"AiPlatform takes a PlatformPlan, not {type(plan).__name__}: "
                "AiPlatform(name, aistacks.plan.plan_platform(spec))"
            )
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.plan = plan
        here = pulumi.ResourceOptions(parent=self)
        self.clouds = {cloud: CLOUD_BUILDERS[cloud](cloud_plan, here) for cloud, cloud_plan in plan.clouds.items()}
        self.register_outputs({})

    def vector_outputs(self) -> VectorOutputs:
        """What clients of each vector database need (endpoint, secret, collection or index id), by engine."""
        outputs: VectorOutputs = {}
        for stores in self.clouds.values():
            outputs |= stores.vector_outputs
        return outputs

    def bucket_names(self) -> dict[str, pulumi.Output[str]]:
        """Physical bucket names, keyed ``<cloud>/<bucket>``."""
        names: dict[str, pulumi.Output[str]] = {}
        for stores in self.clouds.values():
            names |= stores.bucket_names()
        return names

    def exports(self) -> dict[str, pulumi.Input[str]]:
        """What the stack exports of each cloud (``aws_key_arn``, ``gcp_audit_log_bucket``, …)."""
        exports: dict[str, pulumi.Input[str]] = {}
        for stores in self.clouds.values():
            exports |= stores.exports()
        return exports
