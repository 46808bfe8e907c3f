"""Shared fixtures: the repository's project and the offline plans of its stacks, run once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aistacks.engine import Project, ResourceGraph, load_project, run_stack_file

REPO = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(scope="session")
def project() -> Project:
    return load_project(REPO)


@pytest.fixture(scope="session")
def plan(project: Project) -> Callable[[str, bool], ResourceGraph]:
    """``plan(env, preview)``: the recorded graph of one stack, computed once per session."""
    cache: dict[tuple[str, bool], ResourceGraph] = {}

    def get(env: str, preview: bool = False) -> ResourceGraph:
        if (env, preview) not in cache:
            cache[env, preview] = run_stack_file(project, project.stack_file(env), preview=preview)
        return cache[env, preview]

    return get
