"""`aistacks gate` as CI runs it: exit codes, reports in every format, policy config and suppressions.

Each gate run executes the stack program offline (about 1-2 s), so every distinct run happens once per
module and the tests read its cached result.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from aistacks.cli import main
from aistacks.engine import load_project, run_stack_file
from aistacks.policies import POLICIES, RULES

from .conftest import ENVIRONMENTS, REPO

RULE_IDS = [rule.id for rule in RULES]
SUMMARY = re.compile(
    r"^aistacks gate: stack (?P<stack>\S+) \((?P<mode>update|preview), offline\): (?P<rules>\d+) rules ran on "
    r"(?P<resources>\d+) resources; (?P<mandatory>\d+) mandatory violation\(s\), (?P<advisory>\d+) advisory, "
    r"(?P<suppressed>\d+) suppressed; (?P<in_force>\d+) suppression\(s\) in force; (?P<verdict>PASSED|FAILED)$"
)
REASON = "accepted by the data protection officer until the US region migration"
FUTURE = "2999-01-01"
PAST = "2000-01-01"
SUPPRESSED_GLOB = "aistacks-*-datasets"
"""Matches the two datasets buckets (AWS and GCP) by name, not their companions (``...-datasets-policy``)."""
BY_PATTERN = {"resource": SUPPRESSED_GLOB, "pattern": True, "max": 2}
"""A suppression of the datasets buckets: a pattern, declared as one."""

# A valid platform in the EU on both clouds: it passes the repository's EU-only policy config and fails
# a config that allows only the US.
STACK_FILE = """\
config:
  pulumi:disable-default-providers: ["*"]
  aistacks:platform:
    environment: staging
    jurisdiction: eu
    aws:
      region: eu-central-1
    gcp:
      project: acme-ai-gatetest
      region: europe-west4
    buckets:
      - name: datasets
      - name: models
"""
STACK_NAME = "gatetest"


def policy_config(**overrides: Any) -> dict[str, Any]:
    """The repository's prod policy config (EU only, all mandatory) with ``overrides`` per rule id."""
    document: dict[str, Any] = {
        "all": "mandatory",
        "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
        "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
        "AIS-KEY-002": {"maxRotationDays": 90},
        "AIS-NET-001": "mandatory",
        "AIS-PRT-001": "mandatory",
    }
    document.update({key.replace("_", "-"): value for key, value in overrides.items()})
    return document


US_ONLY = {"allowedJurisdictions": ["us"]}


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    report: str
    """The report: stdout, or the --output file when one was given."""

    @property
    def summary(self) -> re.Match[str]:
        line = self.stderr.strip().splitlines()[-1] if self.stderr.strip() else self.stdout.splitlines()[0]
        match = SUMMARY.match(line)
        assert match, f"no summary line in {line!r}"
        return match

    def json(self) -> dict[str, Any]:
        return json.loads(self.report)

    def junit(self) -> ET.Element:
        return ET.fromstring(self.report)


def gate(*args: str, output: Path | None = None) -> Run:
    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["gate", *args, "--project-dir", str(REPO)]
    if output is not None:
        argv += ["--output", str(output)]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    report = output.read_text(encoding="utf-8") if output is not None else stdout.getvalue()
    return Run(code, stdout.getvalue(), stderr.getvalue(), report)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate")


