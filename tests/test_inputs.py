"""Inputs read defensively: every malformed or hostile input a user can write is a clear error (exit 2 through
the CLI) naming the file, the key path, the bad value and what is allowed, never a traceback.

YAML (duplicate keys, aliases, non-UTF-8, non-mappings), CIDRs (host bits, octets, blocks too small for the
subnet plan), Kubernetes versions the cloud does not support, and policy config values (jurisdictions,
suppression fields).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from aistacks.catalog import kubernetes_minors, kubernetes_version_problem, supported_kubernetes_minors
from aistacks.cli import main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine.stackfile import StackFileError, load_stack_file, parse_yaml, read_yaml_file
from aistacks.gate import PolicyConfigError, load_policy_config
from aistacks.policies import POLICIES
from aistacks.policies.framework import parse_suppressions
from aistacks.spec import PATTERN_NAMES

from .conftest import ENVIRONMENTS, REPO

ROOT = "aistacks:platform"
CATALOG_READ = dt.date(2026, 11, 30)


def run(*argv: str) -> tuple[int, str, str]:
    """The CLI: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def plan(stack_file: Path, project_dir: Path = REPO) -> tuple[int, str]:
    """``aistacks plan`` of ``stack_file``: the exit code and stderr, which never holds a traceback."""
    code, _, err = run("plan", "--stack-file", str(stack_file), "--project-dir", str(project_dir))
    assert "Traceback" not in err
    return code, err


def stack_text(folder: Path, text: str | bytes, stack: str = "test") -> Path:
    path = folder / f"Pulumi.{stack}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def stack_of(folder: Path, platform: dict[str, Any]) -> Path:
    config = {"pulumi:disable-default-providers": ["*"], ROOT: platform}
    return stack_text(folder, yaml.safe_dump({"config": config}))


def dev(**overrides: Any) -> dict[str, Any]:
    return {"environment": "dev", "jurisdiction": "eu", "aws": {"region": "eu-west-1"}, **overrides}


def config_issues(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw)
    return {issue.path: issue.message for issue in caught.value.issues}


# --- 1. YAML ---------------------------------------------------------------------------------------

DUPLICATE = """\
config:
  aistacks:platform:
    environment: dev
    jurisdiction: eu
    aws:
      region: eu-west-1
    environment: prod
"""

# Each level refers to the one before nine times: 9**9 (387 million) strings once expanded.
ALIAS_BOMB = "config:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]\n" for level in range(1, 9)
)


def test_duplicate_keys_in_a_stack_file_are_refused(tmp_path: Path) -> None:
    path = stack_text(tmp_path, DUPLICATE)
    code, err = plan(path)
    assert code == 2
    assert str(path) in err
    assert 'config.aistacks:platform.environment: duplicate key "environment" on line 7 (first on line 3)' in err
    assert "allowed: each key once per mapping" in err


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = stack_text(tmp_path, ALIAS_BOMB)
    started = time.monotonic()
    code, err = plan(path)
    assert time.monotonic() - started < 10
    assert code == 2
    assert str(path) in err
    assert "line 3: YAML aliases (*a0) are not accepted" in err


def test_a_binary_stack_file_is_refused(tmp_path: Path) -> None:
    path = stack_text(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, err = plan(path)
    assert code == 2
    assert f"{path}: not UTF-8 text (byte 0x89 at offset 0)" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- environment: dev\n", "the top level is a list; allowed: a mapping"),
        ("just words\n", "the top level is the text 'just words'; allowed: a mapping"),
        ("config: [a, b]\n", "config is a list; allowed: a mapping of config keys to values"),
        ("config: 3\n", "config is the number 3; allowed: a mapping of config keys to values"),
    ],
)
def test_a_document_or_config_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = stack_text(tmp_path, text)
    code, err = plan(path)
    assert code == 2
    assert f"{path}: {message}" in err


