"""The physical-name contract: the sourced rule table (aistacks.catalog.name_rules), Pulumi's auto-naming as the
offline engine applies it, and the check of planned names against the clouds' limits (aistacks.engine.names)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog.name_rules import NameRule, default_auto_naming, name_rules
from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.engine.cloud import RESOURCE_HANDLERS, generic
from aistacks.engine.cloud.base import Created
from aistacks.engine.graph import UNKNOWN_SENTINEL
from aistacks.engine.names import (
    PhysicalNameError,
    auto_name,
    check_names,
    planned_name,
    require_acceptable_names,
    types_without_rule,
)

from .k8s_validation import CUSTOM_RESOURCES

NODE_POOL = "gcp:container/nodePool:NodePool"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
IAM_ROLE = "aws:iam/role:Role"
S3_BUCKET = "aws:s3/bucket:Bucket"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
KMS_ALIAS = "aws:kms/alias:Alias"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
HEX = re.compile(r"[0-9a-f]+")
# How the engine's wire format wraps a secret (pulumi.runtime.rpc).
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
RULES = dict(name_rules())
NAMED = {token: rule for token, rule in RULES.items() if rule.name_property is not None}
LIMITED = {token: rule for token, rule in NAMED.items() if rule.max_length is not None}


def record(type_token: str, name: str, inputs: dict[str, Any] | None = None, *, custom: bool = True) -> ResourceRecord:
    urn = f"urn:pulumi:test::project::{type_token}::{name}"
    return ResourceRecord(urn, type_token, name, custom, None, None, inputs or {})


def with_name(rule: NameRule, value: Any) -> dict[str, Any]:
    """Inputs that set ``rule``'s name property (nested for ``metadata.name``) to ``value``."""
    assert rule.name_property is not None
    inputs: dict[str, Any] = {}
    *parents, leaf = rule.name_property.split(".")
    node = inputs
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return inputs


def valid_name(rule: NameRule, length: int) -> str:
    """A name of ``length`` characters that every character rule of the table accepts."""
    if rule.pattern and rule.pattern.startswith("^alias/"):
        return "alias/" + "a" * (length - len("alias/"))
    return "a" * length


def violations(type_token: str, name: str, inputs: dict[str, Any] | None = None) -> list[str]:
    return [str(v) for v in check_names([record(type_token, name, inputs)])]


# --- the table -----------------------------------------------------------------------------------


def test_every_rule_and_every_auto_naming_names_its_source_and_when_it_was_read() -> None:
    today = dt.date.today()
    sources = [rule.source for rule in RULES.values()]
    sources += [rule.auto_naming.source for rule in RULES.values() if rule.auto_naming]
    sources += [rule.name_prefix.source for rule in RULES.values() if rule.name_prefix]
    for source in sources:
        assert source.title and source.url.startswith("https://"), source
        assert dt.date.fromisoformat(source.retrieved) <= today, source


def test_a_type_without_a_name_or_without_a_length_limit_says_so_explicitly() -> None:
    for token, rule in RULES.items():
        if rule.name_property is None:
            assert rule.note and rule.auto_naming is None and rule.max_length is None, token
        elif rule.max_length is None:
            assert "no length limit" in rule.note.lower(), f"{token}: a missing limit must be explicit"


def test_patterns_compile_and_lengths_are_ordered() -> None:
    for token, rule in NAMED.items():
        if rule.pattern:
            re.compile(rule.pattern)
        if rule.min_length is not None and rule.max_length is not None:
            assert 0 < rule.min_length <= rule.max_length, token
        assert rule.allowed, f"{token}: errors need the allowed characters in words"


