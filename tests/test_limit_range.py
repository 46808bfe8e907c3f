"""The namespaces' LimitRanges admit the pods that run there: a pure model of the LimitRanger admission
plugin's defaulting and of the validation that follows it, applied to typical pods (a GPU pod that sets only
requests, a pod that sets nothing, the platform's own Qdrant and snapshot job) against every LimitRange the
stacks ship."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import pytest

from aistacks.engine.graph import display_value
from aistacks.k8s.namespaces import DEFAULT_CONTAINER_REQUESTS, role_namespaces
from aistacks.k8s.namespaces import default_limits as namespace_limit_range
from aistacks.k8s.qdrant import QdrantPlan, qdrant_manifests
from aistacks.k8s.snapshots import SnapshotPlan, snapshot_manifests

from .conftest import ENVIRONMENTS
from .test_stacks import Plan

LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
GPU = "nvidia.com/gpu"
Resources = dict[str, dict[str, str]]

# Kubernetes docs, "Resource Management for Pods and Containers" and the Quantity reference (read 2026-11-30).
_SUFFIXES = {
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
}


def quantity(value: str) -> Fraction:
    """A Kubernetes quantity (``250m``, ``8``, ``64Gi``) as a number."""
    found = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)", value)
    assert found is not None and found.group(2) in _SUFFIXES, f"not a quantity this model reads: {value!r}"
    return Fraction(found.group(1)) * _SUFFIXES[found.group(2)]


class Rejected(Exception):
    """The API server refuses the pod: what it would answer."""


def admit(container: Mapping[str, Any], limit_ranges: Iterable[Mapping[str, Any]]) -> Resources:
    """The resources a container ends up with once admitted into a namespace with ``limit_ranges``, or
    :class:`Rejected`. The steps, as the Kubernetes docs give them (read 2026-11-30):

    1. Defaulting, before admission ("Resource Management for Pods and Containers"): a resource with a
       limit and no request is requested at its limit.
    2. The LimitRanger ("Limit Ranges"): each ``Container`` item's ``default`` becomes the limit of every
       resource that has none, its ``defaultRequest`` the request of every resource that has none, whatever
       else the container sets; the defaults are not checked against each other or the container.
    3. Validation: a request above its limit is invalid ("Limit Ranges", "LimitRange and admission checks
       for Pods": ``must be less than or equal to cpu limit``); an extended resource such as GPUs is given
       as a limit, and a request of one must equal its limit ("Schedule GPUs").

    ``min``, ``max`` and ``maxLimitRequestRatio`` are not modelled: a LimitRange that sets them fails the
    test rather than passing unchecked."""
    resources = copy.deepcopy(dict(container.get("resources", {})))
    requests: dict[str, str] = dict(resources.get("requests", {}))
    limits: dict[str, str] = dict(resources.get("limits", {}))
    for name, value in limits.items():
        requests.setdefault(name, value)
    for limit_range in limit_ranges:
        for item in limit_range["spec"]["limits"]:
            unmodelled = set(item) - {"type", "default", "defaultRequest"}
            assert not unmodelled, f"this model does not apply {sorted(unmodelled)}"
            if item["type"] != "Container":
                continue
            for name, value in item.get("default", {}).items():
                limits.setdefault(name, value)
            for name, value in item.get("defaultRequest", {}).items():
                requests.setdefault(name, value)
    for name, request in requests.items():
        if name in limits and quantity(request) > quantity(limits[name]):
            raise Rejected(f"requests.{name}: Invalid value: {request!r}: must be less than or equal to {name} limit")
        if "/" in name and (name not in limits or quantity(limits[name]) != quantity(request)):
            raise Rejected(f"{name}: an extended resource's request must equal its limit")
    return {"requests": requests, "limits": limits}


def container(requests: Mapping[str, str] | None = None, limits: Mapping[str, str] | None = None) -> dict[str, Any]:
    resources = {key: dict(value) for key, value in (("requests", requests), ("limits", limits)) if value}
    return {"name": "main", "image": "example", **({"resources": resources} if resources else {})}


GPU_TRAINING = container({"cpu": "8", "memory": "64Gi"}, {GPU: "1"})
"""A typical GPU pod: requests what it needs, limits only its GPUs (which must be limits)."""
GPU_INFERENCE = container({"cpu": "30", "memory": "180Gi", GPU: "8"}, {GPU: "8"})
BARE = container()


# --- the model follows the documented behaviour ---------------------------------------------------------


DOCUMENTED = {
    "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "500m"}}]}
}
"""The docs' example LimitRange ("Limit Ranges", "LimitRange and admission checks for Pods")."""


def test_the_model_rejects_the_documented_request_above_a_default_limit() -> None:
    with pytest.raises(Rejected, match="must be less than or equal to cpu limit"):
        admit(container({"cpu": "700m"}), [DOCUMENTED])


def test_the_model_admits_the_documented_pod_that_sets_its_own_limit() -> None:
    admitted = admit(container({"cpu": "700m"}, {"cpu": "700m"}), [DOCUMENTED])
    assert admitted == {"requests": {"cpu": "700m"}, "limits": {"cpu": "700m"}}


def test_the_model_requests_a_limit_set_without_a_request() -> None:
    assert admit(container(limits={"memory": "1Gi"}), [])["requests"] == {"memory": "1Gi"}


def test_the_model_refuses_gpus_requested_without_a_limit() -> None:
    with pytest.raises(Rejected, match="extended resource"):
        admit(container({GPU: "1"}), [])


def test_the_previous_default_limits_rejected_a_typical_gpu_pod() -> None:
    """What the namespaces shipped before: a default limit of 2 CPUs and 4Gi under every request."""
    previous = {
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": {"cpu": "250m", "memory": "512Mi"},
                    "default": {"cpu": "2", "memory": "4Gi"},
                }
            ]
        }
    }
    with pytest.raises(Rejected, match="less than or equal to cpu limit"):
        admit(GPU_TRAINING, [previous])


