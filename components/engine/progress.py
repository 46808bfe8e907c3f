"""What a run of ``aistacks plan`` or ``aistacks gate`` is doing, shown on stderr while it runs.

Three modes, chosen by the command (:func:`aistacks.cli.main`):

* ``live``, when stderr is a terminal: one status line, redrawn in place (phase, resources registered so far,
  seconds elapsed), and cleared before anything else is written: a warning, the report, an error.
* ``lines``, asked for with ``--progress`` or ``AISTACKS_PROGRESS=1`` where stderr is not a terminal (CI): one
  ``aistacks: PHASE: ... s`` line as each phase ends; none for a phase that failed.
* ``off``: nothing (the default off a terminal, and ``--quiet``).

In every mode :meth:`Progress.warning` prints the program's warnings (``pulumi.log.warn``) as
``aistacks: warning: ...``. Never stdout: it carries the report.

Hand-written rather than ``rich``: one status line needs a carriage return, an erase-line sequence and a timer
thread, about sixty lines, while ``rich`` would be a new dependency (with ``pygments`` and ``markdown-it-py``)
and tens of milliseconds of import time for every run, including the ``--json`` runs scripts make.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal, Protocol, TextIO

ProgressMode = Literal["live", "lines", "off"]
CLEAR_LINE = "\r\x1b[K"
"""Back to the start of the line and erase it (ANSI "erase in line")."""
REDRAW_SECONDS = 0.1


class RunObserver(Protocol):
    """What :func:`aistacks.engine.run.run_program` tells about a run as it happens."""

    def registered(self) -> None:
        """A resource was registered (called on the program's threads: it must be cheap)."""

    def warning(self, message: str) -> None:
        """The program logged a warning (``pulumi.log.warn``)."""


class Progress:
    """The progress of one command on ``stream`` (stderr), a :class:`RunObserver` of its program run.

    Use it as a context manager: leaving it, by return or exception, stops the timer and clears the line."""

    def __init__(
        self, stream: TextIO, mode: ProgressMode, *, clock: Callable[[], float] = time.monotonic, redraw: bool = True
    ) -> None:
        self._stream = stream
        self.mode: ProgressMode = mode
        self._clock = clock
        self._started = clock()
        self._phase: str | None = None
        self._phase_started = self._started
        self.resources = 0
        self._lock = threading.Lock()
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if mode == "live" and redraw:
            self._thread = threading.Thread(target=self._tick, name="aistacks-progress", daemon=True)
            self._thread.start()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.finish(failed=error is not None)

    def phase(self, name: str) -> None:
        """Start phase ``name`` (such as "running the program"), ending the one before it."""
        with self._lock:
            self._end_phase()
            self._phase, self._phase_started = name, self._clock()
            self._draw()

    def registered(self) -> None:
        self.resources += 1  # read by the timer thread; an int's increment needs no lock for a display

    def warning(self, message: str) -> None:
        with self._lock:
            self._clear()
            self._write(f"aistacks: warning: {message}\n")
            self._draw()

    def finish(self, *, failed: bool = False) -> None:
        """End the last phase (its line, in ``lines`` mode, unless it ``failed``), stop the timer and clear the
        status line; the stream then holds nothing of the display. Safe to call again."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        with self._lock:
            if not failed:
                self._end_phase()
            self._phase = None
            self._clear()

    def _end_phase(self) -> None:
        if self._phase is None or self.mode != "lines":
            return
        seconds = self._clock() - self._phase_started
        counted = f"{self.resources} resources, " if self._phase == "running the program" else ""
        self._write(f"aistacks: {self._phase}: {counted}{seconds:.1f} s\n")

    def _tick(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            with self._lock:
                self._draw()

    def _status(self) -> str:
        elapsed = self._clock() - self._started
        return f"aistacks: {self._phase}... {self.resources} resources registered, {elapsed:.1f} s"

    def _draw(self) -> None:
        if self.mode != "live" or self._phase is None or self._stop.is_set():
            return
        width = shutil.get_terminal_size((80, 24)).columns
        # Never as wide as the terminal: a line that wraps cannot be erased with one carriage return.
        self._write(CLEAR_LINE + self._status()[: max(width - 1, 10)])
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write(CLEAR_LINE)
            self._drawn = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the display stops, the command does not
            self.mode = "off"
            self._stop.set()
