"""The provider catalog: which Pulumi AWS/GCP resource types carry a customer-managed key or a placement, where.

Reads ``data/provider_catalog.json``, written by ``scripts/provider_catalog.py`` from the installed provider
SDKs (plus the curated ``data/provider_catalog_overrides.json``). Pure and cached: plain JSON, no SDK import.

Paths use engine (camelCase) names: ``a.b`` nests an object, ``a[].b`` is ``b`` in every element of the list
``a``, ``a{}.b`` is ``b`` in every value of the map ``a``. :func:`policies.framework.read` takes concrete
indices (``a[0].b``): expand each ``[]`` with :func:`policies.framework.items` (see :func:`list_prefixes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DATA_FILE = "provider_catalog.json"


@dataclass(frozen=True)
class PropertyPath:
    """One property path of a type; ``override`` is the curated reason when the overrides file added it."""

    path: str
    override: str | None = None

    @property
    def from_override(self) -> bool:
        return self.override is not None


@dataclass(frozen=True)
class Removed:
    """A path the schema suggested and the overrides file removed, with the reason."""

    field: str
    path: str
    reason: str


@dataclass(frozen=True)
class PlacementPaths:
    own: tuple[PropertyPath, ...]
    """Where the resource itself is (``region``, ``location``, ``zone``, ``settings.locationPreference.zone``)."""
    replica: tuple[PropertyPath, ...]
    """Where copies of its data go (``replicas[].regionName``, ``settings.backupConfiguration.location``)."""


@dataclass(frozen=True)
class TypeEntry:
    token: str
    service: str
    sdk_module: str
    key_paths: tuple[PropertyPath, ...]
    placement: PlacementPaths
    removed: tuple[Removed, ...]


@dataclass(frozen=True)
class SdkVersions:
    versions: tuple[tuple[str, str], ...]
    """``(distribution, version)``, e.g. ``("pulumi-aws", "7.51.1")``."""
    generated: str
    generator: str

    def get(self, distribution: str) -> str | None:
        return dict(self.versions).get(distribution)


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("aistacks.policies.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _paths(raw: dict[str, Any], field: str) -> tuple[PropertyPath, ...]:
    added = {
        change["path"]: change["reason"]
        for change in raw.get("overrides", [])
        if change["action"] == "add" and change["field"] == field
    }
    return tuple(PropertyPath(path, added.get(path)) for path in raw[field])


@cache
def _entries() -> dict[str, TypeEntry]:
    entries: dict[str, TypeEntry] = {}
    for token, raw in _raw()["types"].items():
        entries[token] = TypeEntry(
            token=token,
            service=raw["service"],
            sdk_module=raw["sdkModule"],
            key_paths=_paths(raw, "keyPaths"),
            placement=PlacementPaths(_paths(raw, "ownPlacement"), _paths(raw, "replicaPlacement")),
            removed=tuple(
                Removed(change["field"], change["path"], change["reason"])
                for change in raw.get("overrides", [])
                if change["action"] == "remove"
            ),
        )
    return entries


def entry(resource_type: str) -> TypeEntry | None:
    """Everything the catalog knows of a type token, or None for a type it does not list."""
    return _entries().get(resource_type)


def key_paths(resource_type: str) -> tuple[PropertyPath, ...]:
    """The paths that carry a customer-managed key of this type; empty when it takes none (or is unknown)."""
    found = entry(resource_type)
    return found.key_paths if found else ()


def placement_paths(resource_type: str) -> PlacementPaths:
    """Own and replica placement paths of this type; both empty for an unknown type."""
    found = entry(resource_type)
    return found.placement if found else PlacementPaths((), ())


@cache
def all_types() -> tuple[str, ...]:
    """Every type token the catalog lists, sorted: those with a key or placement path, and those whose every
    path the overrides file removed (``entry(...).removed`` says why)."""
    return tuple(_entries())


@cache
def types_with_key_paths() -> tuple[str, ...]:
    """Every type token with at least one key path, sorted."""
    return tuple(token for token, found in _entries().items() if found.key_paths)


@cache
def types_with_placement() -> tuple[str, ...]:
    """Every type token with at least one own or replica placement path, sorted."""
    return tuple(token for token, found in _entries().items() if found.placement.own or found.placement.replica)


@cache
def sdk_versions() -> SdkVersions:
    """The SDK versions the catalog was generated from."""
    header = _raw()["header"]
    return SdkVersions(tuple(sorted(header["sdks"].items())), header["generated"], header["generator"])


def counts() -> dict[str, dict[str, int]]:
    """Per provider: types, typesWithKeyPaths, typesWithOwnPlacement, typesWithReplicaPlacement."""
    return {provider: dict(values) for provider, values in _raw()["header"]["counts"].items()}


def list_prefixes(path: str) -> tuple[str, ...]:
    """The list-valued prefixes of a path, outermost first: ``a[].b[].c`` -> ``("a", "a[].b")``.

    To read a catalog path with :mod:`policies.framework`, iterate ``items(props, prefix)`` for the first
    prefix and substitute each concrete ``a[0]`` for ``a[]`` before the next.
    """
    prefixes: list[str] = []
    start = 0
    while (index := path.find("[]", start)) != -1:
        prefixes.append(path[:index])
        start = index + 2
    return tuple(prefixes)