@pytest.mark.parametrize(
    ("type_token", "low", "high"),
    [
        (IAM_ROLE, 1, 64),
        ("aws:iam/rolePolicy:RolePolicy", 1, 128),
        (GKE_CLUSTER, 1, 40),
        (NODE_POOL, 1, 40),
        ("aws:eks/cluster:Cluster", 1, 100),
        ("aws:eks/nodeGroup:NodeGroup", 1, 63),
        (S3_BUCKET, 3, 63),
        (GCS_BUCKET, 3, 63),
        ("aws:cloudwatch/logGroup:LogGroup", 1, 512),
        (KMS_ALIAS, 1, 256),
        ("gcp:serviceaccount/account:Account", 6, 30),
        ("kubernetes:core/v1:Namespace", 1, 63),
        (CONFIG_MAP, 1, 253),
        ("kubernetes:core/v1:Service", 1, 63),
        ("kubernetes:batch/v1:CronJob", 1, 52),
        ("aws:ec2/launchTemplate:LaunchTemplate", 3, 128),
        ("aws:ec2/securityGroup:SecurityGroup", 1, 255),
        ("aws:opensearch/serverlessCollection:ServerlessCollection", 3, 32),
    ],
)
def test_the_limits_the_issue_names_are_in_the_table(type_token: str, low: int, high: int) -> None:
    rule = RULES[type_token]
    assert (rule.min_length, rule.max_length) == (low, high)


def test_the_gcs_dotted_form_may_be_longer_but_not_per_part() -> None:
    rule = RULES[GCS_BUCKET]
    assert (rule.dotted_max_length, rule.dotted_component_max_length) == (222, 63)


def _snake(camel: str) -> str:
    """``IAMMember`` -> ``iam_member``, ``nodeGroupName`` -> ``node_group_name``, as the SDKs spell them."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", camel).lower()


CUSTOM_RESOURCE_TYPES = {f"kubernetes:{api_version}:{kind}" for api_version, kind in CUSTOM_RESOURCES}
"""The custom resources aistacks applies: no SDK module of their own."""


def _sdk_module(type_token: str) -> Path:
    """The installed SDK file that declares ``type_token`` (``aws:ec2/launchTemplate:LaunchTemplate`` ->
    ``pulumi_aws/ec2/launch_template.py``; ``kubernetes:apps/v1:DaemonSet`` -> ``.../apps/v1/DaemonSet.py``)."""
    package, module, type_name = type_token.split(":")
    spec = importlib.util.find_spec(f"pulumi_{package}")
    assert spec is not None and spec.origin is not None, f"no SDK for {package}"
    root = Path(spec.origin).parent
    if package == "kubernetes":
        group, version = module.split("/")
        return root / group.split(".")[0] / version / f"{type_name}.py"
    folder = module.split("/")[0]
    return (root if folder == "index" else root / folder) / f"{_snake(type_name)}.py"


def _args_parameters(source: str) -> set[str]:
    """The keyword parameters of the first ``*Args`` class's ``__init__`` of an SDK module."""
    match = re.search(r"class \w*Args:\s+def __init__\(__self__,(.*?)\):", source, re.DOTALL)
    assert match, "no Args class"
    return set(re.findall(r"(\w+):", match.group(1)))


@pytest.mark.parametrize("type_token", sorted(t for t in RULES if not t.startswith("pulumi:providers:")))
def test_each_rule_describes_a_real_type_and_its_real_name_property(type_token: str) -> None:
    """Checked against the provider SDKs installed here: the token is declared, the name (and prefix)
    property is an argument, and a type said to name nothing takes no ``name`` argument."""
    if type_token in CUSTOM_RESOURCE_TYPES:
        # Applied through kubernetes.apiextensions.CustomResource, which names it by metadata.name.
        assert RULES[type_token].name_property == "metadata.name"
        return
    path = _sdk_module(type_token)
    assert path.is_file(), f"{type_token}: no SDK module at {path}"
    source = path.read_text(encoding="utf-8")
    assert f'"{type_token}"' in source, f"{path} does not declare {type_token}"
    parameters = _args_parameters(source)
    rule = RULES[type_token]
    if rule.name_property is None:
        assert "name" not in parameters, f"{type_token} takes a name: the table says it has none"
    else:
        assert _snake(rule.name_property.split(".")[0]) in parameters
    if rule.name_prefix is not None:
        assert _snake(rule.name_prefix.property) in parameters


