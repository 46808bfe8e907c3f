"""Declarative property requirements, so that covering a new resource type is one table entry."""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

from pulumi_policy import PolicyResource

from .framework import (
    KEY_OUTPUTS,
    MISSING,
    Check,
    Hole,
    Subject,
    Unknown,
    flows_from,
    is_set,
    items,
    literal,
    read,
)
from .provider_catalog import key_paths

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


KEY_EXPECTED = "a customer-managed key (KMS key ARN/ID or Cloud KMS CryptoKey name)"
NO_KEY = (
    "no customer-managed key: the data is encrypted, if at all, "
    "with a provider-managed key the stack cannot rotate, audit or revoke"
)


def verify_key_reference(check: Check, resource: Subject, path: str, *, because: str = "") -> None:
    """The value at ``path`` names a customer-managed key; ``because`` says why it must (a feature that is on)."""
    value = read(resource.props, path)
    if isinstance(value, Unknown):
        if not names_stack_key(resource, path):
            check.cannot_verify(resource, value, KEY_EXPECTED)
    elif not is_set(value):
        check.fail(resource, path, value, KEY_EXPECTED, f"{because}{NO_KEY}")
    elif is_aws_managed_key(value):
        check.fail(resource, path, value, KEY_EXPECTED, f"{because}an AWS-managed key, not a customer-managed one")


def names_stack_key(resource: Subject, unknown: str | Hole) -> bool:
    """Whether the unknown value at path ``unknown`` (or the document value) is verbatim a key of the stack:
    its ARN, ID or name (``key.arn``, not a value computed from it)."""
    return any(source.resource_type in KEY_TYPES for source in flows_from(resource, unknown, KEY_OUTPUTS))


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
    """Every element of a list property meets ``requirements`` (paths relative to it); an empty or missing
    list is a finding with ``empty_message``, or fine when that is None (no element, nothing to judge)."""

    path: str
    requirements: tuple[Requirement, ...]
    empty_message: str | None

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        elements = list(items(resource.props, path))
        if not elements and self.empty_message is not None:
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


@dataclass(frozen=True)
class SomeElement:
    """Some element of the list property has ``field`` set to one of ``values`` (a root device is mapped)."""

    path: str
    field: str
    values: tuple[str, ...]
    message: str

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        path = _join(base, self.path)
        expected = f"an element whose {self.field} is one of {literal(list(self.values))}"
        found: list[Any] = []
        for element_path, element in items(resource.props, path):
            value = element if isinstance(element, Unknown) else read(resource.props, f"{element_path}.{self.field}")
            if isinstance(value, Unknown):
                check.cannot_verify(resource, value, expected)
                return
            found.append(value)
        if not any(value in self.values for value in found):
            check.fail(resource, path, found, expected, self.message)


@dataclass(frozen=True)
class Unless:
    """``requirements`` apply unless the property at ``path`` equals ``value`` (``true`` and ``"true"`` alike)."""

    path: str
    value: Any
    requirements: tuple[Requirement, ...]

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        actual = read(resource.props, _join(base, self.path))
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, f"{literal(self.value)} or not")
        elif str(actual).lower() != str(self.value).lower():
            for requirement in self.requirements:
                requirement.verify(check, resource, base)


@dataclass(frozen=True)
class Absent:
    """``requirements`` apply while the property at ``path`` is not set (missing, null, empty)."""

    path: str
    requirements: tuple[Requirement, ...]

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        actual = read(resource.props, _join(base, self.path))
        if isinstance(actual, Unknown):
            check.cannot_verify(resource, actual, "set or not")
        elif not _block_set(actual):
            for requirement in self.requirements:
                requirement.verify(check, resource, base)


# --- the provider catalog's key paths, read through the curated roles ----------------------------------

