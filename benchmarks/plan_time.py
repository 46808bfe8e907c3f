"""How long the offline plan takes, against the floor it cannot beat.

For each environment: the wall time of ``aistacks plan ENV --json`` in a fresh interpreter, and of
the floor (a fresh interpreter that only imports the provider SDKs that plan uses), measured
alternately in the same run; the median of each and their ratio.

    venv/bin/python benchmarks/plan_time.py [--runs N] [ENV ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from aistacks.engine import load_project, run_stack_file

REPO = Path(__file__).resolve().parents[1]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def sdk_modules(env: str) -> list[str]:
    """The provider SDK modules the plan of ``env`` uses (pulumi plus one per package)."""
    project = load_project(REPO)
    graph = run_stack_file(project, project.stack_file(env), preview=True)
    packages = {record.package for record in graph.resources if record.custom}
    packages |= {record.type.removeprefix("pulumi:providers:") for record in graph.of_type_prefix("pulumi:providers:")}
    return ["pulumi", *sorted(f"pulumi_{package}" for package in packages if package != "pulumi")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="*", default=load_project(REPO).stacks())
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'env':<10}{'plan (s)':>10}{'floor (s)':>11}{'ratio':>8}   floor imports")
    for env in args.envs:
        modules = sdk_modules(env)
        plan_command = [sys.executable, "-m", "aistacks.cli", "plan", env, "--json"]
        floor_command = [sys.executable, "-c", "import " + ", ".join(modules)]
        plans, floors = [], []
        for _ in range(args.runs):
            floors.append(wall_time(floor_command))
            plans.append(wall_time(plan_command))
        plan, floor = statistics.median(plans), statistics.median(floors)
        print(f"{env:<10}{plan:>10.2f}{floor:>11.2f}{plan / floor:>8.2f}   {', '.join(modules)}")


if __name__ == "__main__":
    main()
