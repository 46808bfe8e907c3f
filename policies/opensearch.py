"""Joining OpenSearch Serverless collections with the security policies that govern them.

A collection has no key or network setting of its own: the encryption and network policies whose
rules name it (``collection/<name>``, ``*`` as a wildcard) decide both. Source: Amazon OpenSearch
Service Developer Guide, "Encryption in Amazon OpenSearch Serverless" and "Network access for Amazon
OpenSearch Serverless" (read 2026-11-27).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from .framework import Unknown, document_template, read

COLLECTION_TYPE = "aws:opensearch/serverlessCollection:ServerlessCollection"
SECURITY_POLICY_TYPE = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
GOVERNED_TYPES: Mapping[str, tuple[str, ...]] = {
    "encryption": ("collection",),
    # A network policy admits a collection's API and its Dashboards separately: both count.
    "network": ("collection", "dashboard"),
}
"""Per policy kind, the rule resource types that concern a collection."""


def collections(resources: Iterable[PolicyResource]) -> list[PolicyResource]:
    return [resource for resource in resources if resource.resource_type == COLLECTION_TYPE]


@dataclass(frozen=True)
class GoverningPolicy:
    """A security policy of the stack that applies to one collection."""

    resource: PolicyResource
    document: Any
    """The parsed policy document, or :class:`Unknown` (preview): then the collection depends on it."""


def governing_policies(
    collection: PolicyResource, name: str, resources: Sequence[PolicyResource], kind: str
) -> list[GoverningPolicy]:
    """The ``kind`` (``encryption``, ``network``) policies whose rules name the collection ``name``,
    plus those unknown at preview that the collection explicitly depends on."""
    depends_on = {dependency.urn for dependency in collection.dependencies}
    found: list[GoverningPolicy] = []
    for policy in resources:
        if policy.resource_type != SECURITY_POLICY_TYPE or read(policy.props, "type") != kind:
            continue
        document = parse(policy)
        if isinstance(document, Unknown):
            if policy.urn in depends_on:
                found.append(GoverningPolicy(policy, document))
        elif entries_naming(document, name, kind):
            found.append(GoverningPolicy(policy, document))
    return found


def unknown_policies(resources: Sequence[PolicyResource], kind: str) -> list[PolicyResource]:
    """``kind`` policies whose document is unknown at preview."""
    return [
        policy
        for policy in resources
        if policy.resource_type == SECURITY_POLICY_TYPE
        and read(policy.props, "type") == kind
        and isinstance(parse(policy), Unknown)
    ]


def unattributed_unknown_policies(resources: Sequence[PolicyResource], kind: str) -> list[PolicyResource]:
    """``kind`` policies unknown at preview that no collection of the stack depends on: they may name any."""
    depended = {dependency.urn for collection in collections(resources) for dependency in collection.dependencies}
    return [policy for policy in unknown_policies(resources, kind) if policy.urn not in depended]


def parse(policy: PolicyResource) -> Any:
    """The policy's JSON document; :class:`Unknown` when unknown, unless it is known but for values that are
    resources' outputs (:func:`document_template`: those values are :class:`Hole`); ``None`` when it is not
    JSON."""
    text = read(policy.props, "policy")
    if isinstance(text, Unknown):
        template = document_template(policy, "policy")
        return text if template is None else template
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _entries(document: Any) -> list[Mapping[str, Any]]:
    """Encryption policies are one object; network policies a list of them."""
    entries = document if isinstance(document, list) else [document]
    return [entry for entry in entries if isinstance(entry, Mapping)]


def entries_naming(document: Any, name: str, kind: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The entries (rule sets with their settings) of a ``kind`` policy ``document`` that name
    collection ``name``, with their position in the document."""
    return [
        (index, entry)
        for index, entry in enumerate(_entries(document))
        if names_collection(entry, name, GOVERNED_TYPES[kind])
    ]


def names_collection(entry: Mapping[str, Any], name: str, resource_types: Sequence[str] = ("collection",)) -> bool:
    """Whether a rule of ``entry`` of one of ``resource_types`` names collection ``name`` (``*`` matches any)."""
    rules = entry.get("Rules")
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping) or rule.get("ResourceType") not in resource_types:
            continue
        patterns = rule.get("Resource")
        for pattern in patterns if isinstance(patterns, list) else []:
            if isinstance(pattern, str) and fnmatch.fnmatchcase(f"collection/{name}", pattern):
                return True
    return False


class Visits:
    """Each policy, and each entry of it, once, however many collections of the stack it names: a shared
    policy is one finding, not one per collection."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, int]] = set()

    def first(self, policy: PolicyResource, index: int = -1) -> bool:
        """Whether this is the first visit of ``policy`` (an unknown document) or of its entry ``index``."""
        key = (policy.urn, index)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def entries_naming(self, policy: PolicyResource, document: Any, name: str, kind: str) -> list[Mapping[str, Any]]:
        """The entries of ``document`` that name collection ``name`` and were not visited before."""
        return [entry for index, entry in entries_naming(document, name, kind) if self.first(policy, index)]
