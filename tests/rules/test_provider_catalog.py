"""The provider catalog (policies/data/provider_catalog.json) matches the installed SDKs and knows the known facts."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aistacks.policies import provider_catalog
from aistacks.policies.requirements import Each, KeyAt
from aistacks.policies.rules import enc_001_cmk_at_rest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "policies" / "data" / "provider_catalog.json"
REGENERATE = "venv/bin/python scripts/provider_catalog.py"
GENERATOR = REPO / "scripts" / "provider_catalog.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("provider_catalog_script", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.mark.parametrize("distribution", ["pulumi-aws", "pulumi-gcp"])
def test_the_catalog_comes_from_the_installed_sdk(distribution: str) -> None:
    installed = importlib.metadata.version(distribution)
    recorded = provider_catalog.sdk_versions().get(distribution)
    assert recorded == installed, (
        f"the provider catalog was generated from {distribution} {recorded}, {installed} is installed: "
        f"regenerate it with `{REGENERATE}` and review the diff"
    )


def test_the_content_is_what_was_generated(generator: ModuleType, data: dict[str, Any]) -> None:
    """A hand edit of the generated types changes their hash: edit the overrides file and regenerate instead."""
    assert generator.content_hash(data["types"]) == data["header"]["contentSha256"], (
        f"policies/data/provider_catalog.json was edited by hand: put the change in "
        f"provider_catalog_overrides.json and run `{REGENERATE}`"
    )
    assert generator.counts(data["types"]) == data["header"]["counts"]


# Regenerating everything imports ~3600 SDK modules (about 40 s): a sample is regenerated here, the whole
# catalog by `scripts/provider_catalog.py --check`.
SAMPLE_EVERY = 97
KNOWN = [
    "aws:rds/instance:Instance",
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
    "aws:ecs/service:Service",
    "gcp:storage/bucketObject:BucketObject",
    "gcp:spanner/instance:Instance",
    "gcp:sql/databaseInstance:DatabaseInstance",
]


def test_regenerating_a_sample_gives_the_checked_in_entries(data: dict[str, Any]) -> None:
    tokens = sorted(data["types"])
    sample = sorted({*tokens[::SAMPLE_EVERY], *KNOWN})
    # In a child process: importing the SDKs' resource modules one by one, as the generator does, leaves
    # their lazily loaded packages without the classes they export (`pulumi_aws.s3.Bucket` missing), which
    # would break every later test of this process that builds a program.
    wanted = json.dumps({token: data["types"][token]["sdkModule"] for token in sample})
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('generator', {str(GENERATOR)!r})\n"
        "module = importlib.util.module_from_spec(spec); sys.modules['generator'] = module\n"
        "spec.loader.exec_module(module)\n"
        "print(json.dumps(module.regenerate_types(json.loads(sys.stdin.read()))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=wanted, capture_output=True, text=True, check=True, timeout=300
    )
    fresh = json.loads(result.stdout)
    for token in sample:
        assert fresh.get(token) == data["types"][token], f"{token} differs from the SDK: run `{REGENERATE}`"


def paths(resource_type: str) -> set[str]:
    return {found.path for found in provider_catalog.key_paths(resource_type)}


@pytest.mark.parametrize(
    ("resource_type", "path"),
    [
        ("aws:rds/instance:Instance", "kmsKeyId"),
        ("aws:rds/cluster:Cluster", "kmsKeyId"),
        ("aws:dynamodb/table:Table", "serverSideEncryption.kmsKeyArn"),
        ("aws:dynamodb/table:Table", "replicas[].kmsKeyArn"),
        ("aws:efs/fileSystem:FileSystem", "kmsKeyId"),
        ("aws:sqs/queue:Queue", "kmsMasterKeyId"),
        ("aws:sns/topic:Topic", "kmsMasterKeyId"),
        ("aws:ecr/repository:Repository", "encryptionConfigurations[].kmsKey"),
        ("aws:sagemaker/notebookInstance:NotebookInstance", "kmsKeyId"),
        ("aws:sagemaker/domain:Domain", "kmsKeyId"),
        ("aws:opensearch/domain:Domain", "encryptAtRest.kmsKeyId"),
        ("aws:ssm/parameter:Parameter", "keyId"),
        ("gcp:sql/databaseInstance:DatabaseInstance", "encryptionKeyName"),
        ("gcp:bigquery/dataset:Dataset", "defaultEncryptionConfiguration.kmsKeyName"),
        ("gcp:compute/disk:Disk", "diskEncryptionKey.kmsKeySelfLink"),
        ("gcp:pubsub/topic:Topic", "kmsKeyName"),
        ("gcp:vertex/aiDataset:AiDataset", "encryptionSpec.kmsKeyName"),
        ("gcp:storage/bucket:Bucket", "encryption.defaultKmsKeyName"),
    ],
)
def test_known_key_paths(resource_type: str, path: str) -> None:
    assert path in paths(resource_type), sorted(paths(resource_type))


def test_every_aws_and_gcp_type_of_enc_001_is_in_the_catalog_with_its_key_path() -> None:
    for resource_type, requirements in enc_001_cmk_at_rest.REQUIREMENTS.items():
        if not resource_type.startswith(("aws:", "gcp:")):
            continue
        expected = {path.replace("[0]", "[]") for requirement in requirements for path in _key_paths_of(requirement)}
        missing = {path for path in expected if path not in paths(resource_type)}
        assert provider_catalog.entry(resource_type) is not None, resource_type
        assert not missing, f"{resource_type}: {sorted(missing)} not in {sorted(paths(resource_type))}"


def _key_paths_of(requirement: object) -> list[str]:
    """The key paths a requirement of AIS-ENC-001 reads (KeyAt's path; inside Each, under its list)."""
    if isinstance(requirement, KeyAt):
        return [requirement.path]
    if isinstance(requirement, Each):
        return [f"{requirement.path}[].{path}" for inner in requirement.requirements for path in _key_paths_of(inner)]
    return []


def test_kms_own_resources_and_transport_keys_are_not_key_paths() -> None:
    assert not [
        token for token in provider_catalog.types_with_key_paths() if token.startswith(("aws:kms/", "gcp:kms/"))
    ]
    assert "serviceConnectConfiguration.services[].tls.kmsKey" not in paths("aws:ecs/service:Service")
    removed = provider_catalog.entry("aws:ecs/service:Service")
    assert removed and removed.removed and all(change.reason for change in removed.removed)


def test_overrides_are_reported_with_their_reason() -> None:
    (ssm,) = [found for found in provider_catalog.key_paths("aws:ssm/parameter:Parameter") if found.path == "keyId"]
    assert ssm.from_override and ssm.override
    assert not any(found.from_override for found in provider_catalog.key_paths("aws:rds/instance:Instance"))


@pytest.mark.parametrize(
    ("resource_type", "own", "replica"),
    [
        ("aws:dynamodb/table:Table", "region", "replicas[].regionName"),
        (
            "aws:ecr/replicationConfiguration:ReplicationConfiguration",
            "region",
            "replicationConfiguration.rules[].destinations[].region",
        ),
        ("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "region", "rules[].destination.bucket"),
        ("gcp:storage/bucket:Bucket", "customPlacementConfig.dataLocations[]", None),
        ("gcp:storage/bucket:Bucket", "location", None),
        ("gcp:bigquery/dataset:Dataset", "location", None),
        ("gcp:spanner/instance:Instance", "config", None),
        ("gcp:sql/databaseInstance:DatabaseInstance", "region", "settings.backupConfiguration.location"),
        ("gcp:container/cluster:Cluster", "location", None),
    ],
)
def test_known_placement_paths(resource_type: str, own: str, replica: str | None) -> None:
    placement = provider_catalog.placement_paths(resource_type)
    assert own in {found.path for found in placement.own}, placement
    if replica:
        assert replica in {found.path for found in placement.replica}, placement


def test_unknown_types_have_no_paths() -> None:
    assert provider_catalog.key_paths("aws:nothing/here:Here") == ()
    assert provider_catalog.placement_paths("aws:nothing/here:Here") == provider_catalog.PlacementPaths((), ())
    assert provider_catalog.entry("aws:nothing/here:Here") is None


def test_list_prefixes() -> None:
    assert provider_catalog.list_prefixes("a[].b[].c") == ("a", "a[].b")
    assert provider_catalog.list_prefixes("kmsKeyId") == ()


def test_counts_summary(capsys: pytest.CaptureFixture[str]) -> None:
    counts = provider_catalog.counts()
    with capsys.disabled():
        print(f"\nprovider catalog {dict(provider_catalog.sdk_versions().versions)}: {json.dumps(counts)}")
    assert counts["aws"]["typesWithKeyPaths"] == sum(
        1 for token in provider_catalog.types_with_key_paths() if token.startswith("aws:")
    )
    assert counts["aws"]["typesWithKeyPaths"] > 150
    assert counts["gcp"]["typesWithKeyPaths"] > 100
    assert len(provider_catalog.types_with_placement()) > 2000
