"""The gate's reports for people and tools (issue 11, "people first").

* Text in one style: every value a JSON literal (``true``, ``null``, ``"eu"``, ``["eu"]``) or words,
  never a Python repr (``True``, ``None``, ``['eu']``).
* SARIF rule names are stable PascalCase identifiers, as code scanning tools expect.
* The jurisdictions of the policy config are checked by the schema the Pulumi CLI validates with.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from aistacks.catalog import known_jurisdictions
from aistacks.gate import GateResult
from aistacks.gate.config import PolicyConfigError, resolve_policy_config
from aistacks.gate.report import render_json, render_sarif, render_text
from aistacks.policies import POLICIES, RULES
from aistacks.policies.framework import MISSING, Unknown, display, literal

from .rules.fixtures import UNKNOWN, gcs, res, run

PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]+$")
WORDS = {"not set", "unknown until the update"}
"""The ``actual`` of a finding with no value to show."""
PYTHON_REPR = re.compile(r"\b(True|False|None)\b|\['|\[\"\[|\{'|<not set>|\[not set\]|\[unknown")

EXPIRED = {
    "resource": "legacy-*",
    "pattern": True,
    "max": 1,
    "reason": "migrating the legacy US bucket by Q1",
    "expires": "2026-01-01",
}


@pytest.fixture(scope="module")
def failing() -> GateResult:
    """Findings whose values are booleans, strings, lists, unset and a bad suppression."""
    return run(
        res("aws:ebs/volume:Volume", "unencrypted", {"encrypted": False}),  # Equals(True)
        res("gcp:container/nodePool:NodePool", "public-nodes", {"networkConfig": {"enablePrivateNodes": False}}),
        res("aws:kms/key:Key", "unrotated", {}),  # enableKeyRotation not set
        res("aws:kms/key:Key", "off", {"enableKeyRotation": False}),
        gcs("us-data", "US"),
        gcs("mars-data", "MARS-1"),
        config={"AIS-KEY-001": {"suppressions": [EXPIRED]}},
    )


@pytest.fixture(scope="module")
def unknown() -> GateResult:
    return run(gcs("later", UNKNOWN), preview=True)


def actuals(result: GateResult) -> list[str]:
    return [item.finding.actual for item in result.results]


def test_values_are_json_literals_or_words() -> None:
    assert literal(True) == "true"
    assert literal(None) == "null"
    assert literal(["eu"]) == '["eu"]'
    assert literal("eu") == '"eu"'
    assert display(MISSING) == "not set"
    assert display(Unknown("location")) == "unknown until the update"
    assert display({"b": [Unknown("x"), MISSING], "a": 1}) == '{"a": 1, "b": ["unknown until the update", "not set"]}'
    assert display({1: "int key", "s": "str key"}) == '{"1": "int key", "s": "str key"}'


def test_every_actual_is_a_json_literal_or_words(failing: GateResult, unknown: GateResult) -> None:
    values = actuals(failing) + actuals(unknown)
    assert "not set" in values and "unknown until the update" in values
    for value in values:
        if value not in WORDS:
            json.loads(value)  # raises on a Python repr such as True, None or ['eu']


def test_the_text_report_has_no_python_reprs(failing: GateResult, unknown: GateResult) -> None:
    for result in (failing, unknown):
        text = render_text(result)
        assert not PYTHON_REPR.search(text), PYTHON_REPR.findall(text)


def lines_of(text: str, resource: str, path: str) -> tuple[str, str, str]:
    """The heading, message and values lines of the finding on ``resource`` (a URN's end) at ``path``."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line.startswith("[") and line.endswith(resource) and f" {path}: " in lines[start + 1]:
            heading, where, values = lines[start : start + 3]
            return heading, where, values
    raise AssertionError(f"no finding on {resource} at {path} in:\n{text}")


def test_the_text_report_shows_booleans_as_json(failing: GateResult) -> None:
    text = render_text(failing)
    heading, where, values = lines_of(text, "Volume::unencrypted", "encrypted")
    assert "AIS-ENC-001" in heading
    assert where.endswith("encrypted: encrypted must be true")
    assert values.split() == ["actual:", "false", "expected:", "true"]
    _, where, values = lines_of(text, "NodePool::public-nodes", "networkConfig.enablePrivateNodes")
    assert where.endswith("must not be false")
    assert values.split() == ["actual:", "false", "expected:", "anything", "but", "false"]
    _, _, values = lines_of(text, "Key::unrotated", "enableKeyRotation")
    assert values.split() == ["actual:", "not", "set", "expected:", "true"]


def test_the_text_report_quotes_strings_and_names_jurisdictions_in_words(failing: GateResult) -> None:
    text = render_text(failing)
    _, where, values = lines_of(text, "Bucket::us-data", "location")
    assert values.split() == ["actual:", '"US"', "expected:", "a", "location", "in", "eu"]
    assert "keeps data in us" in where
    _, where, _ = lines_of(text, "Bucket::mars-data", "location")
    assert '"MARS-1" is not a GCP location the catalog knows' in where


def test_a_bad_suppression_shows_the_entry_as_written(failing: GateResult) -> None:
    (item,) = [r for r in failing.results if r.finding.path == "suppressions[0]"]
    assert json.loads(item.finding.actual) == EXPIRED
    assert 'for "legacy-*" expired on 2026-01-01' in item.finding.message
    text = render_text(failing)
    assert not PYTHON_REPR.search(text)


def test_the_json_report_carries_the_same_literals(failing: GateResult) -> None:
    document = json.loads(render_json(failing))
    found = {(f["urn"].rsplit("::", 1)[-1], f["path"]): f for f in document["findings"]}
    assert (found["unencrypted", "encrypted"]["actual"], found["unencrypted", "encrypted"]["expected"]) == (
        "false",
        "true",
    )
    assert found["unrotated", "enableKeyRotation"]["actual"] == "not set"
    assert json.loads(found["", "suppressions[0]"]["actual"]) == EXPIRED


# --- SARIF ------------------------------------------------------------------------------------------


def test_every_rule_has_a_unique_pascal_case_name() -> None:
    names = [rule.name for rule in RULES]
    for name in names:
        assert PASCAL_CASE.fullmatch(name), name
    assert len(set(names)) == len(names), names
    assert len({name.lower() for name in names}) == len(names), "names differ only in case"
    assert {rule.id: rule.name for rule in RULES}["AIS-RES-001"] == "ResourcesStayInAllowedJurisdictions"


def test_sarif_rules_have_the_shape_tools_need(failing: GateResult) -> None:
    document = json.loads(render_sarif(failing, RULES, "stacks/Pulumi.test.yaml"))
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in RULES]
    for sarif_rule, meta in zip(rules, RULES, strict=True):
        assert re.fullmatch(r"AIS-[A-Z]{3,4}-\d{3}", sarif_rule["id"])
        assert sarif_rule["name"] == meta.name
        assert PASCAL_CASE.fullmatch(sarif_rule["name"])
        assert sarif_rule["name"] != sarif_rule["id"]
        assert sarif_rule["shortDescription"]["text"] == meta.title
        assert sarif_rule["fullDescription"]["text"] == meta.description
    assert sarif_run["results"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert not PYTHON_REPR.search(result["message"]["text"]), result["message"]["text"]


# --- jurisdictions in the policy config schema -------------------------------------------------------

JURISDICTION_RULES = [rule for rule in RULES if "allowedJurisdictions" in rule.settings]


def test_the_rules_that_take_jurisdictions() -> None:
    assert [rule.id for rule in JURISDICTION_RULES] == ["AIS-RES-001", "AIS-RES-002"]


@pytest.mark.parametrize("rule", JURISDICTION_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize("value", [["EU"], ["mars"], ["eu", "mars"], [""], ["eu "]])
def test_the_schema_rejects_unknown_jurisdictions(rule: Any, value: list[str]) -> None:
    schema = rule.config_schema().properties["allowedJurisdictions"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(value, schema)


@pytest.mark.parametrize("rule", JURISDICTION_RULES, ids=lambda rule: rule.id)
def test_the_schema_accepts_every_known_jurisdiction(rule: Any) -> None:
    schema = rule.config_schema().properties["allowedJurisdictions"]
    assert schema["items"]["enum"] == known_jurisdictions()
    jsonschema.validate(known_jurisdictions(), schema)
    jsonschema.validate([], schema)
    jsonschema.validate(["eu"], schema)


@pytest.mark.parametrize("value", ["EU", "mars"])
def test_the_offline_gate_still_says_it_in_words(value: str) -> None:
    with pytest.raises(PolicyConfigError) as error:
        resolve_policy_config({"AIS-RES-001": {"allowedJurisdictions": [value]}}, POLICIES, "config.json")
    message = str(error.value)
    assert f'unknown jurisdiction "{value}"' in message
    assert "known (lower case): " in message
