"""Vertex AI Vector Search: a streaming index deployed to an index endpoint that is reachable only
through a Private Service Connect address in the stack's subnet, both encrypted with the stack's key.

Arguments and behaviour follow the pulumi-gcp SDK (vertex.AiIndex, AiIndexEndpoint,
AiIndexEndpointDeployedIndex; compute.ForwardingRule, "Private Service Connect" example) and Google's
"Set up Vector Search with Private Service Connect" (read 2026-11-27).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from aistacks._options import child, stateful_child
from aistacks.gcp.kms import KmsKey
from aistacks.gcp.network import NetworkRef
from aistacks.k8s.manifests import Manifest
from aistacks.k8s.namespaces import address_egress
from aistacks.plan import GcpPlan, VectorPlan
from aistacks.vocabulary import VertexDistance

TYPE_TOKEN = "aistacks:gcp:VectorSearchIndex"

# Queries to a deployed index go to its private address on TCP 10000 (gRPC MatchService). Source:
# Google Cloud docs, "Query a Vector Search index over a private endpoint" (read 2026-11-27).
VECTOR_SEARCH_MATCH_PORT = 10000

# Tree-AH needs a default neighbour count; 150 is the value of Google's example index configuration
# ("Manage indexes", index_metadata.json, read 2026-11-27). Queries may ask for more or fewer.
APPROXIMATE_NEIGHBORS = 150


def deployed_index_id(name: str) -> str:
    """A deployed index ID from a resource name: it must start with a letter and hold only letters,
    digits and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if cleaned[:1].isalpha() else f"i_{cleaned}"


@dataclass(frozen=True)
class VectorSearchIndexArgs:
    """Arguments of :class:`VectorSearchIndex`."""

    project: str
    """Project of the index, the endpoint and the PSC address. Required."""
    region: str
    """Region of everything; the key must be in the same region. Required."""
    display_name: str
    """Display name of the index and the endpoint. Required."""
    dimensions: int
    """Dimensions of the embedding vectors. Required."""
    network: pulumi.Input[str]
    """The VPC (``projects/…/global/networks/…``) that reaches the endpoint. Required."""
    subnetwork: pulumi.Input[str]
    """The subnet the endpoint's private address is taken from. Required."""
    kms_key: KmsKey | None
    """The stack's key (the Vertex AI service agent is admitted to it). ``None`` is the named opt-out
    to a Google-managed key, which AIS-ENC-001 reports. Required."""
    distance: VertexDistance = "DOT_PRODUCT_DISTANCE"
    """Distance measure. Default: DOT_PRODUCT_DISTANCE (Vertex's own default)."""
    min_replicas: int = 2
    """Minimum serving replicas (Vertex gives no SLA for 1). Default: 2."""
    max_replicas: int | None = None
    """Maximum serving replicas. Default: twice the minimum."""
    public_access: bool = False
    """Named opt-out: a public endpoint instead of Private Service Connect (AIS-NET-003 reports it).
    Default: off."""
    client_service_accounts: Sequence[pulumi.Input[str]] = ()
    """Service accounts (emails) of the VMs that may query the private address, such as a GKE cluster's
    node service account: VPC firewall rules then deny every other VM of the network. Default: none
    (any VM of the network reaches the address)."""
    protect: bool = True
    """Protect the index from deletion; retain it if removed from the program. Default: on."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the index and the endpoint. Default: none."""

    @classmethod
    def from_plan(
        cls,
        vector: VectorPlan,
        cloud: GcpPlan,
        network: NetworkRef,
        kms_key: KmsKey,
        client_service_accounts: Sequence[pulumi.Input[str]],
    ) -> VectorSearchIndexArgs:
        """The index of a plan, on a Private Service Connect address in ``network``'s subnet; ``kms_key`` is
        used unless the plan opts out of a customer-managed key."""
        return cls(
            project=cloud.project,
            region=cloud.region,
            display_name=vector.name,
            dimensions=vector.dimensions,
            distance=vector.distance,
            network=network.network_id,
            subnetwork=network.subnetwork_id,
            kms_key=kms_key if vector.customer_managed_key else None,
            min_replicas=vector.replicas,
            public_access=vector.public_access,
            client_service_accounts=client_service_accounts,
            protect=cloud.protect,
            labels=dict(cloud.tags),
        )


