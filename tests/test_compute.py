"""Clusters and GPU pools: planning, the resource graph of every stack, manifests, and the gate."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from aistacks.aws.eks import CONTROL_PLANE_LOG_TYPES
from aistacks.catalog import accelerator_types
from aistacks.cli import main
from aistacks.engine import ResourceGraph, ResourceRecord, load_project, run_stack_file
from aistacks.engine.graph import UNKNOWN_DISPLAY, display_value
from aistacks.engine.stackfile import load_stack_file, runtime_config
from aistacks.gate import evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

from .conftest import REPO
from .k8s_validation import validate_strictly

Plan = Callable[[str, bool], ResourceGraph]
KUBERNETES_VERSION = "1.35.0"


def inputs(record: ResourceRecord) -> dict[str, Any]:
    return display_value(record.inputs)


# --- the stacks' graphs -----------------------------------------------------------------------------


def clusters(graph: ResourceGraph) -> dict[str, ResourceRecord]:
    return {inputs(r)["tags"]["aistacks.io/role"]: r for r in graph.of_type("aws:eks/cluster:Cluster")}


def node_groups_of(graph: ResourceGraph, cluster: ResourceRecord) -> list[dict[str, Any]]:
    return [
        inputs(r)
        for r in graph.of_type("aws:eks/nodeGroup:NodeGroup")
        if cluster.urn in r.property_dependencies["clusterName"]
    ]


def stack_clusters(env: str, cloud: str) -> dict[str, dict[str, Any]]:
    """The clusters a shipped stack file configures on ``cloud``, by role."""
    stack = yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))
    return {cluster["role"]: cluster for cluster in stack["config"]["aistacks:platform"][cloud]["clusters"]}


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("env", ["staging", "prod"])
def test_separate_training_and_inference_clusters_each_with_system_and_gpu_pools(
    plan: Plan, env: str, preview: bool
) -> None:
    graph = plan(env, preview)
    by_role = clusters(graph)
    assert set(by_role) == {"training", "inference"}
    configured = stack_clusters(env, "aws")
    for role, cluster in by_role.items():
        props = inputs(cluster)
        assert props["version"] == "1.35"
        # restricted, the default outside dev: a public endpoint that admits only the listed networks.
        assert "api_endpoint" not in configured[role]
        assert props["vpcConfig"]["endpointPublicAccess"] is True
        assert props["vpcConfig"]["publicAccessCidrs"] == configured[role]["api_access_cidrs"]
        assert "0.0.0.0/0" not in props["vpcConfig"]["publicAccessCidrs"]
        assert props["vpcConfig"]["endpointPrivateAccess"] is True
        assert props["encryptionConfig"]["resources"] == ["secrets"]
        key = props["encryptionConfig"]["provider"]["keyArn"]
        assert key == UNKNOWN_DISPLAY if preview else ":key/" in key
        assert props["enabledClusterLogTypes"] == list(CONTROL_PLANE_LOG_TYPES)
        assert props["accessConfig"]["authenticationMode"] == "API"
        assert props["deletionProtection"] is (env == "prod")
        assert cluster.protect
        groups = node_groups_of(graph, cluster)
        system = [g for g in groups if g["amiType"] == "AL2023_x86_64_STANDARD"]
        gpu = [g for g in groups if g["amiType"] != "AL2023_x86_64_STANDARD"]
        assert len(system) == 1
        assert system[0]["capacityType"] == "ON_DEMAND"
        assert gpu, f"{env} {role} has a GPU pool"
        for group in gpu:
            assert group["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
            assert group["labels"]["aistacks.io/accelerator"]
            assert group["capacityType"] == ("SPOT" if role == "training" else "ON_DEMAND")
            if role == "training":
                assert group["scalingConfig"]["minSize"] == 0
            else:
                assert group["scalingConfig"]["minSize"] >= 1


def test_dev_gpu_pool_scales_to_zero_and_its_endpoint_is_public(plan: Plan) -> None:
    graph = plan("dev", False)
    (cluster,) = graph.of_type("aws:eks/cluster:Cluster")
    assert inputs(cluster)["vpcConfig"]["endpointPublicAccess"] is True
    assert "publicAccessCidrs" not in inputs(cluster)["vpcConfig"], "dev's default: public to anyone"
    (gpu,) = [g for g in node_groups_of(graph, cluster) if g["amiType"] == "AL2023_x86_64_NVIDIA"]
    assert gpu["instanceTypes"] == ["g5.xlarge"]
    assert gpu["scalingConfig"]["minSize"] == 0


@pytest.mark.parametrize("preview", [False, True])
def test_node_volumes_are_encrypted_and_imds_is_v2_only(plan: Plan, preview: bool) -> None:
    graph = plan("prod", preview)
    templates = graph.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 4, "a system and a GPU template per cluster"
    for template in templates:
        props = inputs(template)
        for mapping in props["blockDeviceMappings"]:
            assert mapping["ebs"]["encrypted"] == "true"
            assert mapping["ebs"]["kmsKeyId"] == UNKNOWN_DISPLAY if preview else ":key/" in mapping["ebs"]["kmsKeyId"]
        assert props["metadataOptions"]["httpTokens"] == "required"
        assert props["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_autoscaler_tags_are_on_the_auto_scaling_groups(plan: Plan) -> None:
    graph = plan("prod", False)
    tags = {
        (inputs(r)["autoscalingGroupName"], inputs(r)["tag"]["key"]): inputs(r)["tag"]
        for r in graph.of_type("aws:autoscaling/tag:Tag")
    }
    gpu_resources = [tag for (_, key), tag in tags.items() if key.endswith("/resources/nvidia.com/gpu")]
    assert sorted(tag["value"] for tag in gpu_resources) == ["1", "8"]
    assert all(tag["propagateAtLaunch"] is False for tag in tags.values())


def test_addons_include_the_ebs_csi_driver_with_its_own_role(plan: Plan) -> None:
    graph = plan("prod", False)
    addons = {inputs(r)["addonName"]: inputs(r) for r in graph.of_type("aws:eks/addon:Addon")}
    assert {"vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"} <= set(addons)
    assert ":role/" in addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"]
    assert ":role/" in addons["vpc-cni"]["serviceAccountRoleArn"]


def test_access_entries_for_admin_roles(plan: Plan) -> None:
    entries = [inputs(r) for r in plan("prod", False).of_type("aws:eks/accessEntry:AccessEntry")]
    assert [e["principalArn"] for e in entries] == ["arn:aws:iam::210987654321:role/platform-admin"] * 2


# --- Kubernetes manifests ---------------------------------------------------------------------------


def manifests(graph: ResourceGraph) -> list[dict[str, Any]]:
    """Every Kubernetes object of the plan as the manifest the provider applies."""
    found = []
    for record in graph.resources:
        # A Helm release is a chart to install, not an object (AIS-NET-005 reviews its chart).
        if (
            record.type.startswith("kubernetes:")
            and record.custom
            and not record.type.startswith("kubernetes:helm.sh/")
        ):
            props = display_value(record.inputs, secret_shape=True)
            group_version, kind = record.type.removeprefix("kubernetes:").rsplit(":", 1)
            api_version = props.get("apiVersion") or group_version.removeprefix("core/")
            found.append({**props, "apiVersion": api_version, "kind": props.get("kind") or kind})
    return found


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_manifest_validates_strictly_for_the_cluster_version(plan: Plan, env: str) -> None:
    found = manifests(plan(env, False))
    kinds = {m["kind"] for m in found}
    assert kinds == {
        "DaemonSet", "StorageClass", "Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy",
        "ServiceAccount", "ConfigMap", "Secret", "Service", "StatefulSet", "PodDisruptionBudget", "CronJob",
        # The Cluster Autoscaler on every EKS cluster.
        "Deployment", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
        # Served models scale on their queue (KEDA); prod also serves one on GKE (Managed Prometheus).
        *(["ScaledObject", "TriggerAuthentication"] if env != "dev" else []),
        *(["PodMonitoring"] if env == "prod" else []),
    }  # fmt: skip
    for manifest in found:
        validate_strictly(manifest, KUBERNETES_VERSION)


def test_the_default_storage_classes_name_the_stack_keys(plan: Plan) -> None:
    every_class = [m for m in manifests(plan("prod", False)) if m["kind"] == "StorageClass"]
    classes = [c for c in every_class if not c["metadata"]["name"].endswith("-scratch")]
    scratch = [c for c in every_class if c["metadata"]["name"].endswith("-scratch")]
    assert len(classes) == len(scratch) == 4, "a default and a scratch class per cluster, two clusters per cloud"
    for storage_class in classes:
        assert storage_class["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
        assert storage_class["reclaimPolicy"] == "Retain", "data volumes outlive their claims"
    for storage_class in scratch:
        assert "annotations" not in storage_class["metadata"] and storage_class["reclaimPolicy"] == "Delete"
        twins = [c for c in classes if storage_class["metadata"]["name"] == c["metadata"]["name"] + "-scratch"]
        assert storage_class["parameters"] in [twin["parameters"] for twin in twins], "the same key as its twin"
    classes = every_class
    ebs = [c["parameters"] for c in classes if c["provisioner"] == "ebs.csi.aws.com"]
    pd = [c["parameters"] for c in classes if c["provisioner"] == "pd.csi.storage.gke.io"]
    assert all(p["encrypted"] == "true" and ":key/" in p["kmsKeyId"] for p in ebs)
    assert all("/cryptoKeys/" in p["disk-encryption-kms-key"] for p in pd)
    assert (len(ebs), len(pd)) == (4, 4), "two classes on each of two clusters per cloud"


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("env", ["staging", "prod"])
def test_gke_training_and_inference_clusters(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    by_role = {inputs(r)["resourceLabels"]["aistacks-role"]: r for r in graph.of_type("gcp:container/cluster:Cluster")}
    assert set(by_role) == {"training", "inference"}
    for role, cluster in by_role.items():
        props = inputs(cluster)
        assert props["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
        assert props["workloadIdentityConfig"]["workloadPool"].endswith(".svc.id.goog")
        assert props["databaseEncryption"]["state"] == "ENCRYPTED"
        key = props["databaseEncryption"]["keyName"]
        assert key == UNKNOWN_DISPLAY if preview else "/cryptoKeys/" in key
        assert props["enableShieldedNodes"] is True
        assert props["removeDefaultNodePool"] is True
        assert "APISERVER" in props["loggingConfig"]["enableComponents"]
        assert props["deletionProtection"] is (env == "prod")
        pools = [
            inputs(r)
            for r in graph.of_type("gcp:container/nodePool:NodePool")
            if cluster.urn in r.property_dependencies["cluster"]
        ]
        gpu = [p for p in pools if "guestAccelerators" in p["nodeConfig"]]
        assert len(pools) - len(gpu) == 1, "one system pool"
        assert gpu
        for pool in pools:
            config = pool["nodeConfig"]
            assert config["workloadMetadataConfig"]["mode"] == "GKE_METADATA"
            assert config["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
            assert (
                config["bootDiskKmsKey"] == UNKNOWN_DISPLAY if preview else "/cryptoKeys/" in config["bootDiskKmsKey"]
            )
        for pool in gpu:
            (accelerator,) = pool["nodeConfig"]["guestAccelerators"]
            assert accelerator["gpuDriverInstallationConfig"]["gpuDriverVersion"] == "LATEST"
            assert pool["nodeConfig"]["spot"] is (role == "training")
            assert pool["nodeLocations"]
            assert all(zone.startswith("europe-west4-") for zone in pool["nodeLocations"])
            if role == "training":
                assert pool["autoscaling"]["totalMinNodeCount"] == 0


def test_gke_h100_pool_only_in_zones_that_offer_it(plan: Plan) -> None:
    graph = plan("prod", False)
    (h100,) = [
        inputs(r)
        for r in graph.of_type("gcp:container/nodePool:NodePool")
        if inputs(r)["nodeConfig"]["machineType"] == "a3-highgpu-8g"
    ]
    expected = accelerator_types("gcp")["a3-highgpu-8g"].zones_in("europe-west4")
    assert h100["nodeLocations"] == expected
    assert h100["nodeConfig"]["guestAccelerators"][0] == {
        "type": "nvidia-h100-80gb", "count": 8, "gpuDriverInstallationConfig": {"gpuDriverVersion": "LATEST"}
    }  # fmt: skip


def test_workload_namespaces_cap_gpus_at_what_the_pools_can_hold(plan: Plan) -> None:
    quotas = {
        (m["metadata"]["namespace"], m["spec"]["hard"]["requests.nvidia.com/gpu"])
        for m in manifests(plan("prod", False))
        if m["kind"] == "ResourceQuota"
    }
    # AWS: training 4 x p4d (8 GPUs), inference 8 x g6e (1); GCP: training 4 x a3 (8), inference 8 x g2 (1).
    # The model servers' namespace of the AWS inference cluster shares its cap.
    assert quotas == {("training", "32"), ("inference", "8"), ("vector", "0"), ("serving", "8")}


def test_validation_would_catch_a_broken_manifest() -> None:
    from aistacks.k8s import nvidia_device_plugin

    broken = nvidia_device_plugin("x")
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


# --- config errors and the gate ---------------------------------------------------------------------


def stack_with_cluster(tmp_path: Path, cluster: dict[str, Any], environment: str = "prod", **aws: Any) -> Path:
    """A stack file with one EKS cluster and the ``aws`` settings ``aws``."""
    stack = tmp_path / f"Pulumi.{environment}.yaml"
    config = {
        "config": {
            "pulumi:disable-default-providers": ["*"],
            "aistacks:platform": {
                "environment": environment,
                "jurisdiction": "eu",
                "aws": {"region": "eu-central-1", "kubernetes_version": "1.35", "clusters": [cluster], **aws},
            },
        }
    }
    stack.write_text(json.dumps(config), encoding="utf-8")
    return stack


@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        ({"name": "gpu", "gpu": "h900"}, "AWS has no accelerator 'h900'; known: "),
        ({"name": "gpu", "gpu": "h100", "gpus_per_node": 8}, "8 x h100 is offered in: "),
    ],
)
def test_an_unknown_or_unoffered_gpu_exits_2_naming_the_alternatives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pool: dict[str, Any], expected: str
) -> None:
    cluster = {"role": "training", "gpu_pools": [pool], "api_access_cidrs": ["203.0.113.0/24"]}
    stack = stack_with_cluster(tmp_path, cluster)
    assert main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "aistacks:platform.aws.clusters[0].gpu_pools[0].gpu" in err
    assert expected in err
    assert "eu-central-1 offers: " in err


def test_a_public_eks_endpoint_in_prod_fails_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = stack_with_cluster(tmp_path, {"role": "inference", "api_endpoint": "public"})
    code = main(
        [
            "gate",
            "--stack-file",
            str(stack),
            "--project-dir",
            str(REPO),
            "--format",
            "json",
            "--policy-config",
            str(REPO / "policies" / "config" / "prod.json"),
        ]
    )
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    failing = {(f["ruleId"], f["path"]) for f in report["findings"] if f["level"] == "mandatory"}
    assert failing == {("AIS-NET-001", "vpcConfig.endpointPublicAccess")}


def test_an_unencrypted_node_volume_fails_the_gate() -> None:
    project = load_project(REPO / "tests" / "programs" / "unencrypted")
    stack_file = project.stack_file("test")
    graph = run_stack_file(project, stack_file)
    config = resolve_policy_config(
        json.loads((REPO / "policies" / "config" / "prod.json").read_text()), POLICIES, "prod"
    )
    result = evaluate(
        graph, POLICIES, config, runtime_config(load_stack_file(stack_file, project.name)), today=dt.date(2026, 11, 27)
    )
    assert not result.passed
    failing = {(r.finding.rule_id, r.finding.path) for r in result.results if r.blocking}
    assert ("AIS-ENC-001", "blockDeviceMappings[0].ebs.encrypted") in failing
    assert ("AIS-ENC-001", "blockDeviceMappings[0].ebs.kmsKeyId") in failing


@pytest.mark.parametrize(("env", "created"), [("dev", False), ("prod", True)])
def test_the_key_waits_for_the_autoscaling_role_it_names_when_the_stack_creates_it(
    plan: Plan, env: str, created: bool
) -> None:
    graph = plan(env, False)
    roles = graph.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert len(roles) == int(created)
    (key,) = graph.of_type("aws:kms/key:Key")
    assert "AWSServiceRoleForAutoScaling" in inputs(key)["policy"]
    if created:
        assert roles[0].urn in key.property_dependencies["policy"]


BROUGHT_VPC = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "private_subnet_ids": ["subnet-0a1b2c3d", "subnet-1b2c3d4e", "subnet-2c3d4e5f"],
}


def test_api_access_networks_reach_the_private_endpoint(tmp_path: Path) -> None:
    cluster = {"role": "inference", "api_endpoint": "private", "api_access_cidrs": ["10.200.0.0/24"]}
    graph = run_stack_file(load_project(REPO), stack_with_cluster(tmp_path, cluster, existing_vpc=BROUGHT_VPC))
    (eks,) = graph.of_type("aws:eks/cluster:Cluster")
    assert inputs(eks)["vpcConfig"]["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in inputs(eks)["vpcConfig"]
    assert inputs(eks)["vpcConfig"]["subnetIds"] == BROUGHT_VPC["private_subnet_ids"]
    rules = [inputs(r) for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    assert [(r["cidrIpv4"], r["fromPort"], r["toPort"]) for r in rules] == [("10.200.0.0/24", 443, 443)]
    assert all(r["securityGroupId"].startswith("sg-") for r in rules), "on the cluster security group EKS made"


def test_a_brought_vpc_is_used_and_never_created(tmp_path: Path) -> None:
    cluster = {"role": "inference", "api_access_cidrs": ["198.51.100.0/24"]}
    graph = run_stack_file(load_project(REPO), stack_with_cluster(tmp_path, cluster, existing_vpc=BROUGHT_VPC))
    for created in ("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"):
        assert not graph.of_type(created), f"{created}: the brought VPC is referred to, never changed"
    for group in graph.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert inputs(group)["subnetIds"] == BROUGHT_VPC["private_subnet_ids"]


# --- the vector database ----------------------------------------------------------------------------


def vector_objects(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {
        f"{m['kind']}/{m['metadata']['name']}": m
        for m in manifests(graph)
        if "vector" in (m["metadata"].get("namespace"), m["metadata"]["name"])
    }


@pytest.mark.parametrize("preview", [False, True])
def test_prod_vector_database_is_replicated_private_encrypted_and_keyed(plan: Plan, preview: bool) -> None:
    graph = plan("prod", preview)
    objects = vector_objects(graph)
    statefulset = objects["StatefulSet/qdrant"]["spec"]
    assert statefulset["replicas"] >= 3
    (claim,) = statefulset["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "encrypted-gp3"
    assert claim["spec"]["resources"]["requests"]["storage"] == "200Gi"
    anti = statefulset["template"]["spec"]["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert anti[0]["topologyKey"] == "topology.kubernetes.io/zone"
    (container,) = statefulset["template"]["spec"]["containers"]
    api_key = next(e for e in container["env"] if e["name"] == "QDRANT__SERVICE__API_KEY")
    assert api_key["valueFrom"]["secretKeyRef"]["name"] == "qdrant-api-key", "the key comes from a Secret"
    string_data = objects["Secret/qdrant-api-key"]["stringData"]
    assert (string_data if preview else string_data["api-key"]) == "[secret]", "generated, never a literal"
    secret = next(r for r in graph.of_type("kubernetes:core/v1:Secret"))
    assert inputs(secret)["stringData"] in ("[secret]", "[unknown]"), "the engine holds it as a secret"
    assert objects["Service/qdrant"]["spec"]["type"] == "ClusterIP"
    assert objects["PodDisruptionBudget/qdrant"]["spec"]["maxUnavailable"] == 1
    admitted = objects["NetworkPolicy/allow-ingress-from-inference"]["spec"]["ingress"][0]["from"]
    assert admitted == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "inference"}}}]
    storage_classes = [
        m for m in manifests(graph) if m["kind"] == "StorageClass" and m["metadata"]["name"] == "encrypted-gp3"
    ]
    assert all(m["parameters"]["encrypted"] == "true" and m["parameters"]["kmsKeyId"] for m in storage_classes)


def test_dev_runs_one_replica_on_its_single_cluster(plan: Plan) -> None:
    objects = vector_objects(plan("dev", False))
    assert objects["StatefulSet/qdrant"]["spec"]["replicas"] == 1
    assert "affinity" not in objects["StatefulSet/qdrant"]["spec"]["template"]["spec"]
    admitted = objects["NetworkPolicy/allow-ingress-from-training"]["spec"]["ingress"][0]["from"]
    assert admitted == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "training"}}}]


def test_a_vector_database_needs_a_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = tmp_path / "Pulumi.novec.yaml"
    stack.write_text(
        json.dumps(
            {
                "config": {
                    "aistacks:platform": {
                        "environment": "dev",
                        "jurisdiction": "eu",
                        "aws": {"region": "eu-west-1"},
                        "vector": {},
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    assert main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)]) == 2
    assert "aistacks:platform.vector" in capsys.readouterr().err
