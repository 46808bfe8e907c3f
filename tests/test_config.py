"""The typed stack config: parsing, tier defaults, errors that name the path and what is allowed,
and the ``aistacks plan`` command on good, bad and randomly malformed stack files."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aistacks.catalog import jurisdiction_of_region, known_jurisdictions, regions_in_jurisdiction, regions_of
from aistacks.cli import main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.defaults import TIER_DEFAULTS
from aistacks.plan import plan_platform
from aistacks.spec import CLOUDWATCH_RETENTION_DAYS, PlatformSpec
from aistacks.validate import ConfigIssue

from .strategies import valid_specs

REPO = Path(__file__).resolve().parents[1]
ROOT = "aistacks:platform"
TIERS = ("dev", "staging", "prod")
TOP_LEVEL_KEYS = ("audit", "aws", "buckets", "environment", "gcp", "jurisdiction", "kms", "name", "protect", "tags")
EU_AWS = ("eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3")


def minimal(**overrides: Any) -> dict[str, Any]:
    """The smallest valid spec (dev, EU, AWS in Ireland), with top-level keys replaced."""
    return {"environment": "dev", "jurisdiction": "eu", "aws": {"region": "eu-west-1"}, **overrides}


def issues_of(raw: Any, stack_config: Mapping[str, str] | None = None) -> tuple[ConfigIssue, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw, stack_config=stack_config)
    assert caught.value.issues, "a ConfigError must name at least one issue"
    for issue in caught.value.issues:
        assert str(issue) in str(caught.value)
    return caught.value.issues


def issue_at(raw: Any, path: str, stack_config: Mapping[str, str] | None = None) -> ConfigIssue:
    issues = issues_of(raw, stack_config)
    found = [issue for issue in issues if issue.path == path]
    assert found, f"no issue at {path}; issues: {[str(i) for i in issues]}"
    return found[0]


# --- valid specs and tier defaults ---------------------------------------------------------------


def test_minimal_spec_parses_with_secure_defaults() -> None:
    spec = parse_platform_spec(minimal())
    assert spec.environment == "dev"
    assert spec.jurisdiction == "eu"
    assert spec.aws is not None
    assert spec.aws.region == "eu-west-1"
    assert spec.aws.account_id is None
    assert spec.gcp is None
    assert spec.name == "aistacks"
    assert [bucket.name for bucket in spec.buckets] == ["datasets", "models"]
    assert spec.protect is None
    assert spec.kms.rotation_period_days == 90


def test_json_text_and_mapping_parse_alike() -> None:
    raw = minimal(gcp={"project": "acme-ai-dev", "region": "europe-west4"}, tags={"team": "ml"})
    assert parse_platform_spec(json.dumps(raw)) == parse_platform_spec(raw)


def test_parsed_spec_is_immutable() -> None:
    spec = parse_platform_spec(minimal())
    with pytest.raises(pydantic.ValidationError):
        spec.environment = "prod"  # type: ignore[misc]


@pytest.mark.parametrize("tier", TIERS)
def test_defaults_come_from_the_tier(tier: str) -> None:
    plan = plan_platform(parse_platform_spec(minimal(environment=tier)))
    cloud = plan.clouds["aws"]
    defaults = TIER_DEFAULTS[tier]  # type: ignore[index]
    assert plan.environment == tier
    assert plan.protect is cloud.protect is defaults.protect
    assert cloud.audit.log_retention_days == defaults.log_retention_days
    assert cloud.audit.object_lock_mode == defaults.object_lock_mode
    assert cloud.audit.object_lock_days == defaults.object_lock_days
    assert cloud.audit.lock_log_bucket is defaults.lock_log_bucket
    assert cloud.key.deletion_window_days == defaults.kms_deletion_window_days
    assert cloud.key.hsm is defaults.hsm_keys
    assert [b.name for b in cloud.buckets] == ["datasets", "models"]
    for bucket in cloud.buckets:
        assert bucket.noncurrent_version_days == defaults.noncurrent_version_days
        assert bucket.soft_delete_days == defaults.soft_delete_days
        assert bucket.force_destroy is defaults.force_destroy_buckets


def test_tier_defaults_are_the_secure_choices() -> None:
    """The table itself, against the design: nothing protected in dev, everything locked in prod."""
    dev, staging, prod = (TIER_DEFAULTS[t] for t in TIERS)  # type: ignore[index]
    assert (dev.protect, staging.protect, prod.protect) == (False, True, True)
    assert (dev.object_lock_mode, staging.object_lock_mode, prod.object_lock_mode) == (
        "GOVERNANCE",
        "GOVERNANCE",
        "COMPLIANCE",
    )
    assert (dev.force_destroy_buckets, staging.force_destroy_buckets, prod.force_destroy_buckets) == (
        True,
        False,
        False,
    )
    assert prod.hsm_keys and not dev.hsm_keys
    assert not dev.lock_log_bucket and staging.lock_log_bucket and prod.lock_log_bucket
    for tier in TIERS:
        assert TIER_DEFAULTS[tier].log_retention_days in CLOUDWATCH_RETENTION_DAYS  # type: ignore[index]
    assert dev.log_retention_days < staging.log_retention_days < prod.log_retention_days
    # EKS APIs public only in dev, elsewhere admitting listed networks only; GKE's IAM-gated DNS endpoint.
    assert (dev.eks_api_endpoint, staging.eks_api_endpoint, prod.eks_api_endpoint) == (
        "public",
        "restricted",
        "restricted",
    )
    assert (dev.gke_api_endpoint, staging.gke_api_endpoint, prod.gke_api_endpoint) == ("dns", "dns", "dns")


def test_explicit_values_override_tier_defaults() -> None:
    dev = plan_platform(parse_platform_spec(minimal(protect=True)))
    assert dev.protect is True
    prod = plan_platform(
        parse_platform_spec(
            minimal(
                environment="prod",
                name="acme",
                buckets=[{"name": "datasets", "noncurrent_version_days": 3}, {"name": "models"}],
                audit={"log_retention_days": 30, "object_lock_mode": "GOVERNANCE", "object_lock_days": 10},
                kms={"deletion_window_days": 10, "hsm": False},
                tags={"team": "ml"},
            )
        )
    )
    cloud = prod.clouds["aws"]
    assert prod.prefix == "acme-prod"
    assert prod.protect is True
    assert cloud.audit.log_retention_days == 30
    assert cloud.audit.object_lock_mode == "GOVERNANCE"
    assert cloud.audit.object_lock_days == 10
    assert cloud.key.deletion_window_days == 10
    assert cloud.key.hsm is False
    assert [b.noncurrent_version_days for b in cloud.buckets] == [3, TIER_DEFAULTS["prod"].noncurrent_version_days]
    assert prod.tags["team"] == "ml"
    assert prod.tags["environment"] == "prod"
    assert prod.tags["jurisdiction"] == "eu"


def test_protect_true_is_accepted_in_prod_and_false_in_dev() -> None:
    assert plan_platform(parse_platform_spec(minimal(environment="prod", protect=True))).protect is True
    assert plan_platform(parse_platform_spec(minimal(protect=False))).protect is False


def test_stack_config_inside_the_jurisdiction_is_accepted() -> None:
    spec = parse_platform_spec(
        minimal(),
        stack_config={"aws:region": "eu-central-1", "gcp:region": "europe-west4", "gcp:zone": "europe-west1-b"},
    )
    assert spec.jurisdiction == "eu"


@settings(max_examples=150, deadline=None)
@given(raw=valid_specs(with_compute=False))
def test_plan_of_any_valid_spec(raw: dict[str, Any]) -> None:
    spec = parse_platform_spec(raw)
    plan = plan_platform(spec)
    tier = raw["environment"]
    defaults = TIER_DEFAULTS[tier]
    if tier != "dev":
        assert plan.protect is True
        assert not any(bucket.force_destroy for cloud in plan.clouds.values() for bucket in cloud.buckets)
    else:
        assert plan.protect is bool(raw.get("protect"))
    audit = raw.get("audit", {})
    for cloud in plan.clouds.values():
        assert cloud.audit.log_retention_days in CLOUDWATCH_RETENTION_DAYS
        assert cloud.audit.log_retention_days == audit.get("log_retention_days", defaults.log_retention_days)
        assert cloud.audit.object_lock_mode == audit.get("object_lock_mode", defaults.object_lock_mode)
    name = raw.get("name", "aistacks")
    assert plan.prefix == f"{name}-{tier}"
    assert plan.tags["environment"] == tier
    assert plan.tags["jurisdiction"] == raw["jurisdiction"]
    assert plan.tags["platform"] == name


@settings(max_examples=150, deadline=None)
@given(
    cloud=st.sampled_from(["aws", "gcp"]),
    jurisdiction=st.sampled_from(known_jurisdictions()),
    data=st.data(),
)
def test_a_region_is_accepted_exactly_when_it_lies_in_the_jurisdiction(
    cloud: str, jurisdiction: str, data: st.DataObject
) -> None:
    region = data.draw(st.sampled_from(sorted(regions_of(cloud))))  # type: ignore[arg-type]
    cloud_spec = {"region": region} if cloud == "aws" else {"project": "acme-ai-test", "region": region}
    raw = {"environment": "staging", "jurisdiction": jurisdiction, cloud: cloud_spec}
    if jurisdiction_of_region(cloud, region) == jurisdiction:  # type: ignore[arg-type]
        assert isinstance(parse_platform_spec(raw), PlatformSpec)
    else:
        issue = issue_at(raw, f"{ROOT}.{cloud}.region")
        assert issue.value == region
        allowed = regions_in_jurisdiction(cloud, jurisdiction)  # type: ignore[arg-type]
        for name in allowed:
            assert name in issue.message
        if not allowed:
            assert "none" in issue.message


# --- errors name the path and what is allowed ----------------------------------------------------


def test_unknown_top_level_key() -> None:
    issue = issue_at(minimal(enviroment="dev"), f"{ROOT}.enviroment")
    assert issue.value == "dev"
    assert "unknown key" in issue.message
    for key in TOP_LEVEL_KEYS:
        assert key in issue.message


def test_unknown_nested_keys_list_the_keys_allowed_there() -> None:
    issue = issue_at(minimal(aws={"region": "eu-west-1", "regoin": "eu-west-1"}), f"{ROOT}.aws.regoin")
    assert "region" in issue.message
    assert "account_id" in issue.message
    assert "environment" not in issue.message  # the keys of `aws`, not of the top level
    issue = issue_at(minimal(buckets=[{"name": "datasets"}, {"name": "models", "days": 3}]), f"{ROOT}.buckets[1].days")
    assert "noncurrent_version_days" in issue.message
    assert "name" in issue.message
    issue = issue_at(minimal(audit={"retention": 30}), f"{ROOT}.audit.retention")
    assert "log_retention_days" in issue.message
    assert "object_lock_mode" in issue.message


def test_protect_string_is_not_a_boolean() -> None:
    issue = issue_at(minimal(protect="yes"), f"{ROOT}.protect")
    assert issue.value == "yes"
    assert "boolean" in issue.message


@pytest.mark.parametrize("value", ["true", 1, 0])
def test_protect_accepts_only_real_booleans(value: Any) -> None:
    issue = issue_at(minimal(protect=value), f"{ROOT}.protect")
    assert "boolean" in issue.message


def test_numeric_string_is_not_an_integer() -> None:
    raw = minimal(buckets=[{"name": "datasets", "noncurrent_version_days": "3"}])
    issue = issue_at(raw, f"{ROOT}.buckets[0].noncurrent_version_days")
    assert issue.value == "3"
    assert "integer" in issue.message


@pytest.mark.parametrize("value", [30.0, True])
def test_log_retention_must_be_an_integer(value: Any) -> None:
    issue = issue_at(minimal(audit={"log_retention_days": value}), f"{ROOT}.audit.log_retention_days")
    assert "integer" in issue.message


def test_log_retention_outside_cloudwatch_values_lists_them() -> None:
    issue = issue_at(minimal(audit={"log_retention_days": 100}), f"{ROOT}.audit.log_retention_days")
    assert issue.value == 100
    for days in (1, 90, 365, 2557, 3653):
        assert str(days) in issue.message


def test_bad_environment_names_the_tiers() -> None:
    issue = issue_at(minimal(environment="production"), f"{ROOT}.environment")
    assert issue.value == "production"
    for tier in TIERS:
        assert f"'{tier}'" in issue.message


def test_bad_object_lock_mode_names_the_modes() -> None:
    issue = issue_at(minimal(audit={"object_lock_mode": "compliance"}), f"{ROOT}.audit.object_lock_mode")
    assert "GOVERNANCE" in issue.message
    assert "COMPLIANCE" in issue.message


def test_region_outside_jurisdiction_lists_the_regions_inside() -> None:
    issue = issue_at(minimal(aws={"region": "us-east-1"}), f"{ROOT}.aws.region")
    assert issue.value == "us-east-1"
    assert "'eu'" in issue.message
    for region in EU_AWS:
        assert region in issue.message
    assert "eu-west-2" not in issue.message  # London is "uk"
    assert "eu-central-2" not in issue.message  # Zurich is "ch"


def test_london_is_outside_the_eu() -> None:
    issue = issue_at(minimal(aws={"region": "eu-west-2"}), f"{ROOT}.aws.region")
    assert "eu-west-1" in issue.message
    issue = issue_at(minimal(aws=None, gcp={"project": "acme-ai-dev", "region": "europe-west2"}), f"{ROOT}.gcp.region")
    assert "europe-west4" in issue.message
    assert "europe-west2" not in issue.message.split(":", 1)[1]
    assert parse_platform_spec(minimal(jurisdiction="uk", aws={"region": "eu-west-2"})).jurisdiction == "uk"


def test_jurisdiction_without_regions_on_that_cloud_says_so() -> None:
    """Norway has a GCP region only."""
    assert regions_in_jurisdiction("aws", "no") == []
    issue = issue_at(minimal(jurisdiction="no", aws={"region": "eu-north-1"}), f"{ROOT}.aws.region")
    assert "none on AWS" in issue.message


@pytest.mark.parametrize(("cloud", "region"), [("aws", "eu-west-9"), ("gcp", "europe-west99"), ("gcp", "EUROPE-WEST4")])
def test_unknown_region_lists_the_known_ones(cloud: str, region: str) -> None:
    cloud_spec = {"region": region} if cloud == "aws" else {"project": "acme-ai-dev", "region": region}
    issue = issue_at(minimal(**{cloud: cloud_spec}), f"{ROOT}.{cloud}.region")
    assert issue.value == region
    assert "unknown" in issue.message
    assert ("eu-west-1" if cloud == "aws" else "europe-west4") in issue.message


def test_unknown_jurisdiction_lists_the_known_ones() -> None:
    issue = issue_at(minimal(jurisdiction="europe"), f"{ROOT}.jurisdiction")
    assert issue.value == "europe"
    known = issue.message.split("known:", 1)[1].replace(",", " ").split()
    assert known == known_jurisdictions()
    assert {"eu", "uk", "us", "ch"} <= set(known)


def test_no_cloud_at_all() -> None:
    issue = issue_at({"environment": "dev", "jurisdiction": "eu"}, ROOT)
    assert "aws" in issue.message
    assert "gcp" in issue.message


def test_missing_required_keys() -> None:
    issues = issues_of({"aws": {"region": "eu-west-1"}})
    assert {i.path for i in issues} == {f"{ROOT}.environment", f"{ROOT}.jurisdiction"}
    assert all("required" in i.message for i in issues)


def test_duplicate_bucket_names() -> None:
    raw = minimal(buckets=[{"name": "datasets"}, {"name": "models"}, {"name": "datasets"}])
    issues = issues_of(raw)
    assert [i.path for i in issues] == [f"{ROOT}.buckets[2].name"]
    assert issues[0].value == "datasets"
    assert "unique" in issues[0].message


@pytest.mark.parametrize("tier", ["staging", "prod"])
def test_protect_false_outside_dev(tier: str) -> None:
    issue = issue_at(minimal(environment=tier, protect=False), f"{ROOT}.protect")
    assert issue.value is False
    assert tier in issue.message
    assert "true" in issue.message


def test_default_provider_region_outside_the_jurisdiction() -> None:
    issue = issue_at(minimal(), "aws:region", stack_config={"aws:region": "us-east-1"})
    assert issue.value == "us-east-1"
    for region in EU_AWS:
        assert region in issue.message
    issue = issue_at(minimal(), "gcp:zone", stack_config={"gcp:zone": "europe-west2-a"})
    assert "europe-west4" in issue.message


def test_several_structural_problems_are_all_reported() -> None:
    raw = {
        "enviroment": "dev",
        "jurisdiction": "eu",
        "aws": {"region": "eu-west-1", "regoin": "x"},
        "protect": "yes",
        "buckets": [{"name": "datasets", "noncurrent_version_days": "3"}],
    }
    paths = {issue.path for issue in issues_of(raw)}
    assert paths >= {
        f"{ROOT}.enviroment",
        f"{ROOT}.environment",  # the typo also leaves `environment` missing
        f"{ROOT}.aws.regoin",
        f"{ROOT}.protect",
        f"{ROOT}.buckets[0].noncurrent_version_days",
    }


def test_several_semantic_problems_are_all_reported() -> None:
    raw = minimal(
        environment="prod",
        aws={"region": "us-east-1"},
        gcp={"project": "acme-ai-prod", "region": "us-central1"},
        buckets=[{"name": "datasets"}, {"name": "datasets"}],
        protect=False,
    )
    issues = issues_of(raw, stack_config={"aws:region": "us-west-2", "gcp:region": "europe-west4"})
    assert sorted(i.path for i in issues) == sorted(
        [
            "aws:region",
            f"{ROOT}.aws.region",
            f"{ROOT}.gcp.region",
            f"{ROOT}.buckets[1].name",
            f"{ROOT}.protect",
        ]
    )
    assert str(len(issues)) in str(ConfigError(issues))


@pytest.mark.parametrize("raw", ["", "{", "not json", "[1, 2]", "null", "5"])
def test_not_an_object(raw: str) -> None:
    issues = issues_of(raw)
    assert [i.path for i in issues] == [ROOT]


# --- the command line ------------------------------------------------------------------------------


def write_stack(folder: Path, platform: Any, **extra_config: Any) -> Path:
    path = folder / "Pulumi.test.yaml"
    path.write_text(yaml.safe_dump({"config": {ROOT: platform, **extra_config}}), encoding="utf-8")
    return path


def run_plan(stack_file: Path) -> tuple[int, str, str]:
    """``aistacks plan --stack-file``: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", "--stack-file", str(stack_file), "--project-dir", str(REPO)])
    return code, out.getvalue(), err.getvalue()


