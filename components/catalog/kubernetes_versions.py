"""The Kubernetes minors EKS and GKE create clusters on, over ``data/kubernetes_versions.json`` (which names
its sources, endoflife.date's amazon-eks and google-kubernetes-engine pages, and the date they were read).

EKS supports a minor through its extended support (at an extra cost per cluster hour after standard support
ends); GKE through its standard support, since aistacks does not use GKE's Extended release channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from aistacks.catalog.datafiles import load_data
from aistacks.vocabulary import Cloud

_DATA_FILE = "kubernetes_versions.json"
_SERVICE: dict[Cloud, str] = {"aws": "EKS", "gcp": "GKE"}
_DATA_KEY: dict[Cloud, str] = {"aws": "eks", "gcp": "gke"}


@dataclass(frozen=True)
class KubernetesSupport:
    """One Kubernetes minor on one cloud's managed Kubernetes."""

    minor: str
    """``"1.35"``."""
    released: dt.date
    end_of_standard_support: dt.date
    end_of_extended_support: dt.date | None
    """EKS only; GKE's extended support needs a release channel aistacks does not use."""

    @property
    def supported_until(self) -> dt.date:
        """The last day clusters of this minor are supported (the later of the two ends)."""
        return self.end_of_extended_support or self.end_of_standard_support


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@cache
def kubernetes_minors(cloud: Cloud) -> dict[str, KubernetesSupport]:
    """Every minor the catalog lists for ``cloud``, newest first."""
    entries: dict[str, dict[str, str]] = load_data(_DATA_FILE)[_DATA_KEY[cloud]]
    minors = {
        minor: KubernetesSupport(
            minor,
            dt.date.fromisoformat(entry["released"]),
            dt.date.fromisoformat(entry["end_of_standard_support"]),
            _date(entry.get("end_of_extended_support")),
        )
        for minor, entry in entries.items()
    }
    return dict(sorted(minors.items(), key=lambda item: tuple(int(part) for part in item[0].split(".")), reverse=True))


def supported_kubernetes_minors(cloud: Cloud, today: dt.date | None = None) -> list[KubernetesSupport]:
    """The minors ``cloud`` supports on ``today`` (default: today), newest first."""
    day = today or dt.date.today()
    return [support for support in kubernetes_minors(cloud).values() if support.supported_until >= day]


def kubernetes_version_problem(cloud: Cloud, minor: str, today: dt.date | None = None) -> str | None:
    """Why ``cloud`` cannot create a cluster of Kubernetes ``minor`` on ``today``, in words; none if it can."""
    day = today or dt.date.today()
    service = _SERVICE[cloud]
    supported = supported_kubernetes_minors(cloud, day)
    allowed = ", ".join(f"{s.minor} (until {s.supported_until.isoformat()})" for s in supported) or "none listed"
    source = f"catalog: endoflife.date, read {load_data(_DATA_FILE)['read']}"
    support = kubernetes_minors(cloud).get(minor)
    if support is None:
        return f"{service} does not offer Kubernetes {minor}; allowed: {allowed} ({source})"
    if support.supported_until < day:
        return (
            f"{service} support for Kubernetes {minor} ended on {support.supported_until.isoformat()}; "
            f"allowed: {allowed} ({source})"
        )
    return None