Role = Literal["required", "block", "within", "when", "or", "inherit", "hand", "ignore"]
ROLES_FILE = "key_path_roles.json"
_ENCRYPTION_BLOCK = re.compile(r"encrypt|kms|cmek|sse|security", re.IGNORECASE)


@dataclass(frozen=True)
class CatalogKey:
    """One customer-managed-key path of the provider catalog and when it must name a key.

    ``anchor`` is the block it is required in: ``""`` the resource itself; otherwise every set instance of that
    ancestor path (``a[]``: every element). ``when`` (a property, and optionally the value it must equal)
    requires it only while a feature is on; ``alternative`` is a path whose key satisfies it instead;
    ``inherit`` (with ``parent``): unset, it takes the default key of the resource it belongs to, which must be
    in the stack and set to a customer-managed key.
    """

    path: str
    role: Role
    anchor: str = ""
    when: str = ""
    equals: str | None = None
    alternative: str = ""
    reason: str = ""
    parent: Parent | None = None

    def verify(self, check: Check, resource: Subject, base: str) -> None:
        props = resource.props
        if self.role in ("hand", "ignore"):
            return
        if self.role == "inherit" and self.parent is not None:
            value = read(props, self.path)
            if isinstance(value, Unknown) or is_set(value):
                verify_key_reference(check, resource, self.path)
            else:
                self.parent.verify_default(check, resource, self.path)
            return
        if self.role == "when":
            flag = read(props, self.when)
            if isinstance(flag, Unknown):
                check.cannot_verify(resource, flag, f"{self.when} known, to tell whether {self.path} needs a key")
            elif _feature_on(flag, self.equals):
                because = f"{self.when} is {literal(flag)}: that feature stores data, and "
                self._require(check, resource, "", self.path, because)
            return
        if self.role == "or" and any(is_set(value) for _, value in catalog_values(props, self.alternative)):
            return
        for anchor_path, anchor in catalog_values(props, self.anchor) if self.anchor else [("", props)]:
            if isinstance(anchor, Unknown):
                check.cannot_verify(resource, anchor, f"{self.anchor} known, to tell whether it needs a key")
            elif not self.anchor or self.anchor == self.path or _block_set(anchor):  # a list of keys: every one
                because = f"{anchor_path} is set: it stores data, and " if self.anchor else ""
                self._require(check, resource, anchor_path, self.path[len(self.anchor) :], because)

    def _require(self, check: Check, resource: Subject, base: str, rest: str, because: str) -> None:
        """The key at ``base`` + ``rest`` (catalog notation; every list on the way non-empty)."""
        head, brackets, tail = rest.partition("[]")
        path = (base + head).lstrip(".")
        if not brackets:
            verify_key_reference(check, resource, path, because=because)
            return
        elements = list(items(resource.props, path))
        if not elements:
            check.fail(resource, path, read(resource.props, path), KEY_EXPECTED, f"{because}{NO_KEY}")
        for element_path, element in elements:
            if isinstance(element, Unknown):
                check.cannot_verify(resource, element, KEY_EXPECTED)
            else:
                self._require(check, resource, element_path, tail, because)


PROVIDER_DEFAULTS = frozenset({"project", "region"})
"""Properties a GCP resource takes from its provider when it does not set them (SDK docstrings: "If it is not
provided, the provider project is used")."""

_STACK: contextvars.ContextVar[Sequence[PolicyResource] | None] = contextvars.ContextVar(
    "aistacks_enc_stack", default=None
)


@contextlib.contextmanager
def judging(stack: Sequence[PolicyResource]) -> Iterator[None]:
    """Requirements verified inside see ``stack`` (the whole stack: :class:`Parent` looks a parent up in it)."""
    token = _STACK.set(stack)
    try:
        yield
    finally:
        _STACK.reset(token)


def _own(resource: Subject, prop: str) -> Any:
    """The resource's ``prop``; for ``project``/``region`` unset, its provider's (MISSING if neither says)."""
    value = read(resource.props, prop)
    if isinstance(value, Unknown) or is_set(value) or prop not in PROVIDER_DEFAULTS or resource.provider is None:
        return value
    return read(resource.provider.props, prop)


