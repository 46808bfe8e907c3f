"""An OpenSearch Serverless vector collection: encrypted with the stack's key, reachable only through a
VPC endpoint, open to the data plane only for named IAM roles.

The three policy documents are pure functions of plain values. Formats and permission names: Amazon
OpenSearch Service Developer Guide, "Encryption in Amazon OpenSearch Serverless", "Network access for
Amazon OpenSearch Serverless" and "Data access control for Amazon OpenSearch Serverless" (read 2026-11-27).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from aistacks._options import child, stateful_child
from aistacks.aws.network import NetworkRef
from aistacks.plan import CloudPlan, VectorPlan

TYPE_TOKEN = "aistacks:aws:VectorCollection"

# What a workload role may do in the data access policy: use the collection's indexes (create, read,
# write, describe, update), never delete them or change the collection.
COLLECTION_PERMISSIONS: tuple[str, ...] = ("aoss:DescribeCollectionItems",)
INDEX_PERMISSIONS: tuple[str, ...] = (
    "aoss:CreateIndex",
    "aoss:DescribeIndex",
    "aoss:UpdateIndex",
    "aoss:ReadDocument",
    "aoss:WriteDocument",
)


def _collection_rules(collection: str, *types: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Resource": [f"collection/{collection}"]} for kind in types]


def encryption_policy(collection: str, kms_key_arn: pulumi.Input[str] | None) -> dict[str, Any]:
    """Encrypt ``collection`` with ``kms_key_arn``; ``None`` falls back to an AWS-owned key."""
    policy: dict[str, Any] = {"Rules": _collection_rules(collection, "collection")}
    if kms_key_arn is None:
        return policy | {"AWSOwnedKey": True}
    return policy | {"AWSOwnedKey": False, "KmsARN": kms_key_arn}


def network_policy(collection: str, vpc_endpoint_id: pulumi.Input[str] | None) -> list[dict[str, Any]]:
    """Admit ``collection`` and its dashboards only through ``vpc_endpoint_id``; ``None`` admits the
    internet (AWS: with AllowFromPublic true, any SourceVPCEs are ignored)."""
    rule: dict[str, Any] = {
        "Description": f"{collection}: " + ("public access" if vpc_endpoint_id is None else "VPC endpoint only"),
        "Rules": _collection_rules(collection, "collection", "dashboard"),
    }
    if vpc_endpoint_id is None:
        return [rule | {"AllowFromPublic": True}]
    return [rule | {"AllowFromPublic": False, "SourceVPCEs": [vpc_endpoint_id]}]


def data_access_policy(collection: str, principal_arns: Sequence[str]) -> list[dict[str, Any]]:
    """Let ``principal_arns`` (IAM roles of this account) use the indexes of ``collection``."""
    return [
        {
            "Description": f"{collection}: workload read and write",
            "Rules": [
                {
                    "ResourceType": "collection",
                    "Resource": [f"collection/{collection}"],
                    "Permission": list(COLLECTION_PERMISSIONS),
                },
                {
                    "ResourceType": "index",
                    "Resource": [f"index/{collection}/*"],
                    "Permission": list(INDEX_PERMISSIONS),
                },
            ],
            "Principal": sorted(principal_arns),
        }
    ]


def api_access_policy(collection_arn: str) -> dict[str, Any]:
    """The IAM side a workload role needs besides the data access policy (AWS: "Using OpenSearch API
    operations", aoss:APIAccessAll, read 2026-11-27)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "aoss:APIAccessAll", "Resource": collection_arn}],
    }


