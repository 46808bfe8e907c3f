"""AWS network for private clusters: a VPC with private and public subnets per zone, NAT, the VPC
endpoints EKS nodes need, a locked default security group and flow logs to an encrypted log group."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pulumi
import pulumi_aws as aws

from aistacks._options import child, stateful_child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import assume_role_policy
from aistacks.naming import flow_log_group
from aistacks.netplan import SubnetPlan, plan_aws_subnets, positional_zones
from aistacks.plan import AwsPlan
from aistacks.plan.aws import EKS_INTERFACE_ENDPOINTS, AwsNetworkPlan, ExistingVpcPlan
from aistacks.vocabulary import NatMode

TYPE_TOKEN = "aistacks:aws:Network"
TYPE_TOKEN_EXISTING = "aistacks:aws:ExistingNetwork"


@dataclass(frozen=True)
class NetworkArgs:
    """Arguments of :class:`Network`."""

    flow_log_key_arn: pulumi.Input[str]
    """Customer-managed key of the flow log group (its policy must admit ``logs``). Required."""
    cidr: str = "10.0.0.0/16"
    """The VPC's IPv4 range. Default: 10.0.0.0/16."""
    zone_count: int = 3
    """Availability zones to spread subnets over (not read when ``subnets`` are given: they name their
    zones). Default: 3."""
    subnets: Sequence[SubnetPlan] = ()
    """The planned subnets (:func:`aistacks.netplan.plan_aws_subnets`, zones named by position:
    ``0``, ``1``, …). Default: that plan for ``cidr`` and ``zone_count``."""
    nat: NatMode = "per_zone"
    """``per_zone``: a NAT gateway per zone (a zone outage cuts no other zone off); ``single``: one,
    cheaper. Default: per_zone."""
    interface_endpoints: Sequence[str] = EKS_INTERFACE_ENDPOINTS
    """Interface endpoint services (``ec2``, ``ecr.api``, …). Default: what private EKS nodes need."""
    flow_log_retention_days: int = 365
    """Days the flow log group keeps records (a CloudWatch Logs retention value). Default: 365."""
    flow_log_group_name: str | None = None
    """The flow log group. Default: ``/aistacks/vpc-flow-logs/<component name>``."""
    cluster_names: Sequence[str] = ()
    """EKS clusters that will use the subnets (subnet discovery tags). Default: none."""
    protect: bool = True
    """Protect the flow log group from deletion. Default: on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every resource. Default: none."""

    @classmethod
    def from_plan(cls, cloud: AwsPlan, network: AwsNetworkPlan, flow_log_key_arn: pulumi.Input[str]) -> NetworkArgs:
        """The network of ``cloud``'s plan, its flow logs encrypted with ``flow_log_key_arn``."""
        return cls(
            flow_log_key_arn=flow_log_key_arn,
            cidr=network.cidr,
            zone_count=network.zones,
            subnets=network.subnets,
            nat=network.nat,
            flow_log_retention_days=network.flow_log_retention_days,
            flow_log_group_name=network.flow_log_group_name,
            cluster_names=network.cluster_names,
            interface_endpoints=network.interface_endpoints,
            protect=cloud.protect,
        )


def _zone(names: Sequence[str], index: int) -> str:
    if index >= len(names):
        raise pulumi.RunError(f"the region has {len(names)} available zones; {index + 1} or more were asked for")
    return names[index]


class NetworkRef(Protocol):
    """What clusters and private endpoints need of a VPC."""

    @property
    def vpc_id(self) -> pulumi.Input[str]: ...

    @property
    def private_subnet_ids(self) -> Sequence[pulumi.Input[str]]: ...

    @property
    def endpoint_security_group_id(self) -> pulumi.Input[str]:
        """A security group that admits HTTPS from inside the VPC, for interface endpoints."""
        ...


