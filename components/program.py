"""The aistacks stack program, for this repository's stacks and any project of your own: one environment,
validated from its ``aistacks:platform`` stack config, planned, built, and its outputs exported."""

from __future__ import annotations

import pulumi

from aistacks.advisories import config_warnings
from aistacks.config import load_platform_spec
from aistacks.plan import plan_platform
from aistacks.platform import AiPlatform


def platform_program() -> AiPlatform:
    """Build the running stack's environment (a Pulumi program's whole body: ``platform_program()``).

    Exports ``environment``, ``jurisdiction``, ``buckets`` (physical names by ``<cloud>/<bucket>``), each
    cloud's key and audit destination (``aws_key_arn``, ``aws_trail_arn``, ``gcp_key_id``,
    ``gcp_audit_log_bucket``) and, with vector databases, ``vector``: by engine, what clients need (the
    endpoint, and the API key Secret, collection id or index ids). Logs each of the config's warnings
    (:func:`aistacks.advisories.config_warnings`: a Kubernetes version near the end of its support) with
    ``pulumi.log.warn``; they do not stop the run."""
    spec = load_platform_spec()
    for warning in config_warnings(spec):
        pulumi.log.warn(str(warning))
    plan = plan_platform(spec)
    platform = AiPlatform(plan.name, plan)
    pulumi.export("environment", plan.environment)
    pulumi.export("jurisdiction", plan.jurisdiction)
    pulumi.export("buckets", platform.bucket_names())
    for name, value in platform.exports().items():
        pulumi.export(name, value)
    if plan.vectors:
        pulumi.export("vector", platform.vector_outputs())
    return platform
