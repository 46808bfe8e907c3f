"""From a valid spec to a plan: the shared decisions once, then each cloud's planner, from a registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from aistacks.plan.aws import plan_aws
from aistacks.plan.gcp import plan_gcp
from aistacks.plan.model import CloudPlan, ClusterPlan, GpuPoolPlan, PlatformPlan
from aistacks.plan.shared import SharedPlan, plan_shared
from aistacks.spec import PlatformSpec
from aistacks.vocabulary import CLOUDS, Cloud

CloudPlanner = Callable[[PlatformSpec, SharedPlan], CloudPlan[ClusterPlan[GpuPoolPlan]] | None]
"""Plans one cloud's half of a spec, or ``None`` when the spec does not use that cloud."""

_PLANNERS: dict[Cloud, CloudPlanner] = {"aws": plan_aws, "gcp": plan_gcp}
CLOUD_PLANNERS: Mapping[Cloud, CloudPlanner] = MappingProxyType(_PLANNERS)
"""One planner per cloud; adding a cloud adds its planner here (and its builder to
``aistacks.platform.CLOUD_BUILDERS``)."""


def plan_platform(spec: PlatformSpec) -> PlatformPlan:
    """Resolve every default of ``spec``, which must be valid (:func:`aistacks.config.parse_platform_spec`)."""
    shared = plan_shared(spec)
    clouds: dict[Cloud, CloudPlan[ClusterPlan[GpuPoolPlan]]] = {}
    for cloud in CLOUDS:
        planned = CLOUD_PLANNERS[cloud](spec, shared)
        if planned is not None:
            clouds[cloud] = planned
    return PlatformPlan(
        name=spec.name,
        environment=spec.environment,
        jurisdiction=spec.jurisdiction,
        prefix=shared.prefix,
        protect=shared.protect,
        tags=MappingProxyType(dict(shared.tags)),
        vectors=shared.vectors,
        inference=tuple(
            sorted(
                (service for plan in clouds.values() for cluster in plan.clusters for service in cluster.inference),
                key=lambda service: [s.name for _, _, s in shared.services].index(service.name),
            )
        ),
        clouds=MappingProxyType(clouds),
    )