@dataclass(frozen=True)
class Parent:
    """The resource a type belongs to (a BigQuery table's dataset), whose default key the type's key path
    takes when unset: found in the stack through the properties that name it (``by``: child property ->
    parent property, equal values; ``same_project``: the projects too), or, when a child's property is
    unknown until the update, because it is verbatim that parent's output (one of ``outputs``)."""

    type: str
    key: str
    by: tuple[tuple[str, str], ...]
    same_project: bool = False
    outputs: tuple[str, ...] = ()

    def verify_default(self, check: Check, resource: Subject, path: str) -> None:
        """``path`` is unset: the parent(s) must be in the stack and give a customer-managed default key."""
        parents = self._find(check, resource, path)
        if parents is None:
            return
        if not parents:
            wanted = ", ".join(f"{parent_prop} {literal(_own(resource, own))}" for own, parent_prop in self.by)
            where = " in the same project" if self.same_project else ""
            check.fail(
                resource,
                path,
                read(resource.props, path),
                f"{KEY_EXPECTED}, or a {self.type} in the stack whose {self.key} is one",
                f"{path} is not set and no parent default was found: no {self.type} with {wanted}{where} is in "
                f"the stack to give its default key ({self.key}); {NO_KEY}",
            )
        for parent in parents:
            self._judge(check, resource, path, parent)

    def _judge(self, check: Check, resource: Subject, path: str, parent: PolicyResource) -> None:
        key = read(parent.props, self.key)
        expected = f"{KEY_EXPECTED}, here or as {parent.name}'s {self.key}"
        head = f"{path} is not set, so it takes the default key of its {self.type} {parent.name} ({self.key})"
        if isinstance(key, Unknown):
            if not names_stack_key(parent, self.key):
                check.fail(
                    resource,
                    path,
                    read(resource.props, path),
                    expected,
                    f"{head}, which is unknown until the update and not verbatim a key of the stack",
                )
        elif not is_set(key):
            check.fail(resource, path, key, expected, f"{head}, which is not set: {NO_KEY}")
        elif is_aws_managed_key(key):
            check.fail(resource, path, key, expected, f"{head}, an AWS-managed key, not a customer-managed one")

    def _find(self, check: Check, resource: Subject, path: str) -> list[PolicyResource] | None:
        """The parents in the stack (none found: ``[]``); ``None`` when a finding already says it cannot tell."""
        stack = [r for r in _STACK.get() or () if r.resource_type == self.type]
        for own, parent_prop in self.by:
            value = _own(resource, own)
            if not isinstance(value, Unknown):
                stack = [r for r in stack if self._names(resource, own, value, r, parent_prop)]
                continue
            sources = {source.urn for source in flows_from(resource, own, self.outputs or (parent_prop,))}
            if not sources:
                check.cannot_verify(resource, value, f"{own} verbatim a {self.type}'s {parent_prop}, to find {path}")
                return None
            stack = [r for r in stack if r.urn in sources]
        if self.same_project:
            stack = [r for r in stack if self._names(resource, "project", _own(resource, "project"), r, "project")]
        return stack

    @staticmethod
    def _names(resource: Subject, own: str, value: Any, parent: PolicyResource, parent_prop: str) -> bool:
        """Whether the child's ``own`` (``value``) names ``parent``: equal to its ``parent_prop`` (both unset:
        both the provider's default), or, where either is unknown or only one is set, the child's properties
        depend on the parent."""
        theirs = _own(parent, parent_prop)
        if not isinstance(value, Unknown) and not isinstance(theirs, Unknown):
            if is_set(value) and is_set(theirs):
                return value == theirs
            if value is MISSING and theirs is MISSING:
                return True
        depends = isinstance(resource, PolicyResource) and any(
            dependency.urn == parent.urn
            for dependencies in resource.property_dependencies.values()
            for dependency in dependencies
        )
        return depends


