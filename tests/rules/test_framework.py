"""The rule framework (``policies/framework.py``) across rules, not one rule's logic.

Suppressions (one hides a finding and is reported; an expired, unexplained or open-ended one is a finding
itself), an unknown value under an advisory rule, and a rule that trips over an unknown value.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.engine.graph import ResourceGraph
from aistacks.gate import evaluate
from aistacks.gate.config import resolve_policy_config

from .fixtures import GCP_EU, TODAY, UNKNOWN, findings, gcs, run

# --- suppressions ---------------------------------------------------------------------------------


def test_a_suppression_hides_one_finding_and_is_reported() -> None:
    config = {
        "AIS-RES-001": {
            "allowedJurisdictions": ["eu"],
            "suppressions": [
                {"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1", "expires": "2027-03-31"}
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
            {"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1", "expires": "2026-01-01"},
            "expired",
        ),
        ({"resource": "legacy-*", "reason": "ok", "expires": "2027-01-01"}, "no meaningful reason"),
        ({"resource": "legacy-*", "reason": "migrating the legacy US bucket by Q1"}, "no expiry"),
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
    assert result.passed


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
