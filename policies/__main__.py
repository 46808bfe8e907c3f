"""The policy pack's entry point: `pulumi preview --policy-pack policies` runs this file.

Constructing the PolicyPack starts the analyzer server and blocks, so nothing else does it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from aistacks.policies import POLICIES

PolicyPack(
    name="aistacks-guardrails",
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="aistacks guardrails: residency, customer-managed encryption, TLS, protection of stateful resources.",
)
