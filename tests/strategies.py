"""Hypothesis strategies for valid stack configs: any tier, jurisdiction, one cloud or both, regions inside
the jurisdiction, networks, keys, tags, buckets, clusters with GPU pools the region offers (pinned to a
type or left to the catalog), and vector databases (Qdrant on a drawn or default host, the managed
engines where their cloud's region offers them). What they draw passes the validation by construction
(the tests that use them parse every draw, so an invalid one fails them)."""

from __future__ import annotations

from typing import Any, get_args

from hypothesis import strategies as st

from aistacks.catalog import (
    MANAGED_VECTOR_ENGINES,
    SPOT_OR_RESERVED_ONLY,
    accelerator_types,
    known_jurisdictions,
    regions_in_jurisdiction,
    resolve_accelerator,
    vector_engine_regions,
)
from aistacks.naming import OPENSEARCH_NAME_LIMIT, managed_store_name, platform_prefix
from aistacks.spec import CLOUDWATCH_RETENTION_DAYS, LOG_BUCKET_RETENTION_DAYS_RANGE, MAX_KEY_ROTATION_DAYS
from aistacks.vocabulary import Cloud, NatMode, VertexDistance

TIERS = ("dev", "staging", "prod")
CLOUDS: tuple[Cloud, ...] = ("aws", "gcp")
JURISDICTIONS = [j for j in known_jurisdictions() if any(regions_in_jurisdiction(c, j) for c in CLOUDS)]
"""Every jurisdiction with a region on at least one cloud: where configs without compute are drawn."""
GPU_JURISDICTIONS = ["eu", "us", "jp", "uk", "in", "ca", "au"]
"""Jurisdictions where both clouds offer NVIDIA GPUs in the catalog: where configs with compute are drawn."""
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,18}[a-z0-9]", fullmatch=True)
NAMES = st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True)
"""Short names for clusters, pools and buckets; the physical names they make stay in bounds."""
TAG_KEYS = st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
TAG_VALUES = st.from_regex(r"[a-z0-9_-]{0,15}", fullmatch=True)
SNAPSHOT_SCHEDULES = st.sampled_from(["0 3 * * *", "*/30 * * * *", "15 1,13 * * 1-5", "0 0 1 * *"])


def nvidia_types(cloud: Cloud, region: str) -> list[tuple[str, int, str]]:
    """(gpu, count, type) of every NVIDIA type the catalog offers in ``region``."""
    return sorted(
        (t.accelerator, t.count, t.name)
        for t in accelerator_types(cloud).values()
        if t.vendor == "nvidia" and t.offered_in(region)
    )


@st.composite
def gpu_pools(draw: st.DrawFn, cloud: Cloud, region: str, role: str) -> list[dict[str, Any]]:
    """A cluster's pools: each on a type the region offers, pinned or left to the catalog (the smallest
    type that carries the GPUs). Types sold only as spot (GCP's smaller A3s) take spot capacity: by the
    training role's default or said explicitly; inference pools must say it."""
    offered = nvidia_types(cloud, region)
    if not offered or draw(st.integers(0, 4)) == 0:
        return []
    pools: list[dict[str, Any]] = []
    for name in draw(st.lists(NAMES, min_size=1, max_size=3, unique=True)):
        gpu, count, type_name = draw(st.sampled_from(offered))
        pool: dict[str, Any] = {"name": name, "gpu": gpu}
        if count != 1 or draw(st.booleans()):
            pool["gpus_per_node"] = count
        if draw(st.booleans()):
            pool["instance_type"] = type_name
        else:
            type_name = resolve_accelerator(cloud, region, gpu, count).name
        max_nodes = draw(st.integers(1, 8))
        pool["max_nodes"] = max_nodes
        if draw(st.booleans()):
            pool["min_nodes"] = draw(st.integers(0, max_nodes))
        if type_name in SPOT_OR_RESERVED_ONLY:
            capacity = draw(st.sampled_from([None, "spot"])) if role == "training" else "spot"
        else:
            capacity = draw(st.sampled_from([None, "spot", "on_demand"]))
        if capacity is not None:
            pool["capacity"] = capacity
        if cloud == "aws" and draw(st.booleans()):
            pool["image"] = draw(st.sampled_from(["al2023", "bottlerocket"]))
        pools.append(pool)
    return pools


