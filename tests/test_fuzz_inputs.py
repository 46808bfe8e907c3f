"""Fuzzing as a test (issue 11): hypothesis draws stack configs and policy configs, valid and broken, and
every one is either accepted or refused with a config error: never another exception, never a traceback,
never the tool's failure (exit 3) for something a user wrote.

* ``aistacks:platform`` values: the valid ones of :func:`tests.strategies.valid_specs`, and those mutated
  (wrong types, unknown keys, numbers out of range, bad strings and CIDRs, missing keys, lists where objects
  go, nulls, duplicate clusters) through :func:`aistacks.config.parse_platform_spec`;
* whole stack files as text (duplicate keys, aliases, non-mapping documents, binary bytes, YAML tags,
  ``secure:`` values) through :func:`aistacks.engine.stackfile.load_stack_file`;
* policy configs (levels, settings, jurisdictions, suppressions; broken types, unknown names, invalid JSON,
  non-UTF-8 bytes) through :func:`aistacks.gate.config.load_policy_config`;
* a few of each through the CLI (``aistacks plan`` and ``aistacks gate``), which runs the program offline:
  exit 0 or 2 (1 for the gate, only with a valid policy config), and on 2 one ``aistacks: ...`` message that
  names the file or the key.

Every test is derandomized, so CI draws the same examples on every run; the offline plans are few (one to
three seconds each).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aistacks.catalog import known_jurisdictions
from aistacks.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine.stackfile import StackFileError, load_stack_file
from aistacks.gate import PolicyConfigError, load_policy_config
from aistacks.policies import POLICIES
from aistacks.vocabulary import TIERS

from .conftest import REPO
from .strategies import valid_specs

ROOT = "aistacks:platform"

UNHEALTHY = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]
"""Drawing whole specs is slow, mutations are often filtered, and the module's folder is reused on purpose."""
PARSE = settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=UNHEALTHY)
"""In-process checks: cheap, many examples."""
PLAN = settings(max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=UNHEALTHY)
"""CLI runs: each plans a stack offline (one to three seconds), so a handful."""


# --- broken values --------------------------------------------------------------------------------------

BAD_CIDRS = st.sampled_from(
    [
        "300.1.1.1/24",
        "10.0.0.256/16",
        "10.0.0.5/16",
        "10.0.0.0/33",
        "10.0.0.0/0",
        "10.0.0.0/1",
        "10.0.0.0/31",
        "10.0.0.0/32",
        "10.0.0.0/-1",
        "10.0.0.0",
        "10.0.0.0/",
        "/16",
        "10.0.0/16",
        "10.0.0.0.0/16",
        "::1/128",
        "fd00::/8",
        "0.0.0.0/0",
        "1.2.3.4/24 ",
        " 10.0.0.0/16",
        "10.0.0.0/016",
        "10.00.0.0/16",
        "\u0661\u0660.0.0.0/16",
        "10.0.0.0/\uff11\uff16",
    ]
)
"""CIDRs with octets over 255, host bits, prefixes too long or too short, other families, stray text."""
BAD_STRINGS = st.one_of(
    st.sampled_from(["", " ", "\n", "\x00", "DEV", "Prod", "1.20", "1.999", "latest", "é", "名前", "a" * 300]),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=2000),
    BAD_CIDRS,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    BAD_STRINGS,
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
"""Any JSON-like value: what a field may be replaced with."""
UNKNOWN_KEYS = st.sampled_from(["enviroment", "public_endpoint", "Environment", "", " ", "clusters", "x" * 200, "ü"])

Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every location in a JSON-like value, the value itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def get(value: Any, path: Path_) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one to three mutations at drawn locations."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(paths(value))))
        target = get(value, where)
        kind = draw(
            st.sampled_from(
                ["replace", "bad string", "drop", "unknown key", "wrap in list", "list for object", "null", "duplicate"]
            )
        )
        new: Any
        if kind == "replace":
            new = draw(JUNK)
        elif kind == "bad string":
            new = draw(BAD_STRINGS)
        elif kind == "null":
            new = None
        elif kind == "wrap in list":
            new = [target]
        elif kind == "list for object" and isinstance(target, dict):
            new = list(target.items()) if draw(st.booleans()) else list(target.values())
        elif kind == "drop" and isinstance(target, dict) and target:
            target.pop(draw(st.sampled_from(sorted(target))))
            continue
        elif kind == "unknown key" and isinstance(target, dict):
            target[draw(UNKNOWN_KEYS)] = draw(JUNK)
            continue
        elif kind == "duplicate" and isinstance(target, list) and target:
            target.append(copy.deepcopy(draw(st.sampled_from(target))))
            continue
        else:
            new = draw(JUNK)
        if not where:
            value = new
        else:
            get(value, where[:-1])[where[-1]] = new
    return value


