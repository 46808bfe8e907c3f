"""Each planned setting reaches the resource that carries it: the validation rule behind a setting, then
the setting itself in the recorded resource graph of the stacks (and of stack files derived from them),
found by what carries it (its component, its cluster), not by a name a builder might share."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine import ResourceGraph, ResourceRecord, load_project, run_stack_file
from aistacks.engine.graph import display_value
from aistacks.plan import plan_platform

from .conftest import ENVIRONMENTS, REPO
from .test_compute import Plan

SECONDS_PER_DAY = 86_400
EKS_CLUSTER = "aistacks:aws:EksCluster"
GKE_CLUSTER = "aistacks:gcp:GkeCluster"
AUDIT_TRAIL = "aistacks:aws:AuditTrail"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
RETENTION_PATH = "aistacks:platform.audit.log_retention_days"


def inputs(record: ResourceRecord) -> dict[str, Any]:
    return display_value(record.inputs)


def ancestors(graph: ResourceGraph, record: ResourceRecord) -> list[ResourceRecord]:
    """The components ``record`` sits in, nearest first."""
    found: list[ResourceRecord] = []
    while record.parent is not None:
        parent = graph.get(record.parent)
        assert parent is not None, f"{record.urn}: parent {record.parent} is not in the graph"
        found.append(parent)
        record = parent
    return found


def host_cluster(graph: ResourceGraph, record: ResourceRecord) -> ResourceRecord | None:
    """The EKS or GKE cluster component ``record`` belongs to, if any."""
    return next((a for a in ancestors(graph, record) if a.type in (EKS_CLUSTER, GKE_CLUSTER)), None)


def under(graph: ResourceGraph, component: ResourceRecord, type_token: str) -> list[ResourceRecord]:
    """The resources of ``type_token`` anywhere below ``component``."""
    return [r for r in graph.of_type(type_token) if component in ancestors(graph, r)]


def write_stack(tmp_path: Path, name: str, base: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    """``Pulumi.<name>.yaml``: the ``base`` stack file with ``edit`` applied to its ``aistacks:platform``."""
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{base}.yaml").read_text(encoding="utf-8"))
    edit(document["config"]["aistacks:platform"])
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def run(path: Path) -> ResourceGraph:
    return run_stack_file(load_project(REPO), path)


def setting(**values: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets top-level keys of the platform config (``None`` removes one)."""

    def edit(platform: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is None:
                platform.pop(key, None)
            else:
                platform[key] = copy.deepcopy(value)

    return edit


GKE_QDRANT = "prod with Qdrant on GKE"
"""A source of a graph besides the stacks: prod, with Qdrant on its GKE inference cluster."""


def graph_of(plan: Plan, qdrant_on_gke: ResourceGraph, source: str) -> ResourceGraph:
    """The graph of a stack (``dev``, ``staging``, ``prod``) or of :data:`GKE_QDRANT`."""
    return qdrant_on_gke if source == GKE_QDRANT else plan(source, False)


@pytest.fixture(scope="module")
def qdrant_on_gke(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    """prod, with Qdrant hosted on GKE (the inference cluster there) instead of EKS."""
    stack = write_stack(tmp_path_factory.mktemp("gke"), "gkeqdrant", "prod", setting(vector={"cloud": "gcp"}))
    return run(stack)


# --- 1. audit log retention: Cloud Logging's maximum applies only with GCP ----------------------------

AWS = {"region": "eu-central-1"}
GCP = {"project": "acme-ai-test", "region": "europe-west4"}


@pytest.mark.parametrize("clouds", [{"aws": AWS, "gcp": GCP}, {"gcp": GCP}], ids=["both", "gcp-only"])
def test_audit_retention_beyond_cloud_loggings_maximum_is_refused_with_gcp(clouds: dict[str, Any]) -> None:
    raw = {"environment": "prod", "jurisdiction": "eu", **clouds, "audit": {"log_retention_days": 3653}}
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw)
    (issue,) = caught.value.issues
    assert (issue.path, issue.value) == (RETENTION_PATH, 3653)
    assert "3650" in issue.message, "the message says what is allowed"
    assert RETENTION_PATH in str(caught.value)


def test_audit_retention_up_to_cloud_loggings_maximum_is_accepted_with_gcp() -> None:
    raw = {"environment": "prod", "jurisdiction": "eu", "aws": AWS, "gcp": GCP, "audit": {"log_retention_days": 3288}}
    plan = plan_platform(parse_platform_spec(raw))
    assert {cloud.audit.log_retention_days for cloud in plan.clouds.values()} == {3288}


def test_audit_retention_of_ten_years_is_fine_without_gcp() -> None:
    raw = {"environment": "prod", "jurisdiction": "eu", "aws": AWS, "audit": {"log_retention_days": 3653}}
    plan = plan_platform(parse_platform_spec(raw))
    assert plan.clouds["aws"].audit.log_retention_days == 3653


# --- 2. GKE's metadata server: reachable from every namespace on GKE, from none on EKS ---------------


def workload_namespaces(graph: ResourceGraph) -> dict[tuple[str, str], set[str]]:
    """The namespaces the platform creates and denies egress in, by (cluster component type, cluster component
    URN). KEDA's namespace has no NetworkPolicy: its pods reach everything, the metadata server included."""
    denied = {
        inputs(record)["metadata"]["namespace"]
        for record in graph.of_type(NETWORK_POLICY)
        if "Egress" in inputs(record)["spec"].get("policyTypes", [])
    }
    found: dict[tuple[str, str], set[str]] = {}
    for record in graph.of_type(NAMESPACE):
        if inputs(record)["metadata"]["name"] not in denied:
            continue
        cluster = host_cluster(graph, record)
        assert cluster is not None, f"{record.urn} belongs to no cluster"
        found.setdefault((cluster.type, cluster.urn), set()).add(inputs(record)["metadata"]["name"])
    return found


def metadata_policies(graph: ResourceGraph) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
    """The NetworkPolicies that let pods reach a link-local (metadata) address, by cluster and namespace."""
    found: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
    for record in graph.of_type(NETWORK_POLICY):
        policy = inputs(record)
        blocks = [
            peer["ipBlock"]
            for rule in policy["spec"].get("egress", [])
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        if any(b["cidr"].startswith("169.254.") and not b.get("except") for b in blocks):
            cluster = host_cluster(graph, record)
            assert cluster is not None
            namespace = policy["metadata"]["namespace"]
            found.setdefault((cluster.type, cluster.urn), {}).setdefault(namespace, []).append(policy)
    return found


@pytest.mark.parametrize("source", ["staging", "prod", GKE_QDRANT])
def test_gke_namespaces_reach_the_gke_metadata_server_and_eks_namespaces_no_metadata_address(
    plan: Plan, qdrant_on_gke: ResourceGraph, source: str
) -> None:
    graph = graph_of(plan, qdrant_on_gke, source)
    namespaces = workload_namespaces(graph)
    policies = metadata_policies(graph)
    gke = {key: names for key, names in namespaces.items() if key[0] == GKE_CLUSTER}
    eks = {key: names for key, names in namespaces.items() if key[0] == EKS_CLUSTER}
    assert len(gke) == 2 and len(eks) == 2, "a training and an inference cluster on each cloud"
    if source == GKE_QDRANT:
        assert any("vector" in names for names in gke.values()), "Qdrant's namespace is on GKE"
    for key, names in gke.items():
        assert set(policies.get(key, {})) == names, f"{key[1]}: every namespace reaches the metadata server"
        for namespace, (policy, *more) in policies[key].items():
            assert not more, f"{namespace}: one policy for the metadata server"
            assert policy["metadata"]["name"] == "allow-gke-metadata-server"
            assert policy["spec"] == {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}]}],
            }, namespace
    for key in eks:
        assert key not in policies, f"{key[1]}: no namespace on EKS reaches a metadata address (the node's role)"


