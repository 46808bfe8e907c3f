"""AIS-COST-002: a GPU pool of a dev stack or of a training cluster costs nothing while idle, and training runs
on spot unless the pool says why not.

A GPU pool is an EKS node group or GKE node pool of accelerator nodes (a type of the accelerator catalog, an
accelerated EKS AMI type, or GKE guest accelerators). It is a dev stack's when its ``environment`` tag (AWS:
the node group's ``tags``, else its provider's ``defaultTags``) or label (GKE: ``nodeConfig.resourceLabels``,
else the provider's ``defaultLabels``; a provider's defaults arrive as the JSON text the SDK sends, and are read
decoded) is ``dev``; a training cluster's when its role tag or label (``aistacks.io/role``, GKE
``aistacks-role``, which aistacks puts on every pool) is ``training``. Such a pool
scales down to zero nodes (EKS ``scalingConfig.minSize``, GKE ``autoscaling.totalMinNodeCount`` or
``minNodeCount``, else its fixed ``nodeCount``). A training pool also runs on spot (EKS ``capacityType: SPOT``,
GKE ``nodeConfig.spot`` or ``preemptible``) unless its ``aistacks.io/on-demand-reason`` tag (GKE
``aistacks-on-demand-reason`` label; the config's ``on_demand_reason``) says why in at least four different
words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity

from aistacks.vocabulary import ENVIRONMENT_TAG, ON_DEMAND_REASON_TAG, ROLE_TAG, Cloud

from ..cost import NODE_GROUP, NODE_POOL, is_accelerated, region_of, unit_price, usd
from ..framework import (
    MIN_REASON_WORDS,
    Check,
    RuleMeta,
    Subject,
    Unknown,
    literal,
    meaningful_words,
    read,
    read_provider,
    resource_policy,
)
from ..placement import default_provider_config

META = RuleMeta(
    id="AIS-COST-002",
    name="IdleGpuCostIsZero",
    title="GPU pools of dev stacks and training clusters cost nothing while idle",
    description="A GPU node group or node pool of a dev stack (environment tag or label dev) or of a training "
    "cluster (aistacks.io/role or aistacks-role training) has a minimum size of 0, so its idle cost is zero; a "
    "training pool runs on spot capacity unless its aistacks.io/on-demand-reason tag (aistacks-on-demand-reason "
    f"label) gives a reason of at least {MIN_REASON_WORDS} different words.",
    severity=Severity.MEDIUM,
    remediation="Set the pool's min_nodes to 0 (the cluster autoscaler adds nodes when GPU work is pending); run "
    "training on spot (capacity: spot, the training default), or keep it on demand with on_demand_reason in the "
    "pool's config saying why (checkpoints lost on preemption cost more than spot saves).",
)


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type not in (NODE_GROUP, NODE_POOL) or not is_accelerated(resource):
        return
    cloud: Cloud = "aws" if resource.resource_type == NODE_GROUP else "gcp"
    environment = _tag(resource, cloud, ENVIRONMENT_TAG)
    role = _tag(resource, cloud, ROLE_TAG[cloud])
    for value, key in ((environment, ENVIRONMENT_TAG), (role, ROLE_TAG[cloud])):
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, f"a known {key} tag or label")
            return
    whose = " and ".join(
        what
        for what, applies in (("a dev stack", environment == "dev"), ("a training cluster", role == "training"))
        if applies
    )
    if not whose:
        return
    _idle(check, resource, cloud, whose)
    if role == "training":
        _spot(check, resource, cloud)


def _tag(resource: Subject, cloud: Cloud, key: str) -> Any:
    """A tag (AWS) or label (GKE) of the pool, else of its provider's defaults."""
    own = read(resource.props, "tags" if cloud == "aws" else "nodeConfig.resourceLabels")
    if isinstance(own, Unknown):
        return own
    if isinstance(own, Mapping) and key in own:
        return own[key]  # a key with dots and slashes (aistacks.io/role): not a path to read
    if resource.provider is None:
        return None
    # The provider's defaults arrive as JSON text, as the SDK sends them ('{"tags": {...}}'): read_provider
    # decodes them (and reads a mapping as it is).
    defaults = read_provider(resource.provider, "defaultTags.tags" if cloud == "aws" else "defaultLabels")
    if isinstance(defaults, Unknown):
        return defaults
    return defaults.get(key) if isinstance(defaults, Mapping) else None