@pytest.fixture(scope="module")
def stack_file(workdir: Path) -> Path:
    path = workdir / f"Pulumi.{STACK_NAME}.yaml"
    path.write_text(STACK_FILE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def custom_urns(stack_file: Path) -> set[str]:
    """URNs of the custom resources (providers included) of the test stack, from the engine itself."""
    graph = run_stack_file(load_project(REPO), stack_file)
    return {record.urn for record in graph.resources if record.custom}


@pytest.fixture(scope="module")
def run_with(workdir: Path, stack_file: Path) -> Callable[..., Run]:
    """``run_with(config, fmt, *extra)``: the gate on the test stack with that policy config, cached."""
    cache: dict[str, Run] = {}

    def run(config: dict[str, Any], fmt: str = "json", *extra: str) -> Run:
        key = json.dumps([config, fmt, extra], sort_keys=True)
        if key not in cache:
            number = len(cache)
            config_path = workdir / f"policy-{number}.json"
            config_path.write_text(json.dumps(config), encoding="utf-8")
            output = workdir / f"report-{number}.{fmt}"
            args = ["--stack-file", str(stack_file), "--policy-config", str(config_path), "--format", fmt, *extra]
            cache[key] = gate(*args, output=output)
        return cache[key]

    return run


def assert_summary_matches(run: Run, document: dict[str, Any]) -> None:
    """The one-line summary counts what the JSON report lists."""
    summary = run.summary
    levels = Counter(finding["level"] for finding in document["findings"])
    assert summary["stack"] == document["stack"]
    assert (summary["mode"] == "preview") is document["preview"]
    assert int(summary["rules"]) == len(document["rulesRun"])
    assert int(summary["resources"]) == document["resources"]
    assert int(summary["mandatory"]) == levels["mandatory"] + levels["remediate"]
    assert int(summary["advisory"]) == levels["advisory"]
    assert int(summary["suppressed"]) == levels["suppressed"]
    assert int(summary["in_force"]) == len(document["suppressions"])
    assert (summary["verdict"] == "PASSED") is document["passed"]
    assert document["passed"] is (run.code == 0)


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


# --- 1. the repository's stacks pass ---------------------------------------------------------------


@pytest.fixture(scope="module")
def repo_runs(workdir: Path) -> dict[tuple[str, bool], Run]:
    runs: dict[tuple[str, bool], Run] = {}
    for env in ENVIRONMENTS:
        for preview in (False, True):
            extra = ["--preview"] if preview else []
            output = workdir / f"{env}-{preview}.json"
            runs[env, preview] = gate(env, "--format", "json", *extra, output=output)
    return runs


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_repository_stacks_pass_the_gate(repo_runs: dict[tuple[str, bool], Run], env: str, preview: bool) -> None:
    run = repo_runs[env, preview]
    assert run.code == 0, run.stderr + run.report
    assert run.stdout == ""  # the report went to --output
    document = run.json()
    assert document["passed"] is True
    assert document["stack"] == env
    assert document["preview"] is preview
    assert not [f for f in document["findings"] if f["level"] in ("mandatory", "remediate")]
    summary = run.summary
    assert summary["stack"] == env
    assert summary["mode"] == ("preview" if preview else "update")
    assert summary["verdict"] == "PASSED"
    assert int(summary["rules"]) >= 8
    assert int(summary["resources"]) > 30
    assert set(document["rulesRun"]) <= set(RULE_IDS)
    assert_summary_matches(run, document)


def test_repository_rules_run_follow_the_policy_config(repo_runs: dict[tuple[str, bool], Run]) -> None:
    # policies/config/dev.json disables AIS-PRT-001 (dev protects nothing); staging and prod run all nine.
    assert "AIS-PRT-001" not in repo_runs["dev", False].json()["rulesRun"]
    assert repo_runs["prod", False].json()["rulesRun"] == RULE_IDS
    assert repo_runs["staging", True].json()["rulesRun"] == RULE_IDS


def test_text_report_goes_to_stdout_with_the_summary_first() -> None:
    run = gate("dev")
    assert run.code == 0
    assert run.stderr == ""  # text on stdout: no separate summary
    first, *_ = run.stdout.splitlines()
    summary = SUMMARY.match(first)
    assert summary and summary["stack"] == "dev" and summary["verdict"] == "PASSED"
    assert run.stdout.splitlines()[1] == f"policy config: {REPO / 'policies' / 'config' / 'dev.json'}"
    assert run.stdout.rstrip().endswith("suppressions in force: none")


# --- 2. a stack outside the allowed jurisdictions ---------------------------------------------------


def test_us_only_config_fails_the_eu_stack(run_with: Callable[..., Run]) -> None:
    run = run_with(policy_config(AIS_RES_001=US_ONLY))
    assert run.code == 1, run.stderr
    document = run.json()
    assert document["passed"] is False
    assert document["stack"] == STACK_NAME
    assert run.summary["verdict"] == "FAILED"
    findings = [f for f in document["findings"] if f["ruleId"] == "AIS-RES-001"]
    assert findings
    # Only the residency rule fails: the stack is otherwise compliant.
    assert {f["ruleId"] for f in document["findings"]} == {"AIS-RES-001"}
    for finding in findings:
        assert finding["level"] == "mandatory"
        assert finding["severity"] == "critical"
        assert finding["urn"].startswith(f"urn:pulumi:{STACK_NAME}::aistacks::")
        assert finding["resourceType"]
        assert finding["suppression"] is None
        assert "us" in finding["expected"]
        assert finding["message"]
    paths = Counter(f["path"] for f in findings)
    assert paths["provider.region"] > 0, paths  # AWS resources placed by their provider
    assert paths["location"] > 0, paths  # GCP resources placed by their own location
    by_type = {f["resourceType"]: f for f in findings}
    assert "eu-central-1" in by_type["aws:s3/bucket:Bucket"]["actual"]
    assert by_type["aws:s3/bucket:Bucket"]["path"] == "provider.region"
    assert "europe-west4" in by_type["gcp:storage/bucket:Bucket"]["actual"].lower()
    assert by_type["gcp:storage/bucket:Bucket"]["path"] == "location"
    for finding in findings:
        assert re.search(r"eu-central-1|europe-west4|\beu\b", finding["actual"], re.IGNORECASE), finding
    assert_summary_matches(run, document)


def test_every_located_resource_is_reported_once(run_with: Callable[..., Run], custom_urns: set[str]) -> None:
    document = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    urns = [f["urn"] for f in document["findings"]]
    assert len(urns) == len(set(urns))
    assert set(urns) <= custom_urns
    bucket_urns = {u for u in custom_urns if "$aws:s3/bucket:Bucket::" in u or "$gcp:storage/bucket:Bucket::" in u}
    assert bucket_urns and bucket_urns <= set(urns)


def test_us_only_config_fails_in_preview_too(run_with: Callable[..., Run]) -> None:
    update = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    run = run_with(policy_config(AIS_RES_001=US_ONLY), "json", "--preview")
    assert run.code == 1
    document = run.json()
    assert document["preview"] is True
    assert run.summary["mode"] == "preview"
    # Placement is known at preview time: the same resources fail, none slips through as unknown.
    assert {f["urn"] for f in document["findings"]} == {f["urn"] for f in update["findings"]}
    assert_summary_matches(run, document)


def test_advisory_level_reports_without_failing(run_with: Callable[..., Run]) -> None:
    failing = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    run = run_with(policy_config(AIS_RES_001={"enforcementLevel": "advisory", "allowedJurisdictions": ["us"]}))
    assert run.code == 0, run.report
    document = run.json()
    assert document["passed"] is True
    assert run.summary["verdict"] == "PASSED"
    assert document["findings"]
    assert {f["level"] for f in document["findings"]} == {"advisory"}
    # The same findings (resource order may differ between runs of the program).
    assert sorted((f["urn"], f["path"]) for f in document["findings"]) == sorted(
        (f["urn"], f["path"]) for f in failing["findings"]
    )
    assert int(run.summary["advisory"]) == len(document["findings"])
    assert_summary_matches(run, document)


def test_disabled_rule_does_not_run(run_with: Callable[..., Run]) -> None:
    run = run_with(policy_config(AIS_RES_001={"enforcementLevel": "disabled", "allowedJurisdictions": ["us"]}))
    assert run.code == 0
    document = run.json()
    assert "AIS-RES-001" not in document["rulesRun"]
    assert document["findings"] == []
    assert int(run.summary["rules"]) == len(RULE_IDS) - 1


@pytest.mark.parametrize(
    ("rule", "level"),
    [
        pytest.param(US_ONLY, "advisory", id="inherits-all"),
        pytest.param({"enforcementLevel": "mandatory", **US_ONLY}, "mandatory", id="own-level-wins"),
        pytest.param({"enforcementLevel": "remediate", **US_ONLY}, None, id="remediate-blocks"),
    ],
)
def test_rule_level_and_all_default(run_with: Callable[..., Run], rule: dict[str, Any], level: str | None) -> None:
    run = run_with({"all": "advisory", "AIS-RES-001": rule, "AIS-RES-002": {"allowedJurisdictions": ["eu"]}})
    document = run.json()
    findings = document["findings"]
    assert findings and {f["ruleId"] for f in findings} == {"AIS-RES-001"}
    if level is None:  # remediate: blocking, whatever name the engine reports it under
        assert {f["level"] for f in findings} <= {"mandatory", "remediate"}
    else:
        assert {f["level"] for f in findings} == {level}
    assert run.code == (0 if level == "advisory" else 1)
    assert_summary_matches(run, document)


# --- 3. suppressions ------------------------------------------------------------------------------

SUPPRESSED = policy_config(
    AIS_RES_001={**US_ONLY, "suppressions": [{**BY_PATTERN, "reason": REASON, "expires": FUTURE}]}
)


def test_suppression_in_force_suppresses_matching_findings_only(run_with: Callable[..., Run]) -> None:
    run = run_with(SUPPRESSED)
    assert run.code == 1  # the other resources still fail
    document = run.json()
    findings = [f for f in document["findings"] if f["ruleId"] == "AIS-RES-001"]
    suppressed = [f for f in findings if fnmatch.fnmatchcase(name_of(f["urn"]), SUPPRESSED_GLOB)]
    others = [f for f in findings if f not in suppressed]
    assert len(suppressed) == 2, suppressed  # the AWS and the GCP datasets bucket
    assert others
    expected = {"rule": "AIS-RES-001", **BY_PATTERN, "reason": REASON, "expires": FUTURE}
    for finding in suppressed:
        assert finding["level"] == "suppressed"
        assert finding["suppression"] == expected
    for finding in others:
        assert finding["level"] == "mandatory"
        assert finding["suppression"] is None
    # What the pattern matched (the two buckets, suppressed or not) and whose findings it hid.
    hid = sorted({f["urn"] for f in suppressed})
    assert document["suppressions"] == [{**expected, "matched": 2, "hid": hid}]
    # Suppressed findings are the same findings, not dropped ones.
    failing = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    assert sorted(f["urn"] for f in findings) == sorted(f["urn"] for f in failing["findings"])
    assert int(run.summary["suppressed"]) == 2
    assert int(run.summary["in_force"]) == 1
    assert_summary_matches(run, document)


def test_suppression_by_exact_urn(run_with: Callable[..., Run]) -> None:
    failing = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    target = next(f["urn"] for f in failing["findings"] if f["resourceType"] == "gcp:storage/bucket:Bucket")
    suppression = {"resource": target, "reason": REASON, "expires": FUTURE}
    run = run_with(policy_config(AIS_RES_001={**US_ONLY, "suppressions": [suppression]}))
    document = run.json()
    suppressed = [f["urn"] for f in document["findings"] if f["level"] == "suppressed"]
    assert suppressed == [target]
    assert len(document["findings"]) == len(failing["findings"])


def test_suppressions_in_force_are_listed_in_the_text_report(run_with: Callable[..., Run]) -> None:
    run = run_with(SUPPRESSED, "text")
    assert run.code == 1
    lines = run.report.splitlines()
    assert SUMMARY.match(lines[0])
    section = lines.index("suppressions in force:")
    listed = lines[section + 1 :]
    assert len(listed) == 4, listed  # the suppression, what it matched and hid, the two URNs it hid
    assert "AIS-RES-001" in listed[0] and f"pattern {SUPPRESSED_GLOB}" in listed[0]
    assert FUTURE in listed[0] and REASON in listed[0]
    assert listed[1].strip() == "matches 2 resource(s); hid the findings of 2:"
    assert all(fnmatch.fnmatchcase(name_of(line.strip()), SUPPRESSED_GLOB) for line in listed[2:])
    assert sum(line.startswith("[suppressed] AIS-RES-001") for line in lines) == 2


def test_suppressions_in_force_are_listed_even_when_nothing_matches(run_with: Callable[..., Run]) -> None:
    unused = {"resource": "no-such-resource-*", "pattern": True, "max": 1, "reason": REASON, "expires": FUTURE}
    run = run_with(policy_config(AIS_RES_001={"allowedJurisdictions": ["eu"], "suppressions": [unused]}))
    assert run.code == 0
    document = run.json()
    assert document["suppressions"] == [{"rule": "AIS-RES-001", **unused, "matched": 0, "hid": []}]
    assert int(run.summary["in_force"]) == 1


def test_suppression_is_scoped_to_its_rule(run_with: Callable[..., Run]) -> None:
    elsewhere = {**BY_PATTERN, "reason": REASON, "expires": FUTURE}
    run = run_with(
        policy_config(AIS_RES_001=US_ONLY, AIS_RES_002={"allowedJurisdictions": ["eu"], "suppressions": [elsewhere]})
    )
    document = run.json()
    assert document["suppressions"] == [{"rule": "AIS-RES-002", **elsewhere, "matched": 2, "hid": []}]
    datasets = [f for f in document["findings"] if fnmatch.fnmatchcase(name_of(f["urn"]), SUPPRESSED_GLOB)]
    assert len(datasets) == 2
    assert all(f["ruleId"] == "AIS-RES-001" and f["level"] == "mandatory" for f in datasets)
    assert run.code == 1


def test_text_report_to_a_file_puts_the_summary_on_stderr(run_with: Callable[..., Run]) -> None:
    run = run_with(policy_config(AIS_RES_001=US_ONLY), "text")
    assert run.code == 1
    assert run.stdout == ""
    assert run.summary["verdict"] == "FAILED"
    note, summary = run.stderr.strip().splitlines()
    assert run.report.splitlines()[0] == summary
    assert note.startswith("policy config: ") and note.endswith(".json")
    assert "[mandatory] AIS-RES-001 (critical) urn:pulumi:" in run.report


EXPIRED = policy_config(AIS_RES_001={**US_ONLY, "suppressions": [{**BY_PATTERN, "reason": REASON, "expires": PAST}]})


def test_expired_suppression_is_a_violation_and_suppresses_nothing(run_with: Callable[..., Run]) -> None:
    run = run_with(EXPIRED)
    assert run.code == 1
    document = run.json()
    assert document["suppressions"] == []
    problems = [f for f in document["findings"] if f["path"].startswith("suppressions")]
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem["ruleId"] == "AIS-RES-001"
    assert problem["path"] == "suppressions[0]"
    assert problem["urn"] == ""
    assert problem["level"] == "mandatory"
    assert "expired" in problem["message"] and PAST in problem["message"]
    datasets = [f for f in document["findings"] if f["urn"] and fnmatch.fnmatchcase(name_of(f["urn"]), SUPPRESSED_GLOB)]
    assert len(datasets) == 2
    assert all(f["level"] == "mandatory" and f["suppression"] is None for f in datasets)
    assert int(run.summary["suppressed"]) == 0
    assert_summary_matches(run, document)


EXPIRED_ONLY = policy_config(
    AIS_KEY_001={
        "suppressions": [{"resource": "legacy", "type": "aws:kms/key:Key", "reason": REASON, "expires": PAST}]
    },
)


def test_expired_suppression_alone_fails_the_gate_once(run_with: Callable[..., Run]) -> None:
    # AIS-KEY-001 is a per-resource rule: it runs once per resource, yet the bad suppression is one finding.
    run = run_with(EXPIRED_ONLY)
    assert run.code == 1
    document = run.json()
    assert len(document["findings"]) == 1, document["findings"]
    (problem,) = document["findings"]
    assert problem["ruleId"] == "AIS-KEY-001"
    assert problem["path"] == "suppressions[0]"
    assert problem["urn"] == ""
    assert problem["level"] == "mandatory"
    assert "expired" in problem["message"]
    assert_summary_matches(run, document)


@pytest.mark.parametrize(
    ("suppression", "mentions"),
    [
        pytest.param({**BY_PATTERN, "reason": "ok", "expires": FUTURE}, "reason", id="reasonless"),
        # Twenty-five spaces say nothing, whatever their length; nor does one letter, or one word, repeated.
        pytest.param({**BY_PATTERN, "reason": " " * 25, "expires": FUTURE}, "reason", id="blank"),
        pytest.param({**BY_PATTERN, "reason": "x" * 25, "expires": FUTURE}, "reason", id="filler"),
        pytest.param({**BY_PATTERN, "reason": "aaaa aaaa aaaa aaaa", "expires": FUTURE}, "reason", id="repeated"),
        pytest.param({**BY_PATTERN, "reason": REASON}, "expiry", id="undated"),
        pytest.param({**BY_PATTERN, "reason": REASON, "expires": "next year"}, "expiry", id="bad-date"),
        pytest.param({"reason": REASON, "expires": FUTURE}, "resource", id="no-resource"),
        # Everything, or a glob that does not say it may match several resources.
        pytest.param({"resource": "*", "pattern": True, "reason": REASON, "expires": FUTURE}, "every", id="star"),
        pytest.param({"resource": "*", "reason": REASON, "expires": FUTURE}, '"pattern": true', id="star-bare"),
        pytest.param({"resource": SUPPRESSED_GLOB, "reason": REASON, "expires": FUTURE}, "pattern", id="undeclared"),
    ],
)
def test_incomplete_suppression_is_a_violation_and_suppresses_nothing(
    run_with: Callable[..., Run], suppression: dict[str, str], mentions: str
) -> None:
    run = run_with(policy_config(AIS_RES_001={**US_ONLY, "suppressions": [suppression]}))
    assert run.code == 1, run.stderr
    document = run.json()
    problems = [f for f in document["findings"] if f["path"].startswith("suppressions")]
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem["path"] == "suppressions[0]"
    assert problem["ruleId"] == "AIS-RES-001"
    assert problem["urn"] == "" and problem["level"] == "mandatory"
    assert mentions in problem["message"]
    assert document["suppressions"] == []
    assert not [f for f in document["findings"] if f["level"] == "suppressed"]
    assert_summary_matches(run, document)


def test_only_the_bad_suppression_is_reported(run_with: Callable[..., Run]) -> None:
    good = {**BY_PATTERN, "reason": REASON, "expires": FUTURE}
    bad = {"resource": "aistacks-*-models", "pattern": True, "max": 2, "reason": "temp", "expires": FUTURE}
    run = run_with(policy_config(AIS_RES_001={**US_ONLY, "suppressions": [good, bad]}))
    document = run.json()
    problems = [f for f in document["findings"] if f["path"].startswith("suppressions")]
    assert [p["path"] for p in problems] == ["suppressions[1]"]
    assert [s["resource"] for s in document["suppressions"]] == [SUPPRESSED_GLOB]
    suppressed = [f for f in document["findings"] if f["level"] == "suppressed"]
    assert len(suppressed) == 2
    assert all(fnmatch.fnmatchcase(name_of(f["urn"]), SUPPRESSED_GLOB) for f in suppressed)


DATASETS = "aistacks-gatetest-datasets"
"""The name both datasets buckets bear: an S3 bucket and a Cloud Storage bucket."""


def test_a_bare_name_of_several_types_is_reported_and_suppresses_nothing(run_with: Callable[..., Run]) -> None:
    bare = {"resource": DATASETS, "reason": REASON, "expires": FUTURE}
    run = run_with(policy_config(AIS_RES_001={**US_ONLY, "suppressions": [bare]}))
    assert run.code == 1
    document = run.json()
    (problem,) = [f for f in document["findings"] if f["path"] == "suppressions[0]"]
    assert problem["level"] == "mandatory"
    assert "aws:s3/bucket:Bucket" in problem["message"] and "gcp:storage/bucket:Bucket" in problem["message"]
    assert 'add "type"' in problem["message"]
    assert document["suppressions"] == []
    assert not [f for f in document["findings"] if f["level"] == "suppressed"]
    assert_summary_matches(run, document)


def test_a_name_and_type_suppress_one_resource(run_with: Callable[..., Run]) -> None:
    typed = {"resource": DATASETS, "type": "gcp:storage/bucket:Bucket", "reason": REASON, "expires": FUTURE}
    document = run_with(policy_config(AIS_RES_001={**US_ONLY, "suppressions": [typed]})).json()
    suppressed = [f["urn"] for f in document["findings"] if f["level"] == "suppressed"]
    assert [urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1] for urn in suppressed] == ["gcp:storage/bucket:Bucket"]
    assert document["suppressions"] == [{"rule": "AIS-RES-001", **typed, "matched": 1, "hid": suppressed}]


