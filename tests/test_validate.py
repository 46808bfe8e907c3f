"""The semantic rules (aistacks.validate) beyond the config's shape: pools that could never run, address
blocks too small for what is cut from them, and the components' own refusals of what would break a
deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine import load_project, run_stack_file
from aistacks.platform import AiPlatform
from aistacks.spec import ClusterSpec, GpuPoolSpec
from aistacks.validate import compute_issues

ROOT = "aistacks:platform"


def issues(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw)
    return {issue.path: issue.message for issue in caught.value.issues}


@pytest.mark.parametrize(
    ("cloud", "region", "pool", "path", "message"),
    [
        ("aws", "eu-central-1", {"name": "neuron", "gpu": "inferentia2"}, "gpu", "Neuron pools are not supported yet"),
        (
            "gcp",
            "europe-west4",
            {"name": "h100", "gpu": "h100", "gpus_per_node": 4, "capacity": "on_demand"},
            "capacity",
            "cannot be had on demand",
        ),
        (
            "gcp",
            "europe-west4",
            {"name": "h100", "gpu": "h100", "gpus_per_node": 4},
            "capacity",
            "cannot be had on demand",
        ),
    ],
)
def test_pools_that_could_never_run_are_config_errors(
    cloud: str, region: str, pool: dict[str, Any], path: str, message: str
) -> None:
    clusters = [ClusterSpec(role="inference", gpu_pools=(GpuPoolSpec(**pool),))]
    issues = compute_issues(cloud, region, "1.35", clusters, "x")  # type: ignore[arg-type]
    assert [issue.path for issue in issues if message in issue.message] == [f"x.clusters[0].gpu_pools[0].{path}"]


def test_a_spot_only_type_for_training_is_no_error() -> None:
    clusters = [ClusterSpec(role="training", gpu_pools=(GpuPoolSpec(name="h100", gpu="h100", gpus_per_node=4),))]
    assert compute_issues("gcp", "europe-west4", "1.35", clusters, "x") == []


def test_an_accelerator_without_an_eks_image_is_named_at_the_image() -> None:
    pool = GpuPoolSpec(name="trn", gpu="trainium1", image="bottlerocket")
    found = compute_issues("aws", "us-east-1", "1.35", [ClusterSpec(role="training", gpu_pools=(pool,))], "x")
    assert [issue.path for issue in found if "has no bottlerocket EKS image" in issue.message] == [
        "x.clusters[0].gpu_pools[0].image"
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"region": "eu-west-1", "cidr": "10.0.0.0/24"}, "not in the allowed form: IPv4 CIDR (/16 or /17)"),
        (
            {"region": "eu-west-1", "cidr": "10.0.0.0/17", "zones": 4},
            "a /17 holds the subnets (a private /19 and a public /24 per zone) of at most 3 zones, not 4; "
            "with 4 zones use a /16",
        ),
        ({"region": "eu-west-1", "cidr": "10.0.0.5/16"}, "10.0.0.5/16 has host bits set; the network is 10.0.0.0/16"),
    ],
)
def test_an_aws_block_too_small_for_its_subnets_is_a_config_error(settings: dict[str, Any], message: str) -> None:
    found = issues({"environment": "dev", "jurisdiction": "eu", "aws": settings})
    assert message in found[f"{ROOT}.aws.cidr"]


def test_a_gcp_block_without_room_for_every_cluster_is_a_config_error() -> None:
    clusters = [{"role": "training", "name": f"c{index}x"} for index in range(16)]
    gcp = {"project": "acme-ai-dev", "region": "europe-west4", "kubernetes_version": "1.35", "clusters": clusters}
    assert (
        "at most 15 cluster(s), not 16; 16 clusters need a /11 or larger"
        in issues({"environment": "dev", "jurisdiction": "eu", "gcp": gcp})[f"{ROOT}.gcp.cidr"]
    )
    gcp["clusters"] = clusters[:15]
    parse_platform_spec({"environment": "dev", "jurisdiction": "eu", "gcp": gcp})


def test_ai_platform_says_what_it_takes() -> None:
    spec = parse_platform_spec({"environment": "dev", "jurisdiction": "eu", "aws": {"region": "eu-west-1"}})
    with pytest.raises(TypeError, match="plan_platform"):
        AiPlatform("aistacks", spec)  # type: ignore[arg-type]


CLASH = """
import pulumi
from aistacks.aws import EksCluster, EksClusterArgs

cluster = EksCluster("eks", EksClusterArgs(kubernetes_version="1.35", subnet_ids=["subnet-1"], kms_key_arn="arn"))
first = cluster.workload_identity("team-a", "reader")
assert cluster.workload_identity("team-a", "reader") is first  # asked again: the same identity
cluster.workload_identity("team-b", "reader")
"""


def test_one_service_account_name_binds_one_namespace_per_eks_cluster(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: clash\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    program = tmp_path / "__main__.py"
    program.write_text(CLASH.replace('cluster.workload_identity("team-b", "reader")', ""), encoding="utf-8")
    project = load_project(tmp_path)
    roles = run_stack_file(project, project.stack_file("test")).of_type("aws:iam/role:Role")
    assert [role.name for role in roles].count("eks-reader") == 1
    program.write_text(CLASH, encoding="utf-8")
    with pytest.raises(ValueError, match="already has a workload identity in namespace 'team-a'"):
        run_stack_file(project, project.stack_file("test"))