def _idle(check: Check, resource: Subject, cloud: Cloud, whose: str) -> None:
    path, floor = _floor(resource, cloud)
    if isinstance(floor, Unknown):
        check.cannot_verify(resource, floor, "a minimum size of 0")
        return
    if floor is None or floor == 0:
        return
    floor = int(floor) if float(floor).is_integer() else floor  # the engine's numbers arrive as floats
    check.fail(
        resource,
        path,
        floor,
        "0",
        f"a GPU pool of {whose} idles at {floor} node(s){_idle_cost(resource, cloud, floor)}: set its minimum to "
        "0, so that it costs nothing while no GPU work runs (the cluster autoscaler adds nodes when work is pending)",
    )


def _floor(resource: Subject, cloud: Cloud) -> tuple[str, Any]:
    """The property that holds the pool's fewest nodes, and its value (None: not set, which is 0 for EKS's
    required minSize and for an autoscaled GKE pool)."""
    if cloud == "aws":
        return "scalingConfig.minSize", read(resource.props, "scalingConfig.minSize")
    for path in ("autoscaling.totalMinNodeCount", "autoscaling.minNodeCount", "nodeCount", "initialNodeCount"):
        value = read(resource.props, path)
        if isinstance(value, Unknown | int | float):
            return path, value
        if path == "autoscaling.minNodeCount" and isinstance(read(resource.props, "autoscaling"), Mapping):
            return path, None  # autoscaled, no minimum: GKE's minimum is 0
    return "nodeCount", None


def _idle_cost(resource: Subject, cloud: Cloud, floor: Any) -> str:
    """``, $X a month`` at the pool's floor where the price catalog prices its type, else nothing."""
    type_path = "instanceTypes[0]" if cloud == "aws" else "nodeConfig.machineType"
    type_name, region = read(resource.props, type_path), region_of(resource, default_provider_config())
    if not isinstance(type_name, str) or not isinstance(region, str) or not isinstance(floor, int | float):
        return ""
    spot = read(resource.props, "capacityType") == "SPOT" or any(
        read(resource.props, path) is True for path in ("nodeConfig.spot", "nodeConfig.preemptible")
    )
    price = unit_price(cloud, type_name, region, spot)  # as AIS-COST-001 prices it: no spot price, no amount
    if price.monthly_usd is None:
        return ""
    return f" ({type_name} in {region}, {usd(price.monthly_usd * int(floor))} a month while idle)"


def _spot(check: Check, resource: Subject, cloud: Cloud) -> None:
    if cloud == "aws":
        path, capacity = "capacityType", read(resource.props, "capacityType")
        spot: Any = capacity if isinstance(capacity, Unknown) else capacity == "SPOT"
    else:
        path = "nodeConfig.spot"
        values = [read(resource.props, key) for key in ("nodeConfig.spot", "nodeConfig.preemptible")]
        unknown = next((value for value in values if isinstance(value, Unknown)), None)
        spot = unknown if unknown is not None else any(value is True for value in values)
        capacity = values[0]
    if isinstance(spot, Unknown):
        check.cannot_verify(resource, spot, "spot capacity, or an on-demand reason")
        return
    if spot:
        return
    reason = _tag(resource, cloud, ON_DEMAND_REASON_TAG[cloud])
    if isinstance(reason, Unknown):
        check.cannot_verify(resource, reason, f"a reason of {MIN_REASON_WORDS}+ different words")
        return
    tag = ON_DEMAND_REASON_TAG[cloud]
    if isinstance(reason, str) and len(meaningful_words(reason.replace("-", " "))) >= MIN_REASON_WORDS:
        return
    if isinstance(reason, str):
        message = (
            f"a training pool runs on demand, and its {tag} {literal(reason)} is no reason: at least "
            f"{MIN_REASON_WORDS} different words that say why"
        )
    else:
        message = (
            f"a training pool runs on demand without a reason: training tolerates interruption and spot costs a "
            f"fraction of on demand; run it on spot, or say why not in its {tag} tag or label (on_demand_reason "
            "in the pool's config)"
        )
    check.fail(resource, path, capacity, f"spot, or a {tag} of {MIN_REASON_WORDS}+ different words", message)


POLICY = resource_policy(META, _check)
