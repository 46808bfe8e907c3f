"""Gate reports: text for people, JSON for scripts, SARIF 2.1.0 for code scanning, JUnit for CI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from pulumi_policy import EnforcementLevel

from aistacks.gate.evaluate import GateResult, Result
from aistacks.policies.framework import RuleMeta, Suppression

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning ranks security results by `security-severity` (0.0 to 10.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def summary(result: GateResult) -> str:
    blocking = sum(r.blocking for r in result.results)
    advisory = sum(r.level == EnforcementLevel.ADVISORY for r in result.results)
    suppressed = sum(r.level is None for r in result.results)
    mode = "preview" if result.preview else "update"
    return (
        f"aistacks gate: stack {result.stack} ({mode}, offline): {len(result.rules_run)} rules ran on "
        f"{result.resources} resources; {blocking} mandatory violation(s), {advisory} advisory, "
        f"{suppressed} suppressed; {len(result.suppressions)} suppression(s) in force; "
        + ("PASSED" if result.passed else "FAILED")
    )


def _level(result: Result) -> str:
    return "suppressed" if result.level is None else result.level.value


def _suppression_json(suppression: Suppression) -> dict[str, Any]:
    """A suppression as written (``type``, ``pattern`` and ``max`` only when it has them)."""
    document: dict[str, Any] = {"rule": suppression.rule_id, "resource": suppression.resource}
    if suppression.type is not None:
        document["type"] = suppression.type
    if suppression.pattern:
        document["pattern"] = True
        document["max"] = suppression.max
    return {**document, "reason": suppression.reason, "expires": suppression.expires.isoformat()}


def _use_json(result: GateResult, suppression: Suppression) -> dict[str, Any]:
    """A suppression in force, the resources it names (``matched``) and those whose findings it hid."""
    return {
        **_suppression_json(suppression),
        "matched": len(result.matched.get(suppression, [])),
        "hid": result.hidden.get(suppression, []),
    }


def _use_text(result: GateResult, suppression: Suppression) -> list[str]:
    s = suppression
    what = f"pattern {s.resource} (at most {s.max})" if s.pattern else s.resource
    kind = f" ({s.type})" if s.type else ""
    matched = len(result.matched.get(s, []))
    hidden = result.hidden.get(s, [])
    lines = [
        f"  {s.rule_id} on {what}{kind} until {s.expires.isoformat()}: {s.reason}",
        f"    matches {matched} resource(s); hid the findings of {len(hidden)}" + (":" if hidden else ""),
    ]
    return lines + [f"      {urn}" for urn in hidden]


def render_text(result: GateResult) -> str:
    lines = [summary(result), ""]
    for item in result.results:
        f = item.finding
        lines.append(f"[{_level(item)}] {f.rule_id} ({f.severity}) {f.urn or '(policy config)'}")
        lines.append(f"    {' '.join(filter(None, (f.resource_type, f.path)))}: {f.message}")
        lines.append(f"    actual: {f.actual}    expected: {f.expected}")
        if f.suppressed_by is not None:
            lines.append(f"    suppressed until {f.suppressed_by.expires}: {f.suppressed_by.reason}")
    lines.append("suppressions in force:" if result.suppressions else "suppressions in force: none")
    for suppression in result.suppressions:
        lines += _use_text(result, suppression)
    return "\n".join(lines) + "\n"


def render_json(result: GateResult) -> str:
    document = {
        "stack": result.stack,
        "preview": result.preview,
        "rulesRun": result.rules_run,
        "resources": result.resources,
        "passed": result.passed,
        "findings": [
            {
                "ruleId": item.finding.rule_id,
                "severity": item.finding.severity,
                "level": _level(item),
                "urn": item.finding.urn,
                "resourceType": item.finding.resource_type,
                "path": item.finding.path,
                "actual": item.finding.actual,
                "expected": item.finding.expected,
                "message": item.finding.message,
                "suppression": _suppression_json(item.finding.suppressed_by) if item.finding.suppressed_by else None,
            }
            for item in result.results
        ],
        "suppressions": [_use_json(result, s) for s in result.suppressions],
    }
    return json.dumps(document, indent=2) + "\n"


def render_sarif(result: GateResult, rules: Sequence[RuleMeta], stack_file: str) -> str:
    """SARIF 2.1.0 as GitHub code scanning reads it: rules with help text, results with a level,
    a message, the stack file as the physical location and the URN as the logical location."""
    sarif_rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.description},
            "help": {"text": rule.remediation, "markdown": f"**{rule.title}**\n\n{rule.remediation}"},
            "defaultConfiguration": {"level": "error"},
            "properties": {
                "security-severity": SECURITY_SEVERITY[rule.severity.value],
                "tags": ["security", "aistacks"],
            },
        }
        for rule in rules
    ]
    index = {rule.id: position for position, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for item in result.results:
        f = item.finding
        entry: dict[str, Any] = {
            "ruleId": f.rule_id,
            "level": "error" if item.blocking else "warning" if item.level is not None else "note",
            "message": {"text": f"{f.message} ({f.path}: actual {f.actual}; expected {f.expected})"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": stack_file}, "region": {"startLine": 1}},
                    "logicalLocations": [
                        {"fullyQualifiedName": f.urn or "policy-config", "kind": "resource", "name": f.path}
                    ],
                }
            ],
            "properties": {"resourceType": f.resource_type, "path": f.path},
            # Every result points at line 1 of the stack file: a stable identity of our own keeps
            # code scanning from merging or reopening alerts.
            "partialFingerprints": {
                "aistacksFinding/v1": hashlib.sha256(f"{f.rule_id}|{f.urn}|{f.path}".encode()).hexdigest()[:32]
            },
        }
        if f.rule_id in index:
            entry["ruleIndex"] = index[f.rule_id]
        if f.suppressed_by is not None:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f.suppressed_by.reason}
            ]
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aistacks-guardrails",
                        "informationUri": "https://github.com/aistacks/aistacks",
                        "version": "0.1.0",
                        "rules": sarif_rules,
                    }
                },
                "results": results,
                # Every suppression in force, what it names and what it hid, hidden results or not.
                "properties": {"suppressions": [_use_json(result, s) for s in result.suppressions]},
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def render_junit(result: GateResult, rules: Sequence[RuleMeta], resources: Sequence[tuple[str, str]]) -> str:
    """One test case per rule and resource (``resources``: URN and type of every custom resource)."""
    by_key: dict[tuple[str, str], list[Result]] = {}
    for item in result.results:
        by_key.setdefault((item.finding.rule_id, item.finding.urn), []).append(item)
    suites = ET.Element("testsuites", name="aistacks-guardrails")
    for rule in rules:
        if rule.id not in result.rules_run:
            continue
        suite = ET.SubElement(suites, "testsuite", name=rule.id)
        targets = list(resources)
        if (rule.id, "") in by_key:
            targets.append(("", "policy config"))
        failures = skipped = 0
        for urn, _ in targets:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=urn or "(policy config)")
            items = by_key.get((rule.id, urn), [])
            texts = [
                f"{i.finding.path}: {i.finding.message} (actual {i.finding.actual}; expected {i.finding.expected})"
                for i in items
            ]
            if any(i.blocking for i in items):
                failure = ET.SubElement(case, "failure", message=items[0].finding.message, type=rule.severity.value)
                failure.text = "\n".join(texts)
                failures += 1
            elif items and all(i.finding.suppressed_by is not None for i in items):
                reasons = {
                    f"until {i.finding.suppressed_by.expires}: {i.finding.suppressed_by.reason}"
                    for i in items
                    if i.finding.suppressed_by
                }
                ET.SubElement(case, "skipped", message="suppressed " + "; ".join(sorted(reasons)))
                skipped += 1
            elif items:
                ET.SubElement(case, "system-out").text = "\n".join(f"advisory or suppressed: {t}" for t in texts)
        uses = [line for s in result.suppressions if s.rule_id == rule.id for line in _use_text(result, s)]
        if uses:
            ET.SubElement(suite, "system-out").text = "suppressions in force:\n" + "\n".join(uses)
        suite.set("tests", str(len(targets)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
