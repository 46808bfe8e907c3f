"""Helpers every rule's tests share: fixture graphs in engine form, and the gate that judges them.

Fixtures are resource graphs as the engine records them (camelCase inputs, the wire's unknown
marker, provider resources, property dependencies); they reach the rules through pulumi-policy's
analyzer servicer, exactly as ``aistacks gate`` sends a real plan. ``run`` evaluates every rule of the
pack (mandatory, EU only unless ``config`` says otherwise); ``findings`` and ``only`` pick one rule's.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from aistacks.engine.graph import UNKNOWN_SENTINEL, ResourceGraph, ResourceRecord
from aistacks.engine.provenance import HOLE_PREFIX, Template
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

TODAY = dt.date(2026, 11, 27)
UNKNOWN = UNKNOWN_SENTINEL
BASE_CONFIG: dict[str, Any] = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
}
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CRYPTO_KEY = "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::fixtures::{type_token}::{name}"


def provider(cloud: str, name: str = "eu", **props: Any) -> ResourceRecord:
    type_token = f"pulumi:providers:{cloud}"
    return ResourceRecord(urn(type_token, name), type_token, name, True, None, None, props)


AWS_EU = provider("aws", region="eu-west-1")
AWS_US = provider("aws", "us", region="us-east-1")
GCP_EU = provider("gcp", project="p", region="europe-west4")


def res(
    type_token: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    on: ResourceRecord | None = None,
    *,
    protect: bool = True,
    deps: dict[str, list[ResourceRecord]] | None = None,
) -> ResourceRecord:
    on = on if on is not None else (GCP_EU if type_token.startswith("gcp:") else AWS_EU)
    return ResourceRecord(
        urn(type_token, name),
        type_token,
        name,
        True,
        None,
        on.urn,
        inputs or {},
        protect=protect,
        property_dependencies={key: [r.urn for r in records] for key, records in (deps or {}).items()},
    )


def run(
    *records: ResourceRecord,
    config: dict[str, Any] | None = None,
    stack_config: dict[str, str] | None = None,
    preview: bool = False,
) -> GateResult:
    providers = [p for p in (AWS_EU, AWS_US, GCP_EU) if any(r.provider == p.urn for r in records)]
    graph = ResourceGraph("fixtures", "test", preview, [*providers, *records])
    resolved = resolve_policy_config({**BASE_CONFIG, **(config or {})}, POLICIES, "fixtures")
    return evaluate(graph, POLICIES, resolved, stack_config or {}, today=TODAY)


def findings(result: GateResult, rule: str) -> list[tuple[str, str, str]]:
    """(resource name, path, message) of each unsuppressed finding of ``rule``."""
    return [
        (r.finding.urn.rsplit("::", 1)[-1], r.finding.path, r.finding.message)
        for r in result.results
        if r.finding.rule_id == rule and r.level is not None
    ]


def only(result: GateResult, rule: str) -> tuple[str, str, str]:
    found = findings(result, rule)
    assert len(found) == 1, found
    return found[0]


# --- builders several rules' tests share ----------------------------------------------------------


def gcs(name: str, location: str, **extra: Any) -> ResourceRecord:
    return res(
        "gcp:storage/bucket:Bucket",
        name,
        {
            "location": location,
            "encryption": {"defaultKmsKeyName": CRYPTO_KEY},
            "publicAccessPrevention": "enforced",
            **extra,
        },
    )


SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def s3(name: str = "data", **extra: Any) -> ResourceRecord:
    return res("aws:s3/bucket:Bucket", name, {"bucket": f"{name}-bucket", **extra})


def sse(bucket: ResourceRecord, algorithm: str = "aws:kms", key: str = KEY_ARN, **kw: Any) -> ResourceRecord:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": key}}
    return res(SSE, f"{bucket.name}-sse", {"bucket": bucket.inputs["bucket"], "rules": [rule]}, **kw)


K8S = provider("kubernetes", "cluster")


def k8s_res(type_token: str, name: str, props: dict[str, Any]) -> ResourceRecord:
    return res(type_token, name, props, K8S)


COLLECTION = "aws:opensearch/serverlessCollection:ServerlessCollection"
SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
VPC_ENDPOINT = "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint"
INDEX = "gcp:vertex/aiIndex:AiIndex"
INDEX_ENDPOINT = "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"
VPCE = "vpce-050f79086ee71ac05"


def collection(name: str = "vectors", depends_on: tuple[ResourceRecord, ...] = (), **extra: Any) -> ResourceRecord:
    record = res(COLLECTION, name, {"name": name, "type": "VECTORSEARCH", **extra})
    record.depends_on = [r.urn for r in depends_on]
    return record


HOLE = f"{HOLE_PREFIX}0"
"""The placeholder of a template's first unknown value (:func:`templated`)."""


def templated(record: ResourceRecord, path: str, document: Any, *sources: tuple[ResourceRecord, str]) -> ResourceRecord:
    """``record`` whose document at ``path``, unknown at preview, was written by ``Output.json_dumps`` as
    ``document`` around the outputs ``sources`` (``(resource, output name)``, the first at :data:`HOLE`),
    as the offline engine records it."""
    holes = {f"{HOLE_PREFIX}{index}": (source.urn, output) for index, (source, output) in enumerate(sources)}
    record.document_templates[path] = Template(json.dumps(document), holes)
    return record


def security_policy(kind: str, document: Any, name: str = "p", **deps: list[ResourceRecord]) -> ResourceRecord:
    policy = document if isinstance(document, str) else json.dumps(document)
    return res(SECURITY_POLICY, f"{name}-{kind}", {"name": name, "type": kind, "policy": policy}, deps=deps)
