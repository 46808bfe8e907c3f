"""What makes a valid config deployable by a first ``pulumi up`` (:mod:`aistacks.deployability`): every
rule with a config it refuses, naming the key and the knob to turn, and one it accepts; the shipped
stacks pass them; the key ``public_endpoint`` says what replaced it; and a network or key the config
brings is planned (and built) as given, never created."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aistacks.catalog.cluster_autoscaler import cluster_autoscaler_minors
from aistacks.config import REPLACED_KEYS, parse_platform_spec
from aistacks.deployability import CLUSTER_NAME_LIMITS, INTERNAL_RANGES, deployability_issues
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.graph import display_value
from aistacks.plan import AwsPlan, GcpPlan, PlatformPlan, plan_platform
from aistacks.plan.aws import AwsNetworkPlan, EksClusterPlan, ExistingVpcPlan
from aistacks.plan.gcp import ExistingGcpNetworkPlan, GcpNetworkPlan
from aistacks.spec import PlatformSpec
from aistacks.validate import ConfigIssue
from aistacks.vocabulary import Cloud

from .conftest import ENVIRONMENTS, REPO
from .test_config import issue_at, issues_of

ROOT = "aistacks:platform"
AWS = f"{ROOT}.aws"
GCP = f"{ROOT}.gcp"
CI_EGRESS = ["203.0.113.0/24"]
"""The CI runners' public egress: a documentation range (RFC 5737)."""
VPN = ["10.100.0.0/24"]
"""The deployer's range inside a brought network (routed over a VPN)."""
VPC = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "private_subnet_ids": ["subnet-0a1b2c3d", "subnet-1b2c3d4e", "subnet-2c3d4e5f"],
}
AWS_KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GCP_KEY = "projects/acme-kms/locations/europe-west4/keyRings/ai-platform/cryptoKeys/data"
SUBNETWORK = "projects/acme-net-host/regions/europe-west4/subnetworks/ai-platform"


def aws_env(*clusters: dict[str, Any], environment: str = "staging", **aws: Any) -> dict[str, Any]:
    """A config with EKS ``clusters`` in eu-central-1 and the ``aws`` settings ``aws``."""
    settings = {"region": "eu-central-1", "kubernetes_version": "1.35", "clusters": list(clusters), **aws}
    return {"environment": environment, "jurisdiction": "eu", "aws": settings}


def gcp_env(*clusters: dict[str, Any], environment: str = "staging", **gcp: Any) -> dict[str, Any]:
    """A config with GKE ``clusters`` in europe-west4 and the ``gcp`` settings ``gcp``."""
    settings = {
        "project": "acme-ai-test",
        "region": "europe-west4",
        "kubernetes_version": "1.35",
        "clusters": list(clusters),
        **gcp,
    }
    return {"environment": environment, "jurisdiction": "eu", "gcp": settings}


def brought_network(*ranges: dict[str, str], subnetwork: str = SUBNETWORK) -> dict[str, Any]:
    """``gcp.existing_network`` with the secondary ``ranges`` of each cluster."""
    return {
        "network": "projects/acme-net-host/global/networks/landing-zone",
        "subnetwork": subnetwork,
        "subnetwork_cidr": "10.40.0.0/20",
        "cluster_ranges": list(ranges),
    }


def ranges(cluster: str) -> dict[str, str]:
    return {"cluster": cluster, "pods": f"{cluster}-pods", "services": f"{cluster}-services"}


def only_issue(raw: dict[str, Any]) -> ConfigIssue:
    """The single issue of ``raw``: the rule under test fires, and nothing else does."""
    issues = issues_of(raw)
    assert len(issues) == 1, [str(issue) for issue in issues]
    return issues[0]


def deployable(raw: dict[str, Any]) -> PlatformPlan:
    """``raw`` passes every rule; its plan."""
    spec = parse_platform_spec(raw)
    assert deployability_issues(spec, ROOT) == []
    return plan_platform(spec)


def aws_plan(plan: PlatformPlan) -> AwsPlan:
    cloud = plan.clouds["aws"]
    assert isinstance(cloud, AwsPlan)
    return cloud


def gcp_plan(plan: PlatformPlan) -> GcpPlan:
    cloud = plan.clouds["gcp"]
    assert isinstance(cloud, GcpPlan)
    return cloud