# --- 3. the audit trail's bucket keeps noncurrent log versions as long as the logs -------------------


def audit_versions_and_log_retention(graph: ResourceGraph) -> tuple[int, int]:
    (trail,) = graph.of_type(AUDIT_TRAIL)
    (lifecycle,) = under(graph, trail, LIFECYCLE)
    (rule,) = inputs(lifecycle)["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {}, "every log file version"
    assert "expiration" not in rule, "current log files never expire"
    (log_group,) = under(graph, trail, LOG_GROUP)
    return rule["noncurrentVersionExpiration"]["noncurrentDays"], inputs(log_group)["retentionInDays"]


@pytest.mark.parametrize(("env", "days"), [("dev", 90), ("staging", 365), ("prod", 2557)])
def test_audit_bucket_keeps_noncurrent_versions_for_the_tiers_log_retention(plan: Plan, env: str, days: int) -> None:
    assert audit_versions_and_log_retention(plan(env, False)) == (days, days)


def test_audit_bucket_keeps_noncurrent_versions_for_the_configured_log_retention(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "retention", "dev", setting(audit={"log_retention_days": 731}))
    assert audit_versions_and_log_retention(run(stack)) == (731, 731)


# --- 4. OpenSearch Serverless standby replicas follow the planned replicas --------------------------


def test_staging_collection_keeps_a_standby_by_default(plan: Plan) -> None:
    (collection,) = plan("staging", False).of_type(COLLECTION)
    assert inputs(collection)["standbyReplicas"] == "ENABLED"


@pytest.mark.parametrize(("replicas", "standby"), [(1, "DISABLED"), (2, "ENABLED"), (None, "ENABLED")])
def test_collection_standby_follows_the_configured_replicas(tmp_path: Path, replicas: int | None, standby: str) -> None:
    vector = {"engine": "opensearch-serverless", **({"replicas": replicas} if replicas else {})}
    (collection,) = run(write_stack(tmp_path, "aoss", "prod", setting(vector=vector))).of_type(COLLECTION)
    assert inputs(collection)["standbyReplicas"] == standby


def test_dev_collection_has_no_standby(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "aossdev", "dev", setting(vector={"engine": "opensearch-serverless"}))
    (collection,) = run(stack).of_type(COLLECTION)
    assert inputs(collection)["standbyReplicas"] == "DISABLED", "dev's managed stores keep one copy"


# --- 5. Cloud Storage soft delete follows the tier ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "stack", "days"), [("staging", "staging", 30), ("prod", "prod", 90), (GKE_QDRANT, "gkeqdrant", 90)]
)
def test_gcs_buckets_soft_delete_for_the_tiers_days(
    plan: Plan, qdrant_on_gke: ResourceGraph, source: str, stack: str, days: int
) -> None:
    graph = graph_of(plan, qdrant_on_gke, source)
    buckets = {b.name.removeprefix(f"aistacks-{stack}-"): inputs(b) for b in graph.of_type(GCS_BUCKET)}
    snapshots = {"vector-snapshots"} if source == GKE_QDRANT else set()
    assert set(buckets) == {"datasets", "models", "checkpoints", *snapshots}
    for name, bucket in buckets.items():
        assert bucket["softDeletePolicy"] == {"retentionDurationSeconds": days * SECONDS_PER_DAY}, name


