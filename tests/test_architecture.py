"""The layers read top-down (DESIGN.md, "The data flow"): config models -> validation -> a pure plan ->
resource builders. Checked on the import statements of every module, and on what importing the plan
really loads."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPONENTS = REPO / "components"


def module_name(path: Path) -> str:
    parts = path.relative_to(COMPONENTS).with_suffix("").parts
    return ".".join(["aistacks", *(parts[:-1] if parts[-1] == "__init__" else parts)])


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved), TYPE_CHECKING blocks included."""
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def modules_under(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (COMPONENTS / folder).rglob("*.py"))


def forbidden_imports(paths: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        module_name(path): sorted(name for name in imports_of(path) if name.startswith(forbidden))
        for path in paths
        if any(name.startswith(forbidden) for name in imports_of(path))
    }


def test_the_resource_layer_never_reads_the_config() -> None:
    offenders = forbidden_imports(
        modules_under("aws", "gcp", "k8s", "platform"), ("aistacks.spec", "aistacks.config", "aistacks.validate")
    )
    assert not offenders, f"resource modules import config models: {offenders}"


@pytest.mark.parametrize(
    ("layer", "below"),
    [
        ("spec", ("aistacks.validate", "aistacks.config", "aistacks.plan", "aistacks.platform", "pulumi")),
        ("validate", ("aistacks.config", "aistacks.plan", "aistacks.platform", "pulumi")),
        ("plan", ("aistacks.config", "aistacks.aws", "aistacks.gcp", "aistacks.k8s", "aistacks.platform", "pulumi")),
        ("vocabulary", ("aistacks",)),
        ("defaults", ("aistacks.spec", "aistacks.plan", "aistacks.platform", "pulumi")),
        ("catalog", ("aistacks.spec", "aistacks.plan", "aistacks.platform", "pulumi")),
    ],
)
def test_each_layer_imports_only_what_comes_before_it(layer: str, below: tuple[str, ...]) -> None:
    paths = [COMPONENTS / f"{layer}.py"] if (COMPONENTS / f"{layer}.py").exists() else modules_under(layer)
    offenders = forbidden_imports(paths, below)
    offenders = {module: [n for n in names if n != f"aistacks.{layer}"] for module, names in offenders.items()}
    assert not any(offenders.values()), f"{layer} imports a later layer: {offenders}"


def test_the_any_cluster_layer_knows_no_cloud_and_the_clouds_not_each_other() -> None:
    assert not forbidden_imports(modules_under("k8s"), ("aistacks.aws", "aistacks.gcp", "pulumi_aws", "pulumi_gcp"))
    assert not forbidden_imports(modules_under("aws"), ("aistacks.gcp", "pulumi_gcp"))
    assert not forbidden_imports(modules_under("gcp"), ("aistacks.aws", "pulumi_aws"))


def test_planning_loads_nothing_of_pulumi() -> None:
    """The plan is pure: importing and running it loads no Pulumi SDK."""
    code = (
        "import sys\n"
        "from aistacks.plan import plan_platform\n"
        "from aistacks.spec import PlatformSpec\n"
        "from aistacks.validate import semantic_issues\n"
        "pool = {'name': 'l4', 'gpu': 'l4'}\n"
        "cluster = {'role': 'training', 'gpu_pools': [pool]}\n"
        "aws = {'region': 'eu-central-1', 'kubernetes_version': '1.35', 'clusters': [cluster]}\n"
        "spec = PlatformSpec.model_validate({'environment': 'dev', 'jurisdiction': 'eu', 'aws': aws})\n"
        "assert not semantic_issues(spec)\n"
        "assert plan_platform(spec).clouds['aws'].clusters[0].gpu_pools\n"
        "print(sorted(m for m in sys.modules if m.startswith('pulumi')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"planning loaded {loaded}"


def test_no_cloud_flags_or_cluster_unions_in_the_shared_layers() -> None:
    shared = modules_under("k8s", "platform")
    for path in shared:
        text = path.read_text(encoding="utf-8")
        assert "gke:" not in text and "gke=" not in text, f"{path}: a cloud flag"
        assert "EksCluster | GkeCluster" not in text and "GkeCluster | EksCluster" not in text, path


def test_every_cloud_has_a_planner_and_a_builder_for_its_provider_package() -> None:
    from aistacks.plan import CLOUD_PLANNERS
    from aistacks.platform import CLOUD_BUILDERS
    from aistacks.spec import PlatformSpec
    from aistacks.vocabulary import CLOUDS

    assert set(CLOUD_PLANNERS) == set(CLOUD_BUILDERS) == set(CLOUDS)
    assert set(CLOUDS) <= set(PlatformSpec.model_fields), "each cloud has its settings in the spec"
    for builder in CLOUD_BUILDERS.values():
        sdk = "pulumi_" + builder.PACKAGE.replace("-", "_")
        assert importlib.util.find_spec(sdk), f"{builder.__name__}.PACKAGE names no Pulumi SDK ({sdk})"
