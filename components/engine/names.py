"""Physical names as the providers make them, and the check of every planned name against the cloud's rules.

A resource's physical name is its name input when the program sets one, else the name its provider
makes up: Pulumi's auto-name (the logical name, ``-`` and random characters), or a ``<name>Prefix`` plus
the provider's unique suffix. The rules (which property, which auto-naming, which limits, with sources)
live in ``aistacks.catalog.name_rules``. A name the cloud would refuse fails ``pulumi up`` after other
resources already exist; :func:`check_names` finds it in the planned graph instead, and ``aistacks plan``
and ``aistacks gate`` exit 2 on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aistacks.catalog.name_rules import AutoNaming, NameRule, Source, default_auto_naming, name_rule
from aistacks.engine.graph import ResourceGraph, ResourceRecord, is_secret, is_unknown

Origin = Literal["explicit", "auto-named", "name prefix"]

# Packages whose default auto-naming the table does not record (pulumi-random, a user's azure-native,
# ...) still get a made-up name in the bridged form: it is what the mock cloud uses as their ID.
_FALLBACK = AutoNaming(
    scheme="terraform-bridge",
    separator="-",
    random_length=7,
    charset="0123456789abcdef",
    provider_max_length=None,
    lowercase=False,
    prefix="",
    source=Source(title="aistacks fallback: a stable made-up identifier", url="", retrieved=""),
)


def random_characters(type_token: str, logical_name: str, count: int) -> str:
    """The "random" characters of an auto-name: hex, stable per resource (the sha256 of
    ``<type>/<name>``, the same digest ``aistacks.engine.cloud.base.digest`` gives), so two plans agree."""
    return hashlib.sha256(f"{type_token}/{logical_name}".encode()).hexdigest()[:count]


def auto_naming_of(type_token: str) -> AutoNaming:
    """How the provider of ``type_token`` auto-names it: the type's rule, else its package's default."""
    rule = name_rule(type_token)
    if rule is not None and rule.auto_naming is not None:
        return rule.auto_naming
    default = default_auto_naming(type_token.partition(":")[0])
    return default[1] if default else _FALLBACK


def auto_name_core(naming: AutoNaming, type_token: str, logical_name: str) -> str:
    """What the provider checks against its maximum: the (transformed) logical name, the separator and
    the random characters, before any prefix."""
    base = logical_name.lower() if naming.lowercase else logical_name
    return base + naming.separator + random_characters(type_token, logical_name, naming.random_length)


def auto_name(type_token: str, logical_name: str) -> str:
    """The name the provider gives a resource of ``type_token`` called ``logical_name`` whose name
    property is unset (``web`` -> ``web-85970ee3`` on Kubernetes, ``alias/keys-1a2b3c4`` for a KMS alias)."""
    naming = auto_naming_of(type_token)
    core = auto_name_core(naming, type_token, logical_name)
    return core if core.startswith(naming.prefix) else naming.prefix + core


def name_property_of(type_token: str) -> str:
    """The input property that carries a type's name: its rule's, else its package's, else ``name``."""
    rule = name_rule(type_token)
    if rule is not None and rule.name_property is not None:
        return rule.name_property
    default = default_auto_naming(type_token.partition(":")[0])
    return default[0] if default else "name"


