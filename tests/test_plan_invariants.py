"""Invariants of the pure plan over any valid config (hypothesis): every default resolved, names inside
the limits the plan guarantees, hosting and placement consistent, API endpoints as asked or the tier's,
a brought network or key used as given, and adding a pool, a cluster or a bucket never renames or
re-addresses anything that was planned before. A last test checks that the strategies draw every kind of
config these invariants are meant to see."""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from aistacks.catalog import (
    MANAGED_VECTOR_ENGINES,
    SPOT_OR_RESERVED_ONLY,
    AcceleratorType,
    accelerator_types,
    resolve_accelerator,
)
from aistacks.config import parse_platform_spec
from aistacks.defaults import ROLE_DEFAULTS, TIER_DEFAULTS
from aistacks.naming import OPENSEARCH_NAME_LIMIT
from aistacks.plan import AwsPlan, GcpPlan, PlatformPlan, plan_platform
from aistacks.plan.aws import AwsNetworkPlan, EksClusterPlan, ExistingVpcPlan
from aistacks.plan.gcp import SERVICE_ACCOUNT_ID_LIMIT, ExistingGcpNetworkPlan, GcpNetworkPlan
from aistacks.spec import (
    CLOUDWATCH_RETENTION_DAYS,
    GCS_SOFT_DELETE_DAYS_RANGE,
    KMS_DELETION_WINDOW_RANGE,
    LOG_BUCKET_RETENTION_DAYS_RANGE,
)
from aistacks.vocabulary import Cloud

