"""Kubernetes objects that the engine does not register as resources, read from where they are written.

* pulumi-kubernetes' ``yaml/v2`` and ``kustomize/v2`` components are *remote* components: the engine
  records each one as a single resource, and the objects it creates are never registered. A ConfigGroup
  carries its objects in its own inputs, ``objs`` (a list of objects) and ``yaml`` (multi-document YAML
  text, or a list of them). ConfigGroup ``files``, ConfigFile ``file`` and kustomize Directory
  ``directory`` name files, URLs or directories that the gate cannot read (:data:`UNREAD_SOURCES`).
* A Helm release's objects come from its chart's templates, which the gate does not render. Only its
  values can be read (:func:`helm_blocks`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pulumi_policy.proxy import UnknownValueError

from .framework import Unknown, items, read

CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup"
CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile"
KUSTOMIZE_DIRECTORY = "kubernetes:kustomize/v2:Directory"
UNREAD_SOURCES: Mapping[str, str] = {CONFIG_GROUP: "files", CONFIG_FILE: "file", KUSTOMIZE_DIRECTORY: "directory"}
"""The input of each component that names manifests outside the program (pulumi-kubernetes 4.x SDK:
``yaml/v2/ConfigGroup.py`` "Set of paths and/or URLs to Kubernetes manifest files. Supports glob
patterns", ``yaml/v2/ConfigFile.py`` "Path or URL to a Kubernetes manifest file", ``kustomize/v2/
Directory.py`` "a local directory or a folder in a git repository")."""


@dataclass(frozen=True)
class Manifest:
    """One object of a component's inputs. ``path`` says where it is: ``objs[0]``, ``yaml#2`` (the third
    document of the ``yaml`` text) or ``yaml[1]#0``, with ``.items[i]`` for an object inside a List."""

    path: str
    object: Mapping[str, Any]


@dataclass(frozen=True)
class Unparsable:
    """YAML text that does not parse: its path and the parser's complaint."""

    path: str
    error: str


def manifests(props: Mapping[str, Any]) -> Iterator[Manifest | Unparsable | Unknown]:
    """Every object in a ConfigGroup's ``objs`` and ``yaml``. A value unknown until the update is yielded
    as :class:`Unknown`; text that does not parse as :class:`Unparsable`."""
    objs = read(props, "objs")
    if isinstance(objs, Unknown):
        yield objs
    else:
        for path, obj in items(props, "objs"):
            yield from _objects(obj, path)
    text = read(props, "yaml")
    if isinstance(text, (Unknown, str)):
        yield from _documents(text, "yaml")
    else:
        for path, document in items(props, "yaml"):
            yield from _documents(document, path)


def _documents(text: Any, path: str) -> Iterator[Manifest | Unparsable | Unknown]:
    if isinstance(text, Unknown):
        yield Unknown(path)
        return
    if not isinstance(text, str):
        yield Unparsable(path, "not YAML text")
        return
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        yield Unparsable(path, " ".join(str(error).split()))
        return
    for index, document in enumerate(documents):
        yield from _objects(document, f"{path}#{index}")


def _objects(value: Any, path: str) -> Iterator[Manifest | Unknown]:
    """``value`` as an object, or the objects of a Kubernetes List (``kind: List``, ``ServiceList``...)."""
    if isinstance(value, Unknown):
        yield Unknown(path)
    elif isinstance(value, Mapping):
        kind, listed = read(value, "kind"), read(value, "items")
        if isinstance(kind, str) and kind.endswith("List") and (isinstance(listed, (Sequence, Unknown))):
            for item_path, item in items(value, "items"):
                yield from _objects(item, f"{path}.{item_path}")
        else:
            yield Manifest(path, value)


def api_group(api_version: Any) -> str:
    """The API group of an ``apiVersion`` (``networking.k8s.io/v1``; ``v1`` is the core group, ``""``)."""
    return api_version.rsplit("/", 1)[0] if isinstance(api_version, str) and "/" in api_version else ""


# --- Helm values ------------------------------------------------------------------------------------


NOT_A_SERVICE = ("serviceaccount", "servicemonitor")
"""Keys that name a service but hold something else (a ServiceAccount, a Prometheus ServiceMonitor)."""
READ_BY_THE_JUDGE = frozenset({"annotations", "labels"})
"""Mappings of a block that the rule reads itself, entry by entry (an unknown certificate ARN annotation
does not make a load balancer public)."""


def helm_blocks(
    values: Any, path: str = "values", service: bool = False, ingress: bool = False
) -> Iterator[tuple[str, str, Any]]:
    """``(what, path, block)`` for each block of Helm values that asks for a Service or an Ingress, by the
    conventions charts share (``helm create``'s scaffold, bitnami, bjw-s app-template):

    * ``"service"``: a mapping with a ``type`` at or below a key naming a service (``service``,
      ``controller.service``, app-template's ``service.main``), unless its ``enabled`` is off;
      ``serviceType: X`` as ``{"type": X}``;
    * ``"ingress"``: a mapping with ``enabled`` at or below a key naming an ingress (``ingress``,
      app-template's ``ingress.main``), not an IngressClass (``ingressClassResource``); nothing below an
      ingress block is searched for another;
    * ``"unknown"``: a value unknown until the update at or below such a key (an :class:`Unknown`), not in
      :data:`READ_BY_THE_JUDGE` mappings nor below :data:`NOT_A_SERVICE` keys.
    """
    if not isinstance(values, Mapping):
        return
    for key in list(values):
        child, name = f"{path}.{key}", str(key).lower()
        if name in READ_BY_THE_JUDGE:
            continue
        in_service = (service or "service" in name) and not any(other in name for other in NOT_A_SERVICE)
        in_ingress = (ingress or "ingress" in name) and "ingressclass" not in name
        try:
            value = values[key]
        except UnknownValueError:
            if in_service or in_ingress:
                yield "unknown", child, Unknown(child)
            continue
        if isinstance(value, Mapping):
            if in_service and "type" in value and ("enabled" not in value or _enabled(value)):
                yield "service", child, value
            if in_ingress and "enabled" in value:
                yield "ingress", child, value
                continue
            yield from helm_blocks(value, child, in_service, in_ingress)
        elif str(key) == "serviceType":
            yield "service", path, {"type": value}


def _enabled(block: Mapping[str, Any]) -> bool:
    """A Service block's ``enabled`` (ingress-nginx's ``controller.service.enabled``), unknown counts as on."""
    enabled = read(block, "enabled")
    return isinstance(enabled, Unknown) or go_truthy(enabled)


def go_truthy(value: Any) -> bool:
    """Whether a Helm template's ``{{ if .Values.x.enabled }}`` is taken: Go's templates treat false, 0,
    nil and empty strings, lists and maps as false, and anything else (the string ``"false"`` too) as true."""
    if isinstance(value, (Mapping, list, tuple, str)):
        return len(value) > 0
    return value is not None and value is not False and value != 0