def test_the_project_file_is_read_as_strictly(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: one\nruntime: python\nname: two\n", encoding="utf-8")
    path = stack_of(tmp_path, dev())
    code, err = plan(path, tmp_path)
    assert code == 2
    assert f'{tmp_path / "Pulumi.yaml"}: name: duplicate key "name" on line 3 (first on line 1)' in err


def test_the_strict_loader_reads_what_safe_load_reads() -> None:
    text = (REPO / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    assert parse_yaml(text) == yaml.safe_load(text)
    assert parse_yaml("") is None
    assert parse_yaml("a: &x 1\nb: 2\n") == {"a": 1, "b": 2}  # an anchor alone expands nothing


def test_the_strict_loader_names_the_path_of_a_duplicate_inside_lists() -> None:
    with pytest.raises(Exception, match=r"clusters\[1\]\.role: duplicate key \"role\" on line 4 \(first on line 3\)"):
        parse_yaml("clusters:\n  - role: training\n  - role: inference\n    role: training\n")


@pytest.mark.parametrize("text", ["a: &x [1]\nb: *x\n", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n"])
def test_the_strict_loader_refuses_every_alias(text: str) -> None:
    with pytest.raises(Exception, match="YAML aliases"):
        parse_yaml(text)


def test_every_shipped_stack_file_reads_strictly() -> None:
    for env in ENVIRONMENTS:
        stack = load_stack_file(REPO / "stacks" / f"Pulumi.{env}.yaml", "aistacks")
        assert ROOT in stack.config
    for path in sorted((REPO / "examples").rglob("Pulumi*.yaml")):
        read_yaml_file(path)


def test_a_missing_or_folder_stack_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match="no such file"):
        read_yaml_file(tmp_path / "Pulumi.none.yaml")
    with pytest.raises(StackFileError, match="a folder, not a file"):
        read_yaml_file(tmp_path)


# --- 2. CIDRs and patterns -------------------------------------------------------------------------


def test_api_access_cidrs_with_octets_over_255_are_refused(tmp_path: Path) -> None:
    cluster = {"role": "training", "api_access_cidrs": ["300.1.1.1/24"]}
    code, err = plan(
        stack_of(tmp_path, dev(aws={"region": "eu-west-1", "kubernetes_version": "1.35", "clusters": [cluster]}))
    )
    assert code == 2
    assert (
        'aistacks:platform.aws.clusters[0].api_access_cidrs[0] = "300.1.1.1/24": '
        "300.1.1.1/24 is not an IPv4 network: octet 300 is over 255"
    ) in err


def test_a_vpc_cidr_with_host_bits_is_refused(tmp_path: Path) -> None:
    code, err = plan(stack_of(tmp_path, dev(aws={"region": "eu-west-1", "cidr": "10.0.0.5/16"})))
    assert code == 2
    assert (
        'aistacks:platform.aws.cidr = "10.0.0.5/16": 10.0.0.5/16 has host bits set; the network is 10.0.0.0/16' in err
    )


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("aws.cidr", "10.0.0.5/16", "10.0.0.5/16 has host bits set; the network is 10.0.0.0/16"),
        ("aws.cidr", "256.0.0.0/16", "256.0.0.0/16 is not an IPv4 network: octet 256 is over 255"),
        ("gcp.cidr", "10.16.0.1/12", "10.16.0.1/12 has host bits set; the network is 10.16.0.0/12"),
        ("gcp.cidr", "10.999.0.0/12", "octet 999 is over 255"),
        ("existing_network.subnetwork_cidr", "10.40.0.7/20", "the network is 10.40.0.0/20"),
        ("existing_network.subnetwork_cidr", "10.40.0.0/40", "prefix /40 is over /32"),
        ("api_access_cidrs", "10.0.0.5/16", "10.0.0.5/16 has host bits set; the network is 10.0.0.0/16"),
        ("api_access_cidrs", "01.2.3.0/24", "01.2.3.0/24 is not an IPv4 network"),
    ],
)
def test_every_cidr_field_is_parsed_as_a_network(where: str, value: str, message: str) -> None:
    aws: dict[str, Any] = {"region": "eu-west-1"}
    gcp: dict[str, Any] = {"project": "acme-ai-inputs", "region": "europe-west4"}
    if where == "aws.cidr":
        aws["cidr"], path = value, f"{ROOT}.aws.cidr"
    elif where == "gcp.cidr":
        gcp["cidr"], path = value, f"{ROOT}.gcp.cidr"
    elif where == "api_access_cidrs":
        aws |= {"kubernetes_version": "1.35", "clusters": [{"role": "training", "api_access_cidrs": [value]}]}
        path = f"{ROOT}.aws.clusters[0].api_access_cidrs[0]"
    else:
        gcp["existing_network"] = {
            "network": "projects/acme-ai-inputs/global/networks/net",
            "subnetwork": "projects/acme-ai-inputs/regions/europe-west4/subnetworks/sub",
            "subnetwork_cidr": value,
            "cluster_ranges": [],
        }
        path = f"{ROOT}.gcp.existing_network.subnetwork_cidr"
    found = config_issues({"environment": "dev", "jurisdiction": "eu", "aws": aws, "gcp": gcp})
    assert message in found[path]


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        (dev(name="Bad_Name"), f"{ROOT}.name", "slug (2 to 20 of `a-z0-9-`, a letter first, no `-` last)"),
        (dev(tags={"Team": "ml"}), f"{ROOT}.tags.Team", "label key (1 to 63 of `a-z0-9_-`, a letter first)"),
        (dev(aws={"region": "eu-west-1", "cidr": "10.0.0.0"}), f"{ROOT}.aws.cidr", "IPv4 CIDR (/16 or /17)"),
        (
            dev(
                aws={"region": "eu-west-1", "kubernetes_version": "1.35", "clusters": [{"role": "inference"}]},
                vector={"engine": "qdrant", "snapshot_schedule": "daily"},
            ),
            f"{ROOT}.vector.snapshot_schedule",
            "cron (five fields)",
        ),
        (
            dev(aws={"region": "eu-west-1", "kubernetes_version": "v1.35"}),
            f"{ROOT}.aws.kubernetes_version",
            'Kubernetes minor version (`"1.NN"`)',
        ),
    ],
)
def test_values_that_do_not_match_a_pattern_are_refused_in_words(raw: dict[str, Any], path: str, words: str) -> None:
    message = config_issues(raw)[path]
    assert f"not in the allowed form: {words}" in message
    assert "pattern" not in message and "^" not in message


