"""In-cluster metrics collection for Amazon Managed Service for Prometheus (AMP): a Prometheus server in agent
mode that scrapes the pods it is given and remote-writes what it scrapes to the workspace, signed with SigV4.
Pure functions returning manifests; the platform applies them (:func:`aistacks.k8s.apply_manifest`).

Why an in-cluster collector and not AMP's managed scraper: the model servers' namespace denies every flow it
does not name, and its NetworkPolicies admit peers by namespace and pod labels. A managed scraper reaches the
pods from its own network interfaces in the cluster's subnets, which a policy could only admit by address
range, that is every pod in the node subnets; the agent is a pod, admitted by :func:`collector_selector` in
:data:`MONITORING_NAMESPACE`.

* **Agent mode** (``--agent``): scraping, a write-ahead log and remote write only; no local queries, rules or
  alerts. The flags (``--agent``, ``--config.file``, ``--storage.agent.path``, ``--web.listen-address``) and
  the health endpoints ``/-/healthy`` and ``/-/ready``: prometheus/prometheus v3.14.0 (d7598b7, 2026-08-17),
  cmd/prometheus/main.go (``agentOnlyFlag(a, "storage.agent.path", …)``, ``a.Flag("agent", …)``) and
  web/web.go. The pinned v3.15.0's sources were not in the snapshot read: that it keeps them is assumed.
* **Credentials**: IRSA. The ServiceAccount carries the role's ARN (``annotations``); EKS's pod identity
  webhook mounts a web identity token and sets ``AWS_ROLE_ARN`` and ``AWS_WEB_IDENTITY_TOKEN_FILE``
  (aws/amazon-eks-pod-identity-webhook README, 3bf80a3), which the AWS SDK's default credential chain reads:
  Prometheus' ``sigv4`` block signs with that chain, service ``aps`` by default (prometheus/sigv4, sigv4.go,
  ``config.LoadDefaultConfig``, in a stored copy; v3.14.0's go.mod requires sigv4 v0.4.1). A non-root
  container reads the token through the pod's ``fsGroup`` (same README, "Usage with non-root container
  user"). The role needs ``aps:RemoteWrite`` on the workspace; whether a workspace on a customer managed key
  also needs a grant on the key for writes was not found in the sources read.
* **Kubernetes API**: service discovery lists and watches pods, in the targets' namespaces only (a Role per
  namespace, never a ClusterRole); the pod mounts its API token for that, the ServiceAccount does not.
* **Pod Security "restricted"**: non-root (the image's ``nobody``, 65534: prometheus/prometheus Dockerfile,
  ``USER nobody``), no privilege escalation, every capability dropped, RuntimeDefault seccomp, a read-only root
  filesystem with the write-ahead log on an emptyDir.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml

from aistacks.k8s.manifests import Manifest, app_labels, app_selector, non_root_pod_security

MONITORING_NAMESPACE = "monitoring"
"""Where the collector runs (Pod Security "restricted")."""
COLLECTOR_NAME = "prometheus-agent"
"""The name of every object of the collector: its ServiceAccount, Roles, ConfigMap and Deployment."""

# Prometheus, pinned by digest. v3.15.0 is the newest v3 release found (2026-10-07, as a public repository
# notes beside its pin); the digest is the one public repositories pin for both quay.io/prometheus/prometheus
# and prom/prometheus at v3.15.0 (read 2026-12-01; one repository lists another digest, most likely a single
# platform's). The source snapshot read (prometheus/prometheus, 2026-08-21) ends at v3.14.0. Re-check the digest
# with the registry when bumping the tag.
PROMETHEUS_IMAGE = (
    "quay.io/prometheus/prometheus:v3.15.0@sha256:efd719c99d83b060d9daefdcf00360461adf279f45ef5391f8d111892118753e"
)
WEB_PORT = 9090
"""``--web.listen-address``: the health endpoints (and the agent's own metrics)."""
CONFIG_DIRECTORY = "/etc/prometheus"
CONFIG_FILE = "prometheus.yml"
STORAGE_DIRECTORY = "/prometheus"
"""``--storage.agent.path``: the write-ahead log, on an emptyDir (the image's working directory)."""
NONROOT_ID = 65534
"""``nobody``, the user the image runs as; also the pod's group and fsGroup (the IRSA token)."""
RESOURCES: dict[str, str] = {"cpu": "250m", "memory": "512Mi"}
"""Design choice: requests equal to limits (Guaranteed QoS). A handful of targets, a few thousand series."""
WAL_SIZE_LIMIT = "2Gi"
"""Design choice: the write-ahead log's emptyDir bound. A few thousand series take megabytes; the bound only
matters while AMP is unreachable, and the kubelet evicts the pod past it (it then starts with an empty log)."""
CONFIG_CHECKSUM_ANNOTATION = "aistacks.io/config-sha256"
"""On the pod template: a changed configuration rolls the pod (Prometheus reads its file at start only)."""

AMP_QUEUE_CONFIG: dict[str, int] = {"max_samples_per_send": 1000, "max_shards": 200, "capacity": 2500}
"""The remote-write queue AMP's user guide sets for a Prometheus server ("Set up ingestion from a new Prometheus
server using Helm"), as reproduced in public repositories that follow it (the AWS page itself was not read,
2026-12-01). Prometheus v3.14's defaults are 2000 / 50 / 10000 (config/config.go, DefaultQueueConfig)."""

_POD_READ = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")


def collector_selector() -> dict[str, str]:
    """The labels of the collector's pods: what the targets' NetworkPolicies admit (from
    :data:`MONITORING_NAMESPACE`, on the targets' metrics ports)."""
    return app_selector(COLLECTOR_NAME)


def _valid_label_key(key: str) -> bool:
    """A Kubernetes label key: an optional DNS subdomain prefix and ``/``, then a name of up to 63 characters."""
    prefix, _, name = key.rpartition("/")
    return bool(_LABEL_NAME.match(name)) and (not prefix or (len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix))))


