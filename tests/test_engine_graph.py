"""The resource graph's lookups (by URN, children by parent) and the tree `aistacks plan` prints from them."""

from __future__ import annotations

from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.engine.render import render_tree

STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"


def record(
    name: str, type_token: str = "aws:s3/bucket:Bucket", parent: str | None = STACK, custom: bool = True
) -> ResourceRecord:
    return ResourceRecord(
        urn=f"urn:pulumi:s::p::{type_token}::{name}",
        type=type_token,
        name=name,
        custom=custom,
        parent=parent,
        provider=None,
        inputs={},
    )


def test_get_finds_records_however_they_were_added() -> None:
    first, second, third = record("a"), record("b"), record("c")
    graph = ResourceGraph("p", "s", False, [first])
    graph.add(second)
    graph.resources.append(third)  # behind add()'s back, as a test fixture may do
    assert graph.get(first.urn) is first
    assert graph.get(second.urn) is second
    assert graph.get(third.urn) is third
    assert graph.get("urn:pulumi:s::p::aws:s3/bucket:Bucket::missing") is None


def test_get_returns_the_first_record_of_a_urn_as_a_scan_did() -> None:
    original, duplicate = record("a"), record("a")
    graph = ResourceGraph("p", "s", False)
    graph.add(original)
    graph.add(duplicate)
    assert graph.get(original.urn) is original


def test_children_come_components_first_then_by_type_and_name() -> None:
    stack = record("p-s", "pulumi:pulumi:Stack", parent=None, custom=False)
    component = record("platform", "aistacks:platform:AiPlatform", custom=False)
    key = record("key", "aws:kms/key:Key")
    bucket_b, bucket_a = record("b"), record("a")
    graph = ResourceGraph("p", "s", False, [stack, bucket_b, key, component, bucket_a])
    assert graph.children_of(STACK) == [component, key, bucket_a, bucket_b]
    assert graph.children_by_parent()[None] == [stack]
    assert graph.children_of(bucket_a.urn) == []


def test_the_tree_nests_children_under_their_parents() -> None:
    stack = record("p-s", "pulumi:pulumi:Stack", parent=None, custom=False)
    component = record("platform", "aistacks:platform:AiPlatform", custom=False)
    inner = record("inner", parent=component.urn)
    graph = ResourceGraph("p", "s", False, [stack, record("outer"), component, inner])
    assert render_tree(graph).splitlines()[:6] == [
        "stack s of project p (update, offline): 4 resources",
        "",
        "pulumi:pulumi:Stack  p-s",
        "├─ aistacks:platform:AiPlatform  platform",
        "│  └─ aws:s3/bucket:Bucket  inner",
        "└─ aws:s3/bucket:Bucket  outer",
    ]
