"""What an environment costs a month, from its pure plan and the price catalog (``aistacks cost``).

``estimate_platform(plan)`` → :class:`CostEstimate` (GPU pools at their floor and full scale, fixed items,
totals, what is not estimated and why, assumptions, sources); ``render_text`` and ``render_json`` show it.
Pure: no Pulumi, no engine run.
"""

from aistacks.cost.estimate import (
    SCHEMA_VERSION,
    Alternative,
    CloudCost,
    CostEstimate,
    FixedCost,
    MissingPrice,
    NotEstimated,
    PoolCost,
    Rate,
    Totals,
    estimate_platform,
    money,
)
from aistacks.cost.render import estimate_document, render_json, render_text

__all__ = [
    "SCHEMA_VERSION",
    "Alternative",
    "CloudCost",
    "CostEstimate",
    "FixedCost",
    "MissingPrice",
    "NotEstimated",
    "PoolCost",
    "Rate",
    "Totals",
    "estimate_document",
    "estimate_platform",
    "money",
    "render_json",
    "render_text",
]
