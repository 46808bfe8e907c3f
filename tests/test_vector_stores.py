"""The vector stores in the stacks' resource graphs: the managed engines staging demonstrates, Qdrant's
scheduled snapshots on both clouds, and the gate on stack files that weaken a store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aistacks.cli import main
from aistacks.engine import ResourceGraph, ResourceRecord, load_project, run_stack_file
from aistacks.k8s.snapshots import (
    AWS_CLI_IMAGE,
    GCLOUD_CLI_IMAGE,
    MAX_PARTS,
    UPLOAD_CONCURRENCY,
    SnapshotPlan,
    job_memory_mib,
    snapshot_script,
)

from .conftest import REPO
from .k8s_validation import validate_strictly
from .test_compute import KUBERNETES_VERSION, Plan, manifests
from .test_stacks import inputs, refers_to

COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"
SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ACCESS_POLICY = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
VPC_ENDPOINT = "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint"
INDEX = "gcp:vertex/aiIndex:AiIndex"
INDEX_ENDPOINT = "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"
DEPLOYED = "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex"
ROLE = "aws:iam/role:Role"


def one(graph: ResourceGraph, type_token: str, name_part: str = "") -> ResourceRecord:
    (found,) = [r for r in graph.of_type(type_token) if name_part in r.name]
    return found


@pytest.mark.parametrize("preview", [False, True])
def test_staging_collection_is_encrypted_private_and_protected(plan: Plan, preview: bool) -> None:
    graph = plan("staging", preview)
    collection = one(graph, COLLECTION)
    assert inputs(collection)["type"] == "VECTORSEARCH"
    assert inputs(collection)["standbyReplicas"] == "ENABLED"
    assert collection.protect and collection.retain_on_delete
    encryption, network = one(graph, SECURITY_POLICY, "encryption"), one(graph, SECURITY_POLICY, "network")
    assert {encryption.urn, network.urn} <= set(collection.depends_on), "policies exist before the collection"
    key = one(graph, "aws:kms/key:Key")
    endpoint = one(graph, VPC_ENDPOINT)
    assert refers_to(graph, encryption, "policy", key, '\\"AWSOwnedKey\\": false')
    assert refers_to(graph, network, "policy", endpoint, '\\"AllowFromPublic\\": false')
    if not preview:
        document = json.loads(inputs(encryption)["policy"])
        assert document["AWSOwnedKey"] is False and ":key/" in document["KmsARN"]
        (rule,) = json.loads(inputs(network)["policy"])
        assert rule["AllowFromPublic"] is False and [vpce[:5] for vpce in rule["SourceVPCEs"]] == ["vpce-"]


def test_staging_collection_is_open_only_to_the_inference_workload_role(plan: Plan) -> None:
    graph = plan("staging", False)
    (access,) = graph.of_type(ACCESS_POLICY)
    (rule,) = json.loads(inputs(access)["policy"])
    reader = one(graph, ROLE, "inference-vector-client")
    assert len(rule["Principal"]) == 1 and f":role/{reader.name}-" in rule["Principal"][0]
    index_rule = next(r for r in rule["Rules"] if r["ResourceType"] == "index")
    assert "aoss:DeleteIndex" not in index_rule["Permission"] and "aoss:ReadDocument" in index_rule["Permission"]
    trust = json.loads(inputs(reader)["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:inference:vector-client" in trust.values()
    api = next(r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith(reader.name))
    statement = json.loads(inputs(api)["policy"])["Statement"][0]
    assert statement["Action"] == "aoss:APIAccessAll" and ":collection/" in statement["Resource"]
    account = next(
        m for m in manifests(graph) if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == "vector-client"
    )
    assert account["metadata"]["namespace"] == "inference"
    assert f":role/{reader.name}-" in account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]


@pytest.mark.parametrize("preview", [False, True])
def test_staging_vector_search_is_encrypted_private_and_protected(plan: Plan, preview: bool) -> None:
    graph = plan("staging", preview)
    crypto_key = one(graph, "gcp:kms/cryptoKey:CryptoKey")
    index, endpoint = one(graph, INDEX), one(graph, INDEX_ENDPOINT)
    for record in (index, endpoint):
        assert refers_to(graph, record, "encryptionSpec", crypto_key, "/cryptoKeys/")
        assert inputs(record)["region"] == "europe-west4"
    assert index.protect, "the index holds the vectors"
    config = inputs(index)["metadata"]["config"]
    assert config["dimensions"] == 768 and config["distanceMeasureType"] == "DOT_PRODUCT_DISTANCE"
    assert inputs(index)["indexUpdateMethod"] == "STREAM_UPDATE"
    assert inputs(endpoint)["publicEndpointEnabled"] is False
    assert inputs(endpoint)["privateServiceConnectConfig"] == {
        "enablePrivateServiceConnect": True,
        "projectAllowlists": ["acme-ai-staging"],
    }
    grant = one(graph, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "aiplatform-agent")
    assert grant.urn in index.depends_on, "the Vertex AI agent may use the key before the index needs it"
    deployed = one(graph, DEPLOYED)
    assert inputs(deployed)["automaticResources"] == {"minReplicaCount": 2, "maxReplicaCount": 4}


def test_staging_vector_search_is_reached_through_its_private_address_only(plan: Plan) -> None:
    graph = plan("staging", False)
    deployed = one(graph, DEPLOYED)
    rule = one(graph, "gcp:compute/forwardingRule:ForwardingRule")
    address = one(graph, "gcp:compute/address:Address")
    assert inputs(rule)["loadBalancingScheme"] == ""
    assert "/serviceAttachments/" in inputs(rule)["target"]
    assert deployed.urn in rule.property_dependencies["target"], "the deployment's service attachment"
    assert inputs(address)["addressType"] == "INTERNAL"
    (egress,) = [
        m
        for m in manifests(graph)
        if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == "allow-egress-to-vector-search"
    ]
    assert egress["metadata"]["namespace"] == "inference"
    (to,) = egress["spec"]["egress"][0]["to"]
    assert egress["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 10000}], "gRPC match, nothing else"
    assert to["ipBlock"]["cidr"].endswith("/32") and to["ipBlock"]["cidr"].startswith("10.")
    firewalls = {r.name.rsplit("-", 1)[-1]: inputs(r) for r in graph.of_type("gcp:compute/firewall:Firewall")}
    assert set(firewalls) == {"clients", "others"}
    assert (
        firewalls["clients"]["destinationRanges"] == firewalls["others"]["destinationRanges"] == [to["ipBlock"]["cidr"]]
    )
    assert firewalls["clients"]["allows"] == [{"protocol": "tcp", "ports": ["10000"]}]
    assert firewalls["clients"]["priority"] < firewalls["others"]["priority"]
    (nodes,) = [a for a in graph.of_type("gcp:serviceaccount/account:Account") if "inference" in a.name]
    assert firewalls["clients"]["targetServiceAccounts"] == [
        f"{inputs(nodes)['accountId']}@acme-ai-staging.iam.gserviceaccount.com"
    ]
    assert firewalls["others"]["denies"] == [{"protocol": "all"}] and "targetServiceAccounts" not in firewalls["others"]


def test_prod_snapshots_go_to_their_bucket_through_irsa(plan: Plan) -> None:
    graph = plan("prod", False)
    objects = {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests(graph)}
    job = objects["CronJob/qdrant-snapshots"]["spec"]
    assert job["concurrencyPolicy"] == "Forbid" and job["schedule"] == "0 3 * * *"
    pod = job["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == AWS_CLI_IMAGE and "@sha256:" in container["image"]
    assert container["resources"]["limits"]["memory"] == f"{job_memory_mib(200)}Mi" == "638Mi", "200 GiB volumes"
    assert "qdrant-2.qdrant-headless" not in container["args"][0], "the script loops over the replicas"
    assert "seq 0 2" in container["args"][0] and "s3://$BUCKET/" in container["args"][0]
    bucket = next(e["value"] for e in container["env"] if e["name"] == "BUCKET")
    assert bucket == "aistacks-prod-vector-snapshots-210987654321"
    account = objects["ServiceAccount/qdrant-snapshots"]
    writer = one(graph, ROLE, "qdrant-snapshots")
    assert f":role/{writer.name}-" in account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    trust = json.loads(inputs(writer)["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:vector:qdrant-snapshots" in trust.values()
    grant = next(r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith(writer.name))
    statements = {s["Sid"]: s for s in json.loads(inputs(grant)["policy"])["Statement"]}
    assert statements["Objects"]["Resource"] == f"arn:aws:s3:::{bucket}/*"
    assert "kms:GenerateDataKey" in statements["UseBucketKey"]["Action"]
    lifecycle = next(
        r for r in graph.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        if "vector-snapshots" in r.name
    )  # fmt: skip
    (rule,) = inputs(lifecycle)["rules"]
    assert rule["expiration"] == {"days": 90}, "prod keeps snapshots 90 days"
    admitted = objects["NetworkPolicy/qdrant-snapshots-to-database"]["spec"]["ingress"][0]["from"]
    assert admitted == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "qdrant-snapshots"}}}]


@pytest.mark.parametrize("store", ["s3", "gcs"])
def test_snapshot_script_uploads_every_collection_of_every_node(store: str) -> None:
    script = snapshot_script(
        store,  # type: ignore[arg-type]
        statefulset="qdrant",
        replicas=3,
        headless="qdrant-headless.vector.svc.cluster.local",
        port=6333,
    )
    assert "for node in $(seq 0 2)" in script
    assert ("aws s3 cp" in script) == (store == "s3") and ("gcloud storage cp" in script) == (store == "gcs")
    assert "-X DELETE" in script, "the snapshot leaves the node's disk once uploaded"
    assert "set -euo pipefail" in script, "a failed call, even inside a pipe, fails the job"


def write_stack(tmp_path: Path, name: str, vector: Any, base: str = "staging") -> Path:
    document = yaml.safe_load((REPO / "stacks" / f"Pulumi.{base}.yaml").read_text(encoding="utf-8"))
    document["config"]["aistacks:platform"]["vector"] = vector
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_qdrant_on_gke_snapshots_through_workload_identity(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "gkeqdrant", {"cloud": "gcp", "snapshot_retention_days": 14})
    graph = run_stack_file(load_project(REPO), stack)
    job = next(m for m in manifests(graph) if m["kind"] == "CronJob")
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == GCLOUD_CLI_IMAGE and "gs://$BUCKET/" in container["args"][0]
    (bucket,) = [b for b in graph.of_type("gcp:storage/bucket:Bucket") if "vector-snapshots" in b.name]
    assert {"action": {"type": "Delete"}, "condition": {"age": 14, "withState": "LIVE"}} in inputs(bucket)[
        "lifecycleRules"
    ]
    grants = [r for r in graph.of_type("gcp:storage/bucketIAMMember:BucketIAMMember") if "snapshots" in r.name]
    assert sorted(inputs(g)["role"] for g in grants) == ["roles/storage.objectCreator", "roles/storage.objectViewer"]
    (cluster,) = [c for c in graph.of_type("gcp:container/cluster:Cluster") if "inference" in c.name]
    for grant in grants:
        member = inputs(grant)["member"]
        assert member.startswith("principal://iam.googleapis.com/projects/")
        assert member.endswith(
            "/workloadIdentityPools/acme-ai-staging.svc.id.goog/subject/ns/vector/sa/qdrant-snapshots"
        )
        assert cluster.urn in grant.property_dependencies["member"], "granted once the cluster made the pool"
    for manifest in manifests(graph):
        validate_strictly(manifest, KUBERNETES_VERSION)


@pytest.mark.parametrize(
    ("vector", "rules"),
    [
        ({"engine": "opensearch-serverless", "public_access": True}, {"AIS-NET-003"}),
        ({"engine": "opensearch-serverless", "customer_managed_key": False}, {"AIS-ENC-003"}),
        ({"engine": "vertex-vector-search", "dimensions": 8, "public_access": True}, {"AIS-NET-003"}),
        ({"engine": "vertex-vector-search", "dimensions": 8, "customer_managed_key": False}, {"AIS-ENC-001"}),
    ],
)
@pytest.mark.parametrize("preview", [False, True])
def test_a_weakened_vector_store_fails_the_gate_with_its_rule(
    tmp_path: Path, vector: dict[str, Any], rules: set[str], preview: bool
) -> None:
    stack = write_stack(tmp_path, "weak", vector)
    report = tmp_path / "report.json"
    args = ["gate", "--stack-file", str(stack), "--project-dir", str(REPO), "--format", "json", "--output", str(report)]
    config = REPO / "policies" / "config" / "staging.json"
    assert main([*args, "--policy-config", str(config), *(["--preview"] if preview else [])]) == 1
    found = {finding["ruleId"] for finding in json.loads(report.read_text(encoding="utf-8"))["findings"]}
    assert found == rules


@pytest.mark.parametrize("engine", ["opensearch-serverless", "vertex-vector-search"])
def test_a_stack_with_only_a_managed_engine_plans_and_passes_the_gate(tmp_path: Path, engine: str) -> None:
    vector = {"engine": engine, **({"dimensions": 384} if engine == "vertex-vector-search" else {})}
    stack = write_stack(tmp_path, "managed", vector, base="prod")
    config = REPO / "policies" / "config" / "prod.json"
    args = ["--stack-file", str(stack), "--project-dir", str(REPO)]
    assert main(["plan", *args]) == 0
    assert main(["gate", *args, "--policy-config", str(config), "--output", str(tmp_path / "report.txt")]) == 0


FAKE_CURL = r"""#!/bin/bash
# A Qdrant node as curl sees it: canned answers, every call logged.
method=GET
for arg in "$@"; do case "$prev" in -X) method="$arg";; esac; prev="$arg"; url="$arg"; done
echo "$method $url" >> "$CALLS"
case "$method $url" in
  "GET "*/collections) [ -z "${BREAK_LISTING:-}" ] || exit 22
    echo '{"result":{"collections":[{"name":"docs"},{"name":"faq"}]},"status":"ok","time":0.1}';;
  "POST "*/snapshots?wait=true)
    c="${url%/snapshots*}"; c="${c##*/}"
    echo "{\"result\":{\"name\":\"$c-7.snapshot\",\"size\":9},\"status\":\"ok\"}";;
  "GET "*.snapshot) [ -z "${BREAK_DOWNLOAD:-}" ] || { echo partial; exit 18; }; echo "bytes of ${url##*/}";;
  "DELETE "*) echo '{"result":true,"status":"ok","time":0.1}';;
  *) exit 22;;
