"""What the in-cluster layer needs from a cluster, whichever cloud (or none) runs it.

EKS and GKE clusters (``aistacks.aws.EksCluster``, ``aistacks.gcp.GkeCluster``) satisfy
:class:`KubernetesCluster`; the layer never asks which one it has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.namespaces import MetadataServer

PrincipalT_co = TypeVar("PrincipalT_co", covariant=True)


@dataclass(frozen=True)
class WorkloadIdentity(Generic[PrincipalT_co]):
    """A Kubernetes ServiceAccount bound to a cloud identity: what to grant, and how to annotate it."""

    principal: PrincipalT_co
    """What the cloud's grants name (an IAM role on EKS, a workload principal on GKE)."""
    annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """What the ServiceAccount must carry to act as it (EKS: the role ARN; GKE: nothing)."""


class KubernetesCluster(Protocol[PrincipalT_co]):
    """A cluster the in-cluster layer can build on."""

    @property
    def component(self) -> pulumi.Resource:
        """The resource everything the layer puts on the cluster is parented to."""
        ...

    @property
    def provider(self) -> k8s.Provider:
        """Reaches the cluster's API server."""
        ...

    @property
    def storage_class(self) -> str:
        """The encrypted default StorageClass (volumes retained); ``<it>-scratch`` deletes them with their claim."""
        ...

    @property
    def metadata_server(self) -> MetadataServer | None:
        """The metadata server pods may reach for their workload identity, if the cluster has one."""
        ...

    @property
    def ready(self) -> Sequence[pulumi.Resource]:
        """What in-cluster workloads that need storage or DNS wait for: the cluster's storage driver and DNS
        once they run (EKS: the CoreDNS and EBS CSI add-ons; GKE: the system node pool, whose nodes run
        GKE's own); empty where the cluster has them once its API answers."""
        ...

    def workload_identity(
        self, namespace: str, service_account: str, tags: Mapping[str, str] | None = None
    ) -> WorkloadIdentity[PrincipalT_co]:
        """Bind ``namespace/service_account`` to a cloud identity the caller then grants access; ``tags``
        go on the identity where the cloud's identities take them."""
        ...
