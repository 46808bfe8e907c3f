"""Which policy config ``aistacks gate`` uses: ``--policy-config``, else the project's
``policies/config/<stack>.json``, else the built-in config of the stack's tier and jurisdiction; and
``aistacks policy-config``, which prints the built-in one. A project made from ``examples/`` is gated without
any policy config file."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from aistacks.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, main
from aistacks.gate.builtin import tier_policy_config
from aistacks.vocabulary import TIERS

from .conftest import REPO

EXAMPLES = REPO / "examples"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def fresh_project(tmp_path: Path, example: str) -> Path:
    """A copy of ``examples/<example>`` as a user would start one: without its policy configs."""
    folder = tmp_path / example
    shutil.copytree(EXAMPLES / example, folder, ignore=shutil.ignore_patterns("policies", "__pycache__"))
    return folder


@pytest.mark.parametrize("tier", TIERS)
def test_the_repositorys_policy_configs_are_the_built_in_ones(tier: str) -> None:
    """The files ``pulumi preview --policy-pack-config`` reads and the gate's built-in configs are one
    decision: regenerate the files with ``aistacks policy-config TIER eu``."""
    on_disk = json.loads((REPO / "policies" / "config" / f"{tier}.json").read_text(encoding="utf-8"))
    assert on_disk == tier_policy_config(tier, "eu")  # type: ignore[arg-type]
    code, out, err = cli("policy-config", tier, "eu")
    assert code == EXIT_OK, err
    assert out == (REPO / "policies" / "config" / f"{tier}.json").read_text(encoding="utf-8")


def test_the_built_in_configs_follow_the_tier_defaults() -> None:
    dev, staging, prod = (tier_policy_config(tier, "us") for tier in TIERS)
    assert dev["AIS-NET-001"] == dev["AIS-PRT-001"] == "disabled", "dev: public endpoints, nothing protected"
    assert staging["AIS-NET-001"] == prod["AIS-PRT-001"] == "mandatory"
    assert all(config["AIS-RES-001"] == {"allowedJurisdictions": ["us"]} for config in (dev, staging, prod))


def test_an_unknown_jurisdiction_for_policy_config_is_a_usage_error() -> None:
    code, out, err = cli("policy-config", "prod", "EU")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith('aistacks: jurisdiction "EU" is unknown; known (lower case): ')


def test_a_fresh_project_from_the_examples_is_gated_without_a_policy_config(tmp_path: Path) -> None:
    project = fresh_project(tmp_path, "platform")
    stack = project / "Pulumi.minimal.yaml"
    code, out, err = cli("gate", "--stack-file", str(stack), "--project-dir", str(project))
    assert code == EXIT_OK, out + err
    missing = project / "policies" / "config" / "minimal.json"
    assert f"policy config: built-in policy config of a dev stack in eu (no {missing})" in out


def test_the_built_in_config_gates_for_real(tmp_path: Path) -> None:
    """The built-in config is the stack's jurisdiction, not a pass-all: a stack whose jurisdiction says us but
    whose provider region is in the EU is planned (the config's regions are in the US), and an EU bucket the
    program adds by hand fails AIS-RES-001."""
    project = fresh_project(tmp_path, "platform")
    program = project / "__main__.py"
    program.write_text(
        program.read_text(encoding="utf-8")
        + '\nimport pulumi\nimport pulumi_aws as aws\n\nstray = aws.Provider("stray", region="eu-west-1")\n'
        'aws.s3.Bucket("stray", opts=pulumi.ResourceOptions(provider=stray))\n',
        encoding="utf-8",
    )
    stack = project / "Pulumi.minimal.yaml"
    stack.write_text(
        stack.read_text(encoding="utf-8")
        .replace("jurisdiction: eu", "jurisdiction: us")
        .replace("region: eu-central-1", "region: us-east-1"),
        encoding="utf-8",
    )
    code, out, err = cli("gate", "--stack-file", str(stack), "--project-dir", str(project), "--format", "json")
    assert code == EXIT_VIOLATIONS, err
    findings = json.loads(out)["findings"]
    assert {f["ruleId"] for f in findings if "stray" in f["urn"]} >= {"AIS-RES-001"}
    assert "built-in policy config of a dev stack in us" in err


def test_the_projects_own_policy_config_comes_before_the_built_in_one(tmp_path: Path) -> None:
    project = fresh_project(tmp_path, "platform")
    config = project / "policies" / "config" / "minimal.json"
    config.parent.mkdir(parents=True)
    document = {"all": "advisory", "AIS-RES-001": {"allowedJurisdictions": ["us"]}}
    config.write_text(json.dumps(document), encoding="utf-8")
    stack = project / "Pulumi.minimal.yaml"
    code, out, err = cli("gate", "--stack-file", str(stack), "--project-dir", str(project), "--format", "json")
    assert code == EXIT_OK, "every rule advisory, as the project's file says: the built-in one would fail (us)"
    assert any(f["ruleId"] == "AIS-RES-001" for f in json.loads(out)["findings"])
    assert f"policy config: {config}" in err


def test_a_program_without_an_aistacks_platform_and_no_policy_config_says_what_to_do(tmp_path: Path) -> None:
    project = fresh_project(tmp_path, "library")
    code, out, err = cli("gate", "dev", "--project-dir", str(project))
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("aistacks: no policy config for stack 'dev': ")
    assert "aistacks policy-config TIER JURISDICTION" in err and "--policy-config" in err
    assert "Traceback" not in err
