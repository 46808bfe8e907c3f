"""Shared fixtures: the repository's project and the offline plans of its stacks, run once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import hypothesis  # noqa: F401 - see below
import pytest

from aistacks import advisories
from aistacks.engine import Project, ResourceGraph, load_project, run_stack_file

# Imported up front on purpose: pytest's hypothesis plugin otherwise imports (and so compiles)
# hypothesis at session end, and CPython 3.11 before 3.11.8 can then fail with "SystemError: AST
# constructor recursion depth mismatch" (python/cpython#106905) after threaded Pulumi runs.
REPO = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("dev", "staging", "prod")


TEST_TODAY = dt.date(2026, 11, 30)
"""The day in-process runs take as today for their warnings, so that what a shipped stack prints does not
change as its Kubernetes minor nears its end of support: tests/test_kubernetes_support.py covers the
warnings with dates of its own, and tests/test_catalog.py fails when the version catalog itself is stale."""


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(advisories, "current_date", lambda: TEST_TODAY)


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