@dataclass(frozen=True)
class ScrapeTarget:
    """The pods of ``namespace`` that carry every label of ``selector``: the collector scrapes ``path`` on
    their container port named ``port``."""

    job: str
    """The scrape job's name, the ``job`` label of its series; unique among the collector's targets."""
    namespace: str
    selector: Mapping[str, str]
    """Pod labels, all required (as a Deployment's or DaemonSet's selector); at least one."""
    port: str = "http"
    """The name of the container port (``ports[].name``)."""
    path: str = "/metrics"

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.job.strip():
            problems.append("an empty job name")
        if not _DNS_LABEL.match(self.namespace):
            problems.append(f"namespace {self.namespace!r} is not a namespace name")
        if not self.selector:
            problems.append("no selector (it would scrape every pod of the namespace)")
        for key, value in self.selector.items():
            if not _valid_label_key(key):
                problems.append(f"selector key {key!r} is not a label key")
            if not _LABEL_NAME.match(value):
                problems.append(f"selector value {value!r} of {key!r} is not a non-empty label value")
        if not (_PORT_NAME.match(self.port) and re.search("[a-z]", self.port) and "--" not in self.port):
            problems.append(f"port {self.port!r} is not a container port name")
        if not self.path.startswith("/"):
            problems.append(f"path {self.path!r} does not start with /")
        if problems:
            raise ValueError(f"ScrapeTarget {self.job!r}: " + "; ".join(problems))


@dataclass(frozen=True)
class RemoteWrite:
    """Where the collector sends what it scrapes: an AMP workspace's remote-write URL, signed with SigV4 for
    ``region`` (the workspace's)."""

    url: Any
    """``https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write`` (AMP API reference,
    "RemoteWrite": ``/workspaces/<workspaceId>/api/v1/remote_write``), a string or a Pulumi output of one:
    :func:`amp_remote_write_url` of the workspace's ``prometheus_endpoint``."""
    region: str


def amp_workspace_url(prometheus_endpoint: Any, path: str = "") -> Any:
    """``<workspace URL><path>`` of an AMP workspace, from its ``prometheus_endpoint`` (``aws.amp.Workspace``;
    a string or a Pulumi output of one): the Prometheus API's base (no path: what KEDA queries, adding
    ``/api/v1/query`` itself) or the remote-write URL (``/api/v1/remote_write``).

    pulumi_aws documents the attribute only as "Prometheus endpoint available for this workspace" (7.51.1,
    amp/workspace.py). Observed values end with a slash, ``https://aps-workspaces.<region>.amazonaws.com/
    workspaces/<id>/`` (``aws amp describe-workspace`` output in public material), which is why Terraform
    configurations append ``api/v1/remote_write`` without one; the AMP API reference's example of
    ``prometheusEndpoint`` ends in ``/workspaces/<id>/api/v1/`` instead. Both forms, with or without the final
    slash, give ``…/workspaces/<id><path>`` here."""

    def join(endpoint: str) -> str:
        return endpoint.rstrip("/").removesuffix("/api/v1") + path

    if isinstance(prometheus_endpoint, str):
        return join(prometheus_endpoint)
    return pulumi.Output.from_input(prometheus_endpoint).apply(join)


