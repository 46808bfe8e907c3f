"""Invariants of the pure plan over any valid config (hypothesis): every default resolved, names inside
the limits the plan guarantees, hosting and placement consistent, and adding a pool, a cluster or a
bucket never renames or re-addresses anything that was planned before."""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aistacks.catalog import MANAGED_VECTOR_ENGINES, AcceleratorType
from aistacks.config import parse_platform_spec
from aistacks.naming import OPENSEARCH_NAME_LIMIT
from aistacks.plan import AwsPlan, GcpPlan, PlatformPlan, plan_platform
from aistacks.plan.gcp import SERVICE_ACCOUNT_ID_LIMIT
from aistacks.spec import (
    CLOUDWATCH_RETENTION_DAYS,
    GCS_SOFT_DELETE_DAYS_RANGE,
    KMS_DELETION_WINDOW_RANGE,
    LOG_BUCKET_RETENTION_DAYS_RANGE,
)

from .strategies import NAMES, nvidia_types, valid_specs

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OPTIONAL: frozenset[tuple[str, str]] = frozenset(
    {
        ("BucketPlan", "expiration_days"),  # only backups expire
        ("CloudPlan", "snapshot_bucket"),  # only where Qdrant runs
        ("AwsPlan", "snapshot_bucket"),
        ("GcpPlan", "snapshot_bucket"),
        ("EksClusterPlan", "qdrant"),  # only the host
        ("GkeClusterPlan", "qdrant"),
        ("AwsPlan", "account_id"),  # pinned only when the config pins it
    }
)
"""The plan fields that may be empty on purpose; every other field is decided."""

# S3: 3 to 63 characters (Amazon S3 User Guide, "General purpose bucket naming rules"); an AWS account ID
# is 12 digits.
S3_BUCKET_NAME_LIMIT = 63
ACCOUNT_ID_LENGTH = 12


def plan_of(raw: Mapping[str, Any]) -> PlatformPlan:
    return plan_platform(parse_platform_spec(dict(raw)))