@st.composite
def clusters(draw: st.DrawFn, cloud: Cloud, region: str) -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []
    names: set[str] = set()
    for role in draw(st.lists(st.sampled_from(["training", "inference"]), min_size=1, max_size=3)):
        cluster: dict[str, Any] = {"role": role, "gpu_pools": draw(gpu_pools(cloud, region, role))}
        name = draw(st.one_of(st.none(), NAMES))
        while (name or role) in names:
            name = f"{name or role}x"
        if name is not None:
            cluster["name"] = name
        names.add(name or role)
        if draw(st.integers(0, 5)) == 0:
            cluster["system_nodes"] = draw(st.integers(1, 10))
        drawn.append(cluster)
    return drawn


@st.composite
def aws_network(draw: st.DrawFn) -> dict[str, Any]:
    """``cidr``, ``zones`` and ``nat``, each drawn or left out: a /16 or a /17, which holds three zones'
    subnets. At most three zones: the catalog does not know how many a region has (the spec allows six), and
    the offline engine's mock cloud answers three for every region."""
    network: dict[str, Any] = {}
    if draw(st.booleans()):
        network["zones"] = draw(st.integers(2, 3))
    if draw(st.booleans()):
        second = draw(st.integers(0, 255))
        if draw(st.booleans()):
            network["cidr"] = f"10.{second}.{draw(st.sampled_from([0, 128]))}.0/17"
        else:
            network["cidr"] = draw(st.sampled_from([f"10.{second}.0.0/16", f"172.{16 + second % 16}.0.0/16"]))
    if draw(st.booleans()):
        network["nat"] = draw(st.sampled_from(get_args(NatMode)))
    return network


