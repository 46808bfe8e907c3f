"""The collector is paused while a program runs and back as it was afterwards; the heap is frozen at exit."""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aistacks.engine import load_project, run_stack_file
from aistacks.engine.collector import collector_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_nested_pauses_end_with_the_outermost() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause must not end the outer one"
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_failing_block_still_ends_the_pause() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_the_program_runs_with_the_collector_paused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: watch\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(
        "import gc\nimport pulumi\n\npulumi.export('collector', gc.isenabled())\n", encoding="utf-8"
    )
    graph = run_stack_file(load_project(tmp_path), tmp_path / "Pulumi.dev.yaml")
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    assert stack.outputs == {"collector": False}
    assert gc.isenabled(), "and back on after the run"


def young_collections_after(pause: contextlib.AbstractContextManager[None]) -> int:
    """How many collections the end of ``pause`` (which allocates plenty) and a few allocations set off."""
    passes: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(watch)
    try:
        with pause:
            made = [[] for _ in range(50_000)]
        more = [[] for _ in range(10)]
    finally:
        gc.callbacks.remove(watch)
    del made, more
    return len(passes)


@pytest.mark.usefixtures("collector_on")
def test_a_pause_hands_its_objects_to_the_next_young_pass() -> None:
    assert young_collections_after(collector_paused()) >= 1


@pytest.mark.usefixtures("collector_on")
def test_a_promoting_pause_moves_its_objects_to_the_oldest_generation_unscanned() -> None:
    assert young_collections_after(collector_paused(promote=True)) == 0
    assert gc.get_freeze_count() == 0, "nothing stays frozen"


def test_the_heap_is_frozen_once_at_exit() -> None:
    # atexit runs handlers last-registered first: one registered before ours sees the heap after ours ran.
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from aistacks.engine.collector import freeze_at_exit\n"
        "before = atexit._ncallbacks()\n"
        "freeze_at_exit(); freeze_at_exit()\n"
        "print('registered:', atexit._ncallbacks() - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["registered: 1", "frozen at exit: True"]
