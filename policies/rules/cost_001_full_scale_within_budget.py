"""AIS-COST-001: the stack's full-scale monthly estimate stays within its budget.

The estimate is read from the resource graph (:mod:`aistacks.policies.cost`): every EKS node group at
``scalingConfig.maxSize`` and every GKE node pool at its autoscaling maximum (per zone times its zones, or the
total), each node at the price catalog's on-demand or spot price (by ``capacityType``, ``nodeConfig.spot`` or
``preemptible``) in the region it is placed in; the EKS and GKE cluster fees; AWS NAT gateways and Cloud NAT.
The limit is ``maxMonthlyUsd`` when set (the built-in policy config sets it from ``budget.monthly_usd``), else
the sum of the stack's own monthly USD cost budgets (an aistacks stack splits its amount between its clouds'
budgets, so their sum is the environment's amount). With neither there is no limit to hold, and the built-in
config disables the rule for a stack without a budget.

A node group, pool or cluster the catalog cannot price, or whose size or region is unknown, is a finding of its
own: the estimate cannot be made without it. A NAT gateway the catalog has no price for in its region is left
out of the estimate and named in the message; storage, traffic and managed services are not estimated at all
(``aistacks cost`` lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pulumi_policy import PolicyResource, Severity

from ..cost import Line, budget_limits, estimate, usd
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
    "the stack's own monthly USD budgets (aws:budgets Budget, gcp:billing Budget). A pool, node group or cluster "
    "the catalog cannot price fails: the estimate cannot be made without it.",
    severity=Severity.HIGH,
    remediation="Lower the max_nodes of the pools the message names (or move a training pool to spot), or raise "
    "budget.monthly_usd after checking `aistacks cost <env>`; for a type the price catalog lacks, add its price "
    "with a source to components/catalog/data/prices_*.json, or accept it with a suppression.",
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


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    limit = _limit(check, resources)
    if limit is None:
        return
    amount, source = limit
    lines = estimate(resources, default_provider_config())
    for line in lines:
        if line.monthly_usd is None and line.kind in ("pool", "cluster"):
            check.fail(
                line.resource,
                line.path or "type",
                None,
                "a node type, size and region the price catalog prices",
                f"cannot price {line.resource.name}: {line.problem}; so the stack's full-scale estimate cannot be "
                f"held to its budget of {usd(amount)} ({source})",
            )
    total = sum((line.monthly_usd for line in lines if line.monthly_usd is not None), Decimal(0))
    if total <= amount:
        return
    check.fail_stack(
        "fullScaleMonthlyUsd",
        _message(lines, total, amount, source),
        actual=usd(total),
        expected=f"at most {usd(amount)} ({source})",
    )


def _limit(check: Check, resources: Sequence[PolicyResource]) -> tuple[Decimal, str] | None:
    """The limit and where it comes from, or None when there is none (or it cannot be read)."""
    setting = check.settings["maxMonthlyUsd"]
    if setting is not None:
        return Decimal(str(setting)), "maxMonthlyUsd"
    budgets = budget_limits(resources)
    amounts: list[Decimal] = []
    for resource, limit in budgets:
        if isinstance(limit, Unknown):
            check.cannot_verify(resource, limit, "a monthly amount in USD")
            return None
        if isinstance(limit, str):
            continue  # not a monthly USD cost budget: no limit of this rule's kind
        amounts.append(limit)
    if not amounts:
        return None
    names = ", ".join(sorted(resource.name for resource, limit in budgets if isinstance(limit, Decimal)))
    return sum(amounts, Decimal(0)), f"the stack's budgets: {names}"


def _message(lines: list[Line], total: Decimal, amount: Decimal, source: str) -> str:
    pools = sorted(
        (line for line in lines if line.kind == "pool" and line.monthly_usd is not None),
        key=lambda line: line.monthly_usd or Decimal(0),
        reverse=True,
    )
    top = "; ".join(
        f"{line.resource.name} ({line.label}) {usd(line.monthly_usd or Decimal(0))}"
        for line in pools[:TOP_CONTRIBUTORS]
    )
    fixed = sum(
        (line.monthly_usd for line in lines if line.kind != "pool" and line.monthly_usd is not None), Decimal(0)
    )
    rest = sum((line.monthly_usd or Decimal(0) for line in pools[TOP_CONTRIBUTORS:]), Decimal(0))
    parts = [
        f"the full-scale monthly estimate is {usd(total)}, over the budget of {usd(amount)} ({source}) by "
        f"{usd(total - amount)}",
        f"the pools that drive it, at their maximum: {top or 'none'}",
    ]
    if rest:
        parts.append(f"{len(pools) - TOP_CONTRIBUTORS} other pool(s) {usd(rest)}")
    parts.append(f"cluster fees and NAT {usd(fixed)}")
    unpriced = [line for line in lines if line.monthly_usd is None and line.kind == "nat"]
    if unpriced:
        parts.append(
            f"not in the estimate: {len(unpriced)} NAT gateway(s) the price catalog has no price for "
            f"({unpriced[0].problem})"
        )
    return "; ".join(parts)


POLICY = stack_policy(META, _check)
