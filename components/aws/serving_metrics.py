"""The serving metrics of one EKS cluster: an Amazon Managed Service for Prometheus workspace on the stack
key, the Prometheus agent that writes the model servers' and GPUs' metrics to it, NVIDIA's DCGM exporter on
the GPU nodes, and the identity KEDA reads the servers' queues back as (why this path:
:mod:`aistacks.plan.serving_metrics`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child
from aistacks.aws.documents import AMP_QUERY_ACTIONS, AMP_WRITE_ACTIONS, prometheus_workspace_policy
from aistacks.aws.eks import EksCluster
from aistacks.k8s import apply_manifest
from aistacks.k8s.dcgm_exporter import dcgm_exporter_manifests, dcgm_scrape_target
from aistacks.k8s.inference import SERVER_PORT_NAME, selector
from aistacks.k8s.prometheus_agent import (
    COLLECTOR_NAME,
    MONITORING_NAMESPACE,
    RemoteWrite,
    ScrapeTarget,
    amp_remote_write_url,
    amp_workspace_url,
    prometheus_agent_manifests,
)
from aistacks.plan.autoscaler import SYSTEM_NODE_SELECTOR
from aistacks.plan.aws import AwsPoolPlan
from aistacks.plan.model import InferencePlan, ServingMetricsPlan

TYPE_TOKEN = "aistacks:aws:ServingMetrics"
NVIDIA_GPU_RESOURCE = "nvidia.com/gpu"
POOL_LABEL = "aistacks.io/pool"
"""Every pool's nodes carry their pool's name (:func:`aistacks.plan.compute.plan_pool`)."""


@dataclass(frozen=True)
class ServingMetricsArgs:
    """Arguments of :class:`ServingMetrics`."""

    plan: ServingMetricsPlan
    cluster_name: str
    """The cluster's name: every series carries it as ``cluster``."""
    region: str
    """The workspace's region (the cluster's): KEDA and the agent sign their requests for it."""
    kms_key_arn: pulumi.Input[str]
    """The stack key: the workspace's data at rest."""
    servers: Sequence[InferencePlan]
    """The model servers to scrape."""
    gpu_pools: Sequence[AwsPoolPlan]
    """The pools whose GPUs the DCGM exporter reports (NVIDIA ones; none: no exporter)."""
    tags: Mapping[str, str] = field(default_factory=dict)


def scrape_targets(servers: Sequence[InferencePlan]) -> list[ScrapeTarget]:
    """Each server's ``/metrics``, on the port its API is served on."""
    return [
        ScrapeTarget(
            job=server.name,
            namespace=server.namespace,
            selector=selector(server),
            port=SERVER_PORT_NAME,
            path=server.engine.metrics_path,
        )
        for server in servers
    ]


class ServingMetrics(pulumi.ComponentResource):
    """An AMP workspace for one cluster's model servers, what writes to it, and the role KEDA reads it as."""

    workspace: aws.amp.Workspace
    keda_role: aws.iam.Role
    """KEDA's operator's IRSA role (``keda:keda-operator``), which may query the workspace."""
    keda_grant: aws.iam.RolePolicy
    """The role's permission to query: KEDA waits for it, or its first reads are refused."""
    query_endpoint: pulumi.Output[str]
    """The workspace's Prometheus API base URL (no trailing slash): what KEDA queries."""

    def __init__(
        self,
        name: str,
        args: ServingMetricsArgs,
        cluster: EksCluster,
        opts: pulumi.ResourceOptions | None = None,
        wait_for: Sequence[pulumi.Resource] = (),
    ):
        """``wait_for``: what the in-cluster objects need first besides the cluster's storage and DNS (the
        namespaces of the servers, where the agent's Roles go). Default: nothing."""
        super().__init__(TYPE_TOKEN, name, None, opts)
        plan = args.plan
        self.workspace = aws.amp.Workspace(
            name, alias=plan.resource_name, kms_key_arn=args.kms_key_arn, tags=dict(args.tags), opts=child(self)
        )
        self.query_endpoint = amp_workspace_url(self.workspace.prometheus_endpoint)
        writer = cluster.workload_identity(MONITORING_NAMESPACE, COLLECTOR_NAME, args.tags)
        self._grant(f"{name}-write", writer.principal, AMP_WRITE_ACTIONS, args.kms_key_arn)
        reader = cluster.workload_role(
            f"{plan.keda.resource_name}-operator",
            f"{plan.keda.namespace}:{plan.keda.operator_service_account}",
            args.tags,
        )
        self.keda_grant = self._grant(f"{name}-query", reader, AMP_QUERY_ACTIONS, args.kms_key_arn)
        in_cluster = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, depends_on=[*cluster.ready, *wait_for]
        )
        nvidia = [pool for pool in args.gpu_pools if pool.gpu_resource == NVIDIA_GPU_RESOURCE]
        targets = scrape_targets(args.servers)
        if nvidia:
            targets.append(dcgm_scrape_target())
            for manifest in dcgm_exporter_manifests(
                nodes=(POOL_LABEL, [pool.name for pool in nvidia]),
                tolerations=[_toleration(pool) for pool in nvidia],
            ):
                apply_manifest(f"{name}-{_object_name(manifest)}", manifest, in_cluster)
        remote_write = RemoteWrite(amp_remote_write_url(self.workspace.prometheus_endpoint), args.region)
        for manifest in prometheus_agent_manifests(
            targets,
            remote_write,
            annotations=dict(writer.annotations),
            external_labels={"cluster": args.cluster_name},
            node_selector=SYSTEM_NODE_SELECTOR,
            scrape_interval_seconds=plan.scrape_interval_seconds,
        ):
            apply_manifest(f"{name}-{_object_name(manifest)}", manifest, in_cluster)
        self.keda_role = reader
        self.register_outputs({"workspace": self.workspace.arn, "query_endpoint": self.query_endpoint})

    def _grant(
        self, name: str, role: aws.iam.Role, actions: Sequence[str], key_arn: pulumi.Input[str]
    ) -> aws.iam.RolePolicy:
        document = pulumi.Output.all(self.workspace.arn, key_arn).apply(
            lambda arns: json.dumps(prometheus_workspace_policy(arns[0], arns[1], actions))
        )
        return aws.iam.RolePolicy(name, role=role.name, policy=document, opts=child(self))


def _toleration(pool: AwsPoolPlan) -> dict[str, str]:
    return {"key": pool.taint.key, "operator": "Equal", "value": pool.taint.value, "effect": pool.taint.effect}


def _object_name(manifest: Mapping[str, object]) -> str:
    """``<kind>-[<namespace>-]<name>``: the agent has a Role of the same name in each namespace it scrapes."""
    metadata = manifest["metadata"]
    assert isinstance(metadata, Mapping)
    namespace = f"{metadata['namespace']}-" if "namespace" in metadata else ""
    return f"{str(manifest['kind']).lower()}-{namespace}{metadata['name']}"
