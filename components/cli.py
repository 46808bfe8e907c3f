"""The ``aistacks`` command: ``plan`` runs a stack offline and shows the resources it would create;
``gate`` evaluates the guardrails on them; ``cost`` estimates what the stack costs a month from its plan.

The exit code is the whole interface a CI system sees, so each means one thing:

* 0 (``EXIT_OK``): the plan ran; the gate found no mandatory violation.
* 1 (``EXIT_VIOLATIONS``): the gate found mandatory violations, and only that.
* 2 (``EXIT_USAGE``): a usage, config or input error: arguments, the project, the stack file, the stack
  config, the policy config, a physical name the cloud would refuse, an ``--output`` that is an input of the
  run, a directory or in a missing directory, a node type ``cost`` finds no price for in the stack's region.
* 3 (``EXIT_FAILURE``): the program under test raised (anything but a config error), or the tool failed
  (an unwritable ``--output``, a bug).
* 141 (``EXIT_BROKEN_PIPE``, 128 + SIGPIPE, as a shell reports any tool a closed pipe stops): the reader
  of stdout closed it before the output was written (``aistacks plan prod --json | head``); nothing more is
  printed.

Every error is one message on stderr, ``aistacks: ...``, naming the file; a Python traceback only with
``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

import pulumi

from aistacks.engine import find_project_root, load_project, load_stack_file, run_program
from aistacks.engine.collector import collector_paused, freeze_at_exit
from aistacks.engine.names import PhysicalNameError, require_acceptable_names
from aistacks.engine.progress import Progress, ProgressMode
from aistacks.engine.render import generic_note, render_tree
from aistacks.engine.run import INPUT_ERRORS, ProgramError
from aistacks.engine.stackfile import PROJECT_FILE, Project, StackFileError, runtime_config
from aistacks.vocabulary import TIERS

REPORT_FORMATS = ("text", "json", "sarif", "junit")
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_FAILURE = 3
EXIT_BROKEN_PIPE = 141
_PIECE = 16384
DEBUG_HINT = "run again with --debug for the traceback"
PROGRESS_VARIABLE = "AISTACKS_PROGRESS"
PROGRESS_HELP = (
    " Progress goes to stderr, never stdout: on a terminal a status line (phase, resources registered, seconds), "
    "erased before any output; elsewhere (CI) nothing, unless --progress or AISTACKS_PROGRESS=1 asks for a line "
    "per phase. Warnings (`aistacks: warning: ...`, a Kubernetes version near the end of its support, say) show "
    "in every mode and do not change the exit code."
)


class OutputPathError(Exception):
    """An ``--output`` the command refuses before running: an input of the run, a directory, no folder."""


class _OutputWriteError(Exception):
    """The report could not be written to ``--output`` (the tool failed: exit 3)."""


class _StdoutClosed(Exception):
    """The reader of stdout went away (a broken pipe)."""


def _version() -> str:
    try:
        return metadata.version("aistacks")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aistacks",
        description="Production AI infrastructure on AWS and Google Cloud. "
        "Runs the stack program offline: no Pulumi CLI, no plugins, no credentials.",
    )
    parser.add_argument("--version", action="version", version=f"aistacks {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = commands.add_parser(
        "plan",
        help="run a stack in the offline engine and show the resources it would create",
        description="Run the stack program for ENV (stacks/Pulumi.ENV.yaml) in Pulumi's mock runtime "
        "against a mock cloud and print the resource graph. Exit 0 on success, 2 on a usage, config or input "
        "error (including a physical name, after Pulumi's auto-naming, that the cloud would refuse), 3 when the "
        "program raised or the tool failed." + PROGRESS_HELP,
    )
    _add_stack_arguments(plan)
    plan.add_argument("--json", action="store_true", help="print one JSON object per resource instead of a tree")
    gate = commands.add_parser(
        "gate",
        help="plan a stack offline and evaluate the guardrails on it (a CI gate)",
        description="Run the stack program offline, then evaluate the aistacks guardrails (the same policies "
        "`pulumi preview --policy-pack policies` runs) on its resources. Exit 0 when no mandatory rule is "
        "violated, 1 when one is (and only then), 2 on a usage, config or input error, 3 when the program "
        "raised or the tool failed (an unwritable --output, say)." + PROGRESS_HELP,
    )
    _add_stack_arguments(gate)
    gate.add_argument(
        "--policy-config",
        type=Path,
        metavar="FILE",
        help="policy config JSON (default: policies/config/ENV.json of the project, else the built-in config "
        "of the stack's tier and jurisdiction; the gate says which it used)",
    )
    gate.add_argument("--format", choices=REPORT_FORMATS, default="text", help="report format (default: text)")
    gate.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the report here instead of stdout (atomically; never onto an input of the run)",
    )
    cost = commands.add_parser(
        "cost",
        help="estimate what a stack costs a month, from its plan (no program run)",
        description="Estimate the monthly cost of ENV (stacks/Pulumi.ENV.yaml) from its plan and the price "
        "catalog, without running the program: each GPU pool at its idle floor (min nodes) and at full scale "
        "(max nodes) on the capacity the plan chose, the other capacity beside it, the fixed items (cluster fees, "
        "system nodes, NAT, keys), totals per cloud and for the environment, what is not estimated and why, and "
        "the assumptions. Exit 0 on success; 2 on a usage, config or input error (including a node type the "
        "price catalog has no price for in the stack's region); 3 when the tool failed.",
    )
    cost.add_argument("env", nargs="?", metavar="ENV", help="environment (stack) name: dev, staging, prod, ...")
    cost.add_argument("--stack-file", type=Path, metavar="PATH", help="use this stack file instead of ENV's")
    cost.add_argument(
        "--project-dir", type=Path, metavar="DIR", help="folder of Pulumi.yaml (default: found upward from here)"
    )
    cost.add_argument(
        "--json", action="store_true", help="print the estimate as JSON (stable: for CI) instead of a table"
    )
    cost.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the estimate here instead of stdout (atomically; never onto an input of the run)",
    )
    cost.add_argument("--debug", action="store_true", help="on an error, print the Python traceback too")
    policy_config = commands.add_parser(
        "policy-config",
        help="print the built-in policy config of a tier and jurisdiction (a start for policies/config/ENV.json)",
        description="Print the policy config `aistacks gate` uses for a TIER stack in JURISDICTION when the "
        "project has no policies/config/ENV.json, as JSON: a start for that file, which `pulumi preview "
        "--policy-pack-config` also reads. Exit 0, or 2 on an unknown tier or jurisdiction.",
    )
    policy_config.add_argument("tier", choices=TIERS, metavar="TIER", help=f"one of {', '.join(TIERS)}")
    policy_config.add_argument("jurisdiction", metavar="JURISDICTION", help="where data may reside, such as eu")
    policy_config.add_argument("--debug", action="store_true", help="on an error, print the Python traceback too")
    return parser


def _add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("env", nargs="?", metavar="ENV", help="environment (stack) name: dev, staging, prod, ...")
    parser.add_argument("--stack-file", type=Path, metavar="PATH", help="use this stack file instead of ENV's")
    parser.add_argument(
        "--project-dir", type=Path, metavar="DIR", help="folder of Pulumi.yaml (default: found upward from here)"
    )
    parser.add_argument("--preview", action="store_true", help="preview mode: outputs unknown, as in pulumi preview")
    parser.add_argument("--debug", action="store_true", help="on an error, print the Python traceback too")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        action="store_true",
        help="show progress on stderr even when it is not a terminal (CI): a line per phase with its seconds, "
        f"as {PROGRESS_VARIABLE}=1 does; on a terminal a live status line is the default",
    )
    shown.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help=f"no progress display on stderr, as {PROGRESS_VARIABLE}=0 does (warnings and errors still show)",
    )


def _progress_mode(args: argparse.Namespace) -> ProgressMode:
    """How ``plan`` and ``gate`` show progress on stderr: a live line on a terminal; off elsewhere (CI), where a
    log of ``aistacks: PHASE: N s`` lines is asked for with ``--progress`` or ``AISTACKS_PROGRESS=1``. Off by
    default off a terminal, so that a failed run's stderr is its ``aistacks: ...`` message alone and a passing
    run's is empty, as scripts reading it expect."""
    if not hasattr(args, "quiet"):
        return "off"
    variable = os.environ.get(PROGRESS_VARIABLE, "").strip().lower()
    if args.quiet or (variable in ("0", "no", "false", "off") and not args.progress):
        return "off"
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if terminal:
        return "live"
    return "lines" if args.progress or variable in ("1", "yes", "true", "on") else "off"


