"""Residency judged on every placement, end to end: programs through the offline engine and ``aistacks gate``.

Each case is a small Pulumi program in a compliant version and a minimally weakened one (a BigQuery dataset
left on its US default, a DynamoDB table replicated to us-east-1, an ECR replication rule to the US, an S3
bucket replicated, inline or by a separate resource, to a US bucket, S3 access logs delivered to an auto-named US
bucket, an AWS Backup copy action into a US vault, a zonal GKE cluster outside the EU).
The weakened one fails the right rule at the right path in update and in preview mode; the compliant one
passes. Also: the README states the number of types whose placement AIS-RES-001/002 judge.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from aistacks.cli import main
from aistacks.policies import provider_catalog
from aistacks.policies.placement import own_paths
from aistacks.policies.rules.res_002_data_egress import ROUTES

README = Path(__file__).parent.parent / "README.md"
RESIDENCY_ONLY = {
    "all": "disabled",
    "AIS-RES-001": {"enforcementLevel": "mandatory", "allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"enforcementLevel": "mandatory", "allowedJurisdictions": ["eu"]},
}
HEADER = """\
import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

aws_eu = aws.Provider("aws-eu", region="eu-central-1")
on_aws = pulumi.ResourceOptions(provider=aws_eu)
gcp_eu = gcp.Provider("gcp-eu", project="acme", region="europe-west4")
on_gcp = pulumi.ResourceOptions(provider=gcp_eu)
"""
S3_REPLICA = """\
aws_replica = aws.Provider("aws-replica", region="{value}")
replica = aws.s3.Bucket("replica", bucket="replica-bucket", opts=pulumi.ResourceOptions(provider=aws_replica))
"""
CASES: dict[str, tuple[str, str, str, str, str]] = {
    # name: (program with {value}, compliant value, weakened value, rule, path of the finding)
    "bigquery-dataset-default": (
        'gcp.bigquery.Dataset("events", dataset_id="events"{value}, opts=on_gcp)\n',
        ', location="EU"',
        "",
        "AIS-RES-001",
        "location",
    ),
    "dynamodb-replica": (
        'aws.dynamodb.Table("orders", hash_key="id", attributes=[{{"name": "id", "type": "S"}}],'
        ' billing_mode="PAY_PER_REQUEST", stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",'
        ' replicas=[{{"region_name": "{value}"}}], opts=on_aws)\n',
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "replicas[0].regionName",
    ),
    "ecr-replication": (
        'aws.ecr.ReplicationConfiguration("registry", replication_configuration={{"rules": [{{"destinations":'
        ' [{{"region": "{value}", "registry_id": "111122223333"}}]}}]}}, opts=on_aws)\n',
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "replicationConfiguration.rules[0].destinations[0].region",
    ),
    "s3-replication-resource": (
        S3_REPLICA + 'source = aws.s3.Bucket("source", bucket="source-bucket", opts=on_aws)\n'
        'aws.s3.BucketReplicationConfig("replication", bucket=source.id,'
        ' role="arn:aws:iam::111122223333:role/replication", rules=[{{"id": "all", "status": "Enabled",'
        ' "destination": {{"bucket": "arn:aws:s3:::replica-bucket"}}}}],'
        " opts=pulumi.ResourceOptions(provider=aws_eu, depends_on=[replica]))\n",
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "rules[0].destination.bucket",
    ),
    "s3-replication-inline": (
        S3_REPLICA + 'aws.s3.Bucket("source", bucket="source-bucket", replication_configuration={{'
        '"role": "arn:aws:iam::111122223333:role/replication", "rules": [{{"id": "all", "status": "Enabled",'
        ' "destination": {{"bucket": "arn:aws:s3:::replica-bucket"}}}}]}},'
        " opts=pulumi.ResourceOptions(provider=aws_eu, depends_on=[replica]))\n",
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "replicationConfiguration.rules[0].destination.bucket",
    ),
    "s3-access-logs-to-an-auto-named-bucket": (
        'aws_logs = aws.Provider("aws-logs", region="{value}")\n'
        'logs = aws.s3.Bucket("logs", opts=pulumi.ResourceOptions(provider=aws_logs))\n'
        'aws.s3.BucketLogging("access-logs", bucket="source-bucket", target_bucket=logs.id, target_prefix="x/",'
        " opts=on_aws)\n",
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "targetBucket",
    ),
    "backup-copy-action": (
        'aws_copy = aws.Provider("aws-copy", region="{value}")\n'
        'vault = aws.backup.Vault("copies", opts=pulumi.ResourceOptions(provider=aws_copy))\n'
        'aws.backup.Plan("daily", rules=[{{"rule_name": "daily", "target_vault_name": "primary",'
        ' "schedule": "cron(0 1 * * ? *)", "copy_actions": [{{"destination_vault_arn": vault.arn}}]}}], opts=on_aws)\n',
        "eu-west-1",
        "us-east-1",
        "AIS-RES-002",
        "rules[0].copyActions[0].destinationVaultArn",
    ),
    "gke-zonal-cluster": (
        'gcp.container.Cluster("training", location="{value}", initial_node_count=1, opts=on_gcp)\n',
        "europe-west4-a",
        "us-central1-a",
        "AIS-RES-001",
        "location",
    ),
}


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def gate(folder: Path, body: str, preview: bool) -> tuple[int, list[dict[str, Any]]]:
    (folder / "Pulumi.yaml").write_text("name: residency\nruntime: python\n", encoding="utf-8")
    (folder / "__main__.py").write_text(HEADER + body, encoding="utf-8")
    (folder / "Pulumi.test.yaml").write_text("config: {}\n", encoding="utf-8")
    (folder / "policy.json").write_text(json.dumps(RESIDENCY_ONLY), encoding="utf-8")
    args = ["--stack-file", str(folder / "Pulumi.test.yaml"), "--project-dir", str(folder)]
    args += ["--policy-config", str(folder / "policy.json"), "--format", "json"]
    code, out, err = cli("gate", *args, *(["--preview"] if preview else []))
    assert code in (0, 1), out + err
    return code, json.loads(out)["findings"]


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("case", list(CASES))
def test_compliant_passes_and_weakened_fails_the_right_rule(tmp_path: Path, case: str, preview: bool) -> None:
    program, compliant, weakened, rule, path = CASES[case]
    (tmp_path / "ok").mkdir()
    code, found = gate(tmp_path / "ok", program.format(value=compliant), preview)
    assert (code, found) == (0, []), found
    (tmp_path / "weak").mkdir()
    code, found = gate(tmp_path / "weak", program.format(value=weakened), preview)
    assert code == 1
    assert (rule, path) in {(finding["ruleId"], finding["path"]) for finding in found}, found


def placement_types() -> dict[str, int]:
    """The types whose placement each rule judges: every catalog type with an own placement path, or the
    defaults table's (AIS-RES-001); every type with a replica path, or a route (AIS-RES-002)."""
    catalog = provider_catalog.types_with_placement()
    own = {token for token in catalog if own_paths(token)}
    replica = {token for token in catalog if provider_catalog.placement_paths(token).replica} | set(ROUTES)
    return {"AIS-RES-001": len(own), "AIS-RES-002": len(replica)}


def test_the_readme_states_the_number_of_types_judged() -> None:
    text = README.read_text(encoding="utf-8")
    for rule, count in placement_types().items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {rule} "))
        stated = re.search(r"(\d[\d,]*) (?:resource )?types", row)
        assert stated is not None, row
        assert int(stated.group(1).replace(",", "")) == count, (rule, count, row)
