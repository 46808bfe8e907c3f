"""Every rule of the pack has its own test module in ``tests/rules/``, named after the rule's module in
``policies/rules/`` (AIS-ENC-004 lives in ``enc_004_volume_storage_class.py``, so its tests live in
``test_enc_004_volume_storage_class.py``), and every such test module belongs to a rule of the pack.

A new rule without tests, or a renamed rule whose tests were left behind, fails here."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from aistacks.policies import RULES
from aistacks.policies import rules as rules_package

HERE = Path(__file__).parent
RULE_TEST_MODULE = re.compile(r"^test_([a-z]+_\d{3}_\w+)\.py$")


def rule_modules() -> dict[str, str]:
    """Rule id -> name of the module in ``policies/rules/`` that defines it (its ``META``)."""
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        meta = getattr(module, "META", None)
        if meta is not None:
            assert meta.id not in found, f"{meta.id} is defined by {found[meta.id]} and {info.name}"
            found[meta.id] = info.name
    return found


MODULES = rule_modules()


@pytest.mark.parametrize("rule_id", [rule.id for rule in RULES])
def test_every_rule_has_a_test_module(rule_id: str) -> None:
    assert rule_id in MODULES, f"no module in policies/rules/ defines {rule_id}"
    test_module = HERE / f"test_{MODULES[rule_id]}.py"
    assert test_module.is_file(), f"{rule_id} has no tests: add tests/rules/{test_module.name}"
    assert rule_id in test_module.read_text(), f"{test_module.name} never names {rule_id}"


def test_every_rule_test_module_belongs_to_a_rule_of_the_pack() -> None:
    in_the_pack = {MODULES[rule.id] for rule in RULES if rule.id in MODULES}
    named = {match.group(1) for path in HERE.glob("test_*.py") if (match := RULE_TEST_MODULE.match(path.name))}
    assert named <= in_the_pack, f"test modules of no rule in the pack: {sorted(named - in_the_pack)}"