# --- the deployer reaches every cluster's API ---------------------------------------------------------


def test_the_dns_endpoint_is_gkes_only() -> None:
    issue = only_issue(aws_env({"role": "inference", "api_endpoint": "dns"}))
    assert (issue.path, issue.value) == (f"{AWS}.clusters[0].api_endpoint", "dns")
    assert "GKE" in issue.message and "restricted, private or public" in issue.message
    (cluster,) = gcp_plan(deployable(gcp_env({"role": "inference", "api_endpoint": "dns"}))).clusters
    assert cluster.api_endpoint == "dns"


@pytest.mark.parametrize(
    ("raw", "default"),
    [
        (aws_env({"role": "inference"}), " (the staging default on AWS)"),
        (aws_env({"role": "inference"}, environment="prod"), " (the prod default on AWS)"),
        (aws_env({"role": "inference", "api_endpoint": "restricted"}, environment="dev"), ""),
        (gcp_env({"role": "inference", "api_endpoint": "restricted"}), ""),
    ],
    ids=["staging-default", "prod-default", "asked-in-dev", "gke"],
)
def test_restricted_without_networks_would_admit_nobody(raw: dict[str, Any], default: str) -> None:
    cloud = "aws" if "aws" in raw else "gcp"
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_access_cidrs", [])
    assert f"api_endpoint restricted{default} admits only api_access_cidrs" in issue.message
    assert "list the networks the deployer runs from" in issue.message
    assert "api_endpoint: private" in issue.message, "the other way in: a brought network"
    raw[cloud]["clusters"][0]["api_access_cidrs"] = CI_EGRESS
    (cluster,) = deployable(raw).clouds[cloud].clusters
    assert (cluster.api_endpoint, cluster.api_access_cidrs) == ("restricted", tuple(CI_EGRESS))


@pytest.mark.parametrize(
    "cidr",
    ["10.0.0.0/8", "10.1.2.0/24", "172.16.0.0/12", "172.31.255.0/24", "192.168.0.0/16", "192.168.7.0/24",
     "100.64.0.0/10", "100.127.255.0/24"],
)  # fmt: skip
@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_a_restricted_endpoint_refuses_internal_ranges(cloud: str, cidr: str) -> None:
    cluster = {"role": "inference", "api_endpoint": "restricted", "api_access_cidrs": [*CI_EGRESS, cidr]}
    issue = only_issue((aws_env if cloud == "aws" else gcp_env)(cluster))
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_access_cidrs", cidr)
    assert "an internal range" in issue.message
    assert "NAT egress" in issue.message and "api_endpoint: private" in issue.message


@pytest.mark.parametrize("cidr", ["172.32.0.0/16", "172.15.0.0/16", "100.128.0.0/16", "11.0.0.0/8", "198.51.100.7/32"])
def test_public_ranges_beside_the_internal_ones_are_admitted(cidr: str) -> None:
    network = ipaddress.IPv4Network(cidr)
    assert not any(network.subnet_of(internal) for internal in INTERNAL_RANGES), "just outside an internal range"
    (cluster,) = aws_plan(deployable(aws_env({"role": "inference", "api_access_cidrs": [cidr]}))).clusters
    assert cluster.api_access_cidrs == (cidr,)


