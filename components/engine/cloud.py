"""The mock cloud: realistic outputs for every resource type and function aistacks uses.

Update mode answers like a provider after a create (ids, ARNs, names, endpoints); preview mode
answers like ``pulumi preview``: the inputs are known, every computed output is unknown.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

MOCK_AWS_ACCOUNT = "111122223333"
"""The account the mock AWS answers for, unless the provider pins ``allowedAccountIds``."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(_digest(*parts)[:32]))


def project_number(project: str) -> str:
    """A stable 12-digit project number for a GCP project ID."""
    return str(int(_digest("project", project)[:12], 16) % 10**12).rjust(12, "1")


@dataclass(frozen=True)
class Created:
    """What a handler knows about one resource being created."""

    type: str
    name: str
    inputs: dict[str, Any]
    region: str
    account: str
    project: str

    @property
    def physical_name(self) -> str:
        """Pulumi auto-naming: the logical name plus a random-looking (here: stable) suffix."""
        return f"{self.name}-{_digest(self.type, self.name)[:7]}"

    def named(self, key: str = "name") -> str:
        value = self.inputs.get(key)
        return value if isinstance(value, str) and value else self.physical_name


Handler = Callable[[Created], tuple[str, dict[str, Any]]]


def _aws_arn(service: str, c: Created, resource: str, *, regional: bool = True) -> str:
    return f"arn:aws:{service}:{c.region if regional else ''}:{c.account}:{resource}"


def _kms_key(c: Created) -> tuple[str, dict[str, Any]]:
    key_id = _uuid("kms", c.name)
    return key_id, {"keyId": key_id, "arn": _aws_arn("kms", c, f"key/{key_id}")}


def _kms_alias(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {
        "arn": _aws_arn("kms", c, name),
        "targetKeyArn": _aws_arn("kms", c, f"key/{c.inputs['targetKeyId']}"),
    }


def _s3_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    bucket = c.named("bucket")
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{c.region}.amazonaws.com",
        "bucketRegion": c.region,
        "region": c.region,
        "hostedZoneId": "Z1BKCTXD74EZPE",
    }


def _by_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    return str(c.inputs["bucket"]), {"region": c.region}


