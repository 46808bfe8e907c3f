"""AIS-NET-002 (``policies/rules/net_002_no_public_services.py``): no Kubernetes Service is exposed to the
internet: ClusterIP, internal load balancers (EKS and GKE annotations), public ones and NodePorts.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import findings, k8s_res, run

SERVICE = "kubernetes:core/v1:Service"


@pytest.mark.parametrize(
    ("spec", "annotations", "violations"),
    [
        ({"type": "ClusterIP"}, {}, 0),
        ({"type": "LoadBalancer"}, {}, 1),
        ({"type": "LoadBalancer"}, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}, 0),
        ({"type": "LoadBalancer"}, {"networking.gke.io/load-balancer-type": "Internal"}, 0),
        ({"type": "LoadBalancer"}, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}, 1),
        ({"type": "NodePort"}, {}, 1),
    ],
)
def test_kubernetes_services_stay_private(spec: dict[str, Any], annotations: dict[str, str], violations: int) -> None:
    service = k8s_res(SERVICE, "qdrant", {"metadata": {"name": "qdrant", "annotations": annotations}, "spec": spec})
    assert len(findings(run(service), "AIS-NET-002")) == violations
