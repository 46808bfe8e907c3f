"""Creating a manifest as a Pulumi resource, field for field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.manifests import Manifest

# Kinds whose fields sit beside `metadata` instead of under `spec`: their typed resource classes.
_TOP_LEVEL_KINDS: Mapping[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("storage.k8s.io/v1", "StorageClass"): k8s.storage.v1.StorageClass,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def apply_manifest(name: str, manifest: Manifest, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """The manifest as a resource of its own kind (``kubernetes:apps/v1:DaemonSet``, …) with its fields
    as written (outputs may stand inside them), so what is validated is what is applied."""
    api_version, kind = manifest["apiVersion"], manifest["kind"]
    fields: dict[str, Any] = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata")}
    typed = _TOP_LEVEL_KINDS.get((api_version, kind))
    if typed is not None:
        return typed(name, metadata=manifest["metadata"], opts=opts, **{_snake(k): v for k, v in fields.items()})
    if set(fields) - {"spec"}:
        raise ValueError(
            f"{kind} has fields beside spec ({', '.join(sorted(set(fields) - {'spec'}))}); add it to _TOP_LEVEL_KINDS"
        )
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, metadata=manifest["metadata"], spec=fields.get("spec"), opts=opts
    )