def _lookup(inputs: Mapping[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        if not isinstance(value, Mapping) or is_unknown(value) or is_secret(value):
            return value
        value = value.get(part)
    return value


@dataclass(frozen=True)
class PlannedName:
    """The physical name one resource will have."""

    record: ResourceRecord
    rule: NameRule
    value: str
    """For a name prefix, the prefix and a made-up suffix of the provider's length."""
    origin: Origin
    provider_checked: str | None = None
    """For an auto-name, the part the provider holds to its maximum (the name before any prefix)."""
    suffix_length: int = 0
    """For a name prefix, the length of the provider's unique suffix."""

    @property
    def length(self) -> int:
        return len(self.value)

    def describe(self) -> str:
        """The name and where it comes from, in words."""
        prefix, naming = self.rule.name_prefix, self.rule.auto_naming
        if self.origin == "name prefix" and prefix is not None:
            given = self.value[: self.length - self.suffix_length]
            return (
                f"name {self.value!r} ({prefix.property} {given!r} and the provider's "
                f"{self.suffix_length}-character unique suffix)"
            )
        if self.origin == "auto-named" and naming is not None:
            return (
                f"auto-name {self.value!r} ({self.rule.name_property} is unset, so the provider names it: the "
                f"logical name, {naming.separator!r} and {naming.random_length} random characters)"
            )
        return f"name {self.value!r} ({self.rule.name_property})"


@dataclass(frozen=True)
class _Derived:
    value: str
    origin: Origin
    provider_checked: str | None = None
    suffix_length: int = 0


def _derive(rule: NameRule, type_token: str, logical_name: str, inputs: Mapping[str, Any]) -> _Derived | None:
    """The name input, else the prefix and the provider's suffix, else the auto-name. None when the name
    is unknown until the update or a secret, or when a required name is left out."""
    if rule.name_property is None:
        return None
    value = _lookup(inputs, rule.name_property)
    if is_unknown(value) or is_secret(value):
        return None
    if isinstance(value, str) and value:
        return _Derived(value, "explicit")
    if rule.name_prefix is not None:
        prefix = _lookup(inputs, rule.name_prefix.property)
        if is_unknown(prefix) or is_secret(prefix):
            return None
        if isinstance(prefix, str) and prefix:
            length = rule.name_prefix.suffix_for(prefix)
            # The provider's suffix is a timestamp and a counter; any characters of its length will do here.
            suffix = (random_characters(type_token, logical_name, 64) * 2)[:length]
            return _Derived(prefix + suffix, "name prefix", suffix_length=length)
    if rule.auto_naming is None:
        return None  # a required name left out: the provider's SDK refuses the program before any plan
    core = auto_name_core(rule.auto_naming, type_token, logical_name)
    return _Derived(auto_name(type_token, logical_name), "auto-named", provider_checked=core)


def physical_name(type_token: str, logical_name: str, inputs: Mapping[str, Any]) -> str:
    """The name the cloud will know a resource by: its name input, else its name prefix and the provider's
    suffix, else its auto-name (also for a type the rule table does not cover, by its package's default)."""
    rule = name_rule(type_token)
    derived = _derive(rule, type_token, logical_name, inputs) if rule else None
    if derived is not None:
        return derived.value
    value = _lookup(inputs, name_property_of(type_token))
    return value if isinstance(value, str) and value else auto_name(type_token, logical_name)


def planned_name(record: ResourceRecord) -> PlannedName | None:
    """The physical name ``record`` will have under its type's rule. None when there is nothing to check:
    the type has no rule or names nothing, or the name is unknown until the update (an output of another
    resource at preview) or a secret (never printed)."""
    rule = name_rule(record.type)
    derived = _derive(rule, record.type, record.name, record.inputs) if rule else None
    if rule is None or derived is None:
        return None
    return PlannedName(record, rule, derived.value, derived.origin, derived.provider_checked, derived.suffix_length)


@dataclass(frozen=True)
class NameViolation:
    """A planned physical name its provider or cloud refuses."""

    name: PlannedName
    problem: str
    """What is wrong and what is allowed, in words."""
    limit: int | None
    source: Source

    @property
    def record(self) -> ResourceRecord:
        return self.name.record

    def __str__(self) -> str:
        record = self.name.record
        return f"{record.name} ({record.type}): {self.name.describe()} {self.problem} (source: {self.source})"


def violations_of(name: PlannedName) -> list[NameViolation]:
    """What the provider (at preview) and then the cloud (at create) would refuse of one planned name."""
    rule = name.rule
    naming = rule.auto_naming
    if name.origin == "auto-named" and naming is not None and naming.provider_max_length is not None:
        checked = name.provider_checked or name.value
        if len(checked) > naming.provider_max_length:
            problem = (
                f"is {len(checked)} characters; the provider allows an auto-name at most "
                f"{naming.provider_max_length} and refuses it at preview"
            )
            return [NameViolation(name, problem, naming.provider_max_length, naming.source)]
    found: list[NameViolation] = []
    limit = rule.length_limit(name.value)
    if limit is not None and name.length > limit:
        problem = f"is {name.length} characters; the limit is {limit}"
        if name.origin == "auto-named" and naming is not None:
            allowed = naming.provider_max_length
            problem += (
                f" (the provider lets auto-names reach {allowed if allowed is not None else 'any length'}, so "
                "preview passes and the create fails)"
            )
        found.append(NameViolation(name, problem, limit, rule.source))
    if rule.min_length is not None and name.length < rule.min_length:
        problem = f"is {name.length} characters; at least {rule.min_length} are required"
        found.append(NameViolation(name, problem, rule.min_length, rule.source))
    if rule.dotted_component_max_length is not None and "." in name.value:
        long_parts = [part for part in name.value.split(".") if len(part) > rule.dotted_component_max_length]
        if long_parts:
            problem = (
                f"has a dot-separated part of {max(len(part) for part in long_parts)} characters; "
                f"the limit is {rule.dotted_component_max_length} per part"
            )
            found.append(NameViolation(name, problem, rule.dotted_component_max_length, rule.source))
    if not rule.matches(name.value):
        found.append(NameViolation(name, f"is not a name the cloud accepts: {rule.allowed}", None, rule.source))
    return found


def check_names(resources: ResourceGraph | Iterable[ResourceRecord]) -> list[NameViolation]:
    """Every planned physical name of a graph's custom resources that its provider or cloud refuses."""
    records = resources.resources if isinstance(resources, ResourceGraph) else resources
    found: list[NameViolation] = []
    for record in records:
        if not record.custom:
            continue
        name = planned_name(record)
        if name is not None:
            found.extend(violations_of(name))
    return found


def types_without_rule(graph: ResourceGraph) -> list[str]:
    """The custom resource types of ``graph`` the rule table does not cover, sorted: their names go unchecked."""
    return sorted({record.type for record in graph.resources if record.custom and name_rule(record.type) is None})


class PhysicalNameError(Exception):
    """Planned physical names the provider or the cloud would refuse: a config error, found before any
    resource exists."""

    def __init__(self, violations: list[NameViolation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  - {violation}" for violation in violations)
        super().__init__(
            f"{len(violations)} physical name(s) the cloud would refuse, after Pulumi's auto-naming:\n{lines}\n"
            "Shorten the platform `name` or the cluster `name` in the stack config (physical names start with "
            "them), or give the resource an explicit name that fits."
        )


def require_acceptable_names(graph: ResourceGraph) -> None:
    """Raise :class:`PhysicalNameError` when a planned physical name would be refused."""
    violations = check_names(graph)
    if violations:
        raise PhysicalNameError(violations)
