"""The resource graph a program run records: what the engine would see, resource by resource."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine's wire format marks a value not known until the update (pulumi.runtime.rpc)."""
_SPECIAL_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"

UNKNOWN_DISPLAY = "[unknown]"
SECRET_DISPLAY = "[secret]"


@dataclass
class ResourceRecord:
    """One registered resource, as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    """URN of the provider resource (explicit, or the default provider the engine would use)."""
    inputs: dict[str, Any]
    """Inputs in the engine's wire form: camelCase names, unknown and secret markers as sent."""
    protect: bool = False
    retain_on_delete: bool = False
    depends_on: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    """Component and stack outputs (``register_outputs``), in display form."""

    @property
    def package(self) -> str:
        return self.type.split(":", 1)[0]

    def to_json(self) -> dict[str, Any]:
        """The record in ``aistacks plan --json`` form."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "inputs": display_value(self.inputs),
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
            "depends_on": list(self.depends_on),
        }


def display_value(value: Any, *, secret_shape: bool = False) -> Any:
    """A wire value made readable: unknowns and secrets shown as the Pulumi CLI shows them.

    With ``secret_shape``, a secret keeps its structure (objects and lists) and only its leaves read
    ``[secret]``: what a schema validator needs to check a manifest without seeing the secret."""
    if value == UNKNOWN_SENTINEL:
        return UNKNOWN_DISPLAY
    if isinstance(value, dict):
        signature = value.get(_SPECIAL_SIG)
        if signature == _SECRET_SIG:
            return _mask(display_value(value.get("value"), secret_shape=True)) if secret_shape else SECRET_DISPLAY
        if signature == _RESOURCE_SIG:
            return value.get("urn")
        return {key: display_value(item, secret_shape=secret_shape) for key, item in value.items()}
    if isinstance(value, list):
        return [display_value(item, secret_shape=secret_shape) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire has only doubles; 90 reads better than 90.0
    return value


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return SECRET_DISPLAY


@dataclass
class ResourceGraph:
    """Every resource a run registered, in registration order."""

    project: str
    stack: str
    preview: bool
    resources: list[ResourceRecord] = field(default_factory=list)

    def add(self, record: ResourceRecord) -> None:
        self.resources.append(record)

    def get(self, urn: str) -> ResourceRecord | None:
        return next((record for record in self.resources if record.urn == urn), None)

    def of_type(self, type_token: str) -> list[ResourceRecord]:
        return [record for record in self.resources if record.type == type_token]

    def of_type_prefix(self, prefix: str) -> list[ResourceRecord]:
        return [record for record in self.resources if record.type.startswith(prefix)]

    def children_of(self, urn: str) -> list[ResourceRecord]:
        """Children in a stable order (registration order depends on scheduling)."""
        children = [record for record in self.resources if record.parent == urn]
        return sorted(children, key=lambda record: (record.custom, record.type, record.name))

    def type_counts(self) -> Counter[str]:
        return Counter(record.type for record in self.resources)

    def to_json(self) -> list[dict[str, Any]]:
        """Every record in ``--json`` form, sorted by URN so that two plans diff cleanly."""
        return [record.to_json() for record in sorted(self.resources, key=lambda record: record.urn)]
