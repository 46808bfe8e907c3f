"""Metrics and queue autoscaling of a cluster that serves models: where the servers' and GPUs' metrics go,
and KEDA, which reads the queue there. Pure.

The path, on both clouds: the servers' ``/metrics`` are scraped into the cloud's managed Prometheus, and
KEDA's Prometheus scaler reads ``sum(vllm:num_requests_waiting{...})`` back through its query API, with the
cloud identity of KEDA's operator (KEDA 2.20 docs, "Prometheus" scaler: ``awsRegion`` with pod identity
``aws`` for Amazon Managed Service for Prometheus; pod identity ``gcp`` against
``monitoring.googleapis.com/v1/projects/<project>/location/global/prometheus`` for Google Cloud Managed
Service for Prometheus; read 2026-12-01).

* **AWS**: an AMP workspace per cluster, encrypted with the stack key, written by a Prometheus agent in the
  cluster (:mod:`aistacks.k8s.prometheus_agent`). Not AMP's managed scraper: it reaches pods from network
  interfaces in the node subnets, which the serving namespace's NetworkPolicies could only admit by address
  range (every pod of those subnets with it), and the AMP guide's sections on customer-managed keys disagree
  on whether its managed collectors write to such a workspace ("Encryption at rest": "cannot use AWS managed
  collectors"; "AMP-collector-how-to": with ``--role-configuration``; both read 2026-12-01). GPU metrics come
  from NVIDIA's DCGM exporter (the EKS AL2023 NVIDIA AMI ships no DCGM: awslabs/amazon-eks-ami 81fec2e,
  templates/al2023/provisioners/install-nvidia-driver.sh).
* **Google Cloud**: GKE's managed collection (the cluster's ``monitoring_config.managed_prometheus``) with a
  PodMonitoring per server, and GKE's managed DCGM package (``enable_components: DCGM``). Cloud Monitoring
  keeps no customer-managed key for metrics ("The Cloud Monitoring database doesn't support CMEK
  encryption", Dataproc Metastore CMEK page, read 2026-12-01) and stores a regional resource's series in its
  region (Cloud Monitoring, "Data regionality").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aistacks.catalog import queue_autoscaler
from aistacks.plan.model import KedaPlan, ServingMetricsPlan
from aistacks.vocabulary import Cloud, GpuMetricsSource, MetricsStore, Tier

KEDA_NAMESPACE = "keda"
KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator"
"""The operator's ServiceAccount as the chart names it (values.yaml ``serviceAccount.operator.name``): the
subject its IRSA role trusts and its Workload Identity principal names."""

KEDA_REPLICAS: Mapping[Tier, int] = MappingProxyType({"dev": 1, "staging": 2, "prod": 2})
"""Operator and webhook pods: one leads, one stands by outside dev (as the Cluster Autoscaler's). KEDA's
metrics server stays at one: only one can be active (chart values.yaml, ``metricsServer.replicaCount``)."""

STORES: Mapping[Cloud, tuple[MetricsStore, GpuMetricsSource]] = MappingProxyType(
    {"aws": ("amp", "dcgm-exporter"), "gcp": ("gmp", "gke-managed")}
)

COOLDOWN_SECONDS = 300
"""KEDA's default ``cooldownPeriod``: five minutes of an empty queue before a floor of 0 is reached."""
SCALE_DOWN_WINDOW_SECONDS = 600
"""Design choice: ten minutes of a low queue before a replica goes, twice the HPA's default of 300 s
(Kubernetes docs, "Horizontal Pod Autoscaling", stabilization window): a replica that goes and comes back
loads its model again, minutes of a GPU doing nothing."""


def plan_serving_metrics(cloud: Cloud, cluster_resource: str, tier: Tier) -> ServingMetricsPlan:
    """What a cluster of ``cloud`` that serves models runs to measure and scale them."""
    facts = queue_autoscaler()
    store, gpu_metrics = STORES[cloud]
    return ServingMetricsPlan(
        resource_name=f"{cluster_resource}-metrics",
        store=store,
        gpu_metrics=gpu_metrics,
        scrape_interval_seconds=facts.scrape_interval_seconds,
        cooldown_seconds=COOLDOWN_SECONDS,
        scale_down_window_seconds=SCALE_DOWN_WINDOW_SECONDS,
        keda=KedaPlan(
            resource_name=f"{cluster_resource}-keda",
            chart=facts.chart,
            namespace=KEDA_NAMESPACE,
            operator_service_account=KEDA_OPERATOR_SERVICE_ACCOUNT,
            replicas=KEDA_REPLICAS[tier],
        ),
    )
