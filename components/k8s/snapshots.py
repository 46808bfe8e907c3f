"""Scheduled Qdrant snapshots to an object store, with the workload identity of the cluster's cloud.

A CronJob asks every Qdrant node for a snapshot of each collection (in a distributed deployment each
node snapshots only its own shards), streams it into the bucket and deletes it from the node. The
job's ServiceAccount is the only workload identity the platform grants access to the bucket: IRSA
on EKS (the role ARN annotation), Workload Identity on GKE (IAM grants to the ServiceAccount's
principal). Pure functions
returning manifests; :class:`aistacks.k8s.qdrant.VectorDatabase` applies them.

Qdrant's snapshot API (``POST /collections/{name}/snapshots``, ``GET`` and ``DELETE`` on
``/collections/{name}/snapshots/{snapshot}``, header ``api-key``): Qdrant docs, "Snapshots"; v1.15 API
reference (read 2026-11-27). The official chart schedules no snapshots (qdrant-helm issue #64).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aistacks.defaults import DEFAULT_SNAPSHOT_SCHEDULE
from aistacks.k8s.manifests import Manifest, app_labels, app_selector, non_root_pod_security
from aistacks.k8s.namespaces import METADATA_ADDRESSES

# Cloud CLI images, pinned by digest. Sources: amazon/aws-cli 2.37.5 (Amazon Linux 2023 based, with
# curl-minimal) and google-cloud-cli 562.0.0-slim (Debian, with curl), each as pinned by digest in public
# repositories (read 2026-11-27). Re-check a digest with the registry when bumping a tag.
AWS_CLI_IMAGE = (
    "docker.io/amazon/aws-cli:2.37.5@sha256:fb7ccfc7b4e3a05017e6c9ded4ba959b99af622130e211fb976c68c2f4d3f224"
)
GCLOUD_CLI_IMAGE = (
    "gcr.io/google.com/cloudsdktool/google-cloud-cli:562.0.0-slim"
    "@sha256:0da2de42ae51cd6092b5caf7c96d25003659fd15548760eb4c50c2623e7bf9c2"
)
RESERVED_ENVIRONMENT = ("BUCKET", "HOME", "CLOUDSDK_CONFIG", "QDRANT_API_KEY")
# The AWS CLI streams stdin in parts, holding about max_concurrent_requests of them in memory, and
# grows parts so that an upload of --expected-size stays within 10,000 parts (8 MiB at least).
# Sources: AWS CLI docs, "s3 cp" (--expected-size) and "S3 configuration" (max_concurrent_requests,
# multipart_chunksize); Amazon S3 User Guide, multipart upload limits (read 2026-11-27).
UPLOAD_CONCURRENCY = 4
MAX_PARTS = 10_000
MIN_PART_MIB = 8


def job_memory_mib(volume_gib: int) -> int:
    """The snapshot job's memory limit for snapshots up to ``volume_gib``: the parts in flight, plus
    the queue and the CLI itself."""
    part_mib = max(MIN_PART_MIB, -(-volume_gib * 1024 // MAX_PARTS))
    return 512 + (UPLOAD_CONCURRENCY + 2) * part_mib


SNAPSHOT_PREFIX = "qdrant"

ObjectStore = Literal["s3", "gcs"]


@dataclass(frozen=True)
class SnapshotPlan:
    """Where and when snapshots go."""

    store: ObjectStore
    bucket: Any
    """The bucket's name (a string, or a Pulumi output of one)."""
    schedule: str = DEFAULT_SNAPSHOT_SCHEDULE
    """Cron schedule, in UTC. Default: daily at 03:00."""
    name: str = "qdrant-snapshots"
    """Name of the CronJob and its ServiceAccount (the identity the bucket grant names)."""
    annotations: dict[str, Any] = field(default_factory=dict)
    """ServiceAccount annotations: the IRSA role ARN on EKS; none on GKE. Default: none."""
    credentials_secret: str | None = None
    """For a cluster without a cloud workload identity (on premises): a Secret in the namespace whose
    keys become the job's environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``). Default: none."""
    environment: dict[str, str] = field(default_factory=dict)
    """More environment for the CLI, such as ``AWS_ENDPOINT_URL`` for an S3-compatible store on
    premises (AWS CLI v2 reads it). Default: none."""
    store_ports: tuple[int, ...] = (443,)
    """TCP ports the job may open to the object store (and, on EKS, STS). Default: 443."""

    def __post_init__(self) -> None:
        taken = sorted(set(self.environment) & set(RESERVED_ENVIRONMENT))
        if taken:
            raise ValueError(f"SnapshotPlan.environment may not set {', '.join(taken)}: the job sets them")

    @property
    def labels(self) -> dict[str, str]:
        return app_labels(self.name)

    @property
    def selector(self) -> dict[str, str]:
        return app_selector(self.name)


