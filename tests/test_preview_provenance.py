"""In a preview, an unknown value is trusted as a key only when it *is* the key's output, not computed from it.

``tests/programs/preview_provenance`` encrypts an S3 bucket (``aistacks.aws.EncryptedBucket``) and a Cloud
Storage bucket (``aistacks.gcp.EncryptedBucket``) with its keys: verbatim (``key.arn``, the crypto key's
``id``), or, in the ``derived`` stack, with values computed from the keys' outputs
(``key.arn.apply(lambda _: "alias/aws/s3")``, ``ring.id.apply(lambda _: None)``). In a preview both reach the
engine alike: unknown, depending on the key. The offline engine records which is which
(:mod:`aistacks.engine.provenance`), so the derived stack fails ``--preview`` ("could not verify") as it
fails the update (the AWS-managed key, no key at all).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.output import Output
from pulumi.runtime import rpc

from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.graph import UNKNOWN_SENTINEL, ResourceRecord
from aistacks.engine.provenance import HOLE_PREFIX
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

PROGRAM = Path(__file__).parent / "programs" / "preview_provenance"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
GCS = "gcp:storage/bucket:Bucket"
AWS_KEY_PATH = "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"
GCS_KEY_PATH = "encryption.defaultKmsKeyName"
POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
POLICY_KEY_PATH = "policy.KmsARN"
CONFIG = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
}
STACK_CONFIG = {"aws:region": "eu-north-1", "gcp:project": "acme-provenance", "gcp:region": "europe-north1"}


def plan(stack: str, *, preview: bool) -> ResourceGraph:
    return run_stack_file(load_project(PROGRAM), PROGRAM / f"Pulumi.{stack}.yaml", preview=preview)


def gate(graph: ResourceGraph) -> GateResult:
    return evaluate(graph, POLICIES, resolve_policy_config(CONFIG, POLICIES, "test"), STACK_CONFIG)


def key_findings(result: GateResult) -> dict[tuple[str, str], str]:
    """``(resource type, path): message`` of every blocking finding about the buckets' and the collection's
    keys."""
    return {
        (r.finding.resource_type, r.finding.path): r.finding.message
        for r in result.results
        if r.blocking and r.finding.path in (AWS_KEY_PATH, GCS_KEY_PATH, POLICY_KEY_PATH)
    }


def only(graph: ResourceGraph, type_token: str) -> ResourceRecord:
    (record,) = graph.of_type(type_token)
    return record


def test_the_engine_records_which_unknowns_are_verbatim_outputs() -> None:
    graph = plan("verbatim", preview=True)
    sse, bucket = only(graph, SSE), only(graph, GCS)
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN_SENTINEL
    (key,) = graph.of_type("aws:kms/key:Key")
    (crypto_key,) = graph.of_type("gcp:kms/cryptoKey:CryptoKey")
    assert sse.verbatim_sources[AWS_KEY_PATH] == (key.urn, "arn")
    assert bucket.verbatim_sources[GCS_KEY_PATH] == (crypto_key.urn, "id")


def test_the_engine_records_no_source_for_a_derived_unknown() -> None:
    graph = plan("derived", preview=True)
    sse, bucket = only(graph, SSE), only(graph, GCS)
    # What the engine sees is the same as for the verbatim stack: unknown, depending on the key.
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN_SENTINEL
    assert bucket.inputs["encryption"]["defaultKmsKeyName"] == UNKNOWN_SENTINEL
    assert sse.property_dependencies["rules"] and bucket.property_dependencies["encryption"]
    assert AWS_KEY_PATH not in sse.verbatim_sources
    assert GCS_KEY_PATH not in bucket.verbatim_sources


def test_the_engine_records_a_json_document_around_verbatim_outputs_as_a_template() -> None:
    graph = plan("verbatim", preview=True)
    policy = only(graph, POLICY)
    (key,) = graph.of_type("aws:kms/key:Key")
    assert policy.inputs["policy"] == UNKNOWN_SENTINEL
    text, holes = policy.document_templates["policy"]
    ((placeholder, source),) = holes.items()
    assert placeholder.startswith(HOLE_PREFIX) and source == (key.urn, "arn")
    assert json.loads(text) == {
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/vectors"]}],
        "AWSOwnedKey": False,
        "KmsARN": placeholder,
    }


def test_a_json_document_around_a_derived_value_has_no_template() -> None:
    policy = only(plan("derived", preview=True), POLICY)
    assert policy.inputs["policy"] == UNKNOWN_SENTINEL and policy.document_templates == {}


def test_a_known_document_needs_no_template() -> None:
    policy = only(plan("verbatim", preview=False), POLICY)
    assert json.loads(policy.inputs["policy"])["KmsARN"].startswith("arn:aws:kms:")
    assert policy.document_templates == {}


def test_the_verbatim_stack_passes_its_key_checks_in_preview_and_update() -> None:
    assert key_findings(gate(plan("verbatim", preview=True))) == {}
    assert key_findings(gate(plan("verbatim", preview=False))) == {}


def test_the_derived_stack_cannot_be_verified_in_preview() -> None:
    result = gate(plan("derived", preview=True))
    found = key_findings(result)
    found |= {  # the whole document: no template, since a value in it is computed
        (r.finding.resource_type, r.finding.path): r.finding.message
        for r in result.results
        if r.blocking and r.finding.rule_id == "AIS-ENC-003"
    }
    assert set(found) == {(SSE, AWS_KEY_PATH), (GCS, GCS_KEY_PATH), (POLICY, "policy")}
    for path, message in (
        (AWS_KEY_PATH, found[SSE, AWS_KEY_PATH]),
        (GCS_KEY_PATH, found[GCS, GCS_KEY_PATH]),
        ("policy", found[POLICY, "policy"]),
    ):
        assert message.startswith(f"could not verify {path}: it is unknown until the update")
        assert "not verbatim the output of a resource" in message


def test_the_derived_stack_fails_the_update_for_what_it_is() -> None:
    found = key_findings(gate(plan("derived", preview=False)))
    assert found[SSE, AWS_KEY_PATH] == "an AWS-managed key, not a customer-managed one"
    assert found[GCS, GCS_KEY_PATH].startswith("no customer-managed key")
    assert found[POLICY, POLICY_KEY_PATH] == "an AWS-managed key, not a customer-managed one"


@pytest.mark.parametrize("stack", ["verbatim", "derived"])
def test_the_sdk_is_restored_after_a_run(stack: str) -> None:
    original = (rpc.serialize_properties, rpc.serialize_property, Output.json_dumps)
    plan(stack, preview=True)
    assert (rpc.serialize_properties, rpc.serialize_property, Output.json_dumps) == original
    assert rpc.serialize_property.__module__ == "pulumi.runtime.rpc"
