"""AIS-COV-001: every resource type of a data-bearing service has been reviewed for customer-managed keys."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..framework import Check, RuleMeta, Subject, literal, resource_policy
from ..provider_catalog import key_paths

DATA_FILE = "data_bearing_types.json"

META = RuleMeta(
    id="AIS-COV-001",
    name="DataBearingTypesAreReviewed",
    title="Every resource type of a data-bearing service has been reviewed",
    description="A resource of a service that holds data (databases, storage, queues, registries, ML platforms, "
    "logs; a sourced list) is of a type AIS-ENC-001 judges (a customer-managed-key path in the provider catalog) "
    "or one reviewed as holding no data, storing it under another resource's key, or offering no customer key; "
    "any other type is reported as unreviewed, so that no data store passes the gate unseen. Advisory by default, "
    "mandatory in the prod built-in config.",
    severity=Severity.MEDIUM,
    remediation="Check whether the type stores data and how it is encrypted, then add it to "
    "policies/data/data_bearing_types.json with a verdict, a reason and a source (or, when the provider SDK added "
    "a key property, regenerate the provider catalog); until then, suppress the finding for the resource with a "
    "reason.",
)


@cache
def _data() -> dict[str, Any]:
    return json.loads(resources.files("aistacks.policies.data").joinpath(DATA_FILE).read_text(encoding="utf-8"))


def data_bearing_services() -> dict[str, dict[str, str]]:
    """``provider:service`` prefix (``aws:rds``, ``gcp:bigquery``) -> ``{reason, source}`` of every service
    that holds data."""
    return _data()["services"]


def reviewed_types() -> dict[str, dict[str, str]]:
    """Type token -> ``{verdict, reason, source}`` of every reviewed type without a key path."""
    return _data()["types"]


def service_of(resource_type: str) -> str:
    """``aws:rds/instance:Instance`` -> ``aws:rds`` (the token's own module: a type the catalog lacks has one too)."""
    return resource_type.split("/", 1)[0]


@cache
def is_unreviewed(resource_type: str) -> bool:
    """A type of a data-bearing service with no key path in the catalog and no reviewed verdict."""
    return (
        service_of(resource_type) in data_bearing_services()
        and not key_paths(resource_type)
        and resource_type not in reviewed_types()
    )


def _check(check: Check, resource: Subject) -> None:
    if is_unreviewed(resource.resource_type):
        service = service_of(resource.resource_type)
        check.fail(
            resource,
            "type",
            resource.resource_type,
            "a type with a customer-managed-key path, or one reviewed in data_bearing_types.json",
            f"unreviewed type {literal(resource.resource_type)}: {service} holds data "
            f"({data_bearing_services()[service]['reason']}) but no list says whether this type stores any, under "
            "which key; the gate cannot tell whether it is encrypted with a customer-managed key",
        )


POLICY = resource_policy(META, _check)
POLICY.enforcement_level = EnforcementLevel.ADVISORY
"""Advisory unless a policy config says otherwise (the prod built-in config makes it mandatory)."""
