"""AIS-PRT-001 (``policies/rules/prt_001_protect_stateful.py``): stateful resources, managed vector stores
included, are protected from deletion; stateless ones need not be, and the rule can be disabled.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import COLLECTION, INDEX, findings, gcs, res, run


@pytest.mark.parametrize(
    ("protect", "level", "violations"), [(True, "mandatory", 0), (False, "mandatory", 1), (False, "disabled", 0)]
)
def test_stateful_resources_are_protected(protect: bool, level: str, violations: int) -> None:
    bucket = gcs("b", "EU")
    bucket.protect = protect
    assert len(findings(run(bucket, config={"AIS-PRT-001": level}), "AIS-PRT-001")) == violations


def test_stateless_resources_need_no_protection() -> None:
    role = res("aws:iam/role:Role", "r", protect=False)
    assert findings(run(role), "AIS-PRT-001") == []


@pytest.mark.parametrize(
    ("type_token", "props"), [(COLLECTION, {"name": "vectors"}), (INDEX, {"region": "europe-west4"})]
)
def test_managed_vector_stores_are_protected(type_token: str, props: dict[str, Any]) -> None:
    assert findings(run(res(type_token, "kept", props)), "AIS-PRT-001") == []
    assert len(findings(run(res(type_token, "lost", props, protect=False)), "AIS-PRT-001")) == 1