@pytest.mark.parametrize(
    ("raw", "brought", "alternatives"),
    [
        (aws_env({"role": "inference", "api_endpoint": "private", "api_access_cidrs": VPN}), "aws.existing_vpc",
         "api_endpoint: restricted with api_access_cidrs"),
        (gcp_env({"role": "inference", "api_endpoint": "private", "api_access_cidrs": VPN}), "gcp.existing_network",
         "api_endpoint: restricted or dns with api_access_cidrs"),
    ],
    ids=["eks", "gke"],
)  # fmt: skip
def test_a_private_endpoint_needs_a_brought_network(raw: dict[str, Any], brought: str, alternatives: str) -> None:
    cloud = "aws" if "aws" in raw else "gcp"
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_endpoint", "private")
    assert f"bring the network ({brought})" in issue.message
    assert alternatives in issue.message
    if cloud == "aws":
        raw["aws"]["existing_vpc"] = VPC
    else:
        raw["gcp"]["existing_network"] = brought_network(ranges("inference"))
    (cluster,) = deployable(raw).clouds[cloud].clusters
    assert (cluster.api_endpoint, cluster.api_access_cidrs) == ("private", tuple(VPN)), "internal ranges are fine"


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_a_private_endpoint_needs_the_networks_it_admits(cloud: str) -> None:
    cluster = {"role": "inference", "api_endpoint": "private"}
    if cloud == "aws":
        raw = aws_env(cluster, existing_vpc=VPC)
    else:
        raw = gcp_env(cluster, existing_network=brought_network(ranges("inference")))
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_access_cidrs", [])
    assert "api_endpoint private admits only the cluster's own network and api_access_cidrs" in issue.message


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_a_public_endpoint_lists_no_networks(cloud: Cloud) -> None:
    cluster = {"role": "inference", "api_endpoint": "public", "api_access_cidrs": CI_EGRESS}
    raw = (aws_env if cloud == "aws" else gcp_env)(cluster, environment="dev")
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_access_cidrs", CI_EGRESS)
    assert "api_endpoint public admits everyone" in issue.message
    assert "use api_endpoint: restricted" in issue.message
    del raw[cloud]["clusters"][0]["api_access_cidrs"]
    (planned,) = deployable(raw).clouds[cloud].clusters
    assert planned.api_endpoint == "public" and planned.public_endpoint


@pytest.mark.parametrize(
    ("cloud", "endpoint", "extra"),
    [("aws", "restricted", {}), ("gcp", "restricted", {}), ("gcp", "dns", {}),
     ("aws", "private", {"existing_vpc": VPC}),
     ("gcp", "private", {"existing_network": brought_network(ranges("inference"))})],
)  # fmt: skip
def test_no_endpoint_admits_the_whole_internet_as_a_listed_network(
    cloud: str, endpoint: str, extra: dict[str, Any]
) -> None:
    cluster = {"role": "inference", "api_endpoint": endpoint, "api_access_cidrs": ["0.0.0.0/0"]}
    issue = only_issue((aws_env if cloud == "aws" else gcp_env)(cluster, **extra))
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].api_access_cidrs", "0.0.0.0/0")
    assert "admits the whole internet" in issue.message and "api_endpoint: public" in issue.message


def test_public_with_the_whole_internet_listed_is_named_twice() -> None:
    cluster = {"role": "inference", "api_endpoint": "public", "api_access_cidrs": ["0.0.0.0/0"]}
    messages = [issue.message for issue in issues_of(aws_env(cluster, environment="dev"))]
    assert len(messages) == 2
    assert any("api_endpoint public admits everyone" in m for m in messages)
    assert any("admits the whole internet" in m for m in messages)


@pytest.mark.parametrize(
    ("cloud", "raw", "endpoint"),
    [
        ("aws", aws_env({"role": "training"}, environment="dev"), "public"),
        ("gcp", gcp_env({"role": "training"}, environment="prod"), "dns"),
        ("gcp", gcp_env({"role": "training", "api_access_cidrs": [*CI_EGRESS, *VPN]}, environment="prod"), "dns"),
    ],
    ids=["eks-dev", "gke-prod", "gke-prod-with-networks"],
)
def test_the_tier_defaults_are_reachable_without_allow_lists(cloud: Cloud, raw: dict[str, Any], endpoint: str) -> None:
    (cluster,) = deployable(raw).clouds[cloud].clusters
    assert cluster.api_endpoint == endpoint


# --- names the clouds limit ---------------------------------------------------------------------------


