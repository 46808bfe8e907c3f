"""The cyclic garbage collector, held off while a program runs: it, not the program, was most of a plan's time.

A run holds hundreds of thousands of long-lived objects (the provider SDKs' modules and classes,
every resource's inputs and outputs: 540,000 tracked after planning prod) and makes little cyclic
garbage (86,000 objects for prod). With the collector on, each full pass rescans all of them (one
runs each time the heap grows by a quarter) and the young passes rescan what the SDKs just made:
at 3,004 resources the collector took 9.2 s of a 15.2 s run; paused, the run took 5.0 s and its
peak memory grew by 3% (310 to 320 MB). Measured with the program of ``benchmarks/generated.py``
on a 2-core AMD EPYC, CPython 3.11.7.

When the outermost pause ends, the collector is back as it was, and its next young pass collects
the run's garbage (0.3 s after the first run in a process), so a process that plans many programs
(a test suite) does not grow. A command about to exit need not pay for that: it ends its pause with
``promote``, and freezes the heap at exit, where the interpreter's own collections would otherwise
walk it all again (1.9 s of ``aistacks plan prod``) only to free what the process drops anyway.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading
from collections.abc import Iterator


class _Pause:
    """Nested and concurrent pauses: the collector is back on when the last one ends, if it was on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False
        self._freezes_at_exit = False

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def leave(self, *, promote: bool) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0:
                return
            if promote and gc.get_freeze_count() == 0:
                # freeze() empties the young generations into the permanent one and unfreeze() hands it
                # all to the oldest: a move of lists, no scan. Only when nothing was frozen before, so as
                # not to thaw what a caller froze on purpose.
                gc.freeze()
                gc.unfreeze()
            if self._was_enabled:
                gc.enable()

    def freeze_at_exit(self) -> None:
        with self._lock:
            if not self._freezes_at_exit:
                atexit.register(gc.freeze)
                self._freezes_at_exit = True


_PAUSE = _Pause()


@contextlib.contextmanager
def collector_paused(*, promote: bool = False) -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees everything else).

    With ``promote``, what the block made moves to the oldest generation unscanned when the
    outermost pause ends, instead of being scanned by the next young pass: for a process about to exit."""
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave(promote=promote)


def freeze_at_exit() -> None:
    """Skip the collector's walk of the whole heap when the interpreter exits (registered once)."""
    _PAUSE.freeze_at_exit()
