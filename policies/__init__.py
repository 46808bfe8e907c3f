"""aistacks guardrails: residency, encryption, transport and protection rules as pulumi-policy policies.

``POLICIES`` holds every rule; importing this module starts nothing (only ``policies/__main__.py``,
the policy pack's entry point, constructs the ``PolicyPack``, which serves and blocks).
"""

from .framework import Finding, RuleMeta, Suppression
from .rules import POLICIES, RULES

__all__ = ["POLICIES", "RULES", "Finding", "RuleMeta", "Suppression"]
