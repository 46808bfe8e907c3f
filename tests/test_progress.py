"""The progress display of ``aistacks plan`` and ``aistacks gate``: a live status line on a terminal, erased
before anything else is printed; a line per phase with ``--progress`` off a terminal; nothing otherwise, and
never on stdout."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aistacks.cli import EXIT_OK, EXIT_USAGE, main
from aistacks.engine import load_project, load_stack_file, run_program
from aistacks.engine.progress import CLEAR_LINE, Progress

BUCKETS = 'import pulumi_aws as aws\n\nfor n in range(5):\n    aws.s3.Bucket(f"bucket-{n}")\n'
BAD_PROGRAM_CONFIG = 'import pulumi\n\npulumi.Config().require("replicas")\n'


class Recorder:
    """stdout and stderr in one log, in the order they were written."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def text(self, stream: str) -> str:
        return "".join(text for name, text in self.events if name == stream)


class Stream(io.StringIO):
    def __init__(self, recorder: Recorder, name: str, *, tty: bool) -> None:
        super().__init__()
        self._recorder, self._name, self._tty = recorder, name, tty

    def write(self, text: str) -> int:
        self._recorder.events.append((self._name, text))
        return super().write(text)

    def isatty(self) -> bool:
        return self._tty


@contextlib.contextmanager
def streams(*, tty: bool) -> Iterator[Recorder]:
    recorder = Recorder()
    with (
        contextlib.redirect_stdout(Stream(recorder, "stdout", tty=False)),
        contextlib.redirect_stderr(Stream(recorder, "stderr", tty=tty)),
    ):
        yield recorder


