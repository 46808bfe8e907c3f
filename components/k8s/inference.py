"""A served model's in-cluster half, on any cluster a ``kubernetes.Provider`` reaches: the model server's
ServiceAccount, Deployment, Service and PodDisruptionBudget. Pure functions returning manifests from an
:class:`aistacks.plan.model.InferencePlan`; :class:`InferenceService` applies them.

What the pods run (image, arguments, port, health path) is the plan's, from the catalog
(``components/catalog/data/serving.json``). What is decided here is how a model server runs on Kubernetes:

* **Weights.** Each replica keeps the weights on a generic ephemeral volume of the given StorageClass (one
  the cluster encrypts with the stack's key), sized by the plan, mounted at ``/models``
  (:data:`aistacks.plan.inference.MODEL_DIRECTORY`) and deleted with the pod. With the ``bucket`` source an
  init container (a :class:`WeightsLoader`: the cloud's CLI, under the replica's workload identity, or with the
  keys of a credentials Secret on a cluster without one) copies
  ``<bucket>/<model>/`` there before the server starts, and the server is kept off the Hugging Face Hub
  (``HF_HUB_OFFLINE``); with ``hub`` the server downloads the model into the same volume (``HF_HOME``),
  with ``HF_TOKEN`` from the plan's Secret when it names one.
* **Pod Security "restricted"** (the ``serving`` namespace enforces it): non-root, no privilege
  escalation, every capability dropped, RuntimeDefault seccomp, a read-only root filesystem with HOME,
  /tmp and /dev/shm on emptyDirs.
* **Availability.** A rolling update never goes below the floor (maxUnavailable 0, one surge replica);
  voluntary evictions take one replica at a time; replicas spread over zones.

Known limit (read 2026-12-01): the pinned TGI image does not start as a non-root user. Its Python is
installed under ``/root`` (``uv python install`` as root; Dockerfile at huggingface/text-generation-inference
db931fcf, lines 169-170 and 248), which other users cannot read: huggingface/text-generation-inference
issue #3082 ("Running container rootless does not work anymore", open; fix proposed in PR #3197, open).
Under "restricted" a TGI server therefore fails at start with these manifests; vLLM's image runs as its
``vllm`` user (below).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s.apply import apply_manifest
from aistacks.k8s.manifests import Manifest, app_labels, app_selector, non_root_pod_security
from aistacks.k8s.queue_scaling import PrometheusSource, queue_scaling_manifests
from aistacks.k8s.snapshots import AWS_CLI_IMAGE, GCLOUD_CLI_IMAGE
from aistacks.plan.inference import MODEL_DIRECTORY
from aistacks.plan.model import InferencePlan

TYPE_TOKEN = "aistacks:k8s:InferenceService"

# The user the containers run as. vLLM's CUDA image "is also prepared to run as the built-in `vllm` user
# (UID 2000, GID 0)" and documents `runAsUser`/`runAsGroup: 0`/`fsGroup: 0` for Kubernetes (vllm-project/
# vllm docs/deployment/docker.md, "Run as a non-root user"; read 2026-12-01). The user came with PR #40275
# (opened 2026-04-19, merged); that the pinned v0.30.0 (published by 2026-09-26) has it is inferred from
# those dates, not checked against the image. A UID with an /etc/passwd entry also keeps torch's getpass.getuser()
# working (kserve/kserve#5666). The cloud CLIs of the init container run as any UID with a writable HOME
# (as in aistacks.k8s.snapshots). TGI's image has no such user and does not run as non-root (module doc).
SERVER_UID = 2000
SERVER_GID = 0

HOME_DIRECTORY = "/home/server"
"""HOME of every container: an emptyDir, so caches (vLLM's torch.compile, Triton, FlashInfer: all under
``$HOME/.cache`` by default, vllm 0.33.0 envs.py VLLM_CACHE_ROOT) are writable on a read-only root."""
TMP_DIRECTORY = "/tmp"
HF_HOME = f"{MODEL_DIRECTORY}/.huggingface"
"""The Hugging Face cache, on the weights volume: a ``hub`` model is downloaded there (the volume the plan
sized for the checkpoint), not onto the node's disk."""

