"""IAM and key policy documents, as pure functions of plain values (tested without Pulumi)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from aistacks.vocabulary import KeyService

Statement = dict[str, Any]


def key_policy(
    account_id: str,
    partition: str,
    region: str,
    services: Collection[KeyService],
    autoscaling_role_arn: Any = None,
) -> dict[str, Any]:
    """The key policy of a stack key; ``autoscaling_role_arn`` is a string or a Pulumi output of one, placed
    in the document as it is (written with ``Output.json_dumps``, so a preview's gate reads around it).

    The account root keeps administration (the AWS default, without which the key becomes
    unmanageable); IAM principals get use only through IAM policies (``grant_*``). Services
    get exactly the calls their integration needs, bound to this account's resources.
    """
    statements: list[Statement] = [
        {
            "Sid": "AccountAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if "cloudtrail" in services:
        statements += [
            {
                "Sid": "CloudTrailEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ]
    if "logs" in services:
        statements.append(
            {
                "Sid": "CloudWatchLogsEncryptLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
                    }
                },
            }
        )
    if "autoscaling" in services:
        # EC2 Auto Scaling launches node instances with volumes encrypted by this key through its
        # service-linked role; without these grants a node group's instances fail to launch.
        # Source: Amazon EC2 Auto Scaling User Guide, "Required AWS KMS key policy for use with
        # encrypted volumes" (read 2026-11-27).
        autoscaling = autoscaling_role_arn or (
            f"arn:{partition}:iam::{account_id}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling"
        )
        statements += [
            {
                "Sid": "AutoScalingUseKeyForNodeVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": autoscaling},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "AutoScalingGrantsForNodeVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": autoscaling},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    if "budgets" in services:
        statements.append(budgets_key_statement(account_id, partition))
    return {"Version": "2012-10-17", "Statement": statements}


def budgets_source_condition(account_id: str, partition: str) -> dict[str, Any]:
    """AWS Budgets acting for this account's budgets only (against the confused deputy). Source: AWS Cost
    Management User Guide, "Creating an Amazon SNS topic for budget notifications": ``aws:SourceAccount`` the
    account, ``aws:SourceArn`` like ``arn:aws:budgets::<account-id>:*`` (read 2026-12-01)."""
    return {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:budgets::{account_id}:*"},
    }


def budgets_key_statement(account_id: str, partition: str) -> Statement:
    """Let AWS Budgets publish to a topic encrypted with this key: a service that publishes to an encrypted
    topic needs ``kms:GenerateDataKey*`` and ``kms:Decrypt`` on its key (Amazon SNS Developer Guide, "Key
    management", enabling compatibility between event sources from AWS services and encrypted topics; read
    2026-12-01), here only for this account's budgets."""
    # Only aws:SourceAccount here: the SNS guide's statement for services publishing to encrypted topics
    # has no condition, and deployments that also required aws:SourceArn on the key saw Budgets' alerts
    # dropped while the budget showed ALARM (cds-snc/notification-terraform PRs #2042 and #2057, read
    # 2026-12-01). The topic's own policy keeps both conditions.
    return {
        "Sid": "BudgetsPublishToEncryptedTopic",
        "Effect": "Allow",
        "Principal": {"Service": "budgets.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def budget_topic_policy(topic_arn: Any, account_id: str, partition: str) -> dict[str, Any]:
    """The access policy of a budget's SNS topic: only AWS Budgets, for this account's budgets, may publish
    (AWS Cost Management User Guide, "Creating an Amazon SNS topic for budget notifications", read
    2026-12-01). ``topic_arn`` is a string or a Pulumi output of one, placed as it is (``Output.json_dumps``).
    The account's own principals manage and subscribe through their IAM policies."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "BudgetsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "budgets.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": budgets_source_condition(account_id, partition),
            }
        ],
    }


def tls_only_statements(bucket_arn: str) -> list[Statement]:
    """Deny every request to the bucket that is not over TLS 1.2 or newer."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


def cloudtrail_delivery_statements(bucket_arn: str, trail_arn: str, account_id: str) -> list[Statement]:
    """Let one trail (and only it) check the bucket ACL and deliver its log files."""
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}},
        },
    ]


def bucket_access_policy(bucket_arn: str, key_arn: str, *, write: bool) -> dict[str, Any]:
    """An identity policy to read (or write) a bucket's objects, including the key calls that needs.

    The key calls are allowed only through S3 in the bucket's region (``kms:ViaService``).
    """
    object_actions = ["s3:PutObject", "s3:AbortMultipartUpload"] if write else ["s3:GetObject", "s3:GetObjectVersion"]
    key_actions = ["kms:GenerateDataKey", "kms:Decrypt"] if write else ["kms:Decrypt"]
    region = key_arn.split(":")[3]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
            {"Sid": "Objects", "Effect": "Allow", "Action": object_actions, "Resource": f"{bucket_arn}/*"},
            {
                "Sid": "UseBucketKey",
                "Effect": "Allow",
                "Action": key_actions,
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ],
    }


