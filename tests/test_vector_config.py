"""The ``vector`` stack config: one store or several, per-engine fields, defaults per tier and engine,
and errors that name the key as written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aistacks.catalog import regions_of, vector_engine_regions
from aistacks.config import parse_platform_spec
from aistacks.gcp.vector_search import deployed_index_id
from aistacks.plan import plan_platform

from .test_config import issue_at, issues_of

ROOT = "aistacks:platform"
INFERENCE = {"role": "inference", "gpu_pools": [{"name": "l4", "gpu": "l4", "max_nodes": 1}]}
CI_EGRESS = ["203.0.113.0/24"]
"""What a restricted EKS API (the default outside dev) admits: a documentation range (RFC 5737)."""


def both_clouds(vector: Any, environment: str = "staging", **extra: Any) -> dict[str, Any]:
    eks_inference = INFERENCE if environment == "dev" else {**INFERENCE, "api_access_cidrs": CI_EGRESS}
    return {
        "environment": environment,
        "jurisdiction": "eu",
        "aws": {"region": "eu-central-1", "kubernetes_version": "1.35", "clusters": [eks_inference]},
        "gcp": {
            "project": "acme-ai-test",
            "region": "europe-west4",
            "kubernetes_version": "1.35",
            "clusters": [INFERENCE],
        },
        "vector": vector,
        **extra,
    }


def test_one_object_and_a_list_of_one_mean_the_same() -> None:
    one = parse_platform_spec(both_clouds({"replicas": 3}))
    listed = parse_platform_spec(both_clouds([{"replicas": 3}]))
    assert one.vector == listed.vector and len(one.vector) == 1


@pytest.mark.parametrize(
    ("environment", "replicas"),
    [("dev", {"qdrant": 1, "opensearch-serverless": 1, "vertex-vector-search": 1}),
     ("prod", {"qdrant": 3, "opensearch-serverless": 2, "vertex-vector-search": 2})],
)  # fmt: skip
def test_replicas_default_per_tier_and_engine(environment: str, replicas: dict[str, int]) -> None:
    stores = [
        {"engine": "qdrant"},
        {"engine": "opensearch-serverless"},
        {"engine": "vertex-vector-search", "dimensions": 8},
    ]
    plan = plan_platform(parse_platform_spec(both_clouds(stores, environment)))
    assert {vector.engine: vector.replicas for vector in plan.vectors} == replicas
    assert {vector.engine: vector.cloud for vector in plan.vectors} == {
        "qdrant": "aws",
        "opensearch-serverless": "aws",
        "vertex-vector-search": "gcp",
    }
    snapshots = plan.clouds["aws"].snapshot_bucket
    assert snapshots is not None and snapshots.name == "vector-snapshots"
    assert snapshots.expiration_days == {"dev": 7, "prod": 90}[environment], "the tier's retention"
    assert plan.clouds["gcp"].snapshot_bucket is None, "only on the cloud that hosts Qdrant"
    (host,) = [cluster for cluster in plan.clouds["aws"].clusters if cluster.qdrant is not None]
    assert host.role == "inference", "the first inference cluster hosts it"


def test_managed_engines_alone_need_no_snapshot_bucket() -> None:
    plan = plan_platform(parse_platform_spec(both_clouds({"engine": "opensearch-serverless"})))
    assert all(cloud.snapshot_bucket is None for cloud in plan.clouds.values())
    assert plan.vectors[0].name == "aistacks-staging-vectors"
    assert plan.clouds["aws"].managed_vectors == plan.vectors
    assert plan.clouds["gcp"].managed_vectors == ()


def test_an_error_in_a_single_object_is_named_without_an_index() -> None:
    issue = issue_at(both_clouds({"replicas": 0}), f"{ROOT}.vector.replicas")
    assert issue.value == 0


def test_an_error_in_a_list_names_the_index() -> None:
    issue = issue_at(both_clouds([{}, {"engine": "pinecone"}]), f"{ROOT}.vector[1].engine")
    assert "qdrant" in issue.message and "vertex-vector-search" in issue.message


def test_one_store_per_engine() -> None:
    issue = issue_at(both_clouds([{}, {"engine": "qdrant"}]), f"{ROOT}.vector[1].engine")
    assert "one vector database per engine" in issue.message


@pytest.mark.parametrize(
    ("vector", "key", "engine"),
    [
        ({"engine": "opensearch-serverless", "storage_gib": 10}, "storage_gib", "qdrant"),
        ({"engine": "vertex-vector-search", "dimensions": 8, "snapshot_schedule": "0 1 * * *"},
         "snapshot_schedule", "qdrant"),
        ({"engine": "opensearch-serverless", "snapshot_retention_days": 7}, "snapshot_retention_days", "qdrant"),
        ({"dimensions": 768}, "dimensions", "vertex-vector-search"),
        ({"engine": "opensearch-serverless", "distance": "COSINE_DISTANCE"}, "distance", "vertex-vector-search"),
    ],
)  # fmt: skip
def test_fields_of_another_engine_are_refused(vector: dict[str, Any], key: str, engine: str) -> None:
    issue = issue_at(both_clouds(vector), f"{ROOT}.vector.{key}")
    assert f"applies to engine {engine} only" in issue.message


@pytest.mark.parametrize(("key", "value"), [("public_access", True), ("customer_managed_key", False)])
def test_qdrant_has_no_weakening_opt_outs(key: str, value: bool) -> None:
    issue = issue_at(both_clouds({key: value}), f"{ROOT}.vector.{key}")
    assert "managed engines only" in issue.message


def test_vertex_needs_dimensions() -> None:
    issue = issue_at(both_clouds({"engine": "vertex-vector-search"}), f"{ROOT}.vector.dimensions")
    assert "required" in issue.message


def test_a_managed_engine_runs_on_its_own_cloud() -> None:
    issue = issue_at(both_clouds({"engine": "opensearch-serverless", "cloud": "gcp"}), f"{ROOT}.vector.cloud")
    assert issue.message == "opensearch-serverless runs on aws; allowed: aws"


def test_a_managed_engine_needs_its_cloud() -> None:
    raw = both_clouds({"engine": "vertex-vector-search", "dimensions": 8})
    del raw["gcp"]
    assert "needs `gcp` settings" in issue_at(raw, f"{ROOT}.vector.engine").message


def test_a_managed_engine_needs_a_client_cluster() -> None:
    raw = both_clouds({"engine": "opensearch-serverless", "cluster": "nowhere"})
    assert "no AWS cluster" in issue_at(raw, f"{ROOT}.vector.cluster").message


def test_opensearch_keeps_at_most_a_standby_copy() -> None:
    issue = issue_at(both_clouds({"engine": "opensearch-serverless", "replicas": 3}), f"{ROOT}.vector.replicas")
    assert issue.message.endswith("allowed: 1, 2")


def test_a_platform_name_too_long_for_a_collection_name() -> None:
    raw = both_clouds({"engine": "opensearch-serverless"}, name="a-very-long-platform")
    issue = issue_at(raw, f"{ROOT}.name")
    assert "32 characters" in issue.message and "aistacks" not in str(issue.value)


@pytest.mark.parametrize("schedule", ["daily", "0 3 * *", "0 3 * * MON"])
def test_snapshot_schedule_must_be_numeric_cron(schedule: str) -> None:
    assert issue_at(both_clouds({"snapshot_schedule": schedule}), f"{ROOT}.vector.snapshot_schedule")


def test_the_snapshot_bucket_name_is_reserved() -> None:
    raw = both_clouds({}, buckets=[{"name": "vector-snapshots"}])
    assert "Qdrant snapshot bucket" in issue_at(raw, f"{ROOT}.buckets[0].name").message


def test_every_vector_problem_is_reported_at_once() -> None:
    issues = issues_of(
        both_clouds([{"engine": "vertex-vector-search"}, {"engine": "opensearch-serverless", "replicas": 5}])
    )
    assert {issue.path for issue in issues} >= {f"{ROOT}.vector[0].dimensions", f"{ROOT}.vector[1].replicas"}


@given(st.text(min_size=1, max_size=40))
def test_deployed_index_ids_are_always_valid(name: str) -> None:
    found = deployed_index_id(name)
    assert found[0].isascii() and found[0].isalpha()
    assert all(c.isascii() and (c.isalnum() or c == "_") for c in found)


def test_a_managed_engine_in_a_region_without_it_lists_where_it_is_offered() -> None:
    raw = both_clouds({"engine": "vertex-vector-search", "dimensions": 8})
    raw["gcp"]["region"] = "europe-west12"  # Turin: Vertex AI, but no Vector Search
    raw["gcp"]["clusters"] = [{"role": "inference"}]
    issue = issue_at(raw, f"{ROOT}.vector.engine")
    assert "not offered in gcp.region europe-west12" in issue.message
    assert "europe-west4" in issue.message and "us-central1" not in issue.message, "only the jurisdiction's"


@pytest.mark.parametrize(("engine", "cloud"), [("opensearch-serverless", "aws"), ("vertex-vector-search", "gcp")])
def test_every_region_offering_a_managed_engine_is_a_catalog_region(engine: str, cloud: str) -> None:
    offered = vector_engine_regions(engine)
    assert offered and offered <= set(regions_of(cloud))  # type: ignore[arg-type]
