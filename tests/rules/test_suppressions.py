"""Suppressions name one thing: a URN, or a name and its type; a pattern says so, never matches everything,
and the gate says how many resources it matched and whose findings it hid; a reason says something."""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.policies.framework import MIN_REASON_WORDS, SUPPRESSION_FIELDS, meaningful_words, parse_suppressions

from .fixtures import TODAY, findings, gcs, res, run, urn

REASON = "migrating the legacy US bucket by Q1"
FUTURE = "2027-03-31"
BUCKET = "gcp:storage/bucket:Bucket"
RING = "gcp:kms/keyRing:KeyRing"


def problems_of(entry: dict[str, Any]) -> list[str]:
    valid, problems = parse_suppressions("AIS-RES-001", [entry], TODAY)
    assert not (valid and problems)
    return [problem for _, problem in problems]


def test_the_fields_are_resource_type_pattern_reason_expires() -> None:
    assert SUPPRESSION_FIELDS == ("resource", "type", "pattern", "max", "reason", "expires")


@pytest.mark.parametrize("everything", ["*", "**", "?*", "*::*", "urn:pulumi:*", "[!x]*"])
def test_a_pattern_that_matches_every_resource_is_rejected(everything: str) -> None:
    (problem,) = problems_of({"resource": everything, "pattern": True, "reason": REASON, "expires": FUTURE})
    assert "matches every resource" in problem


@pytest.mark.parametrize("glob", ["legacy-*", "*", "legacy-us-?", "bucket[12]"])
def test_a_glob_that_does_not_say_it_is_a_pattern_is_rejected(glob: str) -> None:
    (problem,) = problems_of({"resource": glob, "reason": REASON, "expires": FUTURE})
    assert 'add "pattern": true' in problem


@pytest.mark.parametrize(
    "reason",
    [
        "ok",
        "temp",
        "xxxxxxxxxxxxxxxxxxxxxx",
        "aaaa aaaa aaaa aaaa",
        "aa bb cc dd ee ff",
        "todo todo todo todo todo",
        "1234 5678 9012 3456 7890",
        "see SEC-123 ok",
    ],
)
def test_a_reason_of_filler_is_rejected(reason: str) -> None:
    (problem,) = problems_of({"resource": "legacy-us", "type": BUCKET, "reason": reason, "expires": FUTURE})
    assert f"no meaningful reason (at least {MIN_REASON_WORDS} different words)" in problem


def test_a_reason_in_words_is_accepted() -> None:
    assert meaningful_words("Migrating the US archive by Q1 (SEC-123)") == {
        "migrating",
        "the",
        "us",
        "archive",
        "by",
        "sec",
    }
    assert problems_of({"resource": "legacy-us", "type": BUCKET, "reason": REASON, "expires": FUTURE}) == []


@pytest.mark.parametrize(
    ("entry", "mentions"),
    [
        ({"resource": "legacy-us", "type": "", "reason": REASON, "expires": FUTURE}, "type"),
        ({"resource": "legacy-us", "type": 3, "reason": REASON, "expires": FUTURE}, "type"),
        ({"resource": "legacy-*", "pattern": "yes", "reason": REASON, "expires": FUTURE}, "true or false"),
        ({"resource": "legacy-us", "kind": BUCKET, "reason": REASON, "expires": FUTURE}, "unknown field"),
        ({"resource": "legacy-us", "reason": REASON}, "no expiry"),
    ],
)
def test_a_malformed_suppression_is_rejected(entry: dict[str, Any], mentions: str) -> None:
    (problem,) = problems_of(entry)
    assert mentions in problem


def test_what_a_suppression_matches() -> None:
    (by_name,), _ = parse_suppressions(
        "AIS-RES-001", [{"resource": "legacy", "type": BUCKET, "reason": REASON, "expires": FUTURE}], TODAY
    )
    assert by_name.matches(urn(BUCKET, "legacy"), "legacy", BUCKET)
    assert not by_name.matches(urn(RING, "legacy"), "legacy", RING)
    assert not by_name.matches(urn(BUCKET, "legacy-2"), "legacy-2", BUCKET)
    target = urn(BUCKET, "legacy")
    (by_urn,), _ = parse_suppressions("AIS-RES-001", [{"resource": target, "reason": REASON, "expires": FUTURE}], TODAY)
    assert by_urn.matches(target, "legacy", BUCKET)
    assert not by_urn.matches(urn(RING, "legacy"), "legacy", RING)
    (pattern,), _ = parse_suppressions(
        "AIS-RES-001", [{"resource": "legacy-*", "pattern": True, "max": 1, "reason": REASON, "expires": FUTURE}], TODAY
    )
    assert pattern.matches(urn(BUCKET, "legacy-1"), "legacy-1", BUCKET)
    assert pattern.matches(urn(RING, "legacy-2"), "legacy-2", RING)
    assert not pattern.matches(urn(BUCKET, "new"), "new", BUCKET)


