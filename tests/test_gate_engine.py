"""The gate on programs run by the offline engine: unknowns at preview, default providers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from aistacks.engine import load_project, run_stack_file
from aistacks.engine.stackfile import load_stack_file, runtime_config
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

PROGRAMS = Path(__file__).parent / "programs"
CONFIG: dict[str, Any] = {
    "all": "mandatory",
    "AIS-RES-001": {"allowedJurisdictions": ["eu"]},
    "AIS-RES-002": {"allowedJurisdictions": ["eu"]},
    "AIS-PRT-001": "disabled",
}


def gate(program: str, *, preview: bool, config: dict[str, Any] | None = None) -> GateResult:
    project = load_project(PROGRAMS / program)
    stack_file = project.stack_file("test")
    graph = run_stack_file(project, stack_file, preview=preview)
    resolved = resolve_policy_config(config or CONFIG, POLICIES, "test")
    stack_config = runtime_config(load_stack_file(stack_file, project.name))
    return evaluate(graph, POLICIES, resolved, stack_config, today=dt.date(2026, 11, 27))


def residency(result: GateResult) -> list[tuple[str, str, str]]:
    return [
        (r.finding.urn.rsplit("::", 1)[-1], r.finding.path, r.finding.message)
        for r in result.results
        if r.finding.rule_id == "AIS-RES-001"
    ]


def test_a_location_unknown_at_preview_is_reported_as_unverifiable() -> None:
    (finding,) = residency(gate("unknowns", preview=True))
    name, path, message = finding
    assert (name, path) == ("late", "location")
    assert message.startswith("could not verify location: it is unknown until the update")


def test_the_same_program_passes_once_the_location_is_known() -> None:
    result = gate("unknowns", preview=False)
    assert residency(result) == []
    assert result.passed


def test_advisory_level_lets_the_unverifiable_preview_pass() -> None:
    config = {**CONFIG, "AIS-RES-001": {"enforcementLevel": "advisory", "allowedJurisdictions": ["eu"]}}
    result = gate("unknowns", preview=True, config=config)
    assert len(residency(result)) == 1
    assert result.passed


@pytest.mark.parametrize("preview", [False, True])
def test_resources_on_the_default_provider_are_placed_by_its_config(preview: bool) -> None:
    """The library program names no provider: the engine's default providers, built from the
    stack's aws:*/gcp:* config, place its resources (eu-north-1, europe-north1)."""
    assert residency(gate("library", preview=preview)) == []
    us_only = {**CONFIG, "AIS-RES-001": {"allowedJurisdictions": ["us"]}}
    found = residency(gate("library", preview=preview, config=us_only))
    by_path = {path for _, path, _ in found}
    assert "provider.region" in by_path, "resources placed by their (default) provider"
    assert any(name.startswith("default_") and path == "region" for name, path, _ in found), "the default provider"
    assert all("eu-north-1" in message or "europe-north1" in message.lower() for _, _, message in found)