AMP_WRITE_ACTIONS = ("aps:RemoteWrite",)
AMP_QUERY_ACTIONS = ("aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata")
"""What a Prometheus remote-writer and a Prometheus-API reader need of a workspace (Amazon Managed Service for
Prometheus User Guide, "Amazon Managed Service for Prometheus permissions": AmazonPrometheusRemoteWriteAccess
and AmazonPrometheusQueryAccess; read 2026-12-01)."""


def prometheus_workspace_policy(workspace_arn: str, key_arn: str, actions: Sequence[str]) -> dict[str, Any]:
    """An identity policy for ``actions`` on one AMP workspace, and the key calls that reading and writing an
    encrypted workspace's data may take, only through AMP in the workspace's region (``kms:ViaService``;
    "your encrypted data is not accessible ... unless they also have access to use the AWS KMS key": AMP
    User Guide, "Encryption at rest", read 2026-12-01)."""
    region = workspace_arn.split(":")[3]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Workspace", "Effect": "Allow", "Action": list(actions), "Resource": workspace_arn},
            {
                "Sid": "UseWorkspaceKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"aps.{region}.amazonaws.com"}},
            },
        ],
    }


def assume_role_policy(service: str, account_id: str | None = None) -> dict[str, Any]:
    """A trust policy letting one AWS service assume a role; with ``account_id``, only on behalf of that
    account (``aws:SourceAccount``, against the confused deputy). Pass it only for services that send
    the key when they assume roles (VPC Flow Logs does; CloudTrail's log delivery, EC2 and EKS do not,
    and the condition would lock them out)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if account_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def irsa_trust_policy(provider_arn: str, issuer_url: str, service_account: str) -> dict[str, object]:
    """Trust for IAM roles for service accounts: only ``service_account`` (``namespace:name``) of the
    cluster whose OIDC issuer is ``issuer_url`` may assume the role, for STS."""
    issuer = issuer_url.removeprefix("https://")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def ebs_csi_key_policy(key_arn: str) -> dict[str, Any]:
    """What the EBS CSI driver needs of the stack key to create encrypted volumes: grants for EC2 (attach),
    and data-key use only through EC2."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": key_arn,
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            {
                "Effect": "Allow",
                "Condition": {"StringLike": {"kms:ViaService": "ec2.*.amazonaws.com"}},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": key_arn,
            },
        ],
    }


def eks_secrets_key_policy(key_arn: str) -> dict[str, Any]:
    """What an EKS cluster role needs of the key that envelope-encrypts its Kubernetes secrets: the policy
    terraform-aws-eks attaches (``aws_iam_policy.cluster_encryption`` in its main.tf, read 2026-11-30).
    Without it EKS's own calls as the role fail: UpdateClusterVersion with "Role ... could not be assumed"
    (aws/containers-roadmap#1533) and its key health checks with AccessDenied on kms:ListGrants
    (terraform-aws-eks#1913)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ClusterEncryption",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                "Resource": key_arn,
            }
        ],
    }


CLUSTER_AUTOSCALER_READ_ACTIONS: tuple[str, ...] = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "eks:DescribeNodegroup",
)
"""What the Cluster Autoscaler reads to discover node groups and size nodes from their templates, on ``*``
as upstream grants it (the Describe calls take no resource-level permissions). Source: kubernetes/autoscaler,
cluster-autoscaler/cloudprovider/aws/README.md, "Full Cluster Autoscaler Features Policy (Recommended)"
(identical at tags cluster-autoscaler-1.31.5 to 1.35.2; 1.30.7's copy still lists autoscaling:DescribeTags,
which its code no longer calls; read 2026-11-30)."""
CLUSTER_AUTOSCALER_WRITE_ACTIONS: tuple[str, ...] = (
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
)
"""What the Cluster Autoscaler changes: a group's desired size, and removing the node it drained. Same source."""


def cluster_autoscaler_policy(cluster_name: str) -> dict[str, Any]:
    """The Cluster Autoscaler's identity policy: the upstream "Full Cluster Autoscaler Features Policy",
    with the resizing actions restricted, as upstream recommends, by tag: only Auto Scaling groups tagged
    ``k8s.io/cluster-autoscaler/<cluster_name>: owned`` (the cluster's own tag, which auto-discovery also
    requires), so never another cluster's groups or any other group in the account. Both actions accept
    ``aws:ResourceTag/${TagKey}`` on the autoScalingGroup resource (Service Authorization Reference,
    "Actions, resources, and condition keys for Amazon EC2 Auto Scaling"; read 2026-11-30)."""
    if not cluster_name:
        raise ValueError("the Cluster Autoscaler's policy needs the cluster's name")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DiscoverNodeGroups",
                "Effect": "Allow",
                "Action": list(CLUSTER_AUTOSCALER_READ_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "ResizeOwnNodeGroups",
                "Effect": "Allow",
                "Action": list(CLUSTER_AUTOSCALER_WRITE_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}},
            },
        ],
    }