@st.composite
def duplicate_clusters(draw: st.DrawFn) -> dict[str, Any]:
    """A valid spec with one cluster twice (same name)."""
    spec = draw(valid_specs())
    with_clusters = [cloud for cloud in ("aws", "gcp") if spec.get(cloud, {}).get("clusters")]
    assume(with_clusters)
    clusters = spec[draw(st.sampled_from(with_clusters))]["clusters"]
    clusters.append(copy.deepcopy(draw(st.sampled_from(clusters))))
    return spec


BROKEN_SPECS = st.one_of(
    valid_specs(with_compute=False).flatmap(mutated),
    valid_specs().flatmap(mutated),
    duplicate_clusters(),
    JUNK,
)


def parses_or_config_error(raw: Any, stack: str | None = None) -> bool:
    """Whether ``raw`` parses; the only exception allowed is :class:`ConfigError`, with issues that name keys."""
    try:
        parse_platform_spec(raw, stack=stack)
    except ConfigError as error:
        issues = error.issues
    else:
        return True
    assert issues
    for issue in issues:
        assert issue.path.startswith(ROOT), issue
        assert issue.message, issue
    return False


@given(valid_specs(with_compute=False) | valid_specs())
@PARSE
def test_every_valid_spec_parses(spec: dict[str, Any]) -> None:
    assert parses_or_config_error(spec)
    assert parses_or_config_error(json.dumps(spec), stack=spec["environment"])


@given(BROKEN_SPECS, st.sampled_from([None, *TIERS, "fuzz", "Fuzz_Stack"]))
@settings(PARSE, max_examples=400)
def test_a_broken_spec_parses_or_is_a_config_error(raw: Any, stack: str | None) -> None:
    parses_or_config_error(raw, stack=stack)


