"""GKE cluster for one role, and its GPU node pools: private nodes, Workload Identity,
application-layer secrets encryption with the stack's CryptoKey, shielded nodes, CMEK boot disks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from aistacks._options import child, stateful_child
from aistacks.defaults import SYSTEM_NODE_HEADROOM
from aistacks.gcp.identity import WorkloadPrincipal, workload_principal_member
from aistacks.gcp.kms import KmsKey
from aistacks.gcp.kubernetes import GKE_METADATA_SERVER, PD_STORAGE_CLASS, pd_storage_classes
from aistacks.gcp.network import NetworkRef
from aistacks.k8s import MetadataServer, WorkloadIdentity, apply_manifest
from aistacks.k8s.kubeconfig import exec_kubeconfig
from aistacks.plan.gcp import (
    SYSTEM_MACHINE_TYPE,
    SYSTEM_NODES_PER_ZONE,
    GcpPlan,
    GkeClusterPlan,
    GkePoolPlan,
    node_service_account_id,
)
from aistacks.plan.model import Taint
from aistacks.vocabulary import ApiEndpoint, Role

TYPE_TOKEN = "aistacks:gcp:GkeCluster"
SYSTEM_POOL = "system"
"""The system node pool's name. Node pool names are unique within their cluster, so the pools are named
``system`` and after their config name, never auto-named: auto-naming appends 8 characters to a logical
name that already holds the cluster's, and GKE allows 40 (terraform-provider-google#17504)."""
POOL_TYPE_TOKEN = "aistacks:gcp:GpuNodePool"

LOGGED_COMPONENTS: tuple[str, ...] = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS")
"""Control-plane and workload logging. Source: GKE docs, "Configure logs collection" (read 2026-11-27)."""

MONITORED_COMPONENTS = ("SYSTEM_COMPONENTS",)
"""GKE's own metrics (a new cluster's default), with Managed Service for Prometheus's managed collection on,
which scrapes the model servers' PodMonitorings; GPU clusters add ``DCGM``: GKE installs the DCGM exporter
and its ClusterPodMonitoring (GKE docs, "Collect and view DCGM metrics"; on by default for clusters created
at 1.32.1-gke.1357000 or later; needs GKE-installed drivers, which every GPU pool here uses; read
2026-12-01). Written out so that an older default never leaves the queue unscraped."""

NODE_ROLES: tuple[str, ...] = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
)
"""A least-privilege node service account instead of the Compute default (Editor). Source: GKE
docs, "Harden your cluster's security", use least privilege service accounts (read 2026-11-27)."""


