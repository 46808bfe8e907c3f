"""EKS cluster for one role (training or inference): private, encrypted, audited, with IRSA, access
entries, managed add-ons, a system node group and a Kubernetes provider for what runs inside."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from aistacks._options import child, stateful_child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import assume_role_policy, ebs_csi_key_policy, eks_secrets_key_policy, irsa_trust_policy
from aistacks.aws.kubernetes import EBS_STORAGE_CLASS, IRSA_ANNOTATION, ebs_storage_classes
from aistacks.aws.nodes import AUTOSCALED_SIZE, launch_template
from aistacks.defaults import SYSTEM_NODE_HEADROOM
from aistacks.k8s import MetadataServer, WorkloadIdentity, apply_manifest
from aistacks.k8s.kubeconfig import exec_kubeconfig
from aistacks.naming import eks_log_group
from aistacks.plan.aws import SYSTEM_AMI_TYPE, SYSTEM_INSTANCE_TYPE, SYSTEM_VOLUME_GIB, EksClusterPlan
from aistacks.vocabulary import Role

TYPE_TOKEN = "aistacks:aws:EksCluster"

CONTROL_PLANE_LOG_TYPES: tuple[str, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every EKS control-plane log type. Source: Amazon EKS User Guide, "Send control plane logs to
CloudWatch Logs" (read 2026-11-27)."""

VPC_CNI_CONFIGURATION: dict[str, str] = {"enableNetworkPolicy": "true"}
"""The ``vpc-cni`` add-on's configuration: its network policy agent enforces the namespaces' NetworkPolicies,
which EKS otherwise accepts and ignores. It needs Kubernetes 1.25+, VPC CNI 1.14+ (the add-on's default
version for any Kubernetes version EKS supports today), Linux kernel 5.10+ and the BPF file system mounted
(the EKS AL2023 and Bottlerocket AMIs of 1.27+ have both), and nothing else: the agent runs as a second
container of the ``aws-node`` pods with the add-on's own permissions. Pods start in the agent's standard mode
(allowed until their policies are in place; ``strict`` would also need policies for CoreDNS). Source: Amazon
EKS User Guide, "Restrict Pod network traffic with Kubernetes network policies" (read 2026-11-30)."""

