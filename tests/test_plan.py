"""The pure plan, unit by unit: what roles, tiers and clouds decide, and the AWS and GCP facts it applies.
Its invariants over any valid config are :mod:`tests.test_plan_invariants`'s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aistacks.aws.documents import irsa_trust_policy, key_policy
from aistacks.aws.nodes import autoscaler_tags
from aistacks.catalog import AMI_TYPES, UnsupportedNodeImage, accelerator_types, ami_type, needs_device_plugin
from aistacks.config import parse_platform_spec
from aistacks.engine import load_project, run_stack_file
from aistacks.engine.graph import display_value
from aistacks.plan import AwsPlan, GcpPlan, PlatformPlan, plan_platform
from aistacks.plan.aws import DEVICE_PLUGIN_LABEL
from aistacks.plan.gcp import GcpNetworkPlan

from .conftest import REPO
from .test_plan_invariants import names_of


def planned(environment: str = "prod", **clouds: Any) -> PlatformPlan:
    return plan_platform(parse_platform_spec({"environment": environment, "jurisdiction": "eu", **clouds}))


def aws_plan(plan: PlatformPlan) -> AwsPlan:
    aws = plan.clouds["aws"]
    assert isinstance(aws, AwsPlan)
    return aws


def gcp_plan(plan: PlatformPlan) -> GcpPlan:
    gcp = plan.clouds["gcp"]
    assert isinstance(gcp, GcpPlan)
    return gcp


CI_EGRESS = ["203.0.113.0/24"]
"""The networks a restricted EKS API (the default outside dev) admits here: a documentation range (RFC 5737)."""


def eks(region: str, *clusters: dict[str, Any]) -> dict[str, Any]:
    return {"aws": {"region": region, "kubernetes_version": "1.35", "clusters": list(clusters)}}


def test_roles_decide_scale_to_zero_and_capacity() -> None:
    pool = {"name": "gpu", "gpu": "a10g"}
    plan = aws_plan(
        planned(
            "prod",
            **eks(
                "eu-west-1",
                {"role": "training", "gpu_pools": [pool], "api_access_cidrs": CI_EGRESS},
                {"role": "inference", "gpu_pools": [pool], "api_access_cidrs": CI_EGRESS},
            ),
        )
    )
    training, inference = plan.clusters
    assert (training.gpu_pools[0].min_nodes, training.gpu_pools[0].capacity) == (0, "spot")
    assert (inference.gpu_pools[0].min_nodes, inference.gpu_pools[0].capacity) == (1, "on_demand")
    assert training.gpu_pools[0].accelerator.name == "g5.xlarge"
    assert training.api_endpoint == "restricted", "prod's EKS API admits only the listed networks"
    assert training.api_access_cidrs == tuple(CI_EGRESS)
    assert training.deletion_protection


def test_ami_types_follow_vendor_architecture_and_image() -> None:
    types = accelerator_types("aws")
    assert ami_type(types["p5.48xlarge"], "al2023") == "AL2023_x86_64_NVIDIA"
    assert ami_type(types["p5.48xlarge"], "bottlerocket") == "BOTTLEROCKET_x86_64_NVIDIA"
    assert ami_type(types["inf2.xlarge"], "al2023") == "AL2023_x86_64_NEURON"
    with pytest.raises(UnsupportedNodeImage, match="al2023"):
        ami_type(types["trn1.2xlarge"], "bottlerocket")
    assert needs_device_plugin("AL2023_x86_64_NVIDIA")
    assert not needs_device_plugin("BOTTLEROCKET_x86_64_NVIDIA")
    assert not needs_device_plugin("AL2023_x86_64_NEURON")
    assert set(AMI_TYPES.values()) >= {"AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA", "AL2023_x86_64_NEURON"}


@pytest.mark.parametrize(("image", "plugin"), [("al2023", True), ("bottlerocket", False)])
def test_the_device_plugin_runs_where_the_image_lacks_it(image: str, plugin: bool) -> None:
    pool = {"name": "l4", "gpu": "l4", "image": image}
    (cluster,) = aws_plan(planned("dev", **eks("eu-central-1", {"role": "training", "gpu_pools": [pool]}))).clusters
    assert cluster.device_plugin is plugin
    assert (DEVICE_PLUGIN_LABEL in cluster.gpu_pools[0].labels) is plugin


def test_autoscaler_tags_describe_a_node_that_does_not_exist_yet() -> None:
    pool = {"name": "a100", "gpu": "a100-40gb", "gpus_per_node": 8}
    training = {"role": "training", "gpu_pools": [pool], "api_access_cidrs": CI_EGRESS}
    (cluster,) = aws_plan(planned("prod", **eks("eu-central-1", training))).clusters
    tags = autoscaler_tags("aistacks-prod-training", cluster.gpu_pools[0])
    assert tags["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert tags["k8s.io/cluster-autoscaler/aistacks-prod-training"] == "owned"
    assert tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"] == "8"
    assert tags["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert tags["k8s.io/cluster-autoscaler/node-template/label/aistacks.io/pool"] == "a100"


def test_gke_pools_take_gkes_own_taint_and_the_zones_that_offer_the_accelerator() -> None:
    gke = {"project": "acme-ai-prod", "region": "europe-west4", "kubernetes_version": "1.35"}
    gke["clusters"] = [{"role": "training", "gpu_pools": [{"name": "h100", "gpu": "h100", "gpus_per_node": 8}]}]
    (cluster,) = gcp_plan(planned("prod", gcp=gke)).clusters
    (pool,) = cluster.gpu_pools
    assert (pool.taint.key, pool.taint.value, pool.taint.api_effect) == ("nvidia.com/gpu", "present", "NO_SCHEDULE")
    assert pool.zones == tuple(accelerator_types("gcp")["a3-highgpu-8g"].zones_in("europe-west4"))
    assert pool.accelerator_type == "nvidia-h100-80gb"
    assert cluster.release_channel == "STABLE", "prod's channel"
    network = gcp_plan(planned("prod", gcp=gke)).network
    assert isinstance(network, GcpNetworkPlan)
    assert cluster.master_authorized_cidr == str(network.ranges.primary)
    (ranges,) = network.ranges.clusters
    assert (cluster.pods_range, cluster.services_range) == (ranges.pods_name, ranges.services_name)
    assert cluster.api_endpoint == "dns", "GKE's IAM-gated DNS endpoint, in every tier"


@pytest.mark.parametrize(("environment", "channel"), [("dev", "REGULAR"), ("staging", "REGULAR"), ("prod", "STABLE")])
def test_the_tier_picks_the_gke_release_channel(environment: str, channel: str) -> None:
    gke = {
        "project": "acme-ai-dev",
        "region": "europe-west4",
        "kubernetes_version": "1.35",
        "clusters": [{"role": "training"}],
    }
    (cluster,) = gcp_plan(planned(environment, gcp=gke)).clusters
    assert cluster.release_channel == channel


def test_node_service_account_ids_fit_iam() -> None:
    # A cluster name within GKE's 40 characters, past IAM's 30 for the nodes' account, with the cut
    # falling on a hyphen.
    gke = {"project": "acme-ai-dev", "region": "europe-west4", "kubernetes_version": "1.35"}
    gke["clusters"] = [{"role": "training", "name": "a-xyz"}]
    plan = plan_platform(
        parse_platform_spec({"name": "platform-with-a-lon", "environment": "staging", "jurisdiction": "eu", "gcp": gke})
    )
    (cluster,) = gcp_plan(plan).clusters
    assert cluster.resource_name == "platform-with-a-lon-staging-a-xyz"
    assert cluster.node_service_account_id == "platform-with-a-lon-staging-a"
    assert len(cluster.node_service_account_id) <= 30 and not cluster.node_service_account_id.endswith("-")


def test_irsa_trust_is_bound_to_one_service_account() -> None:
    policy = irsa_trust_policy(
        "arn:aws:iam::1:oidc-provider/oidc.eks.x/id/AB", "https://oidc.eks.x/id/AB", "kube-system:aws-node"
    )
    (statement,) = policy["Statement"]  # type: ignore[misc]
    assert statement["Condition"]["StringEquals"] == {
        "oidc.eks.x/id/AB:sub": "system:serviceaccount:kube-system:aws-node",
        "oidc.eks.x/id/AB:aud": "sts.amazonaws.com",
    }


def test_the_key_admits_auto_scaling_for_encrypted_node_volumes() -> None:
    statements = {s["Sid"]: s for s in key_policy("111122223333", "aws", "eu-west-1", ("autoscaling",))["Statement"]}
    grant = statements["AutoScalingGrantsForNodeVolumes"]
    assert grant["Principal"]["AWS"].endswith(
        ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


PHYSICAL = ("resource_name", "group_name", "name_stem", "pods_name", "services_name", "service_account_id", "key_alias")
"""Plan fields that hold the name of something built (others are keys in the config, such as a bucket's short name)."""
RENAMED = REPO / "tests" / "programs" / "renamed_plan"


def test_what_gets_built_follows_the_names_in_the_plan(tmp_path: Path) -> None:
    """Staging's plan with a suffix after every physical name (tests/programs/renamed_plan): every name
    appears in the graph renamed, and no resource keeps a planned name the builders made up again."""
    source = REPO / "stacks" / "Pulumi.staging.yaml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    stack_file = tmp_path / "Pulumi.staging.yaml"
    stack_file.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    planned = plan_platform(parse_platform_spec(raw["config"]["aistacks:platform"]))
    physical = {path: name for path, name in names_of(planned).items() if path.endswith(PHYSICAL)}
    assert len(physical) >= 30
    graph = run_stack_file(load_project(RENAMED), stack_file)
    names = {record.name for record in graph.resources}
    held = names | {text for record in graph.resources for text in _strings(display_value(record.inputs))}
    missing = {
        path: name
        for path, name in physical.items()
        if not any(h.startswith(name + ("-g" if path.endswith("group_name") else "-r")) for h in held)
    }
    assert not missing, f"the plan's name did not reach the graph: {missing}"
    kept = {path: name for path, name in physical.items() if path.endswith("resource_name") and name in names}
    assert not kept, f"built under a name the plan no longer holds: {kept}"