def test_sarif_and_junit_list_each_suppression_and_what_it_hid(run_with: Callable[..., Run]) -> None:
    hid = sorted({f["urn"] for f in run_with(SUPPRESSED).json()["findings"] if f["level"] == "suppressed"})
    sarif = run_with(SUPPRESSED, "sarif").json()
    (listed,) = sarif["runs"][0]["properties"]["suppressions"]
    assert listed["resource"] == SUPPRESSED_GLOB and listed["matched"] == 2 and listed["hid"] == hid
    suite = suites_of(run_with(SUPPRESSED, "junit").junit())["AIS-RES-001"]
    text = suite.findtext("system-out") or ""
    assert text.startswith("suppressions in force:")
    assert f"pattern {SUPPRESSED_GLOB}" in text and "matches 2 resource(s); hid the findings of 2:" in text
    assert all(urn in text for urn in hid)


# --- 4. config errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "named"),
    [
        pytest.param(policy_config(AIS_XXX_999="mandatory"), "AIS-XXX-999", id="unknown-rule"),
        pytest.param(policy_config(AIS_RES_001={"allowedJurisdiction": ["eu"]}), "allowedJurisdiction", id="setting"),
        pytest.param(policy_config(AIS_RES_001="strict"), "AIS-RES-001", id="bad-level"),
        pytest.param(policy_config(AIS_RES_001={"enforcementLevel": "block"}), "AIS-RES-001", id="bad-level-object"),
        pytest.param({"all": "strict"}, "all", id="bad-default-level"),
        pytest.param(policy_config(AIS_RES_001={"allowedJurisdictions": "eu"}), "allowedJurisdictions", id="value"),
        pytest.param(policy_config(AIS_KEY_002={"maxRotationDays": "ninety"}), "maxRotationDays", id="value-type"),
        pytest.param(policy_config(AIS_RES_001={"suppressions": "none"}), "suppressions", id="suppressions-type"),
        pytest.param(["AIS-RES-001"], "top level", id="not-an-object"),
    ],
)
def test_policy_config_errors_exit_2_naming_the_key(
    tmp_path: Path, stack_file: Path, document: Any, named: str
) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps(document), encoding="utf-8")
    run = gate("--stack-file", str(stack_file), "--policy-config", str(config))
    assert run.code == 2, run.stdout
    assert run.stdout == ""
    assert run.stderr.startswith("aistacks: ")
    assert named in run.stderr
    assert str(config) in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_policy_config_file_exits_2(tmp_path: Path, stack_file: Path) -> None:
    missing = tmp_path / "nope.json"
    run = gate("--stack-file", str(stack_file), "--policy-config", str(missing))
    assert run.code == 2
    assert run.stderr.startswith("aistacks: ") and str(missing) in run.stderr


