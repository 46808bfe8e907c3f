"""The rules that make a valid config deployable by a first ``pulumi up``: the deployer reaches every
cluster's API, what the platform runs in a cluster fits the nodes it gives it, the names the clouds limit
fit, and a network or key the config brings is one the stack can use. Each problem is a
:class:`~aistacks.validate.ConfigIssue` that says which knob to turn.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from aistacks.catalog.cluster_autoscaler import cluster_autoscaler_minors
from aistacks.defaults import TIER_DEFAULTS, cluster_api_endpoint, eks_system_nodes
from aistacks.issues import ConfigIssue
from aistacks.naming import cluster_resource_name, platform_prefix
from aistacks.spec import AwsSpec, ClusterSpec, GcpSpec, PlatformSpec, VectorSpec
from aistacks.vocabulary import Cloud

GKE_DEFAULT_NODE_ZONES = 3
"""Zones a regional GKE node pool spreads over when it names none: "the default configuration replicates
each node pool across three zones of the control plane's region". Source: GKE docs, "Creating a regional
cluster" (read 2026-11-30)."""
CLUSTER_NAME_LIMITS: dict[Cloud, int] = {"aws": 100, "gcp": 40}
"""Longest cluster name. Sources: Amazon EKS API Reference, CreateCluster, ``name`` (1 to 100
characters); GKE API reference, projects.locations.clusters, ``Cluster.name`` (at most 40 characters)
(both read 2026-11-30)."""
RESERVED_POOL_NAMES = frozenset({"system"})
"""The system node pool's name: a GPU pool of the same name would collide with it."""
ANYWHERE = ipaddress.IPv4Network("0.0.0.0/0")
INTERNAL_RANGES = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
"""Addresses the internet never carries (RFC 1918 private, RFC 6598 shared address space): a public
endpoint sees a deployer in them by its NAT's public address instead, so allowing them there admits nobody."""


def deployability_issues(spec: PlatformSpec, root: str) -> list[ConfigIssue]:
    """Every reason a first ``pulumi up`` of a structurally valid spec would fail or leave a workload
    with nowhere to run."""
    issues: list[ConfigIssue] = []
    for cloud, settings in spec.cloud_specs().items():
        path = f"{root}.{cloud}"
        for index, cluster in enumerate(settings.clusters):
            at = f"{path}.clusters[{index}]"
            issues += _reachability_issues(spec, cloud, settings, cluster, at)
            issues += _name_issues(spec, cloud, cluster, at)
    if spec.aws is not None:
        issues += _aws_bring_your_own_issues(spec.aws, f"{root}.aws")
        issues += _autoscaler_issues(spec.aws, f"{root}.aws")
    if spec.gcp is not None:
        issues += _gcp_bring_your_own_issues(spec.gcp, f"{root}.gcp")
    for index, vector in enumerate(spec.vector):
        if vector.engine == "qdrant":
            issues += _qdrant_placement_issues(spec, vector, f"{root}.vector[{index}]")
    return issues


def _brings_network(settings: AwsSpec | GcpSpec) -> bool:
    return (settings.existing_vpc if isinstance(settings, AwsSpec) else settings.existing_network) is not None