def _project(args: argparse.Namespace) -> Project:
    if args.project_dir is not None:
        return load_project(args.project_dir.resolve())
    try:
        return load_project(find_project_root(Path.cwd()))
    except StackFileError:
        if args.stack_file is None:
            raise
        return load_project(find_project_root(args.stack_file.resolve().parent))


def _stack_file(args: argparse.Namespace, project: Project) -> Path:
    if args.stack_file is not None:
        return args.stack_file.resolve()
    if not args.env:
        raise StackFileError("name an environment (ENV) or a stack file (--stack-file)")
    path = project.stack_file(args.env)
    if not path.is_file():
        known = ", ".join(project.stacks()) or "none"
        raise StackFileError(f"no stack file for environment {args.env!r} ({path}); environments: {known}")
    return path


def _emit(text: str) -> None:
    """Write ``text`` to stdout and flush it; a reader that went away is :class:`_StdoutClosed`.

    In pieces no larger than a pipe's buffer: one large write that the pipe takes only part of before its
    reader leaves can end without an error and without the rest (seen with CPython 3.11 on Linux), so a
    truncated output would exit 0; the next piece's write reports the broken pipe."""
    try:
        for start in range(0, len(text), _PIECE):
            sys.stdout.write(text[start : start + _PIECE])
        sys.stdout.flush()
    except BrokenPipeError as error:
        raise _StdoutClosed from error