def test_a_gke_cluster_name_fits_gkes_40_characters() -> None:
    platform = "platform-with-a-long"  # prefix "platform-with-a-long-staging-": 29 characters
    fits = gcp_env({"role": "training", "name": "x" * 11}) | {"name": platform}
    (cluster,) = gcp_plan(deployable(fits)).clusters
    assert len(cluster.resource_name) == CLUSTER_NAME_LIMITS["gcp"] == 40
    too_long = gcp_env({"role": "training", "name": "x" * 12}) | {"name": platform}
    issue = only_issue(too_long)
    assert (issue.path, issue.value) == (f"{GCP}.clusters[0].name", "x" * 12)
    assert f"'{platform}-staging-{'x' * 12}' (41 characters" in issue.message
    assert "exceeds the 40 characters GKE allows" in issue.message
    assert "shorten the cluster's name or the platform's" in issue.message
    # The same names fit EKS's 100 characters.
    on_eks = aws_env({"role": "training", "name": "x" * 20, "api_access_cidrs": CI_EGRESS}) | {"name": platform}
    (eks,) = aws_plan(deployable(on_eks)).clusters
    assert len(eks.resource_name) == 49


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_no_gpu_pool_takes_the_system_pools_name(cloud: Cloud) -> None:
    cluster: dict[str, Any] = {
        "role": "training",
        "gpu_pools": [{"name": "l4", "gpu": "l4"}, {"name": "system", "gpu": "l4"}],
    }
    if cloud == "aws":
        cluster["api_access_cidrs"] = CI_EGRESS
    raw = (aws_env if cloud == "aws" else gcp_env)(cluster)
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].gpu_pools[1].name", "system")
    assert "the system node pool's name" in issue.message and "name the GPU pool after its GPU" in issue.message
    cluster["gpu_pools"][1]["name"] = "l4x"
    (planned,) = deployable(raw).clouds[cloud].clusters
    assert [pool.name for pool in planned.gpu_pools] == ["l4", "l4x"]


# --- a brought AWS network and key --------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("cidr", "10.0.0.0/16"), ("zones", 3), ("nat", "single")])
def test_settings_of_the_created_vpc_do_not_apply_to_a_brought_one(field: str, value: Any) -> None:
    cluster = {"role": "inference", "api_access_cidrs": CI_EGRESS}
    issue = only_issue(aws_env(cluster, existing_vpc=VPC, **{field: value}))
    assert (issue.path, issue.value) == (f"{AWS}.{field}", value)
    assert "applies to the VPC aistacks creates, not to existing_vpc: remove it" in issue.message


def test_a_brought_vpc_lists_each_subnet_once() -> None:
    subnets = ["subnet-0a1b2c3d", "subnet-1b2c3d4e", "subnet-0a1b2c3d"]
    cluster = {"role": "training", "api_access_cidrs": CI_EGRESS}
    issue = only_issue(aws_env(cluster, existing_vpc={**VPC, "private_subnet_ids": subnets}))
    assert (issue.path, issue.value) == (f"{AWS}.existing_vpc.private_subnet_ids", subnets)
    assert "lists a subnet twice" in issue.message


@pytest.mark.parametrize(
    ("vpc", "path"),
    [
        ({**VPC, "vpc_id": "vpc-123"}, "existing_vpc.vpc_id"),
        ({**VPC, "private_subnet_ids": ["subnet-0a1b2c3d"]}, "existing_vpc.private_subnet_ids"),
        (
            {**VPC, "private_subnet_ids": [*VPC["private_subnet_ids"], "sn-1b2c3d4e"]},
            "existing_vpc.private_subnet_ids[3]",
        ),
    ],
    ids=["vpc-id", "one-subnet", "subnet-id"],
)
def test_a_brought_vpc_is_given_by_its_ids(vpc: dict[str, Any], path: str) -> None:
    issue = only_issue(aws_env({"role": "training", "api_access_cidrs": CI_EGRESS}, existing_vpc=vpc))
    assert issue.path == f"{AWS}.{path}"


def test_a_brought_aws_key_is_in_the_stacks_region() -> None:
    elsewhere = AWS_KEY.replace("eu-central-1", "eu-west-1")
    issue = only_issue(aws_env(kms_key_arn=elsewhere))
    assert (issue.path, issue.value) == (f"{AWS}.kms_key_arn", elsewhere)
    assert "the key is in eu-west-1" in issue.message and "use a key in eu-central-1" in issue.message
    assert aws_plan(deployable(aws_env(kms_key_arn=AWS_KEY))).existing_key == AWS_KEY


def test_a_brought_aws_key_is_in_the_pinned_account() -> None:
    issue = only_issue(aws_env(kms_key_arn=AWS_KEY, account_id="210987654321"))
    assert (issue.path, issue.value) == (f"{AWS}.kms_key_arn", AWS_KEY)
    assert "the key is in account 123456789012, not aws.account_id 210987654321" in issue.message
    assert aws_plan(deployable(aws_env(kms_key_arn=AWS_KEY, account_id="123456789012"))).existing_key == AWS_KEY


# --- a brought Google Cloud network and key -----------------------------------------------------------