def test_the_data_file_lists_its_rules_sorted_with_a_description() -> None:
    document = json.loads(resources.files("aistacks.catalog").joinpath("data", "name_rules.json").read_text())
    assert document["description"] and document["notes"]
    assert list(document["rules"]) == sorted(document["rules"])


# --- auto-naming -------------------------------------------------------------------------------

LOGICAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-", min_size=1, max_size=60)


@given(LOGICAL)
def test_bridged_providers_append_a_dash_and_7_hex_characters(logical: str) -> None:
    name = auto_name(NODE_POOL, logical)
    assert name.startswith(logical + "-") and len(name) == len(logical) + 8
    assert HEX.fullmatch(name[-7:])


@given(LOGICAL)
def test_kubernetes_appends_a_dash_and_8_hex_characters_to_any_kind(logical: str) -> None:
    for kind in (CONFIG_MAP, "kubernetes:apps/v1:ReplicaSet"):  # a kind of the table and one without a rule
        name = auto_name(kind, logical)
        assert name.startswith(logical + "-") and len(name) == len(logical) + 9
        assert HEX.fullmatch(name[-8:])


@given(LOGICAL)
def test_s3_lowercases_but_cloud_storage_does_not(logical: str) -> None:
    assert auto_name(S3_BUCKET, logical).startswith(logical.lower() + "-")
    assert auto_name(GCS_BUCKET, logical).startswith(logical + "-")


def test_a_kms_alias_is_prefixed_once() -> None:
    assert re.fullmatch(r"alias/keys-[0-9a-f]{7}", auto_name(KMS_ALIAS, "keys"))
    assert re.fullmatch(r"alias/keys-[0-9a-f]{7}", auto_name(KMS_ALIAS, "alias/keys"))


def test_auto_names_are_stable_and_differ_by_type_and_name() -> None:
    assert auto_name(NODE_POOL, "pool") == auto_name(NODE_POOL, "pool")
    assert auto_name(NODE_POOL, "pool") != auto_name(GKE_CLUSTER, "pool") != auto_name(NODE_POOL, "pool2")


def test_packages_without_a_rule_get_their_providers_default() -> None:
    assert default_auto_naming("aws") is not None and default_auto_naming("gcp") is not None
    assert re.fullmatch(r"db-[0-9a-f]{7}", auto_name("aws:rds/instance:Instance", "db"))
    assert re.fullmatch(r"s-[0-9a-f]{7}", auto_name("random:index/randomString:RandomString", "s"))


# --- the mock cloud answers with the same names ------------------------------------------------------


def created(type_token: str, name: str, inputs: dict[str, Any] | None = None) -> Created:
    return Created(type_token, name, inputs or {}, "europe-west4", "111122223333", "acme")


def test_the_mock_cloud_names_what_the_program_leaves_unnamed_as_the_provider_would() -> None:
    pool_path, pool = RESOURCE_HANDLERS[NODE_POOL](created(NODE_POOL, "pool", {"cluster": "c"}))
    assert pool["name"] == auto_name(NODE_POOL, "pool") and pool_path.endswith("/nodePools/" + pool["name"])
    _, bucket = RESOURCE_HANDLERS[S3_BUCKET](created(S3_BUCKET, "Data"))
    assert bucket["bucket"] == auto_name(S3_BUCKET, "Data") and bucket["bucket"].startswith("data-")
    alias_id, alias = RESOURCE_HANDLERS[KMS_ALIAS](created(KMS_ALIAS, "keys", {"targetKeyId": "k"}))
    assert alias_id == auto_name(KMS_ALIAS, "keys") and alias["arn"].endswith(":" + alias_id)
    _, config_map = RESOURCE_HANDLERS[CONFIG_MAP](created(CONFIG_MAP, "settings", {"metadata": {"namespace": "n"}}))
    assert config_map["metadata"]["name"] == auto_name(CONFIG_MAP, "settings")
    _, deployment = generic.resource(created("kubernetes:apps/v1:ReplicaSet", "web", {}))
    assert re.fullmatch(r"web-[0-9a-f]{8}", deployment["metadata"]["name"])


