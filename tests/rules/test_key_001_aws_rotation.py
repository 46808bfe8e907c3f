"""AIS-KEY-001 (``policies/rules/key_001_aws_rotation.py``): symmetric AWS KMS keys rotate automatically;
asymmetric keys are exempt, and a key spec unknown at preview is reported.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import UNKNOWN, findings, only, res, run


@pytest.mark.parametrize(
    ("props", "violations"),
    [
        ({"enableKeyRotation": True}, 0),
        ({"enableKeyRotation": False}, 1),
        ({}, 1),
        ({"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}, 0),
    ],
)
def test_aws_key_rotation(props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res("aws:kms/key:Key", "key", props)), "AIS-KEY-001")) == violations


def test_an_unknown_key_spec_is_not_a_silent_pass() -> None:
    key = res("aws:kms/key:Key", "k", {"customerMasterKeySpec": UNKNOWN, "enableKeyRotation": False})
    assert only(run(key, preview=True), "AIS-KEY-001")[2].startswith("could not verify customerMasterKeySpec")
