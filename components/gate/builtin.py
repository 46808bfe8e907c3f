"""Which policy config a gate uses, and the built-in one of a tier and jurisdiction.

A project needs no policy config file to be gated: ``aistacks gate`` takes ``--policy-config``, else the
project's ``policies/config/<stack>.json``, else the built-in config for the stack's tier and jurisdiction
(its ``aistacks:platform`` config), and says which. ``aistacks policy-config TIER JURISDICTION`` prints the
built-in one as a start for a file, which the Pulumi CLI's ``--policy-pack-config`` needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import Policy

from aistacks.catalog import queue_autoscaler
from aistacks.config import CONFIG_PATH, parse_platform_spec, undecrypted_secret_error
from aistacks.defaults import TIER_DEFAULTS
from aistacks.engine.stackfile import Project, StackFile, runtime_config
from aistacks.gate.config import PolicyConfigError, RuleConfig, load_policy_config, resolve_policy_config
from aistacks.spec import PlatformSpec
from aistacks.vocabulary import Tier

PROJECT_POLICY_CONFIG_DIR = Path("policies") / "config"
JURISDICTION_RULES = ("AIS-RES-001", "AIS-RES-002")
"""The rules whose ``allowedJurisdictions`` is the stack's jurisdiction."""


REVIEW_RULES = ("AIS-COV-001", "AIS-NET-005")
"""Rules that ask for a person's review of what the gate cannot judge."""
REVIEWED_CHARTS = (queue_autoscaler().chart.reviewed_name,)
"""The charts aistacks installs, reviewed when pinned (KEDA: every Service ClusterIP, no Ingress; the pin's
source in ``catalog/data/serving.json``): AIS-NET-005 passes them."""


def tier_policy_config(tier: Tier, jurisdiction: str) -> dict[str, Any]:
    """The built-in policy config (the JSON document) of a ``tier`` stack in ``jurisdiction``.

    Every rule is mandatory, data stays in ``jurisdiction``, and two rules follow the tier's own defaults
    (:data:`aistacks.defaults.TIER_DEFAULTS`): AIS-NET-001 (no public cluster endpoints) is disabled where the
    tier's EKS endpoint is public (dev), AIS-PRT-001 (stateful resources protected) where the tier protects
    nothing (dev). AIS-COV-001 (a data-bearing type nobody reviewed) and AIS-NET-005 (a Helm chart nobody
    reviewed) are advisory, their default, except in prod: there what the gate cannot judge blocks the
    deployment. AIS-COST-001 keeps its level here; :func:`stack_policy_config` sets it from a stack's budget."""
    defaults = TIER_DEFAULTS[tier]
    document: dict[str, Any] = {"all": "mandatory"}
    for rule in JURISDICTION_RULES:
        document[rule] = {"allowedJurisdictions": [jurisdiction]}
    document["AIS-NET-001"] = "disabled" if defaults.eks_api_endpoint == "public" else "mandatory"
    document["AIS-PRT-001"] = "mandatory" if defaults.protect else "disabled"
    for rule in REVIEW_RULES:
        document[rule] = "mandatory" if tier == "prod" else "advisory"
    document["AIS-NET-005"] = {"enforcementLevel": document["AIS-NET-005"], "reviewedCharts": list(REVIEWED_CHARTS)}
    return document


COST_RULE = "AIS-COST-001"


def stack_policy_config(spec: PlatformSpec) -> dict[str, Any]:
    """The built-in policy config of one stack: its tier's and jurisdiction's (:func:`tier_policy_config`), with
    AIS-COST-001 holding the full-scale estimate to the stack's ``budget.monthly_usd`` (``maxMonthlyUsd``), or
    disabled when the stack has no budget: there is no amount to hold it to.

    :func:`tier_policy_config` alone, which knows no stack (``aistacks policy-config``, the repository's
    ``policies/config/<tier>.json``), leaves AIS-COST-001 at its level without ``maxMonthlyUsd``: the rule then
    holds the estimate to the budgets the stack creates (``aws:budgets`` and ``gcp:billing`` budgets, which
    split ``budget.monthly_usd`` between the clouds), and to nothing where it creates none."""
    document = tier_policy_config(spec.environment, spec.jurisdiction)
    if spec.budget is None:
        document[COST_RULE] = "disabled"
    else:
        document[COST_RULE] = {"enforcementLevel": "mandatory", "maxMonthlyUsd": spec.budget.monthly_usd}
    return document


def render_policy_config(document: Mapping[str, Any]) -> str:
    """A policy config document as its file holds it: one rule per line."""
    lines = [f"  {json.dumps(rule)}: {json.dumps(value)}" for rule, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


@dataclass(frozen=True)
class ChosenPolicyConfig:
    rules: dict[str, RuleConfig]
    path: Path | None
    """The file it was read from; none for a built-in config."""
    description: str
    """Which config it is, for the line the gate prints (``policy config: …``)."""


def choose_policy_config(
    explicit: Path | None, project: Project, stack: StackFile, policies: list[Policy]
) -> ChosenPolicyConfig:
    """The policy config of a gate on ``stack``: ``explicit`` (``--policy-config``), else the project's
    ``policies/config/<stack>.json``, else the built-in config of the stack's tier and jurisdiction.

    Raises :class:`PolicyConfigError` when none applies (no file, and the stack config has no
    ``aistacks:platform`` to take a tier and jurisdiction from), and the config error of an invalid
    ``aistacks:platform``, before the program runs."""
    if explicit is not None:
        path = explicit.resolve()
        return ChosenPolicyConfig(load_policy_config(path, policies), path, str(explicit))
    project_file = project.root / PROJECT_POLICY_CONFIG_DIR / f"{stack.name}.json"
    if project_file.is_file():
        return ChosenPolicyConfig(load_policy_config(project_file, policies), project_file, str(project_file))
    if CONFIG_PATH not in stack.config:
        raise PolicyConfigError(
            f"no policy config for stack {stack.name!r}: no --policy-config, no {project_file}, and the stack file "
            f"has no {CONFIG_PATH} whose environment and jurisdiction would choose the built-in one; create "
            f"{project_file} (`aistacks policy-config TIER JURISDICTION` prints a start) or pass --policy-config"
        )
    if CONFIG_PATH in stack.secret_keys:
        raise undecrypted_secret_error()
    config = runtime_config(stack)
    spec = parse_platform_spec(config[CONFIG_PATH], stack_config=config, stack=stack.name)
    document = stack_policy_config(spec)
    origin = f"built-in policy config of a {spec.environment} stack in {spec.jurisdiction}"
    rules = resolve_policy_config(document, policies, origin)
    return ChosenPolicyConfig(rules, None, f"{origin} (no {project_file})")
