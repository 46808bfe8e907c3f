"""From a validated spec to a plan: every default resolved, every name and range decided. Pure: nothing
here knows Pulumi, and the resource layer receives these objects only.

``plan_platform(spec)`` plans a whole environment; the per-cloud plans (:class:`AwsPlan`,
:class:`GcpPlan`) and the planners of single pools are exported for programs that compose the
components themselves, and :func:`plan_model_server` plans a served model on a team's own GPU nodes
(:class:`GpuNodes`) of a cluster aistacks did not build.
"""

from aistacks.plan.aws import AwsNetworkPlan, AwsPlan, AwsPoolPlan, EksClusterPlan, plan_aws, plan_aws_pool
from aistacks.plan.gcp import GcpPlan, GkeClusterPlan, GkePoolPlan, plan_gcp, plan_gke_pool
from aistacks.plan.inference import DoesNotFit, GpuNodes, InvalidService, known_gpus, plan_model_server
from aistacks.plan.model import (
    AuditPlan,
    BucketPlan,
    CloudPlan,
    ClusterPlan,
    GpuPoolPlan,
    InferencePlan,
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
    "DoesNotFit",
    "EksClusterPlan",
    "GcpPlan",
    "GkeClusterPlan",
    "GkePoolPlan",
    "GpuNodes",
    "GpuPoolPlan",
    "InferencePlan",
    "InvalidService",
    "KeyPlan",
    "PlatformPlan",
    "Taint",
    "VectorPlan",
    "known_gpus",
    "plan_aws",
    "plan_aws_pool",
    "plan_gcp",
    "plan_gke_pool",
    "plan_model_server",
    "plan_platform",
]