def snapshot_script(store: ObjectStore, *, statefulset: str, replicas: int, headless: str, port: int) -> str:
    """The job's shell script; ``$QDRANT_API_KEY`` and ``$BUCKET`` come from its environment.

    Any failed call fails the job (a listing, a snapshot, a download cut short: ``pipefail``), the
    snapshot is deleted from the node whether or not its upload succeeded, and a run is complete only
    when ``qdrant/<stamp>/COMPLETE`` exists: restore from such runs only.
    """
    upload = (
        # Streams over 50 GB need their size up front (AWS CLI, "s3 cp", --expected-size).
        f"aws configure set default.s3.max_concurrent_requests {UPLOAD_CONCURRENCY}\n"
        'upload() { aws s3 cp --only-show-errors ${2:+--expected-size $2} - "s3://$BUCKET/$1"; }'
        if store == "s3"
        else 'upload() { gcloud storage cp --quiet - "gs://$BUCKET/$1"; }'
    )
    # Qdrant answers compact JSON, so fields are read without a JSON parser the images may lack.
    return "\n".join(
        [
            "set -euo pipefail",
            'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
            'names() { grep -o \'"name":"[^"]*"\' | cut -d\'"\' -f4; }',
            "size_of() { grep -o '\"size\":[0-9]*' | head -n 1 | cut -d: -f2; }",
            'q() { curl -fsS -H "api-key: $QDRANT_API_KEY" "$@"; }',
            upload,
            f"for node in $(seq 0 {replicas - 1}); do",
            f'  base="http://{statefulset}-$node.{headless}:{port}"',
            '  listing="$(q "$base/collections")"',
            "  for collection in $(printf '%s' \"$listing\" | names || true); do",
            '    created="$(q -X POST "$base/collections/$collection/snapshots?wait=true")"',
            '    snapshot="$(printf \'%s\' "$created" | names | head -n 1 || true)"',
            '    size="$(printf \'%s\' "$created" | size_of || true)"',
            '    [ -n "$snapshot" ] || { echo "no snapshot of $collection on node $node: $created" >&2; exit 1; }',
            f'    key="{SNAPSHOT_PREFIX}/$stamp/node-$node/$collection/$snapshot"',
            "    status=0",
            '    q "$base/collections/$collection/snapshots/$snapshot" | upload "$key" "$size" || status=$?',
            '    q -X DELETE "$base/collections/$collection/snapshots/$snapshot?wait=true" > /dev/null',
            '    [ "$status" -eq 0 ] || { echo "upload of $key failed ($status)" >&2; exit 1; }',
            '    echo "uploaded $key ($size bytes)"',
            "  done",
            "done",
            f'printf \'%s\\n\' "$stamp" | upload "{SNAPSHOT_PREFIX}/$stamp/COMPLETE"',
            "",
        ]
    )


@dataclass(frozen=True)
class SnapshotSource:
    """The database the job snapshots: a Qdrant StatefulSet and how to reach and authenticate to it."""

    namespace: str
    statefulset: str
    replicas: int
    volume_gib: int
    """The size of a node's volume: the largest snapshot the job streams."""
    headless: str
    """The headless Service that names each pod."""
    port: int
    selector: dict[str, str]
    api_key_secret: str
    api_key_field: str