SHM_SIZE = "2Gi"
"""/dev/shm, in memory (it counts against the container's memory limit). NCCL shares data between the GPUs of
a tensor-parallel group through it when peer-to-peer is not possible: vLLM's Kubernetes guide mounts a
memory emptyDir of sizeLimit "2Gi" ("vLLM needs to access the host's shared memory for tensor parallel
inference"; vllm-project/vllm docs/deployment/k8s.md, NVIDIA GPU example), TGI's README one of 1Gi ("A note
on Shared Memory (shm)"; mirror db931fcf). The larger of the two, for either engine (read 2026-12-01)."""

# Probes. The server answers its health path only once the model is loaded; loading takes minutes
# (reading the weights from the volume, CUDA graph capture and torch.compile on vLLM) and, with the hub
# source, the download too. vLLM's Kubernetes guide: "If the startup or readiness probe failureThreshold is
# too low for the time needed to startup the server, Kubernetes scheduler will kill the container ... increase
# the failureThreshold" (docs/deployment/k8s.md, Troubleshooting); Google's reference architecture waits with
# failureThreshold 6000 at periodSeconds 10 (GoogleCloudPlatform/accelerated-platforms 9320f3b2,
# platforms/gke/base/use-cases/inference-ref-arch/kubernetes-manifests/online-inference-gpu/vllm/base/
# deployment.yaml; both read 2026-12-01). Design choice: one hour (360 x 10 s), which holds a 141 GB
# checkpoint (Llama 3.1 70B in bfloat16) downloaded at 50 MB/s (47 minutes) plus its start; a server that
# is not up within an hour is restarted rather than waited for forever.
PROBE_PERIOD_SECONDS = 10
STARTUP_FAILURE_THRESHOLD = 360
STARTUP_SECONDS = PROBE_PERIOD_SECONDS * STARTUP_FAILURE_THRESHOLD
# Design choice: a loaded server's health endpoint can be slow under a full batch (it is served by the same
# process), so probes wait 5 s for an answer (the default is 1 s); readiness drops a replica out of the
# Service after 3 misses (30 s); liveness restarts it after 6 (a minute), as an engine that died answers 503
# (vllm 0.33.0 entrypoints/serve/instrumentator/health.py; TGI router/src/server.rs).
PROBE_TIMEOUT_SECONDS = 5
READINESS_FAILURE_THRESHOLD = 3
LIVENESS_FAILURE_THRESHOLD = 6

COPY_SECONDS = 3600
"""Design choice: the time the init container has to copy the weights (no probe bounds it): an hour, the same
as the server's start."""
PROGRESS_DEADLINE_SECONDS = COPY_SECONDS + STARTUP_SECONDS
"""How long a rollout may take before the Deployment reports it failed (the default, 600 s, is shorter than a
model load), and how long Pulumi waits for it (its own default for a Deployment is 10 minutes). Both defaults:
pulumi_kubernetes apps/v1 Deployment.py and _inputs.py (progress_deadline_seconds), in this venv."""

PRE_STOP_SLEEP_SECONDS = 15
"""Design choice: a replica going away keeps serving for 15 s before it is signalled, while the Service's
endpoints drop it (an endpoint update reaches every node's proxy in seconds); the sleep action needs no
shell or binary in the image (Kubernetes docs, "Container Lifecycle Hooks", Sleep; beta and on by default
from 1.30, read 2026-12-01)."""
TERMINATION_GRACE_SECONDS = 120
"""Design choice: two minutes for requests in flight to finish on SIGTERM: a few thousand streamed tokens at
tens of tokens per second. TGI's router shuts down gracefully on SIGTERM (router/src/server.rs:2330,
2376-2399; mirror db931fcf); vLLM aborts at once unless started with ``--shutdown-timeout`` (default 0:
vllm 0.30.0 engine/arg_utils.py, v1/engine/core.py "abort" mode), which the server is given
(:data:`DRAIN_SECONDS`)."""

# Telemetry off, in each engine's spelling: vLLM reports usage to stats.vllm.ai unless VLLM_NO_USAGE_STATS=1
# or DO_NOT_TRACK=1 (vllm 0.33.0 envs.py, usage/usage_lib.py); TGI's launcher unless USAGE_STATS=off
# (launcher/src/main.rs --usage-stats, env USAGE_STATS; mirror db931fcf). The namespace denies that egress
# anyway; this keeps the servers from trying.
TELEMETRY_OFF: tuple[tuple[str, str], ...] = (
    ("VLLM_NO_USAGE_STATS", "1"),
    ("DO_NOT_TRACK", "1"),
    ("USAGE_STATS", "off"),
)