def test_expiry_is_required_and_in_the_future() -> None:
    entry = {"resource": "legacy-us", "type": BUCKET, "reason": REASON, "expires": "2026-11-26"}
    (problem,) = problems_of(entry)
    assert "expired on 2026-11-26" in problem


# --- in the gate -----------------------------------------------------------------------------------

US = {"location": "us"}


def test_a_bare_name_that_resources_of_two_types_bear_suppresses_nothing_and_is_reported() -> None:
    suppression = {"resource": "legacy", "reason": REASON, "expires": FUTURE}
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [suppression]}}
    result = run(gcs("legacy", "US"), res(RING, "legacy", US), config=config)
    found = findings(result, "AIS-RES-001")
    assert {(name, path) for name, path, _ in found} >= {("legacy", "location")}
    located = [r for r in result.results if r.finding.rule_id == "AIS-RES-001" and r.finding.path == "location"]
    assert len(located) == 2 and all(r.blocking for r in located)
    (problem,) = [r for r in result.results if r.finding.path == "suppressions[0]"]
    assert problem.blocking
    assert f"({RING}, {BUCKET})" in problem.finding.message and 'add "type"' in problem.finding.message
    assert result.suppressions == []
    assert not result.passed


def test_a_name_and_type_suppress_that_resource_only() -> None:
    suppression = {"resource": "legacy", "type": BUCKET, "reason": REASON, "expires": FUTURE}
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [suppression]}}
    result = run(gcs("legacy", "US"), res(RING, "legacy", US), config=config)
    hidden = [r.finding.urn for r in result.results if r.level is None]
    assert hidden == [urn(BUCKET, "legacy")]
    (in_force,) = result.suppressions
    assert result.matched[in_force] == [urn(BUCKET, "legacy")]
    assert result.hidden[in_force] == [urn(BUCKET, "legacy")]
    assert any(r.blocking and r.finding.urn == urn(RING, "legacy") for r in result.results)


def test_the_gate_counts_what_a_pattern_matched_and_lists_what_it_hid() -> None:
    suppression = {"resource": "legacy-*", "pattern": True, "max": 2, "reason": REASON, "expires": FUTURE}
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [suppression]}}
    result = run(gcs("legacy-us", "US"), gcs("legacy-eu", "EU"), gcs("new-us", "US"), config=config)
    (in_force,) = result.suppressions
    assert sorted(result.matched[in_force]) == [urn(BUCKET, "legacy-eu"), urn(BUCKET, "legacy-us")]
    assert result.hidden[in_force] == [urn(BUCKET, "legacy-us")]


@pytest.mark.parametrize(
    "glob",
    ["urn:pulumi:test::*", "urn:pulumi:*::fixtures::gcp:storage/bucket:Bucket::x", "urn:pulumi:test::fixtures::*::x"],
)
def test_a_urn_pattern_must_write_out_stack_project_and_type(glob: str) -> None:
    (problem,) = problems_of({"resource": glob, "pattern": True, "max": 1, "reason": REASON, "expires": FUTURE})
    assert "only the name may be a pattern" in problem


@pytest.mark.parametrize("limit", [None, 0, -1, "2", True])
def test_a_pattern_says_how_many_it_may_match(limit: object) -> None:
    entry = {"resource": "legacy-*", "pattern": True, "reason": REASON, "expires": FUTURE}
    if limit is not None:
        entry["max"] = limit
    (problem,) = problems_of(entry)
    assert 'without "max"' in problem


def test_max_belongs_to_patterns_only() -> None:
    (problem,) = problems_of({"resource": "legacy", "type": BUCKET, "max": 2, "reason": REASON, "expires": FUTURE})
    assert "is not a pattern" in problem


def test_a_pattern_that_matches_more_than_its_max_suppresses_nothing() -> None:
    suppression = {"resource": "*a", "pattern": True, "max": 1, "reason": REASON, "expires": FUTURE}
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [suppression]}}
    result = run(gcs("us-a", "US"), gcs("uk-a", "US"), config=config)
    assert result.suppressions == []
    found = findings(result, "AIS-RES-001")
    assert sorted(f[0] for f in found if f[0]) == ["uk-a", "us-a"], "nothing hidden"
    (problem,) = [f for f in found if f[1] == "suppressions[0]"]
    assert "matches 2 resources, more than its max of 1" in problem[2]


def test_a_name_and_type_two_resources_bear_suppresses_nothing() -> None:
    first = gcs("raw", "US")
    second = gcs("raw", "US")
    second.urn = second.urn.replace("gcp:storage/bucket:Bucket", "acme:web:Site$gcp:storage/bucket:Bucket")
    suppression = {"resource": "raw", "type": BUCKET, "reason": REASON, "expires": FUTURE}
    config = {"AIS-RES-001": {"allowedJurisdictions": ["eu"], "suppressions": [suppression]}}
    result = run(first, second, config=config)
    assert result.suppressions == []
    (problem,) = [f for f in findings(result, "AIS-RES-001") if f[1] == "suppressions[0]"]
    assert "which 2 resources bear under different parents" in problem[2] and "by its URN" in problem[2]
