"""The words config, plan and resources share: the values a cloud, a tier or a pool setting can take.

A leaf module (no imports of aistacks), so that every layer can name these types without importing
the layers above it.
"""

from __future__ import annotations

from typing import Literal

Cloud = Literal["aws", "gcp"]
CLOUDS: tuple[Cloud, ...] = ("aws", "gcp")
"""Every cloud aistacks builds on, in the order plans, outputs and reports list them."""

Tier = Literal["dev", "staging", "prod"]
TIERS: tuple[Tier, ...] = ("dev", "staging", "prod")
"""Every tier, least protected first."""
Role = Literal["training", "inference"]
Capacity = Literal["spot", "on_demand"]
NodeImage = Literal["al2023", "bottlerocket"]
NatMode = Literal["per_zone", "single"]
ApiEndpoint = Literal["private", "restricted", "dns", "public"]
"""How whoever runs ``pulumi up`` reaches a cluster's Kubernetes API: ``private`` over an existing network
into the cluster's VPC, ``restricted`` through a public endpoint that admits only listed networks, ``dns``
through GKE's IAM-gated DNS endpoint, ``public`` from anywhere (dev)."""
ObjectLockMode = Literal["GOVERNANCE", "COMPLIANCE"]
VectorEngine = Literal["qdrant", "opensearch-serverless", "vertex-vector-search"]
KeyService = Literal["cloudtrail", "logs", "autoscaling", "budgets"]
"""AWS services a stack key may be used by directly (service principals in the key policy); ``budgets``: AWS
Budgets publishing to the budget's encrypted SNS topic."""
VertexDistance = Literal["DOT_PRODUCT_DISTANCE", "COSINE_DISTANCE", "SQUARED_L2_DISTANCE", "L1_DISTANCE"]
ServingEngine = Literal["vllm", "tgi"]
"""Model servers: vLLM's OpenAI-compatible server, Hugging Face text-generation-inference."""
ModelDtype = Literal["bfloat16", "float16"]
"""The 16-bit float a model's unquantized weights and its KV cache are served in."""
Quantization = Literal["fp8", "int8", "awq", "gptq"]
"""Weight quantizations: 8-bit float or integer, or 4-bit AWQ or GPTQ checkpoints."""
ModelSource = Literal["bucket", "hub"]
"""Where a served model's weights come from: the stack's ``models`` bucket, or the Hugging Face Hub."""
MetricsStore = Literal["amp", "gmp"]
"""Where a cluster's serving metrics are kept: Amazon Managed Service for Prometheus (a workspace per
cluster), Google Cloud Managed Service for Prometheus (the project's)."""
GpuMetricsSource = Literal["dcgm-exporter", "gke-managed"]
"""Who exports GPU metrics: NVIDIA's DCGM exporter installed by aistacks (EKS), or GKE's managed DCGM
package."""

ROLE_TAG: dict[Cloud, str] = {"aws": "aistacks.io/role", "gcp": "aistacks-role"}
"""The tag (AWS) or label (Google Cloud) naming the role (``training``, ``inference``) of a cluster and of its
GPU pools. Google Cloud label keys take no ``.`` or ``/`` (Google Cloud docs, "Labels overview", requirements
for labels, read 2026-11-27)."""
ON_DEMAND_REASON_TAG: dict[Cloud, str] = {"aws": "aistacks.io/on-demand-reason", "gcp": "aistacks-on-demand-reason"}
"""The tag or label of a training GPU pool that runs on demand: why, in words (the config's
``on_demand_reason``), which AIS-COST-002 reads."""
ENVIRONMENT_TAG = "environment"
"""The tag or label every resource carries with its tier (``dev``, ``staging``, ``prod``)."""
BUDGET_FILTER_TAG = "aistacks-stack"
"""The tag or label a budget counts the environment's spend by: the stack's prefix (``<platform>-<stack>``),
which tells two stacks of one tier apart (``prod-eu``, ``prod-us``), where ``environment`` (the tier) would
not, and two platforms' stacks of one name in one account or project, where ``stack`` would not."""
