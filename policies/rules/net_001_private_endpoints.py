"""AIS-NET-001: Kubernetes API endpoints and nodes are private."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_policy import Severity

from ..framework import Check, RuleMeta, Subject, resource_policy
from ..requirements import Equals, Forbids, Requirement

META = RuleMeta(
    id="AIS-NET-001",
    title="Cluster endpoints and nodes are private",
    description="EKS clusters have no public API endpoint; GKE clusters have private nodes and a private "
    "endpoint. Enable it in the policy config of every environment that must not be reachable from the "
    "internet (staging, prod).",
    severity=Severity.HIGH,
    remediation="Set public_endpoint: false on the cluster (the default outside dev); reach the API from "
    "inside the VPC (a bastion, a CI runner in the VPC, or a VPN).",
)

REQUIREMENTS: Mapping[str, tuple[Requirement, ...]] = {
    "aws:eks/cluster:Cluster": (Equals("vpcConfig.endpointPublicAccess", False),),
    "gcp:container/cluster:Cluster": (
        Equals("privateClusterConfig.enablePrivateNodes", True),
        Equals("privateClusterConfig.enablePrivateEndpoint", True),
    ),
    # A node pool inherits the cluster's private nodes unless it overrides them.
    "gcp:container/nodePool:NodePool": (Forbids("networkConfig.enablePrivateNodes", False),),
}
"""Each cluster type and what makes it private; a new type is one entry."""


def _check(check: Check, resource: Subject) -> None:
    for requirement in REQUIREMENTS.get(resource.resource_type, ()):
        requirement.verify(check, resource, "")


POLICY = resource_policy(META, _check)
