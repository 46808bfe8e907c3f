"""A team's own cluster (on premises, reached through a kubeconfig context): aistacks' namespaces and
Qdrant on it, on the team's own encrypted StorageClass, with snapshots to the team's S3-compatible
store (its endpoint and a credentials Secret the team manages); and a served model on the team's GPU
nodes, its weights copied from that same store, scaled on its queue by the team's own KEDA reading the
team's own Prometheus."""

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s import (
    InferenceService,
    PrometheusSource,
    QdrantPlan,
    SnapshotPlan,
    VectorDatabase,
    WorkloadNamespaces,
    apply_manifest,
    role_namespaces,
    s3_loader,
)
from aistacks.k8s.inference import selector
from aistacks.k8s.namespaces import collector_ingress, service_ingress
from aistacks.plan import GpuNodes, Taint, plan_model_server
from aistacks.spec import InferenceSpec

STORE = "https://s3.storage.acme.internal"
"""The team's S3-compatible object store (Ceph RGW), on HTTPS inside the site."""

config = pulumi.Config()
cluster = k8s.Provider("onprem", context=config.require("context"))

# The team's GPU nodes: two of 4 x L40S, labelled by NVIDIA's GPU feature discovery and tainted so that
# only GPU workloads land there. The GPU's memory (48 GB) is the accelerator catalog's.
nodes = GpuNodes(
    accelerator="l40s",
    gpus_per_node=4,
    vcpus=64,
    memory_gib=512,
    max_nodes=2,
    labels={"nvidia.com/gpu.product": "NVIDIA-L40S"},
    taint=Taint("nvidia.com/gpu", "present"),
)
# pydantic checks the entry's shape and types (a misspelt key, or a model id that is not <org>/<name>, is a
# ValidationError here); plan_model_server checks that the model fits the GPUs (DoesNotFit names what would)
# and that the nodes can hold its replicas. The weights come from the team's store, not the Hugging Face Hub:
# reviewed once and copied in, with nothing pulled from the internet when a replica starts.
chat = plan_model_server(
    InferenceSpec.model_validate({"name": "chat", "model": "Qwen/Qwen2.5-7B-Instruct", "source": "bucket"}), nodes
)

gpus = nodes.max_nodes * nodes.gpus_per_node  # the namespaces' GPU quota: every GPU of the team's nodes
namespaces = WorkloadNamespaces(
    "onprem", role_namespaces("inference", gpus, vector=True, serving_ports=[chat.engine.port]), cluster
)
database = VectorDatabase(
    "onprem-vectors",
    QdrantPlan(replicas=3, storage_class="ceph-rbd-encrypted", storage_gib=100),
    cluster,
    SnapshotPlan(
        "s3",
        "acme-onprem-qdrant-snapshots",
        "30 1 * * *",
        credentials_secret="snapshot-store-credentials",
        environment={"AWS_ENDPOINT_URL": STORE},
    ),
    opts=pulumi.ResourceOptions(depends_on=[namespaces]),
)
server = InferenceService(
    "onprem-chat",
    chat,
    cluster,
    # Each replica's copy of the weights, deleted with the pod (the class's reclaim policy must be Delete).
    storage_class="ceph-rbd-encrypted",
    loader=s3_loader(
        "acme-onprem-models", chat.model, endpoint_url=STORE, credentials_secret="model-store-credentials"
    ),
    # The team's KEDA, reading the team's Prometheus inside the cluster: no cloud identity.
    autoscaling=PrometheusSource("http://prometheus.monitoring.svc:9090"),
    opts=pulumi.ResourceOptions(depends_on=[namespaces]),
)
# The serving namespace admits nobody by itself: the workload namespace may call the server, and the team's
# Prometheus pods may scrape its queue (the same port), as on the clusters the platform builds.
for policy in (
    service_ingress(chat.namespace, chat.name, selector(chat), chat.clients, chat.engine.port),
    collector_ingress(
        chat.namespace,
        chat.name,
        selector(chat),
        "monitoring",
        {"app.kubernetes.io/name": "prometheus"},
        chat.engine.port,
    ),
):
    apply_manifest(
        f"onprem-{policy['metadata']['name']}",
        policy,
        pulumi.ResourceOptions(parent=server, provider=cluster, depends_on=[namespaces]),
    )
pulumi.export("endpoint", database.endpoint)
pulumi.export("model_endpoint", server.endpoint)
