"""The rule framework (``policies/framework.py``) across rules, not one rule's logic.

Suppressions (one hides a finding and is reported; an expired, unexplained or open-ended one is a finding
itself), an unknown value under an advisory rule, and a rule that trips over an unknown value.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from aistacks.engine.graph import ResourceGraph
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES
from aistacks.policies.framework import collect_findings, display, literal

from .fixtures import AWS_EU, BASE_CONFIG, GCP_EU, SSE, TODAY, UNKNOWN, findings, gcs, res, run, s3, sse, urn

# --- suppressions ---------------------------------------------------------------------------------


def test_a_suppression_hides_one_finding_and_is_reported() -> None:
    config = {
        "AIS-RES-001": {
            "allowedJurisdictions": ["eu"],
            "suppressions": [
                {
                    "resource": "legacy-*",
                    "pattern": True,
                    "max": 1,
                    "reason": "migrating the legacy US bucket by Q1",
                    "expires": "2027-03-31",
                }
            ],
        }
    }
    result = run(gcs("legacy-us", "US"), gcs("new-us", "US"), config=config)
    assert [f[0] for f in findings(result, "AIS-RES-001")] == ["new-us"]
    suppressed = [r for r in result.results if r.level is None]
    assert [r.finding.urn.rsplit("::", 1)[-1] for r in suppressed] == ["legacy-us"]
    assert [(s.rule_id, s.resource) for s in result.suppressions] == [("AIS-RES-001", "legacy-*")]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"resource": "legacy-us", "reason": "migrating the legacy US bucket by Q1", "expires": "2026-01-01"},
            "expired",
        ),
        ({"resource": "legacy-us", "reason": "ok", "expires": "2027-01-01"}, "no meaningful reason"),
        ({"resource": "legacy-us", "reason": "migrating the legacy US bucket by Q1"}, "no expiry"),
    ],
)
def test_a_bad_suppression_is_itself_a_violation_and_suppresses_nothing(entry: dict[str, str], problem: str) -> None:
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [entry]}}
    result = run(gcs("legacy-us", "US"), config=config)
    found = findings(result, "AIS-RES-001")
    assert ("legacy-us", "location") in [(f[0], f[1]) for f in found]
    (config_finding,) = [f for f in found if f[1] == "suppressions[0]"]
    assert problem in config_finding[2]
    assert not result.passed


# --- unknown values -------------------------------------------------------------------------------


def test_unknown_value_under_an_advisory_rule_does_not_block() -> None:
    result = run(
        gcs("b", UNKNOWN),
        config={"AIS-RES-001": {"enforcementLevel": "advisory", "allowedJurisdictions": ["eu"]}},
        preview=True,
    )
    (item,) = [r for r in result.results if r.finding.rule_id == "AIS-RES-001"]
    assert item.level is not None
    assert item.level.value == "advisory"
    assert not item.blocking


def test_a_rule_that_trips_over_an_unknown_value_reports_instead_of_passing() -> None:
    from pulumi_policy import Severity

    from aistacks.policies.framework import Check, RuleMeta, stack_policy

    def careless(check: Check, resources: Any) -> None:
        for resource in resources:
            if resource.resource_type == "gcp:storage/bucket:Bucket":
                _ = resource.props["location"]  # reads through the proxy without `read`

    careless_policy = stack_policy(
        RuleMeta("AIS-TST-001", "CarelessTestRule", "t", "a careless test rule", Severity.LOW, "fix it"), careless
    )
    graph = ResourceGraph("fixtures", "test", True, [GCP_EU, gcs("b", UNKNOWN)])
    config = resolve_policy_config({"all": "mandatory"}, [careless_policy], "fixtures")
    result = evaluate(graph, [careless_policy], config, {}, today=TODAY)
    (item,) = result.results
    assert item.level is not None
    assert item.level.value == "mandatory"
    assert item.finding.message.startswith("could not verify location")


# --- provenance: which unknowns are trusted ----------------------------------------------------------

KMS_KEY = "aws:kms/key:Key"
ARN_PATH = "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"


def _encrypted_by_unknown(sources: dict[str, tuple[str, str]] | None) -> GateResult:
    """A bucket encrypted by an unknown key that depends on a KMS key, in preview; ``sources`` is the engine's
    provenance record of the encryption's inputs (None: no record, as under the Pulumi CLI)."""
    key = res(KMS_KEY, "k", {"enableKeyRotation": True})
    bucket = s3("data")
    encryption = sse(bucket, key=UNKNOWN, deps={"rules": [key]})
    encryption.verbatim_sources = sources or {}
    graph = ResourceGraph("fixtures", "test", True, [AWS_EU, key, bucket, encryption])
    config = resolve_policy_config(BASE_CONFIG, POLICIES, "fixtures")
    if sources is not None:
        return evaluate(graph, POLICIES, config, {}, today=TODAY)
    # The rules as the Pulumi CLI runs them: no provenance record at all.
    module = sys.modules["aistacks.gate.evaluate"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "collect_findings", lambda found, today, *_: collect_findings(found, today, None))
        return evaluate(graph, POLICIES, config, {}, today=TODAY)


