"""How physical names are made, and the clouds' limits on them. Pure functions.

The planner names every resource the platform names explicitly; the validation checks the names whose
limit a config value can break, so that the error names the config key before anything is created.
"""

from __future__ import annotations

# Collection and security policy names: 3 to 32 characters. Source: Amazon OpenSearch Service
# Developer Guide, "Creating collections" and "Encryption in Amazon OpenSearch Serverless" (read 2026-11-27).
OPENSEARCH_NAME_LIMIT = 32
MANAGED_STORE_SUFFIX = "-vectors"


def eks_log_group(cluster: str) -> str:
    """Where EKS writes a cluster's control-plane logs; creating it first sets its key and retention.
    Source: Amazon EKS User Guide, "Send control plane logs to CloudWatch Logs" (read 2026-11-27)."""
    return f"/aws/eks/{cluster}/cluster"


def flow_log_group(network: str) -> str:
    """The log group of a VPC's flow logs, by the network component's name."""
    return f"/aistacks/vpc-flow-logs/{network}"


def trail_log_group(trail: str) -> str:
    """The log group a trail also delivers to, by the trail's name."""
    return f"/aistacks/cloudtrail/{trail}"


def platform_prefix(name: str, stack: str) -> str:
    """``<name>-<stack>``: the start of every physical name of one stack."""
    return f"{name}-{stack}"


def budget_name(prefix: str) -> str:
    """``<prefix>-monthly``: the name of a stack's budget (AWS Budgets: 1 to 100 characters, unique in the
    account; Cloud Billing: a display name of at most 60)."""
    return f"{prefix}-monthly"


def budget_topic_name(prefix: str) -> str:
    """``<prefix>-budget-alerts``: the topic a stack's budget alerts are published to."""
    return f"{prefix}-budget-alerts"


def cluster_resource_name(prefix: str, cluster: str) -> str:
    """``<prefix>-<cluster name>``: a cluster's component and physical name."""
    return f"{prefix}-{cluster}"


def managed_store_name(prefix: str) -> str:
    """The physical name of a managed vector store (OpenSearch collection, Vertex index):
    ``<prefix>-vectors``."""
    return prefix + MANAGED_STORE_SUFFIX
