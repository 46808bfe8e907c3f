"""The stack program, run offline for every environment in update and preview mode, asserted
against what the issue asks of the resource graph."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from aistacks.catalog import location_jurisdictions
from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.engine.cloud import RESOURCE_HANDLERS
from aistacks.engine.graph import UNKNOWN_DISPLAY, display_value

from .conftest import ENVIRONMENTS

Plan = Callable[[str, bool], ResourceGraph]
MODES = (False, True)

KMS_KEY = "aws:kms/key:Key"
S3_BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_RING = "gcp:kms/keyRing:KeyRing"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
LOG_SINK = "gcp:logging/projectSink:ProjectSink"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"

STATEFUL_TYPES = (KMS_KEY, S3_BUCKET, LOG_GROUP, KEY_RING, CRYPTO_KEY, GCS_BUCKET, LOG_BUCKET)


def inputs(record: ResourceRecord) -> dict[str, Any]:
    return display_value(record.inputs)


def sibling(graph: ResourceGraph, record: ResourceRecord, type_token: str) -> ResourceRecord:
    """The one resource of ``type_token`` under the same component as ``record``."""
    matches = [r for r in graph.of_type(type_token) if r.parent == record.parent]
    assert len(matches) == 1, f"expected one {type_token} beside {record.urn}, found {len(matches)}"
    return matches[0]


def refers_to(graph: ResourceGraph, record: ResourceRecord, prop: str, target: ResourceRecord, value: str) -> bool:
    """Whether ``record.prop`` is ``value`` (update) or, unknown in preview, flows from ``target``."""
    if graph.preview:
        return target.urn in record.property_dependencies.get(prop, [])
    return value in json.dumps(inputs(record)[prop])


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_plans_offline(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    assert graph.of_type("aistacks:platform:AiPlatform"), "the platform component is missing"
    unknown = {r.type for r in graph.resources if r.custom and not r.type.startswith("pulumi:providers:")}
    assert unknown <= set(RESOURCE_HANDLERS), (
        f"types without realistic mock outputs: {unknown - set(RESOURCE_HANDLERS)}"
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_preview_leaves_computed_outputs_unknown(plan: Plan, env: str) -> None:
    """The key ARN exists only after the update: unknown at preview, known after it."""
    previewed = [inputs(r)["rules"][0] for r in plan(env, True).of_type(SSE)]
    assert previewed
    assert all(rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN_DISPLAY for rule in previewed)
    updated = [inputs(r)["rules"][0] for r in plan(env, False).of_type(SSE)]
    assert all(":key/" in rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] for rule in updated)


@pytest.mark.parametrize("preview", MODES)
def test_s3_bucket_names_are_fixed_so_policies_are_known_at_preview(plan: Plan, preview: bool) -> None:
    graph = plan("prod", preview)
    names = sorted(inputs(r)["bucket"] for r in graph.of_type(S3_BUCKET))
    assert names == [
        f"aistacks-prod-{short}-210987654321"
        for short in ("audit-logs", "checkpoints", "datasets", "models", "vector-snapshots")
    ]
    assert all(len(name) <= 63 for name in names), "S3 bucket names are at most 63 characters"
    for policy in graph.of_type(BUCKET_POLICY):
        statements = json.loads(inputs(policy)["policy"])["Statement"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_graph_is_well_formed(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    urns = {r.urn for r in graph.resources}
    assert len(urns) == len(graph.resources), "duplicate URNs"
    for record in graph.resources:
        if record.type != "pulumi:pulumi:Stack" and not record.type.startswith("pulumi:providers:"):
            assert record.parent in urns, f"{record.urn} has no parent in the graph"
        if record.custom and not record.type.startswith("pulumi:providers:"):
            assert record.provider in urns, f"{record.urn} has no recorded provider"
            if record.package not in ("aws", "gcp", "kubernetes"):
                continue  # placeless packages (random) may use their default provider
            provider = graph.get(record.provider)
            assert provider is not None and provider.name.startswith(f"aistacks-{env}-"), (
                f"{record.urn} uses a default provider; every resource must name the platform's provider"
            )
        assert set(record.depends_on) <= urns


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_child_names_derive_from_their_component(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    for record in graph.resources:
        parent = graph.get(record.parent) if record.parent else None
        if parent is None or parent.type in ("pulumi:pulumi:Stack", "aistacks:platform:AiPlatform"):
            continue
        if parent.type.startswith("aistacks:platform:"):
            assert record.name.startswith(f"aistacks-{env}"), record.urn
        else:
            assert record.name.startswith(parent.name), f"{record.name} is not named after {parent.name}"


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_aws_key_is_rotated(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    (key,) = graph.of_type(KMS_KEY)
    props = inputs(key)
    assert props["enableKeyRotation"] is True
    assert 90 <= props["rotationPeriodInDays"] <= 90
    assert props["multiRegion"] is False
    assert 7 <= props["deletionWindowInDays"] <= 30


def test_aws_key_policy_admits_only_the_services_the_stack_needs(plan: Plan) -> None:
    (key,) = plan("prod", False).of_type(KMS_KEY)
    policy = json.loads(inputs(key)["policy"])
    principals = [statement["Principal"] for statement in policy["Statement"]]
    assert {"AWS": "arn:aws:iam::210987654321:root"} in principals, "the pinned prod account administers the key"
    services = {p["Service"] for p in principals if "Service" in p}
    # AWS Budgets publishes to the budget's topic, encrypted with this key (prod has a budget).
    assert services == {"cloudtrail.amazonaws.com", "logs.eu-central-1.amazonaws.com", "budgets.amazonaws.com"}
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    assert not any(p in ("*", {"AWS": "*"}) for p in principals)


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_s3_bucket_is_private_kms_encrypted_and_tls_only(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    (key,) = graph.of_type(KMS_KEY)
    key_id = "" if preview else _key_id(graph)
    buckets = graph.of_type(S3_BUCKET)
    assert len(buckets) >= 3, "data buckets plus the audit bucket"
    for bucket in buckets:
        sse = sibling(graph, bucket, SSE)
        (rule,) = inputs(sse)["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert rule["bucketKeyEnabled"] is True
        assert refers_to(graph, sse, "rules", key, key_id), f"{sse.name} does not use the stack key"
        block = inputs(sibling(graph, bucket, PUBLIC_ACCESS))
        for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block[setting] is True, f"{bucket.name}: {setting}"
        ownership = inputs(sibling(graph, bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"))
        assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
        versioning = inputs(sibling(graph, bucket, "aws:s3/bucketVersioning:BucketVersioning"))
        assert versioning["versioningConfiguration"]["status"] == "Enabled"
        policy = sibling(graph, bucket, BUCKET_POLICY)
        statements = json.loads(inputs(policy)["policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        ), f"{bucket.name} lacks the TLS-only denial"


def _key_id(graph: ResourceGraph) -> str:
    (alias,) = graph.of_type("aws:kms/alias:Alias")
    return str(inputs(alias)["targetKeyId"])


@pytest.mark.parametrize("preview", MODES)
def test_prod_cloudtrail_is_multi_region_validated_encrypted_into_a_locked_bucket(plan: Plan, preview: bool) -> None:
    graph = plan("prod", preview)
    (trail,) = graph.of_type(TRAIL)
    props = inputs(trail)
    assert props["isMultiRegionTrail"] is True
    assert props["enableLogFileValidation"] is True
    assert props["includeGlobalServiceEvents"] is True
    (key,) = graph.of_type(KMS_KEY)
    assert refers_to(graph, trail, "kmsKeyId", key, "" if preview else _key_id(graph))
    (lock,) = graph.of_type(OBJECT_LOCK)
    retention = inputs(lock)["rule"]["defaultRetention"]
    assert retention == {"mode": "COMPLIANCE", "days": 400}
    audit_bucket = sibling(graph, lock, S3_BUCKET)
    assert inputs(audit_bucket)["objectLockEnabled"] is True
    assert refers_to(graph, trail, "s3BucketName", audit_bucket, audit_bucket.name)
    (log_group,) = [r for r in graph.of_type(LOG_GROUP) if "cloudtrail" in inputs(r)["name"]]
    assert inputs(log_group)["retentionInDays"] == 2557
    assert refers_to(graph, log_group, "kmsKeyId", key, "" if preview else _key_id(graph))
    if not preview:
        selectors = props["advancedEventSelectors"]
        data = [s for s in selectors if {"field": "eventCategory", "equals": ["Data"]} in s["fieldSelectors"]]
        assert data, "S3 data events of the data buckets are logged"
        arns = next(f for f in data[0]["fieldSelectors"] if f["field"] == "resources.ARN")["startsWiths"]
        assert len(arns) == 4, "the three data buckets and the Qdrant snapshot bucket"


@pytest.mark.parametrize(("env", "mode"), [("dev", "GOVERNANCE"), ("staging", "GOVERNANCE"), ("prod", "COMPLIANCE")])
def test_object_lock_is_stricter_in_prod(plan: Plan, env: str, mode: str) -> None:
    (lock,) = plan(env, False).of_type(OBJECT_LOCK)
    assert inputs(lock)["rule"]["defaultRetention"]["mode"] == mode


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ["staging", "prod"])
def test_gcp_key_bucket_and_audit_sink(plan: Plan, env: str, preview: bool) -> None:
    graph = plan(env, preview)
    (crypto_key,) = graph.of_type(CRYPTO_KEY)
    rotation = inputs(crypto_key)["rotationPeriod"]
    assert rotation.endswith("s") and int(rotation[:-1]) <= 90 * 86400
    expected_protection = "HSM" if env == "prod" else "SOFTWARE"
    assert inputs(crypto_key)["versionTemplate"]["protectionLevel"] == expected_protection
    buckets = graph.of_type(GCS_BUCKET)
    assert len(buckets) == 3, "the data buckets; Qdrant (and its snapshot bucket) runs on AWS"
    for bucket in buckets:
        props = inputs(bucket)
        assert props["uniformBucketLevelAccess"] is True
        assert props["publicAccessPrevention"] == "enforced"
        assert props["versioning"] == {"enabled": True}
        assert refers_to(graph, bucket, "encryption", crypto_key, "/cryptoKeys/")
        assert bucket.depends_on, "the bucket waits for the service agent's key grant"
        grant = graph.get(next(u for u in bucket.depends_on if "CryptoKeyIAMMember" in u))
        assert grant is not None
        assert inputs(grant)["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    grants = graph.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    agents = sorted(g.name.rsplit("-key-", 1)[-1] for g in grants)
    vertex = ["aiplatform-agent"] if env == "staging" else []  # staging runs Vector Search
    # Pub/Sub's: the budget's alert topic (staging and prod have a budget).
    assert agents == [*vertex, "compute-agent", "container-agent", "logging-agent", "pubsub-agent", "storage-agent"], (
        "one grant per service agent (storage, logging, GKE, Compute, Pub/Sub, Vertex AI), shared by every store"
    )
    (audit,) = graph.of_type(AUDIT_CONFIG)
    assert inputs(audit)["service"] == "allServices"
    assert {c["logType"] for c in inputs(audit)["auditLogConfigs"]} == {"ADMIN_READ", "DATA_READ", "DATA_WRITE"}
    (log_bucket,) = graph.of_type(LOG_BUCKET)
    assert inputs(log_bucket)["locked"] is True
    assert refers_to(graph, log_bucket, "cmekSettings", crypto_key, "/cryptoKeys/")
    (sink,) = graph.of_type(LOG_SINK)
    assert "cloudaudit.googleapis.com" in inputs(sink)["filter"]
    # Known in preview too (spelled from the bucket's inputs), so residency is judged before the update.
    assert inputs(sink)["destination"] == (
        f"logging.googleapis.com/projects/{inputs(log_bucket)['project']}/locations/europe-west4/buckets/"
        f"{inputs(log_bucket)['bucketId']}"
    )
    assert log_bucket.urn in sink.depends_on, "created after the bucket it writes to"


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_region_and_location_is_inside_the_jurisdiction(plan: Plan, env: str, preview: bool) -> None:
    """Each resource's own region or location, else its provider's, is in the EU."""
    graph = plan(env, preview)
    checked = 0
    for record in graph.resources:
        cloud = record.type.removeprefix("pulumi:providers:").split(":", 1)[0]
        if not record.custom or cloud not in ("aws", "gcp"):
            continue
        provider = graph.get(record.provider) if record.provider else None
        places = [
            value
            for source in (inputs(record), inputs(provider) if provider else {})
            for field in ("location", "region")
            if isinstance(value := source.get(field), str) and value != UNKNOWN_DISPLAY
        ]
        assert places, f"{record.urn} has no region: neither its own nor its provider's"
        for place in places:
            assert location_jurisdictions(cloud, place) == {"eu"}, f"{record.urn} is placed in {place}"
        checked += 1
    clouds = ("aws", "gcp")
    assert checked == sum(
        1 for r in graph.resources if r.custom and r.type.removeprefix("pulumi:providers:").split(":")[0] in clouds
    )


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_stateful_resources_are_protected_outside_dev(plan: Plan, env: str) -> None:
    graph = plan(env, False)
    stateful = [r for r in graph.resources if r.type in STATEFUL_TYPES]
    assert len(stateful) >= 8
    for record in stateful:
        assert record.protect and record.retain_on_delete, f"{record.urn} is not protected"


def test_dev_protects_nothing_so_it_can_be_torn_down(plan: Plan) -> None:
    graph = plan("dev", False)
    assert not any(r.protect for r in graph.resources)
    data_buckets = [r for r in graph.of_type(S3_BUCKET) if "audit" not in r.name]
    assert data_buckets and all(inputs(b)["forceDestroy"] is True for b in data_buckets)
    (audit_bucket,) = [r for r in graph.of_type(S3_BUCKET) if "audit" in r.name]
    assert inputs(audit_bucket)["forceDestroy"] is False, "audit logs are never force-destroyed"


def test_non_stateful_children_are_not_protected_needlessly(plan: Plan) -> None:
    graph = plan("prod", False)
    assert not any(r.protect for r in graph.of_type(PUBLIC_ACCESS))
    assert not any(r.protect for r in graph.of_type(BUCKET_POLICY))


def test_providers_carry_the_platform_tags(plan: Plan) -> None:
    graph = plan("prod", False)
    (aws_provider,) = graph.of_type("pulumi:providers:aws")
    tags = json.loads(inputs(aws_provider)["defaultTags"])["tags"]
    assert tags["environment"] == "prod" and tags["jurisdiction"] == "eu" and tags["managed-by"] == "aistacks"
    assert json.loads(inputs(aws_provider)["allowedAccountIds"]) == ["210987654321"]
    (gcp_provider,) = graph.of_type("pulumi:providers:gcp")
    assert inputs(gcp_provider)["project"] == "acme-ai-prod"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stack_outputs_name_the_vector_databases(plan: Plan, env: str) -> None:
    (stack,) = plan(env, False).of_type("pulumi:pulumi:Stack")
    vector = stack.outputs["vector"]
    assert vector["qdrant"]["endpoint"] == "http://qdrant.vector.svc.cluster.local:6333"
    assert vector["qdrant"]["api_key_secret"] == "qdrant-api-key"
    assert vector["qdrant"]["snapshot_bucket"].startswith(f"aistacks-{env}-vector-snapshots-")
    engines = {"qdrant", "opensearch-serverless", "vertex-vector-search"} if env == "staging" else {"qdrant"}
    assert set(vector) == engines
    if env == "staging":
        collection = vector["opensearch-serverless"]
        assert collection["endpoint"] == f"https://{collection['collection_id']}.eu-central-1.aoss.amazonaws.com"
        assert collection["service_account"] == "inference/vector-client"
        index = vector["vertex-vector-search"]
        assert "/locations/europe-west4/indexes/" in index["index_id"]
        assert "/indexEndpoints/" in index["index_endpoint_id"]
        assert index["deployed_index_id"] == "aistacks_staging_vectors"
        assert index["endpoint"].startswith("10."), "the Private Service Connect address, not a public name"
