"""Hypothesis strategies for valid stack configs: any tier, jurisdiction, one cloud or both, regions inside
the jurisdiction, networks (created or brought), keys (created or brought), tags, buckets, clusters with
GPU pools the region offers (pinned to a type or left to the catalog) and an API endpoint the deployer can
reach, and vector databases (Qdrant on a drawn or default host with no more replicas than its host has
zones and system nodes, the managed engines where their cloud's region offers them). What they draw
passes the validation by construction (the tests that use them parse every draw, so an invalid one fails
them)."""

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
from aistacks.defaults import TIER_DEFAULTS, cluster_api_endpoint
from aistacks.naming import OPENSEARCH_NAME_LIMIT, managed_store_name, platform_prefix
from aistacks.spec import CLOUDWATCH_RETENTION_DAYS, LOG_BUCKET_RETENTION_DAYS_RANGE, MAX_KEY_ROTATION_DAYS
from aistacks.vocabulary import ApiEndpoint, Cloud, NatMode, Tier, VertexDistance

TIERS: tuple[Tier, ...] = ("dev", "staging", "prod")
CLOUDS: tuple[Cloud, ...] = ("aws", "gcp")
JURISDICTIONS = [j for j in known_jurisdictions() if any(regions_in_jurisdiction(c, j) for c in CLOUDS)]
"""Every jurisdiction with a region on at least one cloud: where configs without compute are drawn."""
GPU_JURISDICTIONS = ["eu", "us", "jp", "uk", "in", "ca", "au"]
"""Jurisdictions where both clouds offer NVIDIA GPUs in the catalog: where configs with compute are drawn."""
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,18}[a-z0-9]", fullmatch=True)
NAMES = st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True)
"""Short names for clusters, pools and buckets; the physical names they make stay in bounds."""
POOL_NAMES = NAMES.filter(lambda name: name != "system")
"""GPU pool names: ``system`` is the system node pool's."""
DOCUMENTATION_RANGES = ("192.0.2", "198.51.100", "203.0.113")
"""The public documentation ranges (RFC 5737, each a /24): stand-ins for CI runners' egress addresses."""
PUBLIC_CIDRS = st.builds(
    lambda base, prefix, block: f"{base}.{block * 2 ** (32 - prefix) % 256}/{prefix}",
    st.sampled_from(DOCUMENTATION_RANGES),
    st.integers(24, 32),
    st.integers(0, 255),
)
"""A network inside one documentation range: what a ``restricted`` endpoint may admit."""
INTERNAL_CIDRS = st.sampled_from(["10.200.0.0/24", "172.16.8.0/22", "192.168.1.0/24", "100.64.0.0/16"])
"""A VPN's or a bastion subnet's range: what a private endpoint may admit besides public ones."""
MOCK_ACCOUNT = "123456789012"
GCP_PROJECT = "acme-ai-test"
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
    for name in draw(st.lists(POOL_NAMES, min_size=1, max_size=3, unique=True)):
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


def api_access(draw: st.DrawFn, cloud: Cloud, tier: Tier, brings_network: bool) -> dict[str, Any]:
    """A cluster's ``api_endpoint`` (asked for or left to the tier) and the ``api_access_cidrs`` it needs:
    ``restricted`` admits only listed public networks, ``private`` needs a brought network and the
    networks routed into it, ``public`` lists none, GKE's ``dns`` may list networks for its IP endpoints."""
    choices: list[ApiEndpoint | None] = [None, "public", "restricted"] + (["dns"] if cloud == "gcp" else [])
    if brings_network:
        choices.append("private")
    asked = draw(st.sampled_from(choices))
    endpoint = cluster_api_endpoint(cloud, asked, TIER_DEFAULTS[tier])
    fields: dict[str, Any] = {} if asked is None else {"api_endpoint": asked}
    if endpoint == "restricted":
        fields["api_access_cidrs"] = draw(st.lists(PUBLIC_CIDRS, min_size=1, max_size=3, unique=True))
    elif endpoint in ("private", "dns"):
        cidrs = draw(st.lists(INTERNAL_CIDRS | PUBLIC_CIDRS, min_size=int(endpoint == "private"), max_size=2))
        if cidrs or draw(st.booleans()):
            fields["api_access_cidrs"] = list(dict.fromkeys(cidrs))
    return fields