SERVER_PORT_NAME = "http"
"""The server container's port: the API, and ``/metrics`` on it (both engines serve them together)."""

HUB_TOKEN_KEY = "HF_TOKEN"
"""The key of the plan's Secret that holds the Hugging Face token, and the variable the servers read
(huggingface_hub environment variables; TGI launcher/src/main.rs; read 2026-12-01)."""

LOADER_RESERVED = ("HOME", "TMPDIR")


@dataclass(frozen=True)
class WeightsLoader:
    """The init container that copies a model's weights from object storage onto the weights volume."""

    image: str
    command: tuple[str, ...]
    environment: Mapping[str, Any] = field(default_factory=dict)
    """Its environment; values may be Pulumi outputs (the bucket's name)."""
    credentials_secret: str | None = None
    """For a cluster without a cloud workload identity (on premises): a Secret in the server's namespace whose
    keys become the loader's environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``). Default: none."""


def _cli_environment(bucket: Any) -> dict[str, Any]:
    # As in aistacks.k8s.snapshots: the bucket through the environment (it may be an output), and the CLIs'
    # configuration under a writable HOME (the root filesystem is read-only).
    return {"BUCKET": bucket, "CLOUDSDK_CONFIG": f"{TMP_DIRECTORY}/gcloud"}


def s3_loader(
    bucket: Any,
    model: str,
    directory: str = MODEL_DIRECTORY,
    *,
    endpoint_url: str | None = None,
    credentials_secret: str | None = None,
) -> WeightsLoader:
    """``aws s3 sync s3://<bucket>/<model>/ <directory>/<model>/`` with the pinned AWS CLI (credentials:
    the replica's IRSA role on EKS). For an S3-compatible store (on premises): its ``endpoint_url``
    (``AWS_ENDPOINT_URL``, which AWS CLI v2 reads) and the ``credentials_secret`` whose keys are the CLI's
    credentials (:attr:`WeightsLoader.credentials_secret`). Defaults: Amazon S3, the pod's identity."""
    source, target = shlex.quote(f"{model}/"), shlex.quote(f"{directory}/{model}/")
    copy = f'aws s3 sync "s3://$BUCKET/"{source} {target} --only-show-errors'
    endpoint = {"AWS_ENDPOINT_URL": endpoint_url} if endpoint_url else {}
    return WeightsLoader(
        image=AWS_CLI_IMAGE,
        command=("/bin/bash", "-c", f"{copy} && {_weights_present(directory, model, 's3')}"),
        environment={**_cli_environment(bucket), **endpoint},
        credentials_secret=credentials_secret,
    )


def _weights_present(directory: str, model: str, scheme: str) -> str:
    """Fail unless the copy brought the model's config.json: a sync of an empty or missing prefix succeeds
    (AWS CLI "Return codes": 0 when nothing failed), and an init container that fails is run again with
    back-off, so weights uploaded later are picked up without touching the pod (Kubernetes docs, "Init
    Containers", read 2026-12-01)."""
    where = shlex.quote(f"{directory}/{model}/config.json")
    # The model id matches [A-Za-z0-9._-]+/[A-Za-z0-9._-]+ (the config's pattern): safe inside double quotes.
    missing = f"no weights at {scheme}://$BUCKET/{model}/ (no config.json): upload the model there"
    return f'{{ test -f {where} || {{ echo "{missing}" >&2; exit 1; }}; }}'


def gcs_loader(bucket: Any, model: str, directory: str = MODEL_DIRECTORY) -> WeightsLoader:
    """``gcloud storage rsync --recursive gs://<bucket>/<model> <directory>/<model>`` with the pinned Google
    Cloud CLI (credentials: the replica's Workload Identity on GKE)."""
    source, target = shlex.quote(model), shlex.quote(f"{directory}/{model}")
    return WeightsLoader(
        image=GCLOUD_CLI_IMAGE,
        command=(
            "/bin/bash",
            "-c",
            f'mkdir -p {target} && gcloud storage rsync --recursive "gs://$BUCKET/"{source} {target} && '
            + _weights_present(directory, model, "gs"),
        ),
        environment=_cli_environment(bucket),
    )


def labels(plan: InferencePlan) -> dict[str, str]:
    return {**app_labels(plan.name), "app.kubernetes.io/component": "model-server"}


def selector(plan: InferencePlan) -> dict[str, str]:
    return app_selector(plan.name)


