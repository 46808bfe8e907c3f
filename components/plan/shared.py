"""What every cloud of one environment shares, planned once: tier defaults, names, key, buckets, audit,
vector databases. A cloud planner turns it into its :class:`~aistacks.plan.model.CloudPlan`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from aistacks.defaults import AUDIT_BUCKET, TIER_DEFAULTS, TierDefaults
from aistacks.naming import budget_name, budget_topic_name, platform_prefix
from aistacks.plan.model import AuditPlan, BucketPlan, BudgetPlan, CloudPlan, ClusterT, KeyPlan, VectorPlan
from aistacks.plan.vector import plan_vectors, snapshot_bucket
from aistacks.spec import BudgetSpec, InferenceSpec, PlatformSpec
from aistacks.vocabulary import BUDGET_FILTER_TAG, Cloud, Tier

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SharedPlan:
    """The decisions every cloud of the environment shares."""

    tier: Tier
    defaults: TierDefaults
    prefix: str
    protect: bool
    tags: Mapping[str, str]
    key: KeyPlan
    buckets: tuple[BucketPlan, ...]
    audit: AuditPlan
    vectors: tuple[VectorPlan, ...]
    snapshot_bucket: BucketPlan | None
    services: tuple[tuple[Cloud, str, InferenceSpec], ...]
    """Every model to serve, with the cloud and cluster (its name) that serve it, in config order."""
    budgets: Mapping[Cloud, BudgetPlan] = field(default_factory=dict)
    """The environment's budget on each cloud it uses, when the config sets one."""

    def services_on(self, cloud: Cloud, cluster: str) -> list[InferenceSpec]:
        """The models ``cluster`` of ``cloud`` serves, in config order."""
        return [service for on, name, service in self.services if (on, name) == (cloud, cluster)]

    def qdrant_on(self, cloud: Cloud, cluster: str) -> VectorPlan | None:
        """The Qdrant database that ``cluster`` of ``cloud`` hosts, if any."""
        return next(
            (v for v in self.vectors if v.engine == "qdrant" and (v.cloud, v.cluster) == (cloud, cluster)), None
        )

    def cloud_plan(
        self, cloud: Cloud, region: str, clusters: tuple[ClusterT, ...], existing_key: str | None
    ) -> CloudPlan[ClusterT]:
        """The shared part of ``cloud``'s plan; its planner extends it with the cloud's own facts."""
        hosts_qdrant = any(v.engine == "qdrant" and v.cloud == cloud for v in self.vectors)
        return CloudPlan(
            cloud=cloud,
            resource_name=f"{self.prefix}-{cloud}",
            prefix=self.prefix,
            region=region,
            protect=self.protect,
            tags=self.tags,
            key=self.key,
            existing_key=existing_key,
            buckets=self.buckets,
            snapshot_bucket=self.snapshot_bucket if hosts_qdrant else None,
            audit=self.audit,
            clusters=clusters,
            managed_vectors=tuple(v for v in self.vectors if v.engine != "qdrant" and v.cloud == cloud),
        )


def plan_shared(spec: PlatformSpec) -> SharedPlan:
    """Resolve every tier default that all clouds share; the spec must already be valid."""
    defaults = TIER_DEFAULTS[spec.environment]
    prefix = platform_prefix(spec.name, spec.physical_stack_name)
    log_retention_days = spec.audit.log_retention_days or defaults.log_retention_days
    return SharedPlan(
        tier=spec.environment,
        defaults=defaults,
        prefix=prefix,
        protect=defaults.protect if spec.protect is None else spec.protect,
        tags={
            **spec.tags,
            "environment": spec.environment,
            "stack": spec.physical_stack_name,
            BUDGET_FILTER_TAG: prefix,
            "jurisdiction": spec.jurisdiction,
            "managed-by": "aistacks",
            "platform": spec.name,
        },
        key=KeyPlan(
            rotation_period_days=spec.kms.rotation_period_days,
            deletion_window_days=spec.kms.deletion_window_days or defaults.kms_deletion_window_days,
            hsm=defaults.hsm_keys if spec.kms.hsm is None else spec.kms.hsm,
        ),
        buckets=tuple(
            BucketPlan(
                name=bucket.name,
                resource_name=f"{prefix}-{bucket.name}",
                noncurrent_version_days=bucket.noncurrent_version_days or defaults.noncurrent_version_days,
                soft_delete_days=defaults.soft_delete_days,
                force_destroy=defaults.force_destroy_buckets,
            )
            for bucket in spec.buckets
        ),
        audit=AuditPlan(
            resource_name=f"{prefix}-audit",
            bucket_name_stem=f"{prefix}-{AUDIT_BUCKET}",
            log_retention_days=log_retention_days,
            # Log file versions are kept as long as the logs themselves.
            noncurrent_version_days=log_retention_days,
            object_lock_mode=spec.audit.object_lock_mode or defaults.object_lock_mode,
            object_lock_days=spec.audit.object_lock_days or defaults.object_lock_days,
            lock_log_bucket=defaults.lock_log_bucket,
        ),
        vectors=plan_vectors(spec, defaults, prefix),
        snapshot_bucket=snapshot_bucket(spec, defaults, prefix),
        services=tuple(_hosted(spec, service) for service in spec.inference),
        budgets={} if spec.budget is None else _plan_budgets(spec, spec.budget, prefix),
    )


def _plan_budgets(spec: PlatformSpec, budget: BudgetSpec, prefix: str) -> dict[Cloud, BudgetPlan]:
    """The budget on each cloud the spec uses: its share of the amount (all of it on a single cloud), rounded
    half up to the cent, the same alerts and recipients, counting the resources tagged with the stack."""
    clouds = list(spec.cloud_specs())
    shares = budget.cloud_share_percent or {clouds[0]: 100}
    environment = Decimal(str(budget.monthly_usd)).quantize(CENT)
    return {
        cloud: BudgetPlan(
            resource_name=f"{prefix}-{cloud}-budget",
            name=budget_name(prefix),
            amount_usd=(environment * shares[cloud] / 100).quantize(CENT, rounding=ROUND_HALF_UP),
            environment_usd=environment,
            share_percent=shares[cloud],
            thresholds_percent=budget.alert_thresholds_percent,
            forecast_percent=budget.forecast_alert_percent,
            emails=budget.emails,
            filter_tag=BUDGET_FILTER_TAG,
            filter_value=prefix,
            topic_name=budget_topic_name(prefix),
        )
        for cloud in clouds
    }


def _hosted(spec: PlatformSpec, service: InferenceSpec) -> tuple[Cloud, str, InferenceSpec]:
    host = spec.inference_host(service)
    assert host is not None, "a valid spec has an inference cluster for every served model"
    return host[0], host[1].cluster_name, service