@st.composite
def clusters(draw: st.DrawFn, cloud: Cloud, region: str, tier: Tier, brings_network: bool) -> list[dict[str, Any]]:
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
        cluster |= api_access(draw, cloud, tier, brings_network)
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


@st.composite
def existing_vpc(draw: st.DrawFn) -> dict[str, Any]:
    """``aws.existing_vpc``: a VPC ID and two to four private subnets (one per zone)."""
    hex_ids = st.from_regex(r"[0-9a-f]{8}|[0-9a-f]{17}", fullmatch=True)
    subnets = draw(st.lists(hex_ids, min_size=2, max_size=4, unique=True))
    return {"vpc_id": f"vpc-{draw(hex_ids)}", "private_subnet_ids": [f"subnet-{subnet}" for subnet in subnets]}


def aws_kms_key_arn(region: str) -> str:
    """A customer-managed key in ``region``, as ``aws.kms_key_arn`` takes it."""
    return f"arn:aws:kms:{region}:{MOCK_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def gcp_kms_key(region: str) -> str:
    """A Cloud KMS key in ``region``, as ``gcp.kms_key`` takes it."""
    return f"projects/{GCP_PROJECT}/locations/{region}/keyRings/platform/cryptoKeys/platform"


@st.composite
def existing_gcp_network(draw: st.DrawFn, region: str, cluster_names: list[str]) -> dict[str, Any]:
    """``gcp.existing_network`` in ``region``, with the secondary range names of every cluster, in any
    order."""
    ranges = [{"cluster": name, "pods": f"{name}-pods", "services": f"{name}-services"} for name in cluster_names]
    return {
        "network": f"projects/{GCP_PROJECT}/global/networks/shared",
        "subnetwork": f"projects/{GCP_PROJECT}/regions/{region}/subnetworks/ai-nodes",
        "subnetwork_cidr": f"10.{draw(st.integers(0, 255))}.0.0/20",
        "cluster_ranges": draw(st.permutations(ranges)),
    }


def cluster_name(cluster: dict[str, Any]) -> str:
    return cluster.get("name") or cluster["role"]


def host_of(spec: dict[str, Any], vector: dict[str, Any]) -> tuple[Cloud, dict[str, Any]]:
    """The documented default host: the first inference cluster that matches the vector's ``cloud`` and
    ``cluster``, else the first that matches."""
    on = vector.get("cloud") or MANAGED_VECTOR_ENGINES.get(vector.get("engine", "qdrant"))
    candidates: list[tuple[Cloud, dict[str, Any]]] = [
        (cloud, cluster)
        for cloud in CLOUDS
        if on in (None, cloud)
        for cluster in spec.get(cloud, {}).get("clusters", [])
        if vector.get("cluster") in (None, cluster_name(cluster))
    ]
    inference = [candidate for candidate in candidates if candidate[1]["role"] == "inference"]
    return (inference or candidates)[0]