@given(BROKEN_SPECS)
@PARSE
def test_a_broken_spec_as_json_text_parses_or_is_a_config_error(raw: Any) -> None:
    try:
        text = json.dumps(raw)
    except ValueError:
        text = repr(raw)
    parses_or_config_error(text)
    parses_or_config_error(text[: len(text) // 2])


# --- stack files as text --------------------------------------------------------------------------------

DEV = "config:\n  aistacks:platform:\n    environment: dev\n    jurisdiction: eu\n"
"""The start of a dev stack file, to which the texts below add."""
YAML_TEXTS = st.sampled_from(
    [
        "config:\n  aistacks:platform:\n    environment: dev\n    environment: prod\n    jurisdiction: eu\n",
        "config:\n  aistacks:platform: &p {environment: dev, jurisdiction: eu}\n  aistacks:other: *p\n",
        DEV + "    aws: {region: eu-west-1}\n    tags: &t {a: b}\n    buckets: [*t]\n",
        "a: &a [*a]\n",
        "- config\n",
        "just text\n",
        "42\n",
        "",
        "---\n---\n",
        "config:\n  - aistacks:platform\n",
        "config: 7\n",
        "config:\n  aistacks:platform: {secure: v1:AAAABBBBCCCC}\n",
        "config:\n  aistacks:platform:\n    secure: v1:AAAABBBBCCCC\n  aws:region: eu-west-1\n",
        DEV + "    aws:\n      region: {secure: x}\n",
        'config:\n  aistacks:platform: \'{"environment": "dev", "jurisdiction": "eu"\'\n',
        "config:\n  aistacks:platform: !!binary aGVsbG8=\n",
        DEV + "    name: 2024-01-01\n",
        DEV + "    2024-01-01: x\n",
        DEV + "    tags: !!set {a, b}\n",
        DEV + "    tags: !!omap [a: b]\n",
        DEV + "    ? [a, b]\n    : c\n",
        DEV + "    aws: {region: eu-west-1, zones: .nan}\n",
        DEV + "    aws: {region: eu-west-1, zones: .inf}\n",
        "config:\n  aistacks:platform: !!python/object:os.system {}\n",
        "config:\n  aistacks:platform: !custom {environment: dev}\n",
        "config:\n\taistacks:platform: {}\n",
        "config: {aistacks:platform: {environment: dev, jurisdiction: eu}\n",
        "config:\n  1: 2\n  null: 3\n  true: 4\n",
        "config:\n  aistacks:platform: null\n",
        "config:\n  aistacks:platform: ~\n  aws:region: 5\n",
        "\ufeffconfig:\n  aistacks:platform: {environment: dev, jurisdiction: eu, aws: {region: eu-west-1}}\n",
        "config:\n  aistacks:platform: {environment: dev, jurisdiction: eu, aws: {region: eu-west-1}}\n",
    ]
)
"""Stack files as a user might write them by hand, or break them."""


@st.composite
def stack_file_bytes(draw: st.DrawFn) -> bytes:
    """A stack file's bytes: a text above, a dumped (maybe broken) config, or either with bytes spliced in."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        data = draw(YAML_TEXTS).encode("utf-8")
    elif choice == 1:
        spec = draw(BROKEN_SPECS)
        try:
            data = yaml.safe_dump({"config": {ROOT: spec}}, allow_unicode=True).encode("utf-8")
        except yaml.YAMLError:
            data = b"config: {}\n"
    elif choice == 2:
        data = draw(st.binary(max_size=200))
    else:
        data = draw(YAML_TEXTS).encode("utf-8")
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write_stack(folder: Path, data: bytes, stack: str) -> Path:
    for old in folder.glob("Pulumi.*.yaml"):
        old.unlink()
    path = folder / f"Pulumi.{stack}.yaml"
    path.write_bytes(data)
    return path


@given(stack_file_bytes())
@settings(PARSE, max_examples=300)
def test_a_stack_file_loads_or_is_a_stack_file_error(folder: Path, data: bytes) -> None:
    path = write_stack(folder, data, "fuzz")
    try:
        stack = load_stack_file(path, "aistacks")
    except StackFileError as error:
        message = str(error)
    else:
        if ROOT in stack.config:
            parses_or_config_error(stack.config[ROOT], stack="fuzz")
        return
    assert message.startswith(f"{path}: "), message


# --- the CLI: aistacks plan ----------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def plan(path: Path) -> tuple[int, str, str]:
    return run("plan", "--stack-file", str(path), "--project-dir", str(REPO))


def assert_refused_well(code: int, err: str, path: Path) -> None:
    """A refusal (exit 2) is one ``aistacks: ...`` message naming the file or the key; nothing is a traceback."""
    assert "Traceback" not in err, err
    assert code in (EXIT_OK, EXIT_USAGE), f"exit {code}: {err}"
    if code == EXIT_USAGE:
        assert err.startswith("aistacks: "), err
        assert str(path) in err or ROOT in err, err


def stack_of(spec: Any) -> str:
    """The stack a spec is planned as: its tier's, or another name when it has none."""
    environment = spec.get("environment") if isinstance(spec, dict) else None
    return environment if environment in TIERS else "fuzz"


@given(valid_specs(with_compute=False) | valid_specs())
@PLAN
def test_plan_of_a_valid_spec_exits_0(folder: Path, spec: dict[str, Any]) -> None:
    path = write_stack(folder, yaml.safe_dump({"config": {ROOT: spec}}).encode(), spec["environment"])
    code, _, err = plan(path)
    assert code == EXIT_OK, err
    assert "Traceback" not in err


@given(BROKEN_SPECS)
@settings(PLAN, max_examples=10)
def test_plan_of_a_broken_spec_exits_0_or_2_with_a_message(folder: Path, spec: Any) -> None:
    stack = stack_of(spec)
    path = write_stack(folder, yaml.safe_dump({"config": {ROOT: spec}}, allow_unicode=True).encode(), stack)
    code, _, err = plan(path)
    assert_refused_well(code, err, path)
    assert code == (EXIT_OK if parses_or_config_error(spec, stack=stack) else EXIT_USAGE), err


@given(stack_file_bytes())
@settings(PLAN, max_examples=10)
def test_plan_of_a_broken_stack_file_exits_0_or_2_with_a_message(folder: Path, data: bytes) -> None:
    path = write_stack(folder, data, "fuzz")
    code, _, err = plan(path)
    assert_refused_well(code, err, path)


# --- policy configs -------------------------------------------------------------------------------------

RULE_NAMES = [policy.name for policy in POLICIES]
LEVEL_NAMES = ["advisory", "mandatory", "remediate", "disabled"]
SETTINGS = {policy.name: dict(policy.config_schema.properties) if policy.config_schema else {} for policy in POLICIES}
DATES = st.dates().map(lambda day: day.isoformat())


def suppression() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "resource": st.sampled_from(["*", "urn:pulumi:dev::aistacks::*", "aistacks-dev-*", ""]),
            "reason": st.text(max_size=40),
            "expires": DATES | st.text(max_size=12),
        },
    )