from .strategies import CLOUDS, DOCUMENTATION_RANGES, NAMES, POOL_NAMES, nvidia_types, valid_specs

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OPTIONAL: frozenset[tuple[str, str]] = frozenset(
    {
        ("BucketPlan", "expiration_days"),  # only backups expire
        ("CloudPlan", "snapshot_bucket"),  # only where Qdrant runs
        ("AwsPlan", "snapshot_bucket"),
        ("GcpPlan", "snapshot_bucket"),
        ("EksClusterPlan", "qdrant"),  # only the host
        ("GkeClusterPlan", "qdrant"),
        ("EksClusterPlan", "serving_metrics"),  # only where models are served
        ("GkeClusterPlan", "serving_metrics"),
        ("AwsPlan", "account_id"),  # pinned only when the config pins it
        ("CloudPlan", "existing_key"),  # only when the config brings a key
        ("AwsPlan", "existing_key"),
        ("GcpPlan", "existing_key"),
        ("AwsPlan", "budget"),  # only when the config sets a budget
        ("GcpPlan", "budget"),
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
        if isinstance(value, str)
        and (field.endswith(("_name", "name_stem", "_id", "_range")) or field in ("name", "prefix"))
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
    # An empty string is as undecided as None (a version, a channel, a description left blank).
    blank = [path for path, _, _, value in fields_of(plan) if isinstance(value, str) and not value.strip()]
    assert not blank, f"decided as an empty string: {blank}"
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


def raw_clusters(raw: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The config's clusters by (cloud, cluster name)."""
    return {
        (cloud, cluster.get("name") or cluster["role"]): cluster
        for cloud in ("aws", "gcp")
        for cluster in raw.get(cloud, {}).get("clusters", [])
    }


def raw_vectors(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The config's vector databases, whether written as one object or a list."""
    vector = raw.get("vector", [])
    return [vector] if isinstance(vector, dict) else list(vector)


@SETTINGS
@given(raw=valid_specs())
def test_pools_hosting_and_stores_agree_with_the_clouds(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    asked = raw_clusters(raw)
    for cloud in plan.clouds.values():
        for cluster in cloud.clusters:
            config = asked[cloud.cloud, cluster.name]
            assert cluster.resource_name == f"{plan.prefix}-{cluster.name}"
            assert cluster.max_gpus == sum(p.max_nodes * p.accelerator.count for p in cluster.gpu_pools)
            assert [pool.name for pool in cluster.gpu_pools] == [pool["name"] for pool in config["gpu_pools"]]
            for pool, pool_config in zip(cluster.gpu_pools, config["gpu_pools"], strict=True):
                assert pool.accelerator.offered_in(cloud.region)
                assert pool.min_nodes <= pool.desired_nodes <= pool.max_nodes
                assert pool.labels["aistacks.io/pool"] == pool.name
                assert pool.taint.key == pool.gpu_resource
                assert pool.resource_name == f"{cluster.resource_name}-{pool.name}"
                if "min_nodes" not in pool_config:
                    assert pool.min_nodes == ROLE_DEFAULTS[cluster.role].min_nodes, "the role's floor (training: 0)"
                assert pool.capacity == pool_config.get("capacity", ROLE_DEFAULTS[cluster.role].capacity)
                if pool.accelerator.name in SPOT_OR_RESERVED_ONLY:
                    assert pool.capacity == "spot", "a spot-only type never runs on demand"
                if "instance_type" in pool_config:
                    assert pool.accelerator.name == pool_config["instance_type"]
                else:
                    fits = [
                        t.vcpus
                        for t in accelerator_types(cloud.cloud).values()
                        if (t.accelerator, t.count) == (pool.accelerator.accelerator, pool.accelerator.count)
                        and t.offered_in(cloud.region)
                    ]
                    assert pool.accelerator.vcpus == min(fits), "the catalog's smallest type that carries the GPUs"
        hosts = [cluster for cluster in cloud.clusters if cluster.qdrant is not None]
        assert (cloud.snapshot_bucket is not None) == bool(hosts)
        assert all(MANAGED_VECTOR_ENGINES[v.engine] == cloud.cloud for v in cloud.managed_vectors)
        if plan.environment != "dev":
            assert cloud.protect and all(cluster.protect for cluster in cloud.clusters)
    qdrant = [vector for vector in plan.vectors if vector.engine == "qdrant"]
    hosted = [c.qdrant for cloud in plan.clouds.values() for c in cloud.clusters if c.qdrant is not None]
    assert hosted == qdrant, "each Qdrant database has exactly one host"
    managed = [v for cloud in plan.clouds.values() for v in cloud.managed_vectors]
    wanted = raw_vectors(raw)
    assert [v.engine for v in plan.vectors] == [v.get("engine", "qdrant") for v in wanted]
    assert sorted(v.engine for v in managed) == sorted(
        v["engine"] for v in wanted if v.get("engine", "qdrant") != "qdrant"
    )
    for vector, config in zip(plan.vectors, wanted, strict=True):
        # Documented default: the first cloud with an inference cluster, else with any; there, its first
        # inference cluster, else its first cluster (managed engines: only their own cloud's).
        on = config.get("cloud") or MANAGED_VECTOR_ENGINES.get(vector.engine)
        candidates = [(c, n) for c, n in asked if on in (None, c) and config.get("cluster") in (None, n)]
        inference = [key for key in candidates if asked[key]["role"] == "inference"]
        assert (vector.cloud, vector.cluster) == (inference or candidates)[0]


@SETTINGS
@given(raw=valid_specs())
def test_api_endpoints_are_as_asked_or_the_tiers(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    defaults = TIER_DEFAULTS[plan.environment]
    asked = raw_clusters(raw)
    for cloud in plan.clouds.values():
        tier_default = defaults.eks_api_endpoint if cloud.cloud == "aws" else defaults.gke_api_endpoint
        for cluster in cloud.clusters:
            config = asked[cloud.cloud, cluster.name]
            assert cluster.api_endpoint == config.get("api_endpoint", tier_default)
            assert cluster.api_access_cidrs == tuple(config.get("api_access_cidrs", ()))
            assert cluster.public_endpoint is (cluster.api_endpoint in ("restricted", "public"))
            if "api_endpoint" not in config and plan.environment != "dev":
                assert cluster.api_endpoint != "public", "never public by default outside dev"
            if cluster.api_endpoint == "restricted":
                # Reachable by the deployer, and by no one else: listed public networks only.
                assert cluster.api_access_cidrs
                assert all(cidr.rsplit(".", 1)[0] in DOCUMENTATION_RANGES for cidr in cluster.api_access_cidrs)
            if cluster.api_endpoint == "dns":
                assert cloud.cloud == "gcp", "the DNS endpoint is GKE's"


@SETTINGS
@given(raw=valid_specs())
def test_qdrant_fits_the_system_nodes_and_zones_of_its_host(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    for cloud in plan.clouds.values():
        for cluster in cloud.clusters:
            if not isinstance(cluster, EksClusterPlan):
                continue
            explicit = raw_clusters(raw)[cloud.cloud, cluster.name].get("system_nodes")
            assert cluster.system_max_nodes >= cluster.system_nodes >= 1
            if cluster.qdrant is not None:
                assert cluster.system_nodes >= cluster.qdrant.replicas, "one system node per Qdrant replica"
            if explicit is None:
                hosted = cluster.qdrant.replicas if cluster.qdrant is not None else 0
                assert cluster.system_nodes == max(2, hosted), "the default: two, or Qdrant's replicas"
            else:
                assert cluster.system_nodes == explicit
        if isinstance(cloud, AwsPlan):
            zones = (
                len(cloud.network.private_subnet_ids)
                if isinstance(cloud.network, ExistingVpcPlan)
                else cloud.network.zones
            )
            assert all(c.qdrant.replicas <= zones for c in cloud.clusters if c.qdrant is not None)
        else:
            assert all(c.qdrant.replicas <= 3 for c in cloud.clusters if c.qdrant is not None)


@SETTINGS
@given(raw=valid_specs())
def test_a_brought_network_or_key_is_used_as_given(raw: dict[str, Any]) -> None:
    plan = plan_of(raw)
    for cloud in plan.clouds.values():
        settings = raw[cloud.cloud]
        assert cloud.existing_key == settings.get("kms_key_arn" if cloud.cloud == "aws" else "kms_key")
        assert isinstance(cloud, AwsPlan | GcpPlan)
        assert cloud.network.resource_name == f"{cloud.resource_name}-network"
        if isinstance(cloud, AwsPlan):
            vpc = settings.get("existing_vpc")
            if vpc is None:
                assert isinstance(cloud.network, AwsNetworkPlan)
                continue
            assert cloud.network == ExistingVpcPlan(
                cloud.network.resource_name, vpc["vpc_id"], tuple(vpc["private_subnet_ids"])
            )
        elif isinstance(cloud, GcpPlan):
            brought = settings.get("existing_network")
            if brought is None:
                assert isinstance(cloud.network, GcpNetworkPlan)
                primary = str(cloud.network.ranges.primary)
                by_cluster = {r.cluster: (r.pods_name, r.services_name) for r in cloud.network.ranges.clusters}
                for cluster in cloud.clusters:
                    assert (cluster.pods_range, cluster.services_range) == by_cluster[cluster.resource_name]
                    assert cluster.master_authorized_cidr == primary
                continue
            assert cloud.network == ExistingGcpNetworkPlan(
                cloud.network.resource_name, brought["network"], brought["subnetwork"]
            )
            ranges = {r["cluster"]: (r["pods"], r["services"]) for r in brought["cluster_ranges"]}
            for cluster in cloud.clusters:
                assert (cluster.pods_range, cluster.services_range) == ranges[cluster.name]
                assert cluster.master_authorized_cidr == brought["subnetwork_cidr"]


def _unchanged(before: dict[str, str], after: dict[str, str]) -> None:
    moved = {path: (value, after.get(path)) for path, value in before.items() if after.get(path) != value}
    assert not moved, f"renamed or moved: {moved}"


@SETTINGS
@given(raw=valid_specs(), data=st.data())
def test_adding_a_pool_renames_nothing(raw: dict[str, Any], data: st.DataObject) -> None:
    candidates: list[tuple[Cloud, int]] = [
        (cloud, index)
        for cloud in CLOUDS
        for index, _ in enumerate(raw.get(cloud, {}).get("clusters", []))
        if nvidia_types(cloud, raw[cloud]["region"])
    ]
    if not candidates:
        return
    cloud, index = data.draw(st.sampled_from(candidates))
    grown = copy.deepcopy(raw)
    cluster = grown[cloud]["clusters"][index]
    taken = {pool["name"] for pool in cluster["gpu_pools"]}
    name = data.draw(POOL_NAMES.filter(lambda n: n not in taken))
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
            # Reachable as the tier's endpoint requires: EKS outside dev admits only listed networks.
            access = {"api_access_cidrs": ["203.0.113.0/24"]} if cloud == "aws" and raw["environment"] != "dev" else {}
            clusters.append({"role": "training", "name": name, **access})
            brought = grown[cloud].get("existing_network")
            if brought is not None:  # a brought GCP network names every cluster's ranges
                brought["cluster_ranges"].append({"cluster": name, "pods": f"{name}-p", "services": f"{name}-s"})
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


# --- what the strategies reach ------------------------------------------------------------------------


def _engines(raw: Mapping[str, Any]) -> list[str]:
    return [vector.get("engine", "qdrant") for vector in raw_vectors(raw)]


def _pools(raw: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for (cloud, _), cluster in raw_clusters(raw).items():
        for pool in cluster["gpu_pools"]:
            yield cloud, cluster, pool


def _spot_only_training_pool_left_to_its_role(raw: Mapping[str, Any]) -> bool:
    return any(
        cloud == "gcp"
        and cluster["role"] == "training"
        and "capacity" not in pool
        and resolve_accelerator(
            "gcp", raw["gcp"]["region"], pool["gpu"], pool.get("gpus_per_node", 1), type_name=pool.get("instance_type")
        ).name
        in SPOT_OR_RESERVED_ONLY
        for cloud, cluster, pool in _pools(raw)
    )


def _endpoints(raw: Mapping[str, Any], cloud: str) -> list[tuple[str | None, tuple[str, ...]]]:
    """(api_endpoint as written, api_access_cidrs) of each of ``cloud``'s clusters."""
    return [
        (cluster.get("api_endpoint"), tuple(cluster.get("api_access_cidrs", ())))
        for (on, _), cluster in raw_clusters(raw).items()
        if on == cloud
    ]


def _system_nodes_follow_qdrant(raw: Mapping[str, Any]) -> bool:
    """An EKS cluster left to its default system nodes hosts a Qdrant of more replicas than that default."""
    if "aws" not in raw:
        return False
    return any(
        isinstance(cluster, EksClusterPlan)
        and cluster.qdrant is not None
        and cluster.qdrant.replicas > 2
        and "system_nodes" not in raw_clusters(raw)["aws", cluster.name]
        for cluster in plan_of(raw).clouds["aws"].clusters
    )


FEATURES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "GCP only": lambda raw: "gcp" in raw and "aws" not in raw,
    "AWS only": lambda raw: "aws" in raw and "gcp" not in raw,
    "both clouds": lambda raw: "aws" in raw and "gcp" in raw,
    "opensearch-serverless": lambda raw: "opensearch-serverless" in _engines(raw),
    "vertex-vector-search": lambda raw: "vertex-vector-search" in _engines(raw),
    "every engine at once": lambda raw: len(_engines(raw)) == 3,
    "Qdrant on a named cloud and cluster": lambda raw: any(
        {"cloud", "cluster"} <= set(v) and v.get("engine", "qdrant") == "qdrant" for v in raw_vectors(raw)
    ),
    "a managed store used from a named cluster": lambda raw: any(
        "cluster" in v and v.get("engine", "qdrant") != "qdrant" for v in raw_vectors(raw)
    ),
    "a pool left to the catalog": lambda raw: any("instance_type" not in pool for _, _, pool in _pools(raw)),
    "a spot-only GCP training pool without a capacity": _spot_only_training_pool_left_to_its_role,
    "three AWS zones on a /17, NAT set": lambda raw: (
        raw.get("aws", {}).get("cidr", "").endswith("/17") and raw["aws"].get("zones") == 3 and "nat" in raw["aws"]
    ),
    "a GCP block other than the default": lambda raw: "cidr" in raw.get("gcp", {}),
    "key settings": lambda raw: len(raw.get("kms", {})) == 3,
    "tags": lambda raw: bool(raw.get("tags")),
    "a bucket's noncurrent_version_days": lambda raw: any(
        "noncurrent_version_days" in b for b in raw.get("buckets", [])
    ),
    "an EKS API restricted by the tier's default": lambda raw: (
        raw["environment"] != "dev" and any(asked is None for asked, _ in _endpoints(raw, "aws"))
    ),
    "a public EKS API in dev by default": lambda raw: (
        raw["environment"] == "dev" and any(asked is None for asked, _ in _endpoints(raw, "aws"))
    ),
    "a private EKS API in a brought VPC": lambda raw: any(asked == "private" for asked, _ in _endpoints(raw, "aws")),
    "a private GKE API in a brought network": lambda raw: any(
        asked == "private" for asked, _ in _endpoints(raw, "gcp")
    ),
    "a restricted GKE API": lambda raw: any(asked == "restricted" for asked, _ in _endpoints(raw, "gcp")),
    "GKE's DNS endpoint with networks for its IP endpoints": lambda raw: any(
        asked in (None, "dns") and cidrs for asked, cidrs in _endpoints(raw, "gcp")
    ),
    "a public API asked for outside dev": lambda raw: (
        raw["environment"] != "dev"
        and any(asked == "public" for cloud in CLOUDS for asked, _ in _endpoints(raw, cloud))
    ),
    "a brought VPC": lambda raw: "existing_vpc" in raw.get("aws", {}),
    "a brought GCP network with two clusters": lambda raw: (
        len(raw.get("gcp", {}).get("existing_network", {}).get("cluster_ranges", [])) >= 2
    ),
    "brought keys on both clouds": lambda raw: "kms_key_arn" in raw.get("aws", {}) and "kms_key" in raw.get("gcp", {}),
    "EKS system nodes that follow Qdrant's replicas": _system_nodes_follow_qdrant,
}
"""What the strategies must draw, so that the invariants above see it."""


@pytest.mark.parametrize("feature", FEATURES)
def test_the_strategies_draw(feature: str) -> None:
    found = find(
        valid_specs(),
        FEATURES[feature],
        settings=settings(max_examples=2000, phases=[Phase.generate], database=None, derandomize=True, deadline=None),
    )
    parse_platform_spec(found)
