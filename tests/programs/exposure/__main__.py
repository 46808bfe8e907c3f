"""A bucket, an EKS cluster with a Service, an Ingress and a yaml/v2 ConfigGroup carrying a Service, and a
CloudFront distribution, all private and HTTPS-only; ``exposure:weaken`` names the one to make public
(bucket-policy, ingress, service, config-group, cloudfront)."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

weaken = pulumi.Config("exposure").get("weaken") or ""
aws_eu = aws.Provider("aws-eu", region="eu-west-1")
on_aws = pulumi.ResourceOptions(provider=aws_eu)
kept = pulumi.ResourceOptions(provider=aws_eu, protect=True)

key = aws.kms.Key("data", description="data", enable_key_rotation=True, opts=kept)
bucket = aws.s3.Bucket("data", bucket="exposure-data", opts=kept)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data",
    bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
    opts=on_aws,
)
statements = [
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::exposure-data", "arn:aws:s3:::exposure-data/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
]
if weaken == "bucket-policy":
    statements.append(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::exposure-data/*"}
    )
aws.s3.BucketPolicy(
    "data", bucket=bucket.id, policy=json.dumps({"Version": "2012-10-17", "Statement": statements}), opts=on_aws
)

role = aws.iam.Role(
    "eks",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    opts=on_aws,
)
cluster = aws.eks.Cluster(
    "eks",
    role_arn=role.arn,
    vpc_config={"subnet_ids": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"], "endpoint_public_access": False},
    encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
    opts=kept,
)
kubeconfig = pulumi.Output.all(cluster.name, cluster.endpoint).apply(
    lambda values: json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": values[0], "cluster": {"server": values[1]}}],
            "contexts": [{"name": values[0], "context": {"cluster": values[0], "user": values[0]}}],
            "current-context": values[0],
            "users": [{"name": values[0], "user": {"exec": {"command": "aws", "args": ["eks", "get-token"]}}}],
        }
    )
)
in_cluster = pulumi.ResourceOptions(provider=k8s.Provider("eks", kubeconfig=kubeconfig))

internal_on_gke = {"networking.gke.io/load-balancer-type": "Internal"}
internal_on_eks = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
k8s.core.v1.Service(
    "api",
    metadata={"name": "api", "annotations": internal_on_gke if weaken == "service" else internal_on_eks},
    spec={"type": "LoadBalancer", "selector": {"app": "api"}, "ports": [{"port": 443, "target_port": 8443}]},
    opts=in_cluster,
)
k8s.networking.v1.Ingress(
    "api",
    metadata={
        "name": "api",
        "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing" if weaken == "ingress" else "internal"},
    },
    spec={
        "ingress_class_name": "alb",
        "rules": [
            {
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "path_type": "Prefix",
                            "backend": {"service": {"name": "api", "port": {"number": 443}}},
                        }
                    ]
                }
            }
        ],
    },
    opts=in_cluster,
)
k8s.yaml.v2.ConfigGroup(
    "vectors",
    yaml="\n".join(
        [
            "apiVersion: v1",
            "kind: Service",
            "metadata:",
            "  name: vectors",
            "  annotations:",
            "    service.beta.kubernetes.io/aws-load-balancer-scheme: "
            + ("internet-facing" if weaken == "config-group" else "internal"),
            "spec: {type: LoadBalancer, selector: {app: vectors}, ports: [{port: 6333}]}",
        ]
    ),
    opts=in_cluster,
)

aws.cloudfront.Distribution(
    "site",
    enabled=True,
    origins=[
        {
            "origin_id": "api",
            "domain_name": "api.example.com",
            "custom_origin_config": {
                "http_port": 80,
                "https_port": 443,
                "origin_protocol_policy": "https-only",
                "origin_ssl_protocols": ["TLSv1.2"],
            },
        }
    ],
    default_cache_behavior={
        "target_origin_id": "api",
        "viewer_protocol_policy": "allow-all" if weaken == "cloudfront" else "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True},
    opts=on_aws,
)
