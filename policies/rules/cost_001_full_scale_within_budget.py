"""AIS-COST-001: the stack's full-scale monthly estimate stays within its budget.

The estimate is read from the resource graph (:mod:`aistacks.policies.cost`): every EKS node group at
``scalingConfig.maxSize`` and every GKE node pool at its autoscaling maximum (per zone times its zones, or the
total), each node at the price catalog's on-demand or spot price (by ``capacityType``, ``nodeConfig.spot`` or
``preemptible``) in the region it is placed in; the EKS and GKE cluster fees; AWS NAT gateways and Cloud NAT.
The limit is ``maxMonthlyUsd`` when set (the built-in policy config sets it from ``budget.monthly_usd``), else
the sum of the stack's own monthly USD cost budgets (an aistacks stack splits its amount between its clouds'
budgets, so their sum is the environment's amount). Each cloud's share of the estimate is also held to that
cloud's own budgets (``aws:budgets`` ``limitAmount``, ``gcp:billing`` ``amount``), naming the cloud and its
dearest pools. With neither a setting nor a budget there is no limit to hold, and the built-in config disables
the rule for a stack without a budget.

A node group, pool or cluster the catalog cannot price, or whose size or region is unknown, is a finding of its
own: the estimate cannot be made without it. So is a spot pool whose type the catalog has no spot price for
(``aistacks cost`` refuses it too; its on-demand price is not what it buys), and compute the estimate does not
model (Auto Scaling groups, EC2 and Compute Engine VMs, SageMaker endpoints and notebooks, a GKE cluster's own
nodes, ...: :data:`aistacks.policies.cost.UNPRICED_COMPUTE`), which a user who priced it accepts with a
suppression. A price the catalog carries a note on (an UNCONFIRMED source row) is used as it is and the pools
priced with it are named in a finding with the note. A NAT gateway the catalog has no price for in its region,
and the managed services of :data:`aistacks.policies.cost.UNESTIMATED_SERVICES` (OpenSearch Serverless, Vertex
AI Vector Search), are left out of the estimate and named in the message; storage and traffic are not estimated
at all (``aistacks cost`` lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pulumi_policy import PolicyResource, Severity

from ..cost import Line, budget_limits, cloud_of, estimate, usd
from ..framework import Check, RuleMeta, Unknown, stack_policy
from ..placement import default_provider_config

TOP_CONTRIBUTORS = 3
"""How many of the dearest pools a finding names."""

META = RuleMeta(
    id="AIS-COST-001",
    name="FullScaleCostWithinBudget",
    title="The full-scale monthly estimate stays within the budget",
    description="The stack's monthly cost with every EKS node group and GKE node pool at its maximum size "
    "(maxSize; autoscaling maximum times zones), each node at the price catalog's on-demand or spot price in its "
    "region, plus the EKS and GKE cluster fees and the NAT gateways, is at most maxMonthlyUsd, else the sum of "
    "the stack's own monthly USD budgets (aws:budgets Budget, gcp:billing Budget); each cloud's share is at most "
    "that cloud's budgets. A pool, node group or cluster the catalog cannot price (a spot pool without a spot "
    "price included), and compute the estimate does not model (Auto Scaling groups, VMs, SageMaker, a GKE "
    "cluster's own nodes), fails: the estimate cannot be made without it.",
    severity=Severity.HIGH,
    remediation="Lower the max_nodes of the pools the message names (or move a training pool to spot), or raise "
    "budget.monthly_usd after checking `aistacks cost <env>`; for a type the price catalog lacks, add its price "
    "with a source to components/catalog/data/prices_*.json, or accept it with a suppression; for compute the "
    "estimate does not model, price it by hand and accept it with a suppression that says so.",
    settings={
        "maxMonthlyUsd": {
            "type": ["number", "null"],
            "exclusiveMinimum": 0,
            "default": None,
            "description": "The monthly limit in US dollars. Unset: the sum of the stack's monthly USD cost "
            "budgets; with neither the rule has nothing to hold the estimate to.",
        }
    },
)


CANNOT_PRICE = ("pool", "cluster", "compute")
"""Lines without an amount that fail on their own: the estimate cannot be made without them."""
CLOUD_NAMES = {"aws": "AWS", "gcp": "GCP"}


@dataclass(frozen=True)
class Limit:
    amount: Decimal
    source: str
    """Where it comes from: ``maxMonthlyUsd``, or the budgets' names."""


