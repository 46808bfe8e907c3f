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


SUPPORT_WARNING_DAYS = 90
"""How long before a minor's standard support ends a plan starts to warn about it."""


def kubernetes_support_warning(
    cloud: Cloud, minor: str, today: dt.date | None = None, within_days: int = SUPPORT_WARNING_DAYS
) -> str | None:
    """Why a cluster of Kubernetes ``minor`` on ``cloud`` needs an upgrade soon, in words, with the minor to move
    to; none when its standard support lasts more than ``within_days`` after ``today`` (default: today).

    Not an error (:func:`kubernetes_version_problem` is the error, for a minor not listed or past its support):
    a warning when standard support ends within ``within_days``, or has ended and EKS's extended support (at an
    extra cost per cluster hour) carries the minor."""
    day = today or dt.date.today()
    support = kubernetes_minors(cloud).get(minor)
    if support is None or support.supported_until < day:
        return None
    standard_end = support.end_of_standard_support
    horizon = day + dt.timedelta(days=within_days)
    if standard_end > horizon:
        return None
    service = _SERVICE[cloud]
    if standard_end < day:
        said = (
            f"{service} standard support for Kubernetes {minor} ended on {standard_end.isoformat()}; its clusters "
            f"are in extended support, at an extra cost per cluster hour, until {support.supported_until.isoformat()}"
        )
    else:
        days = (standard_end - day).days
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        said = f"{service} standard support for Kubernetes {minor} ends on {standard_end.isoformat()} ({when})"
        if support.end_of_extended_support is not None:
            said += (
                f"; extended support, at an extra cost per cluster hour, follows until "
                f"{support.end_of_extended_support.isoformat()}"
            )
        else:
            said += "; after it a plan refuses this version"
    return f"{said}; {_upgrade_advice(cloud, minor, horizon)}"


def _upgrade_advice(cloud: Cloud, minor: str, horizon: dt.date) -> str:
    """Which minor to move to: the oldest newer one whose standard support outlasts ``horizon``, else the newest."""
    key = tuple(int(part) for part in minor.split("."))
    newer = [s for s in kubernetes_minors(cloud).values() if tuple(int(p) for p in s.minor.split(".")) > key]
    if not newer:
        return "no newer minor is in the catalog yet (aistacks.catalog, data/kubernetes_versions.json)"
    lasting = [s for s in newer if s.end_of_standard_support > horizon]
    target = lasting[-1] if lasting else newer[0]
    steps = int(target.minor.split(".")[1]) - key[1]
    return f'upgrade to "{target.minor}" (standard support until {target.end_of_standard_support.isoformat()})' + (
        ", one minor at a time, as the cloud upgrades clusters" if steps > 1 else ""
    )
