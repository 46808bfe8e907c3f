"""The ``aistacks`` command as a user runs it: a subprocess with no Pulumi CLI and no credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

JSON_KEYS = {"urn", "type", "name", "parent", "provider", "inputs", "protect", "retain_on_delete", "depends_on"}
CREDENTIAL_PREFIXES = ("AWS_", "GOOGLE_", "CLOUDSDK_", "GCLOUD_", "PULUMI_")


def offline_env() -> dict[str, str]:
    """The environment minus any cloud credential or Pulumi setting, with a PATH lacking `pulumi`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CREDENTIAL_PREFIXES)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    env["HOME"] = "/nonexistent"
    return env


def aistacks(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "aistacks"
    return subprocess.run(
        [str(executable), *args], cwd=cwd, env=offline_env(), capture_output=True, text=True, timeout=120, check=False
    )


def test_no_pulumi_cli_is_reachable() -> None:
    assert shutil.which("pulumi", path=offline_env()["PATH"]) is None


def test_plan_dev_prints_the_tree() -> None:
    result = aistacks("plan", "dev")
    assert result.returncode == 0, result.stderr
    assert "stack dev of project aistacks (update, offline)" in result.stdout
    assert "aws:s3/bucket:Bucket" in result.stdout
    assert "resources by type:" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("extra", [(), ("--preview",)])
def test_plan_prod_json_has_exactly_the_documented_keys(extra: tuple[str, ...]) -> None:
    result = aistacks("plan", "prod", "--json", *extra)
    assert result.returncode == 0, result.stderr
    resources = json.loads(result.stdout)
    assert len(resources) > 50
    for resource in resources:
        assert set(resource) == JSON_KEYS
    urns = {r["urn"] for r in resources}
    assert all(r["parent"] is None or r["parent"] in urns for r in resources)
    keys = [r for r in resources if r["type"] == "aws:kms/key:Key"]
    assert keys and keys[0]["protect"] is True and keys[0]["inputs"]["enableKeyRotation"] is True
    if extra:
        assert any("[unknown]" in json.dumps(r["inputs"]) for r in resources), "preview leaves outputs unknown"


def test_plan_works_from_another_folder_with_project_dir(tmp_path: Path) -> None:
    result = aistacks("plan", "staging", "--project-dir", str(REPO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stack staging" in result.stdout


def test_unknown_environment_exits_2_and_lists_the_environments() -> None:
    result = aistacks("plan", "qa")
    assert result.returncode == 2
    assert "'qa'" in result.stderr and "dev, prod, staging" in result.stderr


def test_stack_file_with_a_region_outside_its_jurisdiction_exits_2(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text(
        "config:\n  aistacks:platform:\n    environment: prod\n    jurisdiction: eu\n"
        "    aws:\n      region: us-east-1\n",
        encoding="utf-8",
    )
    result = aistacks("plan", "--stack-file", str(stack))
    assert result.returncode == 2
    assert 'aistacks:platform.aws.region = "us-east-1"' in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == "", "nothing is planned when the config is invalid"


def test_help_lists_plan() -> None:
    result = aistacks("--help")
    assert result.returncode == 0
    assert "plan" in result.stdout
