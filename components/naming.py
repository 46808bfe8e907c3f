"""How physical names are made, and the clouds' limits on them. Pure functions.

The planner names every resource the platform names explicitly; the validation checks the names whose
limit a config value can break, so that the error names the config key before anything is created.
"""

from __future__ import annotations

# Collection and security policy names: 3 to 32 characters. Source: Amazon OpenSearch Service
# Developer Guide, "Creating collections" and "Encryption in Amazon OpenSearch Serverless" (read 2026-11-27).
OPENSEARCH_NAME_LIMIT = 32
MANAGED_STORE_SUFFIX = "-vectors"


def platform_prefix(name: str, environment: str) -> str:
    """``<name>-<environment>``: the start of every physical name of one environment."""
    return f"{name}-{environment}"


def managed_store_name(prefix: str) -> str:
    """The physical name of a managed vector store (OpenSearch collection, Vertex index):
    ``<prefix>-vectors``."""
    return prefix + MANAGED_STORE_SUFFIX