def most_qdrant_replicas(spec: dict[str, Any], cloud: Cloud, cluster: dict[str, Any]) -> int:
    """Qdrant goes one replica per zone and system node: the zones of the host's nodes (the brought
    subnets, ``aws.zones`` or the tier's; GKE's three) and, on EKS, the system nodes the config asks for."""
    if cloud == "gcp":
        return 3
    settings = spec["aws"]
    if "existing_vpc" in settings:
        zones = len(settings["existing_vpc"]["private_subnet_ids"])
    else:
        zones = settings.get("zones") or TIER_DEFAULTS[spec["environment"]].aws_zones
    return min(zones, cluster.get("system_nodes", zones))


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
        (cloud, cluster_name(cluster)) for cloud in CLOUDS for cluster in spec.get(cloud, {}).get("clusters", [])
    ]
    stores: list[dict[str, Any]] = []
    if hosts and draw(st.booleans()):
        qdrant: dict[str, Any] = {"engine": "qdrant"} if draw(st.booleans()) else {}
        qdrant |= _host_fields(draw, hosts, cloud_field=True)
        most = most_qdrant_replicas(spec, *host_of(spec, qdrant))
        # The tier's replicas when they fit the host, else replicas the config sets.
        if draw(st.booleans()) or TIER_DEFAULTS[spec["environment"]].qdrant_replicas > most:
            qdrant["replicas"] = draw(st.integers(1, most))
        for key, values in (
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
def aws_settings(draw: st.DrawFn, jurisdiction: str, brings_network: bool) -> dict[str, Any]:
    """``aws`` without clusters: a region in the jurisdiction, a network created or brought, a key created
    or brought."""
    region = draw(st.sampled_from(regions_in_jurisdiction("aws", jurisdiction)))
    settings: dict[str, Any] = {"region": region}
    settings |= {"existing_vpc": draw(existing_vpc())} if brings_network else draw(aws_network())
    if draw(st.integers(0, 3)) == 0:
        settings["kms_key_arn"] = aws_kms_key_arn(region)
    return settings


@st.composite
def gcp_settings(draw: st.DrawFn, jurisdiction: str, brings_network: bool) -> dict[str, Any]:
    """``gcp`` without clusters (and without the brought network, which names their ranges): a region in
    the jurisdiction, a block unless the network is brought, a key created or brought."""
    region = draw(st.sampled_from(regions_in_jurisdiction("gcp", jurisdiction)))
    settings: dict[str, Any] = {"project": GCP_PROJECT, "region": region}
    if not brings_network:
        settings |= draw(gcp_network())
    if draw(st.integers(0, 3)) == 0:
        settings["kms_key"] = gcp_kms_key(region)
    return settings


@st.composite
def audit_settings(draw: st.DrawFn, on_gcp: bool) -> dict[str, Any] | None:
    audit: dict[str, Any] = {}
    if draw(st.booleans()):
        longest = LOG_BUCKET_RETENTION_DAYS_RANGE[1] if on_gcp else max(CLOUDWATCH_RETENTION_DAYS)
        audit["log_retention_days"] = draw(st.sampled_from([d for d in CLOUDWATCH_RETENTION_DAYS if d <= longest]))
    if draw(st.booleans()):
        audit["object_lock_mode"] = draw(st.sampled_from(["GOVERNANCE", "COMPLIANCE"]))
    if draw(st.booleans()):
        audit["object_lock_days"] = draw(st.integers(1, 36500))
    return audit if audit or draw(st.booleans()) else None


@st.composite
def kms_settings(draw: st.DrawFn) -> dict[str, Any] | None:
    kms: dict[str, Any] = {}
    if draw(st.booleans()):
        kms["deletion_window_days"] = draw(st.integers(7, 30))
    if draw(st.booleans()):
        kms["rotation_period_days"] = MAX_KEY_ROTATION_DAYS
    if draw(st.booleans()):
        kms["hsm"] = draw(st.booleans())
    return kms if kms or draw(st.integers(0, 3)) == 0 else None


BILLING_ACCOUNTS = st.from_regex(r"[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}", fullmatch=True)


@st.composite
def budget_settings(draw: st.DrawFn, clouds: tuple[Cloud, ...]) -> dict[str, Any]:
    """``budget``: an amount in whole cents, thresholds ascending (at most 9, so an AWS budget's ten
    notifications hold them and the forecast), up to 5 addresses, the billing account where Google Cloud is
    used and a split that sums to 100 on two clouds."""
    # At least $1, so that a 1% share is a cent.
    budget: dict[str, Any] = {"monthly_usd": draw(st.integers(100, 10_000_000)) / 100}
    if draw(st.booleans()):
        budget["alert_thresholds_percent"] = sorted(draw(st.sets(st.integers(1, 1000), min_size=1, max_size=9)))
    if draw(st.booleans()):
        budget["forecast_alert_percent"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        budget["emails"] = [f"alerts{index}@example.com" for index in range(draw(st.integers(0, 5)))]
    if "gcp" in clouds:
        budget["gcp_billing_account"] = draw(BILLING_ACCOUNTS)
    if len(clouds) > 1:
        first = draw(st.integers(1, 99))
        budget["cloud_share_percent"] = {clouds[0]: first, clouds[1]: 100 - first}
    elif draw(st.booleans()):
        budget["cloud_share_percent"] = {clouds[0]: 100}
    return budget


@st.composite
def valid_specs(draw: st.DrawFn, *, with_compute: bool = True) -> dict[str, Any]:
    """A valid ``aistacks:platform`` value on AWS, GCP or both; with ``with_compute``, clusters, pools and
    vector databases."""
    tier = draw(st.sampled_from(TIERS))
    jurisdiction = draw(st.sampled_from(GPU_JURISDICTIONS if with_compute else JURISDICTIONS))
    offered: list[Cloud] = [cloud for cloud in CLOUDS if regions_in_jurisdiction(cloud, jurisdiction)]
    choices: list[tuple[Cloud, ...]] = [(cloud,) for cloud in offered]
    if len(offered) > 1:
        choices.append(tuple(offered))
    clouds = draw(st.sampled_from(choices))
    spec: dict[str, Any] = {"environment": tier, "jurisdiction": jurisdiction}
    if draw(st.booleans()):
        spec["name"] = draw(SLUGS)
    brings_network = {cloud: draw(st.integers(0, 3)) == 0 for cloud in clouds}
    if "aws" in clouds:
        spec["aws"] = draw(aws_settings(jurisdiction, brings_network["aws"]))
    if "gcp" in clouds:
        spec["gcp"] = draw(gcp_settings(jurisdiction, brings_network["gcp"]))
    audit = draw(audit_settings("gcp" in spec))
    if audit is not None:
        spec["audit"] = audit
    kms = draw(kms_settings())
    if kms is not None:
        spec["kms"] = kms
    if draw(st.booleans()):
        spec["tags"] = draw(st.dictionaries(TAG_KEYS, TAG_VALUES, max_size=3))
    if draw(st.booleans()):
        spec["budget"] = draw(budget_settings(clouds))
    protect = draw(st.sampled_from([None, True, False] if tier == "dev" else [None, True]))
    if protect is not None or draw(st.booleans()):
        spec["protect"] = protect
    if draw(st.booleans()):
        spec["buckets"] = [
            {"name": name, **({"noncurrent_version_days": draw(st.integers(1, 3650))} if draw(st.booleans()) else {})}
            for name in draw(st.lists(NAMES, max_size=3, unique=True))
        ]
    for cloud in clouds if with_compute else ():
        if draw(st.integers(0, 4)) > 0:
            drawn = draw(clusters(cloud, spec[cloud]["region"], tier, brings_network[cloud]))
            spec[cloud] |= {"kubernetes_version": "1.35", "clusters": drawn}
    if "gcp" in clouds and brings_network["gcp"]:
        names = [cluster_name(cluster) for cluster in spec["gcp"].get("clusters", [])]
        spec["gcp"]["existing_network"] = draw(existing_gcp_network(spec["gcp"]["region"], names))
    stores = draw(vector_databases(spec)) if with_compute else []
    if len(stores) == 1 and draw(st.booleans()):
        spec["vector"] = stores[0]
    elif stores:
        spec["vector"] = stores
    return spec