def _reachability_issues(
    spec: PlatformSpec, cloud: Cloud, settings: AwsSpec | GcpSpec, cluster: ClusterSpec, path: str
) -> Iterator[ConfigIssue]:
    """The deployer writes namespaces, StorageClasses and workloads into each cluster: it must reach the
    API the way ``api_endpoint`` says."""
    endpoint = cluster_api_endpoint(cloud, cluster.api_endpoint, TIER_DEFAULTS[spec.environment])
    shown = f"{path}.api_endpoint"
    asked = cluster.api_endpoint is not None
    why = "" if asked else f" (the {spec.environment} default on {cloud.upper()})"
    cidrs = [ipaddress.IPv4Network(cidr, strict=False) for cidr in cluster.api_access_cidrs]
    if endpoint == "dns" and cloud == "aws":
        yield ConfigIssue(shown, endpoint, "the DNS endpoint is GKE's; on EKS use restricted, private or public")
    elif endpoint == "restricted" and not cidrs:
        yield ConfigIssue(
            f"{path}.api_access_cidrs",
            [],
            f"api_endpoint restricted{why} admits only api_access_cidrs, and none are listed, so nobody could "
            "reach the API, not even pulumi up: list the networks the deployer runs from (your CI runners' "
            "egress addresses), or bring a network that routes to the cluster and use api_endpoint: private",
        )
    elif endpoint == "restricted":
        for cidr in cidrs:
            if any(cidr.subnet_of(internal) for internal in INTERNAL_RANGES):
                yield ConfigIssue(
                    f"{path}.api_access_cidrs",
                    str(cidr),
                    f"an internal range: api_endpoint restricted{why} admits networks by the public address "
                    "the API sees, your CI runners' NAT egress; an internal range reaches only a private "
                    "endpoint (api_endpoint: private, with a brought network that routes to it)",
                )
    elif endpoint == "private":
        if not _brings_network(settings):
            brought = "aws.existing_vpc" if cloud == "aws" else "gcp.existing_network"
            yield ConfigIssue(
                shown,
                endpoint,
                "a private endpoint is reachable only from a network routed into the cluster's network, and "
                "a network this stack creates has no such route during its first pulumi up: bring the network "
                f"({brought}) or use api_endpoint: restricted"
                + (" or dns" if cloud == "gcp" else "")
                + " with api_access_cidrs",
            )
        elif not cidrs:
            yield ConfigIssue(
                f"{path}.api_access_cidrs",
                [],
                "api_endpoint private admits only the cluster's own network and api_access_cidrs: list the "
                "networks the deployer runs from (its subnet in the brought network, your VPN's range)",
            )
    elif endpoint == "public" and cidrs:
        yield ConfigIssue(
            f"{path}.api_access_cidrs",
            list(cluster.api_access_cidrs),
            "api_endpoint public admits everyone; to admit only these networks use api_endpoint: restricted",
        )
    for cidr in cidrs:
        if cidr == ANYWHERE:
            yield ConfigIssue(
                f"{path}.api_access_cidrs",
                str(cidr),
                "admits the whole internet: list the networks the deployer runs from, or use api_endpoint: public",
            )


def _name_issues(spec: PlatformSpec, cloud: Cloud, cluster: ClusterSpec, path: str) -> Iterator[ConfigIssue]:
    name = cluster_resource_name(platform_prefix(spec.name, spec.physical_stack_name), cluster.cluster_name)
    limit = CLUSTER_NAME_LIMITS[cloud]
    if len(name) > limit:
        yield ConfigIssue(
            f"{path}.name",
            cluster.cluster_name,
            f"the cluster's name {name!r} ({len(name)} characters: <platform name>-<stack name>-<cluster name>) "
            f"exceeds the {limit} characters {'EKS' if cloud == 'aws' else 'GKE'} allows; shorten the cluster's "
            "name or the platform's",
        )
    for index, pool in enumerate(cluster.gpu_pools):
        if pool.name in RESERVED_POOL_NAMES:
            yield ConfigIssue(
                f"{path}.gpu_pools[{index}].name",
                pool.name,
                "is the system node pool's name; name the GPU pool after its GPU (h100, l4)",
            )


def _aws_bring_your_own_issues(settings: AwsSpec, path: str) -> Iterator[ConfigIssue]:
    if settings.existing_vpc is not None:
        for field in ("cidr", "zones", "nat"):
            if field in settings.model_fields_set:
                yield ConfigIssue(
                    f"{path}.{field}",
                    getattr(settings, field),
                    "applies to the VPC aistacks creates, not to existing_vpc: remove it",
                )
        subnets = settings.existing_vpc.private_subnet_ids
        if len(set(subnets)) != len(subnets):
            yield ConfigIssue(f"{path}.existing_vpc.private_subnet_ids", list(subnets), "lists a subnet twice")
    if settings.kms_key_arn is not None:
        _, _, _, region, account, _ = settings.kms_key_arn.split(":", 5)
        if region != settings.region:
            yield ConfigIssue(
                f"{path}.kms_key_arn",
                settings.kms_key_arn,
                f"the key is in {region}; KMS keys are regional and the stack's data is in {settings.region}: "
                f"use a key in {settings.region}",
            )
        if settings.account_id is not None and account != settings.account_id:
            yield ConfigIssue(
                f"{path}.kms_key_arn",
                settings.kms_key_arn,
                f"the key is in account {account}, not aws.account_id {settings.account_id}",
            )


def _autoscaler_issues(settings: AwsSpec, path: str) -> Iterator[ConfigIssue]:
    """Every EKS cluster runs a Cluster Autoscaler of its own minor (its system node group always scales)."""
    version = settings.kubernetes_version
    if settings.clusters and version is not None and version not in cluster_autoscaler_minors():
        yield ConfigIssue(
            f"{path}.kubernetes_version",
            version,
            "no Cluster Autoscaler release is catalogued for this minor (the autoscaler's minor must match the "
            f"cluster's); catalogued: {', '.join(cluster_autoscaler_minors())}",
        )