def test_every_pattern_of_the_spec_has_a_name_in_words() -> None:
    from aistacks import spec

    patterns = {
        str(meta.pattern)
        for value in vars(spec).values()
        for meta in getattr(value, "__metadata__", ())
        if getattr(meta, "pattern", None)
    }
    assert patterns <= set(PATTERN_NAMES), patterns - set(PATTERN_NAMES)


# --- 3. address plans: what fits -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [18, 20, 24, 28])
def test_aws_blocks_that_never_hold_the_subnets_are_refused_with_what_fits(prefix: int) -> None:
    message = config_issues(dev(aws={"region": "eu-west-1", "cidr": f"10.0.0.0/{prefix}", "zones": 2}))[
        f"{ROOT}.aws.cidr"
    ]
    assert message == "not in the allowed form: IPv4 CIDR (/16 or /17)"


@pytest.mark.parametrize(("cidr", "zones"), [("10.0.0.0/17", 2), ("10.0.128.0/17", 3), ("10.0.0.0/16", 6)])
def test_the_documented_aws_blocks_plan(cidr: str, zones: int) -> None:
    parse_platform_spec(dev(aws={"region": "eu-west-1", "cidr": cidr, "zones": zones}))


def test_a_17_for_more_than_3_zones_says_which_block_fits(tmp_path: Path) -> None:
    code, err = plan(stack_of(tmp_path, dev(aws={"region": "eu-west-1", "cidr": "10.0.0.0/17", "zones": 5})))
    assert code == 2
    assert (
        'aistacks:platform.aws.cidr = "10.0.0.0/17": a /17 holds the subnets (a private /19 and a public /24 per '
        "zone) of at most 3 zones, not 5; with 5 zones use a /16"
    ) in err
    assert "or set aws.zones to at most 3" in err