# --- the namespaces' LimitRanges ------------------------------------------------------------------------


def shipped_limit_ranges() -> list[Any]:
    """Every namespace's LimitRange, for both roles, with and without the vector namespace."""
    return [
        pytest.param(spec.name, namespace_limit_range(spec), id=f"{role}-{'vector' if vector else 'alone'}-{spec.name}")
        for role in ("training", "inference")
        for vector in (False, True)
        for spec in role_namespaces(role, 8, vector=vector)
    ]


def typical_pods() -> dict[str, dict[str, Any]]:
    """Containers that run in the namespaces: GPU pods, a bare one, and the platform's own."""
    qdrant = QdrantPlan(storage_class="encrypted", cpu="4", memory="16Gi", storage_gib=500, replicas=3)
    (statefulset,) = [m for m in qdrant_manifests(qdrant) if m["kind"] == "StatefulSet"]
    (cronjob,) = [
        m for m in snapshot_manifests(SnapshotPlan("s3", "bucket"), qdrant.snapshot_source()) if m["kind"] == "CronJob"
    ]
    (qdrant_container,) = statefulset["spec"]["template"]["spec"]["containers"]
    (job_container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return {
        "gpu-training": GPU_TRAINING,
        "gpu-inference": GPU_INFERENCE,
        "request-only": container({"cpu": "3", "memory": "6Gi"}),
        "bare": BARE,
        "qdrant": qdrant_container,
        "snapshot-job": job_container,
    }


@pytest.mark.parametrize("pod", sorted(typical_pods()))
@pytest.mark.parametrize(("namespace", "limit_range"), shipped_limit_ranges())
def test_typical_pods_are_admitted_as_they_asked(namespace: str, limit_range: dict[str, Any], pod: str) -> None:
    asked = typical_pods()[pod]
    admitted = admit(asked, [limit_range])
    own = asked.get("resources", {})
    for kind in ("requests", "limits"):
        for name, value in own.get(kind, {}).items():
            assert admitted[kind][name] == value, f"{namespace}: {pod}'s own {kind}.{name} is kept"


@pytest.mark.parametrize(("namespace", "limit_range"), shipped_limit_ranges())
def test_a_container_that_sets_nothing_still_requests_cpu_and_memory(
    namespace: str, limit_range: dict[str, Any]
) -> None:
    admitted = admit(BARE, [limit_range])
    assert admitted["requests"] == DEFAULT_CONTAINER_REQUESTS, namespace
    assert all(quantity(value) > 0 for value in admitted["requests"].values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_stacks_limit_ranges_admit_a_typical_gpu_pod(plan: Plan, env: str) -> None:
    ranges = [display_value(record.inputs) for record in plan(env, False).of_type(LIMIT_RANGE)]
    assert ranges, "every workload namespace has a LimitRange"
    for limit_range in ranges:
        namespace = limit_range["metadata"]["namespace"]
        assert admit(GPU_TRAINING, [limit_range])["requests"]["memory"] == "64Gi", namespace
        assert admit(BARE, [limit_range])["requests"] == DEFAULT_CONTAINER_REQUESTS, namespace
