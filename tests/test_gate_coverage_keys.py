"""Customer-managed keys on data-bearing types no aistacks component creates, end to end through the gate.

``tests/programs/coverage_keys`` holds RDS and Aurora, EFS, DynamoDB, SQS, SNS, ECR, SageMaker (a notebook
instance and an endpoint configuration), a Bedrock custom model, an OpenSearch domain, Cloud SQL, a BigQuery
dataset and table, a Compute Engine disk and instance, a Vertex AI dataset and a Pub/Sub topic: with
``compliant: false`` each is left on the provider's key and AIS-ENC-001 names the property, in update and
preview; with ``compliant: true`` the gate passes. The README's numbers of types covered are the computed ones.
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
from aistacks.policies.provider_catalog import types_with_key_paths
from aistacks.policies.rules.cov_001_unreviewed_types import data_bearing_services, reviewed_types
from aistacks.policies.rules.enc_001_cmk_at_rest import covered_types

ROOT = Path(__file__).parent.parent
PROGRAM = Path(__file__).parent / "programs" / "coverage_keys"
EU = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
}
MODES = {"update": [], "preview": ["--preview"]}

WEAK_KEYS = {
    ("aws:rds/instance:Instance", "kmsKeyId"),
    ("aws:rds/instance:Instance", "masterUserSecretKmsKeyId"),
    ("aws:rds/cluster:Cluster", "kmsKeyId"),
    ("aws:rds/cluster:Cluster", "masterUserSecretKmsKeyId"),
    ("aws:efs/fileSystem:FileSystem", "kmsKeyId"),
    ("aws:dynamodb/table:Table", "serverSideEncryption.enabled"),
    ("aws:dynamodb/table:Table", "serverSideEncryption.kmsKeyArn"),
    ("aws:sqs/queue:Queue", "kmsMasterKeyId"),
    ("aws:sns/topic:Topic", "kmsMasterKeyId"),
    ("aws:ecr/repository:Repository", "encryptionConfigurations"),
    ("aws:sagemaker/notebookInstance:NotebookInstance", "kmsKeyId"),
    ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "kmsKeyArn"),
    ("aws:bedrock/customModel:CustomModel", "customModelKmsKeyId"),
    ("aws:opensearch/domain:Domain", "encryptAtRest.kmsKeyId"),
    ("gcp:sql/databaseInstance:DatabaseInstance", "encryptionKeyName"),
    ("gcp:bigquery/dataset:Dataset", "defaultEncryptionConfiguration.kmsKeyName"),
    ("gcp:bigquery/table:Table", "encryptionConfiguration.kmsKeyName"),
    ("gcp:compute/disk:Disk", "diskEncryptionKey.kmsKeySelfLink"),
    ("gcp:compute/instance:Instance", "bootDisk.kmsKeySelfLink"),
    ("gcp:vertex/aiDataset:AiDataset", "encryptionSpec.kmsKeyName"),
    ("gcp:pubsub/topic:Topic", "kmsKeyName"),
}
"""Every (type, path) the weak program leaves on the provider's key."""


def _gate(variant: str, mode: str, config: Path) -> tuple[int, dict[str, Any]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["--stack-file", str(PROGRAM / f"Pulumi.{variant}.yaml"), "--project-dir", str(PROGRAM)]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["gate", *args, "--policy-config", str(config), "--format", "json", *MODES[mode]])
    assert code in (0, 1), stderr.getvalue()
    return code, json.loads(stdout.getvalue())


@pytest.fixture(scope="module")
def gates(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[int, dict[str, Any]]]:
    """Each variant in each mode, gated once for the module."""
    config = tmp_path_factory.mktemp("policy") / "eu.json"
    config.write_text(json.dumps(EU), encoding="utf-8")
    return {(variant, mode): _gate(variant, mode, config) for variant in ("weak", "compliant") for mode in MODES}


@pytest.mark.parametrize("mode", list(MODES))
def test_provider_managed_keys_fail_at_the_right_path(
    gates: dict[tuple[str, str], tuple[int, dict[str, Any]]], mode: str
) -> None:
    code, report = gates["weak", mode]
    assert code == 1
    enc = {(f["resourceType"], f["path"]) for f in report["findings"] if f["ruleId"] == "AIS-ENC-001"}
    assert enc == WEAK_KEYS
    others = [f for f in report["findings"] if f["ruleId"] != "AIS-ENC-001"]
    assert others == [], "the weak program differs from the compliant one in its keys only"


@pytest.mark.parametrize("mode", list(MODES))
def test_the_compliant_program_passes(gates: dict[tuple[str, str], tuple[int, dict[str, Any]]], mode: str) -> None:
    code, report = gates["compliant", mode]
    assert [(f["ruleId"], f["resourceType"], f["path"], f["message"]) for f in report["findings"]] == []
    assert code == 0


def test_every_weak_type_is_a_data_bearing_type_and_no_type_of_the_program_is_unreviewed(
    gates: dict[tuple[str, str], tuple[int, dict[str, Any]]],
) -> None:
    services = data_bearing_services()
    assert {token.split("/")[0] for token, _ in WEAK_KEYS} <= set(services)
    assert {token for token, _ in WEAK_KEYS} <= covered_types()
    _, report = gates["weak", "update"]
    assert not any(f["ruleId"] == "AIS-COV-001" for f in report["findings"])


# --- the README's numbers ------------------------------------------------------------------------------


def _readme_row(rule: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in text.splitlines() if line.startswith(f"| {rule} |")]
    return row


def test_the_readme_states_the_computed_number_of_types_ais_enc_001_covers() -> None:
    row = _readme_row("AIS-ENC-001")
    covered = re.search(r"\((\d[\d,]*) types", row)
    left_out = re.search(r"but the (\d+) whose keys", row)
    assert covered is not None and left_out is not None
    assert int(covered.group(1).replace(",", "")) == len(covered_types())
    assert int(left_out.group(1)) == len(set(types_with_key_paths()) - covered_types())


def test_the_readme_states_the_computed_numbers_of_ais_cov_001() -> None:
    row = _readme_row("AIS-COV-001")
    services = re.search(r"\((\d+) services", row)
    reviewed = re.search(r"one of the (\d[\d,]*) types reviewed", row)
    assert services is not None and reviewed is not None
    assert int(services.group(1)) == len(data_bearing_services())
    assert int(reviewed.group(1).replace(",", "")) == len(reviewed_types())
