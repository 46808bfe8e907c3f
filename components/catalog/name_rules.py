"""Physical-name rules per resource type, over ``data/name_rules.json`` (every rule names its source and the
date it was read).

A rule says which input property carries a type's physical name, how the Pulumi provider auto-names the
type when that property is unset, and the length and characters the cloud accepts. The offline engine
applies the auto-naming (``aistacks.engine.cloud``) and checks every planned name against its rule
(``aistacks.engine.names``). Pure data: no Pulumi here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from aistacks.catalog.datafiles import load_data

_DATA_FILE = "name_rules.json"


@dataclass(frozen=True)
class Source:
    """Where a fact was read, and when."""

    title: str
    url: str
    retrieved: str
    """ISO date the source was read."""

    def __str__(self) -> str:
        return f"{self.title} ({self.url}, read {self.retrieved})"


@dataclass(frozen=True)
class AutoNaming:
    """How a provider names a resource whose name property the program leaves unset:
    ``prefix + transform(logical name) + separator + random_length random characters``."""

    scheme: str
    """``terraform-bridge`` (pulumi-aws, pulumi-gcp, ...) or ``kubernetes``."""
    separator: str
    random_length: int
    charset: str
    provider_max_length: int | None
    """The provider refuses, at preview, an auto-name whose core (logical name, separator and random
    characters, before ``prefix``) is longer. None: the provider sets no maximum."""
    lowercase: bool
    prefix: str
    """Put before the auto-name unless the logical name already starts with it (KMS aliases' ``alias/``)."""
    source: Source


@dataclass(frozen=True)
class NamePrefix:
    """The ``<name>Prefix`` input: the provider appends a unique suffix of its own."""

    property: str
    suffix_length: int
    long_prefix_length: int | None
    """A prefix longer than this gets ``long_prefix_suffix_length`` characters instead (GKE node pools)."""
    long_prefix_suffix_length: int | None
    source: Source

    def suffix_for(self, prefix: str) -> int:
        if self.long_prefix_length is not None and len(prefix) > self.long_prefix_length:
            return self.long_prefix_suffix_length or self.suffix_length
        return self.suffix_length


@dataclass(frozen=True)
class NameRule:
    """The physical-name contract of one resource type."""

    type_token: str
    name_property: str | None
    """The input property that carries the physical name, dotted for nested ones (``metadata.name``).
    None: the type names nothing (the cloud assigns an ID, or it configures another resource)."""
    auto_naming: AutoNaming | None
    """None: the provider never fills the name in (it is required, or the type has none)."""
    name_prefix: NamePrefix | None
    min_length: int | None
    max_length: int | None
    """None: the cloud sets no length limit of its own (the note says so), or the type has no name."""
    pattern: str | None
    """What the whole name must match (Python ``re``); None where the cloud documents no character set."""
    allowed: str
    """The characters and shape, in words, for error messages."""
    dotted_max_length: int | None
    """Names with a dot may be this long instead (Cloud Storage buckets)."""
    dotted_component_max_length: int | None
    note: str
    source: Source

    @property
    def names_something(self) -> bool:
        return self.name_property is not None

    def length_limit(self, name: str) -> int | None:
        """The longest name the cloud accepts, for this name (dotted names may be longer on some clouds)."""
        if self.dotted_max_length is not None and "." in name:
            return self.dotted_max_length
        return self.max_length

    def matches(self, name: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, name) is not None


def _source(entry: Mapping[str, Any]) -> Source:
    return Source(title=entry["title"], url=entry["url"], retrieved=entry["retrieved"])


def _auto_naming(entry: Mapping[str, Any]) -> AutoNaming:
    scheme = load_data(_DATA_FILE)["schemes"][entry["scheme"]]
    return AutoNaming(
        scheme=entry["scheme"],
        separator=scheme["separator"],
        random_length=scheme["random_length"],
        charset=scheme["charset"],
        provider_max_length=entry.get("provider_max_length"),
        lowercase=entry.get("lowercase", False),
        prefix=entry.get("prefix", ""),
        source=_source(entry["source"]),
    )


def _name_prefix(entry: Mapping[str, Any] | None) -> NamePrefix | None:
    if entry is None:
        return None
    return NamePrefix(
        property=entry["property"],
        suffix_length=entry["suffix_length"],
        long_prefix_length=entry.get("long_prefix_length"),
        long_prefix_suffix_length=entry.get("long_prefix_suffix_length"),
        source=_source(entry["source"]),
    )


def _rule(type_token: str, entry: Mapping[str, Any]) -> NameRule:
    return NameRule(
        type_token=type_token,
        name_property=entry["name_property"],
        auto_naming=_auto_naming(entry["auto_naming"]) if entry.get("auto_naming") else None,
        name_prefix=_name_prefix(entry.get("name_prefix")),
        min_length=entry.get("min_length"),
        max_length=entry.get("max_length"),
        pattern=entry.get("pattern"),
        allowed=entry.get("allowed", ""),
        dotted_max_length=entry.get("dotted_max_length"),
        dotted_component_max_length=entry.get("dotted_component_max_length"),
        note=entry.get("note", ""),
        source=_source(entry["source"]),
    )


@cache
def name_rules() -> Mapping[str, NameRule]:
    """Every type's rule, by type token."""
    return MappingProxyType({token: _rule(token, entry) for token, entry in load_data(_DATA_FILE)["rules"].items()})


def name_rule(type_token: str) -> NameRule | None:
    """The rule of one type; None for a type the table does not cover (a user's program may hold any)."""
    return name_rules().get(type_token)


@cache
def default_auto_naming(package: str) -> tuple[str, AutoNaming] | None:
    """How a package's provider names a type the table does not cover: its name property and auto-naming
    (pulumi-aws and pulumi-gcp auto-name every input called ``name``; pulumi-kubernetes every
    ``metadata.name``). None for a package whose default the table does not record."""
    entry = load_data(_DATA_FILE)["package_defaults"].get(package)
    if entry is None:
        return None
    return entry["name_property"], _auto_naming(entry["auto_naming"])