@dataclass(frozen=True)
class Limits:
    total: Limit | None
    """The environment's: ``maxMonthlyUsd``, else the sum of the stack's budgets."""
    clouds: dict[str, Limit]
    """Each cloud's own: the sum of its monthly USD cost budgets (an aistacks stack creates one per cloud)."""


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    limits = _limits(check, resources)
    if limits.total is None and not limits.clouds:
        return
    lines = estimate(resources, default_provider_config())
    for line in lines:
        if line.monthly_usd is None and line.kind in CANNOT_PRICE:
            held = limits.total or limits.clouds.get(line.cloud) or next(iter(limits.clouds.values()))
            check.fail(
                line.resource,
                line.path or "type",
                None,
                "EKS node groups and GKE node pools for compute, or a suppression that says it was priced"
                if line.kind == "compute"
                else "a node type, size and region the price catalog prices",
                f"cannot price {line.resource.name}: {line.problem}; so the stack's full-scale estimate cannot be "
                f"held to its budget of {usd(held.amount)} ({held.source})",
            )
    total = _sum(lines)
    overs: list[tuple[str, list[Line], Decimal, Limit]] = []
    for cloud, limit in sorted(limits.clouds.items()):
        mine = [line for line in lines if line.cloud == cloud]
        subtotal = _sum(mine)
        if subtotal > limit.amount:
            overs.append((cloud, mine, subtotal, limit))
    if limits.total is not None and total > limits.total.amount:
        # One finding for the environment; a cloud over its own budget too is said in it, unless that says nothing
        # new (the whole estimate is the cloud's, held by the total to as much or less).
        shares = [
            _share(cloud, mine, subtotal, limit)
            for cloud, mine, subtotal, limit in overs
            if not (subtotal == total and limit.amount >= limits.total.amount)
        ]
        check.fail_stack(
            "fullScaleMonthlyUsd",
            "; ".join([_message(lines, total, limits.total), *shares]),
            actual=usd(total),
            expected=f"at most {usd(limits.total.amount)} ({limits.total.source})",
        )
        return
    for cloud, mine, subtotal, limit in overs:
        check.fail_stack(
            f"fullScaleMonthlyUsd.{cloud}",
            _message(mine, subtotal, limit, cloud),
            actual=usd(subtotal),
            expected=f"at most {usd(limit.amount)} ({limit.source})",
        )


def _share(cloud: str, lines: Sequence[Line], subtotal: Decimal, limit: Limit) -> str:
    """A cloud over its own budget, said in the environment's finding: its estimate, budget and dearest pools."""
    top = ", ".join(
        f"{line.resource.name} {usd(line.monthly_usd or Decimal(0))}" for line in _pools(lines)[:TOP_CONTRIBUTORS]
    )
    return (
        f"{_upper(cloud)}'s share, {usd(subtotal)}, is over its own budget of {usd(limit.amount)} ({limit.source}) "
        f"by {usd(subtotal - limit.amount)} (its dearest pools: {top or 'none'})"
    )


def _pools(lines: Sequence[Line]) -> list[Line]:
    """The priced pools, dearest first."""
    return sorted(
        (line for line in lines if line.kind == "pool" and line.monthly_usd is not None),
        key=lambda line: line.monthly_usd or Decimal(0),
        reverse=True,
    )


def _sum(lines: Sequence[Line]) -> Decimal:
    return sum((line.monthly_usd for line in lines if line.monthly_usd is not None), Decimal(0))


