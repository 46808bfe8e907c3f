"""The Cluster Autoscaler of EKS clusters: its release per Kubernetes minor, when a cluster gets one, its IAM
policy, its manifests, and the component in Pulumi's mock runtime."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from aistacks.aws.autoscaler import autoscaler_manifests, cluster_autoscaler_args, discovery_tags
from aistacks.aws.documents import (
    CLUSTER_AUTOSCALER_READ_ACTIONS,
    CLUSTER_AUTOSCALER_WRITE_ACTIONS,
    cluster_autoscaler_policy,
)
from aistacks.aws.kubernetes import IRSA_ANNOTATION
from aistacks.aws.nodes import autoscaler_tags
from aistacks.catalog.cluster_autoscaler import (
    NoAutoscalerRelease,
    cluster_autoscaler_minors,
    cluster_autoscaler_release,
    kubernetes_minor,
)
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.graph import display_value
from aistacks.plan import EksClusterPlan, plan_platform
from aistacks.plan.autoscaler import (
    REPLICAS,
    SCALE_DOWN_UNNEEDED_TIME,
    ClusterAutoscalerPlan,
    plan_cluster_autoscaler,
)
from aistacks.spec import PlatformSpec

REGION = "eu-central-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/acme-dev-training-autoscaler"
NAME = "cluster-autoscaler"
"""The upstream manifest's name of every object, which the IAM role's trust names too."""


def eks_cluster(version: str = "1.35", pool: dict[str, Any] | None = None) -> EksClusterPlan:
    """A training cluster with one L4 pool (0 to 2 nodes unless ``pool`` says otherwise), planned from a spec."""
    gpu_pool = {"name": "l4", "gpu": "l4", **(pool or {})}
    aws = {"region": REGION, "kubernetes_version": version, "clusters": [{"role": "training", "gpu_pools": [gpu_pool]}]}
    spec = PlatformSpec.model_validate({"name": "acme", "environment": "dev", "jurisdiction": "eu", "aws": aws})
    (cluster,) = plan_platform(spec).clouds["aws"].clusters
    assert isinstance(cluster, EksClusterPlan)
    return cluster


def autoscaler(version: str = "1.35", tier: str = "dev") -> ClusterAutoscalerPlan:
    planned = plan_cluster_autoscaler(eks_cluster(version), tier)  # type: ignore[arg-type]
    assert planned is not None
    return planned


def by_kind(manifests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = [manifest["kind"] for manifest in manifests]
    assert len(kinds) == len(set(kinds)), kinds
    return {manifest["kind"]: manifest for manifest in manifests}


def minutes(duration: str) -> int:
    match = re.fullmatch(r"(\d+)m", duration)
    assert match, duration
    return int(match.group(1))


# The release per Kubernetes minor.


def test_the_catalog_has_a_release_for_every_minor_from_1_30_to_1_35_and_names_its_sources() -> None:
    assert {"1.30", "1.31", "1.32", "1.33", "1.34", "1.35"} <= set(cluster_autoscaler_minors())
    data = json.loads(resources.files("aistacks.catalog").joinpath("data", "cluster_autoscaler.json").read_text())
    assert data["sources"]
    for source in data["sources"]:
        assert source["url"].startswith("https://github.com/kubernetes/")
        assert dt.date.fromisoformat(source["retrieved"]) <= dt.datetime.now(dt.UTC).date()
    for entry in data["releases"].values():
        assert entry["promotion"].startswith("https://github.com/kubernetes/k8s.io/pull/")
        dt.date.fromisoformat(entry["tagged"])


@pytest.mark.parametrize("minor", cluster_autoscaler_minors())
def test_each_minor_runs_a_release_of_its_own_minor_pinned_by_tag_and_digest(minor: str) -> None:
    release = cluster_autoscaler_release(minor)
    assert kubernetes_minor(release.version) == minor
    assert re.fullmatch(r"1\.\d+\.\d+", release.version)
    pattern = rf"registry\.k8s\.io/autoscaling/cluster-autoscaler:v{re.escape(release.version)}@sha256:[0-9a-f]{{64}}"
    assert re.fullmatch(pattern, release.image)


def test_the_plan_takes_the_release_of_the_clusters_minor() -> None:
    older, newer = autoscaler("1.33"), autoscaler("1.35")
    assert (older.version, newer.version) == ("1.33.6", "1.35.2")
    assert older.image != newer.image
    assert cluster_autoscaler_release("1.35.9").version == "1.35.2", "any patch of a minor takes its release"
    assert (older.dynamic_resource_allocation, newer.dynamic_resource_allocation) == (False, True)


def test_a_minor_without_a_release_is_refused_naming_it_and_the_known_ones() -> None:
    with pytest.raises(NoAutoscalerRelease, match=r"Kubernetes 1\.29 .*1\.30, 1\.31, 1\.32, 1\.33, 1\.34, 1\.35"):
        plan_cluster_autoscaler(eks_cluster("1.29"), "dev")
    with pytest.raises(ValueError, match="not a Kubernetes version"):
        cluster_autoscaler_release("latest")


# When a cluster gets one, and its settings per tier.


def test_no_autoscaler_when_no_node_group_can_change_size() -> None:
    fixed = eks_cluster(pool={"min_nodes": 1, "max_nodes": 1})
    fixed = replace(fixed, system_max_nodes=fixed.system_nodes)
    assert plan_cluster_autoscaler(fixed, "prod") is None


def test_a_scalable_gpu_pool_or_system_headroom_each_gets_an_autoscaler() -> None:
    cluster = eks_cluster()
    gpu_only = plan_cluster_autoscaler(replace(cluster, system_max_nodes=cluster.system_nodes), "dev")
    assert gpu_only is not None
    assert gpu_only.scalable_node_groups == ("acme-dev-training-l4",)
    system_only = plan_cluster_autoscaler(eks_cluster(pool={"min_nodes": 1, "max_nodes": 1}), "dev")
    assert system_only is not None
    assert system_only.scalable_node_groups == ("acme-dev-training-system",)
    both = plan_cluster_autoscaler(cluster, "dev")
    assert both is not None
    assert both.scalable_node_groups == ("acme-dev-training-system", "acme-dev-training-l4")
    assert both.cluster_name == cluster.resource_name == "acme-dev-training"


def test_dev_gives_idle_nodes_back_sooner_than_prod_and_prod_keeps_a_standby() -> None:
    dev, staging, prod = (autoscaler(tier=tier) for tier in ("dev", "staging", "prod"))
    assert minutes(dev.scale_down_unneeded_time) < minutes(staging.scale_down_unneeded_time)
    assert minutes(staging.scale_down_unneeded_time) < minutes(prod.scale_down_unneeded_time)
    assert (dev.replicas, prod.replicas) == (1, 2)
    assert set(SCALE_DOWN_UNNEEDED_TIME) == set(REPLICAS) == {"dev", "staging", "prod"}
    assert "--scale-down-unneeded-time=5m" in cluster_autoscaler_args(dev)
    assert "--scale-down-unneeded-time=15m" in cluster_autoscaler_args(prod)


# The IAM policy and the tags the node groups carry.


def test_the_policy_resizes_only_groups_tagged_as_this_clusters() -> None:
    policy = cluster_autoscaler_policy("acme-dev-training")
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    resize = statements["ResizeOwnNodeGroups"]
    assert resize["Action"] == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    assert resize["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/acme-dev-training": "owned"}
    }
    read = statements["DiscoverNodeGroups"]
    assert "Condition" not in read
    assert not set(read["Action"]) & set(CLUSTER_AUTOSCALER_WRITE_ACTIONS)
    assert all(":Describe" in action or ":Get" in action for action in CLUSTER_AUTOSCALER_READ_ACTIONS)
    assert all("*" not in action for statement in policy["Statement"] for action in statement["Action"])
    assert cluster_autoscaler_policy("other")["Statement"][1]["Condition"] != resize["Condition"]
    with pytest.raises(ValueError, match="cluster's name"):
        cluster_autoscaler_policy("")


def test_discovery_and_the_policy_name_the_tags_the_gpu_pools_carry() -> None:
    """nodes.autoscaler_tags writes the tags; the Deployment finds groups by them and the policy scopes by
    them: all three from the same cluster name, so none can drift from the others."""
    cluster = eks_cluster()
    plan = autoscaler()
    (pool,) = cluster.gpu_pools
    written = autoscaler_tags(cluster.resource_name, pool)
    deployment = by_kind(autoscaler_manifests(plan, ROLE_ARN, REGION))["Deployment"]
    (flag,) = [arg for arg in deployment["spec"]["template"]["spec"]["containers"][0]["command"] if "discovery" in arg]
    found_by = flag.removeprefix("--node-group-auto-discovery=asg:tag=").split(",")
    assert found_by == list(discovery_tags(plan.cluster_name))
    assert set(found_by) <= set(written), "auto-discovery looks for tags the pools do not have"
    (condition,) = cluster_autoscaler_policy(plan.cluster_name)["Statement"][1]["Condition"]["StringEquals"].items()
    tag_key = condition[0].removeprefix("aws:ResourceTag/")
    assert written[tag_key] == condition[1], "the policy's tag condition does not match the pools' tag"


# The manifests.


@pytest.mark.parametrize("minor", cluster_autoscaler_minors())
@pytest.mark.parametrize("tier", ["dev", "prod"])
def test_every_manifest_validates_strictly_for_its_clusters_version(minor: str, tier: str) -> None:
    for manifest in autoscaler_manifests(autoscaler(minor, tier), ROLE_ARN, REGION):
        kubernetes_validate.validate(manifest, f"{minor}.0", strict=True)


def test_the_deployment_runs_locked_down_on_the_system_nodes_with_its_region_and_probes() -> None:
    plan = autoscaler()
    kinds = by_kind(autoscaler_manifests(plan, ROLE_ARN, REGION))
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"aistacks.io/pool": "system"}
    assert "tolerations" not in pod, "never on a GPU node it might remove"
    assert pod["priorityClassName"] == "system-cluster-critical"
    assert pod["serviceAccountName"] == kinds["ServiceAccount"]["metadata"]["name"] == "cluster-autoscaler"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    assert container["image"] == plan.image
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["env"] == [{"name": "AWS_REGION", "value": REGION}]
    command = container["command"]
    assert command[0] == "/cluster-autoscaler"
    assert {"--cloud-provider=aws", "--skip-nodes-with-local-storage=false", "--expander=least-waste"} <= set(command)
    assert "--balance-similar-node-groups=true" in command
    (port,) = container["ports"]
    assert f"--address=:{port['containerPort']}" in command
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health-check", "port": port["name"]}
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "600Mi"}


def test_the_service_account_acts_as_the_role_and_the_rbac_binds_it() -> None:
    kinds = by_kind(autoscaler_manifests(autoscaler(), ROLE_ARN, REGION))
    assert kinds["ServiceAccount"]["metadata"]["annotations"] == {IRSA_ANNOTATION: ROLE_ARN}
    assert kinds["ServiceAccount"]["metadata"]["namespace"] == "kube-system"
    for binding, role in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        assert kinds[binding]["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role, "name": NAME}
        assert kinds[binding]["subjects"] == [{"kind": "ServiceAccount", "name": NAME, "namespace": "kube-system"}]
    rules = kinds["ClusterRole"]["rules"]
    assert {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]} in rules
    assert not any(verb == "*" or "*" in rule["resources"] for rule in rules for verb in rule["verbs"])


def test_only_releases_that_always_read_dra_objects_may_read_them() -> None:
    def dra_rules(version: str) -> list[dict[str, Any]]:
        role = by_kind(autoscaler_manifests(autoscaler(version), ROLE_ARN, REGION))["ClusterRole"]
        return [rule for rule in role["rules"] if rule["apiGroups"] == ["resource.k8s.io"]]

    (rule,) = dra_rules("1.35")
    assert rule["resources"] == ["deviceclasses", "resourceslices", "resourceclaims"]
    assert rule["verbs"] == ["watch", "list", "get"]
    assert dra_rules("1.34") == []


@pytest.mark.parametrize(("tier", "budget"), [("dev", False), ("prod", True)])
def test_a_disruption_budget_exactly_when_there_is_a_standby(tier: str, budget: bool) -> None:
    kinds = by_kind(autoscaler_manifests(autoscaler(tier=tier), ROLE_ARN, REGION))
    assert ("PodDisruptionBudget" in kinds) is budget
    spreads = "topologySpreadConstraints" in kinds["Deployment"]["spec"]["template"]["spec"]
    assert spreads is budget
    if budget:
        assert kinds["PodDisruptionBudget"]["spec"] == {
            "maxUnavailable": 1,
            "selector": kinds["Deployment"]["spec"]["selector"],
        }


# The component, in Pulumi's mock runtime.

PROGRAM = """
import pulumi

