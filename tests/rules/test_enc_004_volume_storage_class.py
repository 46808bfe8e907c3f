"""AIS-ENC-004 (``policies/rules/enc_004_volume_storage_class.py``): workload volumes use a StorageClass the
stack defines on their cluster.

StatefulSet claim templates and ephemeral volumes (a class of the stack, its default class, a class of
another cluster, one outside the stack), PersistentVolumeClaims, the ephemeral volumes of the other
workload kinds, the empty class name, and a volume unknown at preview.
"""

from __future__ import annotations

from typing import Any

import pytest

from aistacks.engine.graph import ResourceRecord

from .fixtures import KEY_ARN, UNKNOWN, findings, only, provider, res, run

ENC4 = "AIS-ENC-004"
CLUSTER_A, CLUSTER_B = provider("kubernetes", "a"), provider("kubernetes", "b")


def storage_class(name: str, on: ResourceRecord = CLUSTER_A, *, default: bool = False) -> ResourceRecord:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    props = {
        "metadata": {"name": name, "annotations": annotations},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"encrypted": "true", "kmsKeyId": KEY_ARN},
    }
    return res("kubernetes:storage.k8s.io/v1:StorageClass", f"sc-{name}", props, on)


def statefulset(
    claim_class: str | None, ephemeral_class: str | None = None, on: ResourceRecord = CLUSTER_A
) -> ResourceRecord:
    def claim(name: str | None) -> dict[str, Any]:
        return {"accessModes": ["ReadWriteOnce"], **({"storageClassName": name} if name is not None else {})}

    volumes = [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": claim(ephemeral_class)}}}]
    spec = {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim(claim_class)}],
            "template": {"spec": {"volumes": volumes if ephemeral_class is not None else []}}}  # fmt: skip
    return res("kubernetes:apps/v1:StatefulSet", "db", {"metadata": {"name": "db"}, "spec": spec}, on)


@pytest.mark.parametrize(
    ("records", "paths"),
    [
        ((storage_class("encrypted"), statefulset("encrypted")), []),
        ((storage_class("encrypted", default=True), statefulset(None)), []),
        ((storage_class("encrypted"), statefulset(None)), ["spec.volumeClaimTemplates[0].spec.storageClassName"]),
        ((storage_class("encrypted"), statefulset("gp2")), ["spec.volumeClaimTemplates[0].spec.storageClassName"]),
        (
            (storage_class("encrypted"), statefulset("encrypted", ephemeral_class="gp2")),
            ["spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName"],
        ),
        (
            (storage_class("encrypted", CLUSTER_B), statefulset("encrypted")),
            ["spec.volumeClaimTemplates[0].spec.storageClassName"],
        ),
    ],
)
def test_workload_volumes_use_a_storage_class_of_the_stack(
    records: tuple[ResourceRecord, ...], paths: list[str]
) -> None:
    found = findings(run(CLUSTER_A, CLUSTER_B, *records), ENC4)
    assert [path for _, path, _ in found] == paths


def claim_spec(name: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}
    return {**spec, **({"storageClassName": name} if name is not None else {})}


def claim(name: str | None) -> ResourceRecord:
    props = {"metadata": {"name": "claim"}, "spec": claim_spec(name)}
    return res("kubernetes:core/v1:PersistentVolumeClaim", "claim", props, CLUSTER_A)


def scratch(name: str | None) -> dict[str, Any]:
    return {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": claim_spec(name)}}}


def deployment(volumes: Any) -> ResourceRecord:
    pod = {"containers": [{"name": "api", "image": "busybox"}], "volumes": volumes}
    props = {"metadata": {"name": "api"}, "spec": {"template": {"spec": pod}}}
    return res("kubernetes:apps/v1:Deployment", "api", props, CLUSTER_A)


def cron_job(volumes: Any) -> ResourceRecord:
    pod = {"restartPolicy": "OnFailure", "containers": [{"name": "snap", "image": "busybox"}], "volumes": volumes}
    props = {
        "metadata": {"name": "snap"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": pod}}}},
    }
    return res("kubernetes:batch/v1:CronJob", "snap", props, CLUSTER_A)


@pytest.mark.parametrize(
    ("record", "paths"),
    [
        (claim("encrypted"), []),
        (claim(None), []),
        (claim("gp2"), ["spec.storageClassName"]),
        (deployment([scratch("encrypted"), {"name": "tmp", "emptyDir": {}}]), []),
        (deployment([scratch(None)]), []),
        (
            deployment([scratch("gp2")]),
            ["spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName"],
        ),
        (
            cron_job([{"name": "tmp", "emptyDir": {}}, scratch("gp2")]),
            ["spec.jobTemplate.spec.template.spec.volumes[1].ephemeral.volumeClaimTemplate.spec.storageClassName"],
        ),
    ],
)
def test_claims_and_the_ephemeral_volumes_of_other_workload_kinds(record: ResourceRecord, paths: list[str]) -> None:
    found = findings(run(CLUSTER_A, storage_class("encrypted", default=True), record), ENC4)
    assert [path for _, path, _ in found] == paths


def test_an_empty_storage_class_name_is_refused() -> None:
    (_, path, message) = only(run(CLUSTER_A, storage_class("encrypted", default=True), claim("")), ENC4)
    assert path == "spec.storageClassName"
    assert message.startswith('storageClassName "" binds any pre-provisioned volume')


@pytest.mark.parametrize(
    ("volumes", "path"),
    [
        (UNKNOWN, "spec.template.spec.volumes"),
        ([UNKNOWN], "spec.template.spec.volumes[0]"),
        ([{"name": "scratch", "ephemeral": UNKNOWN}], "spec.template.spec.volumes[0].ephemeral"),
    ],
    ids=["the volumes", "a volume", "a volume's ephemeral source"],
)
def test_a_volume_unknown_at_preview_cannot_be_verified(volumes: Any, path: str) -> None:
    found = only(run(CLUSTER_A, storage_class("encrypted", default=True), deployment(volumes), preview=True), ENC4)
    assert found[1] == path
    assert found[2].startswith(f"could not verify {path}")