def _limits(check: Check, resources: Sequence[PolicyResource]) -> Limits:
    """The environment's limit and each cloud's; a budget unknown until the update cannot be verified, and
    without ``maxMonthlyUsd`` leaves the environment without a limit (the sum is unknown)."""
    setting = check.settings["maxMonthlyUsd"]
    known: list[tuple[PolicyResource, Decimal]] = []
    unknown: set[str] = set()
    for resource, limit in budget_limits(resources):
        if isinstance(limit, Unknown):
            check.cannot_verify(resource, limit, "a monthly amount in USD")
            unknown.add(cloud_of(resource))
        elif isinstance(limit, Decimal):
            known.append((resource, limit))
        # else: not a monthly USD cost budget, no limit of this rule's kind
    clouds: dict[str, Limit] = {}
    for cloud in sorted({cloud_of(resource) for resource, _ in known} - unknown):
        mine = [(resource, amount) for resource, amount in known if cloud_of(resource) == cloud]
        names = ", ".join(sorted(resource.name for resource, _ in mine))
        clouds[cloud] = Limit(sum((amount for _, amount in mine), Decimal(0)), f"the {_upper(cloud)} budget: {names}")
    if setting is not None:
        return Limits(Limit(Decimal(str(setting)), "maxMonthlyUsd"), clouds)
    if unknown or not known:
        return Limits(None, clouds)
    names = ", ".join(sorted(resource.name for resource, _ in known))
    return Limits(Limit(sum((amount for _, amount in known), Decimal(0)), f"the stack's budgets: {names}"), clouds)


def _upper(cloud: str) -> str:
    return CLOUD_NAMES.get(cloud, cloud.upper())


def _message(lines: Sequence[Line], total: Decimal, limit: Limit, cloud: str | None = None) -> str:
    pools = _pools(lines)
    top = "; ".join(
        f"{line.resource.name} ({line.label}) {usd(line.monthly_usd or Decimal(0))}"
        for line in pools[:TOP_CONTRIBUTORS]
    )
    fixed = sum(
        (line.monthly_usd for line in lines if line.kind != "pool" and line.monthly_usd is not None), Decimal(0)
    )
    rest = sum((line.monthly_usd or Decimal(0) for line in pools[TOP_CONTRIBUTORS:]), Decimal(0))
    if cloud is None:
        head = f"the full-scale monthly estimate is {usd(total)}, over the budget of"
    else:
        head = f"{_upper(cloud)}'s full-scale monthly estimate is {usd(total)}, over its own budget of"
    parts = [
        f"{head} {usd(limit.amount)} ({limit.source}) by {usd(total - limit.amount)}",
        f"the pools that drive it, at their maximum: {top or 'none'}",
    ]
    if rest:
        parts.append(f"{len(pools) - TOP_CONTRIBUTORS} other pool(s) {usd(rest)}")
    parts.append(f"cluster fees and NAT {usd(fixed)}")
    flagged = _flagged(pools)
    if flagged:
        parts.append(f"prices the price catalog itself flags, so the estimate may be low: {flagged}")
    nats = [line for line in lines if line.monthly_usd is None and line.kind == "nat"]
    if nats:
        parts.append(
            f"not in the estimate: {len(nats)} NAT gateway(s) the price catalog has no price for ({nats[0].problem})"
        )
    services = [line for line in lines if line.kind == "service"]
    if services:
        named = "; ".join(f"{line.resource.name}, {line.problem}" for line in services)
        parts.append(f"also not in the estimate (it may be low by their cost): {named}")
    return "; ".join(parts)


def _flagged(pools: Sequence[Line]) -> str:
    """The pools priced at a price the catalog carries a note on, grouped by the note: ``a (t in r), b (t in r):
    note``."""
    by_note: dict[str, list[str]] = {}
    for line in pools:
        for type_name, note in line.notes:
            by_note.setdefault(note, []).append(f"{line.resource.name} ({type_name} in {line.region})")
    return "; ".join(f"{', '.join(names)}: {note}" for note, names in by_note.items())


POLICY = stack_policy(META, _check)