def endpoint_security_group(
    name: str, parent: pulumi.Resource, vpc_id: pulumi.Input[str], vpc_cidr: pulumi.Input[str], tags: dict[str, str]
) -> aws.ec2.SecurityGroup:
    """HTTPS from inside the VPC to its interface endpoints, nothing out."""
    return aws.ec2.SecurityGroup(
        name,
        description="HTTPS from inside the VPC to its interface endpoints",
        vpc_id=vpc_id,
        ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [vpc_cidr]}],
        egress=[],
        tags=tags,
        opts=child(parent),
    )


class ExistingNetwork(pulumi.ComponentResource):
    """A VPC that exists (``aws.existing_vpc``): referred to, never changed. The security group for
    interface endpoints (OpenSearch Serverless's) is the only thing made in it, and only when asked for."""

    def __init__(self, name: str, plan: ExistingVpcPlan, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN_EXISTING, name, None, opts)
        self._name = name
        self._vpc_id = plan.vpc_id
        self._subnet_ids = list(plan.private_subnet_ids)
        self._endpoint_group: aws.ec2.SecurityGroup | None = None
        self.register_outputs({"vpc_id": plan.vpc_id, "private_subnet_ids": self._subnet_ids})

    @property
    def vpc_id(self) -> str:
        return self._vpc_id

    @property
    def private_subnet_ids(self) -> list[str]:
        return self._subnet_ids

    @property
    def endpoint_security_group_id(self) -> pulumi.Output[str]:
        if self._endpoint_group is None:
            vpc = aws.ec2.get_vpc_output(id=self._vpc_id, opts=pulumi.InvokeOptions(parent=self))
            self._endpoint_group = endpoint_security_group(
                f"{self._name}-endpoints", self, self._vpc_id, vpc.cidr_block, {}
            )
        return self._endpoint_group.id


