"""A bucket whose location is computed from another resource's output: unknown during preview."""

import pulumi_aws as aws
import pulumi_gcp as gcp

role = aws.iam.Role("picker", assume_role_policy="{}")
gcp.storage.Bucket(
    "late",
    location=role.arn.apply(lambda _: "europe-west4"),
    encryption={"default_kms_key_name": "projects/acme-unknowns/locations/europe-west4/keyRings/r/cryptoKeys/k"},
    uniform_bucket_level_access=True,
    public_access_prevention="enforced",
)
