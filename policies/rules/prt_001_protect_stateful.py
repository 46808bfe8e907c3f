"""AIS-PRT-001: stateful resources are protected from deletion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..framework import MISSING, Check, RuleMeta, Subject, Unknown, literal, read, resource_policy

DATA_FILE = "stateful_types.json"


@dataclass(frozen=True)
class DeletionProtection:
    """A property of the type itself that stops the cloud (or the provider) from deleting it."""

    path: str
    protected: Any
    """The value that protects."""
    default: Any
    """The value the provider or cloud applies when the property is not set."""
    source: str


@dataclass(frozen=True)
class StatefulType:
    reason: str
    deletion_protection: tuple[DeletionProtection, ...]


@cache
def stateful_types() -> dict[str, StatefulType]:
    """Every type whose deletion loses data or keys (``data/stateful_types.json``), read once."""
    text = resources.files("aistacks.policies.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return {
        token: StatefulType(
            raw["reason"],
            tuple(
                DeletionProtection(item["path"], item["protected"], item["default"], item["source"])
                for item in raw.get("deletionProtection", [])
            ),
        )
        for token, raw in json.loads(text)["types"].items()
    }


META = RuleMeta(
    id="AIS-PRT-001",
    name="StatefulResourcesAreProtected",
    title="Stateful resources are protected",
    description="Every resource type whose deletion loses data or keys (databases, tables, file systems, disks "
    "and snapshots, buckets, registries, keys, secrets, log stores, streams, vector and feature stores, clusters; "
    "policies/data/stateful_types.json) has the Pulumi `protect` option set, and, where the cloud has its own "
    "deletion protection (RDS deletionProtection, DynamoDB deletionProtectionEnabled, Cloud SQL "
    "settings.deletionProtectionEnabled, ...), that is on too, so no update, destroy or console click deletes it "
    "by accident. Enable it in the policy config of every environment whose data must survive (staging, prod).",
    severity=Severity.HIGH,
    remediation="Pass protect=True (aistacks components do outside dev: the `protect` of the tier) and turn on the "
    "resource's own deletion protection property the finding names.",
)


def _check(check: Check, resource: Subject) -> None:
    stateful = stateful_types().get(resource.resource_type)
    if stateful is None or not isinstance(resource, ResourceValidationArgs):
        return
    if not resource.opts.protect:
        check.fail(
            resource,
            "options.protect",
            False,
            "true",
            f"a stateful resource without `protect`: {stateful.reason}",
        )
    for protection in stateful.deletion_protection:
        value = read(resource.props, protection.path)
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, literal(protection.protected))
            continue
        effective = protection.default if value is MISSING or value is None else value
        if effective != protection.protected:
            unset = f" (unset, it is {literal(protection.default)})" if value is MISSING or value is None else ""
            check.fail(
                resource,
                protection.path,
                value,
                literal(protection.protected),
                f"the resource's own deletion protection is off{unset}, so the cloud deletes it on request: "
                f"{stateful.reason}",
            )


POLICY = resource_policy(META, _check)
