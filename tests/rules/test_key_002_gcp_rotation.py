"""AIS-KEY-002 (``policies/rules/key_002_gcp_rotation.py``): Cloud KMS encryption keys rotate within the
configured maximum period; other purposes are exempt, and a purpose unknown at preview is reported.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import UNKNOWN, findings, only, res, run


@pytest.mark.parametrize(
    ("props", "config", "violations"),
    [
        ({"rotationPeriod": "7776000s"}, {}, 0),
        ({"rotationPeriod": "31536000s"}, {}, 1),
        ({}, {}, 1),
        ({"rotationPeriod": "31536000s"}, {"AIS-KEY-002": {"maxRotationDays": 365}}, 0),
        ({"purpose": "ASYMMETRIC_SIGN"}, {}, 0),
    ],
)
def test_gcp_key_rotation_period(props: dict[str, Any], config: dict[str, Any], violations: int) -> None:
    key = res(
        "gcp:kms/cryptoKey:CryptoKey", "key", {"keyRing": "projects/p/locations/europe-west4/keyRings/r", **props}
    )
    assert len(findings(run(key, config=config), "AIS-KEY-002")) == violations


def test_an_unknown_key_purpose_is_not_a_silent_pass() -> None:
    gcp_key = res(
        "gcp:kms/cryptoKey:CryptoKey",
        "g",
        {"keyRing": "projects/p/locations/europe-west4/keyRings/r", "purpose": UNKNOWN},
    )
    assert only(run(gcp_key, preview=True), "AIS-KEY-002")[2].startswith("could not verify purpose")