def _plan(args: argparse.Namespace, progress: Progress) -> int:
    progress.phase("loading the stack")
    project = _project(args)
    stack_path = args.stack_path = _stack_file(args, project)
    stack = load_stack_file(stack_path, project.name)
    progress.phase("running the program")
    graph = run_program(project, stack, preview=args.preview, wrap_program_errors=True, observer=progress)
    progress.phase("checking names")
    require_acceptable_names(graph)
    progress.finish()
    if args.json:
        _emit(json.dumps(graph.to_json(), indent=2) + "\n")
    else:
        _emit(render_tree(graph))
    return EXIT_OK


def _same_file(a: Path, b: Path) -> bool:
    if a == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def _program_files(project: Project) -> Iterator[Path]:
    """The files of the project's program a report must never replace: ``Pulumi.yaml``, the stack files,
    and the program's Python sources."""
    yield project.root / PROJECT_FILE
    for folder in {project.root, project.stack_config_dir}:
        for pattern in ("Pulumi.*.yaml", "Pulumi.*.yml"):
            yield from folder.glob(pattern)
    yield project.program


def _check_output(output: Path, project: Project, inputs: Sequence[Path]) -> Path:
    """The resolved ``--output`` path, or :class:`OutputPathError` when writing it would lose a file or
    cannot start: an input of the run (stack file, policy config, program file), a directory, or a path
    whose folder does not exist."""
    target = output.resolve()
    if target.is_dir():
        raise OutputPathError(f"--output {output}: is a directory; name a file, such as {output / 'report.json'}")
    if not target.parent.is_dir():
        raise OutputPathError(f"--output {output}: the folder {target.parent} does not exist; create it first")
    refuse = "is an input of this run and would be overwritten; write the report elsewhere"
    for path in inputs:
        if _same_file(target, path):
            raise OutputPathError(f"--output {output}: {refuse} ({path})")
    for path in _program_files(project):
        if _same_file(target, path):
            raise OutputPathError(f"--output {output}: {refuse} (a file of the project's program: {path})")
    main = project.main.resolve()
    if target.suffix == ".py" and target.is_relative_to(main):
        raise OutputPathError(f"--output {output}: {refuse} (a Python file in the program's folder {main})")
    return target


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in its folder, synced, then renamed over it: the
    path holds either its old content or all of the new, and a failure leaves no file behind."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _gate(args: argparse.Namespace, progress: Progress) -> int:
    from aistacks.gate import evaluate
    from aistacks.gate.builtin import choose_policy_config
    from aistacks.gate.report import render_json, render_junit, render_sarif, render_text, summary
    from aistacks.policies import POLICIES, RULES

    progress.phase("loading the stack")
    project = _project(args)
    stack_path = args.stack_path = _stack_file(args, project)
    stack = load_stack_file(stack_path, project.name)
    chosen = choose_policy_config(args.policy_config, project, stack, POLICIES)
    inputs = [stack_path] if chosen.path is None else [stack_path, chosen.path]
    output = None if args.output is None else _check_output(args.output, project, inputs)
    progress.phase("running the program")
    graph = run_program(project, stack, preview=args.preview, wrap_program_errors=True, observer=progress)
    progress.phase("checking names")
    require_acceptable_names(graph)
    progress.phase("evaluating rules")
    result = evaluate(graph, POLICIES, chosen.rules, runtime_config(stack))
    progress.finish()
    try:
        shown = stack_path.relative_to(project.root).as_posix()
    except ValueError:
        shown = stack_path.as_posix()
    custom = [(r.urn, r.type) for r in graph.resources if r.custom]
    report = {
        "text": lambda: (
            _after_first_line(render_text(result), f"policy config: {chosen.description}") + generic_note(graph)
        ),
        "json": lambda: render_json(result),
        "sarif": lambda: render_sarif(result, RULES, shown),
        "junit": lambda: render_junit(result, RULES, custom),
    }[args.format]()
    if output is not None:
        try:
            _write_atomically(output, report)
        except OSError as error:
            raise _OutputWriteError(
                f"--output {args.output}: cannot write the report: {error.strerror or error}; nothing was "
                f"written (the evaluation {'passed' if result.passed else 'failed'}: {summary(result)})"
            ) from error
    else:
        _emit(report)
    if output is not None or args.format != "text":
        _note(f"policy config: {chosen.description}")
        _note(summary(result))
    return EXIT_OK if result.passed else EXIT_VIOLATIONS


