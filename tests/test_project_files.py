"""Pulumi.yaml and the stack files, checked for what the Pulumi CLI will do with them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import ENVIRONMENTS, REPO

# A copy of ../shared/schemas/pulumi-project.schema.json (the Pulumi project schema,
# pulumi/pulumi sdk/go/common/workspace/project.json), so the tests need nothing outside the repo.
SCHEMA = Path(__file__).parent / "data" / "pulumi-project.schema.json"
SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "pulumi-project.schema.json"


def project_file() -> dict[str, object]:
    return yaml.safe_load((REPO / "Pulumi.yaml").read_text(encoding="utf-8"))


def test_pulumi_yaml_validates_against_the_project_schema() -> None:
    # The shared copy too, where a checkout has one beside it (it is the reference; ours a copy).
    for path in (SCHEMA, SHARED_SCHEMA) if SHARED_SCHEMA.exists() else (SCHEMA,):
        jsonschema.validate(project_file(), json.loads(path.read_text(encoding="utf-8")))


def test_the_schema_rejects_a_broken_project_file() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**project_file(), "runtime": {"name": "python", "optoins": {}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_project_is_a_python_program_in_stacks() -> None:
    document = project_file()
    assert document["name"] == "aistacks"
    runtime = document["runtime"]
    assert isinstance(runtime, dict) and runtime["name"] == "python"
    main = REPO / str(document["main"])
    assert main.is_dir() and (main / "__main__.py").is_file(), "main names a folder holding __main__.py"


def test_stack_config_dir_holds_a_stack_file_per_environment() -> None:
    config_dir = REPO / str(project_file()["stackConfigDir"])
    for env in ENVIRONMENTS:
        stack = config_dir / f"Pulumi.{env}.yaml"
        assert stack.is_file(), f"missing {stack}"
        document = yaml.safe_load(stack.read_text(encoding="utf-8"))
        assert document["config"]["aistacks:platform"]["environment"] == env


def test_the_virtualenv_pulumi_uses_is_the_one_setup_creates() -> None:
    runtime = project_file()["runtime"]
    assert isinstance(runtime, dict)
    virtualenv = runtime["options"]["virtualenv"]
    setup = (REPO / "scripts" / "setup").read_text(encoding="utf-8")
    assert re.search(rf"^VENV={re.escape(virtualenv)}$", setup, re.MULTILINE), "scripts/setup creates another venv"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "scripts/setup" in readme


def test_environments_differ_the_way_real_ones_do() -> None:
    config_dir = REPO / "stacks"
    specs = {
        env: yaml.safe_load((config_dir / f"Pulumi.{env}.yaml").read_text())["config"]["aistacks:platform"]
        for env in ENVIRONMENTS
    }
    assert specs["prod"]["jurisdiction"] == "eu"
    assert {"aws", "gcp"} <= set(specs["prod"]), "prod runs on both clouds"
    assert specs["dev"].get("gcp") is None, "dev runs on one cloud"
    assert specs["prod"]["gcp"]["project"] != specs["staging"]["gcp"]["project"]