def catalog_values(props: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """``(concrete path, value)`` for a catalog path, every ``[]`` expanded over the elements present
    (none for a missing list; an unknown list yields itself)."""
    head, brackets, tail = path.partition("[]")
    if not brackets:
        yield path, read(props, path)
        return
    for element_path, element in items(props, head):
        if isinstance(element, Unknown) or not tail:
            yield element_path, element
        else:
            yield from catalog_values(props, element_path + tail)


def _feature_on(flag: Any, equals: str | None) -> bool:
    if equals is not None:
        return str(flag) == equals
    return _block_set(flag) and str(flag).lower() != "false"


def _block_set(value: Any) -> bool:
    return is_set(value) and not (isinstance(value, Mapping | Sequence) and not isinstance(value, str) and not value)


@cache
def _roles() -> dict[str, Any]:
    text = resources.files("aistacks.policies.data").joinpath(ROLES_FILE).read_text(encoding="utf-8")
    return json.loads(text)["types"]


def _parent(resource_type: str) -> Parent | None:
    spec = _roles().get(resource_type, {}).get("parent")
    if spec is None:
        return None
    return Parent(
        spec["type"],
        spec["key"],
        tuple((own, theirs) for own, theirs in spec["by"].items()),
        bool(spec.get("sameProject", False)),
        tuple(spec.get("outputs", ())),
    )


def _parse_role(path: str, spec: str, resource_type: str = "") -> CatalogKey:
    kind, _, argument = spec.partition(":")
    if kind == "inherit":
        parent = _parent(resource_type)
        if parent is None:
            raise ValueError(f"{ROLES_FILE}: {resource_type} {path} inherits, but the type names no parent")
        return CatalogKey(path, "inherit", reason=argument, parent=parent)
    if kind == "within":
        return CatalogKey(path, "within", anchor=argument)
    if kind == "block":
        return CatalogKey(path, "within", anchor=path if path.endswith("[]") else path.rpartition(".")[0])
    if kind == "when":
        flag, equals, value = argument.partition("=")
        return CatalogKey(path, "when", when=flag, equals=value if equals else None)
    if kind == "or":
        return CatalogKey(path, "or", alternative=argument)
    if kind in ("required", "hand", "ignore"):
        return CatalogKey(path, kind, reason=argument)
    raise ValueError(f"{ROLES_FILE}: unknown role {spec!r} of {path}")


def default_role(path: str) -> CatalogKey:
    """A path no curated entry reads: required where it sits in the resource or in a top-level encryption
    block (``kmsKeyId``, ``encryptionConfiguration.kmsKeyArn``); otherwise required in the feature block that
    holds the encryption block or the key (``action.exportToS3.encryption.kmsKeyArn``: when exportToS3 is set)."""
    parts = path.split(".")
    anchor = next(
        (".".join(parts[:index]) for index, part in enumerate(parts[:-1]) if _ENCRYPTION_BLOCK.search(part)),
        path if path.endswith("[]") else ".".join(parts[:-1]),
    )
    return CatalogKey(path, "within" if anchor else "required", anchor=anchor)


@cache
def catalog_keys(resource_type: str) -> tuple[CatalogKey, ...]:
    """How AIS-ENC-001 judges each key path the catalog lists for ``resource_type`` (curated, else default)."""
    curated = _roles().get(resource_type, {}).get("paths", {})
    return tuple(
        _parse_role(found.path, curated[found.path], resource_type)
        if found.path in curated
        else default_role(found.path)
        for found in key_paths(resource_type)
    )


def curated_roles() -> dict[str, dict[str, str]]:
    """The curated data: type -> path -> role as written (tests check it against the catalog)."""
    return {token: dict(entry["paths"]) for token, entry in _roles().items()}
