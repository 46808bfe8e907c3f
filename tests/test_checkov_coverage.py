"""The coverage table against Checkov (``policies/data/checkov_coverage.json``, ``scripts/checkov_coverage.py``).

Every entry names existing rules and Pulumi types; every ``covered`` claim of AIS-ENC-001 names types the
provider catalog gives key paths, every claim of AIS-PRT-001 stateful types; a sample of covered checks is
run as a compliant and a non-compliant fixture through the pack; and the README's section is current.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aistacks.engine.graph import ResourceRecord
from aistacks.policies.rules import RULES

from .rules.fixtures import CRYPTO_KEY, KEY_ARN, findings, res, run

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "checkov_coverage.py"
DATA = REPO / "policies" / "data"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("checkov_coverage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


coverage = _load()
COVERAGE: dict[str, Any] = json.loads((DATA / "checkov_coverage.json").read_text(encoding="utf-8"))
CHECKS: dict[str, dict[str, Any]] = {check["id"]: check for check in COVERAGE["checks"]}
CATALOG: dict[str, Any] = json.loads((DATA / "provider_catalog.json").read_text(encoding="utf-8"))["types"]
STATEFUL: dict[str, Any] = json.loads((DATA / "stateful_types.json").read_text(encoding="utf-8"))["types"]


def test_the_readme_section_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    wanted = coverage.replace_block(readme, coverage.render())
    diff = "".join(list(difflib.unified_diff(readme.splitlines(True), wanted.splitlines(True), n=0))[:40])
    assert wanted == readme, f"README.md's Checkov coverage is stale: run `{coverage.COMMAND}`\n{diff}"


def test_the_header_records_what_was_read() -> None:
    checkov = COVERAGE["header"]["checkov"]
    assert checkov["version"] and len(checkov["commit"]) == 40 and checkov["read"] == "2026-11-30"
    assert COVERAGE["header"]["selection"]
    assert not set(CHECKS) & {entry["id"] for entry in COVERAGE["excluded"]}
    assert len(CHECKS) == len(COVERAGE["checks"])


@pytest.mark.parametrize("check", COVERAGE["checks"], ids=lambda check: check["id"])
def test_every_entry_is_well_formed(check: dict[str, Any]) -> None:
    rule_ids = {rule.id for rule in RULES}
    assert check["verdict"] in coverage.VERDICTS
    assert check["category"] in coverage.CATEGORIES and check["cloud"] in coverage.CLOUDS
    assert check["id"].startswith(f"CKV_{check['cloud'].upper()}_")
    assert set(check["rules"]) <= rule_ids, set(check["rules"]) - rule_ids
    assert bool(check["rules"]) == (check["verdict"] != "not covered")
    if check["verdict"] != "covered":
        assert check["note"], "partly and not covered say why"
    assert check["terraform"]


def _sdk_has(token: str) -> bool:
    provider, rest = token.split(":", 1)
    module, class_name = rest.split(":")[0].split("/")[0], rest.rsplit(":", 1)[1]
    try:
        package = importlib.import_module(f"pulumi_{provider}.{module}")
    except ImportError:
        return False
    return isinstance(getattr(package, class_name, None), type)


def test_every_pulumi_type_exists() -> None:
    tokens = {token for check in COVERAGE["checks"] for token in check["pulumi"]}
    missing = sorted(token for token in tokens if token not in CATALOG and not _sdk_has(token))
    assert not missing


def test_enc_001_claims_name_types_with_key_paths() -> None:
    for check in COVERAGE["checks"]:
        if check["verdict"] == "covered" and "AIS-ENC-001" in check["rules"]:
            lacking = [token for token in check["pulumi"] if not CATALOG.get(token, {}).get("keyPaths")]
            assert not lacking, (check["id"], lacking)


def test_prt_001_claims_name_stateful_types() -> None:
    claims = [check for check in COVERAGE["checks"] if "AIS-PRT-001" in check["rules"]]
    assert claims
    for check in claims:
        assert all(token in STATEFUL for token in check["pulumi"]), check["id"]


def _distribution(viewer: str) -> dict[str, Any]:
    return {
        "enabled": True,
        "origins": [
            {
                "originId": "o",
                "domainName": "o.example.com",
                "customOriginConfig": {"originProtocolPolicy": "https-only"},
            }
        ],
        "defaultCacheBehavior": {"targetOriginId": "o", "viewerProtocolPolicy": viewer},
    }


def _eks(**vpc: Any) -> dict[str, Any]:
    return {"vpcConfig": {"subnetIds": ["subnet-a", "subnet-b"], "endpointPrivateAccess": True, **vpc}}


_BLOCK = {"bucket": "b", "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True}
_RING = {"keyRing": "projects/p/locations/europe-west4/keyRings/r"}
_STORE = {"location": "artifacts-bucket", "type": "S3"}
_KMS = {"id": KEY_ARN, "type": "KMS"}
_TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/t"
SAMPLES: list[tuple[str, str, ResourceRecord, ResourceRecord, dict[str, Any]]] = [
    (
        "CKV_AWS_16",
        "AIS-ENC-001",
        res("aws:rds/instance:Instance", "db", {"kmsKeyId": KEY_ARN, "storageEncrypted": True}),
        res("aws:rds/instance:Instance", "db", {"storageEncrypted": True}),
        {},
    ),
    (
        "CKV_AWS_27",
        "AIS-ENC-001",
        res("aws:sqs/queue:Queue", "q", {"kmsMasterKeyId": KEY_ARN}),
        res("aws:sqs/queue:Queue", "q", {"sqsManagedSseEnabled": True}),
        {},
    ),
    (
        "CKV_AWS_219",
        "AIS-ENC-001",
        res("aws:codepipeline/pipeline:Pipeline", "p", {"artifactStores": [{**_STORE, "encryptionKey": _KMS}]}),
        res("aws:codepipeline/pipeline:Pipeline", "p", {"artifactStores": [_STORE]}),
        {},
    ),
    (
        "CKV_AWS_271",
        "AIS-ENC-001",
        res("aws:dynamodb/tableReplica:TableReplica", "r", {"globalTableArn": _TABLE, "kmsKeyArn": KEY_ARN}),
        res("aws:dynamodb/tableReplica:TableReplica", "r", {"globalTableArn": _TABLE}),
        {},
    ),
    (
        "CKV_GCP_83",
        "AIS-ENC-001",
        res("gcp:pubsub/topic:Topic", "t", {"kmsKeyName": CRYPTO_KEY}),
        res("gcp:pubsub/topic:Topic", "t", {}),
        {},
    ),
    (
        "CKV_AWS_2",
        "AIS-TLS-002",
        res("aws:lb/listener:Listener", "l", {"protocol": "HTTPS", "port": 443}),
        res("aws:lb/listener:Listener", "l", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]}),
        {},
    ),
    (
        "CKV_AWS_34",
        "AIS-TLS-002",
        res("aws:cloudfront/distribution:Distribution", "cdn", _distribution("redirect-to-https")),
        res("aws:cloudfront/distribution:Distribution", "cdn", _distribution("allow-all")),
        {},
    ),
    (
        "CKV_AWS_53",
        "AIS-NET-004",
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {**_BLOCK, "restrictPublicBuckets": True}),
        res(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "pab",
            {**_BLOCK, "blockPublicAcls": False, "restrictPublicBuckets": True},
        ),
        {},
    ),
    (
        "CKV_GCP_28",
        "AIS-NET-004",
        res(
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "m",
            {"bucket": "b", "role": "roles/storage.objectViewer", "member": "user:a@example.com"},
        ),
        res(
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "m",
            {"bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers"},
        ),
        {},
    ),
    (
        "CKV_AWS_38",
        "AIS-NET-001",
        res("aws:eks/cluster:Cluster", "eks", _eks(endpointPublicAccess=False)),
        res("aws:eks/cluster:Cluster", "eks", _eks(endpointPublicAccess=True)),
        {},
    ),
    (
        "CKV_AWS_39",
        "AIS-NET-001",
        res("aws:eks/cluster:Cluster", "eks", _eks(endpointPublicAccess=False)),
        res("aws:eks/cluster:Cluster", "eks", _eks(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])),
        {"AIS-NET-001": {"allowRestrictedPublicEndpoints": False}},
    ),
    (
        "CKV_GCP_43",
        "AIS-KEY-002",
        res("gcp:kms/cryptoKey:CryptoKey", "key", {**_RING, "rotationPeriod": "7776000s"}),
        res("gcp:kms/cryptoKey:CryptoKey", "key", {**_RING, "rotationPeriod": "31536000s"}),
        {},
    ),
    (
        "CKV_GCP_82",
        "AIS-PRT-001",
        res("gcp:kms/cryptoKey:CryptoKey", "key", {**_RING, "rotationPeriod": "7776000s"}),
        res("gcp:kms/cryptoKey:CryptoKey", "key", {**_RING, "rotationPeriod": "7776000s"}, protect=False),
        {},
    ),
]


@pytest.mark.parametrize(
    ("check_id", "rule", "compliant", "violating", "config"), SAMPLES, ids=[sample[0] for sample in SAMPLES]
)
def test_a_covered_check_is_enforced(
    check_id: str, rule: str, compliant: ResourceRecord, violating: ResourceRecord, config: dict[str, Any]
) -> None:
    check = CHECKS[check_id]
    assert check["verdict"] == "covered" and rule in check["rules"]
    assert compliant.type in check["pulumi"] and violating.type in check["pulumi"]
    assert findings(run(compliant, config=config), rule) == []
    assert findings(run(violating, config=config), rule)
