"""Every semantic rule of the stack config: what relates fields to each other, to the catalog and to the
rest of the stack config. Each problem is a :class:`ConfigIssue` naming the key, the bad value and what
is allowed; a spec with none is what the planner (:mod:`aistacks.plan`) accepts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence

from aistacks.catalog import (
    MANAGED_VECTOR_ENGINES,
    SPOT_OR_RESERVED_ONLY,
    AcceleratorNotOffered,
    UnsupportedNodeImage,
    ami_type,
    kubernetes_version_problem,
    regions_in_jurisdiction,
    regions_of,
    resolve_accelerator,
    vector_engine_regions,
)
from aistacks.defaults import RESERVED_BUCKETS, TIER_DEFAULTS, pool_capacity
from aistacks.deployability import deployability_issues
from aistacks.issues import ConfigIssue
from aistacks.naming import OPENSEARCH_NAME_LIMIT, managed_store_name, platform_prefix
from aistacks.netplan import plan_aws_subnets, plan_gcp_ranges, positional_zones
from aistacks.reasons import reason_problem
from aistacks.spec import (
    LOG_BUCKET_RETENTION_DAYS_RANGE,
    BudgetSpec,
    ClusterSpec,
    GpuPoolSpec,
    PlatformSpec,
    VectorSpec,
)
from aistacks.validate_inference import inference_issues
from aistacks.vocabulary import Capacity, Cloud, Role, VectorEngine

ROOT = "aistacks:platform"
__all__ = ["DEFAULT_PROVIDER_REGION_KEYS", "ROOT", "ConfigIssue", "compute_issues", "semantic_issues"]


DEFAULT_PROVIDER_REGION_KEYS: dict[str, Cloud] = {"aws:region": "aws", "gcp:region": "gcp", "gcp:zone": "gcp"}
"""Stack config keys that place resources on a default provider; they too must stay in the jurisdiction."""


def semantic_issues(
    spec: PlatformSpec, root: str = ROOT, stack_config: Mapping[str, str] | None = None
) -> list[ConfigIssue]:
    """The rules that relate fields to each other, to the catalog and to the rest of the stack
    config (``stack_config``: the default providers' ``aws:region``, ``gcp:region``, ``gcp:zone``)."""
    issues = _default_provider_issues(spec, stack_config or {})
    if not spec.cloud_specs():
        issues.append(ConfigIssue(root, None, "name at least one cloud: set `aws` and/or `gcp`"))
    for cloud, settings in spec.cloud_specs().items():
        allowed = regions_in_jurisdiction(cloud, spec.jurisdiction)
        if settings.region not in allowed:
            issues.append(
                ConfigIssue(
                    f"{root}.{cloud}.region",
                    settings.region,
                    f"outside jurisdiction {spec.jurisdiction!r}; regions allowed there: "
                    + (", ".join(allowed) or f"none on {cloud.upper()}"),
                )
            )
    for cloud, settings in spec.cloud_specs().items():
        if settings.region in regions_of(cloud):
            path = f"{root}.{cloud}"
            issues += compute_issues(cloud, settings.region, settings.kubernetes_version, settings.clusters, path)
    issues += _address_issues(spec, root)
    issues += deployability_issues(spec, root)
    issues += _vector_issues(spec, root)
    issues += inference_issues(spec, root)
    issues += _bucket_issues(spec, root)
    issues += _retention_issues(spec, root)
    issues += _budget_issues(spec, root)
    if spec.environment != "dev" and spec.protect is False:
        issues.append(
            ConfigIssue(
                f"{root}.protect",
                False,
                f"stateful resources are always protected in {spec.environment}; allowed: true or leave it out",
            )
        )
    return issues


def _default_provider_issues(spec: PlatformSpec, stack_config: Mapping[str, str]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for key, cloud in DEFAULT_PROVIDER_REGION_KEYS.items():
        value = stack_config.get(key)
        if value is None:
            continue
        region = value.rsplit("-", 1)[0] if key == "gcp:zone" else value
        allowed = regions_in_jurisdiction(cloud, spec.jurisdiction)
        if region not in allowed:
            issues.append(
                ConfigIssue(
                    key,
                    value,
                    f"the default {cloud.upper()} provider would place resources outside jurisdiction "
                    f"{spec.jurisdiction!r}; allowed regions: {', '.join(allowed) or 'none'}",
                )
            )
    return issues


def _address_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    """Each cloud's block must hold what is cut from it: the AWS subnets of every zone, the GCP nodes range
    and every cluster's pods and services ranges. A block too small says what would fit."""
    issues: list[ConfigIssue] = []
    if spec.aws is not None and spec.aws.existing_vpc is None:
        zones = spec.aws.zones or TIER_DEFAULTS[spec.environment].aws_zones
        problem = _aws_plan_problem(spec.aws.cidr, zones)
        if problem is not None:
            issues.append(ConfigIssue(f"{root}.aws.cidr", spec.aws.cidr, problem))
    if spec.gcp is not None and spec.gcp.existing_network is None:
        problem = _gcp_plan_problem(spec.gcp.cidr, len(spec.gcp.clusters))
        if problem is not None:
            issues.append(ConfigIssue(f"{root}.gcp.cidr", spec.gcp.cidr, problem))
    return issues


AWS_SUBNETS = "a private /19 and a public /24 per zone"
GCP_RANGES = "the nodes' /20, then a /16 of pods and a /22 of services per cluster"


def _fits(plan: Callable[[], object]) -> bool:
    try:
        plan()
    except ValueError:  # AddressPlanError, or not a network address
        return False
    return True


def _not_an_address(cidr: str) -> str | None:
    """Host bits set, octets over 255 (the spec's validator reports these first, so only a config that
    skipped it gets here)."""
    try:
        ipaddress.IPv4Network(cidr)
    except ValueError as error:
        return f"not a network address: {error}"
    return None


def _aws_plan_problem(cidr: str, zones: int) -> str | None:
    """Why the subnets of ``zones`` zones do not fit in ``cidr``, with what would; none if they fit."""
    if (problem := _not_an_address(cidr)) is not None:
        return problem
    if _fits(lambda: plan_aws_subnets(cidr, positional_zones(zones))):
        return None
    prefix = int(cidr.rsplit("/", 1)[1])
    most = max((n for n in range(1, 65) if _fits(lambda n=n: plan_aws_subnets(cidr, positional_zones(n)))), default=0)
    larger = [p for p in range(prefix - 1, 15, -1) if _fits(lambda p=p: _aws_plan_at(cidr, p, zones))]
    needed = f"with {zones} zones use a /{larger[0]}" if larger else f"no VPC range holds {zones} zones"
    return (
        f"a /{prefix} holds the subnets ({AWS_SUBNETS}) of at most {most} zones, not {zones}; {needed} "
        f"(a /17 holds up to 3 zones, a /16 up to 6), or set aws.zones to at most {most}"
    )


def _aws_plan_at(cidr: str, prefix: int, zones: int) -> object:
    supernet = ipaddress.IPv4Network(cidr).supernet(new_prefix=prefix)
    return plan_aws_subnets(str(supernet), positional_zones(zones))


def _gcp_plan_problem(cidr: str, clusters: int) -> str | None:
    """Why the ranges of ``clusters`` clusters do not fit in ``cidr``, with what would; none if they fit."""

    def plan(block: str, count: int) -> object:
        return plan_gcp_ranges(block, [f"cluster-{index}" for index in range(count)])

    if (problem := _not_an_address(cidr)) is not None:
        return problem
    if _fits(lambda: plan(cidr, clusters)):
        return None
    prefix = int(cidr.rsplit("/", 1)[1])
    most = 0
    while most < clusters and _fits(lambda count=most + 1: plan(cidr, count)):
        most += 1
    network = ipaddress.IPv4Network(cidr)
    larger = [
        p for p in range(prefix - 1, 7, -1) if _fits(lambda p=p: plan(str(network.supernet(new_prefix=p)), clusters))
    ]
    needed = f"{clusters} clusters need a /{larger[0]} or larger" if larger else f"no /8 or smaller holds {clusters}"
    return (
        f"a /{prefix} holds the ranges ({GCP_RANGES}) of at most {most} cluster(s), not {clusters}; "
        f"{needed}, or define at most {most}"
    )


def _bucket_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    seen: set[str] = set()
    for index, bucket in enumerate(spec.buckets):
        path = f"{root}.buckets[{index}].name"
        if bucket.name in RESERVED_BUCKETS:
            issues.append(ConfigIssue(path, bucket.name, f"reserved for the {RESERVED_BUCKETS[bucket.name]}"))
        if bucket.name in seen:
            issues.append(ConfigIssue(path, bucket.name, "bucket names must be unique"))
        seen.add(bucket.name)
    return issues


def _retention_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    """Audit log retention is one setting for both clouds; Cloud Logging buckets accept less than
    CloudWatch Logs does."""
    days, (_, longest) = spec.audit.log_retention_days, LOG_BUCKET_RETENTION_DAYS_RANGE
    if spec.gcp is None or days is None or days <= longest:
        return []
    message = f"Cloud Logging buckets keep logs at most {longest} days; allowed with gcp: up to {longest}"
    return [ConfigIssue(f"{root}.audit.log_retention_days", days, message)]


def compute_issues(
    cloud: Cloud, region: str, version: str | None, clusters: Sequence[ClusterSpec], path: str
) -> list[ConfigIssue]:
    """Every compute problem of one cloud's clusters: versions, names, pools that could never run."""
    issues: list[ConfigIssue] = []
    if clusters and version is None:
        message = 'required when clusters are defined, e.g. "1.35"'
        issues.append(ConfigIssue(f"{path}.kubernetes_version", None, message))
    problem = kubernetes_version_problem(cloud, version) if version is not None else None
    if problem is not None:
        issues.append(ConfigIssue(f"{path}.kubernetes_version", version, problem))
    names = [cluster.cluster_name for cluster in clusters]
    for index, name in enumerate(names):
        if names.index(name) != index:
            message = "cluster names must be unique (default: the role)"
            issues.append(ConfigIssue(f"{path}.clusters[{index}].name", name, message))
    for index, cluster in enumerate(clusters):
        pool_names = [pool.name for pool in cluster.gpu_pools]
        for pool_index, pool in enumerate(cluster.gpu_pools):
            pool_path = f"{path}.clusters[{index}].gpu_pools[{pool_index}]"
            if pool_names.index(pool.name) != pool_index:
                issues.append(ConfigIssue(f"{pool_path}.name", pool.name, "pool names must be unique in a cluster"))
            issues += _pool_issues(cloud, region, cluster.role, pool, pool_path)
    return issues


def _pool_issues(cloud: Cloud, region: str, role: Role, pool: GpuPoolSpec, path: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    if pool.min_nodes is not None and pool.min_nodes > pool.max_nodes:
        issues.append(ConfigIssue(f"{path}.min_nodes", pool.min_nodes, f"more than max_nodes ({pool.max_nodes})"))
    if cloud == "gcp" and pool.image != "al2023":
        issues.append(ConfigIssue(f"{path}.image", pool.image, "AWS only; GKE pools use Container-Optimized OS"))
    try:
        accelerator = resolve_accelerator(cloud, region, pool.gpu, pool.gpus_per_node, type_name=pool.instance_type)
    except AcceleratorNotOffered as error:
        if error.by_type:
            return [*issues, ConfigIssue(f"{path}.instance_type", pool.instance_type, str(error))]
        return [*issues, ConfigIssue(f"{path}.gpu", pool.gpu, str(error))]
    if cloud == "aws":
        try:
            ami_type(accelerator, pool.image)
        except UnsupportedNodeImage as error:
            issues.append(ConfigIssue(f"{path}.image", pool.image, str(error)))
    if accelerator.vendor != "nvidia":
        message = (
            "Neuron pools are not supported yet: aistacks installs no Neuron device plugin, so "
            "aws.amazon.com/neuron would never be schedulable; allowed: NVIDIA GPUs"
        )
        issues.append(ConfigIssue(f"{path}.gpu", pool.gpu, message))
    capacity = pool_capacity(role, pool.capacity)
    if accelerator.name in SPOT_OR_RESERVED_ONLY and capacity == "on_demand":
        message = f"{accelerator.name} cannot be had on demand (spot, Flex-start or a reservation only); allowed: spot"
        issues.append(ConfigIssue(f"{path}.capacity", "on_demand", message))
    return issues + _on_demand_reason_issues(pool, capacity, path)


def _on_demand_reason_issues(pool: GpuPoolSpec, capacity: Capacity, path: str) -> list[ConfigIssue]:
    """An opt-out from spot says why in words a tag can carry, and only a pool on demand has one."""
    reason = pool.on_demand_reason
    if reason is None:
        return []
    if capacity != "on_demand":
        message = "only a pool on demand opts out of spot; this pool runs on spot: leave it out"
        return [ConfigIssue(f"{path}.on_demand_reason", reason, message)]
    problem = reason_problem(reason)
    return [] if problem is None else [ConfigIssue(f"{path}.on_demand_reason", reason, problem)]


AWS_BUDGET_NOTIFICATIONS = 10
"""Notifications an AWS budget may have. Source: AWS Budgets API Reference, "Notification": "A budget can have
up to ten notifications" (read 2026-12-01)."""
GCP_BUDGET_CHANNELS = 5
"""Cloud Monitoring notification channels a Cloud Billing budget may name. Source: pulumi-gcp 10.2.0
billing.BudgetAllUpdatesRuleArgs.monitoring_notification_channels: "A maximum of 5 channels are allowed"."""


def _budget_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    """A budget names the billing account where the stack uses Google Cloud, fits each cloud's limits, and
    divides its amount between the clouds it is on."""
    budget = spec.budget
    if budget is None:
        return []
    path = f"{root}.budget"
    clouds = list(spec.cloud_specs())
    issues: list[ConfigIssue] = []
    if "gcp" in clouds and budget.gcp_billing_account is None:
        message = (
            "required when the stack uses gcp: the ID of the Cloud Billing account that pays for gcp.project, "
            "18 characters in the form XXXXXX-XXXXXX-XXXXXX (0-9, A-Z), as the console's Billing pages show it"
        )
        issues.append(ConfigIssue(f"{path}.gcp_billing_account", None, message))
    if "gcp" not in clouds and budget.gcp_billing_account is not None:
        message = "the stack does not use gcp; leave it out"
        issues.append(ConfigIssue(f"{path}.gcp_billing_account", budget.gcp_billing_account, message))
    notifications = len(budget.alert_thresholds_percent) + 1
    if "aws" in clouds and notifications > AWS_BUDGET_NOTIFICATIONS:
        message = (
            f"an AWS budget takes {AWS_BUDGET_NOTIFICATIONS} notifications, one of them the forecast alert; "
            f"allowed: at most {AWS_BUDGET_NOTIFICATIONS - 1} thresholds"
        )
        issues.append(ConfigIssue(f"{path}.alert_thresholds_percent", list(budget.alert_thresholds_percent), message))
    if "gcp" in clouds and len(budget.emails) > GCP_BUDGET_CHANNELS:
        message = f"a Cloud Billing budget takes {GCP_BUDGET_CHANNELS} notification channels; allowed: at most 5"
        issues.append(ConfigIssue(f"{path}.emails", list(budget.emails), message))
    return issues + _share_issues(budget, clouds, f"{path}.cloud_share_percent")


def _share_issues(budget: BudgetSpec, clouds: list[Cloud], path: str) -> list[ConfigIssue]:
    shares = budget.cloud_share_percent
    if shares is None:
        if len(clouds) > 1:
            message = (
                f"required when the stack uses {' and '.join(clouds)}: each cloud's budget sees only its own bill, "
                "so give each cloud its percentage of monthly_usd, summing to 100 (`aistacks cost` shows each "
                "cloud's full-scale total, a start for the split)"
            )
            return [ConfigIssue(path, None, message)]
        return []
    written = dict(shares)
    if set(written) != set(clouds):
        message = f"name exactly the clouds the stack uses: {', '.join(clouds)}"
        return [ConfigIssue(path, written, message)]
    if sum(written.values()) != 100:
        return [ConfigIssue(path, written, f"the percentages sum to {sum(written.values())}; allowed: 100")]
    small = [cloud for cloud, percent in written.items() if budget.monthly_usd * percent / 100 < 0.005]
    if small:
        message = f"{', '.join(small)}'s share of monthly_usd rounds to $0.00; a budget needs at least a cent"
        return [ConfigIssue(path, written, message)]
    return []


_ENGINE_ONLY: tuple[tuple[str, VectorEngine], ...] = (
    ("storage_gib", "qdrant"),
    ("snapshot_schedule", "qdrant"),
    ("snapshot_retention_days", "qdrant"),
    ("dimensions", "vertex-vector-search"),
    ("distance", "vertex-vector-search"),
)
"""Fields that only one engine reads."""


def _vector_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for index, vector in enumerate(spec.vector):
        path = f"{root}.vector[{index}]"
        if vector.engine in [other.engine for other in spec.vector[:index]]:
            issues.append(ConfigIssue(f"{path}.engine", vector.engine, "one vector database per engine"))
        issues += [
            ConfigIssue(f"{path}.{field}", getattr(vector, field), f"applies to engine {engine} only")
            for field, engine in _ENGINE_ONLY
            if getattr(vector, field) is not None and vector.engine != engine
        ]
        if vector.engine == "qdrant":
            issues += _qdrant_issues(spec, vector, path)
        else:
            issues += _managed_issues(spec, vector, root, path)
    return issues


def _qdrant_issues(spec: PlatformSpec, vector: VectorSpec, path: str) -> list[ConfigIssue]:
    issues = [
        ConfigIssue(
            f"{path}.{field}",
            getattr(vector, field),
            "applies to managed engines only: qdrant is reachable only inside its cluster and its volumes "
            "always use the stack's key",
        )
        for field, secure in (("public_access", False), ("customer_managed_key", True))
        if getattr(vector, field) != secure
    ]
    if not spec.clusters(vector.cloud, vector.cluster):
        where = vector.cluster or vector.cloud or "any cloud"
        message = "no cluster to host the vector database; define one under aws or gcp clusters"
        issues.append(ConfigIssue(path, where, message))
    return issues


def _managed_issues(spec: PlatformSpec, vector: VectorSpec, root: str, path: str) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    cloud = MANAGED_VECTOR_ENGINES[vector.engine]
    settings = spec.cloud_specs().get(cloud)
    if vector.cloud not in (None, cloud):
        issues.append(ConfigIssue(f"{path}.cloud", vector.cloud, f"{vector.engine} runs on {cloud}; allowed: {cloud}"))
    elif settings is None:
        issues.append(ConfigIssue(f"{path}.engine", vector.engine, f"{vector.engine} needs `{cloud}` settings"))
    elif settings.region not in vector_engine_regions(vector.engine):
        offered = sorted(vector_engine_regions(vector.engine) & set(regions_in_jurisdiction(cloud, spec.jurisdiction)))
        message = (
            f"{vector.engine} is not offered in {cloud}.region {settings.region}; regions that offer it in "
            f"jurisdiction {spec.jurisdiction!r}: {', '.join(offered) or 'none'}"
        )
        issues.append(ConfigIssue(f"{path}.engine", vector.engine, message))
    elif not spec.clusters(cloud, vector.cluster):
        message = (
            f"no {cloud.upper()} cluster whose workloads would use the {vector.engine} store; "
            f"define one under {cloud}.clusters"
        )
        issues.append(ConfigIssue(f"{path}.cluster", vector.cluster, message))
    if vector.engine == "opensearch-serverless":
        if vector.replicas is not None and vector.replicas > 2:
            message = "OpenSearch Serverless keeps one copy, or one plus a standby in another zone; allowed: 1, 2"
            issues.append(ConfigIssue(f"{path}.replicas", vector.replicas, message))
        name = managed_store_name(platform_prefix(spec.name, spec.physical_stack_name))
        if len(name) > OPENSEARCH_NAME_LIMIT:
            message = (
                f"the collection name {name!r} would exceed OpenSearch Serverless's {OPENSEARCH_NAME_LIMIT} "
                "characters; use a shorter platform name"
            )
            issues.append(ConfigIssue(f"{root}.name", spec.name, message))
    if vector.engine == "vertex-vector-search" and vector.dimensions is None:
        issues.append(ConfigIssue(f"{path}.dimensions", None, "required for vertex-vector-search: 1 to 4096"))
    return issues