def test_cli_plans_a_valid_stack_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(tmp_path, minimal(), **{"pulumi:disable-default-providers": ["*"]})
    code = main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    assert "aws:s3/bucket:Bucket" in out
    assert "aistacks-test-datasets" in out, "the stack's name (test), not its tier, is in the physical names"


@pytest.mark.parametrize(
    ("platform", "extra", "named"),
    [
        (minimal(enviroment="dev"), {}, f"{ROOT}.enviroment"),
        (minimal(protect="yes"), {}, f"{ROOT}.protect"),
        (minimal(buckets=[{"name": "datasets", "noncurrent_version_days": "3"}]), {}, "noncurrent_version_days"),
        (minimal(aws={"region": "us-east-1"}), {}, f"{ROOT}.aws.region"),
        (minimal(), {"aws:region": "us-east-1"}, 'aws:region = "us-east-1"'),
    ],
    ids=["unknown-key", "wrong-type", "wrong-type-nested", "region-outside-jurisdiction", "default-provider"],
)
def test_cli_config_errors_exit_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], platform: Any, extra: dict[str, Any], named: str
) -> None:
    stack = write_stack(tmp_path, platform, **extra)
    code = main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("aistacks: invalid stack config")
    assert named in err
    assert "Traceback" not in err


def test_cli_region_error_lists_the_allowed_regions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(tmp_path, minimal(aws={"region": "us-east-1"}))
    assert main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "eu-west-1" in err
    assert "eu-west-2" not in err


