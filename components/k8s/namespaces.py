"""Workload namespaces: Pod Security Admission, GPU quotas, default requests, default-deny networking.

Pure functions returning manifests; :class:`aistacks.k8s.layer.WorkloadNamespaces` applies them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aistacks.defaults import SERVING_NAMESPACE
from aistacks.k8s.manifests import Manifest

PodSecurityLevel = Literal["privileged", "baseline", "restricted"]
VECTOR_NAMESPACE = "vector"
"""Where the in-cluster vector database runs."""
VECTOR_PORTS: tuple[int, ...] = (6333, 6334)
"""Qdrant's REST and gRPC ports (Qdrant docs, "Configuration", service.http_port/grpc_port)."""
METADATA_ADDRESSES: tuple[str, ...] = ("169.254.169.254/32", "169.254.170.2/32")
"""Link-local instance and task metadata endpoints, never reachable through the HTTPS egress policy: pods
use their workload identity, never node credentials."""


@dataclass(frozen=True)
class MetadataServer:
    """A node-local metadata server that pods may reach because it serves only their own workload identity
    (GKE's, with the GKE_METADATA node mode), never the node's credentials."""

    name: str
    """Names the NetworkPolicy that admits it: ``allow-<name>``."""
    cidr: str


@dataclass(frozen=True)
class NamespaceSpec:
    name: str
    pod_security: PodSecurityLevel
    """Enforced Pod Security Standard; ``restricted`` is always warned and audited."""
    gpus: int
    """The most GPUs (``requests.nvidia.com/gpu``) the namespace's pods may request together."""
    egress_https: bool
    """Pods may open HTTPS connections out (model and dataset downloads through the VPC's egress)."""
    ingress_from: tuple[str, ...] = ()
    """Namespaces whose pods may connect in, on ``ingress_ports``."""
    ingress_ports: tuple[int, ...] = ()
    egress_to: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """(namespace, ports) this namespace's pods may connect to."""
    metadata_server: MetadataServer | None = None
    """The cluster's metadata server that serves pods only their own workload identity, which they may
    reach (GKE's). Default: none."""
    peers_within: bool = False
    """Pods of the namespace may connect to each other on any port: what a job spread over nodes needs
    (NCCL, torch.distributed rendezvous, a multi-node model server), which picks its ports at run time.
    Default: off."""


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "aistacks", "aistacks.io/namespace": name}


def namespace(spec: NamespaceSpec) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": spec.name,
            "labels": {
                **_labels(spec.name),
                "pod-security.kubernetes.io/enforce": spec.pod_security,
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            },
        },
    }


def gpu_quota(spec: NamespaceSpec) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "gpu-quota", "namespace": spec.name, "labels": _labels(spec.name)},
        "spec": {"hard": {"requests.nvidia.com/gpu": str(spec.gpus)}},
    }


DEFAULT_CONTAINER_REQUESTS: dict[str, str] = {"cpu": "250m", "memory": "512Mi"}
"""What a container that requests nothing is scheduled as, so the scheduler and the quota see every pod."""


def default_limits(spec: NamespaceSpec) -> Manifest:
    """Default requests for containers that set none, so every pod is scheduled for what it takes.

    No default *limits*: the LimitRanger applies a default limit to every container that sets no limit,
    whatever it requests, and a request above the limit makes the pod invalid (Kubernetes docs, "Limit
    Ranges", "LimitRange and admission checks for Pods", read 2026-11-30), so any default limit rejects the
    GPU pods that request more (8 CPUs, 64Gi) and set only their GPUs as limits. A container without limits
    is bounded by its node and evicted under the kubelet's memory pressure, like any Burstable pod."""
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "defaults", "namespace": spec.name, "labels": _labels(spec.name)},
        "spec": {"limits": [{"type": "Container", "defaultRequest": dict(DEFAULT_CONTAINER_REQUESTS)}]},
    }


def _policy(spec: NamespaceSpec, name: str, body: dict[str, object]) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": spec.name, "labels": _labels(spec.name)},
        "spec": {"podSelector": {}, **body},
    }


def _namespace_peer(name: str) -> dict[str, object]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _ports(ports: Sequence[int]) -> list[dict[str, object]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def network_policies(spec: NamespaceSpec) -> list[Manifest]:
    """Deny everything, then allow DNS and exactly the flows the spec names."""
    policies = [
        _policy(spec, "default-deny", {"policyTypes": ["Ingress", "Egress"]}),
        _policy(
            spec,
            "allow-dns",
            {
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                **_namespace_peer("kube-system"),
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        ),
    ]
    if spec.metadata_server is not None:
        policies.append(
            _policy(
                spec,
                f"allow-{spec.metadata_server.name}",
                {"policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": spec.metadata_server.cidr}}]}]},
            )
        )
    if spec.peers_within:
        same_namespace = [{"podSelector": {}}]
        policies.append(
            _policy(
                spec,
                "allow-within-namespace",
                {
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": [{"from": same_namespace}],
                    "egress": [{"to": same_namespace}],
                },
            )
        )
    if spec.egress_https:
        policies.append(
            _policy(
                spec,
                "allow-https-egress",
                {
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(METADATA_ADDRESSES)}}],
                            "ports": _ports([443]),
                        }
                    ],
                },
            )
        )
    for target, ports in spec.egress_to:
        policies.append(
            _policy(
                spec,
                f"allow-egress-to-{target}",
                {"policyTypes": ["Egress"], "egress": [{"to": [_namespace_peer(target)], "ports": _ports(ports)}]},
            )
        )
    if spec.ingress_from:
        policies.append(
            _policy(
                spec,
                "allow-ingress-from-" + "-".join(spec.ingress_from),
                {
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": [_namespace_peer(source) for source in spec.ingress_from],
                            "ports": _ports(spec.ingress_ports),
                        }
                    ],
                },
            )
        )
    return policies


