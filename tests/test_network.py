"""The AWS network in the stacks' resource graphs."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.engine.graph import display_value
from aistacks.plan.aws import EKS_INTERFACE_ENDPOINTS, METRICS_ENDPOINT

Plan = Callable[[str, bool], ResourceGraph]


def inputs(record: ResourceRecord) -> dict[str, Any]:
    return display_value(record.inputs)


@pytest.mark.parametrize(("env", "zones", "nats"), [("dev", 2, 1), ("staging", 3, 1), ("prod", 3, 3)])
def test_subnets_zones_and_nat_per_tier(plan: Plan, env: str, zones: int, nats: int) -> None:
    graph = plan(env, False)
    subnets = [inputs(r) for r in graph.of_type("aws:ec2/subnet:Subnet")]
    private = [s for s in subnets if s["tags"].get("kubernetes.io/role/internal-elb") == "1"]
    public = [s for s in subnets if s["tags"].get("kubernetes.io/role/elb") == "1"]
    assert len(private) == len(public) == zones
    assert len({s["availabilityZone"] for s in private}) == zones, "one private subnet per distinct zone"
    assert all(s["availabilityZone"].startswith("eu-") for s in private)
    assert not any(s["mapPublicIpOnLaunch"] for s in subnets), "no subnet hands out public IPs"
    cidrs = [ipaddress.IPv4Network(s["cidrBlock"]) for s in subnets]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(cidrs, 2))
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == nats


def test_private_subnets_route_through_nat_and_public_ones_through_the_internet_gateway(plan: Plan) -> None:
    graph = plan("prod", False)
    tables = [inputs(r) for r in graph.of_type("aws:ec2/routeTable:RouteTable")]
    via_nat = [t for t in tables if any("natGatewayId" in route for route in t["routes"])]
    via_igw = [t for t in tables if any("gatewayId" in route for route in t["routes"])]
    assert len(via_nat) == 3
    assert len(via_igw) == 1
    nat_ids = {route["natGatewayId"] for t in via_nat for route in t["routes"]}
    assert len(nat_ids) == 3, "prod: each zone its own NAT gateway"


@pytest.mark.parametrize("preview", [False, True])
def test_endpoints_let_private_nodes_reach_aws_apis(plan: Plan, preview: bool) -> None:
    graph = plan("prod", preview)
    endpoints = [inputs(r) for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")]
    interface = [e for e in endpoints if e["vpcEndpointType"] == "Interface"]
    gateway = [e for e in endpoints if e["vpcEndpointType"] == "Gateway"]
    # Prod serves a model on EKS: its metrics go to AMP through AMP's endpoint too.
    wanted = (*EKS_INTERFACE_ENDPOINTS, METRICS_ENDPOINT)
    assert len(interface) == len(wanted)
    assert all(e["privateDnsEnabled"] is True for e in interface)
    assert len(gateway) == 1
    if not preview:
        services = sorted(e["serviceName"] for e in endpoints)
        assert services == sorted(f"com.amazonaws.eu-central-1.{s}" for s in (*wanted, "s3"))
    (group,) = graph.of_type("aws:ec2/securityGroup:SecurityGroup")
    (rule,) = inputs(group)["ingress"]
    assert (rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (443, 443, ["10.0.0.0/16"])


def test_default_security_group_allows_nothing(plan: Plan) -> None:
    (group,) = plan("prod", False).of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert inputs(group)["ingress"] == []
    assert inputs(group)["egress"] == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_flow_logs_go_to_an_encrypted_log_group(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    (flow_log,) = graph.of_type("aws:ec2/flowLog:FlowLog")
    assert inputs(flow_log)["trafficType"] == "ALL"
    (group,) = [r for r in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if "vpc-flow-logs" in inputs(r)["name"]]
    assert ":key/" in inputs(group)["kmsKeyId"]
    assert group.urn in flow_log.property_dependencies["logDestination"]
    assert group.protect is (env != "dev")


def test_only_a_network_whose_clusters_serve_models_gets_the_metrics_endpoint(plan: Plan) -> None:
    def services(env: str) -> set[str]:
        return {inputs(r)["serviceName"] for r in plan(env, False).of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}

    assert f"com.amazonaws.eu-central-1.{METRICS_ENDPOINT}" not in services("dev"), "dev serves nothing"
    assert f"com.amazonaws.eu-central-1.{METRICS_ENDPOINT}" in services("staging")
