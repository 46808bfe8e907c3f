"""An estimate as a person reads it (an aligned plain-text table) and as CI reads it (stable JSON).

The JSON document (:func:`render_json`), ``schema_version`` 1; keys sorted, no timestamps, so the same plan
and catalog give the same bytes. Amounts are strings of USD with two decimals (``"1234.56"``); hourly
prices are strings as the catalog writes them (``"1.006"``); a list keeps the plan's order (clouds in
``aistacks.vocabulary.CLOUDS`` order, clusters and pools in config order)::

    {
      "schema_version": 1,
      "currency": "USD",
      "hours_per_month": 730,
      "platform": "aistacks", "prefix": "aistacks-dev", "environment": "dev", "jurisdiction": "eu",
      "totals": {"floor": "...", "full": "...", "gpu_floor": "...", "gpu_full": "..."},
      "clouds": [{
        "cloud": "aws", "region": "eu-west-1",
        "totals": {"floor", "full", "gpu_floor", "gpu_full"},
        "pools": [{
          "cluster", "pool", "role", "instance_type", "accelerators" ("1 x a10g"), "capacity" ("spot" |
          "on_demand"), "min_nodes", "max_nodes", "node_hourly", "node_monthly", "floor", "full",
          "alternative": null | {"capacity", "node_hourly", "node_monthly", "floor", "full", "note"},
          "sources": [source id, ...], "notes": [...]
        }],
        "fixed": [{
          "item" (cluster_fee | system_nodes | nat_gateways | cloud_nat | cloud_nat_addresses | kms_key |
          node_volumes | qdrant_volumes | model_cache_volumes), "description", "cluster" (null for the
          cloud's), "floor_quantity", "full_quantity", "unit", "rate": {"amount", "unit", "source"},
          "unit_monthly", "floor", "full", "sources", "notes"
        }],
        "not_estimated": [{
          "item", "description", "cluster", "quantity" (null where the plan does not say), "reason",
          "rate": null | {"amount", "unit", "source"}
        }]
      }],
      "assumptions": [...],
      "sources": {"<id>": {"title", "url", "retrieved"}}
    }

``totals`` of the environment and of each cloud: ``floor`` and ``full`` sum the pools' and the fixed items'
lines; ``gpu_floor`` and ``gpu_full`` are the GPU pools' share (the idle GPU cost is ``gpu_floor``). An
``alternative`` and a ``not_estimated`` item are in no total.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from aistacks.catalog.prices import HOURS_PER_MONTH
from aistacks.cost.estimate import (
    SCHEMA_VERSION,
    Alternative,
    CloudCost,
    CostEstimate,
    FixedCost,
    NotEstimated,
    PoolCost,
    Rate,
    Totals,
    plural,
)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _totals(totals: Totals) -> dict[str, str]:
    return {
        "floor": _amount(totals.floor),
        "full": _amount(totals.full),
        "gpu_floor": _amount(totals.gpu_floor),
        "gpu_full": _amount(totals.gpu_full),
    }


def _rate(rate: Rate | None) -> dict[str, str] | None:
    if rate is None:
        return None
    return {"amount": str(rate.amount), "unit": rate.unit, "source": rate.source}


def _alternative(alternative: Alternative | None) -> dict[str, Any] | None:
    if alternative is None:
        return None
    return {
        "capacity": alternative.capacity,
        "node_hourly": str(alternative.node_hourly),
        "node_monthly": _amount(alternative.node_monthly),
        "floor": _amount(alternative.floor),
        "full": _amount(alternative.full),
        "note": alternative.note,
    }


def _pool(pool: PoolCost) -> dict[str, Any]:
    return {
        "cluster": pool.cluster,
        "pool": pool.pool,
        "role": pool.role,
        "instance_type": pool.instance_type,
        "accelerators": pool.accelerators,
        "capacity": pool.capacity,
        "min_nodes": pool.min_nodes,
        "max_nodes": pool.max_nodes,
        "node_hourly": str(pool.node_hourly),
        "node_monthly": _amount(pool.node_monthly),
        "floor": _amount(pool.floor),
        "full": _amount(pool.full),
        "alternative": _alternative(pool.alternative),
        "sources": list(pool.sources),
        "notes": list(pool.notes),
    }


def _fixed(item: FixedCost) -> dict[str, Any]:
    return {
        "item": item.item,
        "description": item.description,
        "cluster": item.cluster,
        "floor_quantity": item.floor_quantity,
        "full_quantity": item.full_quantity,
        "unit": item.unit,
        "rate": _rate(item.rate),
        "unit_monthly": _amount(item.unit_monthly),
        "floor": _amount(item.floor),
        "full": _amount(item.full),
        "sources": list(item.sources),
        "notes": list(item.notes),
    }


def _gap(gap: NotEstimated) -> dict[str, Any]:
    return {
        "item": gap.item,
        "description": gap.description,
        "cluster": gap.cluster,
        "quantity": gap.quantity,
        "reason": gap.reason,
        "rate": _rate(gap.rate),
    }


def _cloud(cloud: CloudCost) -> dict[str, Any]:
    return {
        "cloud": cloud.cloud,
        "region": cloud.region,
        "totals": _totals(cloud.totals),
        "pools": [_pool(pool) for pool in cloud.pools],
        "fixed": [_fixed(item) for item in cloud.fixed],
        "not_estimated": [_gap(gap) for gap in cloud.not_estimated],
    }


def estimate_document(estimate: CostEstimate) -> dict[str, Any]:
    """The JSON document of ``estimate`` as Python data (see the module's docstring)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "currency": "USD",
        "hours_per_month": HOURS_PER_MONTH,
        "platform": estimate.platform,
        "prefix": estimate.prefix,
        "environment": estimate.environment,
        "jurisdiction": estimate.jurisdiction,
        "totals": _totals(estimate.totals),
        "clouds": [_cloud(cloud) for cloud in estimate.clouds],
        "assumptions": list(estimate.assumptions),
        "sources": {
            source.id: {"title": source.title, "url": source.url, "retrieved": source.retrieved}
            for source in estimate.sources.values()
        },
    }


