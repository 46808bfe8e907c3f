"""aistacks imported into a user's own program: components on default providers, and the grants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.graph import display_value
from aistacks.engine.run import DefaultProviderDisabledError

PROGRAM = Path(__file__).parent / "programs" / "library"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    project = load_project(PROGRAM)
    return run_stack_file(project, project.stack_file("test"))


def test_resources_on_the_default_provider_name_the_provider_the_engine_would_create(graph: ResourceGraph) -> None:
    (bucket,) = graph.of_type("aws:s3/bucket:Bucket")
    assert bucket.provider is not None
    assert bucket.provider.startswith("urn:pulumi:test::library-user::pulumi:providers:aws::default_7_")
    provider = graph.get(bucket.provider)
    assert provider is not None
    assert provider.inputs["region"] == "eu-north-1", "the default provider carries the stack's aws:* config"


def test_aws_grants_cover_the_bucket_and_its_key(graph: ResourceGraph) -> None:
    policies = {
        r.name: json.loads(display_value(r.inputs)["policy"]) for r in graph.of_type("aws:iam/rolePolicy:RolePolicy")
    }
    assert set(policies) == {"features-read-trainer", "features-write-trainer"}
    (key,) = graph.of_type("aws:kms/key:Key")
    (alias,) = graph.of_type("aws:kms/alias:Alias")
    key_id = display_value(alias.inputs)["targetKeyId"]
    read = {s["Sid"]: s for s in policies["features-read-trainer"]["Statement"]}
    assert read["Objects"]["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert read["UseBucketKey"]["Action"] == ["kms:Decrypt"]
    assert read["UseBucketKey"]["Resource"].endswith(f":key/{key_id}")
    assert read["UseBucketKey"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-north-1.amazonaws.com"}}
    write = {s["Sid"]: s for s in policies["features-write-trainer"]["Statement"]}
    assert "s3:PutObject" in write["Objects"]["Action"]
    assert "kms:GenerateDataKey" in write["UseBucketKey"]["Action"]
    assert "s3:DeleteObject" not in json.dumps(policies), "neither grant deletes"
    assert key.protect is False


def test_gcp_buckets_share_one_service_agent_grant(graph: ResourceGraph) -> None:
    grants = graph.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert len(grants) == 1, "two buckets on one key need the storage agent's grant once"
    member = display_value(grants[0].inputs)["member"]
    assert member.startswith("serviceAccount:service-")
    assert member.endswith("@gs-project-accounts.iam.gserviceaccount.com")
    for bucket in graph.of_type("gcp:storage/bucket:Bucket"):
        assert grants[0].urn in bucket.depends_on


def test_gcp_bucket_grants_use_bucket_roles(graph: ResourceGraph) -> None:
    members = {r.name: display_value(r.inputs) for r in graph.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")}
    assert members["raw-read-runner"]["role"] == "roles/storage.objectViewer"
    assert (
        members["raw-read-runner"]["member"]
        == "serviceAccount:feature-runner@acme-feature-store.iam.gserviceaccount.com"
    )
    assert members["curated-write-group-ml-platform-example-com"]["role"] == "roles/storage.objectCreator"
    assert len(members) == 4


def test_a_stack_that_disables_default_providers_rejects_them(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.locked.yaml"
    stack.write_text(
        (PROGRAM / "Pulumi.test.yaml").read_text() + '  pulumi:disable-default-providers: ["aws"]\n', encoding="utf-8"
    )
    with pytest.raises(DefaultProviderDisabledError, match="Default provider for 'aws' disabled"):
        run_stack_file(load_project(PROGRAM), stack)


def test_an_invoke_on_a_disabled_default_provider_fails_as_in_the_pulumi_cli(tmp_path: Path) -> None:
    program = tmp_path / "invoker"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: invoker\nruntime: python\n", encoding="utf-8")
    (program / "__main__.py").write_text("import pulumi_aws as aws\naws.get_region_output()\n", encoding="utf-8")
    stack = program / "Pulumi.test.yaml"
    stack.write_text('config:\n  aws:region: eu-west-1\n  pulumi:disable-default-providers: ["*"]\n', encoding="utf-8")
    with pytest.raises(DefaultProviderDisabledError, match="aws:index/getRegion:getRegion"):
        run_stack_file(load_project(program), stack)
