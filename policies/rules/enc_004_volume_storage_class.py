"""AIS-ENC-004: workload volumes use a StorageClass of the stack, so AIS-ENC-001 has verified its key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, Unknown, is_set, items, literal, read, stack_policy

META = RuleMeta(
    id="AIS-ENC-004",
    name="VolumesUseEncryptingStorageClasses",
    title="Workload volumes use an encrypting StorageClass of the stack",
    description="Every volume claim (PersistentVolumeClaims, StatefulSet volumeClaimTemplates and the generic "
    "ephemeral volumes of any workload) names a StorageClass the stack defines on the same cluster, or, naming none, "
    "gets the stack's default class there; AIS-ENC-001 checks that class's customer-managed key. A class the "
    "stack does not define encrypts, if at all, as someone else configured it.",
    severity=Severity.HIGH,
    remediation="Use the cluster's encrypted StorageClass (aistacks creates encrypted-gp3 on EKS and "
    "encrypted-pd-balanced on GKE, each the default), or define your encrypted class in the same program.",
)

STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass"
CLAIM_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
STATEFUL_SET_TYPE = "kubernetes:apps/v1:StatefulSet"
POD_SPECS: Mapping[str, str] = {
    "kubernetes:core/v1:Pod": "spec",
    "kubernetes:apps/v1:Deployment": "spec.template.spec",
    "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
    "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
    "kubernetes:apps/v1:ReplicaSet": "spec.template.spec",
    "kubernetes:batch/v1:Job": "spec.template.spec",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
}
"""Where each workload kind keeps its pod spec, whose generic ephemeral volumes are claims too."""
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
EXPECTED = "a StorageClass the stack defines on this cluster"


def _claims(check: Check, resource: PolicyResource) -> Iterator[str]:
    """Paths of the claim specs of ``resource``; an unknown volume is reported, not skipped."""
    if resource.resource_type == CLAIM_TYPE:
        yield "spec"
    if resource.resource_type == STATEFUL_SET_TYPE:
        for path, _ in items(resource.props, "spec.volumeClaimTemplates"):
            yield f"{path}.spec"
    pod_spec = POD_SPECS.get(resource.resource_type)
    if pod_spec is None:
        return
    for path, volume in items(resource.props, f"{pod_spec}.volumes"):
        ephemeral = read(resource.props, f"{path}.ephemeral") if not isinstance(volume, Unknown) else volume
        if isinstance(ephemeral, Unknown):
            check.cannot_verify(resource, ephemeral, EXPECTED)
        elif is_set(ephemeral):
            yield f"{path}.ephemeral.volumeClaimTemplate.spec"


def _cluster_of(resource: PolicyResource) -> str | None:
    return resource.provider.urn if resource.provider is not None else None


def _classes(resources: Sequence[PolicyResource]) -> dict[tuple[str | None, str], PolicyResource]:
    """The stack's StorageClasses by (cluster, name); the default one also under (cluster, "")."""
    found: dict[tuple[str | None, str], PolicyResource] = {}
    for storage_class in resources:
        if storage_class.resource_type != STORAGE_CLASS_TYPE:
            continue
        cluster = _cluster_of(storage_class)
        name = read(storage_class.props, "metadata.name")
        if is_set(name):
            found[cluster, str(name)] = storage_class
        annotations = read(storage_class.props, "metadata.annotations")
        if isinstance(annotations, Mapping) and str(annotations.get(DEFAULT_CLASS_ANNOTATION)).lower() == "true":
            found[cluster, ""] = storage_class
    return found


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    classes = _classes(resources)
    for resource in resources:
        for claim in _claims(check, resource):
            path = f"{claim}.storageClassName"
            name: Any = read(resource.props, path)
            if isinstance(name, Unknown):
                check.cannot_verify(resource, name, EXPECTED)
            elif name == "":
                check.fail(
                    resource,
                    path,
                    name,
                    EXPECTED,
                    'storageClassName "" binds any pre-provisioned volume without a class, encrypted or not',
                )
            elif (_cluster_of(resource), str(name) if is_set(name) else "") not in classes:
                what = f"StorageClass {literal(name)}" if is_set(name) else "the cluster's default StorageClass"
                check.fail(
                    resource,
                    path,
                    name,
                    EXPECTED,
                    f"{what} is not defined by the stack on this cluster: nothing shows its volumes are "
                    "encrypted with a customer-managed key",
                )


POLICY = stack_policy(META, _check)