@st.composite
def gcp_network(draw: st.DrawFn) -> dict[str, Any]:
    """A ``cidr`` (a /8 to a /12, aligned), or none: a /12 holds the nodes range and a dozen clusters'."""
    if not draw(st.booleans()):
        return {}
    prefix = draw(st.integers(8, 12))
    step = 2 ** (16 - prefix)  # the block's size in /16s: its second octet is a multiple of it
    second = draw(st.integers(0, 256 // step - 1)) * step if prefix > 8 else 0
    return {"cidr": f"10.{second}.0.0/{prefix}"}


def _host_fields(draw: st.DrawFn, candidates: list[tuple[Cloud, str]], *, cloud_field: bool) -> dict[str, Any]:
    """Name the host (or user) cluster of a vector database, all of it, part of it or none of it."""
    cloud, cluster = draw(st.sampled_from(candidates))
    fields: dict[str, Any] = {}
    if cloud_field and draw(st.booleans()):
        fields["cloud"] = cloud
    if draw(st.booleans()):
        fields["cluster"] = cluster
    return fields


@st.composite
def vector_databases(draw: st.DrawFn, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Qdrant on any cluster and each managed engine whose cloud has a cluster in a region that offers it,
    with the fields each engine takes."""
    hosts: list[tuple[Cloud, str]] = [
        (cloud, cluster.get("name") or cluster["role"])
        for cloud in CLOUDS
        for cluster in spec.get(cloud, {}).get("clusters", [])
    ]
    stores: list[dict[str, Any]] = []
    if hosts and draw(st.booleans()):
        qdrant: dict[str, Any] = {"engine": "qdrant"} if draw(st.booleans()) else {}
        qdrant |= _host_fields(draw, hosts, cloud_field=True)
        for key, values in (
            ("replicas", st.integers(1, 9)),
            ("storage_gib", st.integers(1, 16384)),
            ("snapshot_schedule", SNAPSHOT_SCHEDULES),
            ("snapshot_retention_days", st.integers(1, 3650)),
        ):
            if draw(st.booleans()):
                qdrant[key] = draw(values)
        stores.append(qdrant)
    name = platform_prefix(spec.get("name", "aistacks"), spec["environment"])
    for engine, cloud in MANAGED_VECTOR_ENGINES.items():
        users = [host for host in hosts if host[0] == cloud]
        if not users or spec[cloud]["region"] not in vector_engine_regions(engine) or draw(st.integers(0, 2)) == 0:
            continue
        if engine == "opensearch-serverless" and len(managed_store_name(name)) > OPENSEARCH_NAME_LIMIT:
            continue
        store: dict[str, Any] = {"engine": engine, **_host_fields(draw, users, cloud_field=True)}
        if engine == "vertex-vector-search":
            store["dimensions"] = draw(st.integers(1, 4096))
            if draw(st.booleans()):
                store["distance"] = draw(st.sampled_from(get_args(VertexDistance)))
        if draw(st.booleans()):
            store["replicas"] = draw(st.integers(1, 2 if engine == "opensearch-serverless" else 9))
        for opt_out in ("public_access", "customer_managed_key"):
            if draw(st.integers(0, 3)) == 0:
                store[opt_out] = draw(st.booleans())
        stores.append(store)
    return draw(st.permutations(stores))


@st.composite
def valid_specs(draw: st.DrawFn, *, with_compute: bool = True) -> dict[str, Any]:
    """A valid ``aistacks:platform`` value on AWS, GCP or both; with ``with_compute``, clusters, pools and
    vector databases."""
    tier = draw(st.sampled_from(TIERS))
    jurisdiction = draw(st.sampled_from(GPU_JURISDICTIONS if with_compute else JURISDICTIONS))
    offered = [cloud for cloud in CLOUDS if regions_in_jurisdiction(cloud, jurisdiction)]
    clouds = draw(st.sampled_from([(cloud,) for cloud in offered] + ([tuple(offered)] if len(offered) > 1 else [])))
    spec: dict[str, Any] = {"environment": tier, "jurisdiction": jurisdiction}
    if draw(st.booleans()):
        spec["name"] = draw(SLUGS)
    if "aws" in clouds:
        spec["aws"] = {"region": draw(st.sampled_from(regions_in_jurisdiction("aws", jurisdiction)))}
        spec["aws"] |= draw(aws_network())
    if "gcp" in clouds:
        spec["gcp"] = {
            "project": "acme-ai-test",
            "region": draw(st.sampled_from(regions_in_jurisdiction("gcp", jurisdiction))),
        }
        spec["gcp"] |= draw(gcp_network())
    audit: dict[str, Any] = {}
    if draw(st.booleans()):
        longest = LOG_BUCKET_RETENTION_DAYS_RANGE[1] if "gcp" in spec else max(CLOUDWATCH_RETENTION_DAYS)
        audit["log_retention_days"] = draw(st.sampled_from([d for d in CLOUDWATCH_RETENTION_DAYS if d <= longest]))
    if draw(st.booleans()):
        audit["object_lock_mode"] = draw(st.sampled_from(["GOVERNANCE", "COMPLIANCE"]))
    if draw(st.booleans()):
        audit["object_lock_days"] = draw(st.integers(1, 36500))
    if audit or draw(st.booleans()):
        spec["audit"] = audit
    kms: dict[str, Any] = {}
    if draw(st.booleans()):
        kms["deletion_window_days"] = draw(st.integers(7, 30))
    if draw(st.booleans()):
        kms["rotation_period_days"] = MAX_KEY_ROTATION_DAYS
    if draw(st.booleans()):
        kms["hsm"] = draw(st.booleans())
    if kms or draw(st.integers(0, 3)) == 0:
        spec["kms"] = kms
    if draw(st.booleans()):
        spec["tags"] = draw(st.dictionaries(TAG_KEYS, TAG_VALUES, max_size=3))
    protect = draw(st.sampled_from([None, True, False] if tier == "dev" else [None, True]))
    if protect is not None or draw(st.booleans()):
        spec["protect"] = protect
    if draw(st.booleans()):
        spec["buckets"] = [
            {"name": name, **({"noncurrent_version_days": draw(st.integers(1, 3650))} if draw(st.booleans()) else {})}
            for name in draw(st.lists(NAMES, max_size=3, unique=True))
        ]
    if with_compute:
        for cloud in clouds:
            if draw(st.integers(0, 4)) > 0:
                spec[cloud] |= {"kubernetes_version": "1.35", "clusters": draw(clusters(cloud, spec[cloud]["region"]))}
        stores = draw(vector_databases(spec))
        if len(stores) == 1 and draw(st.booleans()):
            spec["vector"] = stores[0]
        elif stores:
            spec["vector"] = stores
    return spec