def test_the_created_networks_block_does_not_apply_to_a_brought_one() -> None:
    issue = only_issue(gcp_env(existing_network=brought_network(), cidr="10.0.0.0/12"))
    assert (issue.path, issue.value) == (f"{GCP}.cidr", "10.0.0.0/12")
    assert "applies to the network aistacks creates, not to existing_network" in issue.message


def test_a_brought_subnetwork_is_in_the_clusters_region() -> None:
    elsewhere = SUBNETWORK.replace("europe-west4", "europe-west1")
    issue = only_issue(gcp_env(existing_network=brought_network(subnetwork=elsewhere)))
    assert (issue.path, issue.value) == (f"{GCP}.existing_network.subnetwork", elsewhere)
    assert "is in europe-west1; the clusters are in europe-west4" in issue.message


def test_a_brought_network_names_the_ranges_of_every_cluster() -> None:
    raw = gcp_env({"role": "training"}, {"role": "inference"}, existing_network=brought_network(ranges("training")))
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{GCP}.existing_network.cluster_ranges", ["training"])
    assert "names no pods and services ranges for cluster 'inference'" in issue.message
    assert "{cluster: inference, pods: <range>, services: <range>}" in issue.message


@pytest.mark.parametrize(
    ("listed", "bad"),
    [([ranges("training"), ranges("serving")], "serving"),
     ([ranges("training"), {"cluster": "training", "pods": "p2", "services": "s2"}], "training")],
    ids=["unknown", "twice"],
)  # fmt: skip
def test_brought_ranges_name_each_cluster_of_the_config_once(listed: list[dict[str, str]], bad: str) -> None:
    issue = only_issue(gcp_env({"role": "training"}, existing_network=brought_network(*listed)))
    assert (issue.path, issue.value) == (f"{GCP}.existing_network.cluster_ranges[1].cluster", bad)
    assert "not a cluster of gcp.clusters, or named twice; clusters: training" in issue.message


def test_pods_and_services_take_separate_ranges() -> None:
    shared = {"cluster": "training", "pods": "ai-range", "services": "ai-range"}
    issue = issue_at(gcp_env({"role": "training"}, existing_network=brought_network(shared)),
                     f"{GCP}.existing_network.cluster_ranges[0].services")  # fmt: skip
    assert issue.value == "ai-range"
    assert "pods and services need separate ranges" in issue.message


def test_a_range_one_cluster_uses_twice_is_not_said_to_be_shared() -> None:
    shared = {"cluster": "training", "pods": "ai-range", "services": "ai-range"}
    issue = only_issue(gcp_env({"role": "training"}, existing_network=brought_network(shared)))
    assert issue.path == f"{GCP}.existing_network.cluster_ranges[0].services"


def test_no_two_clusters_share_a_range() -> None:
    inference = {"cluster": "inference", "pods": "training-pods", "services": "inference-services"}
    raw = gcp_env(
        {"role": "training"}, {"role": "inference"}, existing_network=brought_network(ranges("training"), inference)
    )
    issue = only_issue(raw)
    assert (issue.path, issue.value) == (f"{GCP}.existing_network.cluster_ranges", "training-pods")
    assert "used by more than one cluster" in issue.message


def test_a_brought_cloud_kms_key_is_in_the_clusters_region() -> None:
    for location in ("europe-west1", "europe", "global"):
        elsewhere = GCP_KEY.replace("europe-west4", location)
        issue = only_issue(gcp_env(kms_key=elsewhere))
        assert (issue.path, issue.value) == (f"{GCP}.kms_key", elsewhere)
        assert f"the key is in {location}" in issue.message and "(europe-west4): use a key ring there" in issue.message
    assert gcp_plan(deployable(gcp_env(kms_key=GCP_KEY))).existing_key == GCP_KEY


# --- Qdrant fits the zones and system nodes of its host -----------------------------------------------


def test_qdrant_replicas_fit_the_aws_zones() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS}
    issue = only_issue(aws_env(inference, zones=2) | {"vector": {"replicas": 3}})
    assert (issue.path, issue.value) == (f"{ROOT}.vector.replicas", 3)
    assert "cluster 'inference' has nodes in 2 zones (aws.zones)" in issue.message
    assert "set vector replicas to at most 2, or spread the nodes over more zones" in issue.message
    assert "default" not in issue.message
    plan = deployable(aws_env(inference, zones=3) | {"vector": {"replicas": 3}})
    (cluster,) = aws_plan(plan).clusters
    assert cluster.qdrant is not None and cluster.qdrant.replicas == 3