def namespace_manifests(spec: NamespaceSpec) -> list[Manifest]:
    return [namespace(spec), gpu_quota(spec), default_limits(spec), *network_policies(spec)]


def role_namespaces(
    role: Literal["training", "inference"],
    gpus: int,
    *,
    metadata_server: MetadataServer | None = None,
    vector: bool = False,
    serving_ports: Sequence[int] = (),
) -> list[NamespaceSpec]:
    """The namespaces of a cluster by role: ``training`` runs arbitrary training images (baseline),
    ``inference`` serves models (restricted); the pods of either reach each other, as distributed jobs
    and servers spread over nodes must. With ``vector``, the cluster also hosts the vector
    database in ``vector`` (restricted), which only the workload namespace may reach. With
    ``serving_ports``, the model servers' namespace ``serving`` (restricted; HTTPS out, for the weights),
    which admits nobody by itself (each server admits its clients: :func:`service_ingress`), and the
    workload namespace may call on those ports. Pods may reach the cluster's ``metadata_server`` (their
    workload identity), if it has one."""
    egress_to: list[tuple[str, tuple[int, ...]]] = []
    if vector:
        egress_to.append((VECTOR_NAMESPACE, VECTOR_PORTS))
    if serving_ports:
        egress_to.append((SERVING_NAMESPACE, tuple(sorted(set(serving_ports)))))
    workload = NamespaceSpec(
        role,
        "baseline" if role == "training" else "restricted",
        gpus,
        egress_https=True,
        egress_to=tuple(egress_to),
        metadata_server=metadata_server,
        peers_within=True,
    )
    specs = [workload]
    if vector:
        specs.append(
            NamespaceSpec(
                VECTOR_NAMESPACE,
                "restricted",
                0,
                egress_https=False,
                ingress_from=(role,),
                ingress_ports=VECTOR_PORTS,
                metadata_server=metadata_server,
            )
        )
    if serving_ports:
        specs.append(
            NamespaceSpec(SERVING_NAMESPACE, "restricted", gpus, egress_https=True, metadata_server=metadata_server)
        )
    return specs


def service_ingress(
    namespace: str, name: str, selector: Mapping[str, str], clients: Sequence[str], port: int
) -> Manifest:
    """Let the pods of the ``clients`` namespaces connect to the pods ``selector`` picks, on ``port``: the
    NetworkPolicy ``allow-<name>-clients`` (the namespace itself denies every other flow)."""
    return _ingress(namespace, f"allow-{name}-clients", selector, [_namespace_peer(c) for c in clients], port)


def collector_ingress(
    namespace: str,
    name: str,
    selector: Mapping[str, str],
    collector_namespace: str,
    collector_selector: Mapping[str, str] | None,
    port: int,
) -> Manifest:
    """Let a metrics collector (its pods ``collector_selector`` picks in ``collector_namespace``; none: every
    pod there) scrape the pods ``selector`` picks, on ``port``: the NetworkPolicy ``allow-<name>-metrics``.
    Name the collector's pods where other pods share its namespace: the port also serves the API."""
    peer: dict[str, object] = _namespace_peer(collector_namespace)
    if collector_selector is not None:
        peer["podSelector"] = {"matchLabels": dict(collector_selector)}
    return _ingress(namespace, f"allow-{name}-metrics", selector, [peer], port)


def _ingress(
    namespace: str, policy: str, selector: Mapping[str, str], peers: Sequence[Mapping[str, object]], port: int
) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": policy, "namespace": namespace, "labels": _labels(namespace)},
        "spec": {
            "podSelector": {"matchLabels": dict(selector)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [dict(peer) for peer in peers], "ports": _ports([port])}],
        },
    }


def address_egress(namespace: str, name: str, address: Any, ports: Sequence[int]) -> Manifest:
    """Let the pods of ``namespace`` connect to one ``address`` (a string, or a Pulumi output of one) on
    ``ports``: the NetworkPolicy ``allow-egress-to-<name>``."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"allow-egress-to-{name}", "namespace": namespace, "labels": _labels(namespace)},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": _host_cidr(address)}}], "ports": _ports(ports)}],
        },
    }


def _host_cidr(address: Any) -> Any:
    """``address/32``, for a plain address or a Pulumi output of one."""
    if isinstance(address, str):
        return f"{address}/32"
    return address.apply(lambda value: f"{value}/32")