def amp_remote_write_url(prometheus_endpoint: Any) -> Any:
    """The remote-write URL of an AMP workspace (:func:`amp_workspace_url`)."""
    return amp_workspace_url(prometheus_endpoint, "/api/v1/remote_write")


def _meta_label(key: str) -> str:
    """The discovery label of a pod label: ``__meta_kubernetes_pod_label_<key>``, the key's characters other
    than ASCII letters, digits and ``_`` made ``_`` (prometheus/prometheus v3.14.0, util/strutil/strconv.go
    ``SanitizeLabelName``; discovery/kubernetes)."""
    return "__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)


def _literal(value: str) -> str:
    """``value`` as a regular expression that matches only itself. Label values and port names hold letters,
    digits, ``-``, ``_`` and ``.``, of which only ``.`` means anything to RE2."""
    return value.replace(".", r"\.")


def _scrape_config(target: ScrapeTarget) -> dict[str, Any]:
    """One job: the target namespace's pods, listed with the selector (the API server filters), then kept
    only if they carry every selector label, are running and expose the named port; labelled with their
    namespace and pod."""
    keep_labels = [
        {"action": "keep", "source_labels": [_meta_label(key)], "regex": _literal(value)}
        for key, value in sorted(target.selector.items())
    ]
    return {
        "job_name": target.job,
        "kubernetes_sd_configs": [
            {
                "role": "pod",
                "namespaces": {"names": [target.namespace]},
                "selectors": [
                    {"role": "pod", "label": ",".join(f"{k}={v}" for k, v in sorted(target.selector.items()))}
                ],
            }
        ],
        "relabel_configs": [
            *keep_labels,
            {
                "action": "keep",
                "source_labels": ["__meta_kubernetes_pod_container_port_name"],
                "regex": _literal(target.port),
            },
            {"action": "keep", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Running"},
            {"action": "replace", "target_label": "__metrics_path__", "replacement": target.path},
            {"action": "replace", "source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"action": "replace", "source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
        ],
    }


def _check(targets: Sequence[ScrapeTarget], scrape_interval_seconds: int) -> None:
    """Distinct job names (Prometheus refuses a configuration that repeats one), and a positive interval."""
    jobs = [target.job for target in targets]
    duplicates = sorted({job for job in jobs if jobs.count(job) > 1})
    if duplicates:
        raise ValueError(f"scrape targets need distinct job names; repeated: {', '.join(duplicates)}")
    if scrape_interval_seconds < 1:
        raise ValueError(f"scrape_interval_seconds must be at least 1, not {scrape_interval_seconds}")


def prometheus_config(
    targets: Sequence[ScrapeTarget],
    *,
    remote_write_url: str,
    region: str,
    external_labels: Mapping[str, str],
    scrape_interval_seconds: int = 30,
) -> dict[str, Any]:
    """The agent's ``prometheus.yml``, as data: one scrape job per target, one remote write."""
    _check(targets, scrape_interval_seconds)
    return {
        "global": {"scrape_interval": f"{scrape_interval_seconds}s", "external_labels": dict(external_labels)},
        "scrape_configs": [_scrape_config(target) for target in targets],
        "remote_write": [
            {"url": remote_write_url, "sigv4": {"region": region}, "queue_config": dict(AMP_QUEUE_CONFIG)}
        ],
    }


def _metadata(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": app_labels(COLLECTOR_NAME), **extra}
    if namespace is not None:
        metadata["namespace"] = namespace
    return metadata


def _namespace() -> list[Manifest]:
    """The namespace, "restricted" as the workload namespaces are (``aistacks.k8s.namespaces``), and a policy
    that admits nothing into it: nothing calls the collector.

    Egress stays open: the agent reaches the Kubernetes API (the control plane's addresses, not known in the
    cluster), STS and AMP (regional endpoints or VPC endpoints, whose addresses change), DNS and each target's
    port; what guards the targets is their own ingress policies, which admit :func:`collector_selector`."""
    labels = {"app.kubernetes.io/managed-by": "aistacks", "aistacks.io/namespace": MONITORING_NAMESPACE}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": MONITORING_NAMESPACE,
                "labels": {
                    **labels,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-ingress", "namespace": MONITORING_NAMESPACE, "labels": labels},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        },
    ]


def _rbac(namespaces: Sequence[str]) -> list[Manifest]:
    """A Role on pods (read only) in each target namespace, bound to the collector's ServiceAccount."""
    subject = {"kind": "ServiceAccount", "name": COLLECTOR_NAME, "namespace": MONITORING_NAMESPACE}
    roles: list[Manifest] = []
    bindings: list[Manifest] = []
    for namespace in namespaces:
        roles.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": _metadata(COLLECTOR_NAME, namespace),
                "rules": [dict(_POD_READ)],
            }
        )
        bindings.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": _metadata(COLLECTOR_NAME, namespace),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": COLLECTOR_NAME},
                "subjects": [dict(subject)],
            }
        )
    return [*roles, *bindings]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _deployment(checksum: Any, node_selector: Mapping[str, str]) -> Manifest:
    probe_path = {"liveness": "/-/healthy", "readiness": "/-/ready"}

    def probe(kind: str, failure_threshold: int) -> dict[str, Any]:
        return {
            "httpGet": {"path": probe_path[kind], "port": "web", "scheme": "HTTP"},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": failure_threshold,
        }

    container = {
        "name": "prometheus",
        "image": PROMETHEUS_IMAGE,
        "args": [
            "--agent",
            f"--config.file={CONFIG_DIRECTORY}/{CONFIG_FILE}",
            f"--storage.agent.path={STORAGE_DIRECTORY}",
            f"--web.listen-address=:{WEB_PORT}",
        ],
        "ports": [{"name": "web", "containerPort": WEB_PORT, "protocol": "TCP"}],
        "resources": {"requests": dict(RESOURCES), "limits": dict(RESOURCES)},
        "readinessProbe": probe("readiness", 3),
        "livenessProbe": probe("liveness", 6),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIRECTORY, "readOnly": True},
            {"name": "storage", "mountPath": STORAGE_DIRECTORY},
        ],
    }
    pod_spec = {
        "serviceAccountName": COLLECTOR_NAME,
        # Kubernetes service discovery authenticates with the pod's API token (in-cluster configuration).
        "automountServiceAccountToken": True,
        "enableServiceLinks": False,
        "nodeSelector": dict(node_selector),
        "securityContext": non_root_pod_security(NONROOT_ID, NONROOT_ID, NONROOT_ID),
        "containers": [container],
        "volumes": [
            {"name": "config", "configMap": {"name": COLLECTOR_NAME}},
            {"name": "storage", "emptyDir": {"sizeLimit": WAL_SIZE_LIMIT}},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(COLLECTOR_NAME, MONITORING_NAMESPACE),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": collector_selector()},
            # Never two agents at once: both would scrape and send the same series to the workspace.
            "strategy": {"type": "Recreate"},
            "template": {
                "metadata": {
                    "labels": app_labels(COLLECTOR_NAME),
                    "annotations": {CONFIG_CHECKSUM_ANNOTATION: checksum},
                },
                "spec": pod_spec,
            },
        },
    }