class Network(pulumi.ComponentResource):
    """A VPC across ``zone_count`` zones: private subnets for nodes and pods, public subnets only for NAT
    and load balancers, endpoints so nodes reach AWS APIs privately, flow logs on."""

    vpc: aws.ec2.Vpc
    private_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    endpoint_security_group: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        tags = dict(args.tags)
        plans = list(args.subnets) or plan_aws_subnets(args.cidr, positional_zones(args.zone_count))
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**tags, "Name": name},
            opts=child(self),
        )
        # The default security group is used by anything created without one: make it deny all.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, ingress=[], egress=[], tags=tags, opts=child(self)
        )
        internet = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags, opts=child(self))
        subnets = self._subnets(name, args, plans, tags)
        public = [subnets[p.name] for p in plans if p.tier == "public"]
        private = [subnets[p.name] for p in plans if p.tier == "private"]
        self._public_routes(name, public, internet, tags)
        nats = self._nat_gateways(name, args.nat, public, internet, tags)
        private_routes = self._private_routes(name, private, nats, tags)
        self.endpoint_security_group = endpoint_security_group(f"{name}-endpoints", self, self.vpc.id, args.cidr, tags)
        self._endpoints(name, args.interface_endpoints, private, private_routes, tags)
        self._flow_logs(name, args, tags)
        self.private_subnet_ids = [subnet.id for subnet in private]
        self.public_subnet_ids = [subnet.id for subnet in public]
        self.register_outputs({"vpc_id": self.vpc.id, "private_subnet_ids": self.private_subnet_ids})

    @property
    def vpc_id(self) -> pulumi.Output[str]:
        return self.vpc.id

    @property
    def endpoint_security_group_id(self) -> pulumi.Output[str]:
        return self.endpoint_security_group.id

    def _subnets(
        self, name: str, args: NetworkArgs, plans: Sequence[SubnetPlan], tags: dict[str, str]
    ) -> dict[str, aws.ec2.Subnet]:
        """Every planned subnet, in the zone at its position, tagged for load balancer discovery."""
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOptions(parent=self)).names
        discovery = {f"kubernetes.io/cluster/{cluster}": "shared" for cluster in args.cluster_names}
        subnets: dict[str, aws.ec2.Subnet] = {}
        for plan in plans:
            role = "kubernetes.io/role/internal-elb" if plan.tier == "private" else "kubernetes.io/role/elb"
            subnet_name = f"{name}-{plan.tier}-{plan.zone}"
            subnets[plan.name] = aws.ec2.Subnet(
                subnet_name,
                vpc_id=self.vpc.id,
                cidr_block=str(plan.cidr),
                availability_zone=zones.apply(lambda names, i=int(plan.zone): _zone(names, i)),
                map_public_ip_on_launch=False,
                tags={**tags, **discovery, role: "1", "Name": subnet_name},
                opts=child(self),
            )
        return subnets

    def _public_routes(
        self, name: str, public: Sequence[aws.ec2.Subnet], internet: aws.ec2.InternetGateway, tags: dict[str, str]
    ) -> None:
        table = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": internet.id}],
            tags=tags,
            opts=child(self),
        )
        for index, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child(self)
            )

    def _nat_gateways(
        self,
        name: str,
        nat: NatMode,
        public: Sequence[aws.ec2.Subnet],
        internet: aws.ec2.InternetGateway,
        tags: dict[str, str],
    ) -> list[aws.ec2.NatGateway]:
        count = len(public) if nat == "per_zone" else 1
        nats: list[aws.ec2.NatGateway] = []
        for index in range(count):
            address = aws.ec2.Eip(f"{name}-nat-{index}", domain="vpc", tags=tags, opts=child(self))
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=address.id,
                    subnet_id=public[index].id,
                    tags=tags,
                    opts=child(self, depends_on=[internet]),
                )
            )
        return nats

    def _private_routes(
        self,
        name: str,
        private: Sequence[aws.ec2.Subnet],
        nats: Sequence[aws.ec2.NatGateway],
        tags: dict[str, str],
    ) -> list[aws.ec2.RouteTable]:
        """A route table per private subnet, out through its zone's NAT gateway (or the single one)."""
        tables: list[aws.ec2.RouteTable] = []
        for index, subnet in enumerate(private):
            table = aws.ec2.RouteTable(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nats[index % len(nats)].id}],
                tags=tags,
                opts=child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child(self)
            )
            tables.append(table)
        return tables

    def _endpoints(
        self,
        name: str,
        services: Sequence[str],
        private: Sequence[aws.ec2.Subnet],
        private_routes: Sequence[aws.ec2.RouteTable],
        tags: dict[str, str],
    ) -> None:
        """S3 as a gateway endpoint on the private routes; the interface endpoints in the private subnets."""
        region = aws_context(self).apply(lambda where: where.region)
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=region.apply(lambda r: f"com.amazonaws.{r}.s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in private_routes],
            tags=tags,
            opts=child(self),
        )
        for service in services:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=self.vpc.id,
                service_name=region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in private],
                security_group_ids=[self.endpoint_security_group.id],
                tags=tags,
                opts=child(self),
            )

    def _flow_logs(self, name: str, args: NetworkArgs, tags: dict[str, str]) -> None:
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=args.flow_log_group_name or flow_log_group(name),
            kms_key_id=args.flow_log_key_arn,
            retention_in_days=args.flow_log_retention_days,
            # CloudWatch refuses to delete a protected group: logs outlive a mistaken destroy, as `protect` does.
            deletion_protection_enabled=args.protect,
            tags=tags,
            opts=stateful_child(self, protect=args.protect),
        )
        context = aws_context(self)
        role = aws.iam.Role(
            f"{name}-flow-logs",
            description="VPC Flow Logs delivers records to the flow log group",
            assume_role_policy=context.apply(
                lambda where: json.dumps(assume_role_policy("vpc-flow-logs.amazonaws.com", where.account_id))
            ),
            tags=tags,
            opts=child(self),
        )
        delivery = aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.name,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=child(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=tags,
            opts=child(self, depends_on=[delivery]),
        )
