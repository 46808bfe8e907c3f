"""A hand-made GPU node launch template whose root volume is not encrypted."""

import pulumi_aws as aws

aws.ec2.LaunchTemplate(
    "gpu-nodes",
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 200, "volume_type": "gp3"}}],
    metadata_options={"http_tokens": "required"},
)
