"""The platform, built from a plan whose every physical name was changed after planning: what gets built must
follow the plan, not a rule the builders apply again."""

import dataclasses
from collections.abc import Mapping
from typing import Any

from aistacks.config import load_platform_spec
from aistacks.plan import plan_platform
from aistacks.platform import AiPlatform

PHYSICAL = ("resource_name", "group_name", "name_stem", "pods_name", "services_name", "service_account_id", "key_alias")


def suffix(field: str) -> str:
    """``-g`` after a log group's name, ``-r`` after any other: a group named again from its owner's new
    name (``…-r``) would then differ from the plan's (``…-g``)."""
    return "-g" if field.endswith("group_name") else "-r"


def renamed(value: Any) -> Any:
    """``value`` with a suffix after every physical name in it (catalog entries and addresses left alone)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and hasattr(value, "__dataclass_fields__"):
        if type(value).__module__.startswith(("aistacks.plan", "aistacks.netplan")):
            changes = {
                field.name: (
                    getattr(value, field.name) + suffix(field.name)
                    if field.name.endswith(PHYSICAL) and isinstance(getattr(value, field.name), str)
                    else renamed(getattr(value, field.name))
                )
                for field in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
        return value
    if isinstance(value, tuple):
        return tuple(renamed(item) for item in value)
    if isinstance(value, Mapping):
        return {key: renamed(item) for key, item in value.items()}
    return value


plan = renamed(plan_platform(load_platform_spec()))
AiPlatform(plan.name, plan)