def test_more_gcp_clusters_than_the_block_holds_says_how_many_fit(tmp_path: Path) -> None:
    clusters = [{"role": "training", "name": f"c{index}x"} for index in range(9)]
    gcp = {"project": "acme-ai-inputs", "region": "europe-west4", "cidr": "10.16.0.0/12", "kubernetes_version": "1.35"}
    raw = {"environment": "dev", "jurisdiction": "eu", "gcp": {**gcp, "clusters": clusters}}
    parse_platform_spec(raw)  # a /12 holds 15
    clusters = [{"role": "training", "name": f"c{index}x"} for index in range(20)]
    code, err = plan(stack_of(tmp_path, {**raw, "gcp": {**gcp, "clusters": clusters}}))
    assert code == 2
    assert "AddressPlanError" not in err
    assert (
        'aistacks:platform.gcp.cidr = "10.16.0.0/12": a /12 holds the ranges (the nodes\' /20, then a /16 of pods '
        "and a /22 of services per cluster) of at most 15 cluster(s), not 20; 20 clusters need a /11 or larger"
    ) in err


# --- 4. policy config ------------------------------------------------------------------------------


def gate_with(tmp_path: Path, policy: dict[str, Any]) -> tuple[int, str, Path]:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps(policy), encoding="utf-8")
    stack = stack_of(tmp_path, dev())
    code, _, err = run("gate", "--stack-file", str(stack), "--policy-config", str(config), "--project-dir", str(REPO))
    assert "Traceback" not in err
    return code, err, config


@pytest.mark.parametrize(
    ("rule", "setting", "expected"),
    [
        ("AIS-RES-001", {"allowedJurisdictions": "eu"}, 'AIS-RES-001.allowedJurisdictions = "eu": must be a list'),
        ("AIS-KEY-001", {"foo": True}, 'AIS-KEY-001: unknown setting "foo"; allowed: suppressions'),
        ("AIS-RES-001", ["eu"], 'AIS-RES-001: must be an enforcement level or an object, got ["eu"]'),
    ],
)
def test_a_policy_setting_of_the_wrong_shape_is_said_in_json_and_words(
    tmp_path: Path, rule: str, setting: Any, expected: str
) -> None:
    code, err, config = gate_with(tmp_path, {rule: setting})
    assert code == 2
    assert f"{config}: {expected}" in err
    assert "'" not in err.replace(str(config), ""), "a Python repr"


@pytest.mark.parametrize("value", ["EU", "mars"])
def test_an_unknown_jurisdiction_in_the_policy_config_is_a_config_error(tmp_path: Path, value: str) -> None:
    code, err, config = gate_with(tmp_path, {"all": "mandatory", "AIS-RES-001": {"allowedJurisdictions": [value]}})
    assert code == 2
    assert f'{config}: AIS-RES-001.allowedJurisdictions: unknown jurisdiction "{value}"; known (lower case): ' in err
    assert ", eu, " in err
    assert "violation" not in err


def test_an_unknown_field_in_a_suppression_is_a_config_error(tmp_path: Path) -> None:
    entry = {"resource": "aistacks-*", "reason": "x" * 30, "expires": "2999-01-01", "expiry": "2999-01-01"}
    code, err, config = gate_with(tmp_path, {"AIS-RES-002": {"allowedJurisdictions": ["eu"], "suppressions": [entry]}})
    assert code == 2
    allowed = "resource, type, pattern, max, reason, expires"
    assert f'{config}: AIS-RES-002.suppressions[0]: unknown field "expiry"; allowed: {allowed}' in err


def test_the_policy_config_loader_accepts_the_repository_configs() -> None:
    for path in sorted((REPO / "policies" / "config").glob("*.json")):
        load_policy_config(path, POLICIES)


def test_a_known_jurisdiction_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"AIS-RES-001": {"allowedJurisdictions": ["eu", "uk"]}}), encoding="utf-8")
    assert load_policy_config(path, POLICIES)["AIS-RES-001"].properties == {"allowedJurisdictions": ["eu", "uk"]}
    path.write_text(json.dumps({"AIS-RES-002": {"allowedJurisdictions": ["eu", "EU"]}}), encoding="utf-8")
    with pytest.raises(PolicyConfigError, match='unknown jurisdiction "EU"'):
        load_policy_config(path, POLICIES)