esac
"""
FAKE_AWS = r"""#!/bin/bash
# aws s3 cp ... - s3://bucket/key: log the arguments, consume stdin.
echo "$*" >> "$UPLOADS"; cat > /dev/null
"""


def run_snapshot_script(tmp_path: Path, **env: str) -> tuple[int, list[str], list[str]]:
    import os
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in (("curl", FAKE_CURL), ("aws", FAKE_AWS)):
        (bin_dir / name).write_text(body, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    calls, uploads = tmp_path / "calls", tmp_path / "uploads"
    script = snapshot_script(
        "s3", statefulset="qdrant", replicas=2, headless="qdrant-headless.vector.svc.cluster.local", port=6333
    )
    done = subprocess.run(
        ["bash", "-c", script],
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls), "UPLOADS": str(uploads),
             "QDRANT_API_KEY": "k", "BUCKET": "b", **env},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    lines = lambda path: path.read_text(encoding="utf-8").splitlines() if path.exists() else []  # noqa: E731
    return done.returncode, lines(calls), lines(uploads)


def test_snapshot_script_snapshots_uploads_and_cleans_every_collection_on_every_node(tmp_path: Path) -> None:
    code, calls, uploads = run_snapshot_script(tmp_path)
    assert code == 0
    snapshots = [u for u in uploads if u.endswith(".snapshot")]
    assert len(snapshots) == 4, "two nodes, two collections each"
    assert all(u.startswith("s3 cp --only-show-errors --expected-size 9 - s3://b/qdrant/") for u in snapshots)
    for node in (0, 1):
        base = f"http://qdrant-{node}.qdrant-headless.vector.svc.cluster.local:6333/collections"
        for collection in ("docs", "faq"):
            assert any(u.endswith(f"/node-{node}/{collection}/{collection}-7.snapshot") for u in snapshots)
            assert f"DELETE {base}/{collection}/snapshots/{collection}-7.snapshot?wait=true" in calls
    assert uploads[-1].endswith("/COMPLETE"), "the run is marked complete last"
    assert uploads[0] == "configure set default.s3.max_concurrent_requests 4", "memory stays within the limit"


@pytest.mark.parametrize("failure", ["BREAK_DOWNLOAD", "BREAK_LISTING"])
def test_a_failed_call_fails_the_job_and_leaves_the_run_incomplete(tmp_path: Path, failure: str) -> None:
    code, calls, uploads = run_snapshot_script(tmp_path, **{failure: "1"})
    assert code != 0
    assert not any(u.endswith("/COMPLETE") for u in uploads)
    if failure == "BREAK_DOWNLOAD":
        assert any(c.startswith("DELETE ") for c in calls), "the snapshot leaves the node even when its upload fails"


@given(st.integers(min_value=1, max_value=16384))
def test_the_job_has_memory_for_the_parts_a_volume_sized_snapshot_needs(volume_gib: int) -> None:
    part_mib = (job_memory_mib(volume_gib) - 512) // (UPLOAD_CONCURRENCY + 2)
    assert part_mib * MAX_PARTS >= volume_gib * 1024, "a snapshot as large as the volume fits in 10,000 parts"
    assert part_mib >= 8


def test_the_job_environment_cannot_override_its_own_variables() -> None:
    with pytest.raises(ValueError, match="QDRANT_API_KEY"):
        SnapshotPlan("s3", "bucket", environment={"QDRANT_API_KEY": "x"})