# --- 6. Qdrant's snapshots wait on an encrypted scratch volume, not the node's disk ------------------


def snapshot_volume(graph: ResourceGraph) -> tuple[ResourceRecord, dict[str, Any], dict[str, Any]]:
    """Qdrant's cluster component, its snapshot volume, and the pod spec that has it."""
    (statefulset,) = graph.of_type(STATEFUL_SET)
    cluster = host_cluster(graph, statefulset)
    assert cluster is not None
    pod = inputs(statefulset)["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "snapshots"]
    return cluster, volume, pod


def storage_classes(graph: ResourceGraph, cluster: ResourceRecord) -> dict[str, dict[str, Any]]:
    return {inputs(c)["metadata"]["name"]: inputs(c) for c in under(graph, cluster, STORAGE_CLASS)}


@pytest.mark.parametrize(
    ("source", "host", "gib"),
    [
        ("dev", EKS_CLUSTER, 50),
        ("staging", EKS_CLUSTER, 50),
        ("prod", EKS_CLUSTER, 200),
        (GKE_QDRANT, GKE_CLUSTER, 50),
    ],
)
def test_qdrant_snapshots_go_to_a_generic_ephemeral_volume_on_the_clusters_scratch_class(
    plan: Plan, qdrant_on_gke: ResourceGraph, source: str, host: str, gib: int
) -> None:
    graph = graph_of(plan, qdrant_on_gke, source)
    cluster, volume, pod = snapshot_volume(graph)
    assert cluster.type == host
    assert "emptyDir" not in volume, "not the node's disk"
    claim = volume["ephemeral"]["volumeClaimTemplate"]["spec"]
    classes = storage_classes(graph, cluster)
    (default,) = [
        name
        for name, c in classes.items()
        if c["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    assert claim["storageClassName"] == f"{default}-scratch"
    assert classes[claim["storageClassName"]]["reclaimPolicy"] == "Delete", "the volume dies with its pod"
    assert claim["accessModes"] == ["ReadWriteOnce"]
    assert claim["resources"]["requests"]["storage"] == f"{gib}Gi", "room for a snapshot of the whole volume"
    mounts = [m for c in pod["containers"] for m in c.get("volumeMounts", []) if m["name"] == "snapshots"]
    assert [m["mountPath"] for m in mounts] == ["/qdrant/snapshots"]


# --- 7. the stack's exports --------------------------------------------------------------------------

COMMON_EXPORTS = {"environment", "jurisdiction", "buckets"}
AWS_EXPORTS = {"aws_key_arn", "aws_trail_arn"}
GCP_EXPORTS = {"gcp_key_id", "gcp_audit_log_bucket"}
BUDGET_EXPORTS = {"aws_budget_topic_arn", "gcp_budget_topic"}
"""The topics a stack's budget alerts on, exported on each cloud where the config sets a budget (every shipped
stack does)."""


def stack_outputs(graph: ResourceGraph) -> dict[str, Any]:
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    return stack.outputs


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_stack_exports_exactly_what_the_program_promises(plan: Plan, env: str, preview: bool) -> None:
    outputs = stack_outputs(plan(env, preview))
    both = env != "dev"
    budget = BUDGET_EXPORTS if both else {"aws_budget_topic_arn"}
    assert set(outputs) == COMMON_EXPORTS | AWS_EXPORTS | (GCP_EXPORTS if both else set()) | {"vector"} | budget
    assert (outputs["environment"], outputs["jurisdiction"]) == (env, "eu")
    raw = yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))
    stack_plan = plan_platform(parse_platform_spec(raw["config"]["aistacks:platform"]))
    expected = {
        f"{cloud.cloud}/{bucket.name}"
        for cloud in stack_plan.clouds.values()
        for bucket in (*cloud.buckets, *([cloud.snapshot_bucket] if cloud.snapshot_bucket else []))
    }
    assert set(outputs["buckets"]) == expected
    if not preview:
        assert ":trail/" in outputs["aws_trail_arn"] and ":key/" in outputs["aws_key_arn"]
        if both:
            assert "/cryptoKeys/" in outputs["gcp_key_id"] and "/buckets/" in outputs["gcp_audit_log_bucket"]


def test_a_stack_without_vector_databases_exports_no_vector(tmp_path: Path) -> None:
    outputs = stack_outputs(run(write_stack(tmp_path, "novector", "dev", setting(vector=None, budget=None))))
    assert set(outputs) == COMMON_EXPORTS | AWS_EXPORTS
    assert set(outputs["buckets"]) == {"aws/datasets", "aws/models"}, "no snapshot bucket without Qdrant"


def test_a_gcp_only_stack_exports_only_gcp(tmp_path: Path) -> None:
    def gcp_only(platform: dict[str, Any]) -> None:
        staging = yaml.safe_load((REPO / "stacks" / "Pulumi.staging.yaml").read_text(encoding="utf-8"))
        platform.pop("aws")
        platform.pop("budget")  # dev's: an AWS budget without a billing account
        platform["gcp"] = staging["config"]["aistacks:platform"]["gcp"]
        platform["vector"] = {"engine": "vertex-vector-search", "dimensions": 768}

    outputs = stack_outputs(run(write_stack(tmp_path, "gcponly", "dev", gcp_only)))
    assert set(outputs) == COMMON_EXPORTS | GCP_EXPORTS | {"vector"}
    assert set(outputs["vector"]) == {"vertex-vector-search"}
    assert set(outputs["buckets"]) == {"gcp/datasets", "gcp/models"}
