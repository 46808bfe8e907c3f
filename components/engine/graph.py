"""The resource graph a program run records: what the engine would see, resource by resource."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aistacks.engine.provenance import Template

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
    verbatim_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    """For each input path (``a.b[0].c``) whose value is unknown in a preview and is verbatim a resource's
    output (``key.arn``, not ``key.arn.apply(...)``): ``(URN of that resource, engine name of the output)``
    (:mod:`aistacks.engine.provenance`). Not part of :meth:`to_json`: the plan is the same."""
    document_templates: dict[str, Template] = field(default_factory=dict)
    """For each input path whose value is a JSON document unknown in a preview only because values in it
    are each verbatim a resource's output (``Output.json_dumps({"KmsARN": key.arn})``): the document with
    a placeholder for each of them (:class:`aistacks.engine.provenance.Template`)."""

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


def is_unknown(value: Any) -> bool:
    """Whether a wire value is not known until the update (an output of another resource, at preview)."""
    return value == UNKNOWN_SENTINEL


def is_secret(value: Any) -> bool:
    """Whether a wire value is wrapped as a secret."""
    return isinstance(value, dict) and value.get(_SPECIAL_SIG) == _SECRET_SIG


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


def _sibling_order(record: ResourceRecord) -> tuple[bool, str, str]:
    return (record.custom, record.type, record.name)


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
    generic_types: set[str] = field(default_factory=set)
    """Resource types the mock cloud does not model and answered generically (inputs echoed, id made up).

    Not part of :meth:`to_json`: the plan of a program is the same whichever types the mock models."""
    generic_functions: set[str] = field(default_factory=set)
    """Functions (invokes) the mock cloud does not model and answered generically (arguments echoed)."""
    _by_urn: dict[str, ResourceRecord] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._by_urn = {}
        for record in self.resources:
            self._by_urn.setdefault(record.urn, record)  # the first of a URN, as a scan would find it

    def add(self, record: ResourceRecord) -> None:
        self.resources.append(record)
        self._by_urn.setdefault(record.urn, record)

    def get(self, urn: str) -> ResourceRecord | None:
        record = self._by_urn.get(urn)
        if record is None and len(self._by_urn) != len(self.resources):
            self._index()  # records were added to ``resources`` directly, not through add()
            record = self._by_urn.get(urn)
        return record

    def of_type(self, type_token: str) -> list[ResourceRecord]:
        return [record for record in self.resources if record.type == type_token]

    def of_type_prefix(self, prefix: str) -> list[ResourceRecord]:
        return [record for record in self.resources if record.type.startswith(prefix)]

    def children_of(self, urn: str) -> list[ResourceRecord]:
        """Children in a stable order (registration order depends on scheduling)."""
        return self.children_by_parent().get(urn, [])

    def children_by_parent(self) -> dict[str | None, list[ResourceRecord]]:
        """Every record's children (roots under None), each list in :meth:`children_of`'s order: one pass
        for a walk of the whole tree."""
        children: dict[str | None, list[ResourceRecord]] = {}
        for record in self.resources:
            children.setdefault(record.parent, []).append(record)
        for siblings in children.values():
            siblings.sort(key=_sibling_order)
        return children

    def type_counts(self) -> Counter[str]:
        return Counter(record.type for record in self.resources)

    def to_json(self) -> list[dict[str, Any]]:
        """Every record in ``--json`` form, sorted by URN so that two plans diff cleanly."""
        return [record.to_json() for record in sorted(self.resources, key=lambda record: record.urn)]