def snapshot_manifests(plan: SnapshotPlan, source: SnapshotSource) -> list[Manifest]:
    """The ServiceAccount, the CronJob and the two NetworkPolicies the job needs."""

    def metadata(name: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "namespace": source.namespace, "labels": plan.labels, **extra}

    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": metadata(plan.name, **({"annotations": plan.annotations} if plan.annotations else {})),
            # IRSA's token is a projected volume the EKS webhook adds; GKE's metadata server needs none.
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": metadata(plan.name),
            "spec": _cron_job_spec(plan, _job_pod_spec(plan, source)),
        },
        *_job_network_policies(plan, source, metadata),
    ]


def _job_pod_spec(plan: SnapshotPlan, source: SnapshotSource) -> dict[str, Any]:
    """One unprivileged container running the snapshot script with the cloud's CLI."""
    script = snapshot_script(
        plan.store,
        statefulset=source.statefulset,
        replicas=source.replicas,
        headless=f"{source.headless}.{source.namespace}.svc.cluster.local",
        port=source.port,
    )
    container: dict[str, Any] = {
        "name": "snapshot",
        "image": AWS_CLI_IMAGE if plan.store == "s3" else GCLOUD_CLI_IMAGE,
        "command": ["/bin/bash", "-c"],
        "args": [script],
        "env": [
            *({"name": key, "value": value} for key, value in sorted(plan.environment.items())),
            {"name": "BUCKET", "value": plan.bucket},
            {"name": "HOME", "value": "/tmp"},
            {"name": "CLOUDSDK_CONFIG", "value": "/tmp/gcloud"},
            {
                "name": "QDRANT_API_KEY",
                "valueFrom": {"secretKeyRef": {"name": source.api_key_secret, "key": source.api_key_field}},
            },
        ],
        **({"envFrom": [{"secretRef": {"name": plan.credentials_secret}}]} if plan.credentials_secret else {}),
        "resources": {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"memory": f"{job_memory_mib(source.volume_gib)}Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "serviceAccountName": plan.name,
        "restartPolicy": "Never",
        "securityContext": non_root_pod_security(1000, 1000),
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }


def _cron_job_spec(plan: SnapshotPlan, pod_spec: dict[str, Any]) -> dict[str, Any]:
    """On schedule (UTC), one run at a time, kept for a week, given up after six hours."""
    return {
        "schedule": plan.schedule,
        "timeZone": "Etc/UTC",
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 3600,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        "jobTemplate": {
            "metadata": {"labels": plan.labels},
            "spec": {
                "backoffLimit": 2,
                "activeDeadlineSeconds": 6 * 3600,
                "ttlSecondsAfterFinished": 7 * 86400,
                "template": {"metadata": {"labels": plan.labels}, "spec": pod_spec},
            },
        },
    }


def _job_network_policies(
    plan: SnapshotPlan, source: SnapshotSource, metadata: Callable[[str], dict[str, Any]]
) -> list[Manifest]:
    """The job reaches the database's HTTP port and the object store; the database admits the job."""
    database_port = [{"protocol": "TCP", "port": source.port}]
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata(f"{plan.name}-egress"),
            "spec": {
                "podSelector": {"matchLabels": plan.selector},
                "policyTypes": ["Egress"],
                "egress": [
                    {"to": [{"podSelector": {"matchLabels": source.selector}}], "ports": database_port},
                    # The object store and, on EKS, STS for IRSA (both HTTPS); never node metadata.
                    {
                        "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(METADATA_ADDRESSES)}}],
                        "ports": [{"protocol": "TCP", "port": port} for port in plan.store_ports],
                    },
                ],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata(f"{plan.name}-to-database"),
            "spec": {
                "podSelector": {"matchLabels": source.selector},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"podSelector": {"matchLabels": plan.selector}}], "ports": database_port}],
            },
        },
    ]