def _metadata(plan: InferencePlan, name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": plan.namespace, "labels": labels(plan), **extra}


CONTAINER_SECURITY: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def _resources(plan: InferencePlan, *, gpus: bool) -> dict[str, Any]:
    """Requests equal to limits (Guaranteed QoS). The init container takes the same CPU and memory: a pod is
    scheduled for the larger of its largest init container and its containers together (Kubernetes docs,
    "Init Containers", resource sharing), so the copy runs as fast as the server's share allows at no cost."""
    amounts: dict[str, str] = {"cpu": plan.cpu, "memory": plan.memory}
    if gpus:
        amounts[plan.pool.gpu_resource] = str(plan.gpus)
    return {"requests": dict(amounts), "limits": dict(amounts)}


def _env(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "value": value}


def _server_env(plan: InferencePlan) -> list[dict[str, Any]]:
    env = [
        _env("HOME", HOME_DIRECTORY),
        _env("TMPDIR", TMP_DIRECTORY),
        _env("HF_HOME", HF_HOME),
        *(_env(name, value) for name, value in TELEMETRY_OFF),
    ]
    if plan.source == "bucket":
        # The weights are the bucket's copy; the server never reaches the Hub for them.
        env.append(_env("HF_HUB_OFFLINE", "1"))
    elif plan.hub_token_secret is not None:
        env.append(
            {
                "name": "HF_TOKEN",
                "valueFrom": {"secretKeyRef": {"name": plan.hub_token_secret, "key": HUB_TOKEN_KEY}},
            }
        )
    return env


MOUNTS: tuple[tuple[str, str], ...] = (
    ("weights", MODEL_DIRECTORY),
    ("home", HOME_DIRECTORY),
    ("tmp", TMP_DIRECTORY),
)


def _probe(plan: InferencePlan, failure_threshold: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": plan.engine.health_path, "port": plan.engine.port, "scheme": "HTTP"},
        "periodSeconds": PROBE_PERIOD_SECONDS,
        "timeoutSeconds": PROBE_TIMEOUT_SECONDS,
        "failureThreshold": failure_threshold,
    }


DRAIN_SECONDS = TERMINATION_GRACE_SECONDS - PRE_STOP_SLEEP_SECONDS - 15
"""How long a server finishes requests in flight after SIGTERM: the grace period, less the pre-stop sleep
before the signal and 15 s for the process to exit before the kubelet kills it."""


def _drain_arguments(plan: InferencePlan) -> list[str]:
    """What makes the engine finish requests in flight on SIGTERM (vLLM drops them unless told); the
    autoscaler removing a replica then costs no request."""
    spelling = plan.engine.drain_argument
    return [spelling.format(seconds=DRAIN_SECONDS)] if spelling else []


def _server(plan: InferencePlan) -> dict[str, Any]:
    return {
        "name": "server",
        "image": plan.engine.image,
        # The image's entrypoint starts the server (vLLM: `vllm serve`; TGI: its launcher); only arguments.
        "args": [*plan.args, *_drain_arguments(plan)],
        "ports": [{"name": SERVER_PORT_NAME, "containerPort": plan.engine.port, "protocol": "TCP"}],
        "env": _server_env(plan),
        "resources": _resources(plan, gpus=True),
        # No traffic and no liveness checks until the model is loaded; then both.
        "startupProbe": _probe(plan, STARTUP_FAILURE_THRESHOLD),
        "readinessProbe": _probe(plan, READINESS_FAILURE_THRESHOLD),
        "livenessProbe": _probe(plan, LIVENESS_FAILURE_THRESHOLD),
        "lifecycle": {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}},
        "securityContext": dict(CONTAINER_SECURITY),
        "volumeMounts": [
            *({"name": name, "mountPath": path} for name, path in MOUNTS),
            {"name": "shm", "mountPath": "/dev/shm"},
        ],
    }


def _loader(plan: InferencePlan, loader: WeightsLoader) -> dict[str, Any]:
    taken = sorted(set(loader.environment) & set(LOADER_RESERVED))
    if taken:
        raise ValueError(f"WeightsLoader.environment may not set {', '.join(taken)}: the pod sets them")
    return {
        "name": "weights",
        "image": loader.image,
        "command": list(loader.command),
        "env": [
            _env("HOME", HOME_DIRECTORY),
            _env("TMPDIR", TMP_DIRECTORY),
            *(_env(name, value) for name, value in sorted(loader.environment.items())),
        ],
        **({"envFrom": [{"secretRef": {"name": loader.credentials_secret}}]} if loader.credentials_secret else {}),
        "resources": _resources(plan, gpus=False),
        "securityContext": dict(CONTAINER_SECURITY),
        "volumeMounts": [{"name": name, "mountPath": path} for name, path in MOUNTS],
    }


