"""How much the offline engine costs per resource, against the floor it cannot beat, and end to end.

In one run:

1. the marginal cost of ``aistacks plan`` in ms per resource: the command itself (run the program in
   the engine, render the tree) on the program of ``generated.py`` at two sizes (304 and 3,004
   resources by default), the slope between them;
2. the same slope for the floor: Pulumi's bare mock runtime (the SDK's ``MockMonitor`` with mocks
   that echo the inputs, on the same ``run_in_stack`` path) running the same program, once as it
   comes and once with the garbage collector paused as the engine pauses it, and the ratios;
3. the wall time of ``aistacks plan prod`` and ``aistacks gate prod``, each a fresh process.

Every measurement runs in a fresh interpreter, the kinds in turn, and the median of the runs is
shown. A slope cancels what both sizes share (interpreter start, SDK imports, the fixed resources),
so it is the cost of one more resource.

    venv/bin/python benchmarks/plan_time.py [--runs N] [--units SMALL LARGE] [--env ENV]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from generated import PROJECT, STACK, resource_count, write_program

REPO = Path(__file__).resolve().parents[1]
CHECKOV_GATE_SECONDS = 2.3
"""Checkov on a plan of prod's size on a 2-core machine, as measured for issue 9 (its item 8)."""
GOAL_RATIO = 1.25
GOAL_GATE_FACTOR = 1.5
KINDS = {
    "floor": "Pulumi's mock runtime",
    "floor-paused": "the same, collector paused",
    "ours": "aistacks plan",
}


def measure_ours(folder: Path) -> dict[str, Any]:
    """``aistacks plan`` on the program in ``folder``, as the command runs (its output kept aside)."""
    from aistacks.cli import main

    sys.argv = ["aistacks", "plan", "--stack-file", str(folder / f"Pulumi.{STACK}.yaml"), "--project-dir", str(folder)]
    output = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output):
        code = main()
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"aistacks plan exited {code}")
    # The first line: "stack bench of project bench (update, offline): 304 resources"
    resources = int(output.getvalue().splitlines()[0].rsplit(": ", 1)[1].split()[0])
    return {"seconds": seconds, "resources": resources}


def measure_floor(folder: Path, *, paused: bool = False) -> dict[str, Any]:
    """Run the program in ``folder`` in Pulumi's mock runtime with mocks that only echo the inputs."""
    import asyncio
    import logging
    import runpy
    import threading

    from pulumi.runtime import mocks, settings
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.stack import run_in_stack

    class Echo(mocks.Mocks):
        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return dict(args.args), []

    monitor = mocks.MockMonitor(Echo())
    count = 0
    lock = threading.Lock()
    register = monitor.RegisterResource

    def counting(request: Any) -> Any:
        nonlocal count
        with lock:
            count += 1
        return register(request)

    monitor.RegisterResource = counting
    stack_file = yaml.safe_load((folder / f"Pulumi.{STACK}.yaml").read_text(encoding="utf-8"))
    set_all_config({key: str(value) for key, value in stack_file["config"].items()})
    start = time.perf_counter()
    if paused:
        gc.disable()
    configured = settings.Settings(
        monitor=monitor,
        engine=mocks.MockEngine(logging.getLogger("floor")),
        project=PROJECT,
        stack=STACK,
        dry_run=False,
        organization="organization",
    )
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)
    configured.monitor_features = features  # pyright: ignore[reportAttributeAccessIssue] - SDK typing of contextproperty
    settings.configure(configured)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    os.chdir(folder)
    sys.path.insert(0, str(folder))

    def program() -> None:
        runpy.run_path(str(folder / "__main__.py"), run_name="__main__")

    loop.run_until_complete(run_in_stack(program))
    seconds = time.perf_counter() - start
    # The SDK's monitor registers no default providers; the engine records the three the program uses.
    return {"seconds": seconds, "resources": count + 3}


def run_measure(kind: str, folder: Path) -> dict[str, Any]:
    """One measurement in a fresh interpreter."""
    command = [sys.executable, __file__, "--measure", kind, str(folder)]
    result = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def marginal(units: tuple[int, int], runs: int) -> None:
    sizes = [resource_count(n) for n in units]
    seconds: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="aistacks-bench-") as tmp:
        folders = [Path(tmp) / f"units-{n}" for n in units]
        for folder, n in zip(folders, units, strict=True):
            write_program(folder, n)
        for _ in range(runs):
            for folder, size in zip(folders, sizes, strict=True):
                for kind in KINDS:
                    measured = run_measure(kind, folder)
                    if measured["resources"] != size:
                        raise SystemExit(f"{kind} registered {measured['resources']} resources, expected {size}")
                    seconds.setdefault((kind, size), []).append(measured["seconds"])
    median = {key: statistics.median(values) for key, values in seconds.items()}
    columns = "".join(f"{f'{size} res':>11}" for size in sizes)
    print(f"{f'wall time, median of {runs}':<36}{columns}  ms/resource")
    slope: dict[str, float] = {}
    for kind, label in KINDS.items():
        small, large = (median[kind, size] for size in sizes)
        slope[kind] = (large - small) / (sizes[1] - sizes[0]) * 1000
        print(f"  {label:<34}{small:>10.2f}s{large:>10.2f}s{slope[kind]:>13.2f}")
    ratio = slope["ours"] / slope["floor"]
    verdict = "within" if ratio <= GOAL_RATIO else "above"
    print(f"marginal cost of plan: {ratio:.2f}x the floor ({verdict} the goal of {GOAL_RATIO}x), ", end="")
    print(f"{slope['ours'] / slope['floor-paused']:.2f}x the floor with the collector paused")


def end_to_end(env: str, runs: int) -> None:
    aistacks = [sys.executable, "-m", "aistacks.cli"]
    plan = statistics.median(wall_time([*aistacks, "plan", env]) for _ in range(runs))
    gate = statistics.median(wall_time([*aistacks, "gate", env]) for _ in range(runs))
    goal = CHECKOV_GATE_SECONDS * GOAL_GATE_FACTOR
    verdict = "within" if gate <= goal else "above"
    print(f"aistacks plan {env}: {plan:.2f} s wall")
    print(f"aistacks gate {env}: {gate:.2f} s wall ({verdict} the goal of {goal:.2f} s, {GOAL_GATE_FACTOR}x Checkov)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="measurements per figure; the median is shown")
    parser.add_argument("--units", type=int, nargs=2, default=(25, 250), metavar=("SMALL", "LARGE"))
    parser.add_argument("--env", default="prod", help="the stack planned and gated end to end")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, folder = args.measure
        folder = Path(folder).resolve()
        measured = measure_ours(folder) if kind == "ours" else measure_floor(folder, paused=kind == "floor-paused")
        print(json.dumps(measured))
        return
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    marginal(tuple(args.units), args.runs)
    end_to_end(args.env, args.runs)


if __name__ == "__main__":
    main()