def _cost(args: argparse.Namespace, progress: Progress) -> int:
    from aistacks.advisories import config_warnings, current_date
    from aistacks.config import CONFIG_PATH, ConfigError, parse_platform_spec, undecrypted_secret_error
    from aistacks.cost import estimate_platform, render_json, render_text
    from aistacks.plan import plan_platform
    from aistacks.validate import ConfigIssue

    progress.phase("loading the stack")
    project = _project(args)
    stack_path = args.stack_path = _stack_file(args, project)
    stack = load_stack_file(stack_path, project.name)
    output = None if args.output is None else _check_output(args.output, project, [stack_path])
    if CONFIG_PATH not in stack.config:
        required = "required: an object with at least `environment` and `jurisdiction`"
        raise ConfigError([ConfigIssue(CONFIG_PATH, None, required)])
    if CONFIG_PATH in stack.secret_keys:
        raise undecrypted_secret_error()
    config = runtime_config(stack)
    spec = parse_platform_spec(config[CONFIG_PATH], stack_config=config, stack=stack.name)
    for warning in config_warnings(spec):
        progress.warning(str(warning))
    progress.phase("estimating")
    estimate = estimate_platform(plan_platform(spec), today=current_date())
    progress.finish()
    report = render_json(estimate) if args.json else render_text(estimate)
    if output is None:
        _emit(report)
        return EXIT_OK
    try:
        _write_atomically(output, report)
    except OSError as error:
        raise _OutputWriteError(
            f"--output {args.output}: cannot write the estimate: {error.strerror or error}; nothing was written"
        ) from error
    return EXIT_OK


