"""The policy pack as the Pulumi CLI runs it, and the pulumi-policy internals the gate relies on."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata

import grpc
import jsonschema
import pytest
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from packaging.specifiers import SpecifierSet
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.policy import _PolicyAnalyzerServicer

from aistacks.gate import load_policy_config
from aistacks.policies import POLICIES, RULES

from .conftest import ENVIRONMENTS, REPO

PACK = REPO / "policies"


def test_pulumi_policy_is_within_the_pinned_range() -> None:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in dependencies if d.startswith("pulumi-policy")]
    assert metadata.version("pulumi-policy") in SpecifierSet(pin.removeprefix("pulumi-policy"))


def test_the_analyzer_servicer_has_the_shape_the_gate_drives() -> None:
    """If pulumi-policy changes its internal servicer, this fails before the gate misbehaves."""
    parameters = list(inspect.signature(_PolicyAnalyzerServicer.__init__).parameters)
    assert parameters[:5] == ["self", "name", "version", "policies", "enforcement_level"]
    for method in ("Analyze", "AnalyzeStack", "Configure", "ConfigureStack"):
        # Called positionally as (request, context) by the gate, as by gRPC.
        assert len(inspect.signature(getattr(_PolicyAnalyzerServicer, method)).parameters) == 3, method
    assert {f.name for f in analyzer_pb2.AnalyzerResource.DESCRIPTOR.fields} >= {
        "type", "properties", "urn", "name", "options", "provider", "parent", "dependencies", "propertyDependencies"
    }  # fmt: skip
    assert {f.name for f in analyzer_pb2.AnalyzeDiagnostic.DESCRIPTOR.fields} >= {
        "policyName", "message", "enforcementLevel", "urn"
    }  # fmt: skip


def test_every_rule_has_an_id_severity_description_and_remediation() -> None:
    assert [policy.name for policy in POLICIES] == [rule.id for rule in RULES]
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule, policy in zip(RULES, POLICIES, strict=True):
        assert re.fullmatch(r"AIS-[A-Z]{3,4}-\d{3}", rule.id)
        assert policy.severity is not None
        assert len(policy.description) > 40
        assert policy.remediation_steps and len(policy.remediation_steps) > 30
        assert policy.config_schema is not None
        assert "suppressions" in policy.config_schema.properties


def test_pulumi_policy_yaml_runs_the_pack_in_the_project_venv() -> None:
    document = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert document["runtime"]["name"] == "python"
    assert (PACK / document["runtime"]["options"]["virtualenv"]).resolve() == (REPO / "venv").resolve()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_has_a_policy_config_bound_to_its_jurisdiction(env: str) -> None:
    config = load_policy_config(PACK / "config" / f"{env}.json", POLICIES)
    stack = yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text())["config"]["aistacks:platform"]
    for rule in ("AIS-RES-001", "AIS-RES-002"):
        assert config[rule].properties["allowedJurisdictions"] == [stack["jurisdiction"]]
        assert config[rule].level.value == "mandatory"
    assert config["AIS-PRT-001"].level.value == ("disabled" if env == "dev" else "mandatory")


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack started as the Pulumi CLI starts it: `python policies/__main__.py`, port on stdout."""
    process = subprocess.Popen([sys.executable, str(PACK / "__main__.py")], stdout=subprocess.PIPE, cwd=PACK)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_pack_serves_every_rule(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "aistacks-guardrails"
    assert [policy.name for policy in info.policies] == [rule.id for rule in RULES]
    levels = {policy.name: policy.enforcementLevel for policy in info.policies}
    # An unreviewed type or chart is a question for a person, not a defect: advisory unless a config says otherwise.
    assert levels.pop("AIS-COV-001") == levels.pop("AIS-NET-005") == analyzer_pb2.ADVISORY
    assert set(levels.values()) == {analyzer_pb2.MANDATORY}


def test_the_schema_the_cli_validates_with_knows_the_jurisdictions(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """`pulumi preview --policy-pack-config` checks the config against the schemas the pack serves."""
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    schemas = {policy.name: json_format.MessageToDict(policy.configSchema.properties) for policy in info.policies}
    for rule in ("AIS-RES-001", "AIS-RES-002"):
        schema = schemas[rule]["allowedJurisdictions"]
        jsonschema.validate(["eu", "us"], schema)
        for bad in (["EU"], ["mars"]):
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(bad, schema)


def test_the_pack_reports_a_violation_over_grpc(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    properties = struct_pb2.Struct()
    json_format.ParseDict({"enableKeyRotation": False}, properties)
    response = analyzer.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type="aws:kms/key:Key", properties=properties, urn="urn:pulumi:s::p::aws:kms/key:Key::k", name="k"
        )
    )
    (diagnostic,) = [d for d in response.diagnostics if d.policyName == "AIS-KEY-001"]
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "automatic key rotation is off" in diagnostic.message
    assert json.loads(json.dumps(diagnostic.urn)) == "urn:pulumi:s::p::aws:kms/key:Key::k"