def test_a_suppression_with_an_unknown_field_suppresses_nothing_under_the_pulumi_cli() -> None:
    entry = {"resource": "x", "reason": "x" * 30, "expires": "2999-01-01", "ticket": "SEC-1"}
    valid, problems = parse_suppressions("AIS-RES-001", [entry], dt.date(2026, 11, 30))
    assert valid == []
    assert problems == [(0, "has unknown field(s) ticket; allowed: resource, type, pattern, max, reason, expires")]


# --- 5. Kubernetes versions ------------------------------------------------------------------------


@pytest.mark.parametrize(("cloud", "service"), [("aws", "EKS"), ("gcp", "GKE")])
def test_a_kubernetes_version_the_cloud_does_not_support_is_refused(tmp_path: Path, cloud: str, service: str) -> None:
    settings = {"aws": {"region": "eu-west-1"}, "gcp": {"project": "acme-ai-inputs", "region": "europe-west4"}}[cloud]
    platform = {"environment": "dev", "jurisdiction": "eu", cloud: {**settings, "kubernetes_version": "1.20"}}
    code, err = plan(stack_of(tmp_path, platform))
    assert code == 2
    assert (
        f'aistacks:platform.{cloud}.kubernetes_version = "1.20": {service} does not offer Kubernetes 1.20; allowed: '
        in err
    )
    assert "1.35 (until " in err
    assert "endoflife.date, read 2026-11-30" in err


def test_a_minor_whose_support_ended_is_refused_with_the_date() -> None:
    assert kubernetes_version_problem("aws", "1.31", CATALOG_READ) == (
        "EKS support for Kubernetes 1.31 ended on 2026-11-26; allowed: 1.36 (until 2028-08-02), "
        "1.35 (until 2028-03-27), 1.34 (until 2027-12-02), 1.33 (until 2027-07-29), 1.32 (until 2027-03-23) "
        "(catalog: endoflife.date, read 2026-11-30)"
    )
    problem = kubernetes_version_problem("gcp", "1.34", CATALOG_READ)
    assert problem is not None and problem.startswith("GKE support for Kubernetes 1.34 ended on 2026-10-01")


def test_the_shipped_minor_is_supported_on_both_clouds_when_the_catalog_was_read() -> None:
    for cloud in ("aws", "gcp"):
        assert kubernetes_version_problem(cloud, "1.35", CATALOG_READ) is None
        assert kubernetes_version_problem(cloud, "1.35") is None
        assert "1.35" in [support.minor for support in supported_kubernetes_minors(cloud, CATALOG_READ)]


def test_the_kubernetes_catalog_is_sourced_and_consistent() -> None:
    data = json.loads((REPO / "components" / "catalog" / "data" / "kubernetes_versions.json").read_text("utf-8"))
    assert data["read"] == "2026-11-30"
    assert "endoflife.date/amazon-eks" in data["sources"]["eks"]
    assert "endoflife.date/google-kubernetes-engine" in data["sources"]["gke"]
    for cloud in ("aws", "gcp"):
        minors = kubernetes_minors(cloud)
        assert minors
        for support in minors.values():
            assert support.released < support.end_of_standard_support
            assert (support.end_of_extended_support is not None) is (cloud == "aws")
            if support.end_of_extended_support is not None:
                assert support.end_of_standard_support < support.end_of_extended_support


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_secret_platform_config_says_the_offline_engine_cannot_decrypt_it(tmp_path: Path, command: str) -> None:
    stack = tmp_path / "Pulumi.sealed.yaml"
    stack.write_text("config:\n  aistacks:platform:\n    secure: AAABAKx1234==\n", encoding="utf-8")
    code, _, err = run(command, "--stack-file", str(stack), "--project-dir", str(REPO))
    assert code == 2
    assert "aistacks:platform: is a secret (secure:) in the stack file, which the offline engine cannot decrypt" in err
    assert "not valid JSON" not in err and "Traceback" not in err