def test_cli_without_platform_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = tmp_path / "Pulumi.test.yaml"
    stack.write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    assert main(["plan", "--stack-file", str(stack), "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aistacks: invalid stack config")
    assert ROOT in err
    assert "environment" in err


def test_cli_disable_default_providers_as_a_string(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, minimal(), **{"pulumi:disable-default-providers": "*"})
    code, _, err = run_plan(stack)
    assert code == 2
    assert err.startswith('aistacks: pulumi:disable-default-providers = "*": must be a list')
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("tags", "path"),
    [
        ({"Team": "ml"}, "aistacks:platform.tags.Team"),
        ({"team": "ML Platform"}, "aistacks:platform.tags.team"),
        ({"team": "x" * 64}, "aistacks:platform.tags.team"),
    ],
)
def test_tags_must_be_valid_gcp_labels(tags: dict[str, str], path: str) -> None:
    (issue,) = issues_of(minimal(tags=tags))
    assert issue.path == path
    assert "not in the allowed form: label" in issue.message
    assert "pattern" not in issue.message  # words, not the regex


@pytest.mark.parametrize("name", ["xn--ai", "googai", "my-google-ai"])
def test_platform_names_the_clouds_refuse_in_bucket_names_are_rejected(name: str) -> None:
    (issue,) = issues_of(minimal(name=name))
    assert issue.path == "aistacks:platform.name"
    assert "goog" in issue.message


