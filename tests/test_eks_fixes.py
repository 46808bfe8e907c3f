"""EKS as the clouds' docs require it (issue 10): node launch templates tag what nodes launch, the VPC CNI
enforces NetworkPolicies, the cluster role may use its secrets key, and nodes, add-ons and Qdrant come up in
the order they need each other; asserted on the recorded graph of every stack."""

from __future__ import annotations

import json

import pytest
import yaml

from aistacks.aws.documents import eks_secrets_key_policy
from aistacks.aws.nodes import LAUNCHED_RESOURCE_TYPES, launched_resource_tags
from aistacks.config import parse_platform_spec
from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.plan import plan_platform

from .conftest import ENVIRONMENTS, REPO
from .test_stacks import Plan
from .test_wiring import EKS_CLUSTER, STATEFUL_SET, host_cluster, inputs, under

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ADDON = "aws:eks/addon:Addon"
CLUSTER = "aws:eks/cluster:Cluster"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BEFORE_NODES = {"vpc-cni", "kube-proxy", "eks-pod-identity-agent"}
AFTER_NODES = {"coredns", "aws-ebs-csi-driver"}
MODES = (False, True)


def stack_tags(env: str) -> dict[str, str]:
    raw = yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))
    return dict(plan_platform(parse_platform_spec(raw["config"]["aistacks:platform"])).clouds["aws"].tags)


def eks_clusters(graph: ResourceGraph) -> list[ResourceRecord]:
    clusters = graph.of_type(EKS_CLUSTER)
    assert clusters, "the stack has EKS clusters"
    return clusters


def addons(graph: ResourceGraph, cluster: ResourceRecord) -> dict[str, ResourceRecord]:
    return {inputs(addon)["addonName"]: addon for addon in under(graph, cluster, ADDON)}


# --- 1. launch templates tag the instances, volumes and network interfaces they launch -----------------


def test_launched_resources_carry_the_tags_and_the_node_groups_name() -> None:
    specifications = launched_resource_tags("aistacks-dev-dev-a10g", {"environment": "dev"})
    assert [s["resource_type"] for s in specifications] == ["instance", "volume", "network-interface"]
    for specification in specifications:
        assert specification["tags"] == {"environment": "dev", "Name": "aistacks-dev-dev-a10g"}


def test_no_tags_of_the_stack_still_make_a_non_empty_tag_set() -> None:
    assert all(s["tags"] == {"Name": "pool"} for s in launched_resource_tags("pool", {}))