def test_the_tiers_qdrant_replicas_fit_the_aws_zones_too() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS}
    issue = only_issue(aws_env(inference, zones=2) | {"vector": [{"engine": "qdrant"}]})
    assert (issue.path, issue.value) == (f"{ROOT}.vector[0].replicas", 3)
    assert "one replica per zone (the staging default)" in issue.message


def test_qdrant_replicas_fit_the_subnets_of_a_brought_vpc() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS}
    two = {**VPC, "private_subnet_ids": VPC["private_subnet_ids"][:2]}
    issue = only_issue(aws_env(inference, existing_vpc=two) | {"vector": {}})
    assert issue.path == f"{ROOT}.vector.replicas"
    assert "has nodes in 2 zones (aws.existing_vpc.private_subnet_ids)" in issue.message
    deployable(aws_env(inference, existing_vpc=VPC) | {"vector": {}})


def test_qdrant_replicas_fit_gkes_three_zones() -> None:
    issue = only_issue(gcp_env({"role": "inference"}) | {"vector": {"replicas": 4}})
    assert (issue.path, issue.value) == (f"{ROOT}.vector.replicas", 4)
    assert "in 3 zones (the GKE default of three zones per node pool)" in issue.message
    deployable(gcp_env({"role": "inference"}) | {"vector": {"replicas": 3}})


def test_qdrant_replicas_fit_the_eks_system_nodes_asked_for() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS, "system_nodes": 2}
    issue = only_issue(aws_env(inference) | {"vector": {}})
    assert (issue.path, issue.value) == (f"{ROOT}.vector.replicas", 3)
    assert "a system node per replica (the staging default)" in issue.message
    assert "raise its system_nodes to 3 or set vector replicas to 2" in issue.message
    inference["system_nodes"] = 3
    (cluster,) = aws_plan(deployable(aws_env(inference) | {"vector": {}})).clusters
    assert cluster.system_nodes == 3


def test_eks_system_nodes_follow_the_qdrant_they_host() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS}
    training = {"role": "training", "api_access_cidrs": CI_EGRESS}
    plan = deployable(aws_env(training, inference, environment="prod") | {"vector": {}})
    by_role = {cluster.role: cluster for cluster in aws_plan(plan).clusters}
    host = by_role["inference"]
    assert isinstance(host, EksClusterPlan) and host.qdrant is not None and host.qdrant.replicas == 3
    assert (host.system_nodes, host.system_max_nodes) == (3, 5), "one per replica, and the headroom above"
    assert by_role["training"].system_nodes == 2, "without Qdrant: the default"


def test_only_the_hosts_system_nodes_count() -> None:
    small = {"role": "inference", "api_access_cidrs": CI_EGRESS, "system_nodes": 1}
    training = {"role": "training", "api_access_cidrs": CI_EGRESS}
    # Qdrant on the training cluster: the small inference cluster does not host it.
    deployable(aws_env(training, small) | {"vector": {"cluster": "training"}})
    issue = only_issue(aws_env(training, small) | {"vector": {}})
    assert "cluster 'inference' has system_nodes 1" in issue.message


def test_gke_ignores_system_nodes_for_qdrant() -> None:
    deployable(gcp_env({"role": "inference", "system_nodes": 1}) | {"vector": {"replicas": 3}})


def test_both_placement_limits_are_named_at_once() -> None:
    inference = {"role": "inference", "api_access_cidrs": CI_EGRESS, "system_nodes": 1}
    messages = [issue.message for issue in issues_of(aws_env(inference, zones=2) | {"vector": {}})]
    assert len(messages) == 2
    assert any("2 zones" in m for m in messages) and any("system_nodes 1" in m for m in messages)


# --- every EKS cluster gets a Cluster Autoscaler of its minor -----------------------------------------


def test_an_eks_minor_without_a_catalogued_autoscaler_is_refused() -> None:
    uncatalogued = "1.36"  # a minor EKS and GKE support (catalog) with no autoscaler release yet
    assert uncatalogued not in cluster_autoscaler_minors()
    issue = only_issue(aws_env({"role": "training", "api_access_cidrs": CI_EGRESS}, kubernetes_version=uncatalogued))
    assert (issue.path, issue.value) == (f"{AWS}.kubernetes_version", uncatalogued)
    assert "no Cluster Autoscaler release is catalogued for this minor" in issue.message
    assert ", ".join(cluster_autoscaler_minors()) in issue.message
    deployable(aws_env(kubernetes_version=uncatalogued))  # no cluster, no autoscaler
    deployable(gcp_env({"role": "training"}, kubernetes_version=uncatalogued))  # GKE scales its own pools


