"""The in-cluster layer, on any cluster a ``kubernetes.Provider`` reaches (EKS, GKE, or your own)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.namespaces import NamespaceSpec, namespace, namespace_manifests

TYPE_TOKEN = "aistacks:k8s:WorkloadNamespaces"


class WorkloadNamespaces(pulumi.ComponentResource):
    """Namespaces with Pod Security Admission labels, a GPU ResourceQuota, default limits and
    default-deny NetworkPolicies plus the flows each needs."""

    namespaces: dict[str, pulumi.CustomResource]

    def __init__(
        self,
        name: str,
        specs: Sequence[NamespaceSpec],
        provider: k8s.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.namespaces = {}
        for spec in specs:
            created = apply_manifest(
                f"{name}-{spec.name}", namespace(spec), pulumi.ResourceOptions(parent=self, provider=provider)
            )
            self.namespaces[spec.name] = created
            for manifest in namespace_manifests(spec)[1:]:
                apply_manifest(
                    f"{name}-{spec.name}-{manifest['kind'].lower()}-{manifest['metadata']['name']}",
                    manifest,
                    pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[created]),
                )
        self.register_outputs({"namespaces": list(self.namespaces)})
