"""Every program in examples/ plans (update and preview) and gates offline with the result its README
promises, its project file is a valid Pulumi project, and every Python example the READMEs show is
code that runs here (each line stands in one example or stack program, word for word)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from aistacks.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SCHEMA = Path(__file__).parent / "data" / "pulumi-project.schema.json"
GATE_FAILS: dict[tuple[str, str], list[str]] = {
    # The team's own StorageClass lives outside the program: nothing in it shows the class encrypts.
    ("existing-cluster", "onprem"): ["AIS-ENC-004"],
}
"""Examples whose gate fails on purpose, and the rules that fail it; every other example passes."""


def stacks() -> list[tuple[str, str]]:
    return sorted(
        (path.parent.name, path.name.removeprefix("Pulumi.").removesuffix(".yaml"))
        for path in EXAMPLES.glob("*/Pulumi.*.yaml")
    )


def test_there_is_an_example_per_scenario() -> None:
    assert {example for example, _ in stacks()} == {"library", "existing-cluster", "platform"}
    assert ("platform", "minimal") in stacks() and ("platform", "prod") in stacks()


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize(("example", "stack"), stacks())
def test_every_example_plans_and_gates(
    example: str, stack: str, preview: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = EXAMPLES / example
    args = ["--stack-file", str(folder / f"Pulumi.{stack}.yaml"), "--project-dir", str(folder)]
    mode = ["--preview"] if preview else []
    assert main(["plan", *args, *mode, "--json"]) == 0, capsys.readouterr().err
    planned = json.loads(capsys.readouterr().out)
    assert len(planned) > 10
    report = tmp_path / "gate.json"
    expected = GATE_FAILS.get((example, stack), [])
    code = main(["gate", *args, *mode, "--format", "json", "--output", str(report)])
    failing = sorted({f["ruleId"] for f in json.loads(report.read_text(encoding="utf-8"))["findings"]})
    assert (code, failing) == (1 if expected else 0, expected)


@pytest.mark.parametrize("project", sorted(EXAMPLES.glob("*/Pulumi.yaml")), ids=lambda p: p.parent.name)
def test_every_example_is_a_valid_pulumi_project_with_a_policy_config_per_stack(project: Path) -> None:
    document = yaml.safe_load(project.read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert (project.parent / "__main__.py").is_file()
    for stack_file in project.parent.glob("Pulumi.*.yaml"):
        stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        assert (project.parent / "policies" / "config" / f"{stack}.json").is_file(), f"{stack} has no policy config"


PYTHON_BLOCK = re.compile(r"(<!-- readme-test:[^\n]*-->\n)?```python\n(.*?)```", re.DOTALL)
"""A Python block, and the marker before it when tests/test_readme.py runs the block itself."""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize("readme", [REPO / "README.md", EXAMPLES / "README.md"], ids=["README", "examples"])
def test_every_python_example_in_the_readmes_is_code_that_runs(readme: Path) -> None:
    programs = [*EXAMPLES.glob("*/__main__.py"), REPO / "stacks" / "__main__.py", REPO / "components" / "program.py"]
    sources = [path.read_text(encoding="utf-8") for path in programs]
    code_lines = [_lines(source) for source in sources]
    for marker, block in PYTHON_BLOCK.findall(readme.read_text(encoding="utf-8")):
        if marker:  # run as it is by tests/test_readme.py
            continue
        shown = _lines(block)
        assert any(all(line in lines for line in shown) for lines in code_lines), (
            f"{readme.name} shows code no example runs:\n{block}"
        )
