"""From a validated spec to a plan: every default resolved, every name and range decided. Pure: nothing
here knows Pulumi, and the resource layer receives these objects only.

``plan_platform(spec)`` plans a whole environment; the per-cloud plans (:class:`AwsPlan`,
:class:`GcpPlan`) and the planners of single pools are exported for programs that compose the
components themselves.
"""

from aistacks.plan.aws import AwsNetworkPlan, AwsPlan, AwsPoolPlan, EksClusterPlan, plan_aws, plan_aws_pool
from aistacks.plan.gcp import GcpPlan, GkeClusterPlan, GkePoolPlan, plan_gcp, plan_gke_pool
from aistacks.plan.model import (
    AuditPlan,
    BucketPlan,
    CloudPlan,
    ClusterPlan,
    GpuPoolPlan,
    KeyPlan,
    PlatformPlan,
    Taint,
    VectorPlan,
)
from aistacks.plan.platform import CLOUD_PLANNERS, plan_platform

__all__ = [
    "CLOUD_PLANNERS",
    "AuditPlan",
    "AwsNetworkPlan",
    "AwsPlan",
    "AwsPoolPlan",
    "BucketPlan",
    "CloudPlan",
    "ClusterPlan",
    "EksClusterPlan",
    "GcpPlan",
    "GkeClusterPlan",
    "GkePoolPlan",
    "GpuPoolPlan",
    "KeyPlan",
    "PlatformPlan",
    "Taint",
    "VectorPlan",
    "plan_aws",
    "plan_aws_pool",
    "plan_gcp",
    "plan_gke_pool",
    "plan_platform",
]
