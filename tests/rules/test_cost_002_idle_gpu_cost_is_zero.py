"""AIS-COST-002 (``policies/rules/cost_002_idle_gpu_cost_is_zero.py``): GPU pools of dev stacks and of training
clusters scale to zero, and training pools run on spot unless they say why not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aistacks.engine.graph import ResourceGraph
from aistacks.gate import GateResult, evaluate
from aistacks.gate.config import resolve_policy_config
from aistacks.policies import POLICIES

from .fixtures import BASE_CONFIG, GCP_EU, TODAY, UNKNOWN, findings, only, provider, res, run

RULE = "AIS-COST-002"
MODES = [False, True]
REASON = "checkpoints-are-lost-on-preemption-and-restarts-cost-more"


def node_group(
    *,
    role: str | None = "training",
    environment: str = "prod",
    floor: Any = 0,
    capacity: str = "SPOT",
    type_name: str = "g5.xlarge",
    **tags: str,
) -> Any:
    labels = {"environment": environment, **({"aistacks.io/role": role} if role else {}), **tags}
    props = {
        "clusterName": "c",
        "instanceTypes": [type_name],
        "capacityType": capacity,
        "scalingConfig": {"minSize": floor, "maxSize": 4, "desiredSize": floor},
        "tags": labels,
    }
    return res("aws:eks/nodeGroup:NodeGroup", "pool", props)


def node_pool(
    *, role: str = "training", floor: int = 0, spot: bool = True, labels: dict[str, str] | None = None
) -> Any:
    props = {
        "cluster": "c",
        "location": "europe-west4",
        "autoscaling": {"totalMinNodeCount": floor, "totalMaxNodeCount": 4},
        "nodeConfig": {
            "machineType": "g2-standard-4",
            "guestAccelerators": [{"type": "nvidia-l4", "count": 1}],
            "spot": spot,
            "resourceLabels": {"environment": "prod", "aistacks-role": role, **(labels or {})},
        },
    }
    return res("gcp:container/nodePool:NodePool", "pool", props, GCP_EU)


def paths(pool: Any, preview: bool = False) -> list[str]:
    return sorted(path for _, path, _ in findings(run(pool, preview=preview), RULE))


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        (node_group(), []),  # training: to zero, on spot
        (node_group(floor=1), ["scalingConfig.minSize"]),
        (node_group(capacity="ON_DEMAND"), ["capacityType"]),
        (node_group(capacity="ON_DEMAND", **{"aistacks.io/on-demand-reason": REASON}), []),
        (node_group(capacity="ON_DEMAND", **{"aistacks.io/on-demand-reason": "needed-needed"}), ["capacityType"]),
        (node_group(floor=2, capacity="ON_DEMAND"), ["capacityType", "scalingConfig.minSize"]),
        (node_group(role="inference", floor=2, capacity="ON_DEMAND"), []),  # prod inference keeps a floor
        (node_group(role="inference", environment="dev", floor=1, capacity="ON_DEMAND"), ["scalingConfig.minSize"]),
        (node_group(role="inference", environment="dev", capacity="ON_DEMAND"), []),  # dev: spot is not required
        (node_group(floor=3, type_name="m7i.large", capacity="ON_DEMAND"), []),  # not a GPU pool
        (node_pool(), []),
        (node_pool(floor=1), ["autoscaling.totalMinNodeCount"]),
        (node_pool(spot=False), ["nodeConfig.spot"]),
        (node_pool(spot=False, labels={"aistacks-on-demand-reason": REASON}), []),
        (node_pool(role="inference", floor=1, spot=False), []),
    ],
)
def test_gpu_pools_idle_at_zero_and_train_on_spot(pool: Any, expected: list[str], preview: bool) -> None:
    assert paths(pool, preview) == expected


def test_a_training_pool_that_idles_says_what_it_costs_idle() -> None:
    _, _, message = only(run(node_group(floor=1)), RULE)
    assert "a GPU pool of a training cluster idles at 1 node(s) (g5.xlarge in eu-west-1, $" in message
    assert "a month while idle): set its minimum to 0" in message


DEV_TAGS = {"tags": {"environment": "dev"}}


def on_provider(pool: Any, dev: Any) -> GateResult:
    """``pool`` under the provider ``dev`` alone, judged as the gate judges a plan."""
    pool.provider = dev.urn
    graph = ResourceGraph("fixtures", "test", False, [dev, pool])
    return evaluate(graph, POLICIES, resolve_policy_config(BASE_CONFIG, POLICIES, "fixtures"), {}, today=TODAY)


@pytest.mark.parametrize(
    "default_tags",
    [json.dumps(DEV_TAGS), DEV_TAGS],
    ids=["json-text-as-the-engine-sends-it", "an-object"],
)
@pytest.mark.parametrize("floor", [0, 1])
def test_the_environment_may_come_from_the_providers_default_tags(default_tags: Any, floor: int) -> None:
    """A dev GPU pool tagged on its provider only: the SDK sends ``defaultTags`` as JSON text
    (``pulumi_aws.Provider``: ``.apply(pulumi.runtime.to_json)``; ``aistacks plan --json`` shows it so), which
    the rule decodes; a program whose provider input arrives as an object is read as it is."""
    dev = provider("aws", "dev", region="eu-west-1", defaultTags=default_tags)
    pool = node_group(role=None, floor=floor, capacity="ON_DEMAND")
    del pool.inputs["tags"]["environment"]
    found = findings(on_provider(pool, dev), RULE)
    if floor == 0:
        assert found == []
        return
    [(_, path, message)] = found
    assert path == "scalingConfig.minSize" and "a GPU pool of a dev stack idles at 1 node(s)" in message


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_environment_may_come_from_the_providers_default_labels(environment: str) -> None:
    """GKE: ``defaultLabels`` arrives as JSON text too."""
    labels = json.dumps({"environment": environment, "stack": "dev"})
    dev = provider("gcp", "dev", project="p", region="europe-west4", defaultLabels=labels)
    pool = node_pool(role="inference", floor=1, spot=False)
    del pool.inputs["nodeConfig"]["resourceLabels"]["environment"]
    paths = [path for _, path, _ in findings(on_provider(pool, dev), RULE)]
    assert paths == (["autoscaling.totalMinNodeCount"] if environment == "dev" else [])


def test_a_short_reason_is_named() -> None:
    pool = node_group(capacity="ON_DEMAND", **{"aistacks.io/on-demand-reason": "temp-fix"})
    _, _, message = only(run(pool), RULE)
    assert '"temp-fix" is no reason' in message


def test_a_role_unknown_at_preview_cannot_be_verified() -> None:
    pool = node_group(floor=1)
    pool.inputs["tags"] = UNKNOWN
    assert paths(pool, preview=True) == ["tags"]