from aistacks.aws import ClusterAutoscaler, ClusterAutoscalerArgs, EksCluster, EksClusterArgs
from aistacks.plan import plan_platform
from aistacks.plan.autoscaler import plan_cluster_autoscaler
from aistacks.spec import PlatformSpec

pool = {"name": "l4", "gpu": "l4"}
aws = {"region": "eu-central-1", "kubernetes_version": "1.35", "clusters": [{"role": "training", "gpu_pools": [pool]}]}
spec = PlatformSpec.model_validate({"name": "acme", "environment": "prod", "jurisdiction": "eu", "aws": aws})
(cluster,) = plan_platform(spec).clouds["aws"].clusters
plan = plan_cluster_autoscaler(cluster, "prod")
key = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
eks = EksCluster(
    cluster.resource_name,
    EksClusterArgs(kubernetes_version="1.35", subnet_ids=["subnet-0a", "subnet-0b"], kms_key_arn=key, protect=False),
)
ClusterAutoscaler(
    plan.resource_name, ClusterAutoscalerArgs.from_plan(plan, eks), opts=pulumi.ResourceOptions(parent=eks)
)
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    program = tmp_path_factory.mktemp("autoscaler")
    (program / "Pulumi.yaml").write_text("name: autoscaler\nruntime: python\n", encoding="utf-8")
    (program / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    stack = program / "Pulumi.test.yaml"
    stack.write_text(f"config:\n  aws:region: {REGION}\n", encoding="utf-8")
    return run_stack_file(load_project(Path(program)), stack)


def test_the_component_creates_its_role_policy_and_objects_on_the_clusters_provider(graph: ResourceGraph) -> None:
    (component,) = graph.of_type("aistacks:aws:ClusterAutoscaler")
    (cluster,) = graph.of_type("aistacks:aws:EksCluster")
    assert component.parent == cluster.urn
    roles = {r.name: r for r in graph.of_type("aws:iam/role:Role")}
    role = roles[component.name]
    trust = json.loads(display_value(role.inputs)["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    (subject,) = [value for key, value in statement["Condition"]["StringEquals"].items() if key.endswith(":sub")]
    assert subject == "system:serviceaccount:kube-system:cluster-autoscaler"
    (policy,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == component.urn]
    assert json.loads(display_value(policy.inputs)["policy"]) == cluster_autoscaler_policy(cluster.name)

    (provider,) = [p for p in graph.of_type("pulumi:providers:kubernetes") if p.parent == cluster.urn]
    objects = {r.type: r for r in graph.resources if r.parent == component.urn and r.type.startswith("kubernetes:")}
    assert set(objects) == {
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:policy/v1:PodDisruptionBudget",
    }
    assert all(r.provider == provider.urn for r in objects.values())
    account = display_value(objects["kubernetes:core/v1:ServiceAccount"].inputs)
    assert account["metadata"]["annotations"][IRSA_ANNOTATION].startswith("arn:aws:iam::")
    deployment = objects["kubernetes:apps/v1:Deployment"]
    assert policy.urn in deployment.depends_on, "pods start before the role may resize anything"
    assert objects["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"].urn in deployment.depends_on
    pod = display_value(deployment.inputs)["spec"]["template"]["spec"]
    (env,) = pod["containers"][0]["env"]
    assert env == {"name": "AWS_REGION", "value": REGION}, "the region of the cluster's provider"
    (system,) = [g for g in graph.of_type("aws:eks/nodeGroup:NodeGroup") if g.name.endswith("-system")]
    assert pod["nodeSelector"] == display_value(system.inputs)["labels"], "not the system nodes' label"