@dataclass(frozen=True)
class GkeClusterArgs:
    """Arguments of :class:`GkeCluster`."""

    project: str
    region: str
    kubernetes_version: str
    """Minimum control-plane version (``"1.35"``); the release channel patches within it. Required."""
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    pods_range: str
    services_range: str
    master_authorized_cidr: str
    """The network allowed to reach the control plane (the nodes' subnet). Required."""
    kms_key: KmsKey
    """The stack's key, in ``region``: secrets encryption, boot disks, the default StorageClass. Required."""
    api_access_cidrs: Sequence[str] = ()
    """More networks allowed to reach the control plane (a CI runner's or bastion's). Default: none."""
    role: Role = "training"
    api_endpoint: ApiEndpoint = "dns"
    """How the deployer reaches the API: ``dns``, the IAM-gated DNS endpoint with the IP endpoints
    private; ``private``, the private IP endpoint only (from the nodes' subnet and ``api_access_cidrs``);
    ``restricted``, the public IP endpoint too, admitting only the nodes' subnet and ``api_access_cidrs``;
    ``public``, the public IP endpoint from anywhere. Default: dns."""
    release_channel: str = "REGULAR"
    """The GKE release channel that patches the cluster within its minimum version. Default: REGULAR."""
    deletion_protection: bool = True
    protect: bool = True
    system_nodes_per_zone: int = SYSTEM_NODES_PER_ZONE
    system_max_nodes_per_zone: int | None = None
    """The most the system pool scales to per zone. Default: ``system_nodes_per_zone`` plus 2."""
    system_machine_type: str = SYSTEM_MACHINE_TYPE
    node_service_account_id: str | None = None
    """The nodes' service account ID. Default: ``<name>-nodes``, cut to the 30 characters IAM allows."""
    labels: Mapping[str, str] = field(default_factory=dict)
    gpu_metrics: bool = False
    """GKE's managed DCGM metrics of the GPU nodes, into Managed Service for Prometheus. Default: off."""

    @classmethod
    def from_plan(cls, cluster: GkeClusterPlan, cloud: GcpPlan, network: NetworkRef, kms_key: KmsKey) -> GkeClusterArgs:
        """The cluster of a plan, in ``network`` on its planned ranges, encrypted with ``kms_key``."""
        return cls(
            project=cloud.project,
            region=cloud.region,
            kubernetes_version=cluster.kubernetes_version,
            network=network.network_id,
            subnetwork=network.subnetwork_id,
            pods_range=cluster.pods_range,
            services_range=cluster.services_range,
            master_authorized_cidr=cluster.master_authorized_cidr,
            api_access_cidrs=cluster.api_access_cidrs,
            kms_key=kms_key,
            role=cluster.role,
            api_endpoint=cluster.api_endpoint,
            release_channel=cluster.release_channel,
            deletion_protection=cluster.deletion_protection,
            protect=cluster.protect,
            system_nodes_per_zone=cluster.system_nodes_per_zone,
            system_max_nodes_per_zone=cluster.system_max_nodes_per_zone,
            system_machine_type=cluster.system_machine_type,
            node_service_account_id=cluster.node_service_account_id,
            labels=dict(cloud.tags),
            gpu_metrics=bool(cluster.gpu_pools),
        )