def test_a_node_group_without_a_name_cannot_plan_an_empty_tag_set() -> None:
    with pytest.raises(ValueError, match="Name tag"):
        launched_resource_tags("", {})


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_launch_template_tags_what_nodes_launch_with_the_stack_tags(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    tags = stack_tags(env)
    assert tags, "the plan always tags (environment, jurisdiction, …)"
    templates = {r.urn: inputs(r) for r in graph.of_type(LAUNCH_TEMPLATE)}
    named: set[str] = set()
    for node_group in graph.of_type(NODE_GROUP):
        (template_urn,) = [urn for urn in node_group.depends_on if urn in templates]
        specifications = templates[template_urn]["tagSpecifications"]
        assert [s["resourceType"] for s in specifications] == list(LAUNCHED_RESOURCE_TYPES), node_group.name
        for specification in specifications:
            assert specification["tags"] == {**tags, "Name": node_group.name}, node_group.name
        named.add(node_group.name)
    assert len(named) == len(templates), "one launch template per node group"


# --- 2. the VPC CNI enforces the namespaces' NetworkPolicies ------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_vpc_cni_enforces_network_policies(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    for cluster in eks_clusters(graph):
        cni = inputs(addons(graph, cluster)["vpc-cni"])
        assert json.loads(cni["configurationValues"]) == {"enableNetworkPolicy": "true"}, cluster.name


# --- 4. the cluster role may use the key that encrypts its secrets -----------------------------------


def test_the_secrets_key_policy_is_terraform_aws_eks_cluster_encryption() -> None:
    key = "arn:aws:kms:eu-central-1:210987654321:key/k"
    (statement,) = eks_secrets_key_policy(key)["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == key
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_cluster_waits_for_its_roles_use_of_the_secrets_key(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    for component in eks_clusters(graph):
        (cluster,) = under(graph, component, CLUSTER)
        secrets_key = inputs(cluster)["encryptionConfig"]["provider"]["keyArn"]
        (role,) = [r for r in under(graph, component, ROLE) if r.urn in cluster.property_dependencies["roleArn"]]
        (grant,) = [p for p in under(graph, component, ROLE_POLICY) if role.urn in p.property_dependencies["role"]]
        (statement,) = json.loads(inputs(grant)["policy"])["Statement"]
        assert statement["Resource"] == secrets_key
        assert {"kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"} <= set(statement["Action"])
        assert grant.urn in cluster.depends_on, "EKS checks the key as the role when the cluster is created"


# --- 5. nodes after networking, CoreDNS and storage after nodes, Qdrant after storage ----------------


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_node_group_waits_for_the_networking_add_ons(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    for cluster in eks_clusters(graph):
        found = addons(graph, cluster)
        assert set(found) == BEFORE_NODES | AFTER_NODES
        node_groups = under(graph, cluster, NODE_GROUP)
        assert len(node_groups) >= 2, "the system node group and the GPU pools"
        for node_group in node_groups:
            before = {name for name, addon in found.items() if addon.urn in node_group.depends_on}
            assert before == BEFORE_NODES, node_group.name
        for name in BEFORE_NODES:
            assert not set(found[name].depends_on) & {n.urn for n in node_groups}, f"{name} needs no node"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_coredns_and_the_ebs_csi_driver_wait_for_the_system_nodes(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    for cluster in eks_clusters(graph):
        found = addons(graph, cluster)
        (system,) = [
            n for n in under(graph, cluster, NODE_GROUP) if inputs(n)["labels"] == {"aistacks.io/pool": "system"}
        ]
        for name in AFTER_NODES:
            assert system.urn in found[name].depends_on, name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_qdrant_waits_for_the_storage_driver_and_dns_of_its_cluster(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    (statefulset,) = graph.of_type(STATEFUL_SET)
    cluster = host_cluster(graph, statefulset)
    assert cluster is not None and cluster.type == EKS_CLUSTER
    found = addons(graph, cluster)
    for name in AFTER_NODES:
        assert found[name].urn in statefulset.depends_on, f"Qdrant's volumes and names need {name}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_eks_cluster_runs_an_autoscaler_that_scales_its_own_node_groups(plan: Plan, env: str) -> None:
    """Finding 6: the node-template tags were written, but nothing read them."""
    graph = plan(env, False)
    for component in graph.of_type(EKS_CLUSTER):
        (cluster,) = under(graph, component, "aws:eks/cluster:Cluster")
        name = inputs(cluster)["name"]
        (deployment,) = [d for d in under(graph, component, "kubernetes:apps/v1:Deployment") if "autoscaler" in d.name]
        (container,) = inputs(deployment)["spec"]["template"]["spec"]["containers"]
        discovery = [flag for flag in container["command"] if flag.startswith("--node-group-auto-discovery=")]
        assert discovery == [
            f"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/{name}"
        ]
        # The role may resize only the groups this cluster owns.
        policies = [json.loads(inputs(r)["policy"]) for r in under(graph, component, "aws:iam/rolePolicy:RolePolicy")]
        resizing = [
            statement
            for policy in policies
            for statement in policy["Statement"]
            if "autoscaling:SetDesiredCapacity" in statement["Action"]
        ]
        assert [s["Condition"] for s in resizing] == [
            {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{name}": "owned"}}
        ]
        # Every GPU pool of the cluster carries the tag the autoscaler discovers it by.
        for pool in under(graph, component, "aws:eks/nodeGroup:NodeGroup"):
            tags = [inputs(t)["tag"] for t in graph.of_type("aws:autoscaling/tag:Tag") if t.parent == pool.parent]
            if pool.parent != component.urn:  # the GPU pools' components; EKS tags the system group itself
                assert {
                    "key": f"k8s.io/cluster-autoscaler/{name}",
                    "value": "owned",
                    "propagateAtLaunch": False,
                } in tags