PRE_COMPUTE_ADDONS: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""Add-ons the nodes need as they join, created before any node group: a node without the CNI never becomes
Ready, and pods scheduled before the Pod Identity agent or kube-proxy run lack credentials or Service
routing. terraform-aws-eks marks ``vpc-cni`` and ``eks-pod-identity-agent`` ``before_compute`` (its README's
usage example, read 2026-11-30); kube-proxy, a DaemonSet every node needs too, goes with them. All three are
DaemonSets, so they are active with no nodes yet."""
POST_COMPUTE_ADDONS: tuple[str, ...] = ("coredns", "aws-ebs-csi-driver")
"""Add-ons whose Deployments need nodes to run on, so they wait for the system node group; in-cluster
workloads that resolve names or claim volumes wait for them (:attr:`EksCluster.ready`)."""


def _managed_policy(partition: pulumi.Output[str], name: str) -> pulumi.Output[str]:
    return partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{name}")


@dataclass(frozen=True)
class EksClusterArgs:
    """Arguments of :class:`EksCluster`."""

    kubernetes_version: str
    """Kubernetes minor version (``"1.35"``), pinned: upgrades are deliberate. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets of the control plane's network interfaces and the nodes. Required."""
    kms_key_arn: pulumi.Input[str]
    """The stack's key: secrets envelope encryption, the control-plane log group, node volumes and the
    default StorageClass (its policy must admit ``logs`` and ``autoscaling``). Required."""
    role: Role = "training"
    public_endpoint: bool = False
    """Reach the API server from the internet too. Default: off (private endpoint only)."""
    public_access_cidrs: Sequence[str] = ()
    """With a public endpoint, the networks allowed to reach it. Default: none given, which EKS reads as any."""
    log_retention_days: int = 365
    """Days the control-plane log group keeps events (a CloudWatch Logs retention value). Default: 365."""
    deletion_protection: bool = True
    """EKS deletion protection: the cluster cannot be deleted until it is turned off. Default: on."""
    protect: bool = True
    """Protect the cluster and its log group in Pulumi. Default: on."""
    system_nodes: int = 2
    """On-demand nodes for add-ons (CoreDNS, …). Default: 2."""
    system_max_nodes: int | None = None
    """The most the system node group scales to. Default: ``system_nodes`` plus 2."""
    system_volume_gib: int = SYSTEM_VOLUME_GIB
    """The system nodes' root volume. Default: 50."""
    system_instance_type: str = SYSTEM_INSTANCE_TYPE
    """Default: m7i.large (2 vCPUs, 8 GiB)."""
    api_access_cidrs: Sequence[str] = ()
    """Networks allowed to reach the private endpoint on 443 (a CI runner's or bastion's subnet).
    Default: none beyond the cluster's own security group."""
    admin_role_arns: Sequence[str] = ()
    """IAM roles given cluster-admin through access entries. Default: none (the creator's own access
    entry, which EKS adds, is how the deployment reaches the cluster)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the cluster and its resources. Default: none (the provider's default tags still apply)."""

    @classmethod
    def from_plan(
        cls,
        cluster: EksClusterPlan,
        subnet_ids: Sequence[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
        tags: Mapping[str, str],
    ) -> EksClusterArgs:
        """The cluster of a plan, in ``subnet_ids``, encrypted with ``kms_key_arn``, tagged with the stack's
        ``tags`` (the plan's :attr:`aistacks.plan.AwsPlan.tags`): the provider's default tags do not reach
        what the nodes' launch template tags."""
        return cls(
            kubernetes_version=cluster.kubernetes_version,
            subnet_ids=subnet_ids,
            kms_key_arn=kms_key_arn,
            role=cluster.role,
            public_endpoint=cluster.public_endpoint,
            log_retention_days=cluster.log_retention_days,
            deletion_protection=cluster.deletion_protection,
            protect=cluster.protect,
            system_nodes=cluster.system_nodes,
            system_max_nodes=cluster.system_max_nodes,
            system_instance_type=cluster.system_instance_type,
            system_volume_gib=cluster.system_volume_gib,
            admin_role_arns=cluster.admin_role_arns,
            # Restricted: the networks reach the public endpoint, and nothing more is let in to the private
            # one (their public addresses never arrive there). Private: they come in over the VPC.
            public_access_cidrs=cluster.api_access_cidrs if cluster.public_endpoint else (),
            api_access_cidrs=() if cluster.public_endpoint else cluster.api_access_cidrs,
            tags=dict(tags),
        )


class EksCluster(pulumi.ComponentResource):
    """One EKS cluster with the secure defaults of terraform-aws-modules/eks and more: private
    endpoint, secrets encrypted with the stack's key, all control-plane logs, IRSA, API
    authentication mode, managed add-ons with IRSA, and an encrypted default StorageClass.

    It is a :class:`aistacks.k8s.KubernetesCluster`: the in-cluster layer builds on it."""

    cluster: aws.eks.Cluster
    cluster_name: str
    node_role: aws.iam.Role
    oidc_provider: aws.iam.OpenIdConnectProvider
    provider: k8s.Provider
    storage_class: str = EBS_STORAGE_CLASS
    """The encrypted default StorageClass (volumes retained); ``<it>-scratch`` deletes them with their claim."""
    metadata_server: MetadataServer | None = None
    """Pods never reach instance metadata on EKS: they get their role through IRSA."""
    private_subnet_ids: list[pulumi.Input[str]]
    compute_dependencies: list[pulumi.Resource]
    """What node groups wait for: the add-ons of :data:`PRE_COMPUTE_ADDONS`. Pass them to every node group
    built on this cluster (:attr:`aistacks.aws.GpuNodePoolArgs.compute_dependencies`)."""
    ready: list[pulumi.Resource]
    """What in-cluster workloads that need storage or DNS wait for: the CoreDNS and EBS CSI add-ons."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.cluster_name = name
        self.private_subnet_ids = list(args.subnet_ids)
        self._workload_identities: dict[str, tuple[str, WorkloadIdentity[aws.iam.Role]]] = {}
        tags = dict(args.tags)
        context = aws_context(self)
        partition = context.apply(lambda where: where.partition)
        self.cluster = self._control_plane(name, args, partition, tags)
        self._api_access(name, args)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.cluster.identities.apply(lambda identities: identities[0].oidcs[0].issuer),  # type: ignore[index]
            client_id_lists=["sts.amazonaws.com"],
            tags=tags,
            opts=child(self),
        )
        self._admins(name, args, partition, tags)
        self.node_role = self._node_role(name, partition, tags)
        self.compute_dependencies = self._pre_compute_addons(name, partition, tags)
        system = self._system_nodes(name, args, tags)
        self.ready = self._post_compute_addons(name, args, partition, tags, system)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=_kubeconfig(self.cluster, context.apply(lambda where: where.region)),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[system]),
        )
        for storage_class in ebs_storage_classes(args.kms_key_arn):
            apply_manifest(
                f"{name}-{storage_class['metadata']['name']}",
                storage_class,
                pulumi.ResourceOptions(parent=self, provider=self.provider),
            )
        self.register_outputs(
            {"cluster_name": self.cluster.name, "endpoint": self.cluster.endpoint, "oidc": self.oidc_provider.arn}
        )

    @property
    def component(self) -> pulumi.Resource:
        return self

    def _control_plane(
        self, name: str, args: EksClusterArgs, partition: pulumi.Output[str], tags: dict[str, str]
    ) -> aws.eks.Cluster:
        """The cluster, its role, and its log group, created first so that it carries our key and retention."""
        cluster_role = aws.iam.Role(
            f"{name}-cluster",
            description=f"EKS control plane of {name}",
            assume_role_policy=json.dumps(assume_role_policy("eks.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster",
            role=cluster_role.name,
            policy_arn=_managed_policy(partition, "AmazonEKSClusterPolicy"),
            opts=child(self),
        )
        # EKS uses the secrets key as this role (upgrades, key health checks); the managed policy grants no
        # KMS use and the key policy leaves use to IAM policies: see eks_secrets_key_policy.
        secrets_key = aws.iam.RolePolicy(
            f"{name}-cluster-secrets-key",
            role=cluster_role.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(
                lambda key: json.dumps(eks_secrets_key_policy(key))
            ),
            opts=child(self),
        )
        # EKS writes to /aws/eks/<name>/cluster; creating it first sets its key and retention.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane",
            name=eks_log_group(name),
            kms_key_id=args.kms_key_arn,
            retention_in_days=args.log_retention_days,
            # CloudWatch refuses to delete a protected group: logs outlive a mistaken destroy, as `protect` does.
            deletion_protection_enabled=args.protect,
            tags=tags,
            opts=stateful_child(self, protect=args.protect),
        )
        vpc_config: aws.eks.ClusterVpcConfigArgsDict = {
            "subnet_ids": list(args.subnet_ids),
            "endpoint_private_access": True,
            "endpoint_public_access": args.public_endpoint,
        }
        public_cidrs = list(args.public_access_cidrs) or list(args.api_access_cidrs)
        if args.public_endpoint and public_cidrs:
            vpc_config["public_access_cidrs"] = public_cidrs
        return aws.eks.Cluster(
            name,
            name=name,
            role_arn=cluster_role.arn,
            version=args.kubernetes_version,
            vpc_config=vpc_config,
            encryption_config={"provider": {"key_arn": args.kms_key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            deletion_protection=args.deletion_protection,
            upgrade_policy={"support_type": "STANDARD"},
            bootstrap_self_managed_addons=False,
            tags={**tags, "aistacks.io/role": args.role},
            opts=stateful_child(self, protect=args.protect, depends_on=[cluster_policy, secrets_key, log_group]),
        )

    def _api_access(self, name: str, args: EksClusterArgs) -> None:
        """The networks allowed to the private endpoint, on the cluster's own security group."""
        cluster_group = self.cluster.vpc_config.apply(lambda config: config.cluster_security_group_id or "")
        for index, cidr in enumerate(args.api_access_cidrs):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-api-access-{index}",
                security_group_id=cluster_group,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Kubernetes API from an allowed network",
                opts=child(self),
            )

    def _admins(self, name: str, args: EksClusterArgs, partition: pulumi.Output[str], tags: dict[str, str]) -> None:
        """Cluster-admin through access entries, for each named role."""
        for index, role_arn in enumerate(args.admin_role_arns):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{index}",
                cluster_name=self.cluster.name,
                principal_arn=role_arn,
                type="STANDARD",
                tags=tags,
                opts=child(self),
            )
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{index}",
                cluster_name=self.cluster.name,
                principal_arn=role_arn,
                policy_arn=partition.apply(
                    lambda p: f"arn:{p}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
                ),
                access_scope={"type": "cluster"},
                opts=child(self, depends_on=[entry]),
            )

    def _node_role(self, name: str, partition: pulumi.Output[str], tags: dict[str, str]) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{name}-nodes",
            description=f"EKS nodes of {name}",
            assume_role_policy=json.dumps(assume_role_policy("ec2.amazonaws.com")),
            tags=tags,
            opts=child(self),
        )
        # The VPC CNI's permissions go to its own IRSA role, not to every node.
        for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"):
            aws.iam.RolePolicyAttachment(
                f"{name}-nodes-{policy}",
                role=role.name,
                policy_arn=_managed_policy(partition, policy),
                opts=child(self),
            )
        return role

    def _system_nodes(self, name: str, args: EksClusterArgs, tags: dict[str, str]) -> aws.eks.NodeGroup:
        template = launch_template(
            f"{name}-system",
            self,
            node_group=f"{name}-system",
            kms_key_arn=args.kms_key_arn,
            volume_gib=args.system_volume_gib,
            bottlerocket=False,
            tags=tags,
        )
        return aws.eks.NodeGroup(
            f"{name}-system",
            cluster_name=self.cluster.name,
            node_role_arn=self.node_role.arn,
            subnet_ids=list(args.subnet_ids),
            instance_types=[args.system_instance_type],
            ami_type=SYSTEM_AMI_TYPE,
            capacity_type="ON_DEMAND",
            scaling_config={
                "min_size": args.system_nodes,
                "max_size": args.system_max_nodes or args.system_nodes + SYSTEM_NODE_HEADROOM,
                "desired_size": args.system_nodes,
            },
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            labels={"aistacks.io/pool": "system"},
            update_config={"max_unavailable": 1},
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(self.compute_dependencies), ignore_changes=AUTOSCALED_SIZE
            ),
        )

    def workload_role(self, name: str, service_account: str, tags: Mapping[str, str] | None = None) -> aws.iam.Role:
        """An IAM role (IRSA) only ``service_account`` (``namespace:name``) of this cluster can assume;
        annotate the ServiceAccount with ``eks.amazonaws.com/role-arn`` and grant the role what it needs."""
        trust = pulumi.Output.all(self.oidc_provider.arn, self.oidc_provider.url).apply(
            lambda values: json.dumps(irsa_trust_policy(values[0], values[1], service_account))
        )
        return aws.iam.Role(name, assume_role_policy=trust, tags=dict(tags or {}), opts=child(self))

    def workload_identity(
        self, namespace: str, service_account: str, tags: Mapping[str, str] | None = None
    ) -> WorkloadIdentity[aws.iam.Role]:
        """``namespace/service_account`` as an IAM role (IRSA), named ``<cluster>-<service account>``:
        grant the role access, and the ServiceAccount carries the annotation. Asking again for the same one
        returns the same identity; a service account name binds one namespace per cluster (the role's name
        does not hold the namespace)."""
        bound = self._workload_identities.get(service_account)
        if bound is not None:
            if bound[0] != namespace:
                raise ValueError(
                    f"{self.cluster_name}: service account {service_account!r} already has a workload identity "
                    f"in namespace {bound[0]!r}; name the one in {namespace!r} differently"
                )
            return bound[1]
        role = self.workload_role(f"{self.cluster_name}-{service_account}", f"{namespace}:{service_account}", tags)
        identity = WorkloadIdentity(role, {IRSA_ANNOTATION: role.arn})
        self._workload_identities[service_account] = (namespace, identity)
        return identity

    def _irsa_role(
        self, name: str, service_account: str, policy: str, partition: pulumi.Output[str], tags: dict[str, str]
    ) -> aws.iam.Role:
        role = self.workload_role(name, service_account, tags)
        aws.iam.RolePolicyAttachment(
            name, role=role.name, policy_arn=_managed_policy(partition, policy), opts=child(self)
        )
        return role

    def _addon(
        self,
        name: str,
        addon: str,
        tags: dict[str, str],
        *,
        role_arn: pulumi.Input[str] | None = None,
        configuration: Mapping[str, object] | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{name}-{addon}",
            cluster_name=self.cluster.name,
            addon_name=addon,
            service_account_role_arn=role_arn,
            configuration_values=json.dumps(configuration) if configuration is not None else None,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=tags,
            opts=child(self, depends_on=depends_on),
        )

    def _pre_compute_addons(
        self, name: str, partition: pulumi.Output[str], tags: dict[str, str]
    ) -> list[pulumi.Resource]:
        """The add-ons of :data:`PRE_COMPUTE_ADDONS`, the VPC CNI enforcing NetworkPolicies."""
        cni_role = self._irsa_role(f"{name}-vpc-cni", "kube-system:aws-node", "AmazonEKS_CNI_Policy", partition, tags)
        roles: dict[str, pulumi.Input[str]] = {"vpc-cni": cni_role.arn}
        configurations: dict[str, Mapping[str, object]] = {"vpc-cni": VPC_CNI_CONFIGURATION}
        return [
            self._addon(name, addon, tags, role_arn=roles.get(addon), configuration=configurations.get(addon))
            for addon in PRE_COMPUTE_ADDONS
        ]

    def _post_compute_addons(
        self,
        name: str,
        args: EksClusterArgs,
        partition: pulumi.Output[str],
        tags: dict[str, str],
        system: aws.eks.NodeGroup,
    ) -> list[pulumi.Resource]:
        """The add-ons of :data:`POST_COMPUTE_ADDONS`, once the system nodes exist; the EBS CSI driver with
        its IRSA role and the use of the stack key for encrypted volumes."""
        ebs_role = self._irsa_role(
            f"{name}-ebs-csi",
            "kube-system:ebs-csi-controller-sa",
            "service-role/AmazonEBSCSIDriverPolicy",
            partition,
            tags,
        )
        # Volumes encrypted with the stack's key: the driver creates them through EC2 with grants.
        ebs_key = aws.iam.RolePolicy(
            f"{name}-ebs-csi-key",
            role=ebs_role.name,
            policy=pulumi.Output.from_input(args.kms_key_arn).apply(lambda key: json.dumps(ebs_csi_key_policy(key))),
            opts=child(self),
        )
        return [
            self._addon(name, "coredns", tags, depends_on=[system]),
            self._addon(name, "aws-ebs-csi-driver", tags, role_arn=ebs_role.arn, depends_on=[system, ebs_key]),
        ]


def _kubeconfig(cluster: aws.eks.Cluster, region: pulumi.Output[str]) -> pulumi.Output[str]:
    """A kubeconfig that authenticates with ``aws eks get-token``."""
    return pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data, region).apply(
        lambda values: exec_kubeconfig(
            values[0],
            values[1],
            values[2],
            {"command": "aws", "args": ["eks", "get-token", "--cluster-name", values[0], "--region", values[3]]},
        )
    )
