"""Hypothesis strategies for valid stack configs: any tier, jurisdiction, regions inside it, clusters with
GPU pools the region offers, buckets and vector databases. What they draw passes the validation by
construction (the tests that use them assert it)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from aistacks.catalog import SPOT_OR_RESERVED_ONLY, accelerator_types, known_jurisdictions, regions_in_jurisdiction
from aistacks.spec import CLOUDWATCH_RETENTION_DAYS, LOG_BUCKET_RETENTION_DAYS_RANGE
from aistacks.vocabulary import Cloud

TIERS = ("dev", "staging", "prod")
AWS_JURISDICTIONS = [j for j in known_jurisdictions() if regions_in_jurisdiction("aws", j)]
GPU_JURISDICTIONS = ["eu", "us", "jp", "uk", "in", "ca", "au"]
"""Jurisdictions where both clouds offer NVIDIA GPUs in the catalog: where pools are drawn most often."""
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,18}[a-z0-9]", fullmatch=True)
NAMES = st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True)
"""Short names for clusters, pools and buckets; the physical names they make stay in bounds."""


def nvidia_types(cloud: Cloud, region: str) -> list[tuple[str, int, str]]:
    """(gpu, count, type) of every NVIDIA type the catalog offers in ``region``."""
    return sorted(
        (t.accelerator, t.count, t.name)
        for t in accelerator_types(cloud).values()
        if t.vendor == "nvidia" and t.offered_in(region)
    )


@st.composite
def gpu_pools(draw: st.DrawFn, cloud: Cloud, region: str, role: str) -> list[dict[str, Any]]:
    offered = nvidia_types(cloud, region)
    if not offered or draw(st.integers(0, 4)) == 0:
        return []
    pools: list[dict[str, Any]] = []
    for name in draw(st.lists(NAMES, min_size=1, max_size=3, unique=True)):
        gpu, count, type_name = draw(st.sampled_from(offered))
        pool: dict[str, Any] = {"name": name, "gpu": gpu, "gpus_per_node": count, "instance_type": type_name}
        max_nodes = draw(st.integers(1, 8))
        pool["max_nodes"] = max_nodes
        if draw(st.booleans()):
            pool["min_nodes"] = draw(st.integers(0, max_nodes))
        if type_name in SPOT_OR_RESERVED_ONLY or (role == "inference" and draw(st.booleans())):
            pool["capacity"] = "spot"
        if cloud == "aws" and draw(st.booleans()):
            pool["image"] = "bottlerocket"
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
        drawn.append(cluster)
    return drawn


@st.composite
def valid_specs(draw: st.DrawFn, *, with_compute: bool = True) -> dict[str, Any]:
    """A valid ``aistacks:platform`` value; with ``with_compute``, clusters, pools and a Qdrant database."""
    tier = draw(st.sampled_from(TIERS))
    jurisdiction = draw(st.sampled_from(GPU_JURISDICTIONS if with_compute else AWS_JURISDICTIONS))
    aws_region = draw(st.sampled_from(regions_in_jurisdiction("aws", jurisdiction)))
    spec: dict[str, Any] = {"environment": tier, "jurisdiction": jurisdiction, "aws": {"region": aws_region}}
    if draw(st.booleans()):
        spec["name"] = draw(SLUGS)
    gcp_regions = regions_in_jurisdiction("gcp", jurisdiction)
    if gcp_regions and draw(st.booleans()):
        spec["gcp"] = {"project": "acme-ai-test", "region": draw(st.sampled_from(gcp_regions))}
    audit: dict[str, Any] = {}
    if draw(st.booleans()):
        longest = LOG_BUCKET_RETENTION_DAYS_RANGE[1] if "gcp" in spec else max(CLOUDWATCH_RETENTION_DAYS)
        audit["log_retention_days"] = draw(st.sampled_from([d for d in CLOUDWATCH_RETENTION_DAYS if d <= longest]))
    if draw(st.booleans()):
        audit["object_lock_mode"] = draw(st.sampled_from(["GOVERNANCE", "COMPLIANCE"]))
    if audit or draw(st.booleans()):
        spec["audit"] = audit
    protect = draw(st.sampled_from([None, True, False] if tier == "dev" else [None, True]))
    if protect is not None or draw(st.booleans()):
        spec["protect"] = protect
    if draw(st.booleans()):
        spec["buckets"] = [{"name": name} for name in draw(st.lists(NAMES, max_size=3, unique=True))]
    if with_compute:
        for cloud in ("aws", "gcp"):
            if cloud in spec and draw(st.booleans()):
                spec[cloud] |= {"kubernetes_version": "1.35", "clusters": draw(clusters(cloud, spec[cloud]["region"]))}
        if any(spec.get(cloud, {}).get("clusters") for cloud in ("aws", "gcp")) and draw(st.booleans()):
            spec["vector"] = {"engine": "qdrant"}
    return spec