def setting_value(name: str) -> st.SearchStrategy[Any]:
    if name in ("allowedJurisdictions",):
        return st.lists(st.sampled_from(known_jurisdictions()), max_size=3, unique=True)
    if name == "allowedRegions":
        return st.lists(st.sampled_from(["eu-west-1", "europe-west4", "us-east-1"]), max_size=2)
    if name == "maxRotationDays":
        return st.integers(1, 3650)
    if name == "allowRestrictedPublicEndpoints":
        return st.booleans()
    if name == "suppressions":
        return st.lists(suppression(), max_size=2)
    return st.nothing()


@st.composite
def rule_entry(draw: st.DrawFn, rule: str) -> Any:
    if draw(st.booleans()):
        return draw(st.sampled_from(LEVEL_NAMES))
    entry: dict[str, Any] = {}
    if draw(st.booleans()):
        entry["enforcementLevel"] = draw(st.sampled_from(LEVEL_NAMES))
    for name in draw(st.lists(st.sampled_from(sorted(SETTINGS[rule])), unique=True)):
        entry[name] = draw(setting_value(name))
    return entry


@st.composite
def valid_policy_configs(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if draw(st.booleans()):
        document["all"] = draw(st.sampled_from(LEVEL_NAMES))
    for rule in draw(st.lists(st.sampled_from(RULE_NAMES), unique=True, max_size=6)):
        document[rule] = draw(rule_entry(rule))
    return document


BROKEN_POLICY_VALUES = st.one_of(
    JUNK,
    st.sampled_from(["EU", "mars", "Mandatory", "warn", "", ["EU"], ["mars"], [1], {"enforcementLevel": "x"}]),
)


@st.composite
def broken_policy_configs(draw: st.DrawFn) -> Any:
    document = draw(valid_policy_configs())
    kind = draw(st.sampled_from(["mutate", "unknown rule", "unknown setting", "suppression field", "junk"]))
    if kind == "unknown rule":
        document[draw(st.sampled_from(["AIS-XXX-001", "ais-res-001", "ALL", ""]))] = draw(st.sampled_from(LEVEL_NAMES))
    elif kind == "unknown setting":
        document[draw(st.sampled_from(RULE_NAMES))] = {draw(st.sampled_from(["allowedJurisdiction", "x"])): []}
    elif kind == "suppression field":
        entry: dict[str, Any] = {"resource": "*", "reason": "a reason long enough to count", "expires": "2099-01-01"}
        entry[draw(st.sampled_from(["reson", "until", "resources"]))] = draw(JUNK)
        document[draw(st.sampled_from(RULE_NAMES))] = {"suppressions": [entry]}
    elif kind == "junk":
        return draw(JUNK)
    else:
        if not document:
            document[draw(st.sampled_from(RULE_NAMES))] = {}
        rule = draw(st.sampled_from(sorted(document)))
        entry = document[rule]
        if isinstance(entry, dict) and entry and draw(st.booleans()):
            entry[draw(st.sampled_from(sorted(entry)))] = draw(BROKEN_POLICY_VALUES)
        else:
            document[rule] = draw(BROKEN_POLICY_VALUES)
    return document


@st.composite
def policy_config_bytes(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A policy config's bytes, and whether it was drawn as a valid one."""
    choice = draw(st.integers(0, 5))
    if choice <= 1:
        return json.dumps(draw(valid_policy_configs())).encode(), True
    if choice <= 3:
        return json.dumps(draw(broken_policy_configs()), allow_nan=True).encode(), False
    if choice == 4:
        text = json.dumps(draw(valid_policy_configs()))
        return text[: draw(st.integers(0, max(0, len(text) - 1)))].encode(), False
    data = draw(st.one_of(st.binary(max_size=64), st.sampled_from([b'{"all": "\xffmandatory"}', b"\xef\xbb\xbf{}"])))
    return data, False


def loads_or_policy_config_error(path: Path) -> bool:
    try:
        load_policy_config(path, POLICIES)
    except PolicyConfigError as error:
        message = str(error)
    else:
        return True
    assert message.startswith(f"{path}: "), message
    return False


@given(policy_config_bytes())
@settings(PARSE, max_examples=400)
def test_a_policy_config_loads_or_is_a_policy_config_error(folder: Path, drawn: tuple[bytes, bool]) -> None:
    data, valid = drawn
    path = folder / "policy.json"
    path.write_bytes(data)
    loaded = loads_or_policy_config_error(path)
    if valid:
        assert loaded, data


GATE_STACK = "config:\n  aistacks:platform: {environment: dev, jurisdiction: eu, aws: {region: eu-west-1}}\n"


@given(policy_config_bytes())
@settings(PLAN, max_examples=8)
def test_gate_with_any_policy_config_exits_0_1_or_2(folder: Path, drawn: tuple[bytes, bool]) -> None:
    data, _ = drawn
    stack = write_stack(folder, GATE_STACK.encode(), "dev")
    config = folder / "policy.json"
    config.write_bytes(data)
    valid = loads_or_policy_config_error(config)
    code, _, err = run("gate", "--stack-file", str(stack), "--project-dir", str(REPO), "--policy-config", str(config))
    assert "Traceback" not in err, err
    assert code in (EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE), f"exit {code}: {err}"
    if valid:
        assert code in (EXIT_OK, EXIT_VIOLATIONS), err
    else:
        assert code == EXIT_USAGE, err
        assert err.startswith("aistacks: ") and str(config) in err, err


# --- what the fuzzing found: regressions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
        ("!!set {a, b}", "tag:yaml.org,2002:set"),
        ("!!omap [a: b]", "tag:yaml.org,2002:omap"),
        ("!!pairs [a: b]", "tag:yaml.org,2002:pairs"),
        ("!custom {environment: dev}", "!custom"),
    ],
)
def test_a_yaml_type_json_has_not_is_refused_with_its_key_path(tmp_path: Path, value: str, tag: str) -> None:
    """``!!binary`` (bytes) reached ``json.dumps`` in the config parser and the runtime config: a TypeError,
    exit 3. Every YAML type that is not JSON's is a stack file error now, naming the key and the line."""
    text = DEV + f"    tags: {value}\n"
    path = write_stack(tmp_path, text.encode(), "dev")
    with pytest.raises(StackFileError) as caught:
        load_stack_file(path, "aistacks")
    assert str(caught.value) == (
        f"{path}: config.aistacks:platform.tags: {tag} on line 5 is not accepted in stack and project files; "
        "allowed: text, numbers, booleans, null, lists and mappings"
    )
    code, out, err = plan(path)
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith(f"aistacks: {path}: config.aistacks:platform.tags: {tag} on line 5"), err