def _key_findings(result: GateResult) -> list[str]:
    return [m for _, path, m in findings(result, "AIS-ENC-002") if path.endswith("kmsMasterKeyId")]


def test_an_unknown_key_that_is_verbatim_the_keys_arn_is_trusted() -> None:
    key_urn = urn(KMS_KEY, "k")
    assert _key_findings(_encrypted_by_unknown({ARN_PATH: (key_urn, "arn")})) == []


@pytest.mark.parametrize(
    "sources",
    [
        pytest.param({}, id="derived: computed from the key"),
        pytest.param({ARN_PATH: (urn(KMS_KEY, "other"), "arn")}, id="verbatim, of a resource it does not depend on"),
    ],
)
def test_an_unknown_key_not_verbatim_a_keys_identity_cannot_be_verified(sources: dict[str, tuple[str, str]]) -> None:
    (message,) = _key_findings(_encrypted_by_unknown(sources))
    assert message.startswith(f"could not verify {ARN_PATH}")
    assert "not verbatim the output of a resource" in message


@pytest.mark.parametrize(
    ("output", "trusted"), [("arn", True), ("keyId", True), ("description", False), ("tagsAll", False)]
)
def test_flows_from_with_outputs_trusts_only_those_outputs(output: str, trusted: bool) -> None:
    from pulumi_policy import Severity

    from aistacks.policies.framework import KEY_OUTPUTS, Check, RuleMeta, flows_from, stack_policy

    seen: list[list[str]] = []

    def sources(check: Check, resources: Any) -> None:
        for resource in resources:
            if resource.resource_type == SSE:
                seen.append([r.urn for r in flows_from(resource, ARN_PATH, KEY_OUTPUTS)])

    policy = stack_policy(RuleMeta("AIS-TST-002", "SourcesTestRule", "t", "sources", Severity.LOW, "-"), sources)
    key = res(KMS_KEY, "k", {"enableKeyRotation": True})
    encryption = sse(s3("data"), key=UNKNOWN, deps={"rules": [key]})
    encryption.verbatim_sources = {ARN_PATH: (key.urn, output)}
    graph = ResourceGraph("fixtures", "test", True, [AWS_EU, key, encryption])
    evaluate(graph, [policy], resolve_policy_config({"all": "mandatory"}, [policy], "fixtures"), {}, today=TODAY)
    assert seen == [[key.urn] if trusted else []]


def test_under_the_pulumi_cli_no_unknown_is_trusted() -> None:
    """No provenance (the Pulumi CLI): even a key reference that is the key's ARN cannot be verified, and
    the message says where it can be."""
    result = _encrypted_by_unknown(None)
    (message,) = _key_findings(result)
    assert "cannot tell which resource an unknown value comes from" in message
    assert "aistacks gate --preview" in message
    assert not result.passed


def test_a_value_read_through_pulumi_policys_proxies_shows_as_json() -> None:
    """Rules read props through read-only proxies; a finding shows the object and list, never the proxy's repr,
    and an element unknown in a preview in words."""
    value = unknown_checking_proxy({"rules": [{"sse": "aws:kms", "key": UNKNOWN_STRING_VALUE}], "on": True})
    assert literal(value) == '{"on": true, "rules": [{"key": "unknown until the update", "sse": "aws:kms"}]}'
    assert display(value["rules"]) == '[{"key": "unknown until the update", "sse": "aws:kms"}]'
