"""AIS-PRT-001 (``policies/rules/prt_001_protect_stateful.py``): stateful resources, managed vector stores
included, are protected from deletion; stateless ones need not be, and the rule can be disabled. Every type of
``policies/data/stateful_types.json`` needs ``protect``, and its own deletion protection where it has one;
the data file is checked against the provider catalog and the installed SDKs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aistacks.policies import provider_catalog
from aistacks.policies.rules.prt_001_protect_stateful import stateful_types

from .fixtures import COLLECTION, INDEX, UNKNOWN, findings, gcs, k8s_res, res, run


@pytest.mark.parametrize(
    ("protect", "level", "violations"), [(True, "mandatory", 0), (False, "mandatory", 1), (False, "disabled", 0)]
)
def test_stateful_resources_are_protected(protect: bool, level: str, violations: int) -> None:
    bucket = gcs("b", "EU")
    bucket.protect = protect
    assert len(findings(run(bucket, config={"AIS-PRT-001": level}), "AIS-PRT-001")) == violations


def test_stateless_resources_need_no_protection() -> None:
    role = res("aws:iam/role:Role", "r", protect=False)
    assert findings(run(role), "AIS-PRT-001") == []


@pytest.mark.parametrize(
    ("type_token", "props"), [(COLLECTION, {"name": "vectors"}), (INDEX, {"region": "europe-west4"})]
)
def test_managed_vector_stores_are_protected(type_token: str, props: dict[str, Any]) -> None:
    assert findings(run(res(type_token, "kept", props)), "AIS-PRT-001") == []
    assert len(findings(run(res(type_token, "lost", props, protect=False)), "AIS-PRT-001")) == 1


# --- every stateful type of the clouds, from policies/data/stateful_types.json -------------------------

REPO = Path(__file__).resolve().parents[2]
DATA = json.loads((REPO / "policies" / "data" / "stateful_types.json").read_text(encoding="utf-8"))


def _sdk_module(type_token: str) -> str:
    """The SDK module that defines the type: the provider catalog's record, else the data file's own."""
    found = provider_catalog.entry(type_token)
    return found.sdk_module if found else DATA["types"][type_token]["sdkModule"]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """scripts/provider_catalog.py, which reads type tokens and input paths from the installed SDKs."""
    spec = importlib.util.spec_from_file_location("provider_catalog_script", REPO / "scripts" / "provider_catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_cloud_type_is_in_the_provider_catalog_or_names_its_sdk_module() -> None:
    """The catalog lists the types with a key or placement path; a stateful type without one (a Cloud KMS
    CryptoKey lives in its key ring, a Cloud SQL database in its instance) names its SDK module instead,
    checked below."""
    outside = {token for token in DATA["types"] if provider_catalog.entry(token) is None}
    assert {token for token in outside if token.startswith(("aws:", "gcp:"))} == {
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:sql/database:Database",
    }
    assert all("sdkModule" in DATA["types"][token] for token in outside)
    assert not [
        token for token in DATA["types"] if provider_catalog.entry(token) and "sdkModule" in DATA["types"][token]
    ]


@pytest.mark.parametrize("type_token", [t for t in DATA["types"] if not t.startswith("kubernetes:")])
def test_each_type_and_its_deletion_protection_exist_in_the_installed_sdk(
    generator: ModuleType, type_token: str
) -> None:
    module = _sdk_module(type_token)
    # The SDK's packages load lazily: touching the package first keeps a direct import of one module from
    # leaving it without the module's classes for the engine tests that run later in this process.
    getattr(importlib.import_module(module.rsplit(".", 1)[0]), "__all__", None)
    args = dict(generator.resources_in(module)).get(type_token)
    assert args is not None, f"{type_token} is not defined in {module}"
    paths = {path for path, _ in generator.leaves(args)}
    for protection in DATA["types"][type_token].get("deletionProtection", []):
        assert protection["path"] in paths, (type_token, protection["path"])
        distribution = f"pulumi-{type_token.split(':', maxsplit=1)[0]}"
        assert protection["source"].startswith(f"{distribution} {DATA['sdks'][distribution]} "), protection


def test_the_rule_reads_the_data_file() -> None:
    assert set(stateful_types()) == set(DATA["types"])
    assert len(stateful_types()) >= 80


def _protection(type_token: str) -> list[dict[str, Any]]:
    return DATA["types"][type_token].get("deletionProtection", [])


def _props(type_token: str, *, weaken: str | None = None) -> dict[str, Any]:
    """Inputs that turn on every deletion protection of the type, except ``weaken``: set to its default, or
    to false where the default protects."""
    props: dict[str, Any] = {}
    for protection in _protection(type_token):
        value = protection["protected"]
        if protection["path"] == weaken:
            value = False if protection["default"] == value else protection["default"]
        *outer, leaf = protection["path"].split(".")
        target = props
        for part in outer:
            target = target.setdefault(part, {})
        target[leaf] = value
    return props


@pytest.mark.parametrize("type_token", list(DATA["types"]))
def test_every_stateful_type_needs_protect(type_token: str) -> None:
    record = k8s_res if type_token.startswith("kubernetes:") else res
    assert findings(run(record(type_token, "kept", _props(type_token))), "AIS-PRT-001") == []
    unprotected = record(type_token, "lost", _props(type_token))
    unprotected.protect = False
    ((name, path, message),) = findings(run(unprotected), "AIS-PRT-001")
    assert (name, path) == ("lost", "options.protect")
    assert DATA["types"][type_token]["reason"] in message


PROTECTIONS = [(t, p["path"]) for t in DATA["types"] for p in _protection(t)]


@pytest.mark.parametrize(("type_token", "path"), PROTECTIONS)
def test_the_clouds_own_deletion_protection_is_required(type_token: str, path: str) -> None:
    (item,) = [p for p in _protection(type_token) if p["path"] == path]
    weakened = res(type_token, "weak", _props(type_token, weaken=path))
    ((_, found, message),) = findings(run(weakened), "AIS-PRT-001")
    assert found == path
    assert "deletion protection is off" in message
    if item["default"] != item["protected"]:  # unset is as weak as the default
        unset = _props(type_token)
        *outer, leaf = path.split(".")
        target = unset
        for part in outer:
            target = target[part]
        del target[leaf]
        ((_, found, message),) = findings(run(res(type_token, "unset", unset)), "AIS-PRT-001")
        assert (found, f"(unset, it is {json.dumps(item['default'])})" in message) == (path, True)


@pytest.mark.parametrize(
    ("type_token", "props"),
    [
        ("aws:rds/instance:Instance", {"deletionProtection": True}),
        ("aws:dynamodb/table:Table", {"deletionProtectionEnabled": True}),
        ("gcp:sql/databaseInstance:DatabaseInstance", {"settings": {"deletionProtectionEnabled": True}}),
        ("gcp:bigtable/table:Table", {"deletionProtection": "PROTECTED"}),
        ("gcp:firestore/database:Database", {"deleteProtectionState": "DELETE_PROTECTION_ENABLED"}),
        ("gcp:bigquery/table:Table", {}),  # protected unless set to false
    ],
)
def test_known_deletion_protection_facts(type_token: str, props: dict[str, Any]) -> None:
    assert findings(run(res(type_token, "db", props)), "AIS-PRT-001") == []


def test_an_unknown_deletion_protection_cannot_pass_in_preview() -> None:
    rds = res("aws:rds/instance:Instance", "db", {"deletionProtection": UNKNOWN})
    ((_, path, message),) = findings(run(rds, preview=True), "AIS-PRT-001")
    assert path == "deletionProtection"
    assert "could not verify" in message


def test_an_explicit_false_where_the_default_protects_is_a_finding() -> None:
    cloud_sql = res(
        "gcp:sql/databaseInstance:DatabaseInstance",
        "db",
        {"deletionProtection": False, "settings": {"deletionProtectionEnabled": True}},
    )
    ((_, path, message),) = findings(run(cloud_sql), "AIS-PRT-001")
    assert path == "deletionProtection"
    assert "(unset" not in message


def test_the_readme_counts_what_the_rule_covers() -> None:
    (row,) = [
        line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if "| AIS-PRT-001 |" in line
    ]
    types = re.search(r"\((\d+) types:", row)
    properties = re.search(r"\((\d+) properties on (\d+) types:", row)
    assert types and properties, row
    assert int(types[1]) == len(stateful_types())
    with_protection = [t for t in stateful_types().values() if t.deletion_protection]
    assert (int(properties[1]), int(properties[2])) == (
        sum(len(t.deletion_protection) for t in with_protection),
        len(with_protection),
    )
