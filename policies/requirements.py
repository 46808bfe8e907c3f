"""Declarative property requirements, so that covering a new resource type is one table entry."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .framework import Check, Subject, Unknown, flows_from, is_set, items, literal, read

KEY_TYPES = frozenset(
    {
        "aws:kms/key:Key",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:kms/externalKey:ExternalKey",
        "gcp:kms/cryptoKey:CryptoKey",
    }
)
"""Resources that are customer-managed keys: a value computed from one of them is a CMK reference."""

_AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")


class Requirement(Protocol):
    def verify(self, check: Check, resource: Subject, base: str) -> None: ...


def _join(base: str, path: str) -> str:
    return f"{base}.{path}" if base else path


@dataclass(frozen=True)
class KeyAt:
    """The property names a customer-managed key (not an AWS-managed ``alias/aws/*`` key)."""

    path: str

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        verify_key_reference(check, resource, path)


def verify_key_reference(check: Check, resource: Subject, path: str) -> None:
    expected = "a customer-managed key (KMS key ARN/ID or Cloud KMS CryptoKey name)"
    value = read(resource.props, path)
    if isinstance(value, Unknown):
        if not any(source.resource_type in KEY_TYPES for source in flows_from(resource, path)):
            check.cannot_verify(resource, value, expected)
    elif not is_set(value):
        check.fail(
            resource,
            path,
            value,
            expected,
            "no customer-managed key: the data is encrypted, if at all, "
            "with a provider-managed key the stack cannot rotate, audit or revoke",
        )
    elif is_aws_managed_key(value):
        check.fail(resource, path, value, expected, "an AWS-managed key, not a customer-managed one")


def is_aws_managed_key(value: object) -> bool:
    """An AWS-managed key (``alias/aws/s3``, …): encryption, but with a key the stack does not own."""
    return isinstance(value, str) and bool(_AWS_MANAGED_KEY.search(value))


@dataclass(frozen=True)
class Equals:
    """The property has this value (``true`` and ``"true"`` are one value: some providers use strings)."""

    path: str
    value: Any

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        actual = read(resource.props, path)
        expected = literal(self.value)
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, expected)
        elif str(actual).lower() != str(self.value).lower():
            check.fail(resource, path, actual, expected, f"{path} must be {expected}")


@dataclass(frozen=True)
class Contains:
    """The list property contains ``item``."""

    path: str
    item: str

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        actual = read(resource.props, path)
        expected = f"a list containing {literal(self.item)}"
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, expected)
        elif not isinstance(actual, Sequence) or isinstance(actual, str) or self.item not in list(actual):
            check.fail(resource, path, actual, expected, f"{path} must include {literal(self.item)}")


@dataclass(frozen=True)
class Each:
    """Every element of a non-empty list property meets ``requirements`` (paths relative to it)."""

    path: str
    requirements: tuple[Requirement, ...]
    empty_message: str

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        elements = list(items(resource.props, path))
        if not elements:
            check.fail(resource, path, read(resource.props, path), "at least one element", self.empty_message)
        for element_path, element in elements:
            if isinstance(element, Unknown):
                check.cannot_verify(resource, element, "elements meeting the rule")
                continue
            for requirement in self.requirements:
                requirement.verify(check, resource, element_path)


@dataclass(frozen=True)
class Present:
    """The property is set (an object, a list, a value), for the reason given."""

    path: str
    message: str

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        actual = read(resource.props, path)
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, "set")
        elif not is_set(actual) or (isinstance(actual, Mapping | Sequence) and len(actual) == 0):
            check.fail(resource, path, actual, "set", self.message)


@dataclass(frozen=True)
class Forbids:
    """The property, where set, is not ``value`` (a default that is safe, an override that is not)."""

    path: str
    value: Any

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        actual = read(resource.props, path)
        expected = f"anything but {literal(self.value)}"
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, expected)
        elif is_set(actual) and str(actual).lower() == str(self.value).lower():
            check.fail(resource, path, actual, expected, f"{path} must not be {literal(self.value)}")


# The parameter that names a customer-managed key, per CSI provisioner. Sources: aws-ebs-csi-driver
# docs/parameters.md (`encrypted`, `kmsKeyId`); GKE docs, "Use customer-managed encryption keys"
# (`disk-encryption-kms-key`) (read 2026-11-27).
STORAGE_CLASS_KEYS: dict[str, tuple[Requirement, ...]] = {
    "ebs.csi.aws.com": (Equals("parameters.encrypted", "true"), KeyAt("parameters.kmsKeyId")),
    "pd.csi.storage.gke.io": (KeyAt("parameters.disk-encryption-kms-key"),),
}


@dataclass(frozen=True)
class StorageClassKey:
    """A StorageClass of a known cloud provisioner encrypts its volumes with a customer-managed key."""

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        provisioner = read(resource.props, "provisioner")
        if isinstance(provisioner, Unknown):
            check.cannot_verify(resource, provisioner, "a known provisioner")
            return
        for requirement in STORAGE_CLASS_KEYS.get(str(provisioner), ()):
            requirement.verify(check, resource, base)
