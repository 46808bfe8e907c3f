"""The benchmark's generated program still plans, in the engine and in the floor the benchmark compares with."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from aistacks.engine import load_project, run_stack_file
from aistacks.engine.cloud import RESOURCE_HANDLERS

from .conftest import REPO

BENCHMARKS = REPO / "benchmarks"


def generated() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generated", BENCHMARKS / "generated.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_program_plans_every_resource_with_a_modelled_type(tmp_path: Path) -> None:
    program = generated()
    stack_file = program.write_program(tmp_path, 2)
    graph = run_stack_file(load_project(tmp_path), stack_file)
    assert len(graph.resources) == program.resource_count(2) == 28
    custom = {r.type for r in graph.resources if r.custom and not r.type.startswith("pulumi:providers:")}
    assert len(custom) == 11
    assert custom <= set(RESOURCE_HANDLERS), "the benchmark measures the modelled types"
    assert not graph.generic_types and not graph.generic_functions


def test_the_floor_runs_the_same_program(tmp_path: Path) -> None:
    generated().write_program(tmp_path, 2)
    command = [sys.executable, str(BENCHMARKS / "plan_time.py"), "--measure", "floor", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["resources"] == 28
    assert measured["seconds"] > 0
