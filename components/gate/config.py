"""Policy config files: the JSON that ``pulumi preview --policy-pack-config`` reads, validated the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from pulumi_policy import EnforcementLevel, Policy

from aistacks.catalog import known_jurisdictions
from aistacks.policies.framework import SUPPRESSION_FIELDS

ALL = "all"
LEVELS = {level.value: level for level in EnforcementLevel}
JURISDICTION_SETTINGS = ("allowedJurisdictions",)
"""Settings whose values are jurisdictions of the catalog (:func:`aistacks.catalog.known_jurisdictions`)."""


class PolicyConfigError(Exception):
    """A policy config that cannot be used; the message names the file, the key and what is allowed."""


@dataclass(frozen=True)
class RuleConfig:
    level: EnforcementLevel
    properties: dict[str, Any]


def load_policy_config(path: Path, policies: list[Policy]) -> dict[str, RuleConfig]:
    """Every policy's enforcement level and properties, as the Pulumi CLI resolves them from ``path``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyConfigError(f"{path}: no such policy config file") from None
    except IsADirectoryError:
        raise PolicyConfigError(f"{path}: a folder, not a policy config file") from None
    except OSError as error:
        raise PolicyConfigError(f"{path}: cannot be read: {error.strerror or error}") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PolicyConfigError(
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); a policy config is "
            "JSON in UTF-8"
        ) from None
    except json.JSONDecodeError as error:
        raise PolicyConfigError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:
        raise PolicyConfigError(f"{path}: nested too deeply to read; a policy config is a few levels deep") from None
    if not isinstance(document, dict):
        raise PolicyConfigError(f"{path}: the top level must be an object keyed by policy name or {json.dumps(ALL)}")
    return resolve_policy_config(document, policies, str(path))


def resolve_policy_config(document: Mapping[str, Any], policies: list[Policy], origin: str) -> dict[str, RuleConfig]:
    by_name = {policy.name: policy for policy in policies}
    unknown = sorted(set(document) - set(by_name) - {ALL})
    if unknown:
        raise PolicyConfigError(
            f"{origin}: unknown policy {', '.join(unknown)}; known: {ALL}, {', '.join(sorted(by_name))}"
        )
    default_level = _level(document.get(ALL), f"{origin}: {ALL}") if ALL in document else None
    resolved: dict[str, RuleConfig] = {}
    for name, policy in by_name.items():
        entry = document.get(name)
        where = f"{origin}: {name}"
        if isinstance(entry, str):
            level, properties = _level(entry, where), {}
        elif isinstance(entry, Mapping):
            properties = {key: value for key, value in entry.items() if key != "enforcementLevel"}
            level = _level(entry["enforcementLevel"], where) if "enforcementLevel" in entry else None
        elif entry is None:
            level, properties = None, {}
        else:
            raise PolicyConfigError(f"{where}: must be an enforcement level or an object, got {_json(entry)}")
        level = level or default_level or policy.enforcement_level or EnforcementLevel.ADVISORY
        _validate_properties(policy, properties, where)
        resolved[name] = RuleConfig(level, properties)
    return resolved


def _level(value: Any, where: str) -> EnforcementLevel:
    if isinstance(value, Mapping) and "enforcementLevel" in value:
        value = value["enforcementLevel"]
    if not isinstance(value, str) or value not in LEVELS:
        raise PolicyConfigError(f"{where}: enforcement level {json.dumps(value)}; allowed: {', '.join(LEVELS)}")
    return LEVELS[value]


def _validate_properties(policy: Policy, properties: Mapping[str, Any], where: str) -> None:
    schema = policy.config_schema
    allowed = schema.properties if schema is not None else {}
    for key in properties:
        if key not in allowed:
            raise PolicyConfigError(
                f"{where}: unknown setting {json.dumps(key)}; allowed: {', '.join(sorted(allowed)) or 'none'}"
            )
    _check_values(properties, where)
    for key, value in properties.items():
        try:
            jsonschema.validate(value, allowed[key])
        except jsonschema.ValidationError as error:
            inner = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
            raise PolicyConfigError(f"{where}.{key}{inner} = {_json(error.instance)}: {_in_words(error)}") from None


_TYPE_WORDS = {
    "array": "a list",
    "object": "an object",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


def _in_words(error: jsonschema.ValidationError) -> str:
    """What the setting's schema allows, in words and JSON literals (jsonschema's own message is a Python repr)."""
    expected: Any = error.validator_value
    match error.validator:
        case "type":
            kinds = expected if isinstance(expected, list) else [expected]
            return "must be " + " or ".join(_TYPE_WORDS.get(str(kind), str(kind)) for kind in kinds)
        case "enum":
            return "allowed: " + ", ".join(_json(item) for item in expected)
        case "minimum" | "exclusiveMinimum":
            return f"must be at least {_json(expected)}" + (" (exclusive)" if error.validator != "minimum" else "")
        case "maximum" | "exclusiveMaximum":
            return f"must be at most {_json(expected)}" + (" (exclusive)" if error.validator != "maximum" else "")
        case "minItems":
            return f"must list at least {_json(expected)} item(s)"
        case "uniqueItems":
            return "must not repeat an item"
        case "pattern":
            return f"must match the pattern {_json(expected)}"
        case "additionalProperties":
            return "has a field the setting does not know"
        case "required":
            return "must have the field(s) " + ", ".join(_json(item) for item in expected)
        case _:
            return f"does not satisfy the setting's schema ({error.validator})"


def _check_values(properties: Mapping[str, Any], where: str) -> None:
    """What a schema cannot say in words: jurisdictions the catalog knows, suppressions without stray fields."""
    known = known_jurisdictions()
    for key in JURISDICTION_SETTINGS:
        values = properties.get(key)
        if not isinstance(values, list):
            continue
        unknown = [value for value in values if value not in known]
        if unknown:
            raise PolicyConfigError(
                f"{where}.{key}: unknown jurisdiction {', '.join(json.dumps(value) for value in unknown)}; "
                f"known (lower case): {', '.join(known)}"
            )
    suppressions = properties.get("suppressions")
    for index, entry in enumerate(suppressions if isinstance(suppressions, list) else []):
        if not isinstance(entry, Mapping):
            continue
        extra = [field for field in entry if field not in SUPPRESSION_FIELDS]
        if extra:
            raise PolicyConfigError(
                f"{where}.suppressions[{index}]: unknown field {', '.join(json.dumps(field) for field in extra)}; "
                f"allowed: {', '.join(SUPPRESSION_FIELDS)}"
            )
