"""The physical-name contract on the programs aistacks ships: every resource type the stacks and the examples
create has a name rule, every planned name fits it, and ``aistacks plan`` and ``aistacks gate`` refuse a
config whose names would not fit, naming the resource, the name, its length, the limit and its source."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from aistacks.catalog.name_rules import name_rule
from aistacks.cli import main
from aistacks.engine import ResourceGraph, load_project, run_stack_file
from aistacks.engine.names import auto_name, check_names, planned_name, types_without_rule

from .conftest import ENVIRONMENTS, REPO

Plan = Callable[[str, bool], ResourceGraph]
EXAMPLES = REPO / "examples"
EXAMPLE_STACKS = sorted(EXAMPLES.glob("*/Pulumi.*.yaml"))
NODE_POOL = "gcp:container/nodePool:NodePool"
GKE_CLUSTER = "gcp:container/cluster:Cluster"


@pytest.fixture(scope="module")
def examples() -> dict[str, ResourceGraph]:
    """Each example stack planned once (update mode), by ``<example>/<stack>``."""
    return {
        f"{path.parent.name}/{path.stem.removeprefix('Pulumi.')}": run_stack_file(load_project(path.parent), path)
        for path in EXAMPLE_STACKS
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_type_a_stack_creates_has_a_name_rule(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    assert not types_without_rule(graph), (
        f"add these types to catalog/data/name_rules.json: {types_without_rule(graph)}"
    )


def test_every_type_an_example_creates_has_a_name_rule(examples: dict[str, ResourceGraph]) -> None:
    assert len(examples) == len(EXAMPLE_STACKS) >= 4
    missing = {label: types_without_rule(graph) for label, graph in examples.items() if types_without_rule(graph)}
    assert not missing, f"add these types to catalog/data/name_rules.json: {missing}"


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_name_a_stack_plans_is_one_the_cloud_accepts(plan: Plan, env: str, preview: bool) -> None:
    violations = check_names(plan(env, preview))
    assert not violations, "\n".join(str(v) for v in violations)


def test_every_name_an_example_plans_is_one_the_cloud_accepts(examples: dict[str, ResourceGraph]) -> None:
    found = {label: [str(v) for v in check_names(graph)] for label, graph in examples.items()}
    assert not any(found.values()), found


def test_the_stacks_leave_names_to_pulumi_and_the_check_sees_them(plan: Plan) -> None:
    """The check is only as good as what it sees: the stacks do leave names to Pulumi's auto-naming, and the
    mock cloud answers with the names the check holds to the limits."""
    graph = plan("prod", False)
    auto_named = [
        name
        for record in graph.resources
        if record.custom and (name := planned_name(record)) is not None
        if name.origin == "auto-named"
    ]
    assert {name.record.type for name in auto_named} >= {"aws:iam/role:Role", "aws:eks/nodeGroup:NodeGroup"}
    for name in auto_named:
        assert name.value == auto_name(name.record.type, name.record.name)
    explicit = [
        name
        for record in graph.resources
        if record.custom and (name := planned_name(record)) is not None
        if name.origin == "explicit"
    ]
    assert {name.record.type for name in explicit} >= {GKE_CLUSTER, "kubernetes:core/v1:Namespace"}


def test_every_checked_type_of_the_stacks_is_one_they_name(plan: Plan) -> None:
    """A rule that names nothing must not hide a name a stack sets: no stack resource of such a type has a
    ``name`` input."""
    for env in ENVIRONMENTS:
        for record in plan(env, False).resources:
            rule = name_rule(record.type)
            if record.custom and rule is not None and rule.name_property is None:
                assert "name" not in record.inputs, f"{record.type} {record.name} sets a name the table ignores"


# --- the command line ------------------------------------------------------------------------------


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


POLICY_CONFIG = str(REPO / "policies" / "config" / "dev.json")
# A program of a user's own: the staging node pool's logical name, left to Pulumi's auto-naming (41 characters).
POOL = "aistacks-staging-inference-system"
POOL_PROGRAM = f"""\
import pulumi_gcp as gcp

gcp.container.NodePool("{POOL}", cluster="inference", location="europe-west4", node_count=1)
"""


@pytest.fixture(scope="module")
def pool_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pool")
    (folder / "Pulumi.yaml").write_text("name: pools\nruntime: python\n", encoding="utf-8")
    (folder / "__main__.py").write_text(POOL_PROGRAM, encoding="utf-8")
    (folder / "Pulumi.dev.yaml").write_text("config:\n  gcp:project: acme-pools\n  gcp:region: europe-west4\n")
    return folder


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_program_whose_auto_name_is_too_long_exits_2_naming_the_resource_its_name_the_limit_and_its_source(
    pool_program: Path, command: str
) -> None:
    extra = ["--policy-config", POLICY_CONFIG] if command == "gate" else []
    stack_file = str(pool_program / "Pulumi.dev.yaml")
    code, out, err = cli(command, "--stack-file", stack_file, "--project-dir", str(pool_program), *extra)
    assert code == 2, out + err
    assert out == "", "nothing is planned or reported when a name does not fit"
    assert "Traceback" not in err
    physical = auto_name(NODE_POOL, POOL)
    assert err.startswith("aistacks: 1 physical name(s) the cloud would refuse, after Pulumi's auto-naming:\n")
    assert f"  - {POOL} ({NODE_POOL}): auto-name {physical!r}" in err, "the resource and its physical name"
    assert "is 41 characters; the limit is 40" in err, "its length and the limit"
    assert "(source: GoogleCloudPlatform/magic-modules pull request 18477" in err and "read 2026-11-30" in err


# A valid GCP-only platform whose names are as long as the config allows: the GKE cluster's physical name
# is "<platform name>-<environment>-<cluster name>" = 20 + 1 + 7 + 1 + 20 = 49 characters, and GKE takes 40.
LONG_NAMES = """\
config:
  pulumi:disable-default-providers: ["aws", "gcp", "kubernetes"]
  aistacks:platform:
    name: acme-research-longer
    environment: staging
    jurisdiction: eu
    gcp:
      project: acme-ai-names
      region: europe-west4
      kubernetes_version: "1.35"
      clusters:
        - role: inference
          name: inference-large-gpus
          gpu_pools:
            - name: l4
              gpu: l4
              max_nodes: 2
"""
CLUSTER = "acme-research-longer-staging-inference-large-gpus"


@pytest.fixture(scope="module")
def long_names(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "Pulumi.staging.yaml"
    path.write_text(LONG_NAMES, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_config_with_the_longest_platform_and_cluster_names_exits_2_naming_the_name_and_the_limit(
    long_names: Path, command: str
) -> None:
    """Either check may refuse it first, the config validation (which knows the planner's naming rule) or the
    physical-name check of the plan: either way the user reads the cluster's name, its length and GKE's limit."""
    extra = ["--policy-config", POLICY_CONFIG] if command == "gate" else []
    code, out, err = cli(command, "--stack-file", str(long_names), "--project-dir", str(REPO), "--preview", *extra)
    assert code == 2, out + err
    assert out == ""
    assert "Traceback" not in err
    line = next((line for line in err.splitlines() if CLUSTER in line), "")
    assert f"{len(CLUSTER)} characters" in line and "40" in line, err
