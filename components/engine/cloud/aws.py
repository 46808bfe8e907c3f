"""The mock AWS: the resource types and functions aistacks uses, answered as AWS answers them."""

from __future__ import annotations

import base64
from typing import Any

from aistacks.engine.cloud.base import Called, CloudModel, Created, Handler, digest, stable_uuid


class MissingRegionError(Exception):
    """An AWS answer needs a region and neither the call nor its provider names one.

    The AWS provider itself refuses to start without one ("Missing required configuration variable
    'aws:region'"), so a guess here would plan what cannot be deployed."""


def arn(service: str, c: Created, resource: str, *, regional: bool = True) -> str:
    return f"arn:aws:{service}:{c.region if regional else ''}:{c.account}:{resource}"


def _kms_key(c: Created) -> tuple[str, dict[str, Any]]:
    key_id = stable_uuid("kms", c.name)
    return key_id, {"keyId": key_id, "arn": arn("kms", c, f"key/{key_id}")}


def _kms_alias(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {
        "arn": arn("kms", c, name),
        "targetKeyArn": arn("kms", c, f"key/{c.inputs['targetKeyId']}"),
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
        "uniqueId": "AROA" + digest("role", name)[:17].upper(),
    }


def _iam_role_policy(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"{c.inputs['role']}:{name}", {"name": name}


def _log_group(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {"name": name, "arn": arn("logs", c, f"log-group:{name}")}


def _trail(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    trail_arn = arn("cloudtrail", c, f"trail/{name}")
    return trail_arn, {"name": name, "arn": trail_arn, "homeRegion": c.region}


def _ec2(prefix: str) -> Handler:
    """An EC2 resource: an ID like ``vpc-0a1b2c3d4e5f60718`` and, where AWS gives one, an ARN."""

    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        resource_id = f"{prefix}-{digest(prefix, c.name)[:17]}"
        outputs: dict[str, Any] = {"arn": arn("ec2", c, f"{prefix}/{resource_id}"), "ownerId": c.account}
        if prefix == "eipalloc":
            outputs |= {"allocationId": resource_id, "publicIp": f"203.0.113.{int(digest(c.name)[:2], 16) % 250 + 1}"}
        return resource_id, outputs

    return handler


def _eks_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    token = digest("eks", name)[:32].upper()
    return name, {
        "arn": arn("eks", c, f"cluster/{name}"),
        "endpoint": f"https://{token}.gr7.{c.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock CA of {name}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{c.region}.amazonaws.com/id/{token}"}]}],
        "vpcConfig": {**c.inputs.get("vpcConfig", {}), "clusterSecurityGroupId": f"sg-{digest('eks-sg', name)[:17]}"},
        "status": "ACTIVE",
        "clusterId": stable_uuid("eks", name),
    }