class VectorSearchIndex(pulumi.ComponentResource):
    """A STREAM_UPDATE index (upserts are searchable in seconds), its endpoint and the deployment."""

    index: gcp.vertex.AiIndex
    index_endpoint: gcp.vertex.AiIndexEndpoint
    deployed_index: gcp.vertex.AiIndexEndpointDeployedIndex
    private_address: gcp.compute.Address | None
    endpoint: pulumi.Output[str]
    """Where clients connect: the Private Service Connect address, or the public domain name."""

    def __init__(self, name: str, args: VectorSearchIndexArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        key_name: pulumi.Input[str] | None = None
        key_grant: list[pulumi.Resource] = []
        if args.kms_key is not None:
            key_name = args.kms_key.key_id
            key_grant = args.kms_key.allow_service_agent("aiplatform")
        labels = dict(args.labels)
        self.index = gcp.vertex.AiIndex(
            f"{name}-index",
            project=args.project,
            region=args.region,
            display_name=args.display_name,
            index_update_method="STREAM_UPDATE",
            metadata={
                "config": {
                    "dimensions": args.dimensions,
                    "approximate_neighbors_count": APPROXIMATE_NEIGHBORS,
                    "distance_measure_type": args.distance,
                    "algorithm_config": {"tree_ah_config": {}},
                },
            },
            encryption_spec={"kms_key_name": key_name} if key_name is not None else None,
            labels=labels,
            opts=stateful_child(self, protect=args.protect, depends_on=key_grant),
        )
        self.index_endpoint = gcp.vertex.AiIndexEndpoint(
            f"{name}-endpoint",
            project=args.project,
            region=args.region,
            display_name=args.display_name,
            public_endpoint_enabled=args.public_access,
            private_service_connect_config=None
            if args.public_access
            else {"enable_private_service_connect": True, "project_allowlists": [args.project]},
            encryption_spec={"kms_key_name": key_name} if key_name is not None else None,
            labels=labels,
            opts=child(self, depends_on=key_grant),
        )
        self.deployed_index = gcp.vertex.AiIndexEndpointDeployedIndex(
            f"{name}-deployed",
            region=args.region,
            index_endpoint=self.index_endpoint.id,
            index=self.index.id,
            deployed_index_id=deployed_index_id(args.display_name),
            display_name=args.display_name,
            automatic_resources={
                "min_replica_count": args.min_replicas,
                "max_replica_count": args.max_replicas or 2 * args.min_replicas,
            },
            opts=child(self),
        )
        self.private_address = None
        if args.public_access:
            self.endpoint = self.index_endpoint.public_endpoint_domain_name
        else:
            self.private_address = self._private_service_connect(name, args)
            self.endpoint = self.private_address.address
        self.register_outputs({"index_id": self.index.id, "endpoint": self.endpoint})

    def _private_service_connect(self, name: str, args: VectorSearchIndexArgs) -> gcp.compute.Address:
        """An internal address in the subnet that forwards to the deployment's service attachment."""
        address = gcp.compute.Address(
            f"{name}-psc",
            project=args.project,
            region=args.region,
            subnetwork=args.subnetwork,
            address_type="INTERNAL",
            description=f"{args.display_name}: Private Service Connect to Vector Search",
            opts=child(self),
        )
        attachment = self.deployed_index.private_endpoints.apply(_service_attachment)
        gcp.compute.ForwardingRule(
            f"{name}-psc",
            project=args.project,
            region=args.region,
            network=args.network,
            ip_address=address.id,
            target=attachment,
            load_balancing_scheme="",
            opts=child(self),
        )
        if args.client_service_accounts:
            self._firewall(name, args, address)
        return address

    def _firewall(self, name: str, args: VectorSearchIndexArgs, address: gcp.compute.Address) -> None:
        """Only the client VMs may open connections to the address, on the match port. Egress firewall
        rules govern traffic to an endpoint (Google Cloud docs, "Access published services through
        endpoints", read 2026-11-27)."""
        destination = [address.address.apply(lambda ip: f"{ip}/32")]
        gcp.compute.Firewall(
            f"{name}-psc-clients",
            project=args.project,
            network=args.network,
            direction="EGRESS",
            priority=900,
            destination_ranges=destination,
            allows=[{"protocol": "tcp", "ports": [str(VECTOR_SEARCH_MATCH_PORT)]}],
            target_service_accounts=list(args.client_service_accounts),
            description=f"{args.display_name}: the clients may query Vector Search",
            opts=child(self),
        )
        gcp.compute.Firewall(
            f"{name}-psc-others",
            project=args.project,
            network=args.network,
            direction="EGRESS",
            priority=1000,
            destination_ranges=destination,
            denies=[{"protocol": "all"}],
            description=f"{args.display_name}: no other VM reaches Vector Search",
            opts=child(self),
        )


def client_egress(namespace: str, address: pulumi.Input[str]) -> Manifest:
    """The NetworkPolicy that lets the pods of ``namespace`` query the index at its private ``address``."""
    return address_egress(namespace, "vector-search", address, [VECTOR_SEARCH_MATCH_PORT])


def _service_attachment(endpoints: Sequence[Any] | None) -> str:
    """The deployment's service attachment, which Vertex sets when the endpoint uses Private Service Connect."""
    attachment = endpoints[0].service_attachment if endpoints else None
    if not attachment:
        raise pulumi.RunError(
            "the deployed index has no Private Service Connect service attachment; "
            "its index endpoint must enable Private Service Connect"
        )
    return attachment