def _volumes(plan: InferencePlan, storage_class: str) -> list[dict[str, Any]]:
    claim = {
        "storageClassName": storage_class,
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{plan.cache_gib}Gi"}},
    }
    return [
        {
            "name": "weights",
            "ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": labels(plan)}, "spec": claim}},
        },
        {"name": "home", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": SHM_SIZE}},
    ]


def _tolerations(plan: InferencePlan) -> list[dict[str, Any]]:
    """The pool's taint, tolerated; none where the nodes have none (a team's own: an empty list)."""
    taint = plan.pool.taint
    if taint is None:
        return []
    return [{"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}]


def _pod_spec(plan: InferencePlan, storage_class: str, loader: WeightsLoader | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": plan.service_account,
        # Neither the server nor the copy calls the Kubernetes API. The cloud identities need no API token:
        # EKS's webhook mounts its own projected token (audience sts.amazonaws.com) for IRSA, and GKE's
        # metadata server answers Workload Identity requests itself (as in aistacks.k8s.snapshots).
        "automountServiceAccountToken": False,
        # No service environment variables: a Service named `vllm` would set VLLM_PORT=tcp://..., which vLLM
        # rejects (vllm 0.33.0 envs.py, get_vllm_port: "appears to be a URI").
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
        "nodeSelector": dict(plan.pool.labels),
        "tolerations": _tolerations(plan),
        # The weights volume is a fresh filesystem owned by root; fsGroup makes it the containers' group's.
        "securityContext": non_root_pod_security(SERVER_UID, SERVER_GID, SERVER_GID, fs_group_change_on_mismatch=True),
        "containers": [_server(plan)],
        "volumes": _volumes(plan, storage_class),
    }
    if plan.source == "bucket":
        if loader is None:
            raise ValueError(f"{plan.name}: weights from a bucket need a WeightsLoader (s3_loader, gcs_loader)")
        spec["initContainers"] = [_loader(plan, loader)]
    if plan.max_replicas > 1:
        # Replicas spread over zones where the pool has nodes; a preference, so a pool in one zone still
        # schedules them. Applies to every replica the autoscaler may add, not only the floor.
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(plan)},
            }
        ]
    return spec


def _deployment(plan: InferencePlan, storage_class: str, loader: WeightsLoader | None, *, autoscaled: bool) -> Manifest:
    # Autoscaled, the replica count is KEDA's (through its HPA): the manifest leaves it out, so an update
    # never resets it to the floor (Kubernetes docs, "Horizontal Pod Autoscaling", migrating Deployments:
    # remove spec.replicas). Kubernetes starts such a Deployment at 1 and the HPA moves it to the floor.
    replicas = {} if autoscaled else {"replicas": plan.min_replicas}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(plan, plan.name),
        "spec": {
            **replicas,
            "selector": {"matchLabels": selector(plan)},
            # Never below the floor during a rollout: one new replica loads before an old one goes.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "progressDeadlineSeconds": PROGRESS_DEADLINE_SECONDS,
            "template": {
                "metadata": {"labels": labels(plan), "annotations": {"aistacks.io/model": plan.model}},
                "spec": _pod_spec(plan, storage_class, loader),
            },
        },
    }


