"""GCP network for private GKE clusters: a custom-mode VPC, one regional subnet with a pods and a
services range per cluster, Private Google Access, flow logs and Cloud NAT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_gcp as gcp

from aistacks._options import child
from aistacks.netplan import GcpSubnetPlan, plan_gcp_ranges
from aistacks.plan import GcpPlan
from aistacks.plan.gcp import GcpNetworkPlan

TYPE_TOKEN = "aistacks:gcp:Network"


@dataclass(frozen=True)
class NetworkArgs:
    """Arguments of :class:`Network`."""

    project: str
    region: str
    cidr: str = "10.16.0.0/12"
    """The block the nodes range and each cluster's pods and services ranges are cut from. Default: 10.16.0.0/12."""
    clusters: Sequence[str] = ()
    """The clusters that get a pods and a services range each (ranges named ``<cluster>-pods``,
    ``<cluster>-services``). Default: none."""
    ranges: GcpSubnetPlan | None = None
    """The ranges, planned (:func:`aistacks.netplan.plan_gcp_ranges`); given, ``cidr`` and ``clusters``
    are not read. Default: that plan for ``cidr`` and ``clusters``."""

    @classmethod
    def from_plan(cls, cloud: GcpPlan, network: GcpNetworkPlan) -> NetworkArgs:
        """The network of ``cloud``'s plan: its region and address ranges."""
        return cls(project=cloud.project, region=cloud.region, ranges=network.ranges)


class NetworkRef(Protocol):
    """What clusters and private endpoints need of a network: the network and the nodes' subnetwork."""

    @property
    def network_id(self) -> pulumi.Input[str]: ...

    @property
    def subnetwork_id(self) -> pulumi.Input[str]: ...


@dataclass(frozen=True)
class ExistingNetwork:
    """A network and subnetwork that exist (``gcp.existing_network``): referred to, never changed."""

    network_id: str
    """``projects/<project>/global/networks/<name>``."""
    subnetwork_id: str
    """``projects/<project>/regions/<region>/subnetworks/<name>``."""


class Network(pulumi.ComponentResource):
    """No auto subnets, no public IPs needed: nodes reach Google APIs privately and the internet
    through Cloud NAT; every flow is logged."""

    network: gcp.compute.Network
    subnetwork: gcp.compute.Subnetwork
    ranges: GcpSubnetPlan

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.ranges = args.ranges or plan_gcp_ranges(args.cidr, list(args.clusters))
        self.network = gcp.compute.Network(
            f"{name}-vpc",
            project=args.project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=child(self),
        )
        self.subnetwork = gcp.compute.Subnetwork(
            f"{name}-nodes",
            project=args.project,
            region=args.region,
            network=self.network.id,
            ip_cidr_range=str(self.ranges.primary),
            private_ip_google_access=True,
            secondary_ip_ranges=[
                {"range_name": name_, "ip_cidr_range": str(block)}
                for cluster in self.ranges.clusters
                for name_, block in ((cluster.pods_name, cluster.pods), (cluster.services_name, cluster.services))
            ],
            log_config={
                "aggregation_interval": "INTERVAL_5_SEC",
                "flow_sampling": 0.5,
                "metadata": "INCLUDE_ALL_METADATA",
            },
            opts=child(self),
        )
        router = gcp.compute.Router(
            f"{name}-router", project=args.project, region=args.region, network=self.network.id, opts=child(self)
        )
        gcp.compute.RouterNat(
            f"{name}-nat",
            project=args.project,
            region=args.region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=child(self),
        )
        self.register_outputs({"network": self.network.id, "subnetwork": self.subnetwork.id})

    @property
    def network_id(self) -> pulumi.Output[str]:
        return self.network.id

    @property
    def subnetwork_id(self) -> pulumi.Output[str]:
        return self.subnetwork.id