class GkeCluster(pulumi.ComponentResource):
    """A regional GKE cluster whose default pool is replaced by a small system pool; GPU pools attach
    as :class:`GpuNodePool`. It is a :class:`aistacks.k8s.KubernetesCluster`: the in-cluster layer
    builds on it."""

    cluster: gcp.container.Cluster
    cluster_name: str
    node_service_account: gcp.serviceaccount.Account
    provider: k8s.Provider
    storage_class: str = PD_STORAGE_CLASS
    """The encrypted default StorageClass (volumes retained); ``<it>-scratch`` deletes them with their claim."""
    metadata_server: MetadataServer | None = GKE_METADATA_SERVER
    """Pods reach the GKE metadata server for their Workload Identity."""
    ready: list[pulumi.Resource]
    """The system node pool: its nodes run GKE's DNS and Persistent Disk CSI driver."""

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self.cluster_name = name
        self.node_service_account = self._node_identity(name, args)
        self.cluster = self._control_plane(name, args)
        system = self.node_pool(
            f"{name}-system",
            pool_name=SYSTEM_POOL,
            machine_type=args.system_machine_type,
            autoscaling={
                "min_node_count": args.system_nodes_per_zone,
                "max_node_count": args.system_max_nodes_per_zone or args.system_nodes_per_zone + SYSTEM_NODE_HEADROOM,
            },
            node_locations=None,
            labels={"aistacks.io/pool": "system"},
        )
        self.ready = [system]
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=_kubeconfig(self.cluster, dns=args.api_endpoint == "dns"),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[system]),
        )
        for storage_class in pd_storage_classes(args.kms_key.key_id):
            apply_manifest(
                f"{name}-{storage_class['metadata']['name']}",
                storage_class,
                pulumi.ResourceOptions(parent=self, provider=self.provider),
            )
        self.register_outputs({"cluster": self.cluster.id, "endpoint": self.cluster.endpoint})

    @property
    def component(self) -> pulumi.Resource:
        return self

    def _node_identity(self, name: str, args: GkeClusterArgs) -> gcp.serviceaccount.Account:
        """The nodes' own service account with the least roles they need (never the Compute default)."""
        account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            project=args.project,
            account_id=args.node_service_account_id or node_service_account_id(name),
            display_name=f"GKE nodes of {name}",
            opts=child(self),
        )
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.split('/')[-1]}",
                project=args.project,
                role=role,
                member=account.member,
                opts=child(self),
            )
        return account

    def _control_plane(self, name: str, args: GkeClusterArgs) -> gcp.container.Cluster:
        """Regional, VPC-native on the planned ranges, private nodes, secrets encrypted with the key (whose
        service agents are admitted first), Workload Identity, Dataplane V2, the default pool removed."""
        grants = [*args.kms_key.allow_service_agent("container"), *args.kms_key.allow_service_agent("compute")]
        return gcp.container.Cluster(
            name,
            name=name,
            project=args.project,
            location=args.region,
            min_master_version=args.kubernetes_version,
            release_channel={"channel": args.release_channel},
            network=args.network,
            subnetwork=args.subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": args.pods_range,
                "services_secondary_range_name": args.services_range,
            },
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": args.api_endpoint in ("dns", "private"),
            },
            # The DNS endpoint takes traffic only when it is the way in: Cloud IAM then authorises every
            # request (container.clusters.connect) before RBAC. Source: GKE docs, "About network isolation
            # in GKE", DNS-based endpoint (read 2026-11-30).
            control_plane_endpoints_config={
                "dns_endpoint_config": {"allow_external_traffic": args.api_endpoint == "dns"},
                "ip_endpoints_config": {"enabled": True},
            },
            master_authorized_networks_config=None
            if args.api_endpoint == "public"
            else {
                "cidr_blocks": [
                    {"cidr_block": args.master_authorized_cidr, "display_name": "nodes"},
                    *(
                        {"cidr_block": cidr, "display_name": f"api-access-{index}"}
                        for index, cidr in enumerate(args.api_access_cidrs)
                    ),
                ],
                "gcp_public_cidrs_access_enabled": False,
            },
            workload_identity_config={"workload_pool": f"{args.project}.svc.id.goog"},
            database_encryption={"state": "ENCRYPTED", "key_name": args.kms_key.key_id},
            enable_shielded_nodes=True,
            datapath_provider="ADVANCED_DATAPATH",
            logging_config={"enable_components": list(LOGGED_COMPONENTS)},
            monitoring_config={
                "enable_components": [*MONITORED_COMPONENTS, *(["DCGM"] if args.gpu_metrics else [])],
                "managed_prometheus": {"enabled": True},
            },
            remove_default_node_pool=True,
            initial_node_count=1,
            deletion_protection=args.deletion_protection,
            resource_labels={**args.labels, "aistacks-role": args.role},
            opts=stateful_child(self, protect=args.protect, depends_on=grants),
        )

    def workload_identity(
        self, namespace: str, service_account: str, tags: Mapping[str, str] | None = None
    ) -> WorkloadIdentity[WorkloadPrincipal]:
        """``namespace/service_account`` as an IAM principal (Workload Identity Federation): grant it
        access; the ServiceAccount needs no annotation. ``tags``: none apply (principals carry no labels)."""
        del tags
        return WorkloadIdentity(self.workload_principal(namespace, service_account))

    def workload_principal(self, namespace: str, service_account: str) -> WorkloadPrincipal:
        """The ServiceAccount ``namespace/service_account`` as an IAM principal. The workload identity
        pool is the project's, so the same ServiceAccount in any cluster of the project is this
        principal. The member is computed from the cluster's pool, so grants wait for the cluster
        (which creates the pool on a fresh project)."""
        number = gcp.organizations.get_project_output(
            project_id=self._args.project, opts=pulumi.InvokeOptions(parent=self)
        ).number
        pool = self.cluster.workload_identity_config.apply(_workload_pool)
        return WorkloadPrincipal(
            f"{self.cluster_name}-{namespace}-{service_account}",
            pulumi.Output.all(number, pool).apply(
                lambda values: workload_principal_member(values[0], values[1], namespace, service_account)
            ),
        )

    def node_pool(
        self,
        name: str,
        *,
        pool_name: str,
        machine_type: str,
        autoscaling: gcp.container.NodePoolAutoscalingArgsDict,
        node_locations: Sequence[str] | None,
        labels: Mapping[str, str],
        accelerator: gcp.container.NodePoolNodeConfigGuestAcceleratorArgsDict | None = None,
        taint: Taint | None = None,
        spot: bool = False,
        parent: pulumi.Resource | None = None,
        resource_labels: Mapping[str, str] | None = None,
    ) -> gcp.container.NodePool:
        node_config: gcp.container.NodePoolNodeConfigArgsDict = {
            "machine_type": machine_type,
            "service_account": self.node_service_account.email,
            "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "boot_disk_kms_key": self._args.kms_key.key_id,
            "disk_type": "pd-balanced",
            "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
            "workload_metadata_config": {"mode": "GKE_METADATA"},
            "labels": dict(labels),
            "spot": spot,
            "resource_labels": {**self._args.labels, **(resource_labels or {})},
        }
        if accelerator is not None:
            node_config["guest_accelerators"] = [accelerator]
        if taint is not None:
            node_config["taints"] = [{"key": taint.key, "value": taint.value, "effect": taint.api_effect}]
        return gcp.container.NodePool(
            name,
            name=pool_name,
            project=self._args.project,
            location=self._args.region,
            cluster=self.cluster.name,
            node_locations=list(node_locations) if node_locations else None,
            autoscaling=autoscaling,
            node_config=node_config,
            management={"auto_repair": True, "auto_upgrade": True},
            opts=child(parent or self),
        )