def _disruption_budget(plan: InferencePlan) -> Manifest:
    """Voluntary evictions (node drains, the cluster autoscaler) take one replica at a time. Not the floor
    itself: the Deployment runs exactly the floor until the autoscaler adds replicas, so a minAvailable of
    the floor would allow no eviction, and EKS managed node group updates fail on such a budget
    (PodEvictionFailure; Amazon EKS User Guide, "Managed node update behavior", read 2026-12-01). A
    replica that is not ready (still loading, crashing) may always be evicted, so it never blocks a drain
    (unhealthyPodEvictionPolicy AlwaysAllow; Kubernetes docs, "Specifying a Disruption Budget for your
    Application", read 2026-12-01)."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(plan, plan.name),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(plan)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def inference_manifests(
    plan: InferencePlan,
    *,
    storage_class: str,
    annotations: Mapping[str, Any] | None = None,
    loader: WeightsLoader | None = None,
    autoscaling: PrometheusSource | None = None,
) -> list[Manifest]:
    """The ServiceAccount, Deployment, Service and PodDisruptionBudget of one served model and, with
    ``autoscaling``, its KEDA objects (:func:`aistacks.k8s.queue_scaling.queue_scaling_manifests`).

    ``storage_class``: the class of the per-replica weights volume: one the cluster encrypts with the stack's
    key and that deletes its volumes (the clusters' ``<class>-scratch``, :data:`aistacks.k8s.SCRATCH_SUFFIX`),
    else every replica leaves a disk behind. ``annotations``: the ServiceAccount's (the IRSA role ARN on EKS;
    none on GKE, where IAM grants name the ServiceAccount). ``loader``: copies the weights from the bucket;
    required with the ``bucket`` source, unused with ``hub``. ``autoscaling``: where KEDA reads the queue
    (KEDA must run on the cluster); without it the Deployment runs the floor.
    """
    port = plan.engine.port
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _metadata(
                plan, plan.service_account, **({"annotations": dict(annotations)} if annotations else {})
            ),
            "automountServiceAccountToken": False,
        },
        _deployment(plan, storage_class, loader, autoscaled=autoscaling is not None),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _metadata(plan, plan.name),
            "spec": {
                "type": "ClusterIP",
                "selector": selector(plan),
                "ports": [{"name": "http", "port": port, "targetPort": SERVER_PORT_NAME, "protocol": "TCP"}],
            },
        },
        _disruption_budget(plan),
        *(queue_scaling_manifests(plan, autoscaling) if autoscaling is not None else []),
    ]


def endpoint(plan: InferencePlan) -> str:
    """The OpenAI-compatible base URL inside the cluster."""
    return f"http://{plan.name}.{plan.namespace}.svc.cluster.local:{plan.engine.port}/v1"


class InferenceService(pulumi.ComponentResource):
    """One served model on any cluster: replicas on the plan's GPU pool, weights on encrypted per-replica
    volumes, reachable only inside the cluster (ClusterIP; the ``serving`` namespace's policies admit the
    plan's client namespaces)."""

    endpoint: str
    """The OpenAI-compatible base URL: ``http://<name>.<namespace>.svc.cluster.local:<port>/v1``."""
    service_name: str

    def __init__(
        self,
        name: str,
        plan: InferencePlan,
        provider: k8s.Provider,
        *,
        storage_class: str,
        annotations: Mapping[str, Any] | None = None,
        loader: WeightsLoader | None = None,
        autoscaling: PrometheusSource | None = None,
        opts: pulumi.ResourceOptions | None = None,
        wait_for: Sequence[pulumi.Resource] = (),
    ):
        """See :func:`inference_manifests` for ``storage_class``, ``annotations``, ``loader`` and
        ``autoscaling``. ``wait_for``: what the replicas need in the cluster first (the namespace and its
        policies, the storage driver, the GPU device plugin; with ``autoscaling``, KEDA, whose CRDs the
        ScaledObject needs). Default: nothing."""
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        applied: list[pulumi.Resource] = []
        manifests = inference_manifests(
            plan, storage_class=storage_class, annotations=annotations, loader=loader, autoscaling=autoscaling
        )
        for manifest in manifests:
            kind = manifest["kind"]
            options = child
            if manifest["apiVersion"].startswith("keda.sh/"):
                # Once KEDA (its CRDs) is there, and the Deployment it scales.
                options = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[*applied, *wait_for]))
            elif kind == "Deployment":
                # After its ServiceAccount; Pulumi waits for the rollout as long as the Deployment may take.
                wait = f"{PROGRESS_DEADLINE_SECONDS}s"
                options = pulumi.ResourceOptions.merge(
                    child,
                    pulumi.ResourceOptions(
                        depends_on=[*applied, *wait_for],
                        custom_timeouts=pulumi.CustomTimeouts(create=wait, update=wait),
                    ),
                )
            resource = apply_manifest(f"{name}-{kind.lower()}-{manifest['metadata']['name']}", manifest, options)
            if kind in ("ServiceAccount", "Deployment", "TriggerAuthentication"):
                applied.append(resource)
        self.endpoint = endpoint(plan)
        self.service_name = plan.name
        self.register_outputs({"endpoint": self.endpoint, "service_name": self.service_name})