def test_the_mock_cloud_keeps_explicit_names_and_honours_name_prefixes() -> None:
    _, explicit = RESOURCE_HANDLERS[NODE_POOL](created(NODE_POOL, "pool", {"cluster": "c", "name": "gpu"}))
    assert explicit["name"] == "gpu"
    _, prefixed = RESOURCE_HANDLERS[NODE_POOL](created(NODE_POOL, "pool", {"cluster": "c", "namePrefix": "gpu-"}))
    assert prefixed["name"].startswith("gpu-") and len(prefixed["name"]) == len("gpu-") + 26


# --- the check ---------------------------------------------------------------------------------


@pytest.mark.parametrize("type_token", sorted(LIMITED))
def test_a_name_at_the_limit_passes_and_one_character_over_fails(type_token: str) -> None:
    rule = LIMITED[type_token]
    assert rule.max_length is not None
    assert not violations(type_token, "r", with_name(rule, valid_name(rule, rule.max_length)))
    over = violations(type_token, "r", with_name(rule, valid_name(rule, rule.max_length + 1)))
    assert over and f"is {rule.max_length + 1} characters; the limit is {rule.max_length}" in over[0]


@pytest.mark.parametrize("type_token", sorted(t for t, r in NAMED.items() if (r.min_length or 0) > 1))
def test_a_name_under_the_minimum_fails(type_token: str) -> None:
    rule = NAMED[type_token]
    assert rule.min_length is not None
    short = valid_name(rule, rule.min_length)[: rule.min_length - 1] or "a"
    found = violations(type_token, "r", with_name(rule, short))
    assert any(f"at least {rule.min_length} are required" in line for line in found), found


@given(rule_token=st.sampled_from(sorted(LIMITED)), extra=st.integers(min_value=-20, max_value=20))
def test_explicit_names_fail_exactly_when_longer_than_the_limit(rule_token: str, extra: int) -> None:
    rule = LIMITED[rule_token]
    assert rule.max_length is not None
    length = max(rule.max_length + extra, rule.min_length or 1, 7)
    found = check_names([record(rule_token, "r", with_name(rule, valid_name(rule, length)))])
    assert bool([v for v in found if v.limit == rule.max_length]) == (length > rule.max_length)


def test_an_auto_named_gke_node_pool_one_character_over_names_everything_a_user_needs() -> None:
    at_limit = "p" * 32  # 32 + "-" + 7 = 40
    assert not violations(NODE_POOL, at_limit)
    logical = "aistacks-staging-inference-system"  # 33 characters: the known staging case
    (message,) = violations(NODE_POOL, logical)
    physical = auto_name(NODE_POOL, logical)
    assert message.startswith(f"{logical} ({NODE_POOL}): auto-name {physical!r}")
    assert "is 41 characters; the limit is 40" in message
    assert "preview passes and the create fails" in message, "pulumi-gcp lets auto-names reach 255"
    assert "https://github.com/GoogleCloudPlatform/magic-modules/pull/18477" in message and "read 2026-11-30" in message


@given(st.integers(min_value=1, max_value=80))
def test_an_iam_role_auto_name_over_64_is_refused_by_the_provider_at_preview(length: int) -> None:
    found = check_names([record(IAM_ROLE, "r" * length)])
    assert bool(found) == (length + 8 > 64)
    if found:
        (violation,) = found
        assert violation.limit == 64
        assert "the provider allows an auto-name at most 64 and refuses it at preview" in str(violation)
        assert "resource_overrides.go" in str(violation), "the provider's limit comes from pulumi-aws"