def render_json(estimate: CostEstimate) -> str:
    """The estimate as stable JSON: sorted keys, two-space indent, a final newline."""
    return json.dumps(estimate_document(estimate), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- text ---------------------------------------------------------------------------------------------------


def usd(value: Decimal) -> str:
    """``1,234.56``."""
    return f"{value:,.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Rows under ``header``, columns padded to their widest cell (right-aligned where ``right`` says), two
    spaces apart, indented by two."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        return ("  " + "  ".join(cells)).rstrip()

    return [line(header), *(line(row) for row in rows)]


def _range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _where(cloud: CloudCost, cluster: str | None, name: str) -> str:
    return f"{cloud.cloud} {cluster}/{name}" if cluster else f"{cloud.cloud} {name}"


def render_text(estimate: CostEstimate) -> str:
    """The estimate as aligned plain text: GPU pools, fixed items, totals, what is not estimated, the
    assumptions and the sources; amounts in USD a month."""
    lines = [
        f"Monthly cost estimate of {estimate.prefix} ({estimate.environment}, jurisdiction {estimate.jurisdiction}): "
        f"USD a month at list prices, {HOURS_PER_MONTH} hours a month",
        "floor: every pool at its minimum, nothing running; full: every pool at its maximum all month",
        "",
        "GPU pools",
    ]
    pools = [
        [
            _where(cloud, pool.cluster, pool.pool),
            pool.instance_type,
            pool.accelerators,
            pool.capacity,
            _range(pool.min_nodes, pool.max_nodes),
            usd(pool.node_monthly),
            usd(pool.floor),
            usd(pool.full),
            (
                f"{pool.alternative.capacity} {usd(pool.alternative.floor)} / {usd(pool.alternative.full)}"
                if pool.alternative
                else "-"
            ),
            ", ".join(pool.sources),
        ]
        for cloud in estimate.clouds
        for pool in cloud.pools
    ]
    header = ["pool", "type", "gpus", "capacity", "nodes", "a node", "floor", "full", "alternative (floor / full)"]
    if pools:
        lines += _table([*header, "source"], pools, {4, 5, 6, 7})
    else:
        lines.append("  none")
    lines += ["", "Fixed items"]
    fixed = [
        [
            _where(cloud, item.cluster, item.description),
            f"{_range(item.floor_quantity, item.full_quantity)} {plural(item.unit, item.full_quantity)}",
            usd(item.unit_monthly),
            usd(item.floor),
            usd(item.full),
            ", ".join(item.sources),
        ]
        for cloud in estimate.clouds
        for item in cloud.fixed
    ]
    lines += _table(["item", "quantity", "a unit", "floor", "full", "source"], fixed, {2, 3, 4})
    lines += ["", "Totals"]
    totals = [
        [f"{cloud.cloud} {cloud.region}", usd(cloud.totals.floor), usd(cloud.totals.full)] for cloud in estimate.clouds
    ]
    totals.append(["environment", usd(estimate.totals.floor), usd(estimate.totals.full)])
    totals.append(["  of which GPU pools", usd(estimate.totals.gpu_floor), usd(estimate.totals.gpu_full)])
    lines += _table(["", "floor", "full"], totals, {1, 2})
    lines += ["", "Not estimated (in no total; never counted as zero)"]
    for cloud in estimate.clouds:
        for gap in cloud.not_estimated:
            quantity = f" [{gap.quantity}]" if gap.quantity else ""
            rate = f"; rate: {gap.rate.amount} {gap.rate.unit} ({gap.rate.source})" if gap.rate else ""
            lines.append(f"  - {_where(cloud, gap.cluster, gap.description)}{quantity}: {gap.reason}{rate}")
    notes = [
        f"  - {_where(cloud, pool.cluster, pool.pool)}: {note}"
        for cloud in estimate.clouds
        for pool in cloud.pools
        for note in (*pool.notes, *([pool.alternative.note] if pool.alternative and pool.alternative.note else []))
    ] + [
        f"  - {_where(cloud, item.cluster, item.description)}: {note}"
        for cloud in estimate.clouds
        for item in cloud.fixed
        for note in item.notes
    ]
    if notes:
        lines += ["", "Notes", *notes]
    lines += ["", "Assumptions", *(f"  - {text}" for text in estimate.assumptions)]
    lines += ["", "Sources"]
    lines += [
        f"  {source.id}: {source.title} <{source.url}> (read {source.retrieved})"
        for source in estimate.sources.values()
    ]
    return "\n".join(lines) + "\n"
