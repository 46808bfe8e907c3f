"""IAM principals that are not service account resources: Kubernetes workloads of a GKE cluster."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class WorkloadPrincipal:
    """A Kubernetes ServiceAccount as an IAM principal (Workload Identity Federation for GKE): IAM grants
    go to it directly, with no Google service account to impersonate."""

    label: str
    """A short, stable name for the grants made to it (``vector-qdrant-snapshots``)."""
    member: pulumi.Output[str]
    """``principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/
    <project>.svc.id.goog/subject/ns/<namespace>/sa/<name>``."""


def workload_principal_member(project_number: str, pool: str, namespace: str, service_account: str) -> str:
    """The IAM member of a GKE ServiceAccount in the workload identity pool ``pool``
    (``<project>.svc.id.goog``). Format: GKE docs, "Authenticate to Google Cloud APIs from GKE
    workloads", principal identifiers (read 2026-11-27)."""
    return (
        f"principal://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/"
        f"{pool}/subject/ns/{namespace}/sa/{service_account}"
    )