def test_without_a_policy_config_the_gate_uses_the_built_in_one_of_the_stacks_tier_and_says_so(
    stack_file: Path,
) -> None:
    # No policies/config/gatetest.json in the repository: the built-in config of its tier and jurisdiction.
    run = gate("--stack-file", str(stack_file))
    assert run.code == 0, run.stderr
    missing = REPO / "policies" / "config" / f"{STACK_NAME}.json"
    assert f"policy config: built-in policy config of a staging stack in eu (no {missing})" in run.stdout


def test_malformed_policy_config_exits_2(tmp_path: Path, stack_file: Path) -> None:
    config = tmp_path / "broken.json"
    config.write_text('{"AIS-RES-001": "mandatory",', encoding="utf-8")
    run = gate("--stack-file", str(stack_file), "--policy-config", str(config))
    assert run.code == 2
    assert run.stderr.startswith("aistacks: ") and str(config) in run.stderr
    assert "JSON" in run.stderr


def test_unknown_environment_exits_2() -> None:
    run = gate("no-such-env")
    assert run.code == 2
    assert run.stderr.startswith("aistacks: ") and "no-such-env" in run.stderr


# --- 5. SARIF ------------------------------------------------------------------------------------


def check_sarif_driver(document: dict[str, Any]) -> list[dict[str, Any]]:
    assert document["version"] == "2.1.0"
    assert document["$schema"]
    assert "sarif" in document["$schema"] and "2.1.0" in document["$schema"]
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"]
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == RULE_IDS
    for rule, meta in zip(rules, RULES, strict=True):
        assert rule["shortDescription"]["text"] == meta.title
        assert rule["name"] == meta.name and re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["name"])
        assert rule["help"]["text"] == meta.remediation and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        severity = float(rule["properties"]["security-severity"])
        assert 0.0 <= severity <= 10.0
    by_id = {rule["id"]: rule for rule in rules}
    critical = [float(by_id[m.id]["properties"]["security-severity"]) for m in RULES if m.severity.value == "critical"]
    high = [float(by_id[m.id]["properties"]["security-severity"]) for m in RULES if m.severity.value == "high"]
    assert min(critical, default=10.0) > max(high, default=0.0)
    return rules