class GpuNodePool(pulumi.ComponentResource):
    """A GKE GPU pool: the accelerator's machine type in the zones of the region that offer it,
    drivers installed by GKE, spot for training, the GPU taint, CMEK boot disks, shielded nodes and
    the GKE metadata server (Workload Identity)."""

    node_pool: gcp.container.NodePool

    def __init__(self, name: str, cluster: GkeCluster, pool: GkePoolPlan, opts: pulumi.ResourceOptions | None = None):
        """``pool``: the planned pool (:func:`aistacks.plan.plan_gke_pool`)."""
        super().__init__(POOL_TYPE_TOKEN, name, None, opts)
        self.node_pool = cluster.node_pool(
            name,
            pool_name=pool.name,
            machine_type=pool.accelerator.name,
            autoscaling={
                "total_min_node_count": pool.min_nodes,
                "total_max_node_count": pool.max_nodes,
                "location_policy": "ANY",
            },
            node_locations=pool.zones,
            labels=pool.labels,
            accelerator={
                "type": pool.accelerator_type,
                "count": pool.accelerator.count,
                "gpu_driver_installation_config": {"gpu_driver_version": pool.driver_version},
            },
            taint=pool.taint,
            spot=pool.capacity == "spot",
            parent=self,
            resource_labels=pool.resource_labels,
        )
        self.register_outputs({"node_pool": self.node_pool.id})


def _kubeconfig(cluster: gcp.container.Cluster, *, dns: bool) -> pulumi.Output[str]:
    """A kubeconfig that authenticates with ``gke-gcloud-auth-plugin``, on the DNS endpoint (whose
    certificate a public CA signs, so no cluster CA; hashicorp/terraform-provider-kubernetes#2637) or the IP
    endpoint with the cluster's CA."""
    auth = {"command": "gke-gcloud-auth-plugin", "provideClusterInfo": True}
    if dns:
        endpoint = cluster.control_plane_endpoints_config.apply(_dns_endpoint)
        return pulumi.Output.all(cluster.name, endpoint).apply(
            lambda values: exec_kubeconfig(values[0], f"https://{values[1]}", None, auth)
        )
    return pulumi.Output.all(cluster.name, cluster.endpoint, cluster.master_auth.cluster_ca_certificate).apply(
        lambda values: exec_kubeconfig(values[0], f"https://{values[1]}", values[2], auth)
    )


def _dns_endpoint(config: gcp.container.outputs.ClusterControlPlaneEndpointsConfig | None) -> str:
    dns = config.dns_endpoint_config if config is not None else None
    if dns is None or not dns.endpoint:
        raise pulumi.RunError("the cluster reported no DNS endpoint; its API cannot be reached through it")
    return dns.endpoint


def _workload_pool(config: gcp.container.outputs.ClusterWorkloadIdentityConfig | None) -> str:
    if config is None or not config.workload_pool:
        raise pulumi.RunError("the cluster has no Workload Identity pool; its workloads cannot be IAM principals")
    return config.workload_pool
