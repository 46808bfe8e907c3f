"""Exposure end to end (issue 12): a program with a bucket, an EKS cluster's Service, Ingress and yaml/v2
ConfigGroup (a remote component: its Service is judged from its ``yaml`` input), and a CloudFront
distribution (``tests/programs/exposure``), run by the offline engine and gated like any program, in
update and preview mode. The compliant program passes the exposure and transport rules; each weakened
version (a public bucket policy, an internet-facing Ingress, a LoadBalancer Service with GKE's internal
annotation on EKS, an internet-facing Service in the ConfigGroup, CloudFront allowing plain HTTP) fails the
right rule on the right resource.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from aistacks.cli import main

PROGRAM = Path(__file__).parent / "programs" / "exposure"
RULES = ("AIS-NET-002", "AIS-NET-004", "AIS-TLS-001", "AIS-TLS-002")
POLICY = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
}
MODES = pytest.mark.parametrize("mode", [[], ["--preview"]], ids=["update", "preview"])


def gate(tmp_path: Path, weaken: str, mode: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """The gate's exit code and the findings of the exposure and transport rules."""
    stack_file = tmp_path / "Pulumi.test.yaml"
    stack_file.write_text(f'config:\n  exposure:weaken: "{weaken}"\n', encoding="utf-8")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY), encoding="utf-8")
    out = io.StringIO()
    args = ["gate", "--stack-file", str(stack_file), "--project-dir", str(PROGRAM), "--policy-config", str(policy)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([*args, *mode, "--format", "json"])
    findings = [f for f in json.loads(out.getvalue())["findings"] if f["ruleId"] in RULES]
    return code, findings


@MODES
def test_the_compliant_program_passes_the_exposure_rules(tmp_path: Path, mode: list[str]) -> None:
    assert gate(tmp_path, "", mode)[1] == []


@MODES
@pytest.mark.parametrize(
    ("weaken", "rule", "resource_type", "path"),
    [
        ("bucket-policy", "AIS-NET-004", "aws:s3/bucketPolicy:BucketPolicy", "policy"),
        ("ingress", "AIS-NET-002", "kubernetes:networking.k8s.io/v1:Ingress", "metadata.annotations"),
        ("service", "AIS-NET-002", "kubernetes:core/v1:Service", "metadata.annotations"),
        ("config-group", "AIS-NET-002", "kubernetes:yaml/v2:ConfigGroup", "yaml#0.metadata.annotations"),
        (
            "cloudfront",
            "AIS-TLS-002",
            "aws:cloudfront/distribution:Distribution",
            "defaultCacheBehavior.viewerProtocolPolicy",
        ),
    ],
)
def test_each_weakened_version_fails_the_right_rule(
    tmp_path: Path, mode: list[str], weaken: str, rule: str, resource_type: str, path: str
) -> None:
    code, findings = gate(tmp_path, weaken, mode)
    assert code == 1
    assert [(f["ruleId"], f["resourceType"], f["path"]) for f in findings] == [(rule, resource_type, path)]
