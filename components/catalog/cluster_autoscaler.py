"""Cluster Autoscaler releases per Kubernetes minor, over ``data/cluster_autoscaler.json`` (which names its
sources and the date they were read).

Cluster Autoscaler's minor must match the cluster's: it simulates the scheduler of its own Kubernetes
minor, and upstream tests no other combination. Source: kubernetes/autoscaler, cluster-autoscaler/README.md,
"Releases" and "Schedule" (read 2026-11-30).
"""

from __future__ import annotations

from dataclasses import dataclass

from aistacks.catalog.datafiles import load_data

_DATA_FILE = "cluster_autoscaler.json"


class NoAutoscalerRelease(LookupError):
    """The catalog has no Cluster Autoscaler release for a Kubernetes minor."""


@dataclass(frozen=True)
class AutoscalerRelease:
    """One Cluster Autoscaler release: the newest patch of one Kubernetes minor."""

    kubernetes_minor: str
    """``"1.35"``."""
    version: str
    """``"1.35.2"``: the git tag ``cluster-autoscaler-<version>``, the image tag ``v<version>``."""
    repository: str
    """``registry.k8s.io/autoscaling/cluster-autoscaler``."""
    digest: str
    """The image index digest (``sha256:…``) the release was promoted with."""
    dynamic_resource_allocation: bool
    """The release always reads DRA objects (``resource.k8s.io``), so its RBAC must allow it."""

    @property
    def image(self) -> str:
        """The image by tag and digest: the digest decides what runs, the tag says what it is."""
        return f"{self.repository}:v{self.version}@{self.digest}"


def _minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def cluster_autoscaler_minors() -> list[str]:
    """Every Kubernetes minor the catalog has a Cluster Autoscaler release for, oldest first."""
    return sorted(load_data(_DATA_FILE)["releases"], key=_minor_key)


def kubernetes_minor(version: str) -> str:
    """The minor of a Kubernetes version (``"1.35"`` of ``"1.35"``, ``"1.35.4"`` or ``"v1.35.4"``)."""
    parts = version.removeprefix("v").split(".")
    if len(parts) < 2 or not all(part.isdigit() for part in parts[:2]):
        raise ValueError(f"{version!r} is not a Kubernetes version such as 1.35")
    return ".".join(parts[:2])


def cluster_autoscaler_release(kubernetes_version: str) -> AutoscalerRelease:
    """The Cluster Autoscaler release for a cluster of ``kubernetes_version``; raises
    :class:`NoAutoscalerRelease`, naming the minors it knows, when the catalog has none for its minor."""
    minor = kubernetes_minor(kubernetes_version)
    data = load_data(_DATA_FILE)
    entry = data["releases"].get(minor)
    if entry is None:
        known = ", ".join(cluster_autoscaler_minors())
        raise NoAutoscalerRelease(
            f"no Cluster Autoscaler release for Kubernetes {minor} in the catalog (its minor must match the "
            f"cluster's); Kubernetes minors with one: {known}"
        )
    return AutoscalerRelease(
        kubernetes_minor=minor,
        version=entry["version"],
        repository=data["repository"],
        digest=entry["digest"],
        dynamic_resource_allocation=entry["dynamic_resource_allocation"],
    )