def project(folder: Path, program: str = BUCKETS) -> Path:
    (folder / "Pulumi.yaml").write_text("name: progress\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.test.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    (folder / "__main__.py").write_text(program, encoding="utf-8")
    (folder / "policies" / "config").mkdir(parents=True)
    (folder / "policies" / "config" / "test.json").write_text('{"all": "advisory"}', encoding="utf-8")
    return folder


def run(folder: Path, *extra: str, tty: bool, command: str = "plan") -> tuple[int, Recorder]:
    with streams(tty=tty) as recorder:
        code = main([command, "test", "--project-dir", str(folder), *extra])
    return code, recorder


@pytest.fixture(autouse=True)
def no_progress_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AISTACKS_PROGRESS", raising=False)


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_terminal_sees_a_status_line_cleared_before_the_report(tmp_path: Path, command: str) -> None:
    folder = project(tmp_path)
    code, recorder = run(folder, tty=True, command=command)
    assert code == EXIT_OK
    stderr = recorder.text("stderr")
    assert f"{CLEAR_LINE}aistacks: loading the stack... 0 resources registered" in stderr
    assert f"{CLEAR_LINE}aistacks: running the program..." in stderr
    assert f"{CLEAR_LINE}aistacks: checking names... 6 resources registered" in stderr, stderr
    if command == "gate":
        assert f"{CLEAR_LINE}aistacks: evaluating rules..." in stderr
    assert "\n" not in stderr, "a status line, redrawn in place"
    assert stderr.endswith(CLEAR_LINE), "erased at the end"
    first_output = next(index for index, (name, _) in enumerate(recorder.events) if name == "stdout")
    before = [text for name, text in recorder.events[:first_output] if name == "stderr"]
    assert before[-1] == CLEAR_LINE, "erased before the report is written"
    assert recorder.text("stdout") == run(folder, tty=False, command=command)[1].text("stdout")


def test_off_a_terminal_nothing_is_added(tmp_path: Path) -> None:
    code, recorder = run(project(tmp_path), tty=False)
    assert code == EXIT_OK
    assert recorder.text("stderr") == ""


def test_quiet_on_a_terminal_shows_nothing(tmp_path: Path) -> None:
    code, recorder = run(project(tmp_path), "--quiet", tty=True)
    assert code == EXIT_OK
    assert recorder.text("stderr") == ""


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_progress_off_a_terminal_is_a_line_per_phase(tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = ("--progress",) if how == "flag" else ()
    if how == "variable":
        monkeypatch.setenv("AISTACKS_PROGRESS", "1")
    code, recorder = run(project(tmp_path), *extra, tty=False, command="gate")
    assert code == EXIT_OK
    lines = recorder.text("stderr").splitlines()
    assert [line.split(":")[1].strip() for line in lines[:4]] == [
        "loading the stack",
        "running the program",
        "checking names",
        "evaluating rules",
    ], lines
    assert all(line.startswith("aistacks: ") and line.endswith(" s") for line in lines[:4])
    assert lines[1].startswith("aistacks: running the program: 6 resources, ")
    assert "\r" not in recorder.text("stderr")


def test_the_variable_can_turn_the_terminal_display_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AISTACKS_PROGRESS", "0")
    assert run(project(tmp_path), tty=True)[1].text("stderr") == ""


def test_an_error_on_a_terminal_comes_after_the_line_is_erased(tmp_path: Path) -> None:
    code, recorder = run(project(tmp_path, BAD_PROGRAM_CONFIG), tty=True)
    assert code == EXIT_USAGE
    stderr = recorder.text("stderr")
    assert CLEAR_LINE in stderr
    shown = stderr.rsplit(CLEAR_LINE, 1)[1]
    assert shown.startswith("aistacks: "), stderr
    assert "replicas" in shown and "running the program" not in shown


def test_an_error_with_progress_lines_keeps_its_message_last(tmp_path: Path) -> None:
    code, recorder = run(project(tmp_path, BAD_PROGRAM_CONFIG), "--progress", tty=False)
    assert code == EXIT_USAGE
    lines = recorder.text("stderr").splitlines()
    assert lines[0].startswith("aistacks: loading the stack: ")
    assert not any("running the program:" in line for line in lines), "a failed phase has no 'done' line"
    message = "\n".join(lines[1:])
    assert message.startswith("aistacks: ") and "replicas" in message, lines


def test_a_warning_on_a_terminal_erases_the_line_first(tmp_path: Path) -> None:
    program = 'import pulumi\n\npulumi.log.warn("mind the gap")\n' + BUCKETS
    code, recorder = run(project(tmp_path, program), tty=True)
    assert code == EXIT_OK
    stderr = recorder.text("stderr")
    assert f"{CLEAR_LINE}aistacks: warning: mind the gap\n" in stderr
    assert stderr.endswith(CLEAR_LINE)


def test_json_output_is_unchanged_by_the_display(tmp_path: Path) -> None:
    folder = project(tmp_path)
    shown = run(folder, "--json", tty=True)[1].text("stdout")
    assert json.loads(shown) == json.loads(run(folder, "--json", tty=False)[1].text("stdout"))


class Broken(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError

    def isatty(self) -> bool:
        return True


def test_a_closed_stderr_stops_the_display_not_the_command() -> None:
    with Progress(Broken(), "live", redraw=False) as progress:
        progress.phase("running the program")
        progress.registered()
        progress.warning("lost")
    assert progress.mode == "off"
    progress.finish()  # again: nothing left to do


def test_the_display_is_erased_when_the_command_raises() -> None:
    stream = io.StringIO()

    def interrupted() -> None:
        with Progress(stream, "live", redraw=False) as progress:
            progress.phase("running the program")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    shown = stream.getvalue()
    assert shown.startswith(f"{CLEAR_LINE}aistacks: running the program... 0 resources registered")
    assert shown.endswith(CLEAR_LINE)


def test_the_engine_reports_each_registration(tmp_path: Path) -> None:
    folder = project(tmp_path)
    loaded = load_project(folder)
    stack = load_stack_file(folder / "Pulumi.test.yaml", loaded.name)
    progress = Progress(io.StringIO(), "off")
    graph = run_program(loaded, stack, observer=progress)
    registered = [r for r in graph.resources if not r.type.startswith("pulumi:providers:")]
    assert progress.resources == len(registered) == 6, [r.type for r in graph.resources]  # the stack and 5
