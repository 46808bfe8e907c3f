"""The in-cluster layer on a cluster aistacks did not create: any ``kubernetes.Provider`` will do."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from aistacks.cli import main
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.graph import display_value

from .k8s_validation import validate_strictly
from .test_compute import KUBERNETES_VERSION, manifests

PROGRAM = Path(__file__).resolve().parents[1] / "examples" / "existing-cluster"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    project = load_project(PROGRAM)
    return run_stack_file(project, project.stack_file("onprem"))


def test_every_object_goes_through_the_teams_provider(graph: ResourceGraph) -> None:
    (provider,) = graph.of_type("pulumi:providers:kubernetes")
    assert provider.name == "onprem" and display_value(provider.inputs)["context"] == "onprem-gpu"
    objects = [r for r in graph.resources if r.type.startswith("kubernetes:") and r.custom]
    assert len(objects) > 15
    assert all(r.provider == provider.urn for r in objects)


def test_qdrant_uses_the_teams_storage_class_and_schedule(graph: ResourceGraph) -> None:
    found = {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests(graph)}
    (claim,) = found["StatefulSet/qdrant"]["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "ceph-rbd-encrypted"
    assert found["StatefulSet/qdrant"]["spec"]["replicas"] == 3
    assert found["CronJob/qdrant-snapshots"]["spec"]["schedule"] == "30 1 * * *"
    assert "annotations" not in found["ServiceAccount/qdrant-snapshots"]["metadata"], "no cloud identity here"
    pod = found["CronJob/qdrant-snapshots"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["envFrom"] == [{"secretRef": {"name": "snapshot-store-credentials"}}]
    assert {"name": "AWS_ENDPOINT_URL", "value": "https://s3.storage.acme.internal"} in container["env"]
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    assert stack.outputs["endpoint"] == "http://qdrant.vector.svc.cluster.local:6333"


def test_every_manifest_validates_strictly(graph: ResourceGraph) -> None:
    """Built-in kinds against Kubernetes' schemas, KEDA's ScaledObject against its CRD's."""
    found = manifests(graph)
    assert "ScaledObject" in {m["kind"] for m in found}
    for manifest in found:
        validate_strictly(manifest, KUBERNETES_VERSION)


def test_the_gate_reports_volumes_on_a_class_the_program_does_not_define(tmp_path: Path) -> None:
    """The team's class lives outside the program, so nothing shows it encrypts: AIS-ENC-004 says so, once
    per claim (Qdrant's claim template, the model server's ephemeral weights volume), and the team records its
    evidence as a suppression. (Snapshots wait on the node's disk here: the team names no scratch class.)"""
    config = tmp_path / "policy.json"
    config.write_text(
        json.dumps({"all": "mandatory", "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
                    "AIS-RES-002": {"allowedJurisdictions": ["eu"]}}),
        encoding="utf-8",
    )  # fmt: skip
    report = tmp_path / "report.json"
    args = ["gate", "--stack-file", str(PROGRAM / "Pulumi.onprem.yaml"), "--project-dir", str(PROGRAM)]
    assert main([*args, "--policy-config", str(config), "--format", "json", "--output", str(report)]) == 1
    found = sorted((f["ruleId"], f["path"]) for f in json.loads(report.read_text(encoding="utf-8"))["findings"])
    assert found == [
        ("AIS-ENC-004", "spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName"),
        ("AIS-ENC-004", "spec.volumeClaimTemplates[0].spec.storageClassName"),
    ]


def test_the_suppression_the_example_shows_records_the_evidence(tmp_path: Path) -> None:
    """The examples README's suppression, in force (its expiry moved ahead of today), passes the gate and is
    listed in the report."""
    readme = (PROGRAM.parent / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(.*?)```", readme, re.DOTALL)
    rule = json.loads("{" + block + "}")
    for suppression in rule["AIS-ENC-004"]["suppressions"]:
        suppression["expires"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    config = json.loads((PROGRAM / "policies" / "config" / "onprem.json").read_text(encoding="utf-8")) | rule
    (tmp_path / "policy.json").write_text(json.dumps(config), encoding="utf-8")
    report = tmp_path / "report.json"
    args = ["gate", "--stack-file", str(PROGRAM / "Pulumi.onprem.yaml"), "--project-dir", str(PROGRAM)]
    assert (
        main([*args, "--policy-config", str(tmp_path / "policy.json"), "--format", "json", "--output", str(report)])
        == 0
    )
    document = json.loads(report.read_text(encoding="utf-8"))
    assert [f["level"] for f in document["findings"]] == ["suppressed", "suppressed"]
