"""AIS-KEY-002: Cloud KMS encryption keys rotate at least every N days."""

from __future__ import annotations

import re

from pulumi_policy import Severity

from ..framework import MISSING, Check, RuleMeta, Subject, Unknown, read, resource_policy

META = RuleMeta(
    id="AIS-KEY-002",
    name="CloudKmsKeysRotateWithinMaximumPeriod",
    title="Cloud KMS keys rotate within the maximum period",
    description="Every Cloud KMS symmetric encryption key has a rotation period no longer than the configured "
    "maximum (90 days by default).",
    severity=Severity.HIGH,
    remediation="Set rotation_period (seconds, e.g. '7776000s' for 90 days); aistacks.gcp.KmsKey does.",
    settings={
        "maxRotationDays": {
            "type": "integer",
            "minimum": 1,
            "default": 90,
            "description": "The longest rotation period allowed, in days.",
        }
    },
)

_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type != "gcp:kms/cryptoKey:CryptoKey":
        return
    purpose = read(resource.props, "purpose")
    if isinstance(purpose, Unknown):
        check.cannot_verify(resource, purpose, "a known purpose (rotation applies to ENCRYPT_DECRYPT keys)")
        return
    if purpose not in (MISSING, None, "ENCRYPT_DECRYPT"):
        return  # only symmetric encryption keys rotate automatically
    max_days = int(check.settings["maxRotationDays"])
    expected = f"at most {max_days * 86400}s ({max_days} days)"
    period = read(resource.props, "rotationPeriod")
    if isinstance(period, Unknown):
        check.cannot_verify(resource, period, expected)
        return
    match = _SECONDS.match(period) if isinstance(period, str) else None
    if match is None:
        check.fail(resource, "rotationPeriod", period, expected, "no automatic rotation period")
    elif float(match.group(1)) > max_days * 86400:
        check.fail(resource, "rotationPeriod", period, expected, f"rotates less often than every {max_days} days")


POLICY = resource_policy(META, _check)