# --- the shipped stacks -------------------------------------------------------------------------------


def stack_platform(env: str) -> dict[str, Any]:
    stack = yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))
    return stack["config"][ROOT]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_shipped_stacks_are_deployable(env: str) -> None:
    raw = stack_platform(env)
    spec = PlatformSpec.model_validate_json(json.dumps(raw), strict=True)
    assert deployability_issues(spec, ROOT) == []
    plan = deployable(raw)
    for cloud in plan.clouds.values():
        for cluster in cloud.clusters:
            if cluster.api_endpoint == "restricted":
                assert cluster.api_access_cidrs, f"{cloud.cloud} {cluster.name}: reachable by the deployer"
            assert cluster.api_endpoint != "public" or env == "dev", "public only in dev"


# --- a replaced key -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_public_endpoint_says_what_replaced_it(cloud: str, value: bool) -> None:
    cluster = {"role": "training", "public_endpoint": value}
    issue = only_issue((aws_env if cloud == "aws" else gcp_env)(cluster, environment="dev"))
    assert (issue.path, issue.value) == (f"{ROOT}.{cloud}.clusters[0].public_endpoint", value)
    assert issue.message == REPLACED_KEYS["public_endpoint"]
    assert issue.message.startswith("replaced by api_endpoint:")
    for endpoint in ("public", "restricted", "dns", "private"):
        assert endpoint in issue.message


def test_an_unknown_key_still_lists_the_allowed_keys() -> None:
    issue = only_issue(aws_env({"role": "training", "public_endpoints": True}, environment="dev"))
    assert issue.path == f"{AWS}.clusters[0].public_endpoints"
    assert issue.message.startswith("unknown key; allowed keys here: ")
    assert "api_endpoint" in issue.message and "api_access_cidrs" in issue.message


def test_the_cli_names_the_replacement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from aistacks.cli import main

    stack = tmp_path / "Pulumi.dev.yaml"
    raw = aws_env({"role": "training", "public_endpoint": True}, environment="dev")
    stack.write_text(json.dumps({"config": {ROOT: raw}}), encoding="utf-8")
    assert main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert f"{AWS}.clusters[0].public_endpoint = true: replaced by api_endpoint" in err


# --- a brought network and key are planned and built as given -----------------------------------------


def test_a_brought_vpc_and_key_are_planned_not_created() -> None:
    inference = {"role": "inference", "api_endpoint": "private", "api_access_cidrs": VPN}
    cloud = aws_plan(deployable(aws_env(inference, existing_vpc=VPC, kms_key_arn=AWS_KEY)))
    assert cloud.network == ExistingVpcPlan(
        "aistacks-staging-aws-network", VPC["vpc_id"], tuple(VPC["private_subnet_ids"])
    )
    assert cloud.existing_key == AWS_KEY
    (cluster,) = cloud.clusters
    assert (cluster.api_endpoint, cluster.public_endpoint, cluster.api_access_cidrs) == ("private", False, tuple(VPN))
    created = aws_plan(deployable(aws_env({"role": "inference", "api_access_cidrs": CI_EGRESS})))
    assert isinstance(created.network, AwsNetworkPlan) and created.existing_key is None


def test_a_brought_gcp_network_gives_each_cluster_its_named_ranges() -> None:
    # Listed in another order than the clusters: matched by name.
    network = brought_network(ranges("inference"), ranges("training"))
    cloud = gcp_plan(
        deployable(gcp_env({"role": "training"}, {"role": "inference"}, existing_network=network, kms_key=GCP_KEY))
    )
    assert cloud.network == ExistingGcpNetworkPlan(
        "aistacks-staging-gcp-network", network["network"], network["subnetwork"]
    )
    assert cloud.existing_key == GCP_KEY
    planned = {c.name: (c.pods_range, c.services_range, c.master_authorized_cidr) for c in cloud.clusters}
    assert planned == {
        "training": ("training-pods", "training-services", "10.40.0.0/20"),
        "inference": ("inference-pods", "inference-services", "10.40.0.0/20"),
    }
    created = gcp_plan(deployable(gcp_env({"role": "training"})))
    assert isinstance(created.network, GcpNetworkPlan) and created.existing_key is None
    (cluster,) = created.clusters
    (cut,) = created.network.ranges.clusters
    assert (cluster.pods_range, cluster.services_range) == (cut.pods_name, cut.services_name)
    assert cluster.master_authorized_cidr == str(created.network.ranges.primary)