def test_a_merge_key_is_refused_like_the_aliases_it_goes_with(tmp_path: Path) -> None:
    path = write_stack(tmp_path, b"config:\n  aistacks:platform:\n    <<: {environment: dev}\n", "dev")
    with pytest.raises(StackFileError, match=r"config\.aistacks:platform\.<<: tag:yaml\.org,2002:merge on line 3"):
        load_stack_file(path, "aistacks")


def test_a_date_is_read_as_its_text_as_the_pulumi_cli_reads_it(tmp_path: Path) -> None:
    """An unquoted date (YAML's timestamp) became a ``datetime.date``, which JSON has no type for: exit 3.
    The Pulumi CLI reads it as text, and so does the stack file reader now."""
    text = DEV + "    aws: {region: eu-west-1}\n    tags: {review: 2024-01-01, 2025-06-30: due}\n"
    path = write_stack(tmp_path, text.encode(), "dev")
    tags = load_stack_file(path, "aistacks").config[ROOT]["tags"]
    assert tags == {"review": "2024-01-01", "2025-06-30": "due"}
    code, _, err = plan(path)
    assert code == EXIT_USAGE
    assert f'{ROOT}.tags.2025-06-30 = "2025-06-30": invalid key: not in the allowed form: label key' in err
    path.write_text(text.replace(", 2025-06-30: due", ""), encoding="utf-8")
    assert plan(path)[0] == EXIT_OK


@pytest.mark.parametrize("value", [b"bytes", dt.date(2024, 1, 1), {1, 2}])
def test_a_value_json_has_no_type_for_is_a_config_error(value: Any) -> None:
    """From Python, ``parse_platform_spec`` took any value to ``json.dumps``: a TypeError, not a ConfigError."""
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec({"environment": "dev", "jurisdiction": "eu", "tags": {"a": value}})
    (issue,) = caught.value.issues
    assert issue.path == ROOT
    assert issue.message.startswith("not JSON data (")
    assert issue.message.endswith("allowed: text, numbers, booleans, null, lists and objects")


