"""The ``aistacks`` command: ``plan`` runs a stack offline and shows the resources it would create."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from aistacks.config import ConfigError
from aistacks.engine import find_project_root, load_project, load_stack_file, run_program, run_stack_file
from aistacks.engine.cloud import MissingRegionError
from aistacks.engine.collector import collector_paused, freeze_at_exit
from aistacks.engine.names import PhysicalNameError, require_acceptable_names
from aistacks.engine.render import generic_note, render_tree
from aistacks.engine.run import DefaultProviderDisabledError
from aistacks.engine.stackfile import Project, StackFileError, runtime_config

REPORT_FORMATS = ("text", "json", "sarif", "junit")
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aistacks",
        description="Production AI infrastructure on AWS and Google Cloud. "
        "Runs the stack program offline: no Pulumi CLI, no plugins, no credentials.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = commands.add_parser(
        "plan",
        help="run a stack in the offline engine and show the resources it would create",
        description="Run the stack program for ENV (stacks/Pulumi.ENV.yaml) in Pulumi's mock runtime "
        "against a mock cloud and print the resource graph. Exit 0 on success, 2 on a config error (including "
        "a physical name, after Pulumi's auto-naming, that the cloud would refuse).",
    )
    _add_stack_arguments(plan)
    plan.add_argument("--json", action="store_true", help="print one JSON object per resource instead of a tree")
    gate = commands.add_parser(
        "gate",
        help="plan a stack offline and evaluate the guardrails on it (a CI gate)",
        description="Run the stack program offline, then evaluate the aistacks guardrails (the same policies "
        "`pulumi preview --policy-pack policies` runs) on its resources. Exit 0 when no mandatory rule is "
        "violated, 1 when one is, 2 on a usage or config error.",
    )
    _add_stack_arguments(gate)
    gate.add_argument(
        "--policy-config",
        type=Path,
        metavar="FILE",
        help="policy config JSON (default: policies/config/ENV.json of the project)",
    )
    gate.add_argument("--format", choices=REPORT_FORMATS, default="text", help="report format (default: text)")
    gate.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    return parser


def _add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("env", nargs="?", metavar="ENV", help="environment (stack) name: dev, staging, prod, ...")
    parser.add_argument("--stack-file", type=Path, metavar="PATH", help="use this stack file instead of ENV's")
    parser.add_argument(
        "--project-dir", type=Path, metavar="DIR", help="folder of Pulumi.yaml (default: found upward from here)"
    )
    parser.add_argument("--preview", action="store_true", help="preview mode: outputs unknown, as in pulumi preview")


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


def _plan(args: argparse.Namespace) -> int:
    project = _project(args)
    graph = run_stack_file(project, _stack_file(args, project), preview=args.preview)
    require_acceptable_names(graph)
    if args.json:
        json.dump(graph.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_tree(graph))
    return EXIT_OK


def _gate(args: argparse.Namespace) -> int:
    from aistacks.gate import evaluate, load_policy_config
    from aistacks.gate.report import render_json, render_junit, render_sarif, render_text, summary
    from aistacks.policies import POLICIES, RULES

    project = _project(args)
    stack_path = _stack_file(args, project)
    stack = load_stack_file(stack_path, project.name)
    config_path = args.policy_config or project.root / "policies" / "config" / f"{stack.name}.json"
    policy_config = load_policy_config(config_path.resolve(), POLICIES)
    graph = run_program(project, stack, preview=args.preview)
    require_acceptable_names(graph)
    result = evaluate(graph, POLICIES, policy_config, runtime_config(stack))
    try:
        shown = stack_path.relative_to(project.root).as_posix()
    except ValueError:
        shown = stack_path.as_posix()
    custom = [(r.urn, r.type) for r in graph.resources if r.custom]
    report = {
        "text": lambda: render_text(result) + generic_note(graph),
        "json": lambda: render_json(result),
        "sarif": lambda: render_sarif(result, RULES, shown),
        "junit": lambda: render_junit(result, RULES, custom),
    }[args.format]()
    if args.output is not None:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if args.output is not None or args.format != "text":
        print(summary(result), file=sys.stderr)
    return EXIT_OK if result.passed else EXIT_VIOLATIONS


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Without ``argv`` it is the process's own command line (the ``aistacks`` script),
    and the process exits when it returns: the run's objects are then neither collected after the
    command nor at exit. Most of a plan's CPU went to the collector (aistacks.engine.collector)."""
    from aistacks.gate import PolicyConfigError

    args = _parser().parse_args(argv)
    command = {"plan": _plan, "gate": _gate}[args.command]
    exiting = argv is None
    if exiting:
        freeze_at_exit()
    try:
        with collector_paused(promote=exiting):
            return command(args)
    except (
        ConfigError,
        StackFileError,
        DefaultProviderDisabledError,
        MissingRegionError,
        PolicyConfigError,
        PhysicalNameError,
    ) as error:
        print(f"aistacks: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
