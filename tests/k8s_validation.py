"""Strict validation of every manifest a plan applies: built-in kinds against Kubernetes' own schemas
(kubernetes-validate, strict), custom resources against their CRDs' schemas (tests/fixtures/crds, sources in
its SOURCES.md) with unknown fields refused, as the API server's strict field validation does."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

CRDS = Path(__file__).parent / "fixtures" / "crds"
CUSTOM_RESOURCES = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh_scaledobjects_v1alpha1.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda.sh_triggerauthentications_v1alpha1.json",
    ("monitoring.googleapis.com/v1", "PodMonitoring"): "monitoring.googleapis.com_podmonitorings_v1.json",
}
"""The custom resources aistacks applies, and the schema of each."""


def _closed(schema: Any) -> Any:
    """``schema`` with every object that lists its properties closed to others, unless the CRD keeps unknown
    fields there (``x-kubernetes-preserve-unknown-fields``) or says what else it takes."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


@cache
def crd_schema(file_name: str) -> dict[str, Any]:
    schema = json.loads((CRDS / file_name).read_text(encoding="utf-8"))
    # The API server checks metadata itself; the CRD's schema for it is an open object.
    schema.setdefault("properties", {}).pop("metadata", None)
    closed: dict[str, Any] = _closed(schema)
    closed["properties"]["metadata"] = {"type": "object"}
    for field in ("apiVersion", "kind"):
        closed["properties"].setdefault(field, {"type": "string"})
    return closed


def validate_strictly(manifest: dict[str, Any], version: str) -> None:
    """Raise when ``manifest`` is not valid for Kubernetes ``version``, or is a custom resource whose schema
    this suite does not hold."""
    key = (manifest["apiVersion"], manifest["kind"])
    if key in CUSTOM_RESOURCES:
        jsonschema.validate(manifest, crd_schema(CUSTOM_RESOURCES[key]))
        name = manifest["metadata"].get("name", "")
        assert name and len(name) <= 253, f"{key}: metadata.name {name!r}"
        return
    group = key[0].rpartition("/")[0]
    if "." in group and not group.endswith(".k8s.io"):
        raise AssertionError(f"{key} is a custom resource with no CRD schema in {CRDS}: add it to CUSTOM_RESOURCES")
    kubernetes_validate.validate(manifest, version, strict=True)
