"""The stack's name decides the physical names, its ``environment`` only the tier defaults: two stacks of one
tier (``prod-eu``, ``prod-us``) can live in one account, and a stack named after a tier must be that tier."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aistacks.cli import EXIT_OK, EXIT_USAGE, main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.plan import plan_platform
from aistacks.vocabulary import TIERS

from .conftest import REPO

ROOT = "aistacks:platform"


def prod(**overrides: Any) -> dict[str, Any]:
    aws = {"region": "eu-west-1", "kubernetes_version": "1.35"}
    return {"environment": "prod", "jurisdiction": "eu", "aws": aws, **overrides}


def test_two_stacks_of_one_tier_get_distinct_physical_names_and_the_same_tier_defaults() -> None:
    eu, us = (plan_platform(parse_platform_spec(prod(), stack=stack)) for stack in ("prod-eu", "prod-us"))
    assert (eu.prefix, us.prefix) == ("aistacks-prod-eu", "aistacks-prod-us")
    eu_buckets = {b.resource_name for b in eu.clouds["aws"].buckets}
    us_buckets = {b.resource_name for b in us.clouds["aws"].buckets}
    assert eu_buckets == {"aistacks-prod-eu-datasets", "aistacks-prod-eu-models"}
    assert not eu_buckets & us_buckets
    assert eu.protect and us.protect, "both are prod: protected"
    assert (eu.environment, eu.tags["environment"], eu.tags["stack"]) == ("prod", "prod", "prod-eu")


def test_an_explicit_stack_name_keeps_the_physical_names_of_a_renamed_stack() -> None:
    plan = plan_platform(parse_platform_spec(prod(stack_name="prod"), stack="prod-eu-renamed"))
    assert plan.prefix == "aistacks-prod"


def test_a_spec_parsed_without_a_stack_is_named_as_its_tiers_stack() -> None:
    assert plan_platform(parse_platform_spec(prod())).prefix == "aistacks-prod"


@given(st.sampled_from(TIERS), st.sampled_from(TIERS))
def test_a_stack_named_after_a_tier_must_be_that_tier(stack: str, environment: str) -> None:
    raw = {**prod(), "environment": environment}
    if stack == environment:
        assert parse_platform_spec(raw, stack=stack).physical_stack_name == stack
        return
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw, stack=stack)
    (issue,) = [issue for issue in caught.value.issues if issue.path == f"{ROOT}.environment"]
    assert issue.value == environment
    assert f"the stack is named {json.dumps(stack)}, a tier, but its environment is another tier" in issue.message


@pytest.mark.parametrize("stack", ["Prod_EU", "p", "prod-eu-and-much-more-than-twenty", "9prod"])
def test_a_stack_name_physical_names_cannot_take_asks_for_stack_name(stack: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(prod(), stack=stack)
    (issue,) = caught.value.issues
    assert issue.path == f"{ROOT}.stack_name"
    assert f"the stack's name {stack!r} cannot be the stack part of physical names" in issue.message
    assert "set stack_name" in issue.message
    assert parse_platform_spec(prod(stack_name="prod-eu"), stack=stack).physical_stack_name == "prod-eu"


def plan_cli(tmp_path: Path, stack: str, platform: dict[str, Any]) -> tuple[int, str, str]:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": {ROOT: platform}}), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--stack-file", str(path), "--project-dir", str(REPO)])
    return code, out.getvalue(), err.getvalue()


def test_a_dev_stack_file_that_says_prod_is_refused_before_anything_is_planned(tmp_path: Path) -> None:
    code, out, err = plan_cli(tmp_path, "dev", prod())
    assert (code, out) == (EXIT_USAGE, "")
    assert f'{ROOT}.environment = "prod": the stack is named "dev", a tier' in err
    assert str(tmp_path / "Pulumi.dev.yaml") in err


def test_the_offline_engine_names_resources_after_the_stack(tmp_path: Path) -> None:
    dev = {"environment": "dev", "jurisdiction": "eu", "aws": {"region": "eu-west-1"}}
    code, out, err = plan_cli(tmp_path, "dev-alice", dev)
    assert code == EXIT_OK, err
    assert "aws:s3/bucket:Bucket  aistacks-dev-alice-datasets" in out
    assert "aistacks-dev-datasets" not in out
