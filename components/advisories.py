"""What a stack config should change soon, though it plans today: warnings, not errors. Each is a
:class:`ConfigIssue` (the key, its value, what to do) that never stops a plan; the stack program logs them
with ``pulumi.log.warn`` (:func:`aistacks.program.platform_program`), so ``pulumi up`` and ``aistacks plan``
show them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from aistacks.catalog.kubernetes_versions import SUPPORT_WARNING_DAYS, kubernetes_support_warning
from aistacks.issues import ConfigIssue

if TYPE_CHECKING:
    from aistacks.spec import PlatformSpec

ROOT = "aistacks:platform"


def current_date() -> dt.date:
    """Today, the day the warnings are for (tests replace it)."""
    return dt.date.today()


def config_warnings(
    spec: PlatformSpec, today: dt.date | None = None, root: str = ROOT, within_days: int = SUPPORT_WARNING_DAYS
) -> list[ConfigIssue]:
    """The warnings of a valid ``spec`` on ``today`` (default: today): each cloud's ``kubernetes_version``
    whose standard support ends within ``within_days`` days, or has ended while EKS's extended support still
    carries it (:func:`aistacks.catalog.kubernetes_versions.kubernetes_support_warning`)."""
    day = today or current_date()
    warnings: list[ConfigIssue] = []
    for cloud, settings in spec.cloud_specs().items():
        version = settings.kubernetes_version
        if version is None or not settings.clusters:  # a version no cluster runs on needs no upgrade
            continue
        message = kubernetes_support_warning(cloud, version, day, within_days)
        if message is not None:
            warnings.append(ConfigIssue(f"{root}.{cloud}.kubernetes_version", version, message))
    return warnings