def _iam_role(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {
        "name": name,
        "arn": f"arn:aws:iam::{c.account}:role/{name}",
        "uniqueId": "AROA" + _digest("role", name)[:17].upper(),
    }


def _iam_role_policy(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"{c.inputs['role']}:{name}", {"name": name}


def _log_group(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {"name": name, "arn": _aws_arn("logs", c, f"log-group:{name}")}


def _trail(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    arn = _aws_arn("cloudtrail", c, f"trail/{name}")
    return arn, {"name": name, "arn": arn, "homeRegion": c.region}


def _key_ring(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    ring = f"projects/{c.inputs.get('project', c.project)}/locations/{c.inputs['location']}/keyRings/{name}"
    return ring, {"name": name}


def _crypto_key(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"{c.inputs['keyRing']}/cryptoKeys/{name}", {"name": name, "primaries": []}


def _iam_member(c: Created) -> tuple[str, dict[str, Any]]:
    target = c.inputs.get("cryptoKeyId") or f"b/{c.inputs.get('bucket')}"
    return f"{target}/{c.inputs['role']}/{c.inputs['member']}", {"etag": "BwY" + _digest("etag", c.name)[:9]}


def _gcs_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {
        "name": name,
        "url": f"gs://{name}",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "projectNumber": project_number(c.inputs.get("project", c.project)),
    }


def _audit_config(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs.get('project', c.project)}/{c.inputs['service']}", {"etag": "BwY" + _digest(c.name)[:9]}


def _log_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    project = c.inputs.get("project", c.project)
    bucket_id = f"projects/{project}/locations/{c.inputs['location']}/buckets/{c.inputs['bucketId']}"
    return bucket_id, {"name": bucket_id, "lifecycleState": "ACTIVE"}


def _log_sink(c: Created) -> tuple[str, dict[str, Any]]:
    project = c.inputs.get("project", c.project)
    name = c.named()
    identity = f"serviceAccount:service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
    return f"projects/{project}/sinks/{name}", {"name": name, "writerIdentity": identity}


def _service_account(c: Created) -> tuple[str, dict[str, Any]]:
    project = c.inputs.get("project", c.project)
    email = f"{c.inputs['accountId']}@{project}.iam.gserviceaccount.com"
    return f"projects/{project}/serviceAccounts/{email}", {
        "email": email,
        "member": f"serviceAccount:{email}",
        "name": f"projects/{project}/serviceAccounts/{email}",
        "uniqueId": str(int(_digest("sa", email)[:15], 16))[:21],
    }


def _ec2(prefix: str) -> Handler:
    """An EC2 resource: an ID like ``vpc-0a1b2c3d4e5f60718`` and, where AWS gives one, an ARN."""

    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        resource_id = f"{prefix}-{_digest(prefix, c.name)[:17]}"
        outputs: dict[str, Any] = {"arn": _aws_arn("ec2", c, f"{prefix}/{resource_id}"), "ownerId": c.account}
        if prefix == "eipalloc":
            outputs |= {"allocationId": resource_id, "publicIp": f"203.0.113.{int(_digest(c.name)[:2], 16) % 250 + 1}"}
        return resource_id, outputs

    return handler


def _eks_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    token = _digest("eks", name)[:32].upper()
    return name, {
        "arn": _aws_arn("eks", c, f"cluster/{name}"),
        "endpoint": f"https://{token}.gr7.{c.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock CA of {name}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{c.region}.amazonaws.com/id/{token}"}]}],
        "vpcConfig": {**c.inputs.get("vpcConfig", {}), "clusterSecurityGroupId": f"sg-{_digest('eks-sg', name)[:17]}"},
        "status": "ACTIVE",
        "clusterId": _uuid("eks", name),
    }


def _eks_node_group(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named("nodeGroupName")
    group = f"eks-{name}-{_uuid('asg', name)}"
    return f"{c.inputs['clusterName']}:{name}", {
        "nodeGroupName": name,
        "arn": _aws_arn("eks", c, f"nodegroup/{c.inputs['clusterName']}/{name}/{_uuid('ng', name)}"),
        "resources": [{"autoscalingGroups": [{"name": group}], "remoteAccessSecurityGroupId": ""}],
        "status": "ACTIVE",
    }


def _by_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    detail = c.inputs.get("addonName") or c.inputs.get("principalArn") or c.name
    return f"{c.inputs['clusterName']}:{detail}", {"arn": _aws_arn("eks", c, f"x/{c.inputs['clusterName']}/{detail}")}


def _oidc_provider(c: Created) -> tuple[str, dict[str, Any]]:
    host = str(c.inputs["url"]).removeprefix("https://")
    arn = f"arn:aws:iam::{c.account}:oidc-provider/{host}"
    return arn, {"arn": arn, "url": host}


def _launch_template(c: Created) -> tuple[str, dict[str, Any]]:
    template_id = f"lt-{_digest('lt', c.name)[:17]}"
    return template_id, {
        "arn": _aws_arn("ec2", c, f"launch-template/{template_id}"),
        "latestVersion": 1,
        "name": c.physical_name,
    }


def _policy_attachment(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['role']}-{_digest(str(c.inputs['policyArn']))[:20]}", {}


def _service_linked_role(c: Created) -> tuple[str, dict[str, Any]]:
    service = str(c.inputs["awsServiceName"])
    name = "AWSServiceRoleForAutoScaling" if service.startswith("autoscaling") else f"AWSServiceRoleFor{c.name}"
    arn = f"arn:aws:iam::{c.account}:role/aws-service-role/{service}/{name}"
    return arn, {"arn": arn, "name": name, "path": f"/aws-service-role/{service}/"}


def _asg_tag(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['autoscalingGroupName']},{c.inputs['tag']['key']}", {}


def _random_password(c: Created) -> tuple[str, dict[str, Any]]:
    length = int(c.inputs.get("length", 16))
    value = (_digest("password", c.name) * 4)[:length]
    return "none", {"result": value, "bcryptHash": "$2a$10$" + _digest("bcrypt", c.name)[:53]}


def _kubernetes(c: Created) -> tuple[str, dict[str, Any]]:
    metadata = dict(c.inputs.get("metadata") or {})
    name = metadata.get("name") or c.physical_name
    namespace = metadata.get("namespace")
    metadata |= {"name": name, "uid": _uuid("k8s", c.type, name), "resourceVersion": "1"}
    return (f"{namespace}/{name}" if namespace else name), {"metadata": metadata}


def _gcp_path(kind: str, scope: Callable[[Created], str]) -> Handler:
    """A GCP resource named ``projects/<p>/<scope>/<kind>/<name>``, with its selfLink."""

    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        name = c.named()
        path = f"projects/{c.inputs.get('project', c.project)}/{scope(c)}/{kind}/{name}"
        return path, {"name": name, "selfLink": f"https://www.googleapis.com/compute/v1/{path}"}

    return handler


def _gke_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    project = c.inputs.get("project", c.project)
    return f"projects/{project}/locations/{c.inputs['location']}/clusters/{name}", {
        "name": name,
        "endpoint": f"172.16.{int(_digest(name)[:2], 16)}.2",
        "masterAuth": {"clusterCaCertificate": base64.b64encode(f"mock CA of {name}".encode()).decode()},
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/locations/{c.inputs['location']}/clusters/{name}",
    }


def _gke_node_pool(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    project = c.inputs.get("project", c.project)
    return f"projects/{project}/locations/{c.inputs['location']}/clusters/{c.inputs['cluster']}/nodePools/{name}", {
        "name": name,
        "instanceGroupUrls": [],
    }


def _project_member(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['project']}/{c.inputs['role']}/{c.inputs['member']}", {"etag": "BwY" + _digest(c.name)[:9]}


def _aoss_policy(c: Created) -> tuple[str, dict[str, Any]]:
    return c.named(), {"policyVersion": "MTY" + _digest("policy", c.name)[:17]}


def _aoss_vpc_endpoint(c: Created) -> tuple[str, dict[str, Any]]:
    return "vpce-" + _digest("aoss-vpce", c.name)[:17], {}


def _aoss_collection(c: Created) -> tuple[str, dict[str, Any]]:
    collection_id = _digest("aoss", c.name)[:20]
    endpoint = f"https://{collection_id}.{c.region}.aoss.amazonaws.com"
    return collection_id, {
        "arn": _aws_arn("aoss", c, f"collection/{collection_id}"),
        "collectionEndpoint": endpoint,
        "dashboardEndpoint": f"{endpoint}/_dashboards",
    }


def _vertex(kind: str) -> Handler:
    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        number = project_number(str(c.inputs.get("project") or c.project))
        resource_id = str(int(_digest("vertex", c.name)[:15], 16))
        path = f"projects/{number}/locations/{c.inputs['region']}/{kind}/{resource_id}"
        outputs: dict[str, Any] = {"name": resource_id, "createTime": "2026-11-27T00:00:00Z"}
        if c.inputs.get("publicEndpointEnabled"):
            outputs["publicEndpointDomainName"] = f"{resource_id}.{c.inputs['region']}-{number}.vdb.vertexai.goog"
        return path, outputs

    return handler


def _deployed_index(c: Created) -> tuple[str, dict[str, Any]]:
    endpoint, deployed = str(c.inputs["indexEndpoint"]), str(c.inputs["deployedIndexId"])
    region = endpoint.split("/")[3]
    attachment = f"projects/{_digest('tenant', c.name)[:12]}-tp/regions/{region}/serviceAttachments/sa-{deployed}"
    return f"{endpoint}/deployedIndex/{deployed}", {
        "name": deployed,
        "privateEndpoints": [{"matchGrpcAddress": "", "serviceAttachment": attachment, "pscAutomatedEndpoints": []}],
    }


def _internal_address(c: Created) -> tuple[str, dict[str, Any]]:
    path, outputs = _gcp_path("addresses", lambda c: f"regions/{c.inputs['region']}")(c)
    return path, outputs | {"address": f"10.16.0.{int(_digest('ip', c.name)[:2], 16) % 200 + 20}"}


def _service_identity(c: Created) -> tuple[str, dict[str, Any]]:
    number = project_number(str(c.inputs.get("project") or c.project))
    agent = str(c.inputs["service"]).split(".", 1)[0]
    email = f"service-{number}@gcp-sa-{agent}.iam.gserviceaccount.com"
    return f"projects/{number}/services/{c.inputs['service']}", {"email": email, "member": f"serviceAccount:{email}"}


RESOURCE_HANDLERS: Mapping[str, Handler] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _by_bucket,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _by_bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _by_bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _by_bucket,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _by_bucket,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _by_bucket,
    "aws:s3/bucketPolicy:BucketPolicy": _by_bucket,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/rolePolicy:RolePolicy": _iam_role_policy,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:ec2/vpc:Vpc": _ec2("vpc"),
    "aws:ec2/subnet:Subnet": _ec2("subnet"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw"),
    "aws:ec2/eip:Eip": _ec2("eipalloc"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _ec2("vpce"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg"),
    "aws:ec2/flowLog:FlowLog": _ec2("fl"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _ec2("sgr"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:eks/addon:Addon": _by_cluster,
    "aws:eks/accessEntry:AccessEntry": _by_cluster,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": _by_cluster,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _policy_attachment,
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": _service_linked_role,
    "aws:autoscaling/tag:Tag": _asg_tag,
    "kubernetes:apps/v1:DaemonSet": _kubernetes,
    "kubernetes:core/v1:Namespace": _kubernetes,
    "kubernetes:core/v1:Secret": _kubernetes,
    "kubernetes:core/v1:Service": _kubernetes,
    "kubernetes:core/v1:ServiceAccount": _kubernetes,
    "kubernetes:core/v1:ConfigMap": _kubernetes,
    "kubernetes:apps/v1:StatefulSet": _kubernetes,
    "kubernetes:policy/v1:PodDisruptionBudget": _kubernetes,
    "random:index/randomPassword:RandomPassword": _random_password,
    "kubernetes:core/v1:ResourceQuota": _kubernetes,
    "kubernetes:core/v1:LimitRange": _kubernetes,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": _kubernetes,
    "kubernetes:storage.k8s.io/v1:StorageClass": _kubernetes,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": _iam_member,
    "gcp:storage/bucket:Bucket": _gcs_bucket,
    "gcp:storage/bucketIAMMember:BucketIAMMember": _iam_member,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:projects/iAMMember:IAMMember": _project_member,
    "gcp:compute/network:Network": _gcp_path("networks", lambda c: "global"),
    "gcp:compute/subnetwork:Subnetwork": _gcp_path("subnetworks", lambda c: f"regions/{c.inputs['region']}"),
    "gcp:compute/router:Router": _gcp_path("routers", lambda c: f"regions/{c.inputs['region']}"),
    "gcp:compute/routerNat:RouterNat": _gcp_path("nats", lambda c: f"regions/{c.inputs['region']}"),
    "gcp:container/cluster:Cluster": _gke_cluster,
    "gcp:container/nodePool:NodePool": _gke_node_pool,
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": _audit_config,
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": _log_bucket,
    "gcp:logging/projectSink:ProjectSink": _log_sink,
    "kubernetes:batch/v1:CronJob": _kubernetes,
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": _aoss_policy,
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": _aoss_policy,
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": _aoss_vpc_endpoint,
    "aws:opensearch/serverlessCollection:ServerlessCollection": _aoss_collection,
    "gcp:vertex/aiIndex:AiIndex": _vertex("indexes"),
    "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint": _vertex("indexEndpoints"),
    "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex": _deployed_index,
    "gcp:compute/address:Address": _internal_address,
    "gcp:compute/forwardingRule:ForwardingRule": _gcp_path(
        "forwardingRules", lambda c: f"regions/{c.inputs['region']}"
    ),
    "gcp:projects/serviceIdentity:ServiceIdentity": _service_identity,
    "gcp:compute/firewall:Firewall": _gcp_path("firewalls", lambda c: "global"),
}
"""Every resource type the mock cloud knows; any other type is an error, not a silent guess."""


class UnknownMockTypeError(Exception):
    """The program created or called something the mock cloud has no realistic answer for."""


class MockCloud(Mocks):
    """Pulumi mocks that answer like the clouds do, for the regions the providers name."""

    def __init__(self, stack_config: Mapping[str, str], *, preview: bool) -> None:
        self._stack_config = dict(stack_config)
        self._preview = preview
        self._providers: dict[str, dict[str, Any]] = {}

    def _provider_inputs(self, reference: str | None, package: str) -> dict[str, Any]:
        """The explicit provider's inputs, else the default provider's: the stack's ``<package>:*`` config."""
        if reference:
            provider_id = reference.rsplit("::", 1)[-1]
            if provider_id in self._providers:
                return self._providers[provider_id]
        prefix = f"{package}:"
        return {key[len(prefix) :]: value for key, value in self._stack_config.items() if key.startswith(prefix)}

    def _where(self, reference: str | None, package: str, inputs: Mapping[str, Any]) -> tuple[str, str, str]:
        provider = self._provider_inputs(reference, package)
        region = str(inputs.get("region") or provider.get("region") or "")
        accounts = provider.get("allowedAccountIds") or []
        if isinstance(accounts, str):  # provider config arrives JSON-encoded, as the engine sends it
            accounts = json.loads(accounts)
        account = accounts[0] if isinstance(accounts, list) and accounts else MOCK_AWS_ACCOUNT
        project = str(provider.get("project") or "")
        return region, account, project

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            provider_id = _uuid("provider", args.typ, args.name)
            self._providers[provider_id] = inputs
            return provider_id, inputs
        if not args.custom:
            return None, {}
        handler = RESOURCE_HANDLERS.get(args.typ)
        if handler is None:
            raise UnknownMockTypeError(
                f"the mock cloud has no outputs for {args.typ} ({args.name}); add it to RESOURCE_HANDLERS"
            )
        if self._preview:
            return None, inputs
        region, account, project = self._where(args.provider, args.typ.split(":", 1)[0], inputs)
        physical_id, outputs = handler(Created(args.typ, args.name, inputs, region, account, project))
        return physical_id, {**inputs, **outputs}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        package = args.token.split(":", 1)[0]
        region, account, project = self._where(args.provider, package, args.args)
        project = str(args.args.get("project") or args.args.get("projectId") or project)
        number = project_number(project) if project else ""
        answers: dict[str, dict[str, Any]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": {
                "accountId": account,
                "arn": f"arn:aws:sts::{account}:assumed-role/platform-deployer/aistacks",
                "userId": "AROAEXAMPLEDEPLOYER:aistacks",
                "id": account,
            },
            "aws:index/getPartition:getPartition": {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": "aws",
            },
            "aws:index/getAvailabilityZones:getAvailabilityZones": {
                "names": [f"{region}{suffix}" for suffix in "abc"],
                "zoneIds": [f"{region[:3]}{region.split('-')[1][:2]}{region[-1]}-az{n}" for n in (1, 2, 3)],
                "id": region,
            },
            "aws:index/getRegion:getRegion": {
                "region": region,
                "name": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
                "id": region,
            },
            "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
                "emailAddress": f"service-{number}@gs-project-accounts.iam.gserviceaccount.com",
                "member": f"serviceAccount:service-{number}@gs-project-accounts.iam.gserviceaccount.com",
                "project": project,
                "id": f"service-{number}@gs-project-accounts.iam.gserviceaccount.com",
            },
            "gcp:organizations/getProject:getProject": {
                "number": number,
                "projectId": project,
                "name": project,
                "id": f"projects/{project}",
            },
            "gcp:logging/getProjectCmekSettings:getProjectCmekSettings": {
                "serviceAccountId": f"service-{number}@gcp-sa-logging.iam.gserviceaccount.com",
                "name": f"projects/{project}/cmekSettings",
                "project": project,
                "id": f"projects/{project}/cmekSettings",
            },
        }
        if args.token not in answers:
            raise UnknownMockTypeError(f"the mock cloud has no answer for the function {args.token}")
        return answers[args.token], []