def prometheus_agent_manifests(
    targets: Sequence[ScrapeTarget],
    remote_write: RemoteWrite,
    *,
    annotations: Mapping[str, Any],
    external_labels: Mapping[str, str],
    node_selector: Mapping[str, str],
    scrape_interval_seconds: int = 30,
) -> list[Manifest]:
    """Every object of the collector, in the order they are applied: the namespace and its ingress policy, the
    ServiceAccount (``annotations``: the IRSA role's ARN), a Role and RoleBinding per target namespace, the
    ConfigMap with ``prometheus.yml`` and the Deployment (one replica, on the nodes ``node_selector`` picks).

    ``external_labels`` go on every series sent (the cluster's name, so that one workspace can hold several
    clusters). The configuration is a string when ``remote_write.url`` is one, else a Pulumi output of one.
    """
    settings = {
        "region": remote_write.region,
        "external_labels": dict(external_labels),
        "scrape_interval_seconds": scrape_interval_seconds,
    }

    def render(url: str) -> str:
        return yaml.safe_dump(prometheus_config(targets, remote_write_url=url, **settings), sort_keys=False)

    # Refuse bad targets now, whatever the URL is: an output's apply runs only at deployment.
    _check(targets, scrape_interval_seconds)
    config: Any
    checksum: Any
    if isinstance(remote_write.url, str):
        config = render(remote_write.url)
        checksum = _sha256(config)
    else:
        config = pulumi.Output.from_input(remote_write.url).apply(render)
        checksum = config.apply(_sha256)
    namespaces = sorted({target.namespace for target in targets})
    return [
        *_namespace(),
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _metadata(
                COLLECTOR_NAME, MONITORING_NAMESPACE, **({"annotations": dict(annotations)} if annotations else {})
            ),
            # Only the collector's pod needs an API token (it says so itself).
            "automountServiceAccountToken": False,
        },
        *_rbac(namespaces),
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _metadata(COLLECTOR_NAME, MONITORING_NAMESPACE),
            "data": {CONFIG_FILE: config},
        },
        _deployment(checksum, node_selector),
    ]
