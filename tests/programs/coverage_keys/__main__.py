"""A team's data stores beside the platform: RDS and Aurora, EFS, DynamoDB, SQS, SNS, ECR, SageMaker, a
Bedrock custom model, OpenSearch, Cloud SQL, BigQuery, Compute Engine, Vertex AI and Pub/Sub.

With ``compliant`` each names the stack's customer-managed key; without it each is left on the provider's
key (the property unset, or a provider-managed choice), which AIS-ENC-001 must report at the right path.
"""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

compliant = pulumi.Config().require_bool("compliant")

aws_eu = aws.Provider("aws-eu", region="eu-central-1")
kept = pulumi.ResourceOptions(provider=aws_eu, protect=True)
key = aws.kms.Key("data", description="data stores", enable_key_rotation=True, opts=kept)
arn = key.arn if compliant else None
role = "arn:aws:iam::111122223333:role/data"

aws.rds.Instance(
    "orders",
    engine="postgres",
    instance_class="db.t4g.medium",
    allocated_storage=50,
    username="orders",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=arn,
    storage_encrypted=True,
    kms_key_id=arn,
    deletion_protection=True,
    opts=kept,
)
aws.rds.Cluster(
    "ledger",
    engine="aurora-postgresql",
    master_username="ledger",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=arn,
    storage_encrypted=True,
    kms_key_id=arn,
    deletion_protection=True,
    opts=kept,
)
aws.efs.FileSystem("shared", encrypted=True, kms_key_id=arn, opts=kept)
aws.dynamodb.Table(
    "sessions",
    hash_key="id",
    attributes=[{"name": "id", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    server_side_encryption={"enabled": True, "kms_key_arn": arn} if compliant else None,
    deletion_protection_enabled=True,
    opts=kept,
)
aws.sqs.Queue("jobs", kms_master_key_id=arn, sqs_managed_sse_enabled=None if compliant else True, opts=kept)
aws.sns.Topic("events", kms_master_key_id=arn if compliant else "alias/aws/sns", opts=kept)
aws.ecr.Repository(
    "models",
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": arn}] if compliant else None,
    image_tag_mutability="IMMUTABLE",
    opts=kept,
)
aws.sagemaker.NotebookInstance(
    "research",
    instance_type="ml.t3.medium",
    role_arn=role,
    kms_key_id=arn,
    # Private (AIS-NET-006): no direct internet access needs a subnet of the VPC (SageMaker API reference,
    # CreateNotebookInstance DirectInternetAccess).
    direct_internet_access="Disabled",
    subnet_id="subnet-0123456789abcdef0",
    security_groups=["sg-0123456789abcdef0"],
    opts=kept,
)
aws.sagemaker.EndpointConfiguration(
    "serving",
    production_variants=[{"model_name": "m", "variant_name": "main", "instance_type": "ml.g5.xlarge"}],
    kms_key_arn=arn,
    opts=kept,
)
aws.bedrock.CustomModel(
    "tuned",
    base_model_identifier="arn:aws:bedrock:eu-central-1::foundation-model/amazon.titan-text-express-v1",
    custom_model_name="tuned",
    job_name="tuned-1",
    hyperparameters={"epochCount": "1"},
    role_arn=role,
    training_data_config={"s3_uri": "s3://training/data.jsonl"},
    output_data_config={"s3_uri": "s3://training/output/"},
    custom_model_kms_key_id=arn,
    opts=kept,
)
aws.opensearch.Domain(
    "search",
    engine_version="OpenSearch_2.13",
    encrypt_at_rest={"enabled": True, "kms_key_id": arn},
    node_to_node_encryption={"enabled": True},
    domain_endpoint_options={"enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
    vpc_options={"subnet_ids": ["subnet-0123456789abcdef0"]},
    opts=kept,
)

gcp_eu = gcp.Provider("gcp-eu", project="acme-data", region="europe-west4")
kept_on_gcp = pulumi.ResourceOptions(provider=gcp_eu, protect=True)
ring = gcp.kms.KeyRing("data", location="europe-west4", opts=kept_on_gcp)
crypto_key = gcp.kms.CryptoKey("data", key_ring=ring.id, rotation_period="7776000s", opts=kept_on_gcp)
name = crypto_key.id if compliant else None

gcp.sql.DatabaseInstance(
    "ledger",
    database_version="POSTGRES_16",
    region="europe-west4",
    encryption_key_name=name,
    deletion_protection=True,
    settings={
        "tier": "db-custom-2-7680",
        "ip_configuration": {"ipv4_enabled": False},
        "deletion_protection_enabled": True,
    },
    opts=kept_on_gcp,
)
dataset = gcp.bigquery.Dataset(
    "analytics",
    dataset_id="analytics",
    location="europe-west4",
    default_encryption_configuration={"kms_key_name": name} if compliant else None,
    opts=kept_on_gcp,
)
gcp.bigquery.Table(
    "events",
    dataset_id=dataset.dataset_id,
    table_id="events",
    encryption_configuration={"kms_key_name": name} if compliant else None,
    deletion_protection=True,
    opts=kept_on_gcp,
)
disk_key = {"kms_key_self_link": name} if compliant else None
gcp.compute.Disk("scratch", zone="europe-west4-a", size=100, disk_encryption_key=disk_key, opts=kept_on_gcp)
gcp.compute.Instance(
    "worker",
    zone="europe-west4-a",
    machine_type="n2-standard-4",
    boot_disk={"initialize_params": {"image": "debian-cloud/debian-12"}, "kms_key_self_link": name},
    network_interfaces=[{"subnetwork": "projects/acme-data/regions/europe-west4/subnetworks/private"}],
    deletion_protection=True,  # its boot disk goes with it (AIS-PRT-001)
    opts=kept_on_gcp,
)
gcp.vertex.AiDataset(
    "images",
    display_name="images",
    region="europe-west4",
    metadata_schema_uri="gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml",
    encryption_spec={"kms_key_name": name} if compliant else None,
    opts=kept_on_gcp,
)
gcp.pubsub.Topic(
    "events",
    kms_key_name=name,
    message_storage_policy={"allowed_persistence_regions": ["europe-west4"]},
    opts=kept_on_gcp,
)