def test_a_policy_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """``read_text`` raised UnicodeDecodeError out of the loader: exit 3 through the CLI."""
    config = tmp_path / "policy.json"
    config.write_bytes(b'{"all": "\xffmandatory"}')
    with pytest.raises(PolicyConfigError) as caught:
        load_policy_config(config, POLICIES)
    assert str(caught.value) == (f"{config}: not UTF-8 text (byte 0xff at offset 9); a policy config is JSON in UTF-8")
    stack = write_stack(tmp_path, GATE_STACK.encode(), "dev")
    code, _, err = run("gate", "--stack-file", str(stack), "--project-dir", str(REPO), "--policy-config", str(config))
    assert code == EXIT_USAGE
    assert err.startswith(f"aistacks: {config}: not UTF-8 text"), err


def test_a_policy_config_that_is_a_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError, match="a folder, not a policy config file"):
        load_policy_config(tmp_path, POLICIES)


@pytest.mark.parametrize(
    ("document", "where", "shown"),
    [
        ({"all": []}, "all", "[]"),
        ({"all": {}}, "all", "{}"),
        ({"AIS-RES-001": {"enforcementLevel": ["mandatory"]}}, "AIS-RES-001", '["mandatory"]'),
        ({"all": 1}, "all", "1"),
        ({"all": "Mandatory"}, "all", '"Mandatory"'),
    ],
)
def test_an_enforcement_level_that_is_not_a_level_is_a_config_error(
    tmp_path: Path, document: dict[str, Any], where: str, shown: str
) -> None:
    """A list or an object as a level was looked up in the levels' dict: TypeError (unhashable), exit 3."""
    config = tmp_path / "policy.json"
    config.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy_config(config, POLICIES)
    assert str(caught.value) == (
        f"{config}: {where}: enforcement level {shown}; allowed: advisory, mandatory, remediate, disabled"
    )


DEEP = 100_000
"""Nesting deeper than Python's recursion limit: what a hostile or generated file may hold."""


def test_a_policy_config_nested_too_deeply_is_a_config_error(tmp_path: Path) -> None:
    """``json.loads`` raised RecursionError out of the loader: exit 3 through the CLI."""
    config = tmp_path / "policy.json"
    config.write_text("[" * DEEP + "]" * DEEP, encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        load_policy_config(config, POLICIES)
    assert str(caught.value) == f"{config}: nested too deeply to read; a policy config is a few levels deep"


def test_a_stack_file_nested_too_deeply_is_a_stack_file_error(tmp_path: Path) -> None:
    """The YAML composer raised RecursionError: exit 3 through the CLI."""
    path = write_stack(tmp_path, f"config:\n  {ROOT}: {'[' * DEEP}{']' * DEEP}\n".encode(), "dev")
    with pytest.raises(StackFileError) as caught:
        load_stack_file(path, "aistacks")
    assert str(caught.value) == f"{path}: nested too deeply to read; a stack file is a few levels deep"
    code, _, err = plan(path)
    assert code == EXIT_USAGE
    assert err == f"aistacks: {path}: nested too deeply to read; a stack file is a few levels deep\n"


def test_a_platform_value_nested_too_deeply_is_a_config_error(tmp_path: Path) -> None:
    """JSON text nested deeper than ``json.loads`` goes (pydantic refuses it first) raised RecursionError from
    the config parser's second reading: exit 3, blamed on the program. Through Python, a deep object did."""
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec("[" * DEEP + "]" * DEEP)
    (issue,) = caught.value.issues
    assert (issue.path, issue.message.startswith("not valid JSON: ")) == (ROOT, True)
    nested: Any = {}
    for _ in range(DEEP // 10):
        nested = {"a": nested}
    with pytest.raises(ConfigError, match="not JSON data"):
        parse_platform_spec({"environment": "dev", "jurisdiction": "eu", "tags": nested})
    path = write_stack(tmp_path, f"config:\n  {ROOT}: '{'[' * DEEP}{']' * DEEP}'\n".encode(), "dev")
    code, _, err = plan(path)
    assert code == EXIT_USAGE
    assert err.startswith(f"aistacks: invalid stack config (1 problem(s)):\n  - {ROOT}: not valid JSON: "), err