def fields_of(value: Any, path: str = "plan") -> Iterator[tuple[str, str, str, Any]]:
    """(path, class name, field name, value) of every plan field reachable from ``value`` (catalog entries
    such as an accelerator type are facts, not decisions: not walked)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type | AcceleratorType):
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            yield f"{path}.{field.name}", type(value).__name__, field.name, item
            yield from fields_of(item, f"{path}.{field.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from fields_of(item, f"{path}[{key}]")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from fields_of(item, f"{path}[{index}]")


def names_of(plan: PlatformPlan) -> dict[str, str]:
    """Every name the plan decides, by where it sits: resource names, physical names, range names."""
    return {
        path: value
        for path, _, field, value in fields_of(plan)
        if isinstance(value, str) and (field.endswith(("_name", "name_stem", "_id")) or field in ("name", "prefix"))
    }


def addresses_of(plan: PlatformPlan) -> dict[str, str]:
    return {
        path: str(value)
        for path, _, _, value in fields_of(plan)
        if isinstance(value, ipaddress.IPv4Network) or path.endswith("master_authorized_cidr")
    }


@SETTINGS
@given(raw=valid_specs())
def test_every_default_is_resolved(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    empty = [path for path, owner, field, value in fields_of(plan) if value is None and (owner, field) not in OPTIONAL]
    assert not empty, f"undecided: {empty}"
    assert plan_of(raw) == plan, "planning is a pure function of the config"


@SETTINGS
@given(raw=valid_specs())
def test_names_stay_inside_the_limits_the_plan_guarantees(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    for cloud in plan.clouds.values():
        assert cloud.resource_name.startswith(plan.prefix)
        if isinstance(cloud, AwsPlan):
            stems = [bucket.resource_name for bucket in cloud.buckets] + [cloud.audit.bucket_name_stem]
            for stem in stems:
                assert len(stem) + 1 + ACCOUNT_ID_LENGTH <= S3_BUCKET_NAME_LIMIT, stem
        if isinstance(cloud, GcpPlan):
            for cluster in cloud.clusters:
                account = cluster.node_service_account_id
                assert 6 <= len(account) <= SERVICE_ACCOUNT_ID_LIMIT and not account.endswith("-"), account
        for vector in cloud.managed_vectors:
            if vector.engine == "opensearch-serverless":
                assert len(vector.name) <= OPENSEARCH_NAME_LIMIT


@SETTINGS
@given(raw=valid_specs())
def test_pools_hosting_and_stores_agree_with_the_clouds(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    for cloud in plan.clouds.values():
        for cluster in cloud.clusters:
            assert cluster.resource_name == f"{plan.prefix}-{cluster.name}"
            assert cluster.max_gpus == sum(p.max_nodes * p.accelerator.count for p in cluster.gpu_pools)
            for pool in cluster.gpu_pools:
                assert pool.accelerator.offered_in(cloud.region)
                assert pool.min_nodes <= pool.desired_nodes <= pool.max_nodes
                assert pool.labels["aistacks.io/pool"] == pool.name
                assert pool.taint.key == pool.gpu_resource
                assert pool.resource_name == f"{cluster.resource_name}-{pool.name}"
                if cluster.role == "training" and "min_nodes" not in str(raw):
                    assert pool.min_nodes == 0, "training scales to zero"
        hosts = [cluster for cluster in cloud.clusters if cluster.qdrant is not None]
        assert (cloud.snapshot_bucket is not None) == bool(hosts)
        assert all(MANAGED_VECTOR_ENGINES[v.engine] == cloud.cloud for v in cloud.managed_vectors)
        if plan.environment != "dev":
            assert cloud.protect and all(cluster.protect for cluster in cloud.clusters)
            assert not any(cluster.public_endpoint for cluster in cloud.clusters if "public_endpoint" not in str(raw))
    qdrant = [vector for vector in plan.vectors if vector.engine == "qdrant"]
    hosted = [c.qdrant for cloud in plan.clouds.values() for c in cloud.clusters if c.qdrant is not None]
    assert hosted == qdrant, "each Qdrant database has exactly one host"


def _unchanged(before: dict[str, str], after: dict[str, str]) -> None:
    moved = {path: (value, after.get(path)) for path, value in before.items() if after.get(path) != value}
    assert not moved, f"renamed or moved: {moved}"


@SETTINGS
@given(raw=valid_specs(), data=st.data())
def test_adding_a_pool_renames_nothing(raw: dict[str, Any], data: st.DataObject) -> None:
    candidates = [
        (cloud, index)
        for cloud in ("aws", "gcp")
        for index, _ in enumerate(raw.get(cloud, {}).get("clusters", []))
        if nvidia_types(cloud, raw[cloud]["region"])
    ]
    if not candidates:
        return
    cloud, index = data.draw(st.sampled_from(candidates))
    grown = copy.deepcopy(raw)
    cluster = grown[cloud]["clusters"][index]
    taken = {pool["name"] for pool in cluster["gpu_pools"]}
    name = data.draw(NAMES.filter(lambda n: n not in taken))
    gpu, count, type_name = data.draw(st.sampled_from(nvidia_types(cloud, raw[cloud]["region"])))
    cluster["gpu_pools"].append(
        {"name": name, "gpu": gpu, "gpus_per_node": count, "instance_type": type_name, "capacity": "spot"}
    )
    before, after = plan_of(raw), plan_of(grown)
    _unchanged(names_of(before), names_of(after))
    _unchanged(addresses_of(before), addresses_of(after))


@SETTINGS
@given(raw=valid_specs(), data=st.data())
def test_adding_a_bucket_or_a_cluster_renames_nothing(raw: dict[str, Any], data: st.DataObject) -> None:
    grown = copy.deepcopy(raw)
    buckets = grown.setdefault("buckets", [{"name": "datasets"}, {"name": "models"}])
    taken = {bucket["name"] for bucket in buckets}
    buckets.append({"name": data.draw(NAMES.filter(lambda n: n not in taken))})
    for cloud in ("aws", "gcp"):
        # Only beside clusters that exist: a first cluster on a cloud may become the default host of
        # Qdrant (the first cluster of the first cloud, when none runs inference), which moves it.
        clusters = grown.get(cloud, {}).get("clusters")
        if clusters and data.draw(st.booleans()):
            names = frozenset(c.get("name") or c["role"] for c in clusters)
            name = data.draw(NAMES.filter(lambda n, names=names: n not in names))
            clusters.append({"role": "training", "name": name})
    before, after = plan_of(raw), plan_of(grown)
    _unchanged(names_of(before), names_of(after))
    _unchanged(addresses_of(before), addresses_of(after))


@SETTINGS
@given(raw=valid_specs(with_compute=False))
def test_retention_values_are_ones_the_clouds_accept(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    for cloud in plan.clouds.values():
        assert cloud.audit.log_retention_days in CLOUDWATCH_RETENTION_DAYS
        low, high = GCS_SOFT_DELETE_DAYS_RANGE
        assert all(low <= bucket.soft_delete_days <= high for bucket in cloud.buckets)
        if isinstance(cloud, GcpPlan):
            assert cloud.audit.log_retention_days <= LOG_BUCKET_RETENTION_DAYS_RANGE[1]
        if isinstance(cloud, AwsPlan):
            assert KMS_DELETION_WINDOW_RANGE[0] <= cloud.key.deletion_window_days <= KMS_DELETION_WINDOW_RANGE[1]