def _eks_node_group(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named("nodeGroupName")
    group = f"eks-{name}-{stable_uuid('asg', name)}"
    return f"{c.inputs['clusterName']}:{name}", {
        "nodeGroupName": name,
        "arn": arn("eks", c, f"nodegroup/{c.inputs['clusterName']}/{name}/{stable_uuid('ng', name)}"),
        "resources": [{"autoscalingGroups": [{"name": group}], "remoteAccessSecurityGroupId": ""}],
        "status": "ACTIVE",
    }


def _by_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    detail = c.inputs.get("addonName") or c.inputs.get("principalArn") or c.name
    return f"{c.inputs['clusterName']}:{detail}", {"arn": arn("eks", c, f"x/{c.inputs['clusterName']}/{detail}")}


def _oidc_provider(c: Created) -> tuple[str, dict[str, Any]]:
    host = str(c.inputs["url"]).removeprefix("https://")
    provider_arn = f"arn:aws:iam::{c.account}:oidc-provider/{host}"
    return provider_arn, {"arn": provider_arn, "url": host}


def _launch_template(c: Created) -> tuple[str, dict[str, Any]]:
    template_id = f"lt-{digest('lt', c.name)[:17]}"
    return template_id, {
        "arn": arn("ec2", c, f"launch-template/{template_id}"),
        "latestVersion": 1,
        "name": c.physical_name,
    }


def _policy_attachment(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['role']}-{digest(str(c.inputs['policyArn']))[:20]}", {}


def _service_linked_role(c: Created) -> tuple[str, dict[str, Any]]:
    service = str(c.inputs["awsServiceName"])
    name = "AWSServiceRoleForAutoScaling" if service.startswith("autoscaling") else f"AWSServiceRoleFor{c.name}"
    role_arn = f"arn:aws:iam::{c.account}:role/aws-service-role/{service}/{name}"
    return role_arn, {"arn": role_arn, "name": name, "path": f"/aws-service-role/{service}/"}


def _asg_tag(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['autoscalingGroupName']},{c.inputs['tag']['key']}", {}


def _aoss_policy(c: Created) -> tuple[str, dict[str, Any]]:
    return c.named(), {"policyVersion": "MTY" + digest("policy", c.name)[:17]}


def _aoss_vpc_endpoint(c: Created) -> tuple[str, dict[str, Any]]:
    return "vpce-" + digest("aoss-vpce", c.name)[:17], {}


def _aoss_collection(c: Created) -> tuple[str, dict[str, Any]]:
    collection_id = digest("aoss", c.name)[:20]
    endpoint = f"https://{collection_id}.{c.region}.aoss.amazonaws.com"
    return collection_id, {
        "arn": arn("aoss", c, f"collection/{collection_id}"),
        "collectionEndpoint": endpoint,
        "dashboardEndpoint": f"{endpoint}/_dashboards",
    }


def _amp_workspace(c: Created) -> tuple[str, dict[str, Any]]:
    # AMP workspace IDs are ``ws-`` and a UUID; the endpoint ends with a slash (``aws amp describe-workspace``).
    workspace_id = "ws-" + stable_uuid("amp", c.name)
    return workspace_id, {
        "arn": arn("aps", c, f"workspace/{workspace_id}"),
        "prometheusEndpoint": f"https://aps-workspaces.{c.region}.amazonaws.com/workspaces/{workspace_id}/",
    }


def _sns_topic(c: Created) -> tuple[str, dict[str, Any]]:
    # An SNS topic's ID is its ARN (``aws sns create-topic`` returns TopicArn).
    name = c.named()
    topic_arn = arn("sns", c, name)
    return topic_arn, {"name": name, "arn": topic_arn, "owner": c.account}


def _sns_topic_policy(c: Created) -> tuple[str, dict[str, Any]]:
    return str(c.inputs["arn"]), {"owner": c.account}


def _budget(c: Created) -> tuple[str, dict[str, Any]]:
    # Budgets are global: ``arn:aws:budgets::<account>:budget/<name>``, and the provider's ID is
    # ``<account>:<name>`` (AWS Budgets API Reference, "Budget"; pulumi-aws budgets.Budget import).
    name = c.named()
    return f"{c.account}:{name}", {
        "name": name,
        "arn": f"arn:aws:budgets::{c.account}:budget/{name}",
        "accountId": c.account,
    }


def _region_of(c: Called) -> str:
    if not c.region:
        raise MissingRegionError(
            f"{c.token} needs an AWS region: set aws:region in the stack file (or region on the aws.Provider)"
        )
    return c.region


def _caller_identity(c: Called) -> dict[str, Any]:
    return {
        "accountId": c.account,
        "arn": f"arn:aws:sts::{c.account}:assumed-role/platform-deployer/aistacks",
        "userId": "AROAEXAMPLEDEPLOYER:aistacks",
        "id": c.account,
    }


def _partition(c: Called) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}


def _availability_zones(c: Called) -> dict[str, Any]:
    region = _region_of(c)
    # A zone ID from the region's name; a region without dashes still gets one rather than an error.
    code = region.split("-")[1][:2] if "-" in region else region[:2]
    return {
        "names": [f"{region}{suffix}" for suffix in "abc"],
        "zoneIds": [f"{region[:3]}{code}{region[-1]}-az{n}" for n in (1, 2, 3)],
        "id": region,
    }


def _region(c: Called) -> dict[str, Any]:
    region = _region_of(c)
    return {
        "region": region,
        "name": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
        "id": region,
    }


def _vpc_lookup(c: Called) -> dict[str, Any]:
    """An existing VPC, looked up by ID: the mock cannot know its range, so it makes up a stable /16."""
    vpc_id = str(c.args.get("id") or "")
    return {"id": vpc_id, "cidrBlock": f"10.{int(digest('vpc', vpc_id)[:2], 16) % 200}.0.0/16", "state": "available"}


MODEL = CloudModel(
    package="aws",
    resources={
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
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _policy_attachment,
        "aws:iam/serviceLinkedRole:ServiceLinkedRole": _service_linked_role,
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
        "aws:autoscaling/tag:Tag": _asg_tag,
        "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": _aoss_policy,
        "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": _aoss_policy,
        "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": _aoss_vpc_endpoint,
        "aws:opensearch/serverlessCollection:ServerlessCollection": _aoss_collection,
        "aws:amp/workspace:Workspace": _amp_workspace,
        "aws:sns/topic:Topic": _sns_topic,
        "aws:sns/topicPolicy:TopicPolicy": _sns_topic_policy,
        "aws:budgets/budget:Budget": _budget,
    },
    functions={
        "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
        "aws:index/getPartition:getPartition": _partition,
        "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
        "aws:index/getRegion:getRegion": _region,
        "aws:ec2/getVpc:getVpc": _vpc_lookup,
    },
)