def test_sarif_report_of_a_failing_run(run_with: Callable[..., Run], stack_file: Path) -> None:
    run = run_with(policy_config(AIS_RES_001=US_ONLY), "sarif")
    assert run.code == 1
    assert run.stdout == ""
    assert run.summary["verdict"] == "FAILED"
    document = run.json()
    rules = check_sarif_driver(document)
    results = document["runs"][0]["results"]
    failing = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    assert len(results) == len(failing["findings"]) > 0
    for result in results:
        assert result["ruleId"] in RULE_IDS
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"
        assert result["message"]["text"]
        (location,) = result["locations"]
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("urn:pulumi:")
        # The stack file is outside the project: shown as it is.
        assert location["physicalLocation"]["artifactLocation"]["uri"] == str(stack_file)
        assert "suppressions" not in result
    urns = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results}
    assert urns == {f["urn"] for f in failing["findings"]}


def test_sarif_uri_is_relative_to_the_project(workdir: Path) -> None:
    config = workdir / "dev-us-only.json"
    config.write_text(
        json.dumps(policy_config(AIS_RES_001=US_ONLY, AIS_PRT_001="disabled", AIS_NET_001="disabled")),
        encoding="utf-8",
    )
    run = gate("dev", "--policy-config", str(config), "--format", "sarif", output=workdir / "dev.sarif")
    assert run.code == 1
    document = run.json()
    check_sarif_driver(document)
    results = document["runs"][0]["results"]
    assert results
    for result in results:
        assert result["ruleId"] == "AIS-RES-001" and result["level"] == "error"
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.dev.yaml"
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("urn:pulumi:dev::aistacks::")