def _after_first_line(text: str, line: str) -> str:
    first, _, rest = text.partition("\n")
    return f"{first}\n{line}\n{rest}"


def _policy_config(args: argparse.Namespace, progress: Progress) -> int:
    from aistacks.catalog import known_jurisdictions
    from aistacks.gate import PolicyConfigError
    from aistacks.gate.builtin import render_policy_config, tier_policy_config

    known = known_jurisdictions()
    if args.jurisdiction not in known:
        raise PolicyConfigError(
            f"jurisdiction {json.dumps(args.jurisdiction)} is unknown; known (lower case): {', '.join(known)}"
        )
    _emit(render_policy_config(tier_policy_config(args.tier, args.jurisdiction)))
    return EXIT_OK


def _note(text: str) -> None:
    """A line for the person running the command, on stderr: it never mixes with a report on stdout."""
    with contextlib.suppress(BrokenPipeError):
        print(text, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Without ``argv`` it is the process's own command line (the ``aistacks`` script),
    and the process exits when it returns: the run's objects are then neither collected after the
    command nor at exit. Most of a plan's CPU went to the collector (aistacks.engine.collector)."""
    from aistacks.cost import MissingPrice
    from aistacks.gate import PolicyConfigError

    args = _parser().parse_args(argv)
    command = {"plan": _plan, "gate": _gate, "cost": _cost, "policy-config": _policy_config}[args.command]
    exiting = argv is None
    if exiting:
        freeze_at_exit()
    try:
        # Leaving the display clears its line, before any message below or the traceback of a KeyboardInterrupt.
        with Progress(sys.stderr, _progress_mode(args)) as progress, collector_paused(promote=exiting):
            return command(args, progress)
    except _StdoutClosed:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except (*INPUT_ERRORS, PolicyConfigError, PhysicalNameError, OutputPathError, MissingPrice) as error:
        return _fail(args, error, EXIT_USAGE, _with_stack_file(args, error))
    except ProgramError as error:
        return _fail(
            args, error, EXIT_FAILURE, f"{error}; fix the program" + ("" if args.debug else f", or {DEBUG_HINT}")
        )
    except _OutputWriteError as error:
        return _fail(args, error, EXIT_FAILURE, str(error))
    except Exception as error:  # the tool itself failed: say so, in one message
        hint = "please report it" if args.debug else f"{DEBUG_HINT}; please report it"
        message = f"internal error: {type(error).__name__}: {error} ({hint})"
        return _fail(args, error, EXIT_FAILURE, message)


def _with_stack_file(args: argparse.Namespace, error: BaseException) -> str:
    """The message of an input error; a config error the program raised, and a price the catalog lacks for a
    type of the stack, also name the stack file."""
    from aistacks.cost import MissingPrice

    text = str(error)
    stack_path = getattr(args, "stack_path", None)
    if isinstance(error, pulumi.RunError | MissingPrice) and stack_path is not None and str(stack_path) not in text:
        text += f"\n  (stack file: {stack_path})"
    return text


def _fail(args: argparse.Namespace, error: BaseException, code: int, message: str) -> int:
    """Report ``error`` on stderr as one ``aistacks: ...`` message, after its traceback with ``--debug``."""
    with contextlib.suppress(BrokenPipeError):
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        print(f"aistacks: {message}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the interpreter's last flush stays quiet."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