def run(tmp_path: Path, raw: dict[str, Any]) -> ResourceGraph:
    stack = tmp_path / "Pulumi.byo.yaml"
    stack.write_text(json.dumps({"config": {"pulumi:disable-default-providers": ["*"], ROOT: raw}}), encoding="utf-8")
    return run_stack_file(load_project(REPO), stack)


def test_a_brought_gcp_network_and_key_are_built_on_not_created(tmp_path: Path) -> None:
    network = brought_network(ranges("inference"), ranges("training"))
    inference = {"role": "inference", "api_endpoint": "private", "api_access_cidrs": VPN}
    graph = run(tmp_path, gcp_env({"role": "training"}, inference, existing_network=network, kms_key=GCP_KEY))
    for created in ("gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:kms/keyRing:KeyRing",
                    "gcp:kms/cryptoKey:CryptoKey"):  # fmt: skip
        assert not graph.of_type(created), f"{created}: brought, not created"
    clusters = {
        display_value(r.inputs)["name"]: display_value(r.inputs) for r in graph.of_type("gcp:container/cluster:Cluster")
    }
    training, serving = clusters["aistacks-byo-training"], clusters["aistacks-byo-inference"]
    for name, props in (("training", training), ("inference", serving)):
        assert (props["network"], props["subnetwork"]) == (network["network"], network["subnetwork"])
        assert props["ipAllocationPolicy"] == {
            "clusterSecondaryRangeName": f"{name}-pods",
            "servicesSecondaryRangeName": f"{name}-services",
        }
        assert props["databaseEncryption"]["keyName"] == GCP_KEY
    # A brought key's IAM is its owner's: the stack grants nothing on it.
    assert not graph.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    # dns (the default): the IAM-gated DNS endpoint takes the traffic, the IP endpoints stay private.
    assert training["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]["allowExternalTraffic"] is True
    assert training["privateClusterConfig"]["enablePrivateEndpoint"] is True
    # private: no DNS endpoint traffic, the private IP endpoint admits the nodes and the VPN only.
    assert serving["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]["allowExternalTraffic"] is False
    assert serving["privateClusterConfig"]["enablePrivateEndpoint"] is True
    assert [b["cidrBlock"] for b in serving["masterAuthorizedNetworksConfig"]["cidrBlocks"]] == ["10.40.0.0/20", *VPN]


def test_a_brought_aws_key_encrypts_and_no_key_is_created(tmp_path: Path) -> None:
    inference = {"role": "inference", "api_endpoint": "private", "api_access_cidrs": VPN}
    graph = run(tmp_path, aws_env(inference, existing_vpc=VPC, kms_key_arn=AWS_KEY))
    for created in ("aws:kms/key:Key", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"):
        assert not graph.of_type(created), f"{created}: brought, not created"
    (eks,) = graph.of_type("aws:eks/cluster:Cluster")
    props = display_value(eks.inputs)
    assert props["encryptionConfig"]["provider"]["keyArn"] == AWS_KEY
    assert props["vpcConfig"]["subnetIds"] == VPC["private_subnet_ids"]
    assert props["vpcConfig"]["endpointPublicAccess"] is False
    # private: the VPN is let in to the private endpoint on 443.
    rules = [
        display_value(r.inputs) for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    ]
    assert [(r["cidrIpv4"], r["fromPort"], r["toPort"]) for r in rules] == [(cidr, 443, 443) for cidr in VPN]


def test_a_restricted_eks_endpoint_admits_its_networks_publicly_and_opens_nothing_privately(tmp_path: Path) -> None:
    graph = run(tmp_path, aws_env({"role": "inference", "api_access_cidrs": ["203.0.113.0/24"]}))
    (eks,) = graph.of_type("aws:eks/cluster:Cluster")
    vpc_config = display_value(eks.inputs)["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert not graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
