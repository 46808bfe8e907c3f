"""Every guardrail, one module each; ``RULES`` is the pack in the order reports list it."""

from __future__ import annotations

from pulumi_policy import Policy

from ..framework import RuleMeta
from . import (
    cost_001_full_scale_within_budget,
    cost_002_idle_gpu_cost_is_zero,
    cov_001_unreviewed_types,
    enc_001_cmk_at_rest,
    enc_002_s3_default_encryption,
    enc_003_opensearch_cmk,
    enc_004_volume_storage_class,
    key_001_aws_rotation,
    key_002_gcp_rotation,
    net_001_private_endpoints,
    net_002_no_public_services,
    net_003_private_vector_stores,
    net_004_no_public_storage,
    net_005_helm_charts_reviewed,
    net_006_no_public_data_stores,
    prt_001_protect_stateful,
    res_001_placement,
    res_002_data_egress,
    tls_001_s3_tls_only,
    tls_002_plain_http,
)

_MODULES = (
    res_001_placement,
    res_002_data_egress,
    enc_001_cmk_at_rest,
    enc_002_s3_default_encryption,
    enc_003_opensearch_cmk,
    enc_004_volume_storage_class,
    cov_001_unreviewed_types,
    key_001_aws_rotation,
    key_002_gcp_rotation,
    tls_001_s3_tls_only,
    tls_002_plain_http,
    net_001_private_endpoints,
    net_002_no_public_services,
    net_003_private_vector_stores,
    net_004_no_public_storage,
    net_005_helm_charts_reviewed,
    net_006_no_public_data_stores,
    prt_001_protect_stateful,
    cost_001_full_scale_within_budget,
    cost_002_idle_gpu_cost_is_zero,
)

RULES: tuple[RuleMeta, ...] = tuple(module.META for module in _MODULES)
POLICIES: list[Policy] = [module.POLICY for module in _MODULES]
