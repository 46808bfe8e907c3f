"""A team's databases: an RDS instance and a Cloud SQL instance, neither of which the mock cloud models.

Both are compliant: in EU regions on explicit providers, encrypted with a customer-managed key (the
RDS-managed master password's secret too), with the cloud's deletion protection on and `protect`.
"""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

aws_eu = aws.Provider("aws-eu", region="eu-central-1")
on_aws = pulumi.ResourceOptions(provider=aws_eu)
key = aws.kms.Key(
    "orders-db",
    description="orders database",
    enable_key_rotation=True,
    opts=pulumi.ResourceOptions(provider=aws_eu, protect=True),
)
# Not modelled: answered generically, the arguments echoed back.
engine = aws.rds.get_engine_version(engine="postgres", version="16.4", opts=pulumi.InvokeOptions(provider=aws_eu))
orders = aws.rds.Instance(
    "orders",
    engine="postgres",
    engine_version=engine.version,
    instance_class="db.t4g.medium",
    allocated_storage=50,
    username="orders",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn,
    storage_encrypted=True,
    kms_key_id=key.arn,
    publicly_accessible=False,
    skip_final_snapshot=False,
    final_snapshot_identifier="orders-final",
    deletion_protection=True,
    opts=pulumi.ResourceOptions(provider=aws_eu, protect=True),
)

gcp_eu = gcp.Provider("gcp-eu", project="acme-orders", region="europe-west4")
kept_on_gcp = pulumi.ResourceOptions(provider=gcp_eu, protect=True)
ring = gcp.kms.KeyRing("orders", location="europe-west4", opts=kept_on_gcp)
sql_key = gcp.kms.CryptoKey("orders-sql", key_ring=ring.id, rotation_period="7776000s", opts=kept_on_gcp)
ledger = gcp.sql.DatabaseInstance(
    "ledger",
    database_version="POSTGRES_16",
    region="europe-west4",
    encryption_key_name=sql_key.id,
    deletion_protection=True,
    settings={
        "tier": "db-custom-2-7680",
        "ip_configuration": {"ipv4_enabled": False},
        "deletion_protection_enabled": True,
    },
    opts=kept_on_gcp,
)

pulumi.export("orders_arn", orders.arn)
pulumi.export("ledger_path", ledger.id)