def _gcp_bring_your_own_issues(settings: GcpSpec, path: str) -> Iterator[ConfigIssue]:
    existing = settings.existing_network
    if existing is not None:
        if "cidr" in settings.model_fields_set:
            yield ConfigIssue(
                f"{path}.cidr", settings.cidr, "applies to the network aistacks creates, not to existing_network"
            )
        region = existing.subnetwork.split("/")[3]
        if region != settings.region:
            yield ConfigIssue(
                f"{path}.existing_network.subnetwork",
                existing.subnetwork,
                f"is in {region}; the clusters are in {settings.region}: use a subnetwork there",
            )
        named = [r.cluster for r in existing.cluster_ranges]
        clusters = [cluster.cluster_name for cluster in settings.clusters]
        for cluster in clusters:
            if cluster not in named:
                yield ConfigIssue(
                    f"{path}.existing_network.cluster_ranges",
                    named,
                    f"names no pods and services ranges for cluster {cluster!r}; add "
                    f"{{cluster: {cluster}, pods: <range>, services: <range>}}",
                )
        for index, ranges in enumerate(existing.cluster_ranges):
            at = f"{path}.existing_network.cluster_ranges[{index}]"
            if ranges.cluster not in clusters or named.index(ranges.cluster) != index:
                message = "not a cluster of gcp.clusters, or named twice; clusters: " + ", ".join(clusters)
                yield ConfigIssue(f"{at}.cluster", ranges.cluster, message)
            if ranges.pods == ranges.services:
                yield ConfigIssue(f"{at}.services", ranges.services, "pods and services need separate ranges")
        used = [name for ranges in existing.cluster_ranges for name in {ranges.pods, ranges.services}]
        for name in sorted({name for name in used if used.count(name) > 1}):
            message = "used by more than one cluster; each cluster needs its own pods and services ranges"
            yield ConfigIssue(f"{path}.existing_network.cluster_ranges", name, message)
    if settings.kms_key is not None:
        location = settings.kms_key.split("/")[3]
        if location != settings.region:
            yield ConfigIssue(
                f"{path}.kms_key",
                settings.kms_key,
                f"the key is in {location}; a CMEK must be in the location of the data it protects "
                f"({settings.region}): use a key ring there",
            )


def _hosting_zones(spec: PlatformSpec, cloud: Cloud) -> tuple[int, str]:
    """Zones a cloud's system nodes can spread over, and the setting that decides it."""
    if cloud == "aws":
        settings = spec.aws
        assert settings is not None
        if settings.existing_vpc is not None:
            return len(settings.existing_vpc.private_subnet_ids), "aws.existing_vpc.private_subnet_ids"
        return settings.zones or TIER_DEFAULTS[spec.environment].aws_zones, "aws.zones"
    return GKE_DEFAULT_NODE_ZONES, "the GKE default of three zones per node pool"


def _qdrant_placement_issues(spec: PlatformSpec, vector: VectorSpec, path: str) -> Iterator[ConfigIssue]:
    """Qdrant's replicas go one per node and one per zone (required anti-affinity), on system nodes only
    (they do not tolerate the GPU taint): each needs a system node in a zone of its own."""
    host = spec.vector_host(vector)
    if host is None:
        return  # the vector rules report the missing host
    cloud, cluster = host
    replicas = vector.replicas or TIER_DEFAULTS[spec.environment].qdrant_replicas
    why = "" if vector.replicas else f" (the {spec.environment} default)"
    zones, decided_by = _hosting_zones(spec, cloud)
    if replicas > zones:
        yield ConfigIssue(
            f"{path}.replicas",
            replicas,
            f"Qdrant places one replica per zone{why}, and cluster {cluster.cluster_name!r} has nodes in "
            f"{zones} zones ({decided_by}): set vector replicas to at most {zones}, or spread the nodes "
            "over more zones",
        )
    if cloud == "aws":
        nodes = eks_system_nodes(cluster.system_nodes, replicas)
        if nodes < replicas:
            yield ConfigIssue(
                f"{path}.replicas",
                replicas,
                f"Qdrant needs a system node per replica{why} and cluster {cluster.cluster_name!r} has "
                f"system_nodes {nodes}: raise its system_nodes to {replicas} or set vector replicas to {nodes}",
            )
