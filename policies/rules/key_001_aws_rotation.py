"""AIS-KEY-001: AWS KMS keys rotate automatically."""

from __future__ import annotations

from pulumi_policy import Severity

from ..framework import MISSING, Check, RuleMeta, Subject, Unknown, read, resource_policy

META = RuleMeta(
    id="AIS-KEY-001",
    name="AwsKmsKeysRotateAutomatically",
    title="AWS KMS keys rotate automatically",
    description="Every symmetric AWS KMS key has automatic rotation enabled.",
    severity=Severity.HIGH,
    remediation="Set enable_key_rotation=True (aistacks.aws.KmsKey always does); optionally "
    "rotation_period_in_days (90 to 2560).",
)

ROTATABLE_SPECS = (MISSING, None, "SYMMETRIC_DEFAULT")
"""AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate."""


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type != "aws:kms/key:Key":
        return
    spec = read(resource.props, "customerMasterKeySpec")
    if isinstance(spec, Unknown):
        check.cannot_verify(resource, spec, "a known key spec (rotation applies to SYMMETRIC_DEFAULT keys)")
        return
    if spec not in ROTATABLE_SPECS:
        return
    enabled = read(resource.props, "enableKeyRotation")
    if isinstance(enabled, Unknown):
        check.cannot_verify(resource, enabled, "true")
    elif enabled is not True:
        check.fail(resource, "enableKeyRotation", enabled, "true", "automatic key rotation is off")


POLICY = resource_policy(META, _check)
