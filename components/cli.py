"""The ``aistacks`` command: ``plan`` runs a stack offline and shows the resources it would create."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from aistacks.config import ConfigError
from aistacks.engine import ResourceGraph, find_project_root, load_project, run_stack_file
from aistacks.engine.render import render_tree
from aistacks.engine.run import DefaultProviderDisabledError
from aistacks.engine.stackfile import Project, StackFileError

EXIT_OK = 0
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
        "against a mock cloud and print the resource graph. Exit 0 on success, 2 on a config error.",
    )
    _add_stack_arguments(plan)
    plan.add_argument("--json", action="store_true", help="print one JSON object per resource instead of a tree")
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


def plan_graph(args: argparse.Namespace) -> ResourceGraph:
    project = _project(args)
    return run_stack_file(project, _stack_file(args, project), preview=args.preview)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        graph = plan_graph(args)
    except (ConfigError, StackFileError, DefaultProviderDisabledError) as error:
        print(f"aistacks: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(graph.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_tree(graph))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