def test_a_missing_environment_lists_the_tiers() -> None:
    (issue,) = issues_of({"jurisdiction": "eu", "aws": {"region": "eu-west-1"}})
    assert issue.path == "aistacks:platform.environment"
    assert "dev, staging, prod" in issue.message


# --- generated malformed input -----------------------------------------------------------------------

KEY_NAMES = (
    *TOP_LEVEL_KEYS,
    "region",
    "account_id",
    "project",
    "noncurrent_version_days",
    "log_retention_days",
    "object_lock_mode",
    "object_lock_days",
    "deletion_window_days",
    "rotation_period_days",
    "hsm",
    "enviroment",
    "regoin",
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
KEYS = st.sampled_from(KEY_NAMES) | TEXT
PLAUSIBLE = st.sampled_from(
    [
        "dev",
        "staging",
        "prod",
        "production",
        "eu",
        "uk",
        "us",
        "eu-west-1",
        "eu-west-2",
        "us-east-1",
        "europe-west4",
        "GOVERNANCE",
        "COMPLIANCE",
        "acme-ai-dev",
        "210987654321",
        "datasets",
        "3",
        "yes",
        30,
        7,
        90,
        100,
        0,
        -1,
        True,
        False,
        None,
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT | PLAUSIBLE
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=12,
)

BASE_SPEC: dict[str, Any] = {
    "environment": "dev",
    "jurisdiction": "eu",
    "aws": {"region": "eu-west-1"},
    "buckets": [{"name": "datasets"}],
    "audit": {},
    "kms": {},
    "tags": {"team": "ml"},
}
FIELD_PATHS: tuple[tuple[str | int, ...], ...] = (
    ("name",),
    ("environment",),
    ("jurisdiction",),
    ("aws",),
    ("aws", "region"),
    ("aws", "account_id"),
    ("aws", "regoin"),
    ("gcp",),
    ("buckets",),
    ("buckets", 0),
    ("buckets", 0, "name"),
    ("buckets", 0, "noncurrent_version_days"),
    ("audit",),
    ("audit", "log_retention_days"),
    ("audit", "object_lock_mode"),
    ("audit", "object_lock_days"),
    ("kms",),
    ("kms", "hsm"),
    ("kms", "rotation_period_days"),
    ("kms", "deletion_window_days"),
    ("protect",),
    ("tags",),
    ("tags", "team"),
    ("enviroment",),
)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def expected_issues(platform: Any) -> tuple[ConfigIssue, ...] | None:
    """What the parser says about ``platform`` directly, as the stack ``test`` (:func:`write_stack`) whose
    name goes into physical names: its issues, or None when it is valid."""
    try:
        parse_platform_spec(platform, stack="test")
    except ConfigError as error:
        return error.issues
    return None


def check_cli_agrees_with_the_parser(platform: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = write_stack(Path(folder), platform)
        # Judge what the stack file holds after YAML, as the command reads it.
        loaded = yaml.safe_load(stack.read_text(encoding="utf-8"))["config"][ROOT]
        expected = expected_issues(loaded)
        code, out, err = run_plan(stack)
    assert "Traceback" not in err
    event("valid spec: program ran" if expected is None else "config error")
    if expected is None:
        assert code == 0, err
        assert "aistacks:platform:AiPlatform" in out
        return
    assert code == 2
    assert out == ""
    assert err.startswith("aistacks: invalid stack config")
    assert ROOT in err
    for issue in expected:
        assert issue.path in err


@settings(max_examples=12, deadline=None)
@given(raw=valid_specs())
def test_cli_runs_any_valid_spec(raw: dict[str, Any]) -> None:
    """Every spec the parser accepts runs the whole program (kept small: each run takes ~0.1-0.5 s)."""
    check_cli_agrees_with_the_parser(raw)


@FUZZ
@given(platform=JSON_LIKE)
def test_cli_survives_any_platform_value(platform: Any) -> None:
    check_cli_agrees_with_the_parser(platform)


@FUZZ
@given(path=st.sampled_from(FIELD_PATHS), value=JSON_LIKE | PLAUSIBLE)
def test_cli_survives_any_single_bad_field(path: tuple[str | int, ...], value: Any) -> None:
    platform = copy.deepcopy(BASE_SPEC)
    target: Any = platform
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    check_cli_agrees_with_the_parser(platform)


DEFAULT_PROVIDER_VALUES = (
    st.sampled_from(sorted(regions_of("aws")) + sorted(regions_of("gcp")))
    | st.sampled_from(sorted(regions_of("gcp"))).map(lambda region: f"{region}-b")
    | TEXT
)


@settings(max_examples=30, deadline=None)
@given(key=st.sampled_from(["aws:region", "gcp:region", "gcp:zone"]), value=DEFAULT_PROVIDER_VALUES)
def test_cli_checks_the_default_provider_region(key: str, value: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = write_stack(Path(folder), BASE_SPEC, **{key: value})
        try:
            parse_platform_spec(BASE_SPEC, stack_config={key: value})
        except ConfigError as error:
            expected: tuple[ConfigIssue, ...] | None = error.issues
        else:
            expected = None
        code, _, err = run_plan(stack)
    assert "Traceback" not in err
    cloud = key.split(":", maxsplit=1)[0]
    region = value.rsplit("-", 1)[0] if key == "gcp:zone" else value
    inside = region in regions_in_jurisdiction(cloud, "eu")  # type: ignore[arg-type]
    assert (expected is None) is inside
    if inside:
        assert code == 0, err
    else:
        assert code == 2
        assert f"{key} = {json.dumps(value, ensure_ascii=False)}" in err