def test_a_name_prefix_counts_the_providers_suffix() -> None:
    rule = RULES[NODE_POOL]
    # Up to 14 characters of prefix GKE pools get the 26-character suffix, longer ones a 9-character one.
    assert not violations(NODE_POOL, "p", {"namePrefix": "a" * 14})  # 14 + 26 = 40
    assert not violations(NODE_POOL, "p", {"namePrefix": "a" * 31})  # 31 + 9 = 40
    (message,) = violations(NODE_POOL, "p", {"namePrefix": "a" * 32})
    assert "is 41 characters" in message and rule.name_prefix is not None
    assert violations(IAM_ROLE, "p", {"namePrefix": "a" * 39}), "39 + 26 = 65 > 64"
    assert not violations(IAM_ROLE, "p", {"namePrefix": "a" * 38})


def test_characters_the_cloud_refuses_fail_with_what_is_allowed() -> None:
    (message,) = violations(S3_BUCKET, "b", {"bucket": "My_Bucket"})
    assert "is not a name the cloud accepts: lowercase letters, digits" in message
    assert not violations(S3_BUCKET, "b", {"bucket": "my-bucket"})
    assert violations(KMS_ALIAS, "a", {"name": "alias/aws/mine"}), "AWS reserves alias/aws/"
    assert violations("kubernetes:core/v1:Service", "s", {"metadata": {"name": "9lives"}}), "RFC 1035: a letter first"
    assert not violations("kubernetes:core/v1:Namespace", "s", {"metadata": {"name": "9lives"}})


def test_cloud_storage_takes_222_characters_with_dots_but_63_per_part() -> None:
    dotted = ".".join(["a" * 60] * 3)  # 182 characters
    assert not violations(GCS_BUCKET, "b", {"name": dotted})
    (message,) = violations(GCS_BUCKET, "b", {"name": "a" * 64 + ".example"})
    assert "a dot-separated part of 64 characters" in message
    assert violations(GCS_BUCKET, "b", {"name": "a" * 64}), "without dots the limit is 63"


def test_names_unknown_at_preview_secrets_and_unnamed_types_are_not_checked() -> None:
    long = "a" * 300
    assert planned_name(record(GKE_CLUSTER, "c", {"name": UNKNOWN_SENTINEL})) is None
    assert planned_name(record(GKE_CLUSTER, "c", {"name": {**SECRET, "value": long}})) is None
    assert planned_name(record(CONFIG_MAP, "c", {"metadata": UNKNOWN_SENTINEL})) is None
    assert planned_name(record("aws:ec2/vpc:Vpc", long)) is None
    assert not check_names([record(GKE_CLUSTER, long, custom=False)]), "components have no physical name"
    assert not check_names([record("azure-native:storage:StorageAccount", long)]), "no rule: nothing to hold it to"


def test_a_graph_names_the_types_it_holds_without_a_rule() -> None:
    graph = ResourceGraph(project="p", stack="s", preview=False)
    for rec in (record(GKE_CLUSTER, "c"), record("azure-native:storage:StorageAccount", "a")):
        graph.add(rec)
    graph.add(record("aistacks:gcp:GkeCluster", "component", custom=False))
    assert types_without_rule(graph) == ["azure-native:storage:StorageAccount"]


def test_the_error_lists_every_violation_and_says_what_to_change() -> None:
    graph = ResourceGraph(project="p", stack="s", preview=True)
    graph.add(record(GKE_CLUSTER, "c", {"name": "x" * 41}))
    graph.add(record(NODE_POOL, "p" * 33))
    with pytest.raises(PhysicalNameError) as raised:
        require_acceptable_names(graph)
    text = str(raised.value)
    assert text.startswith("2 physical name(s) the cloud would refuse")
    assert f"  - c ({GKE_CLUSTER}): name {'x' * 41!r} (name) is 41 characters; the limit is 40" in text
    assert "Shorten the platform `name` or the cluster `name`" in text
    assert [v.record.type for v in raised.value.violations] == [GKE_CLUSTER, NODE_POOL]