def test_sarif_of_a_passing_run_has_the_rules_and_no_results(workdir: Path) -> None:
    run = gate("prod", "--format", "sarif")
    assert run.code == 0
    document = json.loads(run.stdout)
    check_sarif_driver(document)
    assert document["runs"][0]["results"] == []
    assert run.summary["verdict"] == "PASSED"  # the summary went to stderr


def test_sarif_marks_suppressed_results(run_with: Callable[..., Run]) -> None:
    document = run_with(SUPPRESSED, "sarif").json()
    results = document["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 2
    for result in suppressed:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external"
        assert suppression["justification"] == REASON
        name = name_of(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        assert fnmatch.fnmatchcase(name, SUPPRESSED_GLOB)
        assert result["level"] != "error"
    assert all(r["level"] == "error" for r in results if not r.get("suppressions"))


def test_sarif_of_a_suppression_problem(run_with: Callable[..., Run]) -> None:
    document = run_with(EXPIRED_ONLY, "sarif").json()
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "AIS-KEY-001"
    assert result["level"] == "error"
    assert document["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "AIS-KEY-001"
    assert "expired" in result["message"]["text"]


# --- 6. JUnit ------------------------------------------------------------------------------------


def suites_of(root: ET.Element) -> dict[str, ET.Element]:
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    names = [suite.get("name") for suite in suites]
    assert len(names) == len(set(names))
    return {str(suite.get("name")): suite for suite in suites}


def test_junit_report_of_a_failing_run(run_with: Callable[..., Run], custom_urns: set[str]) -> None:
    run = run_with(policy_config(AIS_RES_001=US_ONLY), "junit")
    assert run.code == 1
    failing = run_with(policy_config(AIS_RES_001=US_ONLY)).json()
    suites = suites_of(run.junit())
    assert list(suites) == failing["rulesRun"] == RULE_IDS
    for rule_id, suite in suites.items():
        cases = suite.findall("testcase")
        assert len(cases) == len(custom_urns)
        assert {case.get("name") for case in cases} == custom_urns
        assert {case.get("classname") for case in cases} == {rule_id}
        failures = [case for case in cases if case.find("failure") is not None]
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(len(failures))
        assert suite.get("skipped") == "0"
        expected = {f["urn"] for f in failing["findings"] if f["ruleId"] == rule_id}
        assert {case.get("name") for case in failures} == expected
    assert int(suites["AIS-RES-001"].get("failures") or 0) > 0


def test_junit_skips_suppressed_findings(run_with: Callable[..., Run], custom_urns: set[str]) -> None:
    run = run_with(SUPPRESSED, "junit")
    suite = suites_of(run.junit())["AIS-RES-001"]
    cases = suite.findall("testcase")
    assert len(cases) == len(custom_urns)
    skipped = [case for case in cases if case.find("skipped") is not None]
    assert len(skipped) == 2
    for case in skipped:
        assert fnmatch.fnmatchcase(name_of(str(case.get("name"))), SUPPRESSED_GLOB)
        assert case.find("failure") is None
        assert REASON in str(case.find("skipped").get("message"))  # type: ignore[union-attr]
    assert suite.get("skipped") == "2"
    failures = [case for case in cases if case.find("failure") is not None]
    assert suite.get("failures") == str(len(failures)) != "0"


def test_junit_policy_config_case_only_when_needed(run_with: Callable[..., Run], custom_urns: set[str]) -> None:
    suites = suites_of(run_with(EXPIRED_ONLY, "junit").junit())
    for rule_id, suite in suites.items():
        cases = suite.findall("testcase")
        names = [case.get("name") for case in cases]
        if rule_id == "AIS-KEY-001":
            assert len(cases) == len(custom_urns) + 1
            (config_case,) = [case for case in cases if case.get("name") == "(policy config)"]
            assert config_case.get("classname") == "AIS-KEY-001"
            failure = config_case.find("failure")
            assert failure is not None and "expired" in (failure.text or "") + str(failure.get("message"))
            assert suite.get("failures") == "1"
        else:
            assert len(cases) == len(custom_urns)
            assert "(policy config)" not in names
            assert suite.get("failures") == "0"


def test_junit_disabled_rule_has_no_suite(workdir: Path) -> None:
    run = gate("dev", "--format", "junit", output=workdir / "dev.xml")
    assert run.code == 0
    suites = suites_of(run.junit())
    assert "AIS-PRT-001" not in suites
    assert "AIS-NET-001" not in suites, "dev's policy config disables both"
    assert len(suites) == len(RULE_IDS) - 2
    assert all(suite.get("failures") == "0" for suite in suites.values())


# --- 7. importing the policies -------------------------------------------------------------------


def test_policies_one_per_rule_with_stable_ids() -> None:
    assert len(POLICIES) == len(RULES)
    assert [policy.name for policy in POLICIES] == RULE_IDS
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"AIS-[A-Z]{3,4}-\d{3}", rule_id)
    for rule in RULES:
        assert rule.title and rule.description and rule.remediation


IMPORT_CHECK = """
import pulumi_policy, pulumi_policy.policy

def refuse(*args, **kwargs):
    raise SystemExit("PolicyPack constructed on import")

pulumi_policy.PolicyPack = refuse
pulumi_policy.policy.PolicyPack = refuse
import aistacks.policies as policies
print(len(policies.POLICIES), len(policies.RULES))
"""


def test_importing_the_policies_starts_no_server() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(RULES)), str(len(RULES))]
    assert elapsed < 5, f"import took {elapsed:.1f} s"
