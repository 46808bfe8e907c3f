"""The mock cloud's generic answers: any type or function a program holds plans and gates, and says so."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from aistacks.cli import main
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.cloud import FUNCTION_HANDLERS, RESOURCE_HANDLERS, MissingRegionError, MockCloud, generic
from aistacks.engine.cloud.base import Called, Created
from aistacks.engine.render import render_tree

PROGRAM = Path(__file__).parent / "programs" / "generic_types"
STACK_FILE = PROGRAM / "Pulumi.test.yaml"
RDS = "aws:rds/instance:Instance"
CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
ENGINE_VERSION = "aws:rds/getEngineVersion:getEngineVersion"
GENERIC_LINE = f"modelled generically (outputs echo the inputs): {RDS}, {CLOUD_SQL}"
FUNCTION_LINE = f"functions answered generically (results echo the arguments): {ENGINE_VERSION}"
EU_ONLY = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
    "AIS-KEY-002": {"maxRotationDays": 90},
}


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_stack_file(load_project(PROGRAM), STACK_FILE)


@pytest.fixture(scope="module")
def policy_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "eu.json"
    path.write_text(json.dumps(EU_ONLY), encoding="utf-8")
    return path


# --- the program: an RDS instance and a Cloud SQL instance, one function the mock does not model ----


def test_the_graph_records_what_was_answered_generically(graph: ResourceGraph) -> None:
    assert graph.generic_types == {RDS, CLOUD_SQL}
    assert graph.generic_functions == {ENGINE_VERSION}
    assert RDS not in RESOURCE_HANDLERS and CLOUD_SQL not in RESOURCE_HANDLERS, "the program must stay unmodelled"
    assert ENGINE_VERSION not in FUNCTION_HANDLERS
    keys = {"urn", "type", "name", "parent", "provider", "inputs", "protect", "retain_on_delete", "depends_on"}
    assert all(set(record) == keys for record in graph.to_json()), "the --json plan has no field for them"


def test_generic_outputs_reach_the_program(graph: ResourceGraph) -> None:
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    assert stack.outputs["orders_arn"].startswith("arn:aws:rds:eu-central-1:111122223333:instance/orders-")
    assert stack.outputs["ledger_path"].startswith("projects/acme-orders/regions/europe-west4/databaseInstances/")
    (orders,) = graph.of_type(RDS)
    assert orders.inputs["engineVersion"] == "16.4", "the invoke's answer echoes its arguments"


@pytest.mark.parametrize("mode", [[], ["--preview"]], ids=["update", "preview"])
def test_plan_names_the_generic_types(mode: list[str]) -> None:
    code, out, err = cli("plan", "--stack-file", str(STACK_FILE), "--project-dir", str(PROGRAM), *mode)
    assert code == 0, err
    assert f"\n{GENERIC_LINE}\n{FUNCTION_LINE}\n" in out
    assert f"1  {RDS}" in out


@pytest.mark.parametrize("mode", [[], ["--preview"]], ids=["update", "preview"])
def test_the_compliant_program_passes_the_gate(policy_config: Path, mode: list[str]) -> None:
    args = ["--stack-file", str(STACK_FILE), "--project-dir", str(PROGRAM), "--policy-config", str(policy_config)]
    code, out, err = cli("gate", *args, *mode)
    assert code == 0, out + err
    assert out.startswith("aistacks gate: stack test (")
    assert "PASSED" in out.splitlines()[0]
    assert out.endswith(f"\n{GENERIC_LINE}\n{FUNCTION_LINE}\n")


def test_generic_types_are_still_checked_by_the_gate(tmp_path: Path) -> None:
    config = tmp_path / "us.json"
    config.write_text(json.dumps({"all": "mandatory", "AIS-RES-001": {"allowedJurisdictions": ["us"]}}))
    args = ["--stack-file", str(STACK_FILE), "--project-dir", str(PROGRAM), "--policy-config", str(config)]
    code, out, _ = cli("gate", *args, "--format", "json")
    assert code == 1
    failed = {finding["resourceType"] for finding in json.loads(out)["findings"]}
    assert {RDS, CLOUD_SQL} <= failed, "residency applies to types the mock does not model"


def test_the_repository_plan_has_no_generic_line(plan: Any) -> None:
    graph = plan("dev", False)
    assert not graph.generic_types and not graph.generic_functions
    assert "generically" not in render_tree(graph)


# --- a program without a region ----------------------------------------------------------------------


def write_program(folder: Path, source: str, config: str = "config: {}\n") -> Path:
    (folder / "Pulumi.yaml").write_text("name: regionless\nruntime: python\n", encoding="utf-8")
    (folder / "__main__.py").write_text(source, encoding="utf-8")
    stack_file = folder / "Pulumi.dev.yaml"
    stack_file.write_text(config, encoding="utf-8")
    return stack_file


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_zones_without_a_region_are_a_usage_error_naming_aws_region(
    tmp_path: Path, policy_config: Path, command: str
) -> None:
    stack_file = write_program(
        tmp_path, "import pulumi_aws as aws\n\nzones = aws.get_availability_zones()\naws.s3.Bucket('b')\n"
    )
    extra = ["--policy-config", str(policy_config)] if command == "gate" else []
    code, out, err = cli(command, "--stack-file", str(stack_file), "--project-dir", str(tmp_path), *extra)
    assert code == 2, out + err
    assert err.startswith("aistacks: aws:index/getAvailabilityZones:getAvailabilityZones needs an AWS region")
    assert "aws:region" in err


def test_regionless_gcp_calls_and_resources_answer(tmp_path: Path) -> None:
    stack_file = write_program(
        tmp_path,
        "import pulumi, pulumi_gcp as gcp\n\n"
        "project = gcp.organizations.get_project()\n"
        "net = gcp.compute.Network('net', auto_create_subnetworks=False)\n"
        "gcp.compute.Subnetwork('sub', network=net.id, ip_cidr_range='10.0.0.0/24')\n"
        "pulumi.export('number', project.number)\n",
        "config:\n  gcp:project: acme\n",
    )
    graph = run_stack_file(load_project(tmp_path), stack_file)
    assert len(graph.of_type("gcp:compute/subnetwork:Subnetwork")) == 1
    assert not graph.generic_types


# --- the synthesis -----------------------------------------------------------------------------------


def created(type_token: str, name: str, inputs: dict[str, Any], region: str = "eu-central-1") -> Created:
    return Created(type_token, name, inputs, region, "111122223333", "acme")


@pytest.mark.parametrize(
    ("type_token", "inputs", "expected_id", "expected_arn"),
    [
        # Pinned values: the same in every process (no salted hash()), as a plan diffed across runs needs.
        (RDS, {}, "orders-c63c12e", "arn:aws:rds:eu-central-1:111122223333:instance/orders-c63c12e"),
        (RDS, {"identifier": "orders-db"}, "orders-db", "arn:aws:rds:eu-central-1:111122223333:instance/orders-db"),
        (
            "aws:lambda/function:Function",
            {"name": "resize"},
            "resize",
            "arn:aws:lambda:eu-central-1:111122223333:function/resize",
        ),
        ("aws:iam/user:User", {"name": "ci"}, "ci", "arn:aws:iam::111122223333:user/ci"),
        ("aws:s3/bucketNotification:BucketNotification", {"name": "n"}, "n", "arn:aws:s3:::bucket-notification/n"),
        (
            "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
            {"name": "p"},
            "p",
            "arn:aws:ec2:eu-central-1:111122223333:vpc-peering-connection/p",
        ),
    ],
)
def test_aws_ids_and_arns_follow_the_type_token(
    type_token: str, inputs: dict[str, Any], expected_id: str, expected_arn: str
) -> None:
    resource_id, outputs = generic.resource(created(type_token, "orders", inputs))
    assert (resource_id, outputs) == (expected_id, {"arn": expected_arn})


@pytest.mark.parametrize(
    ("type_token", "inputs", "expected_path", "self_link"),
    [
        (
            CLOUD_SQL,
            {"region": "europe-west4", "name": "ledger"},
            "projects/acme/regions/europe-west4/databaseInstances/ledger",
            False,
        ),
        (
            "gcp:compute/instance:Instance",
            {"zone": "europe-west4-a", "name": "vm"},
            "projects/acme/zones/europe-west4-a/instances/vm",
            True,
        ),
        ("gcp:compute/healthCheck:HealthCheck", {"name": "hc"}, "projects/acme/global/healthChecks/hc", True),
        ("gcp:pubsub/topic:Topic", {"name": "t", "project": "other"}, "projects/other/topics/t", False),
        (
            "gcp:artifactregistry/repository:Repository",
            {"location": "europe-west4", "repositoryId": "images"},
            "projects/acme/locations/europe-west4/repositories/images",
            False,
        ),
        (
            "gcp:compute/resourcePolicy:ResourcePolicy",
            {"name": "p", "region": "europe-west4"},
            "projects/acme/regions/europe-west4/resourcePolicies/p",
            True,
        ),
    ],
)
def test_gcp_paths_follow_the_type_token(
    type_token: str, inputs: dict[str, Any], expected_path: str, self_link: bool
) -> None:
    path, outputs = generic.resource(created(type_token, "x", inputs))
    assert path == expected_path
    assert outputs["name"] == expected_path.rsplit("/", 1)[1]
    assert outputs.get("selfLink") == (f"https://www.googleapis.com/compute/v1/{path}" if self_link else None)


def test_gcp_names_are_auto_named_when_the_inputs_give_none() -> None:
    path, outputs = generic.resource(created(CLOUD_SQL, "ledger", {"region": "europe-west4"}))
    assert path == "projects/acme/regions/europe-west4/databaseInstances/ledger-b505175"
    assert outputs == {"name": "ledger-b505175"}


def test_any_kubernetes_kind_gets_the_api_servers_metadata() -> None:
    resource_id, outputs = generic.resource(
        created("kubernetes:apps/v1:Deployment", "web", {"metadata": {"namespace": "shop", "labels": {"a": "b"}}})
    )
    assert resource_id == "shop/web-85970ee5"
    assert outputs == {
        "metadata": {
            "namespace": "shop",
            "labels": {"a": "b"},
            "name": "web-85970ee5",
            "uid": "50b4b6c6-c894-5c53-9fec-60361e9af06f",
            "resourceVersion": "1",
        }
    }


def test_other_packages_get_a_stable_id_only() -> None:
    assert generic.resource(created("random:index/randomString:RandomString", "s", {"length": 8})) == ("s-8155279", {})


def test_generic_function_echoes_its_arguments_with_a_stable_id() -> None:
    call = Called(ENGINE_VERSION, {"engine": "postgres"}, "eu-central-1", "111122223333", "")
    assert generic.function(call) == {"engine": "postgres", "id": "01a67a05886e26ffdf84"}
    other = Called(ENGINE_VERSION, {"engine": "mysql"}, "eu-central-1", "111122223333", "")
    assert generic.function(other)["id"] != "01a67a05886e26ffdf84", "the id depends on the arguments"


@pytest.mark.parametrize(
    ("type_name", "kebab", "collection"),
    [
        ("Instance", "instance", "instances"),
        ("DatabaseInstance", "database-instance", "databaseInstances"),
        ("IAMMember", "iam-member", "iAMMembers"),
        ("Policy", "policy", "policies"),
        ("Gateway", "gateway", "gateways"),
        ("Address", "address", "addresses"),
    ],
)
def test_type_names_spelled_as_the_clouds_spell_kinds(type_name: str, kebab: str, collection: str) -> None:
    assert generic.kebab(type_name) == kebab
    assert generic.collection(type_name) == collection


# --- the mock cloud itself -----------------------------------------------------------------------------


def resource_args(type_token: str, inputs: dict[str, Any]) -> MockResourceArgs:
    return MockResourceArgs(typ=type_token, name="orders", inputs=inputs, provider="", resource_id="", custom=True)


def test_preview_answers_unmodelled_types_with_their_inputs_and_records_them() -> None:
    cloud = MockCloud({"aws:region": "eu-west-1"}, preview=True)
    assert cloud.new_resource(resource_args(RDS, {"engine": "postgres"})) == (None, {"engine": "postgres"})
    assert cloud.generic_types == {RDS}


def test_update_merges_the_generic_outputs_over_the_inputs() -> None:
    cloud = MockCloud({"aws:region": "eu-west-1"}, preview=False)
    resource_id, state = cloud.new_resource(resource_args(RDS, {"engine": "postgres", "identifier": "db"}))
    assert resource_id == "db"
    assert state == {"engine": "postgres", "identifier": "db", "arn": "arn:aws:rds:eu-west-1:111122223333:instance/db"}
    cloud.new_resource(resource_args("aws:kms/key:Key", {}))
    assert cloud.generic_types == {RDS}, "modelled types are not recorded"


def test_unmodelled_functions_are_answered_and_recorded() -> None:
    cloud = MockCloud({"aws:region": "eu-west-1"}, preview=False)
    answer, failures = cloud.call(MockCallArgs(token=ENGINE_VERSION, args={"engine": "postgres"}, provider=""))
    assert answer["engine"] == "postgres" and answer["id"]
    assert failures == []
    cloud.call(MockCallArgs(token="aws:index/getRegion:getRegion", args={}, provider=""))
    assert cloud.generic_functions == {ENGINE_VERSION}


@pytest.mark.parametrize(
    "token", ["aws:index/getAvailabilityZones:getAvailabilityZones", "aws:index/getRegion:getRegion"]
)
def test_regional_aws_answers_need_a_region(token: str) -> None:
    cloud = MockCloud({}, preview=False)
    with pytest.raises(MissingRegionError, match="aws:region"):
        cloud.call(MockCallArgs(token=token, args={}, provider=""))
    answer, _ = cloud.call(MockCallArgs(token=token, args={"region": "eu-west-3"}, provider=""))
    assert answer["id"] == "eu-west-3", "a call's own region argument is enough"