@dataclass(frozen=True)
class VectorCollectionArgs:
    """Arguments of :class:`VectorCollection`."""

    collection_name: str
    """Collection name, also the name of its three policies: 3 to 32 characters, ``^[a-z][a-z0-9-]+$``.
    Required."""
    vpc_id: pulumi.Input[str]
    """The VPC whose endpoint admits clients. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the VPC endpoint (up to six). Required."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups of the VPC endpoint: they must admit HTTPS from the clients. Required."""
    kms_key_arn: pulumi.Input[str] | None
    """The customer-managed key. ``None`` is the named opt-out to an AWS-owned key, which AIS-ENC-003
    reports. Required."""
    reader_role_arns: Sequence[pulumi.Input[str]] = ()
    """IAM roles whose workloads use the collection's indexes (data access policy plus
    ``aoss:APIAccessAll``). Default: none."""
    standby_replicas: bool = True
    """Keep a standby copy in another zone. Default: on."""
    public_access: bool = False
    """Named opt-out: admit the internet instead of only the VPC endpoint (AIS-NET-003 reports it).
    Default: off."""
    protect: bool = True
    """Protect the collection from deletion; retain it if removed from the program. Default: on."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the collection (the policies and the VPC endpoint take none). Default: none."""

    @classmethod
    def from_plan(
        cls,
        vector: VectorPlan,
        cloud: CloudPlan[Any],
        network: NetworkRef,
        kms_key_arn: pulumi.Input[str],
        reader_role_arns: Sequence[pulumi.Input[str]],
    ) -> VectorCollectionArgs:
        """The collection of a plan, behind an endpoint in ``network``'s private subnets; ``kms_key_arn`` is
        used unless the plan opts out of a customer-managed key."""
        return cls(
            collection_name=vector.name,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            security_group_ids=[network.endpoint_security_group_id],
            kms_key_arn=kms_key_arn if vector.customer_managed_key else None,
            reader_role_arns=reader_role_arns,
            standby_replicas=vector.replicas > 1,
            public_access=vector.public_access,
            protect=cloud.protect,
            tags=dict(cloud.tags),
        )


class VectorCollection(pulumi.ComponentResource):
    """A VECTORSEARCH collection whose encryption, network and data access policies are created with it."""

    collection: aws.opensearch.ServerlessCollection
    vpc_endpoint: aws.opensearch.ServerlessVpcEndpoint | None
    collection_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: VectorCollectionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        collection = args.collection_name
        # A collection takes its key from the encryption policy that matches its name at creation,
        # and never changes it: the policy must exist first. The documents are written with
        # Output.json_dumps, the key's ARN and the endpoint's ID in them as they are: a preview's gate reads
        # the document around them (aistacks.engine.provenance), where an apply would hide it.
        encryption = aws.opensearch.ServerlessSecurityPolicy(
            f"{name}-encryption",
            name=collection,
            type="encryption",
            description=f"{collection}: " + ("AWS-owned key" if args.kms_key_arn is None else "the stack's key"),
            policy=pulumi.Output.json_dumps(encryption_policy(collection, args.kms_key_arn)),
            opts=child(self),
        )
        self.vpc_endpoint = None
        if args.public_access:
            network_document = pulumi.Output.json_dumps(network_policy(collection, None))
        else:
            self.vpc_endpoint = aws.opensearch.ServerlessVpcEndpoint(
                f"{name}-endpoint",
                name=collection,
                vpc_id=args.vpc_id,
                subnet_ids=list(args.subnet_ids),
                security_group_ids=list(args.security_group_ids),
                opts=child(self),
            )
            network_document = pulumi.Output.json_dumps(network_policy(collection, self.vpc_endpoint.id))
        network = aws.opensearch.ServerlessSecurityPolicy(
            f"{name}-network", name=collection, type="network", policy=network_document, opts=child(self)
        )
        self.collection = aws.opensearch.ServerlessCollection(
            f"{name}-collection",
            name=collection,
            type="VECTORSEARCH",
            standby_replicas="ENABLED" if args.standby_replicas else "DISABLED",
            tags=dict(args.tags),
            opts=stateful_child(self, protect=args.protect, depends_on=[encryption, network]),
        )
        if args.reader_role_arns:
            aws.opensearch.ServerlessAccessPolicy(
                f"{name}-data-access",
                name=collection,
                type="data",
                policy=pulumi.Output.all(*args.reader_role_arns).apply(
                    lambda arns: json.dumps(data_access_policy(collection, [str(arn) for arn in arns]))
                ),
                opts=child(self),
            )
        self.collection_id = self.collection.id
        self.endpoint = self.collection.collection_endpoint
        self.register_outputs({"collection_id": self.collection_id, "endpoint": self.endpoint})

    def grant_api_access(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """The IAM half of a reader's access (the data access policy is the other): ``aoss:APIAccessAll``
        on this collection for ``role``."""
        return aws.iam.RolePolicy(
            f"{self.pulumi_resource_name}-api-{role.pulumi_resource_name}",
            role=role.name,
            policy=self.collection.arn.apply(lambda arn: json.dumps(api_access_policy(arn))),
            opts=child(self),
        )
